// One POST of one signed event. Any answer but 2xx, a timeout or a connection error is a
// failure with a short reason; the reason never carries the URL (its query may hold a token).
import { Agent, request } from "undici";
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signature.ts";

export interface SendResult {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
}

export interface Sender {
  send(url: string, secret: string, eventId: string, body: string): Promise<SendResult>;
  close(): Promise<void>;
}

export function createSender(timeoutMs: number): Sender {
  const agent = new Agent({ connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 4_000 });
  return {
    async send(url, secret, eventId, body) {
      try {
        const res = await request(url, {
          method: "POST",
          dispatcher: agent,
          body,
          headers: { "content-type": "application/json", "user-agent": "mpsync-webhooks", [EVENT_ID_HEADER]: eventId, [SIGNATURE_HEADER]: signatureHeader(secret, body) },
          // a redirect is not followed (undici's default): it is an answer that is not 2xx
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.body.dump({ limit: 64 * 1024 }).catch(() => {});
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        return { ok, httpStatus: res.statusCode, error: ok ? null : `HTTP ${res.statusCode}` };
      } catch (e) {
        return { ok: false, httpStatus: null, error: reasonOf(e, timeoutMs) };
      }
    },
    close: () => agent.close(),
  };
}

function reasonOf(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; code?: string; cause?: { code?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError" || /TIMEOUT/.test(err.code ?? "")) return `timeout after ${timeoutMs} ms`;
  const code = err.cause?.code ?? err.code;
  return code ? `connection error ${code}` : "request failed";
}
