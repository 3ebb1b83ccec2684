// Why a media download did not store anything, by kind: the mirror decides retry, gone or
// refused by class, never by message.

export abstract class MediaDownloadError extends Error {
  abstract readonly outcome: "failed" | "gone" | "refused";
}

/** 5xx, 429, timeouts, resets, a storage hiccup: retried with backoff, now and by later passes. */
export class MediaTransientError extends MediaDownloadError {
  override readonly name = "MediaTransientError";
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
