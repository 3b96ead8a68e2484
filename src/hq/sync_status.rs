//! HQ Customer synchronization status (Retail and Commerce > Customers):
//! every asynchronous operation, from the channel's staging table to its
//! HQ account, with its status and error.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::operation::OperationStatus;
use crate::ui::{StatusBadge, Time, loaded};

#[cfg(feature = "ssr")]
const LIST_LENGTH: u32 = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatusRow {
    pub operation: String,
    pub channel: String,
    pub created_at: String,
    pub temporary_id: String,
    pub account: Option<String>,
    pub name: String,
    pub status: OperationStatus,
    pub error: Option<String>,
    pub retries: i64,
    pub last_attempt: Option<String>,
}

/// "create" is shown as "Create customer".
pub fn operation_caption(operation: &str) -> String {
    crate::records::OperationKind::from_code(operation)
        .map(|kind| kind.caption().to_string())
        .unwrap_or_else(|| operation.to_string())
}

#[server]
pub async fn customer_sync_status() -> Result<Vec<SyncStatusRow>, AppError> {
    use crate::respond::{backend, internal, respond};
    let result = async {
        let backend = backend()?;
        let waiting = crate::cdx::operations_waiting_for_upload(&backend.channel, LIST_LENGTH)
            .await
            .map_err(internal)?;
        let uploaded = backend
            .hq
            .recent_operations(LIST_LENGTH)
            .await
            .map_err(internal)?;
        let channels = backend.hq.channels().await.map_err(internal)?;
        let channel_name = |id: i64| {
            channels
                .iter()
                .find(|channel| channel.channel_id == id)
                .map(|channel| channel.name.clone())
                .unwrap_or_else(|| format!("Channel {id}"))
        };
        let mut rows: Vec<SyncStatusRow> = waiting
            .into_iter()
            .map(|op| SyncStatusRow {
                operation: op.kind.caption().to_string(),
                channel: channel_name(op.channel_id),
                name: crate::customer::display_name(&op.customer),
                account: op.customer_account,
                temporary_id: op.customer_temporary_id.unwrap_or(op.temporary_id),
                created_at: op.created_at,
                status: OperationStatus::PendingUpload,
                error: None,
                retries: 0,
                last_attempt: None,
            })
            .collect();
        rows.extend(uploaded.into_iter().map(|op| SyncStatusRow {
            operation: operation_caption(&op.operation),
            channel: op.channel.unwrap_or_else(|| "Unknown channel".to_string()),
            created_at: op.created_at,
            status: OperationStatus::of_uploaded(op.online_operation_completed, op.error.is_some()),
            temporary_id: op.customer_temporary_id.unwrap_or(op.temporary_id),
            account: op.account.or(op.customer_account),
            name: op.name,
            error: op.error,
            retries: op.retry_count,
            last_attempt: op.last_attempt_at,
        }));
        rows.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        rows.truncate(LIST_LENGTH as usize);
        Ok(rows)
    };
    respond(result.await)
}

#[component]
pub fn SyncStatusPage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| customer_sync_status());
    view! {
        <Title text="Customer synchronization status - custsync" />
        <p class="breadcrumb">"Retail and Commerce › Customers"</p>
        <h1>"Customer synchronization status"</h1>
        <Suspense fallback=|| view! { <p>"Loading operations…"</p> }>
            {move || Suspend::new(async move { loaded(rows.await, |rows| view! { <OperationTable rows /> }) })}
        </Suspense>
    }
}

#[component]
fn OperationTable(rows: Vec<SyncStatusRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p>"No asynchronous customer operations yet. Add a customer in the POS."</p> }
            .into_any();
    }
    view! {
        <table class="operations">
            <caption>"Asynchronous customer operations, newest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Operation"</th>
                    <th scope="col">"Channel"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Temporary ID"</th>
                    <th scope="col">"Customer account"</th>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Error"</th>
                    <th scope="col">"Retries"</th>
                    <th scope="col">"Last attempt"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        view! {
                            <tr>
                                <td>{row.operation}</td>
                                <td>{row.channel}</td>
                                <td><Time stored=row.created_at /></td>
                                <td><code>{row.temporary_id}</code></td>
                                <td>{row.account}</td>
                                <td>{row.name}</td>
                                <td><StatusBadge status=row.status /></td>
                                <td class="error-text">{row.error}</td>
                                <td>{row.retries}</td>
                                <td>{row.last_attempt.map(|at| view! { <Time stored=at /> })}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
