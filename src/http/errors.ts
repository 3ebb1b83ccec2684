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
