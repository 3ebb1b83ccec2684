// Stripe's signing scheme: Mpsync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>.
// The timestamp inside the MAC lets a consumer refuse replays of old deliveries.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Mpsync-Signature";
export const EVENT_ID_HEADER = "Mpsync-Event-Id";

export function sign(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

export function signatureHeader(secret: string, body: string, now: Date = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${sign(secret, t, body)}`;
}

/** A consumer's check (used by the tests, as the README shows it): the MAC matches and t is fresh. */
export function verifySignature(header: string, body: string, secret: string, toleranceSeconds = 300, now: Date = new Date()): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const want = Buffer.from(sign(secret, t, body), "hex");
  const got = Buffer.from(parts.v1, "hex");
  return got.length === want.length && timingSafeEqual(got, want);
}
