// mpsync's command line: parse arguments, call the layers below, print one line on failure.
// Each command lives in src/cli/commands/<name>.ts and exports register(program).
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { oneLine } from "./cli/errors.ts";

const program = new Command("mpsync")
  .description("Keeps a WeChat Official Account's published articles and permanent materials in Postgres.")
  .showHelpAfterError()
  .exitOverride();

const commandsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "cli", "commands");
for (const file of readdirSync(commandsDir).filter((f) => f.endsWith(".ts")).sort()) {
  const mod = (await import(pathToFileURL(path.join(commandsDir, file)).href)) as { register?: (p: Command) => void };
  mod.register?.(program);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  console.error(`mpsync: ${oneLine(e)}`);
  if (process.env.LOG_LEVEL === "debug" || process.env.LOG_LEVEL === "trace") console.error(e);
  process.exit(1);
}
