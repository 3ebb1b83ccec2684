// Request counters: per endpoint, per `endpoint errcode` (0 = success), per injected fault.
import type { SimulatorCounters } from "./types.ts";

export class Counters {
  private c: SimulatorCounters = { calls: {}, errcodes: {}, faults: {} };

  call(path: string): void {
    this.c.calls[path] = (this.c.calls[path] ?? 0) + 1;
  }

  errcode(path: string, errcode: number): void {
    const k = `${path} ${errcode}`;
    this.c.errcodes[k] = (this.c.errcodes[k] ?? 0) + 1;
  }

  fault(path: string, fault: string): void {
    const k = `${path} ${fault}`;
    this.c.faults[k] = (this.c.faults[k] ?? 0) + 1;
  }

  calls(path: string): number {
    return this.c.calls[path] ?? 0;
  }

  snapshot(): SimulatorCounters {
    return { calls: { ...this.c.calls }, errcodes: { ...this.c.errcodes }, faults: { ...this.c.faults } };
  }

  reset(): void {
    this.c = { calls: {}, errcodes: {}, faults: {} };
  }
}
