// Which addresses a media download may connect to: never loopback, private, link-local
// (cloud metadata at 169.254.169.254), CGNAT, multicast or reserved ones, unless the exact
// host:port is listed in MEDIA_SOURCE_HOSTS (tests and on-premises CDNs list theirs). The
// check is made on the address the socket connects to (after DNS), so a listed name that
// resolves to 127.0.0.1 is refused too.
import dns from "node:dns";
import net from "node:net";

const blocked = new net.BlockList();
for (const [a, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  blocked.addSubnet(a, bits, "ipv4");
for (const [a, bits] of [
  ["::", 128],
  ["::1", 128],
  ["::ffff:0:0", 96], // IPv4-mapped: whatever v4 address they carry
  ["64:ff9b::", 96], // NAT64
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  blocked.addSubnet(a, bits, "ipv6");

/** A media download was about to connect to an address it may not reach. */
export class BlockedAddressError extends Error {
  override readonly name = "BlockedAddressError";
  readonly code = "MPSYNC_BLOCKED_ADDRESS";
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolves to a loopback, private or link-local address, and ${host} with its port is not listed in MEDIA_SOURCE_HOSTS`);
  }
}

export function isBlockedAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true; // not an address at all
  return blocked.check(address, family === 4 ? "ipv4" : "ipv6");
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** dns.lookup for net.connect that fails when any address of the name is blocked. */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isBlockedAddress(a.address));
    if (bad) return callback(new BlockedAddressError(hostname, bad.address) as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), []);
    callback(null, first.address, first.family);
  });
}
