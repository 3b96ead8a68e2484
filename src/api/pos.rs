//! The POS's own server functions: the cashier's registers, Go offline,
//! the customer search, sales and loyalty cards.

use crate::domain::customer::CustomerSummary;
use crate::domain::registers::RegisterOption;
use crate::domain::sales::{ChannelSale, Product, SaleDraft, SaleForm};
use crate::error::AppError;
use leptos::prelude::*;

/// The register a request names, for a cashier of its store.
#[cfg(feature = "ssr")]
async fn authorize_register(
    register: &str,
) -> Result<(crate::services::backend::Backend, (i64, i64)), AppError> {
    use crate::api::respond::authorize_user;
    use crate::domain::access::{Access, check};
    use crate::domain::registers::{MAX_REGISTER_KEY, parse_register_key};
    let (backend, cashier) = authorize_user(Access::Cashier).await?;
    crate::error::check_key("A register", register, MAX_REGISTER_KEY)?;
    let (channel_id, register_number) = parse_register_key(register)
        .ok_or_else(|| AppError::BadRequest("Choose a store and a register first.".to_string()))?;
    check(Some(&cashier), Access::Store(channel_id))?;
    Ok((backend, (channel_id, register_number)))
}

#[server(output = crate::wire::JsonText)]
pub async fn pos_catalogue(register: String) -> Result<Vec<Product>, AppError> {
    use crate::api::respond::respond;
    use crate::error::internal;
    let result = async {
        let (backend, _) = authorize_register(&register).await?;
        crate::services::pos_sales::catalogue(&backend.channel)
            .await
            .map_err(internal)
    };
    respond(result.await)
}

/// Saves a sale to the customer `key` under the transaction id the
/// register made for it.
#[server(input = leptos::server_fn::codec::Json, output = crate::wire::JsonText)]
pub async fn save_sale(
    register: String,
    transaction_id: String,
    key: String,
    draft: SaleDraft,
) -> Result<ChannelSale, AppError> {
    use crate::api::respond::respond;
    use crate::domain::operation::OperationId;
    let result = async {
        let (backend, register) = authorize_register(&register).await?;
        crate::error::check_key("A transaction id", &transaction_id, crate::error::MAX_KEY)?;
        crate::error::check_key("A customer key", &key, crate::error::MAX_KEY)?;
        let transaction_id =
            OperationId::parse(&transaction_id).map_err(|error| AppError::BadRequest(error.to_string()))?;
        Ok(
            crate::services::pos_sales::make_sale(&backend.channel, register, &transaction_id, &key, &draft)
                .await?,
        )
    };
    respond(result.await)
}

/// The sale form as the browser posted it by itself (before the page's
/// code has loaded, or with JavaScript off): the same save, under the
/// transaction id the server wrote into the form, so that the form posted
/// twice is one sale. Then the customer's page, naming the receipt; a
/// refusal goes back to the form's page.
#[server(output = crate::wire::JsonText)]
pub async fn post_new_sale(
    register: String,
    transaction_id: String,
    key: String,
    #[server(default)] sale: SaleForm,
) -> Result<ChannelSale, AppError> {
    use crate::api::respond::{redirect_form_post, respond};
    let result = async {
        let draft = sale.draft().map_err(AppError::Invalid)?;
        save_sale(register.clone(), transaction_id, key.clone(), draft).await
    };
    let saved = result.await;
    if let Ok(sale) = &saved {
        redirect_form_post(&format!(
            "{}&sale={}",
            crate::domain::registers::pos_customer_path(&key, &register),
            crate::domain::status_page::encode_component(&sale.receipt_number)
        ));
    }
    respond(saved)
}

