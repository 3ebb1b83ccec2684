// /wechat/push/<app_id>: WeChat's message push for one account. GET is the URL check
// (echostr when the signature is the token's); POST takes a message in plaintext,
// compatible or safe mode. A refused push (bad signature, wrong app id, unknown account,
// malformed body) answers 401/400 and leaves nothing behind; a valid one is stored and its
// job enqueued before `success` is answered. No WeChat call happens in the request.
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ServerDeps } from "../deps.ts";
import { pushRejectKey } from "../../status/push.ts";
import { decodePush, PushRejectedError, verifyUrlCheck, type PushCredentials, type PushQuery, type PushRejection } from "../../wechat/push/index.ts";

/** A PUBLISHJOBFINISH is about 1 KB; WeChat's largest messages stay well under this. */
export const PUSH_BODY_LIMIT = 64 * 1024;

const STATUS: Record<PushRejection | "unknown_account", number> = { bad_signature: 401, bad_app_id: 401, unknown_account: 401, no_aes_key: 401, malformed: 400 };

/** What the push endpoint is given beside the server's common deps. */
export interface PushIntake {
  /** the credentials of `appId`'s push, when it is configured (the account's own settings, or a platform's) */
  credentials(appId: string): (PushCredentials & { name: string | null }) | undefined;
  /** asks for the processing job of a stored publish job (idempotent per id) */
  enqueue(publishJobId: bigint): Promise<void>;
  /** a refused push of a configured account, for its push state (never the body) */
  onRejected?(appId: string, reason: string): Promise<void>;
}

function query(raw: unknown): PushQuery {
  const out: PushQuery = {};
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) if (typeof v === "string") out[k] = v;
  return out;
}

export function wechatPushRoutes(app: FastifyInstance, deps: ServerDeps, intake: PushIntake): void {
  const pushes = deps.pushes;
  void app.register(async (scope) => {
    // WeChat posts text/xml; take any body as text, bounded
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string", bodyLimit: PUSH_BODY_LIMIT }, (_req, body, done) => done(null, body));

    const refuse = async (reply: FastifyReply, appId: string, reason: PushRejection | "unknown_account", message: string, known: boolean) => {
      deps.metrics.recordPush("unknown", reason);
      if (known) await intake.onRejected?.(appId, reason).catch(() => {});
      // the same answer for an unknown account as for a bad signature: which app ids are configured is not told
      return reply.code(STATUS[reason]).type("application/json").send({ error: reason === "malformed" ? "bad_request" : "unauthorized", message: reason === "unknown_account" ? "signature check failed" : message });
    };

    scope.get<{ Params: { appId: string } }>("/wechat/push/:appId", async (req, reply) => {
      const creds = intake.credentials(req.params.appId);
      if (!creds) return refuse(reply, req.params.appId, "unknown_account", "", false);
      try {
        const echostr = verifyUrlCheck(query(req.query), creds.token);
        deps.metrics.recordPush("url_check", "accepted");
        return reply.type("text/plain").send(echostr);
      } catch (e) {
        if (e instanceof PushRejectedError) return refuse(reply, req.params.appId, e.reason, e.message, true);
        throw e;
      }
    });

    scope.post<{ Params: { appId: string }; Body: string }>("/wechat/push/:appId", { bodyLimit: PUSH_BODY_LIMIT }, async (req, reply) => {
      const appId = req.params.appId;
      const creds = intake.credentials(appId);
      if (!creds || !pushes) return refuse(reply, appId, "unknown_account", "", false);
      const body = typeof req.body === "string" ? req.body : "";
      let decoded;
      try {
        decoded = decodePush(query(req.query), body, creds);
      } catch (e) {
        if (e instanceof PushRejectedError) return refuse(reply, appId, e.reason, e.message, true);
        throw e;
      }
      const recorded = await pushes.recordPush(appId, creds.name, {
        mode: decoded.mode,
        msgType: decoded.msgType,
        event: decoded.event,
        rawXml: body,
        messageXml: decoded.messageXml,
        fields: decoded.fields,
        publish: decoded.publish,
      });
      // a duplicate whose job is still pending is enqueued again: the first request's enqueue may have failed
      if (recorded.publishJobId !== null && recorded.pending) await intake.enqueue(recorded.publishJobId);
      deps.metrics.recordPush(decoded.event ?? decoded.msgType ?? "unknown", recorded.duplicate ? "duplicate" : "accepted");
      req.log.info({ appId, event: decoded.event, mode: decoded.mode, eventId: recorded.eventId.toString(), publishJobId: recorded.publishJobId?.toString() ?? null, duplicate: recorded.duplicate }, "push received");
      return reply.type("text/plain").send("success");
    });
  });
}


/** The intake of the accounts configured in deps.config (their `push` settings). */
export function accountPushIntake(deps: ServerDeps, enqueue: (publishJobId: bigint) => Promise<void>): PushIntake {
  return {
    credentials(appId) {
      const a = deps.config.accounts.find((x) => x.appId === appId);
      if (!a?.push) return undefined;
      return { token: a.push.token, ...(a.push.aesKey ? { aesKey: a.push.aesKey } : {}), appId: a.appId, name: a.name ?? null };
    },
    enqueue,
    async onRejected(appId, reason) {
      await deps.redis.hset(pushRejectKey(deps.config.redisPrefix, appId), { at: Date.now(), reason });
    },
  };
}
