// HTTP_TRUST_PROXY: which X-Forwarded-For hops the HTTP server believes, in Fastify's own
// `trustProxy` forms: a hop count, or proxy addresses / CIDRs / proxy-addr's names. Never
// "trust everything": then any client picks the address the rate limits count.
import { isIP } from "node:net";

/** Fastify's `trustProxy`: hops in front of mpsync, or the proxies' addresses and networks */
export type TrustProxy = number | string[];

/** proxy-addr's names for address ranges */
const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);
const MAX_HOPS = 10;

const HINT = "give the number of proxies in front of mpsync (e.g. 1) or their addresses/CIDRs (e.g. 10.0.0.0/8,127.0.0.1)";

function validEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [addr, bits, ...rest] = entry.split("/");
  const family = isIP(addr ?? "");
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  const n = Number(bits);
  // a /0 is every address: the same as trusting everything
  return n >= 1 && n <= (family === 4 ? 32 : 128);
}

/** The setting's value, or undefined (trust no proxy); a bad value is one problem naming HTTP_TRUST_PROXY. */
export function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy | undefined {
  const v = (raw ?? "").trim();
  if (v === "" || /^(false|0|off|no)$/i.test(v)) return undefined;
  if (/^(true|on|yes)$/i.test(v)) {
    // refused, not mapped to a hop count: with no proxy (or two), a guess would let clients
    // spoof their address (or count every client as the proxy)
    problems.push(`HTTP_TRUST_PROXY=${v} would trust any client's X-Forwarded-For; ${HINT}`);
    return undefined;
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops <= MAX_HOPS) return hops;
    problems.push(`HTTP_TRUST_PROXY must be a hop count from 1 to ${MAX_HOPS} or a list of addresses/CIDRs (got "${v}")`);
    return undefined;
  }
  const entries = v.split(",").map((e) => e.trim()).filter((e) => e !== "");
  const bad = entries.filter((e) => !validEntry(e));
  if (bad.length > 0) {
    problems.push(`HTTP_TRUST_PROXY: ${bad.map((b) => `"${b}"`).join(", ")} is not an address, a CIDR (not /0) or one of ${[...NAMED_RANGES].join(", ")}; ${HINT}`);
    return undefined;
  }
  return entries;
}
