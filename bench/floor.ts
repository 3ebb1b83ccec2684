// The fetch half of the floor (docs/benchmark.md, "The floor"): the least a client can
// do to read a whole account. It fetches every page of every source once, at most
// `concurrency` requests in flight across the five sources (the same limiter mpsync's
// engine shares across an account's sources), with a plain undici request and a
// JSON.parse of each body, and nothing else: no validation, hashing or writing. Run in
// a process of its own (bench/run.ts via bench/child.ts), so its CPU time and RSS are
// its own; prints one line `BENCH_RESULT {json}` on stdout.
import { Agent, request } from "undici";
import { createLimiter } from "../src/sync/limiter.ts";
import { ENDPOINTS } from "../src/wechat/endpoints.ts";
import { MATERIAL_TYPES, MAX_PAGE_SIZE } from "../src/wechat/types.ts";
import { SIM_DEFAULT_APP } from "../src/simulator/types.ts";

export interface FloorArgs {
  simUrl: string;
  concurrency: number;
}

export interface FloorResult {
  /** from the first list request to the last body parsed, in ms (the token is fetched before) */
  wallMs: number;
  /** CPU time (user + system) of this process over the same span, in ms */
  cpuMs: number;
  peakRssMB: number;
  pages: number;
  items: number;
  /** response bytes received */
  bytes: number;
}

interface Body {
  errcode?: number;
  access_token?: string;
  total_count?: number;
  item?: unknown[];
}

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new Error("usage: tsx bench/floor.ts '<json args>'");
  const args = JSON.parse(raw) as FloorArgs;
  const agent = new Agent({ connections: 16 });

  /** The HTTP exchange: request and body (what a request slot covers). */
  async function exchange(endpoint: string, query: string, body: unknown): Promise<{ status: number; text: string }> {
    const res = await request(`${args.simUrl}${endpoint}${query}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      dispatcher: agent,
    });
    return { status: res.statusCode, text: await res.body.text() };
  }

  function parse(endpoint: string, res: { status: number; text: string }): { json: Body; bytes: number } {
    const { text } = res;
    const json = JSON.parse(text) as Body;
    if (res.status !== 200 || (json.errcode ?? 0) !== 0) throw new Error(`${endpoint}: HTTP ${res.status}, errcode ${json.errcode}`);
    return { json, bytes: Buffer.byteLength(text) };
  }

  // the token once, as a client with a cached token starts
  const tok = parse(ENDPOINTS.stableToken, await exchange(ENDPOINTS.stableToken, "", { grant_type: "client_credential", appid: SIM_DEFAULT_APP.appId, secret: SIM_DEFAULT_APP.secret }));
  const token = tok.json.access_token;
  if (!token) throw new Error("no access_token from the simulator");
  const q = `?access_token=${encodeURIComponent(token)}`;

  const limiter = createLimiter(args.concurrency);
  let pages = 0;
  let items = 0;
  let bytes = 0;
  const page = async (endpoint: string, body: Record<string, unknown>, offset: number): Promise<number> => {
    // the slot bounds requests in flight, as mpsync's does: parsing happens after it is freed
    const r = parse(endpoint, await limiter.run(() => exchange(endpoint, q, { ...body, offset, count: MAX_PAGE_SIZE })));
    pages++;
    items += r.json.item?.length ?? 0;
    bytes += r.bytes;
    return r.json.total_count ?? 0;
  };
  // one source: the first page tells the total, then every other page at once (the limiter queues them)
  const source = async (endpoint: string, body: Record<string, unknown>): Promise<void> => {
    const total = await page(endpoint, body, 0);
    const rest: Promise<number>[] = [];
    for (let offset = MAX_PAGE_SIZE; offset < total; offset += MAX_PAGE_SIZE) rest.push(page(endpoint, body, offset));
    await Promise.all(rest);
  };

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all([
    source(ENDPOINTS.publishedList, { no_content: 0 }),
    ...MATERIAL_TYPES.map((type) => source(ENDPOINTS.materialList, { type })),
  ]);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await agent.close();
  const result: FloorResult = {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
    pages,
    items,
    bytes,
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error("floor:", e);
    process.exit(1);
  },
);
