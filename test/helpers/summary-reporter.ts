// Prints one closing line "tests: N passed, N failed, N skipped" after vitest's own
// report, the plain form CI reads to know how many tests ran.
import type { Reporter, SerializedError, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      // a file that failed outside its tests (e.g. in its setup) counts as one failure
      if (mod.state() === "failed" && ![...mod.children.allTests()].some((t) => t.result().state === "failed")) failed++;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    // an error no test caught fails the run (vitest exits 1): each one counts as a failure
    if (unhandledErrors.length > 0) {
      process.stdout.write(`unhandled errors: ${unhandledErrors.length} (counted as failed)\n`);
      failed += unhandledErrors.length;
    }
    process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
