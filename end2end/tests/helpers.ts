import { test as base, expect, type Page } from "@playwright/test";

/** Playwright's test, failing any journey whose page raised an uncaught error (a panic in the app's WASM). */
export const test = base.extend<{ failOnPageErrors: void }>({
  failOnPageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await use();
      expect(errors, "the page raised uncaught errors").toEqual([]);
    },
    { auto: true },
  ],
});

/** Opens a page and waits until it is hydrated, so that clicks are handled. */
export async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
}

/** A name no other journey uses, so journeys sharing a database stay apart. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** The status page's row for one temporary id. */
export function operationRow(page: Page, temporaryId: string) {
  return page.getByRole("row").filter({ hasText: temporaryId });
}

/** Runs a job from its section on a page and waits for the run to finish. */
export async function runNow(page: Page, jobHeading: RegExp): Promise<void> {
  const job = page.getByRole("region", { name: jobHeading });
  await job.getByRole("button", { name: "Run now" }).click();
  await expect(job.getByRole("status")).toContainText(/Run \d+ finished: Succeeded/);
}

/** Runs the P-job, the sync batch job and job 1010, as an admin would after a create. */
export async function syncToHqAndBack(page: Page): Promise<void> {
  await open(page, "/hq/distribution-schedule");
  await runNow(page, /P-0001/);
  await open(page, "/hq/batch-jobs");
  await runNow(page, /Synchronize customers and channel requests/);
  await open(page, "/hq/distribution-schedule");
  await runNow(page, /1010/);
}
