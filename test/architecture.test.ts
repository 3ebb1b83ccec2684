// The house's layering rules, checked on the source itself (parsed with TypeScript, so
// comments and strings never count): persistence lives in src/store alone, src/ never
// imports jobs/, and no import cycle runs through src/ or jobs/ (type-only imports count).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const rel = (file: string): string => path.relative(ROOT, file).split(path.sep).join("/");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return name.endsWith(".ts") ? [full] : [];
  });
}

// Prisma's generated client is the store's own code: not a file of the house
const FILES = [...tsFiles(path.join(ROOT, "src")), ...tsFiles(path.join(ROOT, "jobs"))].filter((f) => !rel(f).startsWith("src/store/generated/"));

interface Parsed {
  file: string;
  /** every module specifier: static imports and re-exports, and dynamic import("…") of a literal */
  specifiers: string[];
  /** relative specifiers resolved to files of the repository */
  local: string[];
  source: ts.SourceFile;
}

function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(`${rel(from)}: cannot resolve import "${spec}"`);
}

function parse(file: string): Parsed {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specifiers.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const local = specifiers.map((s) => resolveLocal(file, s)).filter((f): f is string => f !== undefined);
  return { file, specifiers, local, source };
}

const PARSED = FILES.map(parse);

/** Prisma's model delegates (prisma.account, prisma.syncRun, …), read from the schema. */
const MODEL_DELEGATES = new Set(
  [...readFileSync(path.join(ROOT, "prisma/schema.prisma"), "utf8").matchAll(/^model\s+(\w+)/gm)].map((m) => m[1]!.charAt(0).toLowerCase() + m[1]!.slice(1)),
);
const RAW_QUERIES = new Set(["$queryRaw", "$queryRawUnsafe", "$executeRaw", "$executeRawUnsafe", "$transaction", "$runCommandRaw"]);
/** Database drivers and Prisma's runtime: importing one is how a file would query on its own. */
const DB_PACKAGES = /^(pg|pg-.*|postgres|@prisma\/.*|\.prisma\/.*)$/;

/** The queries a file issues or the database modules it imports, one line each. */
function queriesIn(p: Parsed): string[] {
  const found: string[] = [];
  for (const spec of p.specifiers) if (DB_PACKAGES.test(spec)) found.push(`imports ${spec}`);
  for (const target of p.local) if (rel(target).startsWith("src/store/generated/")) found.push(`imports the generated Prisma client (${rel(target)})`);
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      const name = node.name.text;
      const line = p.source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      if (RAW_QUERIES.has(name)) found.push(`line ${line}: .${name}`);
      else if (MODEL_DELEGATES.has(name) && ts.isPropertyAccessExpression(node.parent) && ts.isCallExpression(node.parent.parent)) {
        found.push(`line ${line}: .${name}.${node.parent.name.text}()`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(p.source);
  return found;
}

/** Each cycle once, as the files along it (first file repeated at the end). */
function cycles(graph: Map<string, string[]>): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const walk = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join(" ");
        if (!seen.has(key)) {
          seen.add(key);
          out.push(cycle.map(rel));
        }
      } else if (!state.has(next)) {
        walk(next);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) walk(node);
  return out;
}

describe("architecture", () => {
  it("reads the whole tree (the checks below have something to check)", () => {
    const names = PARSED.map((p) => rel(p.file));
    expect(names).toEqual(expect.arrayContaining(["src/runtime.ts", "src/http/server.ts", "src/store/read-store.ts", "jobs/worker.ts", "jobs/job-queue.ts"]));
    // the query detector recognises the store's own queries
    const store = PARSED.filter((p) => rel(p.file).startsWith("src/store/")).flatMap(queriesIn);
    expect(store.some((q) => q.includes(".$queryRaw"))).toBe(true);
    expect(store.some((q) => /\.syncRun\.findMany\(\)/.test(q))).toBe(true);
  });

  it("only src/store queries Postgres or imports a database client", () => {
    const offenders = PARSED.filter((p) => rel(p.file).startsWith("src/") && !rel(p.file).startsWith("src/store/"))
      .map((p) => ({ file: rel(p.file), queries: queriesIn(p) }))
      .filter((o) => o.queries.length > 0);
    expect(offenders).toEqual([]);
  });

  it("src/ never imports jobs/", () => {
    const offenders = PARSED.filter((p) => rel(p.file).startsWith("src/")).flatMap((p) =>
      p.local.filter((t) => rel(t).startsWith("jobs/")).map((t) => `${rel(p.file)} -> ${rel(t)}`),
    );
    expect(offenders).toEqual([]);
  });

  it("no import cycle in src/ or jobs/", () => {
    const inTree = new Set(FILES);
    const graph = new Map(PARSED.map((p) => [p.file, p.local.filter((t) => inTree.has(t))]));
    expect(cycles(graph).map((c) => c.join(" -> "))).toEqual([]);
  });
});
