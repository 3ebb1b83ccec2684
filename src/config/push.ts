// Message push settings of an account (issue 23): the Token and EncodingAESKey entered in
// the account's server settings on WeChat's side. Both are secrets: problems name the
// setting, never the value.
import { z } from "zod";

/** WeChat's rule for the server Token: 3 to 32 letters or digits. */
export const PUSH_TOKEN_RULE = /^[A-Za-z0-9]{3,32}$/;
/** The EncodingAESKey: 43 base64 characters (32 key bytes with the implied "="). */
export const PUSH_AES_KEY_RULE = /^[A-Za-z0-9+/]{43}$/;

export const PUSH_TOKEN_MESSAGE = "must be 3 to 32 letters or digits (the Token of the account's server settings)";
export const PUSH_AES_KEY_MESSAGE = "must be the 43-character EncodingAESKey of the account's server settings";

export const pushSchema = z
  .object({
    token: z.string().regex(PUSH_TOKEN_RULE, PUSH_TOKEN_MESSAGE),
    /** absent: plaintext mode only (encrypted pushes are refused) */
    aesKey: z.string().regex(PUSH_AES_KEY_RULE, PUSH_AES_KEY_MESSAGE).optional(),
  })
  .strict();

export type PushConfig = z.infer<typeof pushSchema>;

/** WECHAT_PUSH_TOKEN / WECHAT_PUSH_AES_KEY of the WECHAT_APP_ID account; problems go to `problems`. */
export function envPushConfig(env: NodeJS.ProcessEnv, problems: string[]): PushConfig | undefined {
  const token = env.WECHAT_PUSH_TOKEN || undefined;
  const aesKey = env.WECHAT_PUSH_AES_KEY || undefined;
  if (token === undefined && aesKey === undefined) return undefined;
  let ok = true;
  if (token === undefined) {
    problems.push("WECHAT_PUSH_TOKEN is required when WECHAT_PUSH_AES_KEY is set");
    ok = false;
  } else if (!PUSH_TOKEN_RULE.test(token)) {
    problems.push(`WECHAT_PUSH_TOKEN ${PUSH_TOKEN_MESSAGE}`);
    ok = false;
  }
  if (aesKey !== undefined && !PUSH_AES_KEY_RULE.test(aesKey)) {
    problems.push(`WECHAT_PUSH_AES_KEY ${PUSH_AES_KEY_MESSAGE}`);
    ok = false;
  }
  return ok ? { token: token!, ...(aesKey ? { aesKey } : {}) } : undefined;
}
