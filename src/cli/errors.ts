// Turns any failure into the one line a CLI user sees. Typed errors carry messages
// written for people; anything else is a bug and says so.
import { ConfigError } from "../config/errors.ts";

/** An error whose message is already a complete, user-facing sentence. */
export class UserFacingError extends Error {
  override readonly name = "UserFacingError";
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

const knownNames = new Set<string>();
/** Layers register the names of their typed errors whose messages are user-facing. */
export function registerUserFacingError(name: string): void {
  knownNames.add(name);
}

export function oneLine(e: unknown): string {
  if (e instanceof ConfigError) {
    return e.problems.length === 1 ? `configuration error: ${e.problems[0]}` : `configuration errors:\n  - ${e.problems.join("\n  - ")}`;
  }
  const err = e as Error;
  if (err instanceof Error) return err.message.replace(/\s*\n\s*/g, " ");
  return String(e);
}
