// mpsync's command line: parse arguments, call the layers below, print one line on failure.
import { Command, CommanderError } from "commander";
import { oneLine } from "./cli/errors.ts";
import { register as registerMigrate } from "./cli/migrate.ts";
import { register as registerDemo } from "./cli/demo.ts";

const program = new Command("mpsync")
  .description("Keeps a WeChat Official Account's published articles and permanent materials in Postgres.")
  .showHelpAfterError()
  .exitOverride();

registerMigrate(program);
registerDemo(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  console.error(`mpsync: ${oneLine(e)}`);
  if (process.env.LOG_LEVEL === "debug" || process.env.LOG_LEVEL === "trace") console.error(e);
  process.exit(1);
}
