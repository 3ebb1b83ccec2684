// Requests the simulator has received but not yet finished. A request abandoned by its
// client (a headers timeout, an abort) still runs to the end of its latency and is then
// counted; settled() lets a caller wait for such stragglers before resetting counters.
export class InFlight {
  private n = 0;
  private waiters: (() => void)[] = [];

  begin(): void {
    this.n++;
  }

  end(): void {
    if (--this.n === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  settled(): Promise<void> {
    return this.n === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}
