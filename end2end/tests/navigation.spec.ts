import { expect, type Page } from "@playwright/test";
import { open, test } from "./helpers";

/** The header's height at 1280 px: one row of links is well under 64 px. */
async function headerHeight(page: Page): Promise<number> {
  const box = await page.getByRole("banner").boundingBox();
  return box?.height ?? Number.POSITIVE_INFINITY;
}

test("the header is one row at 1280 px for every role and names who is signed in", async ({
  page,
  houston,
  shopper,
  admin,
}) => {
  const pages: [Page, string | null][] = [
    [page, null],
    [houston, "Signed in as Ken Sanchez (cashier)"],
    [shopper, "Signed in as Samantha Smith (shopper)"],
    [admin, "Signed in as Alicia Thomber (admin)"],
  ];
  for (const [each, name] of pages) {
    await each.setViewportSize({ width: 1280, height: 800 });
    await open(each, "/");
    expect(await headerHeight(each)).toBeLessThan(64);
    if (name) await expect(each.getByRole("banner").getByText(name)).toBeVisible();
  }
});

test("HQ's pages are in three menus that work from the keyboard", async ({ admin }) => {
  await open(admin, "/hq/batch-jobs");
  const hq = admin.getByRole("navigation", { name: "HQ" });
  const users = hq.getByRole("link", { name: "Users" });
  await expect(users).toBeHidden();

  const configuration = hq.getByText("Configuration", { exact: true });
  await configuration.focus();
  await admin.keyboard.press("Enter");
  await expect(users).toBeVisible();
  await admin.keyboard.press("Tab");
  await expect(hq.getByRole("link", { name: "Feature management" })).toBeFocused();
  await admin.keyboard.press("Enter");
  await expect(admin).toHaveURL(/\/hq\/feature-management$/);
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Feature management");
  await expect(users).toBeHidden();

  // Escape closes a menu and gives the focus back to its name.
  const jobs = hq.getByText("Jobs", { exact: true });
  await jobs.focus();
  await admin.keyboard.press("Enter");
  await expect(hq.getByRole("link", { name: "Batch jobs" })).toBeVisible();
  await admin.keyboard.press("Tab");
  await admin.keyboard.press("Escape");
  await expect(hq.getByRole("link", { name: "Batch jobs" })).toBeHidden();
  await expect(jobs).toBeFocused();

  // Opening a menu closes the other; a click elsewhere closes it.
  await jobs.click();
  await hq.getByText("Synchronization", { exact: true }).click();
  await expect(hq.getByRole("link", { name: "Batch jobs" })).toBeHidden();
  await expect(hq.getByRole("link", { name: "Troubleshoot" })).toBeVisible();
  await admin.getByRole("heading", { level: 1 }).click();
  await expect(hq.getByRole("link", { name: "Troubleshoot" })).toBeHidden();
});

test("the home page shows each role its own way in, and links only where the role may go", async ({
  page,
  houston,
  shopper,
  admin,
}) => {
  await open(page, "/");
  const visitorMain = page.getByRole("main");
  await expect(visitorMain.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(visitorMain.getByRole("link", { name: "POS" })).toHaveCount(0);
  await expect(visitorMain.getByRole("link", { name: "Batch jobs" })).toHaveCount(0);
  await expect(visitorMain.getByText("Batch jobs", { exact: true })).toBeVisible();

  await open(houston, "/");
  const cashierMain = houston.getByRole("main");
  await expect(cashierMain.getByRole("heading", { name: "Your register" })).toBeVisible();
  await expect(cashierMain.getByRole("link", { name: "Batch jobs" })).toHaveCount(0);
  await cashierMain.getByRole("link", { name: "Open the POS" }).click();
  await expect(houston).toHaveURL(/\/pos$/);
  await expect(houston.getByRole("heading", { level: 1 })).toHaveText("POS");

  await open(shopper, "/");
  const shopperMain = shopper.getByRole("main");
  await expect(shopperMain.getByRole("link", { name: "Sign up" })).toBeVisible();
  await expect(shopperMain.getByRole("link", { name: "POS" })).toHaveCount(0);
  await shopperMain.getByRole("link", { name: "My profile" }).click();
  await expect(shopper).toHaveURL(/\/ecommerce\/my-profile$/);

  await open(admin, "/");
  const adminMain = admin.getByRole("main");
  await expect(adminMain.getByRole("heading", { name: "HQ", exact: true })).toBeVisible();
  for (const name of [
    "Distribution schedule",
    "Batch jobs",
    "Customer synchronization status",
    "Troubleshoot",
    "Feature management",
    "Functionality profiles",
    "Real-time service calls",
    "Users",
  ]) {
    await expect(adminMain.getByRole("link", { name, exact: true }).first()).toBeVisible();
  }
  await expect(adminMain.getByRole("link", { name: "POS" })).toHaveCount(0);
  await adminMain.getByRole("link", { name: "Troubleshoot" }).click();
  await expect(admin).toHaveURL(/\/hq\/troubleshoot$/);
});
