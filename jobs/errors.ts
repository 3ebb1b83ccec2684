// Job-layer failures, decided by class.

/** A full run could not be queued because the pending slot kept changing hands (extremely busy queue). */
export class EnqueueContentionError extends Error {
  override readonly name = "EnqueueContentionError";
  constructor(readonly appId: string, readonly source: string) {
    super(`could not queue a full run of ${appId} ${source}: the pending run kept changing; try again`);
  }
}
