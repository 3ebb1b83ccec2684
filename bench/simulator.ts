// Starts bench/simulator-process.ts as a child process and talks to its /__sim/ control
// endpoints: counters (the API calls a sync made), drift (publish, delete), state.
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { SimulatorCounters } from "../src/simulator/types.ts";
import { spawnTs } from "./child.ts";
import type { SimSummary } from "./db.ts";
import type { SimulatorProcessOptions } from "./simulator-process.ts";

export const ENDPOINT = {
  published: "/cgi-bin/freepublish/batchget",
  material: "/cgi-bin/material/batchget_material",
  materialCount: "/cgi-bin/material/get_materialcount",
};

export interface CallCounts {
  /** freepublish/batchget + batchget_material */
  list: number;
  published: number;
  material: number;
  /** token endpoints (stable_token, token, component ones) */
  token: number;
  /** everything else (get_materialcount, quota/get, ...) */
  other: number;
  total: number;
  /** responses with a non-zero errcode, and injected faults */
  errors: number;
  byEndpoint: Record<string, number>;
}

export function callCounts(c: SimulatorCounters): CallCounts {
  const out: CallCounts = { list: 0, published: 0, material: 0, token: 0, other: 0, total: 0, errors: 0, byEndpoint: { ...c.calls } };
  for (const [endpoint, n] of Object.entries(c.calls)) {
    out.total += n;
    if (endpoint === ENDPOINT.published) out.published += n;
    else if (endpoint === ENDPOINT.material) out.material += n;
    else if (/token/.test(endpoint)) out.token += n;
    else out.other += n;
  }
  out.list = out.published + out.material;
  for (const [key, n] of Object.entries(c.errcodes)) if (!key.endsWith(" 0")) out.errors += n;
  for (const n of Object.values(c.faults)) out.errors += n;
  return out;
}

export class SimulatorProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(opts: SimulatorProcessOptions): Promise<SimulatorProcess> {
    const child = spawnTs("simulator-process.ts", opts);
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      child.once("exit", (code) => reject(new Error(`simulator process exited with code ${code} before listening`)));
      lines.once("line", (line) => {
        try {
          resolve((JSON.parse(line) as { url: string }).url);
        } catch {
          reject(new Error(`simulator process printed ${line}`));
        }
      });
    });
    return new SimulatorProcess(child, url);
  }

  private async control<T>(method: "GET" | "POST", p: string, body?: unknown): Promise<T> {
    const res = await fetch(this.url + p, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator ${method} ${p}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  counters(): Promise<SimulatorCounters> {
    return this.control("GET", "/__sim/counters");
  }

  async resetCounters(): Promise<void> {
    await this.control("POST", "/__sim/counters/reset");
  }

  /**
   * The latency added to every list request from now on (the simulator's `latencyMs`
   * fault, set over /__sim/faults; the benchmark sets no other fault, so replacing the
   * fault settings loses nothing).
   */
  async setLatency(ms: number): Promise<void> {
    await this.control("POST", "/__sim/faults", { latencyMs: ms });
  }

  summary(): Promise<SimSummary> {
    return this.control("GET", "/__sim/state");
  }

  async publish(count: number): Promise<void> {
    await this.control("POST", "/__sim/publish", { count });
  }

  async deleteArticle(articleId: string): Promise<void> {
    await this.control("POST", "/__sim/delete", { article_id: articleId });
  }

  /** at once, without waiting (Ctrl-C) */
  /** the simulator's process id (its CPU time is read from /proc) */
  get pid(): number | undefined {
    return this.child.pid;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }
}
