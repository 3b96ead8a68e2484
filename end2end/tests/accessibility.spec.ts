import { expect, type Page } from "@playwright/test";
import { expectAccessible, open, test } from "./helpers";

// Each journey's `open` has axe-core check the pages it opens; these visit
// the pages no other journey opens, and the states that only show on a
// click (an open form, an open menu, a refused sign-in).

const HQ_PAGES = [
  "/hq/distribution-schedule",
  "/hq/batch-jobs",
  "/hq/customers",
  "/hq/customers/C000001",
  "/hq/customer-synchronization-status",
  "/hq/troubleshoot",
  "/hq/feature-management",
  "/hq/functionality-profiles",
  "/hq/real-time-service-calls",
  "/hq/users",
];

async function openEach(page: Page, paths: string[]): Promise<void> {
  for (const path of paths) {
    await open(page, path);
  }
}

test("every page passes axe-core's WCAG 2.1 AA rules for a visitor", async ({ page }) => {
  await openEach(page, ["/", "/no-such-page", "/sign-in"]);
  await page.getByLabel("User name").fill("admin");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#password-message")).toHaveText("The user name or the password is not right.");
  await expectAccessible(page, "Sign in, refused");
});

test("every page passes axe-core's WCAG 2.1 AA rules for a cashier", async ({ houston }) => {
  await openEach(houston, ["/", "/pos", "/pos/customers/C000001?register=1-1"]);
  await open(houston, "/pos");
  await houston.getByRole("button", { name: "Add customer" }).click();
  await houston.getByRole("button", { name: "Add address" }).click();
  await houston.getByRole("button", { name: "Save" }).click();
  await expect(houston.locator("#first_name-message")).toHaveText("First name is required.");
  await expectAccessible(houston, "Add customer, refused");
});

test("every page passes axe-core's WCAG 2.1 AA rules for a shopper", async ({ shopper }) => {
  await openEach(shopper, ["/", "/ecommerce/my-profile", "/ecommerce/sign-up"]);
});

test("every page passes axe-core's WCAG 2.1 AA rules for an admin", async ({ admin }) => {
  await openEach(admin, ["/", ...HQ_PAGES]);
  await admin.getByRole("navigation", { name: "HQ" }).getByText("Configuration", { exact: true }).click();
  await expect(admin.getByRole("navigation", { name: "HQ" }).getByRole("link", { name: "Users" })).toBeVisible();
  await expectAccessible(admin, "HQ's Configuration menu, open");
});
