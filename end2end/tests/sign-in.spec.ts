import { expect, type Page } from "@playwright/test";
import {
  DEMO_PASSWORD,
  holdBackPageChunks,
  holdBackPageCode,
  open,
  operationRow,
  signIn,
  test,
  uniqueName,
} from "./helpers";

test("a visitor is sent to Sign in, told what is wrong, and brought back to the page", async ({ page }) => {
  await page.goto("/hq/customer-synchronization-status?status=failed");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(page.getByText("Sign in as an admin to open /hq/customer-synchronization-status?status=failed.")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "HQ" })).toHaveCount(0);

  await page.getByLabel("User name").fill("admin");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#password-message")).toHaveText("The user name or the password is not right.");
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("User name")).toHaveValue("admin");

  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/hq\/customer-synchronization-status\?status=failed$/);
  // Signing in loads the page anew: its buttons work once it has hydrated.
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Customer synchronization status");
  await expect(page.getByText("Signed in as Alicia Thomber (admin)")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "HQ" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/hq/batch-jobs");
  await expect(page).toHaveURL(/\/sign-in\?next=\/hq\/batch-jobs/);
});

// The page's code arrives only once the user has typed: all of it, or (the
// shell running and hydrating) the page's own chunks.
const heldBack: [string, (page: Page) => Promise<{ ready: () => Promise<void>; letThrough: () => void }>][] = [
  ["before the page's code arrived", async (page) => ({ ready: async () => {}, letThrough: await holdBackPageCode(page) })],
  [
    "while the page's own code was still arriving",
    async (page) => {
      const chunks = await holdBackPageChunks(page);
      return { ready: chunks.shellRunning, letThrough: chunks.letThrough };
    },
  ],
];
for (const [when, holdBack] of heldBack) {
  test(`what a user typed ${when} is kept when it arrives`, async ({ page }) => {
    const code = await holdBack(page);
    await page.goto("/sign-in?next=/pos", { waitUntil: "domcontentloaded" });
    await code.ready();
    await page.getByLabel("User name").fill("houston");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);

    code.letThrough();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    await expect(page.getByLabel("User name")).toHaveValue("houston");
    await expect(page.getByLabel("Password")).toHaveValue(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/pos$/);
    await expect(page.getByText("Signed in as Ken Sanchez (cashier)")).toBeVisible();
  });
}

test("without JavaScript, Sign in says what is wrong, signs in to the page asked for, and Sign out works", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/pos");
  await expect(page).toHaveURL(/\/sign-in\?next=\/pos$/);

  await page.getByLabel("User name").fill("houston");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#password-message")).toHaveText("The user name or the password is not right.");

  await page.getByLabel("User name").fill("houston");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/pos$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("POS");
  await expect(page.getByText("Signed in as Ken Sanchez (cashier)")).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/pos");
  await expect(page).toHaveURL(/\/sign-in\?next=\/pos$/);
  await context.close();
});

test("a cashier works at the registers of their own store and cannot open HQ", async ({ houston }) => {
  const wasmFiles: string[] = [];
  houston.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith(".wasm")) wasmFiles.push(path);
  });
  await open(houston, "/pos");
  await expect(houston.getByText("Signed in as Ken Sanchez (cashier)")).toBeVisible();
  const registers = houston.getByLabel("Store and register").getByRole("option");
  await expect(registers).toHaveText(["Houston, register 1", "Houston, register 2"]);
  await expect(houston.getByRole("navigation", { name: "HQ" })).toHaveCount(0);
  // Each page is its own WASM chunk: the POS brings its own code and none of HQ's pages.
  expect(wasmFiles).toContainEqual(expect.stringMatching(/_pos_route_view_/));
  const hqPage =
    /_(distribution_schedule|batch_jobs|customers|sync_status|operation_detail|feature_management|functionality_profiles|realtime_calls|troubleshoot|users)_route_view_/;
  expect(wasmFiles.filter((file) => hqPage.test(file))).toEqual([]);
  // The customer editor's code is not part of the page: it is fetched once
  // the page is hydrated, so that Add customer opens even offline.
  const editorCode = /custsync_customer_editor/;
  await expect(houston.locator("body[data-forms-ready=true]")).toHaveCount(1);
  expect(wasmFiles).toContainEqual(expect.stringMatching(editorCode));
  await houston.getByRole("button", { name: "Add customer" }).click();
  await expect(houston.getByLabel("First name")).toBeVisible();

  await houston.goto("/hq/customer-synchronization-status");
  await expect(houston).toHaveURL(/\/sign-in\?next=\/hq\/customer-synchronization-status/);

  // A page reached inside the app without a page load (as with the
  // browser's Back and Forward) is sent the same way.
  await open(houston, "/");
  await houston.evaluate(() => {
    history.pushState(null, "", "/hq/batch-jobs");
    dispatchEvent(new PopStateEvent("popstate"));
  });
  await expect(houston).toHaveURL(/\/sign-in\?next=\/hq\/batch-jobs$/);
  await expect(houston.getByText("Sign in as an admin to open /hq/batch-jobs.")).toBeVisible();
});

