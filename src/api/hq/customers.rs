//! HQ's customer accounts, newest first.

use crate::domain::hq_customers::HqCustomerRow;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
const LIST_LENGTH: u32 = 200;

#[server(output = crate::wire::JsonText)]
pub async fn hq_customers() -> Result<Vec<HqCustomerRow>, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        backend.hq.customer_list(LIST_LENGTH).await.map_err(internal)
    };
    respond(result.await)
}
