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
