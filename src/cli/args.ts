// Argument parsers shared by commands.
import { InvalidArgumentError } from "commander";
import { SOURCES, type Source } from "../sync/types.ts";

export function sourceArg(raw: string): Source {
  if (!(SOURCES as readonly string[]).includes(raw)) throw new InvalidArgumentError(`expected one of ${SOURCES.join(", ")}`);
  return raw as Source;
}
