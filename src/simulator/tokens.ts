// Token issuing and checking with WeChat's semantics: /cgi-bin/token issues a new
// token per call and retires the previous one after a grace period; stable_token
// shares one token per app; third-party refresh tokens rotate on every use.
import { randomBytes } from "node:crypto";
import { SIM_ERRCODES } from "./types.ts";

export type TokenKind = "legacy" | "stable" | "component" | "authorizer";

interface TokenRec {
  appId: string;
  kind: TokenKind;
  issuedAt: number;
  expiresAt: number;
  /** after this instant the token answers 40001 (superseded, grace over) */
  revokedAt?: number;
}

export interface TokenSettings {
  apps: { appId: string; secret: string }[];
  component?: { appId: string; secret: string; verifyTicket: string; authorizers: { appId: string; refreshToken: string }[] };
  tokenTtlSeconds: number;
  legacyGraceSeconds: number;
}

export type TokenResult<T> = { ok: true; value: T } | { ok: false; errcode: number };

const newToken = (): string => randomBytes(48).toString("base64url");

export class TokenRegistry {
  private readonly tokens = new Map<string, TokenRec>();
  private readonly lastLegacy = new Map<string, string>();
  private readonly stable = new Map<string, string>();
  private readonly refreshTokens = new Map<string, string>();

  constructor(private readonly s: TokenSettings) {
    for (const a of s.component?.authorizers ?? []) this.refreshTokens.set(a.appId, a.refreshToken);
  }

  private issue(appId: string, kind: TokenKind, now: number): string {
    const token = newToken();
    this.tokens.set(token, { appId, kind, issuedAt: now, expiresAt: now + this.s.tokenTtlSeconds * 1000 });
    return token;
  }

  private retire(token: string | undefined, now: number): void {
    const rec = token === undefined ? undefined : this.tokens.get(token);
    if (!rec) return;
    const at = now + this.s.legacyGraceSeconds * 1000;
    rec.revokedAt = rec.revokedAt === undefined ? at : Math.min(rec.revokedAt, at);
  }

  private checkApp(appId: unknown, secret: unknown): number | undefined {
    if (typeof appId !== "string" || appId === "") return SIM_ERRCODES.appIdMissing;
    if (typeof secret !== "string" || secret === "") return SIM_ERRCODES.secretMissing;
    const app = this.s.apps.find((a) => a.appId === appId);
    if (!app) return SIM_ERRCODES.invalidAppId;
    if (app.secret !== secret) return SIM_ERRCODES.invalidSecret;
    return undefined;
  }

  /** GET /cgi-bin/token */
  legacy(grantType: unknown, appId: unknown, secret: unknown, now = Date.now()): TokenResult<{ access_token: string; expires_in: number }> {
    if (grantType !== "client_credential") return { ok: false, errcode: SIM_ERRCODES.invalidGrantType };
    const err = this.checkApp(appId, secret);
    if (err !== undefined) return { ok: false, errcode: err };
    const id = appId as string;
    this.retire(this.lastLegacy.get(id), now);
    const token = this.issue(id, "legacy", now);
    this.lastLegacy.set(id, token);
    return { ok: true, value: { access_token: token, expires_in: this.s.tokenTtlSeconds } };
  }

