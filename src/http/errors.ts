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

/**
 * The server's configuration has search off (SEARCH_INDEX): 409, the request conflicts with
 * the server's state rather than naming something missing. Not 404: a 404 is cacheable by
 * default (a CDN would keep answering it after search is turned on) and reads like a wrong URL.
 */
export class SearchDisabledError extends Error {
  override readonly name = "SearchDisabledError";
  constructor() {
    super('search is not enabled on this server: set SEARCH_INDEX=true on the workers and run `mpsync search reindex` (README "Search")');
  }
}

/** The documented error body: {"error": code, "field"?: name, "message": text}. */
export interface ErrorBody {
  error: string;
  field?: string;
  message: string;
}

/** The status and body an error answers with (500 for anything not known to be the client's fault: log it). */
export function errorAnswer(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof InvalidParameterError) return { status: 400, body: { error: "invalid_parameter", field: err.field, message: err.message } };
  if (err instanceof NotFoundError) return { status: 404, body: { error: "not_found", message: err.message } };
  if (err instanceof SearchDisabledError) return { status: 409, body: { error: "search_disabled", message: err.message } };
  const status = (err as { statusCode?: number } | null)?.statusCode;
  // Fastify's own 4xx (malformed or too large a body, unsupported media type): its message names no secret
  if (status && status >= 400 && status < 500) return { status, body: { error: "bad_request", field: "body", message: (err as Error).message } };
  return { status: 500, body: { error: "internal", message: "internal error; see the worker log" } };
}
