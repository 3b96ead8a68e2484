//! HQ's sales: the Sales orders page, newest first.

use crate::domain::sales::SalesOrderRow;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
const LIST_LENGTH: u32 = 200;

#[server(output = crate::wire::JsonText)]
pub async fn sales_orders() -> Result<Vec<SalesOrderRow>, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        backend.hq.sales_orders(LIST_LENGTH).await.map_err(internal)
    };
    respond(result.await)
}
