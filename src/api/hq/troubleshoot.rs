//! Troubleshoot: the report of what holds customers back, and flushing the
//! channel's configuration cache.

use crate::domain::troubleshoot::TroubleshootReport;
use crate::error::AppError;
use leptos::prelude::*;

#[server(output = crate::wire::JsonText)]
pub async fn troubleshoot() -> Result<TroubleshootReport, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        crate::services::troubleshoot::report(&backend)
            .await
            .map_err(internal)
    };
    respond(result.await)
}

#[server(output = crate::wire::JsonText)]
pub async fn flush_channel_cache() -> Result<(), AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        backend.config.flush().await;
        Ok(())
    };
    respond(result.await)
}

/// The receipt number's field in Find a sale: its message is said beside it.
pub const RECEIPT_FIELD: &str = "receipt";

/// "Why is this order not in HQ?" for one receipt number, answered from
/// HQ and this scale unit's channel database.
#[server(output = crate::wire::JsonText)]
pub async fn find_sale(receipt: String) -> Result<String, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        let receipt = receipt.trim().to_string();
        let mistake = match crate::error::check_key("A receipt number", &receipt, crate::error::MAX_KEY) {
            Err(AppError::BadRequest(message)) => Some(message),
            Err(other) => return Err(other),
            Ok(()) if receipt.is_empty() => Some("Enter a receipt number.".to_string()),
            Ok(()) => None,
        };
        if let Some(message) = mistake {
            let mut fields = crate::error::FieldErrors::default();
            fields.add(RECEIPT_FIELD, message);
            return Err(AppError::Invalid(fields));
        }
        let found = crate::services::cdx::find_sale(&backend.channel, &backend.hq, &receipt)
            .await
            .map_err(internal)?;
        Ok(found.answer(&receipt))
    };
    respond(result.await)
}
