//! Sales at the POS: the catalogue a register sells from, a sale as the
//! cashier makes it, the rules it must pass before it is staged, and where
//! it stands in HQ. Compiled for the server and the browser, so both price
//! a sale alike and show the same message for the same mistake.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;

/// A product of HQ's catalogue, as job 1070 copies it to the channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Product {
    pub item_id: String,
    pub name: String,
    /// The unit price in cents.
    pub price_cents: i64,
}

/// How the customer takes the goods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaleKind {
    /// Paid and taken at the register.
    #[default]
    CashAndCarry,
    /// Shipped to one of the customer's addresses.
    CustomerOrder,
}

impl SaleKind {
    /// The value of the `kind` columns.
    pub fn code(self) -> &'static str {
        match self {
            SaleKind::CashAndCarry => "cash_and_carry",
            SaleKind::CustomerOrder => "customer_order",
        }
    }

    pub fn from_code(code: &str) -> SaleKind {
        if code == SaleKind::CustomerOrder.code() {
            SaleKind::CustomerOrder
        } else {
            SaleKind::CashAndCarry
        }
    }

    pub fn caption(self) -> &'static str {
        match self {
            SaleKind::CashAndCarry => "Cash and carry",
            SaleKind::CustomerOrder => "Customer order",
        }
    }
}

/// One line of a sale as the form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLineDraft {
    pub item_id: String,
    pub quantity: u32,
}

/// A sale as the cashier makes it: not yet trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SaleDraft {
    pub kind: SaleKind,
    pub lines: Vec<SaleLineDraft>,
    /// For a customer order: which of the customer's addresses (by its
    /// place in the customer's list) the goods go to.
    pub delivery_address: Option<usize>,
}

/// The sale form as the cashier filled it in: the products' item ids and
/// their quantities as typed, side by side, the kind, and the address
/// chosen (its place in the customer's list, as text). The browser's own
/// post of the form sends it as is (two lists: a map keyed by item ids
/// such as `0001` would be read as a list by its indexes); the page's code
/// makes the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SaleForm {
    pub kind: SaleKind,
    pub item: Vec<String>,
    pub quantity: Vec<String>,
    pub delivery_address: String,
}

impl SaleForm {
    /// The form of the quantities typed by item id.
    pub fn new(kind: SaleKind, quantities: &BTreeMap<String, String>, delivery_address: String) -> SaleForm {
        SaleForm {
            kind,
            item: quantities.keys().cloned().collect(),
            quantity: quantities.values().cloned().collect(),
            delivery_address,
        }
    }

    /// The sale the form holds, or the quantities that are not whole
    /// numbers from 0 to `MAX_QUANTITY`, each with its message.
    pub fn draft(&self) -> Result<SaleDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.item.len() != self.quantity.len() {
            errors.add(
                LINES_FIELD,
                "The form's products and quantities do not match: reload the page.",
            );
            return Err(errors);
        }
        let mut lines = Vec::new();
        for (item_id, text) in self.item.iter().zip(&self.quantity) {
            match quantity_typed(text) {
                Ok(Some(quantity)) => lines.push(SaleLineDraft {
                    item_id: item_id.clone(),
                    quantity,
                }),
                Ok(None) => {}
                Err(message) => errors.add(&quantity_field(item_id), message),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SaleDraft {
            kind: self.kind,
            lines,
            delivery_address: self.delivery_address.trim().parse().ok(),
        })
    }
}

/// A quantity as typed in New sale: none when left blank, otherwise a whole
/// number from 0 to `MAX_QUANTITY`, or the message to show beside it.
pub fn quantity_typed(text: &str) -> Result<Option<u32>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(quantity) if quantity <= MAX_QUANTITY => Ok(Some(quantity)),
        _ => Err(format!("Enter a whole number from 0 to {MAX_QUANTITY}.")),
    }
}

/// A line priced from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SaleLine {
    pub item_id: String,
    pub name: String,
    pub quantity: i64,
    pub price_cents: i64,
}

/// The most of one product a line may sell.
pub const MAX_QUANTITY: u32 = 99;

/// The input name of a line's quantity on the sale form, which its
/// message is shown beside.
pub fn quantity_field(item_id: &str) -> String {
    format!("quantity-{item_id}")
}

pub const LINES_FIELD: &str = "lines";
pub const ADDRESS_FIELD: &str = "delivery_address";

