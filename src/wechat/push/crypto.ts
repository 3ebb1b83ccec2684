// WeChat's message crypto (WXBizMsgCrypt), on node:crypto: the sha1 signatures of the URL
// check and of encrypted messages, and AES-256-CBC with WeChat's 32-byte PKCS#7 padding.
// Node's automatic padding works on 16-byte blocks and throws on pad values 17..32 (half
// of all message lengths), so padding is done here by hand with setAutoPadding(false).
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** WeChat pads to 32 bytes, not AES's 16. */
export const PAD_BLOCK = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;

export type PushCryptoFailure = "bad-base64" | "bad-length" | "bad-padding" | "bad-app-id";

/** A message that does not decrypt to WeChat's layout, or not for the expected app id. */
export class PushCryptoError extends Error {
  override readonly name = "PushCryptoError";
  constructor(readonly reason: PushCryptoFailure) {
    super(`encrypted push refused: ${reason}`);
  }
}

/** An EncodingAESKey is 43 characters of base64 (the "=" is implied): 32 key bytes. */
export function isEncodingAesKey(value: string): boolean {
  return /^[A-Za-z0-9+/]{43}$/.test(value) && Buffer.from(`${value}=`, "base64").length === 32;
}

/** The 32-byte AES key of an EncodingAESKey (its first 16 bytes are the IV). */
export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!isEncodingAesKey(encodingAesKey)) throw new RangeError("EncodingAESKey must be 43 base64 characters");
  return Buffer.from(`${encodingAesKey}=`, "base64");
}

/** hex sha1 of the parts sorted as plain strings and joined with no separator. */
export function pushSignature(...parts: string[]): string {
  return createHash("sha1").update([...parts].sort().join("")).digest("hex");
}

/** Constant-time comparison of a received signature with the expected one. */
export function signatureMatches(expected: string, received: string | undefined): boolean {
  if (received === undefined) return false;
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(received.toLowerCase(), "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

export function pad32(data: Buffer): Buffer {
  const n = PAD_BLOCK - (data.length % PAD_BLOCK); // 1..32: a full block when already aligned
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

export function unpad32(data: Buffer): Buffer {
  const n = data.at(-1);
  if (n === undefined || n < 1 || n > PAD_BLOCK || n > data.length) throw new PushCryptoError("bad-padding");
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) throw new PushCryptoError("bad-padding");
  return data.subarray(0, data.length - n);
}

/** random(16) ‖ uint32be(len(msg)) ‖ msg ‖ appId, padded, AES-256-CBC, base64. `random` for test vectors only. */
export function encryptPush(key: Buffer, appId: string, message: string, random: Buffer = randomBytes(RANDOM_BYTES)): string {
  if (random.length !== RANDOM_BYTES) throw new RangeError("random must be 16 bytes");
  const msg = Buffer.from(message, "utf8");
  const len = Buffer.alloc(LENGTH_BYTES);
  len.writeUInt32BE(msg.length);
  const plain = pad32(Buffer.concat([random, len, msg, Buffer.from(appId, "utf8")]));
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString("base64");
}

/** The message of an `Encrypt` value; refuses (PushCryptoError) anything but WeChat's layout for `expectedAppId`. */
export function decryptPush(key: Buffer, encrypted: string, expectedAppId: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) throw new PushCryptoError("bad-base64");
  const data = Buffer.from(encrypted, "base64");
  if (data.length === 0 || data.length % PAD_BLOCK !== 0) throw new PushCryptoError("bad-length");
  const decipher = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = unpad32(Buffer.concat([decipher.update(data), decipher.final()]));
  if (plain.length < RANDOM_BYTES + LENGTH_BYTES) throw new PushCryptoError("bad-length");
  const len = plain.readUInt32BE(RANDOM_BYTES);
  const start = RANDOM_BYTES + LENGTH_BYTES;
  if (start + len > plain.length) throw new PushCryptoError("bad-length");
  const appId = plain.subarray(start + len);
  const expected = Buffer.from(expectedAppId, "utf8");
  if (appId.length !== expected.length || !timingSafeEqual(appId, expected)) throw new PushCryptoError("bad-app-id");
  return plain.subarray(start, start + len).toString("utf8");
}
