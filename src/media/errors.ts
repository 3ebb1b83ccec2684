// Why a media download did not store anything, by kind: the mirror decides retry, gone or
// refused by class, never by message.

export abstract class MediaDownloadError extends Error {
  abstract readonly outcome: "failed" | "gone" | "refused";
}

/** 5xx, 429, timeouts, resets, a storage hiccup: retried with backoff, now and by later passes. */
export class MediaTransientError extends MediaDownloadError {
  override readonly name: string = "MediaTransientError";
  readonly outcome = "failed" as const;
}

/** 404/410: the CDN no longer has it; never asked again. */
export class MediaGoneError extends MediaDownloadError {
  override readonly name = "MediaGoneError";
  readonly outcome = "gone" as const;
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** Not an image, larger than MEDIA_MAX_BYTES, or another 4xx: recorded and not retried. */
export class MediaRefusedError extends MediaDownloadError {
  override readonly name = "MediaRefusedError";
  readonly outcome = "refused" as const;
}

/** Why a host looks down, in words for the pass's one line. */
export type HostDownReason = "name does not resolve" | "connection refused" | "connection reset" | "host unreachable" | "connect timeout" | "no response";

/**
 * The host itself did not answer (no HTTP status at all): counted by the pass's host breaker
 * (host-breaker.ts); once it trips, the host's assets wait for a later pass without counting
 * an attempt.
 */
export class MediaHostDownError extends MediaTransientError {
  override readonly name = "MediaHostDownError";
  constructor(
    readonly host: string,
    readonly reason: HostDownReason,
  ) {
    super(`host down: ${reason}`);
  }
}