/// Prices `draft` from `catalogue`, or says what is wrong beside each
/// field: a sale sells at least one product, known to the catalogue, in
/// quantities from 1 to `MAX_QUANTITY`; a customer order goes to one of the
/// customer's `address_count` addresses.
pub fn price_sale(
    draft: &SaleDraft,
    catalogue: &[Product],
    address_count: usize,
) -> Result<Vec<SaleLine>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut lines: Vec<SaleLine> = Vec::new();
    for line in draft.lines.iter().filter(|line| line.quantity > 0) {
        let Some(product) = catalogue.iter().find(|p| p.item_id == line.item_id) else {
            errors.add(
                LINES_FIELD,
                format!("Product {} is not in this store's catalogue.", line.item_id),
            );
            continue;
        };
        match lines.iter_mut().find(|l| l.item_id == product.item_id) {
            Some(same) => same.quantity += i64::from(line.quantity),
            None => lines.push(SaleLine {
                item_id: product.item_id.clone(),
                name: product.name.clone(),
                quantity: i64::from(line.quantity),
                price_cents: product.price_cents,
            }),
        }
    }
    // A product's lines are added up first: the limit is the product's,
    // however many lines a request splits it into.
    for line in lines
        .iter()
        .filter(|line| line.quantity > i64::from(MAX_QUANTITY))
    {
        errors.add(
            &quantity_field(&line.item_id),
            format!("Sell at most {MAX_QUANTITY} of one product in a sale."),
        );
    }
    if lines.is_empty() && errors.is_empty() {
        errors.add(LINES_FIELD, "Enter a quantity for at least one product.");
    }
    if draft.kind == SaleKind::CustomerOrder {
        match draft.delivery_address {
            _ if address_count == 0 => errors.add(
                ADDRESS_FIELD,
                "A customer order is shipped to one of the customer's addresses: add an address first, or sell \
                 cash and carry.",
            ),
            Some(index) if index < address_count => {}
            _ => errors.add(ADDRESS_FIELD, "Choose the address to ship the order to."),
        }
    }
    if errors.is_empty() { Ok(lines) } else { Err(errors) }
}

pub fn total_cents(lines: &[SaleLine]) -> i64 {
    lines.iter().map(|line| line.quantity * line.price_cents).sum()
}

/// "1,234.50" from 123450 cents.
pub fn format_amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let units = (cents / 100).to_string();
    let mut grouped = String::new();
    for (at, digit) in units.chars().enumerate() {
        if at > 0 && (units.len() - at).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", cents % 100)
}

/// A receipt number: the store, the register and the register's own
/// count of sales, "0001-02-000017".
pub fn receipt_number(channel_id: i64, register_number: i64, sequence: i64) -> String {
    format!("{channel_id:04}-{register_number:02}-{sequence:06}")
}

/// A sale as the POS lists it, from the channel database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSale {
    pub transaction_id: String,
    pub receipt_number: String,
    pub kind: SaleKind,
    pub total_cents: i64,
    pub created_at: String,
    /// Whether the P-job has carried it to HQ.
    pub uploaded: bool,
    pub lines: Vec<SaleLine>,
    /// For a customer order: where it goes, as one line of text.
    pub delivery_address: String,
}

impl ChannelSale {
    pub fn state_caption(&self) -> &'static str {
        if self.uploaded {
            "Uploaded to HQ"
        } else {
            "Waiting for the P-job"
        }
    }
}

/// A sale with its lines, as the P-job carries it from the channel to HQ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleRecord {
    /// The row id in the database it was read from; orders the sales.
    pub id: i64,
    pub transaction_id: String,
    pub receipt_number: String,
    pub channel_id: i64,
    pub register_number: i64,
    pub kind: SaleKind,
    pub customer_account: Option<String>,
    pub customer_temporary_id: Option<String>,
    pub delivery_address: String,
    pub total_cents: i64,
    pub created_at: String,
    pub lines: Vec<SaleLine>,
}

/// Where a sale stands in HQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatus {
    /// Uploaded; Synchronize orders has not taken it yet.
    Uploaded,
    /// Its customer (or address) has not synced: failed, or not in HQ yet.
    WaitingForCustomer,
    /// A customer order created in HQ (its sales order number given).
    Created,
    /// A cash-and-carry transaction created in HQ, waiting for its statement.
    Invoiced,
    /// Posted by end-of-day's Post statements.
    Posted,
}

impl OrderStatus {
    /// The value of HQ's `status` column.
    pub fn code(self) -> &'static str {
        match self {
            OrderStatus::Uploaded => "uploaded",
            OrderStatus::WaitingForCustomer => "waiting_for_customer",
            OrderStatus::Created => "created",
            OrderStatus::Invoiced => "invoiced",
            OrderStatus::Posted => "posted",
        }
    }

    pub fn from_code(code: &str) -> Option<OrderStatus> {
        [
            OrderStatus::Uploaded,
            OrderStatus::WaitingForCustomer,
            OrderStatus::Created,
            OrderStatus::Invoiced,
            OrderStatus::Posted,
        ]
        .into_iter()
        .find(|status| status.code() == code)
    }

    pub fn caption(self) -> &'static str {
        match self {
            OrderStatus::Uploaded => "Waiting for Synchronize orders",
            OrderStatus::WaitingForCustomer => "Waiting for customer",
            OrderStatus::Created => "Open order",
            OrderStatus::Invoiced => "Invoiced",
            OrderStatus::Posted => "Posted",
        }
    }

    /// The status a sale takes once HQ has created it.
    pub fn created(kind: SaleKind) -> OrderStatus {
        match kind {
            SaleKind::CashAndCarry => OrderStatus::Invoiced,
            SaleKind::CustomerOrder => OrderStatus::Created,
        }
    }
}

