// The delivery retry schedule: the first retry within 30 s, delays that grow (capped at an
// hour), retries for at least 24 h before a delivery is dead; the job catalog uses it.
import { describe, expect, it } from "vitest";
import { JOB_OPTIONS } from "../../jobs/catalog.ts";
import { DEFAULT_RETRY_BASE_MS, retryDelayMs, retrySchedule } from "../../src/webhooks/backoff.ts";

describe("webhook retry schedule", () => {
  it("first retry within 30 s, growing, capped at 1 h, spanning at least 24 h", () => {
    const { attempts } = retrySchedule();
    const delays = Array.from({ length: attempts - 1 }, (_, i) => retryDelayMs(DEFAULT_RETRY_BASE_MS, i + 1));
    expect(delays[0]).toBeLessThanOrEqual(30_000);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(Math.max(...delays)).toBe(3_600_000);
    const total = delays.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3_600_000);
    // and not much more: the last retry is the one that crosses 24 h
    expect(total - delays.at(-1)!).toBeLessThan(24 * 3_600_000);
    expect(JOB_OPTIONS["webhook-delivery"]).toEqual({ attempts, backoff: { type: "webhook", delay: DEFAULT_RETRY_BASE_MS } });
  });
});
