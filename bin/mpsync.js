#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between
// `npm ci` and a working `mpsync`.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