/// One row of HQ's Sales orders page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesOrderRow {
    pub receipt_number: String,
    pub channel: String,
    pub kind: SaleKind,
    /// The HQ sales order number of a customer order once created.
    pub sales_order: Option<String>,
    /// The customer's account, or while pending its temporary id.
    pub account: Option<String>,
    pub customer_temporary_id: Option<String>,
    pub total_cents: i64,
    pub status: OrderStatus,
    /// Why it waits, when it waits for its customer.
    pub reason: Option<String>,
    pub created_at: String,
}

/// Where a sale is, by its receipt number: "Why is this order not in HQ?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaleWhereabouts {
    InHq(SalesOrderRow),
    /// In the channel database of the scale unit that answers, for its P-job.
    WaitingForUpload {
        scale_unit: String,
    },
    Unknown {
        scale_unit: String,
    },
}

impl SaleWhereabouts {
    /// The answer, as a sentence, for the sale with receipt `receipt`.
    pub fn answer(&self, receipt: &str) -> String {
        match self {
            SaleWhereabouts::InHq(sale) => match sale.status {
                OrderStatus::Uploaded => {
                    format!(
                        "Receipt {receipt} is in HQ, waiting for Synchronize orders: run it to create the sale."
                    )
                }
                OrderStatus::WaitingForCustomer => format!(
                    "Receipt {receipt} is in HQ and waits for its customer. {}",
                    sale.reason.as_deref().unwrap_or_default()
                ),
                OrderStatus::Created => format!(
                    "Receipt {receipt} is in HQ as sales order {} on account {}.",
                    sale.sales_order.as_deref().unwrap_or_default(),
                    sale.account.as_deref().unwrap_or_default()
                ),
                OrderStatus::Invoiced => format!(
                    "Receipt {receipt} is in HQ as a cash-and-carry transaction on account {}; Post statements posts \
                     it at the end of the day.",
                    sale.account.as_deref().unwrap_or_default()
                ),
                OrderStatus::Posted => format!(
                    "Receipt {receipt} is in HQ on account {}, posted in its store's statement.",
                    sale.account.as_deref().unwrap_or_default()
                ),
            },
            SaleWhereabouts::WaitingForUpload { scale_unit } => format!(
                "Receipt {receipt} is in the channel database of scale unit {scale_unit}, waiting for its P-job: run \
                 P-0001 there."
            ),
            SaleWhereabouts::Unknown { scale_unit } => format!(
                "No sale has receipt {receipt}, in HQ or in the channel database of scale unit {scale_unit}: check \
                 the number, or ask the scale unit that serves its store."
            ),
        }
    }
}

/// Why an order waits for its customer.
pub fn waiting_reason(customer_key: &str, customer_error: Option<&str>) -> String {
    match customer_error {
        Some(error) => format!(
            "Customer {customer_key} failed to sync: {error} Fix it on the Customer synchronization status page; the \
             order goes with the next Synchronize orders once the customer has synced."
        ),
        None => format!(
            "Customer {customer_key} is not in HQ yet: run the P-job of its store, then Synchronize orders again."
        ),
    }
}

