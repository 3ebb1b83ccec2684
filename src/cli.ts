// mpsync's command line: parse arguments, call the layers below, print one line on failure.
// Each command lives in src/cli/commands/<name>.ts and exports register(program, context).
// Started by bin/mpsync.js, which supplies the context (the job queue from jobs/).
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import type { CliContext } from "./cli/context.ts";
import { oneLine } from "./cli/errors.ts";

export async function runCli(argv: string[], context: CliContext): Promise<void> {
  const program = new Command("mpsync")
    .description("Keeps a WeChat Official Account's published articles and permanent materials in Postgres.")
    .showHelpAfterError()
    .exitOverride();

  const commandsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "cli", "commands");
  const files = readdirSync(commandsDir).filter((f) => f.endsWith(".ts")).sort();
  // Load only the command being run (each pulls in its own layers: the HTTP server, the
  // simulator, …); the full list only when no known command is named, for the help text.
  const named = `${argv[2] ?? ""}.ts`;
  for (const file of files.includes(named) ? [named] : files) {
    const mod = (await import(pathToFileURL(path.join(commandsDir, file)).href)) as { register?: (p: Command, c: CliContext) => void };
    mod.register?.(program, context);
  }

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    console.error(`mpsync: ${oneLine(e)}`);
    if (process.env.LOG_LEVEL === "debug" || process.env.LOG_LEVEL === "trace") console.error(e);
    process.exit(1);
  }
}
