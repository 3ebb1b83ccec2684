// Prisma CLI configuration. The CLI is only used for `generate` here (see
// scripts/prisma-generate.mjs); migrations run through src/store/migrations.ts.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/mpsync" },
});
