// One view per process of whether Redis is reachable, fed by every ioredis connection and
// BullMQ object of the process. An outage is logged once when it starts and once when it
// ends (with its duration); the errors raised meanwhile by each connection and by BullMQ
// are the same outage, so they are not logged one by one (with stacks) but counted.
import type { Redis } from "ioredis";
import type { Logger } from "../logging/logger.ts";

interface Emitter {
  on(event: "error", listener: (e: Error) => void): unknown;
}

export interface RedisOutageWatch {
  /** follows a connection: its errors mark an outage, its return to ready may end it */
  connection(conn: Redis, name: string): Redis;
  /** an error listener for a BullMQ Queue/Worker: logged only when it is not part of an outage */
  errors(source: Emitter, name: string): void;
  /** true while some followed connection is not ready */
  down(): boolean;
}

export function watchRedisOutages(logger: Logger): RedisOutageWatch {
  const log = logger.child({ component: "redis" });
  const conns = new Map<Redis, string>();
  let since: number | null = null;
  let errors = 0;

  const anyDown = (): boolean => [...conns.keys()].some((c) => c.status !== "ready" && c.status !== "end" && c.status !== "wait");
  const start = (name: string, e: Error | undefined): void => {
    errors++;
    if (since !== null) return;
    since = Date.now();
    errors = 1;
    const err = e as (Error & { code?: string }) | undefined;
    log.warn({ connection: name, cause: err?.code ?? err?.message ?? "connection closed" }, "redis unreachable: retrying in the background");
  };
  const maybeEnd = (): void => {
    if (since === null || anyDown()) return;
    log.info({ outageMs: Date.now() - since, errors }, "redis reachable again");
    since = null;
  };

  return {
    connection(conn, name) {
      conns.set(conn, name);
      conn.on("error", (e: Error) => start(name, e));
      // a connection that closes without an error (the server went away cleanly) is down too
      conn.on("close", () => {
        if (conn.status !== "end") start(name, undefined);
      });
      conn.on("ready", maybeEnd);
      conn.on("end", () => conns.delete(conn));
      return conn;
    },
    errors(source, name) {
      source.on("error", (e: Error) => {
        if (since !== null || anyDown()) start(name, e);
        else log.warn({ source: name, err: e }, `${name} error`);
      });
    },
    down: () => since !== null,
  };
}
