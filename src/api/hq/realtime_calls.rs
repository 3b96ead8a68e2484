//! The real-time service calls' log, and HQ's simulated outage.

use crate::domain::realtime_calls::CallsPage;
use crate::error::AppError;
use leptos::prelude::*;

#[server(output = crate::wire::JsonText)]
pub async fn realtime_calls(
    channel_id: Option<i64>,
    operation: Option<String>,
    outcome: Option<String>,
) -> Result<CallsPage, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::domain::realtime_calls::{CallFilter, OPERATIONS, OUTCOMES};
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        let hq = &backend.hq;
        let filter = CallFilter {
            channel_id,
            operation: operation.filter(|o| OPERATIONS.contains(&o.as_str())),
            outcome: outcome.filter(|o| OUTCOMES.contains(&o.as_str())),
        };
        Ok(CallsPage {
            unreachable: hq.realtime_unreachable().await.map_err(internal)?,
            channels: hq
                .channels()
                .await
                .map_err(internal)?
                .into_iter()
                .map(|c| (c.channel_id, c.name))
                .collect(),
            calls: hq.realtime_calls(&filter, 200).await.map_err(internal)?,
        })
    };
    respond(result.await)
}

#[server(output = crate::wire::JsonText)]
pub async fn set_hq_unreachable(unreachable: bool) -> Result<(), AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        backend
            .hq
            .set_realtime_unreachable(unreachable)
            .await
            .map_err(internal)
    };
    respond(result.await)
}
