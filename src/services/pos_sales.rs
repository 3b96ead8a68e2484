//! Sales at the POS: a sale to a customer, synced or still pending sync,
//! staged in the channel database at once like a customer operation; the
//! customer's sales; and the loyalty card, which HQ issues in real time
//! and only to a customer it has.

use crate::domain::customer::{AddressDraft, country_name};
use crate::domain::operation::OperationId;
use crate::domain::sales::{
    ADDRESS_FIELD, ChannelSale, LOYALTY_CARD_PENDING, Product, SaleDraft, SaleKind, price_sale, total_cents,
};
use crate::error::FieldErrors;
use crate::services::channel_customers::{ChannelSide, CustomerError, channel_of_origin, find_customer};
use crate::services::realtime::{CallContext, RealtimeError};
use crate::storage::channel_db::{ChannelDb, ChannelDbError, NewSale, StagedSale};

#[derive(Debug, thiserror::Error)]
pub enum SaleError {
    #[error("the sale is not valid")]
    Invalid(FieldErrors),
    #[error("There is no customer {0} in this channel.")]
    UnknownCustomer(String),
    #[error("No product catalogue has been downloaded to this store yet: run job 1070, then sell again.")]
    NoCatalogue,
    /// The register sent the sale again, changed, after its first answer
    /// was lost: the first one is the sale.
    #[error(
        "This sale was saved already with other quantities, before its answer was lost, and nothing more was \
         saved: Save it as it was first sent, or Cancel and find it among the customer's sales. A New sale sells \
         more."
    )]
    TransactionIdReused,
    #[error("{LOYALTY_CARD_PENDING}")]
    PendingCustomer,
    #[error("HQ could not be reached, so no loyalty card was issued. Try again when HQ is reachable.")]
    HqUnreachable,
    #[error(transparent)]
    Customer(#[from] CustomerError),
    #[error(transparent)]
    Realtime(RealtimeError),
    #[error(transparent)]
    Storage(#[from] ChannelDbError),
}

/// The catalogue this store sells from.
pub async fn catalogue(channel: &ChannelDb) -> Result<Vec<Product>, ChannelDbError> {
    channel.products().await
}

/// Stages a sale to the customer `key` (account or temporary id) made at
/// `register` under the transaction id the register made for it. The same
/// sale sent again answers the receipt it has already.
pub async fn make_sale(
    channel: &ChannelDb,
    (channel_id, register_number): (i64, i64),
    transaction_id: &OperationId,
    key: &str,
    draft: &SaleDraft,
) -> Result<ChannelSale, SaleError> {
    let origin = crate::domain::registers::Origin::Register {
        channel_id,
        register_number,
    };
    channel_of_origin(channel, origin).await?;
    let customer = find_customer(channel, key)
        .await?
        .ok_or_else(|| SaleError::UnknownCustomer(key.to_string()))?;
    let products = channel.products().await?;
    if products.is_empty() {
        return Err(SaleError::NoCatalogue);
    }
    let addresses = &customer.customer.addresses;
    let lines = price_sale(draft, &products, addresses.len()).map_err(SaleError::Invalid)?;
    let delivery_address = match (draft.kind, draft.delivery_address) {
        (SaleKind::CustomerOrder, Some(index)) => {
            addresses.get(index).map(address_line).ok_or_else(|| {
                let mut errors = FieldErrors::default();
                errors.add(ADDRESS_FIELD, "Choose the address to ship the order to.");
                SaleError::Invalid(errors)
            })?
        }
        _ => String::new(),
    };
    let sale = NewSale {
        transaction_id: transaction_id.to_string(),
        channel_id,
        register_number,
        kind: draft.kind,
        customer_account: customer.account,
        customer_temporary_id: customer.temporary_id,
        delivery_address,
        total_cents: total_cents(&lines),
        lines,
    };
    match channel.stage_sale(&sale).await? {
        StagedSale::Staged(sale) | StagedSale::AlreadyStaged(sale) => Ok(sale),
        StagedSale::IdReused => Err(SaleError::TransactionIdReused),
    }
}

/// The customer's sales at this scale unit, newest first.
pub async fn customer_sales(channel: &ChannelDb, key: &str) -> Result<Vec<ChannelSale>, SaleError> {
    let customer = find_customer(channel, key)
        .await?
        .ok_or_else(|| SaleError::UnknownCustomer(key.to_string()))?;
    Ok(channel
        .sales_of_customer(customer.account.as_deref(), customer.temporary_id.as_deref())
        .await?)
}

/// The customer's loyalty card, if HQ has issued one; none while the
/// customer is pending sync.
pub async fn loyalty_card(side: &ChannelSide<'_>, key: &str) -> Result<Option<String>, SaleError> {
    let customer = find_customer(side.db, key)
        .await?
        .ok_or_else(|| SaleError::UnknownCustomer(key.to_string()))?;
    let Some(account) = customer.account else {
        return Ok(None);
    };
    side.realtime
        .loyalty_card(&account)
        .await
        .map_err(SaleError::Realtime)
}

/// Issues the customer a loyalty card through a real-time call to HQ:
/// refused while the customer is pending sync, since HQ has no account to
/// issue it to until job 1010 has brought it back.
pub async fn issue_loyalty_card(
    side: &ChannelSide<'_>,
    (channel_id, register_number): (i64, i64),
    key: &str,
) -> Result<String, SaleError> {
    let customer = find_customer(side.db, key)
        .await?
        .ok_or_else(|| SaleError::UnknownCustomer(key.to_string()))?;
    let account = customer.account.ok_or(SaleError::PendingCustomer)?;
    // "Go offline" makes HQ unreachable from this register.
    if side.db.register_offline(channel_id, register_number).await? {
        return Err(SaleError::HqUnreachable);
    }
    let context = CallContext {
        channel_id,
        register_number: Some(register_number),
        reason: "Loyalty cards are issued by HQ in real time.".to_string(),
    };
    side.realtime
        .issue_loyalty_card(&context, &account)
        .await
        .map_err(|error| match error {
            RealtimeError::Unreachable => SaleError::HqUnreachable,
            other => SaleError::Realtime(other),
        })
}

/// An address on one line, as a customer order keeps where it goes.
fn address_line(address: &AddressDraft) -> String {
    let country = country_name(&address.country_region);
    [
        address.name.as_str(),
        address.street.as_str(),
        address.city.as_str(),
        address.state.as_str(),
        address.zip.as_str(),
        country.as_str(),
    ]
    .into_iter()
    .filter(|part| !part.trim().is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}
