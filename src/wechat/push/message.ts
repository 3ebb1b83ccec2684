// One pushed message, checked and decoded: the URL check (GET), and a POST in plaintext
// (checked by `signature`), compatible or safe mode (`encrypt_type=aes`: checked by
// `msg_signature` over the Encrypt value, decrypted, app id checked). Takes the
// credentials as inputs (token, EncodingAESKey, expected app id), so the same code serves
// an account's own server settings and a third-party platform's message URL.
import { z } from "zod";
import { aesKeyOf, decryptPush, encryptPush, pushSignature, PushCryptoError, signatureMatches } from "./crypto.ts";
import { parsePushXml, PushXmlError, type XmlObject } from "./xml.ts";

export type PushMode = "plaintext" | "compatible" | "safe";

export interface PushCredentials {
  token: string;
  /** the 43-character EncodingAESKey; absent: plaintext mode only */
  aesKey?: string;
  /** the app id an encrypted message must end with (the account's, or a platform's component app id) */
  appId: string;
}

export type PushRejection = "bad_signature" | "bad_app_id" | "malformed" | "no_aes_key";

/** Why a push is refused; the HTTP layer maps `reason` to 401 or 400. */
export class PushRejectedError extends Error {
  override readonly name = "PushRejectedError";
  constructor(readonly reason: PushRejection, detail: string) {
    super(`push refused (${reason}): ${detail}`);
  }
}

export type PushQuery = Record<string, string | undefined>;

/** GET: the echostr to answer when the signature is the token's; throws PushRejectedError otherwise. */
export function verifyUrlCheck(query: PushQuery, token: string): string {
  const { signature, timestamp, nonce, echostr } = query;
  if (timestamp === undefined || nonce === undefined || echostr === undefined) throw new PushRejectedError("bad_signature", "signature, timestamp, nonce and echostr are required");
  if (!signatureMatches(pushSignature(token, timestamp, nonce), signature)) throw new PushRejectedError("bad_signature", "signature does not match the token");
  return echostr;
}

const digits = z.string().regex(/^\d{1,20}$/);

/** PUBLISHJOBFINISH's PublishEventInfo (every value a string in the XML). */
const publishInfoSchema = z.object({
  publish_id: digits,
  publish_status: z.string().regex(/^\d{1,3}$/).transform(Number),
  article_id: z.string().min(1).max(256).optional(),
  article_detail: z
    .object({
      count: digits.optional(),
      item: z.array(z.object({ idx: digits.optional(), article_url: z.string().optional() })).optional(),
    })
    .optional(),
  fail_idx: z.array(digits.transform(Number)).optional(),
});

export interface PublishJobFinish {
  publishId: string;
  publishStatus: number;
  articleId: string | null;
  failIdx: number[];
  articleUrls: string[];
}

export interface DecodedPush {
  mode: PushMode;
  /** the message as WeChat wrote it (the decrypted one in the encrypted modes) */
  messageXml: string;
  fields: XmlObject;
  msgType: string | null;
  event: string | null;
  /** set for a PUBLISHJOBFINISH event */
  publish: PublishJobFinish | null;
}

function text(o: XmlObject, name: string): string | null {
  const v = o[name];
  return typeof v === "string" ? v : null;
}

function parseBody(xml: string): XmlObject {
  try {
    return parsePushXml(xml);
  } catch (e) {
    if (e instanceof PushXmlError) throw new PushRejectedError("malformed", e.message);
    throw e;
  }
}

function publishOf(fields: XmlObject): PublishJobFinish | null {
  if (text(fields, "MsgType") !== "event" || text(fields, "Event") !== "PUBLISHJOBFINISH") return null;
  const parsed = publishInfoSchema.safeParse(fields.PublishEventInfo);
  if (!parsed.success) throw new PushRejectedError("malformed", `PublishEventInfo: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  const p = parsed.data;
  return {
    publishId: p.publish_id,
    publishStatus: p.publish_status,
    articleId: p.article_id ?? null,
    failIdx: p.fail_idx ?? [],
    articleUrls: (p.article_detail?.item ?? []).flatMap((i) => (i.article_url ? [i.article_url] : [])),
  };
}

/** POST: the checked, decoded message; throws PushRejectedError for anything else. */
export function decodePush(query: PushQuery, body: string, creds: PushCredentials): DecodedPush {
  const { timestamp, nonce } = query;
  if (timestamp === undefined || nonce === undefined) throw new PushRejectedError("bad_signature", "timestamp and nonce are required");
  if (query.encrypt_type === "aes") {
    // check the signature before parsing more than the envelope
    const outer = parseBody(body);
    const encrypted = text(outer, "Encrypt");
    if (!encrypted) throw new PushRejectedError("malformed", "encrypt_type=aes but no <Encrypt> element");
    if (!signatureMatches(pushSignature(creds.token, timestamp, nonce, encrypted), query.msg_signature)) throw new PushRejectedError("bad_signature", "msg_signature does not match");
    if (!creds.aesKey) throw new PushRejectedError("no_aes_key", "an encrypted push arrived but no EncodingAESKey is configured");
    let messageXml: string;
    try {
      messageXml = decryptPush(aesKeyOf(creds.aesKey), encrypted, creds.appId);
    } catch (e) {
      if (e instanceof PushCryptoError) throw new PushRejectedError(e.reason === "bad-app-id" ? "bad_app_id" : "malformed", e.message);
      throw e;
    }
    const fields = parseBody(messageXml);
    // compatible mode repeats the fields in the clear beside <Encrypt>: only the decrypted ones are trusted
    const mode: PushMode = Object.keys(outer).some((k) => k !== "ToUserName" && k !== "Encrypt") ? "compatible" : "safe";
    return { mode, messageXml, fields, msgType: text(fields, "MsgType"), event: text(fields, "Event"), publish: publishOf(fields) };
  }
  if (!signatureMatches(pushSignature(creds.token, timestamp, nonce), query.signature)) throw new PushRejectedError("bad_signature", "signature does not match the token");
  const fields = parseBody(body);
  return { mode: "plaintext", messageXml: body, fields, msgType: text(fields, "MsgType"), event: text(fields, "Event"), publish: publishOf(fields) };
}

/** What a sender (the simulator, tests) puts on the URL and in the body for one message. */
export function encodePush(
  message: string,
  creds: PushCredentials,
  mode: PushMode,
  opts: { timestamp: string; nonce: string; toUserName: string },
): { query: Record<string, string>; body: string } {
  const signature = pushSignature(creds.token, opts.timestamp, opts.nonce);
  if (mode === "plaintext") return { query: { signature, timestamp: opts.timestamp, nonce: opts.nonce }, body: message };
  if (!creds.aesKey) throw new RangeError(`${mode} mode needs an EncodingAESKey`);
  const encrypted = encryptPush(aesKeyOf(creds.aesKey), creds.appId, message);
  const msg_signature = pushSignature(creds.token, opts.timestamp, opts.nonce, encrypted);
  const query = { signature, timestamp: opts.timestamp, nonce: opts.nonce, encrypt_type: "aes", msg_signature };
  const envelope = `<ToUserName><![CDATA[${opts.toUserName}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt>`;
  if (mode === "safe") return { query, body: `<xml>${envelope}</xml>` };
  // compatible: the clear fields and the encrypted copy
  return { query, body: message.replace(/<\/xml>\s*$/, `<Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`) };
}