#[server(output = crate::wire::JsonText)]
pub async fn customer_sales(register: String, key: String) -> Result<Vec<ChannelSale>, AppError> {
    use crate::api::respond::respond;
    let result = async {
        let (backend, _) = authorize_register(&register).await?;
        crate::error::check_key("A customer key", &key, crate::error::MAX_KEY)?;
        Ok(crate::services::pos_sales::customer_sales(&backend.channel, &key).await?)
    };
    respond(result.await)
}

#[server(output = crate::wire::JsonText)]
pub async fn loyalty_card(register: String, key: String) -> Result<Option<String>, AppError> {
    use crate::api::respond::respond;
    let result = async {
        let (backend, _) = authorize_register(&register).await?;
        crate::error::check_key("A customer key", &key, crate::error::MAX_KEY)?;
        Ok(crate::services::pos_sales::loyalty_card(&backend.channel_side(), &key).await?)
    };
    respond(result.await)
}

#[server(output = crate::wire::JsonText)]
pub async fn issue_loyalty_card(register: String, key: String) -> Result<String, AppError> {
    use crate::api::respond::{redirect_form_post, respond};
    let result = async {
        let (backend, at) = authorize_register(&register).await?;
        crate::error::check_key("A customer key", &key, crate::error::MAX_KEY)?;
        let card = crate::services::pos_sales::issue_loyalty_card(&backend.channel_side(), at, &key).await?;
        redirect_form_post(&crate::domain::registers::pos_customer_path(&key, &register));
        Ok(card)
    };
    respond(result.await)
}

/// The registers of the signed-in cashier's store; refused, naming the
/// scale unit to go to, when another scale unit serves that store.
#[server(output = crate::wire::JsonText)]
pub async fn pos_registers() -> Result<Vec<RegisterOption>, AppError> {
    use crate::api::respond::{authorize_user, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    use crate::services::channel_customers::not_served_here;
    let result = async {
        let (backend, cashier) = authorize_user(Access::Cashier).await?;
        if let Some(channel_id) = cashier.channel_id
            && let Some((name, unit)) = backend
                .channel
                .served_elsewhere(channel_id)
                .await
                .map_err(internal)?
        {
            return Err(not_served_here(&backend.channel, name, unit).into());
        }
        let registers = backend.channel.register_options().await.map_err(internal)?;
        Ok(registers
            .into_iter()
            .filter(|register| Some(register.channel_id) == cashier.channel_id)
            .collect())
    };
    respond(result.await)
}

#[server(output = crate::wire::JsonText)]
pub async fn set_register_offline(register: String, offline: bool) -> Result<(), AppError> {
    use crate::api::respond::{authorize_user, respond};
    use crate::domain::access::{Access, check};
    use crate::domain::registers::{MAX_REGISTER_KEY, parse_register_key};
    use crate::error::internal;
    let result = async {
        let (backend, cashier) = authorize_user(Access::Cashier).await?;
        crate::error::check_key("A register", &register, MAX_REGISTER_KEY)?;
        let (channel_id, register_number) = parse_register_key(&register)
            .ok_or_else(|| AppError::BadRequest("Choose a store and a register first.".to_string()))?;
        check(Some(&cashier), Access::Store(channel_id))?;
        let channel = &backend.channel;
        if !channel
            .register_exists(channel_id, register_number)
            .await
            .map_err(internal)?
        {
            return Err(AppError::NotFound(format!("There is no register {register}.")));
        }
        channel
            .set_register_offline(channel_id, register_number, offline)
            .await
            .map_err(internal)
    };
    respond(result.await)
}

#[server(output = crate::wire::JsonText)]
pub async fn search_customers(term: String) -> Result<Vec<CustomerSummary>, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Cashier).await?;
        if term.trim().is_empty() {
            return Ok(Vec::new());
        }
        if term.chars().count() > 100 {
            return Err(AppError::BadRequest(
                "A search term can have at most 100 characters.".to_string(),
            ));
        }
        crate::services::channel_customers::search_customers(&backend.channel, &term)
            .await
            .map_err(internal)
    };
    respond(result.await)
}
