// mpsync's command line: parse arguments, call the layers below, print one line on failure.
// Each command lives in src/cli/commands/<name>.ts and exports register(program, context).
// Started by bin/mpsync.js, which supplies the context (the job queue from jobs/).
// The output contract: results on stdout, logs and errors on stderr; a usage error is one
// line naming the command's help, exit 2; any other failure one line, exit 1.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import type { CliContext } from "./cli/context.ts";
import { oneLine, TemporaryFailureError, usageLine } from "./cli/errors.ts";
import { PACKAGE_ROOT } from "./package-root.ts";

const here = fileURLToPath(import.meta.url);
// the commands are .ts files in the sources and .js files in the compiled build (dist/)
const ext = path.extname(here);

export async function runCli(argv: string[], context: CliContext): Promise<void> {
  const { version } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
  const program = new Command("mpsync")
    .description("Keeps a WeChat Official Account's published articles and permanent materials in Postgres.")
    .version(version, "-V, --version", "print the version of mpsync")
    // usage errors are printed below, as one line (commander's own text and the whole help are not)
    .configureOutput({ outputError: () => {} })
    .exitOverride();

  const commandsDir = path.join(path.dirname(here), "cli", "commands");
  const files = readdirSync(commandsDir).filter((f) => f.endsWith(ext)).sort();
  // Load only the command being run (each pulls in its own layers: the HTTP server, the
  // simulator, …); the full list only when no known command is named, for the help text.
  const named = `${argv[2] ?? ""}${ext}`;
  for (const file of files.includes(named) ? [named] : files) {
    const mod = (await import(pathToFileURL(path.join(commandsDir, file)).href)) as { register?: (p: Command, c: CliContext) => void };
    mod.register?.(program, context);
  }

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and --version end here too, successfully
      if (e.exitCode === 0 || e.code === "commander.help" || e.code === "commander.helpDisplayed" || e.code === "commander.version") process.exit(e.exitCode);
      console.error(usageLine(e.message, files.includes(named) ? path.basename(named, ext) : undefined));
      process.exit(2);
    }
    console.error(`mpsync: ${oneLine(e)}`);
    if (process.env.LOG_LEVEL === "debug" || process.env.LOG_LEVEL === "trace") console.error(e);
    process.exit(e instanceof TemporaryFailureError ? e.exitCode : 1);
  }
}
