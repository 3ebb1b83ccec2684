// Errors the HTTP layer answers with a status code; decided by class, never by message.

/** A query or body parameter failed validation: 400 naming the field. */
export class InvalidParameterError extends Error {
  override readonly name = "InvalidParameterError";
  constructor(readonly field: string, detail: string) {
    super(`${field}: ${detail}`);
  }
}

/** The thing asked for does not exist: 404. */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
  constructor(readonly what: string) {
    super(`${what} not found`);
  }
}
