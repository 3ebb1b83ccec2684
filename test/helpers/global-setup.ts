// Once per test run: migrate a template database that every test file clones.
import { randomBytes } from "node:crypto";
import { withDatabase } from "../../src/config/database.ts";
import { applyMigrations } from "../../src/store/migrations.ts";
import { admin, RUN_PID_ENV, runPidOf, serverUrl, TEMPLATE_ENV, testDatabaseName } from "./servers.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  process.env[RUN_PID_ENV] = String(process.pid);
  const template = testDatabaseName(`tpl_${randomBytes(3).toString("hex")}`);
  await admin(async (c) => {
    // leftovers of interrupted runs: only our naming scheme, and only when the run that
    // made them is gone (test runs going on at the same time keep theirs)
    const old = await c.query("select datname from pg_database where datname like 'mpsync\\_test\\_%' and not datistemplate");
    for (const { datname } of old.rows as { datname: string }[]) {
      const pid = runPidOf(datname);
      if (pid !== null && !alive(pid)) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
    }
    await c.query(`CREATE DATABASE "${template}"`);
  });
  await applyMigrations(withDatabase(serverUrl, template));
  process.env[TEMPLATE_ENV] = template;
  return async () => {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`));
  };
}
