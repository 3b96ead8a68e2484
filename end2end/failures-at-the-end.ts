import type { Reporter, TestCase, TestResult } from "@playwright/test/reporter";

/**
 * Repeats each failed journey's error, in short, once the run is over: a CI
 * log is often read from its end, which otherwise names the journey only.
 */
export default class FailuresAtTheEnd implements Reporter {
  private readonly failures: string[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    if (test.outcome() !== "unexpected") return;
    const message = (result.error?.message ?? result.status).replace(/\u001b\[[0-9;]*m/g, "");
    const error = message.split("\n").slice(0, 15).join("\n");
    this.failures.push(`${test.title}\n${error}`);
  }

  onEnd(): void {
    for (const failure of this.failures) console.log(`\nFailed: ${failure}`);
  }
}