  /** POST /cgi-bin/stable_token */
  stableToken(body: Record<string, unknown>, now = Date.now()): TokenResult<{ access_token: string; expires_in: number }> {
    if (body.grant_type !== "client_credential") return { ok: false, errcode: SIM_ERRCODES.invalidGrantType };
    const err = this.checkApp(body.appid, body.secret);
    if (err !== undefined) return { ok: false, errcode: err };
    const appId = body.appid as string;
    const force = body.force_refresh === true || body.force_refresh === 1 || body.force_refresh === "true";
    const currentToken = this.stable.get(appId);
    const current = currentToken === undefined ? undefined : this.tokens.get(currentToken);
    // WeChat rolls the stable token when less than 5 minutes remain (scaled down for short test TTLs)
    const rollMs = Math.min(300, Math.floor(this.s.tokenTtlSeconds / 2)) * 1000;
    if (!force && current && current.revokedAt === undefined && current.expiresAt - now > rollMs) {
      return { ok: true, value: { access_token: currentToken!, expires_in: Math.floor((current.expiresAt - now) / 1000) } };
    }
    // an unforced roll keeps the old token until it expires (overlap); a forced one retires it after the grace
    if (force) this.retire(currentToken, now);
    const token = this.issue(appId, "stable", now);
    this.stable.set(appId, token);
    return { ok: true, value: { access_token: token, expires_in: this.s.tokenTtlSeconds } };
  }

  /** POST /cgi-bin/component/api_component_token */
  componentToken(body: Record<string, unknown>, now = Date.now()): TokenResult<{ component_access_token: string; expires_in: number }> {
    const c = this.s.component;
    if (!c || body.component_appid !== c.appId) return { ok: false, errcode: SIM_ERRCODES.invalidAppId };
    if (body.component_appsecret !== c.secret) return { ok: false, errcode: SIM_ERRCODES.invalidSecret };
    if (body.component_verify_ticket !== c.verifyTicket) return { ok: false, errcode: SIM_ERRCODES.invalidVerifyTicket };
    const token = this.issue(c.appId, "component", now);
    return { ok: true, value: { component_access_token: token, expires_in: this.s.tokenTtlSeconds } };
  }

  /** POST /cgi-bin/component/api_authorizer_token: the refresh token rotates on every success */
  authorizerToken(
    componentToken: string | undefined,
    body: Record<string, unknown>,
    now = Date.now(),
  ): TokenResult<{ authorizer_access_token: string; expires_in: number; authorizer_refresh_token: string }> {
    const check = this.check(componentToken, ["component"], now);
    if (!check.ok) return check;
    const c = this.s.component!;
    if (body.component_appid !== c.appId) return { ok: false, errcode: SIM_ERRCODES.invalidAppId };
    const authorizer = typeof body.authorizer_appid === "string" ? body.authorizer_appid : "";
    const current = this.refreshTokens.get(authorizer);
    if (current === undefined) return { ok: false, errcode: SIM_ERRCODES.invalidAppId };
    if (body.authorizer_refresh_token !== current) return { ok: false, errcode: SIM_ERRCODES.invalidRefreshToken };
    const refresh = `refreshtoken@@@${newToken()}`;
    this.refreshTokens.set(authorizer, refresh);
    const token = this.issue(authorizer, "authorizer", now);
    return { ok: true, value: { authorizer_access_token: token, expires_in: this.s.tokenTtlSeconds, authorizer_refresh_token: refresh } };
  }

  currentRefreshToken(authorizerAppId: string): string | undefined {
    return this.refreshTokens.get(authorizerAppId);
  }

  /** 41001 missing, 40001 unknown or superseded, 42001 expired */
  check(token: string | undefined, kinds: readonly TokenKind[], now = Date.now()): TokenResult<{ appId: string; kind: TokenKind }> {
    if (token === undefined || token === "") return { ok: false, errcode: SIM_ERRCODES.tokenMissing };
    const rec = this.tokens.get(token);
    if (!rec || !kinds.includes(rec.kind)) return { ok: false, errcode: SIM_ERRCODES.invalidToken };
    if (rec.revokedAt !== undefined && now >= rec.revokedAt) return { ok: false, errcode: SIM_ERRCODES.invalidToken };
    if (now >= rec.expiresAt) return { ok: false, errcode: SIM_ERRCODES.tokenExpired };
    return { ok: true, value: { appId: rec.appId, kind: rec.kind } };
  }

  expireAll(now = Date.now()): void {
    for (const rec of this.tokens.values()) rec.expiresAt = Math.min(rec.expiresAt, now);
  }
}
