import { expect } from "@playwright/test";
import { DEMO_PASSWORD, open, signedInWithoutJavaScript, test } from "./helpers";

test("an admin signs a cashier out everywhere, and the register asks them to sign in again", async ({
  admin,
  seattle,
}) => {
  await open(seattle, "/pos");
  await expect(seattle.getByText("Signed in as Terry Adams (cashier)")).toBeVisible();

  await open(admin, "/hq/users");
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Users");
  const row = admin.getByRole("row", { name: /seattle/ });
  await expect(row.getByLabel("Role of seattle")).toHaveValue("cashier");
  await expect(row.getByLabel("Store of seattle")).toHaveValue("2");
  // A screen reader's list of the page's buttons tells the rows apart.
  await expect(admin.getByRole("button", { name: "Save access of seattle", exact: true })).toBeVisible();
  await expect(admin.getByRole("button", { name: "Sign out everywhere (seattle)", exact: true })).toBeVisible();
  await row.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(admin.getByText(/^Terry Adams is signed out everywhere \(\d+ sessions?\)\.$/)).toBeVisible();
  // The page answers the last action only.
  await admin.getByRole("row", { name: /^shopper\b/ }).getByRole("button", { name: "Save" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "already had that role and store." })).toHaveCount(1);
  await expect(admin.getByText(/is signed out everywhere/)).toHaveCount(0);

  // Back in the register's tab, the cashier is told before a save is refused.
  await seattle.evaluate(() => document.dispatchEvent(new Event("visibilitychange", { bubbles: true })));
  await expect(seattle.getByRole("alert").filter({ hasText: "This browser is no longer signed in" })).toBeVisible();
  await expect(seattle.getByRole("banner").getByRole("link", { name: "Sign in in another tab" })).toBeVisible();
  await seattle.reload();
  await expect(seattle).toHaveURL(/\/sign-in\?next=\/pos/);
});

test("a cashier moved to another store is signed out, and signs in to that store's registers", async ({
  admin,
  houston,
}) => {
  await open(houston, "/pos");
  await open(admin, "/hq/users");
  const row = admin.getByRole("row", { name: /houston/ });
  await row.getByLabel("Store of houston").selectOption({ label: "Seattle" });
  await row.getByRole("button", { name: "Save" }).click();
  await expect(admin.getByText(/^Ken Sanchez is now a cashier at Seattle; their sessions have ended/)).toBeVisible();
  await houston.reload();
  await expect(houston).toHaveURL(/\/sign-in\?next=\/pos/);
  await expect(houston.locator("body[data-hydrated=true]")).toHaveCount(1);
  await houston.getByLabel("User name").fill("houston");
  await houston.getByLabel("Password").fill(DEMO_PASSWORD);
  await houston.getByRole("button", { name: "Sign in" }).click();
  await expect(houston).toHaveURL(/\/pos$/);
  await expect(houston.getByLabel("Store and register").getByRole("option")).toHaveText(["Seattle, register 1"]);

  // Back to Houston, for the journeys that follow.
  await admin.getByRole("row", { name: /houston/ }).getByLabel("Store of houston").selectOption({ label: "Houston" });
  await admin.getByRole("row", { name: /houston/ }).getByRole("button", { name: "Save" }).click();
  await expect(admin.getByText(/^Ken Sanchez is now a cashier/)).toHaveCount(1);
  await expect(admin.getByRole("row", { name: /houston/ }).getByLabel("Store of houston")).toHaveValue("1");
});

test("a user made a cashier without a store is refused beside the store field", async ({ admin }) => {
  await open(admin, "/hq/users");
  const row = admin.getByRole("row", { name: /^shopper\b/ });
  await row.getByLabel("Role of shopper").selectOption("cashier");
  await row.getByRole("button", { name: "Save" }).click();
  const store = admin.getByRole("row", { name: /^shopper\b/ }).getByLabel("Store of shopper");
  await expect(store).toHaveAttribute("aria-invalid", "true");
  await expect(admin.locator("#store-shopper-message")).toHaveText("Choose the store this cashier works at.");
  await expect(admin.getByRole("row", { name: /^seattle\b/ }).getByLabel("Store of seattle")).toHaveAttribute(
    "aria-invalid",
    "false",
  );
  // What was chosen stays, to be corrected.
  await expect(row.getByLabel("Role of shopper")).toHaveValue("cashier");
});

test("a store chosen for a user who is not a cashier is refused beside the store field, and a role that has none clears it", async ({
  admin,
}) => {
  await open(admin, "/hq/users");
  const row = admin.getByRole("row", { name: /^shopper\b/ });
  await row.getByLabel("Store of shopper").selectOption({ label: "Houston" });
  await row.getByRole("button", { name: "Save" }).click();
  await expect(admin.locator("#store-shopper-message")).toHaveText(
    'Only a cashier works at a store: choose "No store" for a shopper.',
  );
  await expect(row.getByLabel("Store of shopper")).toHaveValue("1");
  await expect(admin.getByText("already had that role and store")).toHaveCount(0);

  const houston = admin.getByRole("row", { name: /^houston\b/ });
  await houston.getByLabel("Role of houston").selectOption("admin");
  await expect(houston.getByLabel("Store of houston")).toHaveValue("");
});

test("a Save refused as another admin changed the row meanwhile shows their change, and the next Save goes through", async ({
  admin,
}) => {
  await open(admin, "/hq/users");
  const other = await admin.context().newPage();
  await open(other, "/hq/users");
  await other.getByRole("row", { name: /^houston\b/ }).getByLabel("Store of houston").selectOption({ label: "Seattle" });
  await other.getByRole("row", { name: /^houston\b/ }).getByRole("button", { name: "Save" }).click();
  await expect(other.getByText(/^Ken Sanchez is now a cashier/)).toBeVisible();

  // This page still shows Houston: its Save is refused, and the row then
  // shows the other admin's change.
  const row = admin.getByRole("row", { name: /^houston\b/ });
  await row.getByLabel("Role of houston").selectOption("cashier");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(admin.getByText(/Another admin changed the role or store of Ken Sanchez/)).toBeVisible();
  await expect(row.getByLabel("Store of houston")).toHaveValue("2");

  // Back to Houston, for the journeys that follow: the page now holds the
  // row as it is, so this Save is taken.
  await row.getByLabel("Store of houston").selectOption({ label: "Houston" });
  await row.getByRole("button", { name: "Save" }).click();
  await expect(admin.getByText(/^Ken Sanchez is now a cashier/)).toBeVisible();
  await expect(row.getByLabel("Store of houston")).toHaveValue("1");
  await other.close();
});

test("without JavaScript, a Save the server refuses comes back at the top of the page with the reason", async ({ browser }) => {
  const page = await signedInWithoutJavaScript(browser, "admin", "/hq/users");
  await page.getByRole("row", { name: /^admin\b/ }).getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("You cannot change your own role or store: ask another admin.")).toHaveCount(1);
  await page.context().close();
});
