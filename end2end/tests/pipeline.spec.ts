import { expect } from "@playwright/test";
import { answerNextDialog, open, test, operationRow, runNow, uniqueName } from "./helpers";

test("a customer added in the POS walks to an HQ account", async ({ seattle, admin }) => {
  const lastName = uniqueName("Walker");

  await open(seattle, "/pos?register=2-1");
  await expect(seattle.getByLabel("Store and register")).toHaveValue("2-1");
  await seattle.getByRole("button", { name: "Add customer" }).click();
  await seattle.getByLabel("First name").fill("Ana");
  await seattle.getByLabel("Last name").fill(lastName);
  await seattle.getByLabel("Email").fill(`ana.${lastName.toLowerCase()}@example.com`);
  await seattle.getByRole("button", { name: "Save" }).click();

  const confirmation = seattle.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" });
  await expect(confirmation).toContainText(`Ana ${lastName} was created at Seattle`);
  await expect(confirmation).toContainText("Pending sync");
  const temporaryId = (await confirmation.locator("code").textContent()) ?? "";
  // A GUID that begins with the time the browser made it (version 7 layout).
  expect(temporaryId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const madeAt = parseInt(temporaryId.replace("-", "").slice(0, 12), 16);
  expect(Math.abs(Date.now() - madeAt)).toBeLessThan(60_000);

  await open(admin, "/hq/customer-synchronization-status");
  await expect(operationRow(admin, temporaryId)).toContainText("Pending upload");
  await expect(operationRow(admin, temporaryId)).toContainText("Seattle");

  await open(admin, "/hq/distribution-schedule");
  await runNow(admin, /P-0001/);
  await open(admin, "/hq/customer-synchronization-status");
  await expect(operationRow(admin, temporaryId)).toContainText("Pending sync");

  await open(admin, "/hq/batch-jobs");
  await runNow(admin, /Synchronize customers and channel requests/);
  await open(admin, "/hq/customer-synchronization-status");
  const synced = operationRow(admin, temporaryId);
  await expect(synced).toContainText("Synced");
  const account = (await synced.getByRole("cell").nth(6).textContent()) ?? "";
  expect(account).toMatch(/^C\d{6}$/);

  await open(admin, "/hq/customers");
  const customer = admin.getByRole("row").filter({ hasText: account });
  await expect(customer).toContainText(`Ana ${lastName}`);
  await expect(customer).toContainText("Seattle");
  await expect(customer).toContainText(temporaryId);

  // Found by the start of its email, and opened: the account, where it came from, and the operation that made it.
  const find = admin.getByLabel("Account, name or email");
  await find.fill(`ANA.${lastName}`);
  await admin.getByRole("button", { name: "Find" }).click();
  await expect(admin.getByRole("status")).toHaveText(`1 customer found for \u201cANA.${lastName}\u201d.`);
  await expect(admin.getByRole("row")).toHaveCount(2);
  // By the start of a name, or a first name and the start of a last name, in any case.
  await find.fill(lastName.toUpperCase());
  await admin.getByRole("button", { name: "Find" }).click();
  await expect(admin.getByRole("status")).toHaveText(`1 customer found for \u201c${lastName.toUpperCase()}\u201d.`);
  await find.fill(`ana ${lastName.toLowerCase().slice(0, -1)}`);
  await admin.getByRole("button", { name: "Find" }).click();
  await expect(admin.getByRole("status")).toHaveText(`1 customer found for \u201cana ${lastName.toLowerCase().slice(0, -1)}\u201d.`);
  await expect(admin.getByRole("row").filter({ hasText: account })).toContainText(`Ana ${lastName}`);
  await admin.getByRole("link", { name: account, exact: true }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText(`${account}: Ana ${lastName}`);
  await expect(admin.getByRole("definition").filter({ hasText: "Seattle" })).toHaveCount(1);
  await admin.getByRole("link", { name: temporaryId }).first().click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText(`Create customer: Ana ${lastName}`);
  await admin.getByRole("link", { name: account, exact: true }).click();
  await expect(admin).toHaveURL(new RegExp(`/hq/customers/${account}$`));
  // An address typed by hand in small letters opens the same customer; a blank one says what it needs.
  await open(admin, `/hq/customers/${account.toLowerCase()}`);
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText(`${account}: Ana ${lastName}`);
  await open(admin, "/hq/customers/%20");
  await expect(admin.getByRole("alert")).toHaveText("Name an account, like C000004.");
  await open(admin, "/hq/customers?q=nobody-at-all@");
  await expect(admin.getByRole("status")).toHaveText(
    "No customer found for \u201cnobody-at-all@\u201d: type a whole account, or the start of a name or an email.",
  );
  await expect(admin.getByRole("table")).toHaveCount(0);
  // An account is found whole, in any case.
  await admin.getByLabel("Account, name or email").fill(account.toLowerCase());
  await admin.getByRole("button", { name: "Find" }).click();
  await expect(admin.getByRole("status")).toHaveText(`1 customer found for \u201c${account.toLowerCase()}\u201d.`);
  await expect(admin.getByRole("link", { name: account, exact: true })).toBeVisible();

  // Troubleshoot says the store's registers do not show the account until job 1010 has run.
  await open(admin, "/hq/troubleshoot");
  const whyNotShown = admin.getByRole("region", { name: "Why doesn't HQ show the customers created in the POS or online?" });
  await expect(whyNotShown).toContainText(
    /\d+ customers? created or changed in HQ since job 1010 last ran on this scale unit (is|are) not yet at the registers of its stores/,
  );
  await whyNotShown.getByRole("button", { name: "Run 1010 now" }).click();
  await expect(whyNotShown).toContainText("this scale unit's stores have them all");
});

test("the POS shows each mistake beside its field and keeps what was typed", async ({ houston: page }) => {
  await open(page, "/pos");
  await page.getByRole("button", { name: "Add customer" }).click();
  await page.getByLabel("Last name").fill("Okafor");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Save" }).click();

  await expect(page.locator("#first_name-message")).toHaveText("First name is required.");
  await expect(page.locator("#email-message")).toHaveText("Enter an email address like name@example.com.");
  await expect(page.getByLabel("First name")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Last name")).toHaveValue("Okafor");
  await expect(page.getByText("Temporary asynchronous customer id")).toHaveCount(0);
});

test("the register works from the keyboard, and its search runs as the cashier types", async ({ houston: page }) => {
  const lastName = uniqueName("Keys");
  await open(page, "/pos");
  const addCustomer = page.getByRole("button", { name: "Add customer" });

  // Escape asks before it drops what was typed: the form stays when the
  // cashier says no, and goes when they agree; the focus goes back to its
  // button.
  await addCustomer.click();
  await expect(page.getByLabel("First name")).toBeFocused();
  await page.keyboard.type("Nobody");
  const kept = answerNextDialog(page, false);
  await page.keyboard.press("Escape");
  expect(await kept).toBe("Discard what you typed in this form?");
  await expect(page.getByLabel("First name")).toHaveValue("Nobody");
  const discarded = answerNextDialog(page, true);
  await page.keyboard.press("Escape");
  expect(await discarded).toBe("Discard what you typed in this form?");
  await expect(page.getByLabel("First name")).toHaveCount(0);
  await expect(addCustomer).toBeFocused();

  // Enter saves; a refused save puts the focus on the first mistake.
  await addCustomer.click();
  await expect(page.getByLabel("First name")).toBeFocused();
  await page.keyboard.type("Ines");
  await page.keyboard.press("Enter");
  await expect(page.locator("#last_name-message")).toHaveText("Last name is required.");
  await expect(page.getByLabel("Last name")).toBeFocused();
  await page.keyboard.type(lastName);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" })).toContainText(
    `Ines ${lastName} was created at Houston`,
  );
  await expect(addCustomer).toBeFocused();

  // The search runs once the cashier pauses, without pressing Search.
  await page.getByRole("searchbox", { name: "Search customers" }).pressSequentially(lastName.slice(0, -1), { delay: 20 });
  const row = page.getByRole("table", { name: "Customers found" }).getByRole("row").filter({ hasText: lastName });
  await expect(row.getByRole("link", { name: `Ines ${lastName}` })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`[?&]q=${lastName.slice(0, -1)}$`));
  await expect(page.getByRole("searchbox", { name: "Search customers" })).toBeFocused();
});

test("a shopper signs up on the online store and is staged for HQ", async ({ shopper, admin }) => {
  const lastName = uniqueName("Shopper");

  await open(shopper, "/ecommerce/sign-up");
  await expect(shopper.locator(".register-mode")).toContainText(/Creates: asynchronous .* configuration \d+ s old/);
  await shopper.getByLabel("First name").fill("Lena");
  await shopper.getByLabel("Last name").fill(lastName);
  await shopper.getByRole("button", { name: "Sign up" }).click();
  await expect(shopper.locator("#email-message")).toHaveText("Email is required.");

  // A POS customer's email: HQ's batch would refuse it, so the sign-up is refused now, beside the field.
  await shopper.getByLabel("Email").fill("karen.berg@contoso.com");
  await shopper.getByRole("button", { name: "Sign up" }).click();
  await expect(shopper.locator("#email-message")).toHaveText(
    "Another customer already has this email, and HQ requires unique emails.",
  );

  await shopper.getByLabel("Email").fill(`lena.${lastName.toLowerCase()}@example.com`);
  await shopper.getByRole("button", { name: "Sign up" }).click();
  const confirmation = shopper.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" });
  await expect(confirmation).toContainText(`Lena ${lastName} was created at Fabrikam online store`);
  const temporaryId = (await confirmation.locator("code").textContent()) ?? "";

  await open(admin, "/hq/customer-synchronization-status");
  await expect(operationRow(admin, temporaryId)).toContainText("Fabrikam online store");
  await expect(operationRow(admin, temporaryId)).toContainText("Pending upload");
});

test("a failing operation is reported by the batch run, its history and the status page", async ({ seattle, admin }) => {
  const lastName = uniqueName("Duplicate");
  await open(seattle, "/pos?register=2-1");
  await seattle.getByRole("button", { name: "Add customer" }).click();
  await seattle.getByLabel("First name").fill("Karen");
  await seattle.getByLabel("Last name").fill(lastName);
  await seattle.getByLabel("Email").fill("karen.berg@contoso.com");
  await seattle.getByRole("button", { name: "Save" }).click();
  const confirmation = seattle.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" });
  const temporaryId = (await confirmation.locator("code").textContent()) ?? "";

  await open(admin, "/hq/distribution-schedule");
  await runNow(admin, /P-0001/);

  await open(admin, "/hq/batch-jobs");
  const batch = admin.getByRole("region", { name: /Synchronize customers and channel requests/ });
  await batch.getByRole("button", { name: "Run now" }).click();
  await expect(batch.getByRole("status")).toContainText(
    /finished: Completed with errors, \d+ rows \(\d+ succeeded, [1-9]\d* failed\)/,
  );
  const latest = batch.getByRole("table", { name: "Run history" }).getByRole("row").nth(1);
  await expect(latest).toContainText("Run now");
  await expect(latest).toContainText("Completed with errors");
  await expect(latest.getByRole("cell").nth(5)).toHaveText(/^\d+\.\d s$/);

  await open(admin, "/hq/customer-synchronization-status");
  const failed = operationRow(admin, temporaryId);
  await expect(failed).toContainText("Failed");
  await expect(failed).toContainText("Customer C000001 already has the email karen.berg@contoso.com");

  // The plots show the failure in the backlog, and the runs' pace.
  const plots = admin.getByRole("region", { name: "Backlog and throughput" });
  await expect(plots.getByRole("img", { name: /^Backlog from .*: now \d+ pending upload, \d+ pending sync, [1-9]\d* failed/ })).toBeVisible();
  await expect(plots.getByRole("img", { name: /^Rows per second of the last \d+ runs of the P-job and the sync/ })).toBeVisible();
  await plots.getByText("Throughput as a table").click();
  const paces = plots.getByRole("table", { name: "Throughput" }).getByRole("row");
  await expect(paces.nth(1)).toContainText("Synchronize customers and channel requests");
  await plots.getByText("Backlog as a table").click();
  await expect(plots.getByRole("table", { name: "Backlog" }).getByRole("row")).not.toHaveCount(1);
  // The server draws the plots again on the list's beat (the backlog's
  // "now" moves on); the tables the admin opened stay open.
  const backlog = plots.getByRole("img", { name: /^Backlog from/ });
  const drawn = (await backlog.getAttribute("aria-label")) ?? "";
  await expect(backlog).not.toHaveAttribute("aria-label", drawn);
  await expect(plots.getByRole("table", { name: "Backlog" })).toBeVisible();
  await expect(plots.getByRole("table", { name: "Throughput" })).toBeVisible();
});
