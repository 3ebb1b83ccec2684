// Typed failures of the simulator's own control surface (drift methods, /__sim/ endpoints).

/** A drift operation named an article, news item or material that does not exist. */
export class SimulatorNotFoundError extends Error {
  override name = "SimulatorNotFoundError";
  constructor(readonly what: string, readonly id: string) {
    super(`simulator: no ${what} ${id}`);
  }
}

/** A control request with arguments the simulator cannot act on. */
export class SimulatorArgumentError extends Error {
  override name = "SimulatorArgumentError";
}
