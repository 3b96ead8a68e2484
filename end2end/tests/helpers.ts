import { expect, type Page } from "@playwright/test";

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
