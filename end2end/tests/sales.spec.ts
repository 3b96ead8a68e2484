import { expect } from "@playwright/test";
import {
  answerNextDialog,
  dropFirstAnswer,
  expectAccessible,
  expectHeaderToFollowTheStoreServer,
  holdBackPageCode,
  loseAnswerOfFormPost,
  open,
  openNewCustomer,
  operationRow,
  runNow,
  signedInWithoutJavaScript,
  test,
  uniqueName,
} from "./helpers";

test("a cashier sells to a customer still pending sync, and Synchronize orders carries the customer along", async ({
  houston,
  admin,
}) => {
  const temporaryId = await openNewCustomer(houston, "Maya", uniqueName("Buyer"));

  // Sell at once: cash and carry, two bags of coffee and filters.
  await houston.getByRole("button", { name: "New sale" }).click();
  await houston.getByLabel("Quantity of Coffee beans, 1 kg").fill("2");
  await houston.getByLabel("Quantity of Paper filters, 100").fill("1");
  await expect(houston.getByText("Total: 43.50")).toBeVisible();
  // A quantity the sale cannot take is left out of the total, and Save says so beside it.
  const mugs = houston.getByLabel("Quantity of Travel mug");
  await mugs.fill("99999999999");
  await expect(houston.getByText("Total: 43.50")).toBeVisible();
  await houston.getByRole("button", { name: "Save" }).click();
  await expect(mugs).toHaveAccessibleDescription("Enter a whole number from 0 to 99.");
  await expect(mugs).toBeFocused();
  await mugs.fill("");
  await expect(houston.getByLabel("Cash and carry")).toBeChecked();
  await expectAccessible(houston, "the POS customer page with New sale open");
  await houston.getByRole("button", { name: "Save" }).click();
  const saved = houston.getByRole("status").filter({ hasText: "Sale saved" });
  await expect(saved).toContainText(/receipt 0001-01-\d{6}, cash and carry, total 43\.50/);
  const receipt = /receipt (0001-01-\d{6})/.exec((await saved.textContent()) ?? "")?.[1] ?? "";
  const sales = houston.getByRole("table", { name: "Sales to this customer, newest first" });
  await expect(sales.getByRole("row").filter({ hasText: receipt })).toContainText("Waiting for the P-job");

  // A customer order needs an address: the refusal is beside the field.
  await houston.getByRole("button", { name: "New sale" }).click();
  await houston.getByLabel("Quantity of Travel mug").fill("1");
  await houston.getByLabel("Customer order").check();
  await houston.getByRole("button", { name: "Save" }).click();
  await expect(houston.locator("#delivery-address-message")).toContainText("add an address first");
  await houston.getByRole("button", { name: "Cancel" }).click();

  // No loyalty card before the customer has synced.
  await houston.getByRole("button", { name: "Issue loyalty card" }).click();
  await expect(houston.getByRole("alert")).toContainText(
    "A loyalty card can be issued once the customer has synced: run the P-job and Synchronize customers and channel requests, then 1010.",
  );

  // Troubleshoot finds it at the store, before the P-job.
  await open(admin, "/hq/troubleshoot");
  // Find with no number says so beside the field, which has the focus.
  await admin.getByRole("button", { name: "Find" }).click();
  await expect(admin.getByLabel("Receipt number")).toHaveAccessibleDescription("Enter a receipt number.");
  await expect(admin.getByLabel("Receipt number")).toBeFocused();
  await expect(admin.getByText("The request could not be read")).toHaveCount(0);
  await admin.getByLabel("Receipt number").fill(receipt);
  await admin.getByRole("button", { name: "Find" }).click();
  await expect(admin.getByRole("status").filter({ hasText: `Receipt ${receipt}` })).toContainText(
    "waiting for its P-job",
  );

  // HQ: the P-job and Synchronize orders only.
  await open(admin, "/hq/distribution-schedule");
  await runNow(admin, /P-0001/);
  await open(admin, "/hq/batch-jobs");
  await runNow(admin, /Synchronize orders/);

  await open(admin, "/hq/customer-synchronization-status");
  const row = operationRow(admin, temporaryId);
  await expect(row).toContainText("Synced");
  const account = (await row.getByRole("cell").nth(6).textContent()) ?? "";
  expect(account).toMatch(/^C\d{6}$/);
  await row.getByRole("link", { name: "Create customer" }).click();
  await expect(admin.getByRole("region", { name: "Timeline" })).toContainText(
    `Synced as account ${account} by Synchronize orders for receipt ${receipt}`,
  );

  await open(admin, "/hq/sales-orders");
  const order = admin.getByRole("row").filter({ hasText: receipt });
  await expect(order).toContainText(account);
  await expect(order).toContainText("Invoiced");
  await expect(order).toContainText("43.50");
  await expectAccessible(admin, "the Sales orders page");
  await open(admin, `/hq/troubleshoot?receipt=${receipt}`);
  await expect(admin.getByRole("status").filter({ hasText: `Receipt ${receipt}` })).toContainText(
    `a cash-and-carry transaction on account ${account}`,
  );

  // Once 1010 has brought the account back, the card is issued.
  await open(admin, "/hq/distribution-schedule");
  await runNow(admin, /1010/);
  await houston.reload();
  await expect(houston.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(houston.getByText(account, { exact: true })).toBeVisible();
  await houston.getByRole("button", { name: "Issue loyalty card" }).click();
  await expect(houston.getByText(/Loyalty card: LC-\d{8}/)).toBeVisible();
  const card = /LC-\d{8}/.exec((await houston.getByText(/Loyalty card:/).textContent()) ?? "")?.[0] ?? "";
  await open(admin, "/hq/customers");
  await expect(admin.getByRole("row").filter({ hasText: account })).toContainText(card);
});

test("a sale the store server did not take says so plainly, keeps the quantities, and is one sale once saved again", async ({
  houston,
}) => {
  await openNewCustomer(houston, "Noor", uniqueName("Unreached"));
  await houston.getByRole("button", { name: "New sale" }).click();
  await houston.getByLabel("Quantity of Travel mug").fill("2");

  // The network drops as the cashier presses Save.
  await houston.route("**/api/save_sale*", (route) => route.abort());
  await houston.getByRole("button", { name: "Save" }).click();
  const alert = houston.getByRole("alert");
  await expect(alert).toContainText("The server could not be reached, or its answer was lost.");
  await expect(alert).not.toContainText("TypeError");
  await expect(houston.getByLabel("Quantity of Travel mug")).toHaveValue("2");

  // Then the sale reaches the store, but its answer is lost on the way back.
  await houston.unroute("**/api/save_sale*");
  const answersDropped = await dropFirstAnswer(houston, "**/api/save_sale*");
  const save = houston.getByRole("button", { name: "Save" });
  await save.click();
  await expect.poll(answersDropped).toBe(1);
  await expect(save).toBeEnabled();
  await expect(alert).toContainText("try again once the connection is back");

  // Changed before it is saved again: the store has the first one.
  await houston.getByLabel("Quantity of Travel mug").fill("3");
  await save.click();
  await expect(alert).toContainText("This sale was saved already with other quantities");
  await houston.getByLabel("Quantity of Travel mug").fill("2");
  await save.click();
  await expect(houston.getByRole("status").filter({ hasText: "Sale saved" })).toContainText("total 39.90");
  expect(answersDropped()).toBe(1);
  const sales = houston.getByRole("table", { name: "Sales to this customer, newest first" });
  await expect(sales.getByRole("row").filter({ hasText: "Travel mug" })).toHaveCount(1);
});

test("a sale whose answer never comes says so after a while, and is one sale once saved again", async ({ houston }) => {
  await openNewCustomer(houston, "Omar", uniqueName("Hung"));
  await houston.getByRole("button", { name: "New sale" }).click();
  await houston.getByLabel("Quantity of Travel mug").fill("2");

  // The sale reaches the store, and its answer hangs on the way back.
  let reached = 0;
  await houston.route("**/api/save_sale*", async (route) => {
    reached += 1;
    if (reached > 1) return route.fallback();
    await route.fetch();
  });
  const save = houston.getByRole("button", { name: "Save" });
  await save.click();
  await expect(houston.getByRole("alert")).toContainText("The server could not be reached, or its answer was lost.", {
    timeout: 20_000,
  });
  await expect(save).toBeEnabled();
  await expect(houston.getByLabel("Quantity of Travel mug")).toHaveValue("2");

  await save.click();
  await expect(houston.getByRole("status").filter({ hasText: "Sale saved" })).toContainText("total 39.90");
  expect(reached).toBe(2);
  const sales = houston.getByRole("table", { name: "Sales to this customer, newest first" });
  await expect(sales.getByRole("row").filter({ hasText: "Travel mug" })).toHaveCount(1);
});

test("a sale, its catalogue or a loyalty card the store server did not answer tells the register's header, which says connected again once the server answers", async ({
  houston,
}) => {
  await openNewCustomer(houston, "Ines", uniqueName("Header"));
  await expect(houston.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await expect(houston.getByText("Store server: connected")).toBeVisible();

  // New sale opened while the server does not answer: the form says so,
  // and once the server is back, Try again brings the catalogue.
  const newSale = houston.getByRole("region", { name: "New sale" });
  await expectHeaderToFollowTheStoreServer(houston, async () => {
    await houston.getByRole("button", { name: "New sale" }).click();
    await expect(newSale.getByRole("alert")).toContainText("The server could not be reached");
  });
  await expect(newSale.getByRole("button", { name: "Cancel" })).toBeVisible();
  await newSale.getByRole("button", { name: "Try again" }).click();
  await houston.getByLabel("Quantity of Travel mug").fill("1");

  // Nothing is kept to send, yet the header hears that the server is back.
  await expectHeaderToFollowTheStoreServer(houston, async () => {
    await houston.getByRole("button", { name: "Save" }).click();
    await expect(houston.getByRole("alert")).toContainText("The server could not be reached");
  });
  await expect(houston.getByText(/kept in this browser/)).toHaveCount(0);

  // The same for Issue loyalty card.
  await expectHeaderToFollowTheStoreServer(houston, async () => {
    await houston.getByRole("button", { name: "Issue loyalty card" }).click();
    await expect(houston.getByRole("alert").filter({ hasText: "The server could not be reached" })).toHaveCount(2);
  });
});

test("New sale works from the keyboard: it opens on the first quantity, Escape leaves it, Enter saves", async ({
  houston,
}) => {
  await openNewCustomer(houston, "Kai", uniqueName("Keyboard"));
  const newSale = houston.getByRole("button", { name: "New sale" });
  await newSale.click();
  const firstQuantity = houston.getByLabel("Quantity of Coffee beans, 1 kg");
  await expect(firstQuantity).toBeFocused();
  await houston.keyboard.type("3");
  // A quantity typed is dropped only once the cashier agrees.
  const kept = answerNextDialog(houston, false);
  await houston.keyboard.press("Escape");
  expect(await kept).toBe("Discard what you typed in this form?");
  await expect(firstQuantity).toHaveValue("3");
  const discarded = answerNextDialog(houston, true);
  await houston.keyboard.press("Escape");
  await discarded;
  await expect(houston.getByRole("heading", { name: "New sale" })).toHaveCount(0);
  await expect(newSale).toBeFocused();
  await expect(houston.getByText("No sales to this customer at this store yet.")).toBeVisible();

  await houston.keyboard.press("Enter");
  await expect(firstQuantity).toBeFocused();
  await houston.keyboard.type("1");
  await houston.keyboard.press("Enter");
  await expect(houston.getByRole("status").filter({ hasText: "Sale saved" })).toContainText("total 18.50");
});

test("a sale posted before the page's code arrived, whose answer was lost, and saved again once the code is in, is one sale", async ({
  houston,
}) => {
  await openNewCustomer(houston, "Noor", uniqueName("Early"));
  const customerPage = houston.url();
  const letCodeThrough = await holdBackPageCode(houston);
  await houston.goto(`${customerPage}&change=sale`, { waitUntil: "domcontentloaded" });
  await houston.getByLabel("Quantity of Travel mug").fill("2");

  // The form posts itself and the store saves the sale, but the answer is lost.
  const saved = await loseAnswerOfFormPost(houston, /\/api\/post_new_sale/);
  await houston.getByRole("button", { name: "Save" }).click();
  await saved();

  // The page's code arrives, and the cashier presses Save again.
  letCodeThrough();
  await expect(houston.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(houston.getByLabel("Quantity of Travel mug")).toHaveValue("2");
  await houston.getByRole("button", { name: "Save" }).click();
  await expect(houston.getByRole("status").filter({ hasText: "Sale saved" })).toContainText("total 39.90");
  const sales = houston.getByRole("table", { name: "Sales to this customer, newest first" });
  await expect(sales.getByRole("row").filter({ hasText: "Travel mug" })).toHaveCount(1);
});

test("an address naming no customer, or a register of another store, says so once and offers nothing to do", async ({
  houston,
}) => {
  await open(houston, "/pos/customers/NOPE?register=1-1");
  await expect(houston.getByText("There is no customer NOPE in this channel.")).toHaveCount(1);
  await expect(houston.getByRole("button", { name: "New sale" })).toHaveCount(0);
  await expect(houston.getByRole("button", { name: "Issue loyalty card" })).toHaveCount(0);

  await open(houston, "/pos?register=9-9");
  await expect(houston.getByRole("status").filter({ hasText: "Your store has no register 9-9" })).toHaveText(
    "Your store has no register 9-9: this is Houston, register 1.",
  );
});

test("without JavaScript, a customer's page sells, and an address naming no customer offers no sale", async ({ browser, houston }) => {
  await openNewCustomer(houston, "Pia", uniqueName("Plain"));
  const customer = new URL(houston.url());
  const page = await signedInWithoutJavaScript(browser, "houston", customer.pathname + customer.search);
  await page.getByRole("button", { name: "New sale" }).click();
  await page.getByLabel("Quantity of Travel mug").fill("2");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Sale saved" })).toContainText("total 39.90");

  await page.goto("/pos/customers/NOPE?register=1-1");
  await expect(page.getByText("There is no customer NOPE in this channel.")).toHaveCount(1);
  await expect(page.getByRole("heading", { name: "Sales" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "New sale" })).toHaveCount(0);
  await page.context().close();
});
