import { expect } from "@playwright/test";
import { open, test, operationRow, runNow, uniqueName } from "./helpers";

test("a customer added in the POS walks to an HQ account", async ({ page }) => {
  const lastName = uniqueName("Walker");

  await open(page, "/pos?register=2-1");
  await expect(page.getByLabel("Store and register")).toHaveValue("2-1");
  await page.getByRole("button", { name: "Add customer" }).click();
  await page.getByLabel("First name").fill("Ana");
  await page.getByLabel("Last name").fill(lastName);
  await page.getByLabel("Email").fill(`ana.${lastName.toLowerCase()}@example.com`);
  await page.getByRole("button", { name: "Save" }).click();

  const confirmation = page.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" });
  await expect(confirmation).toContainText(`Ana ${lastName} was created at Seattle`);
  await expect(confirmation).toContainText("Pending sync");
  const temporaryId = (await confirmation.locator("code").textContent()) ?? "";
  expect(temporaryId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);

  await open(page, "/hq/customer-synchronization-status");
  await expect(operationRow(page, temporaryId)).toContainText("Pending upload");
  await expect(operationRow(page, temporaryId)).toContainText("Seattle");

  await open(page, "/hq/distribution-schedule");
  await runNow(page, /P-0001/);
  await open(page, "/hq/customer-synchronization-status");
  await expect(operationRow(page, temporaryId)).toContainText("Pending sync");

  await open(page, "/hq/batch-jobs");
  await runNow(page, /Synchronize customers and channel requests/);
  await open(page, "/hq/customer-synchronization-status");
  const synced = operationRow(page, temporaryId);
  await expect(synced).toContainText("Synced");
  const account = (await synced.getByRole("cell").nth(5).textContent()) ?? "";
  expect(account).toMatch(/^C\d{6}$/);

  await open(page, "/hq/customers");
  const customer = page.getByRole("row").filter({ hasText: account });
  await expect(customer).toContainText(`Ana ${lastName}`);
  await expect(customer).toContainText("Seattle");
  await expect(customer).toContainText(temporaryId);
});

test("the POS shows each mistake beside its field and keeps what was typed", async ({ page }) => {
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

test("a shopper signs up on the online store and is staged for HQ", async ({ page }) => {
  const lastName = uniqueName("Shopper");

  await open(page, "/ecommerce/sign-up");
  await expect(page.locator(".register-mode")).toContainText(/Creates: asynchronous .* configuration \d+ s old/);
  await page.getByLabel("First name").fill("Lena");
  await page.getByLabel("Last name").fill(lastName);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.locator("#email-message")).toHaveText("Email is required.");

  await page.getByLabel("Email").fill(`lena.${lastName.toLowerCase()}@example.com`);
  await page.getByRole("button", { name: "Sign up" }).click();
  const confirmation = page.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" });
  await expect(confirmation).toContainText(`Lena ${lastName} was created at Fabrikam online store`);
  const temporaryId = (await confirmation.locator("code").textContent()) ?? "";

  await open(page, "/hq/customer-synchronization-status");
  await expect(operationRow(page, temporaryId)).toContainText("Fabrikam online store");
  await expect(operationRow(page, temporaryId)).toContainText("Pending upload");
});

test("a failing operation is reported by the batch run, its history and the status page", async ({ page }) => {
  const lastName = uniqueName("Duplicate");
  await open(page, "/pos?register=2-1");
  await page.getByRole("button", { name: "Add customer" }).click();
  await page.getByLabel("First name").fill("Karen");
  await page.getByLabel("Last name").fill(lastName);
  await page.getByLabel("Email").fill("karen.berg@contoso.com");
  await page.getByRole("button", { name: "Save" }).click();
  const confirmation = page.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" });
  const temporaryId = (await confirmation.locator("code").textContent()) ?? "";

  await open(page, "/hq/distribution-schedule");
  await runNow(page, /P-0001/);

  await open(page, "/hq/batch-jobs");
  const batch = page.getByRole("region", { name: /Synchronize customers and channel requests/ });
  await batch.getByRole("button", { name: "Run now" }).click();
  await expect(batch.getByRole("status")).toContainText(
    /finished: Completed with errors, \d+ rows \(\d+ succeeded, [1-9]\d* failed\)/,
  );
  const latest = batch.getByRole("table", { name: "Run history" }).getByRole("row").nth(1);
  await expect(latest).toContainText("Run now");
  await expect(latest).toContainText("Completed with errors");

  await open(page, "/hq/customer-synchronization-status");
  const failed = operationRow(page, temporaryId);
  await expect(failed).toContainText("Failed");
  await expect(failed).toContainText("Customer C000001 already has the email karen.berg@contoso.com");
});
