// pino with redaction of every place a secret can sit. Messages themselves are built
// without secrets (see src/wechat/); redaction is the second line of defence.
import { pino, type Logger } from "pino";
import { createRequire } from "node:module";
import { Writable } from "node:stream";

export type { Logger };

export const REDACT_PATHS = [
  "secret", "appSecret", "app_secret", "*.secret", "*.appSecret", "*.app_secret",
  "access_token", "accessToken", "*.access_token", "*.accessToken",
  "token", "*.token", "authorization", "*.authorization", "headers.authorization", "req.headers.authorization",
  "componentAppSecret", "*.componentAppSecret", "componentVerifyTicket", "*.componentVerifyTicket",
  "authorizerRefreshToken", "*.authorizerRefreshToken", "authorizer_refresh_token", "*.authorizer_refresh_token",
  "authorizer_access_token", "*.authorizer_access_token", "component_access_token", "*.component_access_token",
  "adminToken", "*.adminToken", "password", "*.password",
  // WeChat's own snake_case names, as in token request bodies and queries
  "component_appsecret", "*.component_appsecret", "component_verify_ticket", "*.component_verify_ticket",
  "appsecret", "*.appsecret", "refresh_token", "*.refresh_token", "refreshToken", "*.refreshToken",
  // message push: the account's server Token and EncodingAESKey
  "aesKey", "*.aesKey", "push", "*.push", "*.*.push",
];

/** Replaces access_token=… (and similar) query parameters in any string. */
export function scrubSecrets(text: string): string {
  return text.replace(
    /((?:access_token|component_access_token|authorizer_access_token|secret|appsecret|component_appsecret|component_verify_ticket|authorizer_refresh_token|refresh_token)=)[^&\s"']+/gi,
    "$1***",
  );
}

export type LogFormat = "json" | "pretty";

/** LOG_FORMAT when set, else pretty on a terminal and JSON lines for pipes, files and log collectors. */
export function resolveLogFormat(format: LogFormat | undefined, isTTY = process.stderr.isTTY === true): LogFormat {
  return format ?? (isTTY ? "pretty" : "json");
}

// While progress bars are drawn on the terminal, pretty log lines go through them (printed
// above the bars) instead of straight to stderr, which would tear the bars apart.
let terminalLogRoute: ((line: string) => void) | null = null;
export function routeTerminalLogs(route: ((line: string) => void) | null): void {
  terminalLogRoute = route;
}
const terminalLogs = new Writable({
  write(chunk: Buffer, _enc, done) {
    if (terminalLogRoute) terminalLogRoute(chunk.toString());
    else process.stderr.write(chunk);
    done();
  },
});

/** Where logs go without an explicit destination: stderr (stdout carries results), synchronously so nothing is lost at exit. */
function defaultDestination(format: LogFormat): pino.DestinationStream {
  if (format === "json") return pino.destination({ fd: 2, sync: true });
  // loaded only for a terminal: JSON logs (containers, pipes) never hold pino-pretty (~3 MB of RSS)
  const pretty = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
  return pretty({ destination: terminalLogs, sync: true, colorize: process.stderr.isTTY === true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,app", singleLine: true });
}

/** `level` is AppConfig.logLevel (LOG_LEVEL), `format` AppConfig.logFormat (LOG_FORMAT). */
export function createLogger(level: string, destination?: pino.DestinationStream, format?: LogFormat): Logger {
  return pino(
    {
      level,
      base: { app: "mpsync" },
      redact: { paths: REDACT_PATHS, censor: "***" },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // the last line of defence for secrets inside message strings and error messages
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === "string" ? scrubSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (e: Error) => ({ type: e.name, message: scrubSecrets(e.message), ...("errcode" in e ? { errcode: (e as { errcode: unknown }).errcode } : {}) }),
      },
    },
    destination ?? defaultDestination(resolveLogFormat(format)),
  );
}
