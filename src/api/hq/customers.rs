//! HQ's customer accounts: the list, newest first or found by Find, and one
//! customer's page.

use crate::domain::hq_customers::{HqCustomerDetail, HqCustomerList};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
const LIST_LENGTH: u32 = 200;

/// The newest customers, or the one whose account `search` is and those
/// whose name or email starts with it (`HqCustomerSearch`).
#[server(output = crate::wire::JsonText)]
pub async fn hq_customers(#[server(default)] search: String) -> Result<HqCustomerList, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::domain::hq_customers::HqCustomerSearch;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        if search.chars().any(char::is_control) {
            return Err(AppError::BadRequest(
                "A search term cannot contain control characters.".to_string(),
            ));
        }
        let search = HqCustomerSearch::from_term(&search);
        let mut rows = backend
            .hq
            .customer_list(search.as_ref(), LIST_LENGTH + 1)
            .await
            .map_err(internal)?;
        let more = rows.len() > LIST_LENGTH as usize;
        rows.truncate(LIST_LENGTH as usize);
        let total = match search {
            Some(_) => None,
            None => Some(backend.hq.count_customers().await.map_err(internal)?),
        };
        Ok(HqCustomerList { rows, more, total })
    };
    respond(result.await)
}

/// One customer's page.
#[server(output = crate::wire::JsonText)]
pub async fn hq_customer(account: String) -> Result<HqCustomerDetail, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        crate::error::check_key("An account", &account, crate::error::MAX_KEY)?;
        // As Find reads it: HQ writes accounts in capitals.
        let account = account.trim().to_ascii_uppercase();
        if account.is_empty() {
            return Err(AppError::NotFound("Name an account, like C000004.".to_string()));
        }
        backend
            .hq
            .customer_page(&account)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound(format!("HQ has no customer {account}.")))
    };
    respond(result.await)
}
