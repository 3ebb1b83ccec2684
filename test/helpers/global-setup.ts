// Once per test run: migrate a template database that every test file clones.
import { randomBytes } from "node:crypto";
import { withDatabase } from "../../src/config/database.ts";
import { applyMigrations } from "../../src/store/migrations.ts";
import { admin, serverUrl, TEMPLATE_ENV } from "./servers.ts";

export default async function setup(): Promise<() => Promise<void>> {
  const template = `mpsync_test_tpl_${process.pid}_${randomBytes(3).toString("hex")}`;
  await admin(async (c) => {
    // leftovers of interrupted runs (our naming scheme only; one still in use is kept)
    const old = await c.query(
      "select datname from pg_database where datname ~ '^mpsync_test_(tpl_)?[0-9a-z_]+$' and not datistemplate and datname <> $1",
      [template],
    );
    for (const row of old.rows as { datname: string }[]) {
      await c.query(`DROP DATABASE IF EXISTS "${row.datname}"`).catch(() => {});
    }
    await c.query(`CREATE DATABASE "${template}"`);
  });
  await applyMigrations(withDatabase(serverUrl, template));
  process.env[TEMPLATE_ENV] = template;
  return async () => {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`));
  };
}