test("a shopper sees their own profile only", async ({ shopper }) => {
  await open(shopper, "/ecommerce/my-profile");
  await expect(shopper.getByText("Signed in as Samantha Smith (shopper)")).toBeVisible();
  await expect(shopper.locator("dl.details")).toBeVisible();
  await shopper.goto("/pos/customers/C000001");
  await expect(shopper).toHaveURL(/\/sign-in\?next=\/pos\/customers\/C000001/);
});

test("markup typed into a name is shown as text, never run", async ({ seattle, admin }) => {
  const lastName = uniqueName("Markup");
  const markup = `<img src=x onerror="window.__injected=1">${lastName}`;
  await open(seattle, "/pos?register=2-1");
  await seattle.getByRole("button", { name: "Add customer" }).click();
  await seattle.getByLabel("First name").fill("<b>Bold</b>");
  await seattle.getByLabel("Last name").fill(markup);
  await seattle.getByRole("button", { name: "Save" }).click();
  const confirmation = seattle.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" });
  await expect(confirmation).toContainText(`<b>Bold</b> ${markup} was created at Seattle`);
  const temporaryId = (await confirmation.locator("code").textContent()) ?? "";
  await seattle.getByRole("link", { name: "Open customer" }).click();
  await expect(seattle.getByRole("heading", { name: `<b>Bold</b> ${markup}` })).toBeVisible();
  expect(await seattle.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
  await expect(seattle.locator("img")).toHaveCount(0);

  await open(admin, `/hq/customer-synchronization-status?q=${temporaryId}`);
  await expect(operationRow(admin, temporaryId)).toContainText(markup);
  expect(await admin.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
  await expect(admin.locator("main img")).toHaveCount(0);
});

test("after Sign out, Back does not show the profile again from the browser's cache", async ({ shopper: page }) => {
  await open(page, "/ecommerce/my-profile");
  await expect(page.locator("dl.details")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  await page.goBack();
  await expect(page).toHaveURL(/\/sign-in\?next=\/ecommerce\/my-profile$/);
  await expect(page.locator("dl.details")).toHaveCount(0);
});

test("an admin page open while another tab signs in as a cashier says what it does is now refused", async ({ admin: page }) => {
  await open(page, "/hq/feature-management");
  const other = await page.context().newPage();
  await open(other, "/");
  await other.getByRole("button", { name: "Sign out" }).click();
  await expect(other).toHaveURL(/\/sign-in/);
  await signIn(other, "seattle");
  const note = page.getByRole("alert").filter({ hasText: "Another tab signed in as Terry Adams (cashier)" });
  await expect(note).toContainText("this page is not for a cashier, so what it does now is refused");
  await other.close();
});

test("a page open while another tab signs out, or in as someone else, says so, and Reload opens it for who is signed in", async ({
  houston: page,
}) => {
  await open(page, "/pos");
  await page.getByRole("button", { name: "Add customer" }).click();
  await page.getByLabel("First name").fill("Typed");
  const other = await page.context().newPage();
  await open(other, "/");
  await other.getByRole("button", { name: "Sign out" }).click();
  await expect(other).toHaveURL(/\/sign-in/);
  const note = page.getByRole("alert").filter({ hasText: "another tab" });
  await expect(note).toContainText("This browser is no longer signed in");
  // The page stays as it was, with what was typed; its header no longer
  // names the user it was opened for.
  await expect(page.getByLabel("First name")).toHaveValue("Typed");
  const header = page.getByRole("banner");
  const signInElsewhere = header.getByRole("link", { name: "Sign in in another tab" });
  await expect(signInElsewhere).toHaveAttribute("target", "_blank");
  await expect(signInElsewhere).toHaveAttribute("href", /^\/sign-in\?next=(\/|%2F)pos$/);
  await expect(header.getByText(/Signed in as/)).toHaveCount(0);

  await signIn(other, "seattle");
  await expect(note).toContainText("Another tab signed in as Terry Adams (cashier)");
  // The page's register is Houston's: the store server refuses Seattle's cashier there.
  await expect(note).toContainText("this page is at another store's register, so what it saves now is refused");
  await expect(header.getByText("Signed in as Terry Adams (cashier)", { exact: true })).toBeVisible();
  await note.getByRole("button", { name: "Reload" }).click();
  await expect(page.getByText("Signed in as Terry Adams (cashier)")).toBeVisible();
  await expect(note).toHaveCount(0);

  // Signed in again as the page's own user: nothing to say.
  await open(page, "/pos");
  await other.getByRole("button", { name: "Sign out" }).click();
  await expect(note).toContainText("This browser is no longer signed in");
  await signIn(other, "seattle");
  await expect(note).toHaveCount(0);
  await other.close();
});
