// COPY ... TO STDOUT and COPY ... FROM STDIN over a plain `pg` client, for the floor's
// COPY of rows into empty tables (bench/copy-floor.ts). pg speaks the COPY sub-protocol
// only through a "submittable" (an object with submit() and the handle* callbacks the
// client calls for each backend message; pg-copy-streams and pg-cursor are built the
// same way); this is the small part of it the benchmark needs, with whole buffers
// instead of streams, so that no package is added for it.
import type pg from "pg";

/** The parts of pg's (untyped) Connection a submittable uses. */
interface Connection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(msg: string): void;
}

const CHUNK = 1 << 20;

class CopySubmittable {
  readonly out: Buffer[] = [];
  rowCount = 0;
  private failed: Error | undefined;
  readonly done: Promise<void>;
  private settle!: (e?: Error) => void;

  constructor(
    private readonly text: string,
    private readonly input: Buffer | undefined,
  ) {
    this.done = new Promise<void>((resolve, reject) => (this.settle = (e) => (e ? reject(e) : resolve())));
  }

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    if (!this.input) return connection.sendCopyFail("no input for COPY FROM STDIN");
    for (let i = 0; i < this.input.length; i += CHUNK) connection.sendCopyFromChunk(this.input.subarray(i, i + CHUNK));
    connection.endCopyFrom();
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    // a view into the parser's buffer, which the next socket read reuses: copy it
    this.out.push(Buffer.from(msg.chunk));
  }

  handleCommandComplete(msg: { text?: string }): void {
    const m = /^COPY (\d+)/.exec(msg.text ?? "");
    if (m) this.rowCount = Number(m[1]);
  }

  // the client drops a query that failed before ReadyForQuery arrives: settle here
  handleError(err: Error): void {
    this.failed = err;
    this.settle(err);
  }

  handleReadyForQuery(): void {
    this.settle(this.failed);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

/** `COPY ... TO STDOUT`: the whole output in memory. */
export async function copyOut(client: pg.Client, sql: string): Promise<{ data: Buffer; rows: number }> {
  const q = new CopySubmittable(sql, undefined);
  void client.query(q as unknown as pg.QueryConfig);
  await q.done;
  return { data: Buffer.concat(q.out), rows: q.rowCount };
}

/** `COPY ... FROM STDIN` with `data` (in the format the statement names); returns the rows copied. */
export async function copyIn(client: pg.Client, sql: string, data: Buffer): Promise<number> {
  const q = new CopySubmittable(sql, data);
  void client.query(q as unknown as pg.QueryConfig);
  await q.done;
  return q.rowCount;
}
