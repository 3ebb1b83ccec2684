// The printed table and the JSON written to bench/results/latest.json.
import os from "node:os";

export interface Row {
  label: string;
  value: string;
  bound?: string;
  verdict?: string;
}

export interface Section {
  title: string;
  rows: Row[];
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function fmtSec(ms: number): string {
  return ms >= 100_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

export function fmtMB(n: number): string {
  return `${n.toFixed(n >= 100 ? 0 : 1)} MB`;
}

export function verdict(met: boolean, target: string): string {
  return `${met ? "MET " : "MISSED"} (target ${target})`;
}

export function renderTable(header: string[], sections: Section[]): string {
  const all = sections.flatMap((s) => s.rows);
  const w0 = Math.max(28, ...all.map((r) => r.label.length + 2));
  const w1 = Math.max(12, ...all.map((r) => r.value.length));
  const w2 = Math.max(12, ...all.map((r) => (r.bound ?? "").length));
  const lines: string[] = [...header, ""];
  lines.push(`${"".padEnd(w0)}  ${"measured".padEnd(w1)}  ${"lower bound / reference".padEnd(w2)}  target`);
  lines.push("-".repeat(w0 + w1 + w2 + 40));
  for (const s of sections) {
    lines.push(s.title);
    for (const r of s.rows) {
      lines.push(`  ${r.label.padEnd(w0 - 2)}  ${r.value.padEnd(w1)}  ${(r.bound ?? "").padEnd(w2)}  ${r.verdict ?? ""}`.trimEnd());
    }
  }
  return lines.join("\n");
}

export function machine() {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}
