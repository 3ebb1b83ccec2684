// Turns any failure into the one line a CLI user sees. Typed errors carry messages
// written for people; configuration errors list every problem.
import { ConfigError } from "../config/errors.ts";

/** An error whose message is already a complete, user-facing sentence. */
export class UserFacingError extends Error {
  override readonly name = "UserFacingError";
}

/** sysexits' EX_TEMPFAIL: try again later (a run paused or refused by the daily quota). */
export const EX_TEMPFAIL = 75;

/** A failure that goes away by itself: the CLI exits EX_TEMPFAIL with the message's one line. */
export class TemporaryFailureError extends Error {
  override readonly name = "TemporaryFailureError";
  readonly exitCode = EX_TEMPFAIL;
}

export function oneLine(e: unknown): string {
  if (e instanceof ConfigError) {
    return e.problems.length === 1 ? `configuration error: ${e.problems[0]}` : `configuration errors:\n  - ${e.problems.join("\n  - ")}`;
  }
  if (e instanceof Error) return e.message.replace(/\s*\n\s*/g, " ");
  return String(e);
}

/** A usage error (unknown option, bad argument value): one line, and where the usage is described. */
export function usageLine(commanderMessage: string, command: string | undefined): string {
  const message = commanderMessage.replace(/^error:\s*/i, "").replace(/\s*\n\s*/g, " ").trim();
  return `mpsync${command ? ` ${command}` : ""}: ${message} (see mpsync${command ? ` ${command}` : ""} --help)`;
}