/// Why a loyalty card is refused to a customer still pending sync.
pub const LOYALTY_CARD_PENDING: &str = "A loyalty card can be issued once the customer has synced: run the P-job and \
     Synchronize customers and channel requests, then 1010.";

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Vec<Product> {
        vec![
            Product {
                item_id: "0001".to_string(),
                name: "Coffee beans".to_string(),
                price_cents: 1250,
            },
            Product {
                item_id: "0002".to_string(),
                name: "Mug".to_string(),
                price_cents: 800,
            },
        ]
    }

    fn line(item_id: &str, quantity: u32) -> SaleLineDraft {
        SaleLineDraft {
            item_id: item_id.to_string(),
            quantity,
        }
    }

    #[test]
    fn a_sale_is_priced_from_the_catalogue_and_the_same_product_twice_is_one_line() {
        let draft = SaleDraft {
            lines: vec![line("0001", 2), line("0002", 0), line("0001", 1)],
            ..SaleDraft::default()
        };
        let lines = price_sale(&draft, &catalogue(), 0).expect("priced");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].quantity, 3);
        assert_eq!(total_cents(&lines), 3750);
    }

    #[test]
    fn an_empty_sale_an_unknown_product_and_a_large_quantity_are_refused_beside_their_fields() {
        let empty = price_sale(&SaleDraft::default(), &catalogue(), 0).unwrap_err();
        assert!(empty.get(LINES_FIELD).is_some_and(|m| m.contains("at least one")));
        let unknown = SaleDraft {
            lines: vec![line("9999", 1)],
            ..SaleDraft::default()
        };
        let refused = price_sale(&unknown, &catalogue(), 0).unwrap_err();
        assert!(refused.get(LINES_FIELD).is_some_and(|m| m.contains("9999")));
        let large = SaleDraft {
            lines: vec![line("0002", MAX_QUANTITY + 1)],
            ..SaleDraft::default()
        };
        let refused = price_sale(&large, &catalogue(), 0).unwrap_err();
        assert!(refused.get(&quantity_field("0002")).is_some());
        // The limit is a product's, however many lines a request splits it
        // into.
        let split = SaleDraft {
            lines: vec![line("0002", MAX_QUANTITY), line("0002", MAX_QUANTITY)],
            ..SaleDraft::default()
        };
        let refused = price_sale(&split, &catalogue(), 0).unwrap_err();
        assert_eq!(
            refused.get(&quantity_field("0002")),
            Some("Sell at most 99 of one product in a sale.")
        );
    }

    #[test]
    fn a_customer_order_needs_one_of_the_customers_addresses() {
        let mut order = SaleDraft {
            kind: SaleKind::CustomerOrder,
            lines: vec![line("0001", 1)],
            delivery_address: None,
        };
        let no_address = price_sale(&order, &catalogue(), 0).unwrap_err();
        assert!(
            no_address
                .get(ADDRESS_FIELD)
                .is_some_and(|m| m.contains("add an address"))
        );
        let not_chosen = price_sale(&order, &catalogue(), 2).unwrap_err();
        assert!(
            not_chosen
                .get(ADDRESS_FIELD)
                .is_some_and(|m| m.contains("Choose"))
        );
        order.delivery_address = Some(2);
        assert!(
            price_sale(&order, &catalogue(), 2).is_err(),
            "there is no third address"
        );
        order.delivery_address = Some(1);
        assert!(price_sale(&order, &catalogue(), 2).is_ok());
    }

    #[test]
    fn the_form_reads_quantities_as_typed_and_names_the_one_that_is_not_a_number() {
        let mut typed = BTreeMap::new();
        typed.insert("0001".to_string(), " 2 ".to_string());
        typed.insert("0002".to_string(), String::new());
        let form = SaleForm::new(SaleKind::CustomerOrder, &typed, "1".to_string());
        let draft = form.draft().expect("a draft");
        assert_eq!(draft.lines, vec![line("0001", 2)]);
        assert_eq!(draft.delivery_address, Some(1));
        typed.insert("0003".to_string(), "two".to_string());
        let refused = SaleForm::new(SaleKind::CashAndCarry, &typed, String::new())
            .draft()
            .unwrap_err();
        assert!(
            refused
                .get(&quantity_field("0003"))
                .is_some_and(|m| m.contains("whole number"))
        );
        for typed in ["-3", "100", "99999999999", "1.5"] {
            assert_eq!(
                quantity_typed(typed),
                Err(format!("Enter a whole number from 0 to {MAX_QUANTITY}.")),
                "{typed}"
            );
        }
        assert_eq!(quantity_typed(" 99 "), Ok(Some(MAX_QUANTITY)));
        assert_eq!(quantity_typed(""), Ok(None));
        let uneven = SaleForm {
            item: vec!["0001".to_string()],
            ..SaleForm::default()
        };
        assert!(uneven.draft().unwrap_err().get(LINES_FIELD).is_some());
    }

    #[test]
    fn amounts_show_cents_and_thousands() {
        assert_eq!(format_amount(0), "0.00");
        assert_eq!(format_amount(1250), "12.50");
        assert_eq!(format_amount(123_456_789), "1,234,567.89");
        assert_eq!(format_amount(-5), "-0.05");
    }

    #[test]
    fn statuses_and_kinds_round_trip_through_their_codes() {
        for kind in [SaleKind::CashAndCarry, SaleKind::CustomerOrder] {
            assert_eq!(SaleKind::from_code(kind.code()), kind);
        }
        for status in [
            OrderStatus::Uploaded,
            OrderStatus::WaitingForCustomer,
            OrderStatus::Created,
            OrderStatus::Invoiced,
            OrderStatus::Posted,
        ] {
            assert_eq!(OrderStatus::from_code(status.code()), Some(status));
        }
        assert_eq!(receipt_number(1, 2, 17), "0001-02-000017");
    }
}
