//! The Customer synchronization status page's server functions: a page of
//! operations, the channels to filter by, Synchronize for the chosen or all
//! failed operations, the backlog's plots, and one operation's detail with
//! its Save.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::backlog::BacklogTrend;
use crate::domain::customer::CustomerDraft;
use crate::domain::jobs::RunCounts;
use crate::domain::operation_detail::OperationDetail;
use crate::domain::status_page::{FilterOptions, StatusPage, StatusView};
use crate::error::AppError;

#[server(input = Json, output = crate::wire::JsonText)]
pub async fn load_status_page(view: StatusView) -> Result<StatusPage, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        view.check()?;
        crate::services::cdx::status_page(
            &backend.channel,
            &backend.hq,
            &view,
            crate::domain::status_page::PAGE_SIZE,
        )
        .await
        .map_err(internal)
    };
    respond(result.await)
}

/// The channels and scale units the filters offer.
#[server(output = crate::wire::JsonText)]
pub async fn status_page_filters() -> Result<FilterOptions, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::domain::status_page::ChannelOption;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        let channels = backend.hq.channels().await.map_err(internal)?;
        Ok(FilterOptions {
            channels: channels
                .into_iter()
                .map(|channel| ChannelOption {
                    channel_id: channel.channel_id,
                    name: channel.name,
                })
                .collect(),
            scale_units: backend.hq.scale_units().await.map_err(internal)?,
        })
    };
    respond(result.await)
}

/// The backlog over time and the pace of the latest runs, for the plots.
#[server(output = crate::wire::JsonText)]
pub async fn load_backlog_trend() -> Result<BacklogTrend, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        crate::services::cdx::backlog_trend(&backend.channel, &backend.hq)
            .await
            .map_err(internal)
    };
    respond(result.await)
}

/// More than a page can show, with room for several pages' choices.
#[cfg(feature = "ssr")]
const MAX_SELECTED: usize = 1_000;

/// Synchronize for the operations the admin chose. Takes form fields, so
/// that the page's own form posts the ticked boxes without JavaScript.
#[server(output = crate::wire::JsonText)]
pub async fn synchronize_operations(
    #[server(default)] operation_ids: Vec<String>,
) -> Result<String, AppError> {
    use crate::api::respond::{authorize_user, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    use crate::error::{MAX_KEY, check_key};
    let result = async {
        let (backend, admin) = authorize_user(Access::Admin).await?;
        if operation_ids.is_empty() {
            return Err(AppError::Refused(
                "Nothing was synchronized: tick the operations to synchronize in the list first.".to_string(),
            ));
        }
        if operation_ids.len() > MAX_SELECTED {
            return Err(AppError::BadRequest(format!(
                "Synchronize at most {MAX_SELECTED} operations at a time."
            )));
        }
        for id in &operation_ids {
            check_key("An operation id", id, MAX_KEY)?;
        }
        // Ticked twice (a box repeated, two tabs' selections): counted once.
        let mut seen = std::collections::HashSet::new();
        let operation_ids: Vec<String> = operation_ids
            .into_iter()
            .filter(|id| seen.insert(id.clone()))
            .collect();
        let counts = crate::services::sync::synchronize_selected(
            &backend.hq,
            &operation_ids,
            backend.settings.sync_options(),
            &admin.display_name,
        )
        .await
        .map_err(internal)?;
        Ok(synchronize_summary(operation_ids.len(), counts))
    };
    respond(result.await)
}

/// "Synchronize all failed" for the filters of a view, given as its URL's
/// query parameters (`StatusView::query_pairs`): the page's own form posts
/// them without JavaScript, and goes back to the view once done.
#[server(output = crate::wire::JsonText)]
pub async fn synchronize_all_failed(
    #[server(default)] filters: std::collections::BTreeMap<String, String>,
) -> Result<String, AppError> {
    use crate::api::respond::{authorize_user, redirect_form_post, respond};
    use crate::domain::access::Access;
    use crate::domain::status_page::PATH;
    use crate::error::internal;
    let result = async {
        let (backend, admin) = authorize_user(Access::Admin).await?;
        let view = StatusView::from_query(|key| filters.get(key).cloned()).first_page();
        view.check()?;
        let (found, counts) = crate::services::sync::synchronize_failed(
            &backend.hq,
            &view,
            backend.settings.sync_options(),
            &admin.display_name,
        )
        .await
        .map_err(internal)?;
        let answer = if found == 0 {
            "No failed operations in this view.".to_string()
        } else {
            synchronize_summary(found, counts)
        };
        // Back to the list, not to the confirmation the form was posted from.
        redirect_form_post(&format!("{PATH}{}", view.to_query()));
        Ok(answer)
    };
    respond(result.await)
}

/// What Synchronize says it did with `requested` operations.
pub fn synchronize_summary(requested: usize, counts: RunCounts) -> String {
    let noun = |n: i64| if n == 1 { "operation" } else { "operations" };
    if counts.rows == 0 {
        return "None of these operations waits for synchronization: they are synced or not uploaded yet."
            .to_string();
    }
    let mut summary = format!(
        "Synchronized {} {}: {} synced, {} failed.",
        counts.rows,
        noun(counts.rows),
        counts.succeeded,
        counts.failed
    );
    let waiting = counts.waiting();
    if waiting > 0 {
        summary.push_str(&format!(
            " {waiting} still {} for an earlier operation of its customer.",
            if waiting == 1 { "waits" } else { "wait" }
        ));
    }
    let skipped = requested as i64 - counts.rows;
    if skipped > 0 {
        summary.push_str(&format!(
            " {skipped} {} skipped: synced already or not uploaded yet.",
            if skipped == 1 { "was" } else { "were" }
        ));
    }
    summary
}

#[server(output = crate::wire::JsonText)]
pub async fn load_operation_detail(operation_id: String) -> Result<OperationDetail, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        crate::error::check_key("An operation id", &operation_id, crate::error::MAX_KEY)?;
        crate::services::cdx::operation_detail(&backend.channel, &backend.hq, &operation_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound(format!("There is no operation {operation_id}.")))
    };
    respond(result.await)
}

/// Save: checks the corrected customer with the POS's rules and stores it
/// in HQ's staged rows, recording who changed what.
/// `edits_seen` is how many edits the operation had when the admin's page
/// read it (`OperationDetail::edits_seen`).
#[server(input = Json, output = crate::wire::JsonText)]
pub async fn save_operation(
    operation_id: String,
    edits_seen: i64,
    draft: CustomerDraft,
) -> Result<String, AppError> {
    use crate::api::respond::respond;
    respond(save(&operation_id, edits_seen, &draft).await)
}

/// Save's form posted by the browser itself (before the page's code has
/// loaded, or with JavaScript off); then the operation's page again.
#[server(output = crate::wire::JsonText)]
pub async fn post_operation_save(
    operation_id: String,
    #[server(default)] edits_seen: i64,
    #[server(default)] draft: CustomerDraft,
) -> Result<String, AppError> {
    use crate::api::refused_posts::{PostedValues, keep_when_refused};
    use crate::api::respond::{redirect_form_post, respond};
    use crate::domain::status_page::PATH;
    use leptos::server_fn::ServerFn;
    let draft = draft.without_blank_attributes();
    let saved = save(&operation_id, edits_seen, &draft).await;
    let posted = PostedValues::OperationSave {
        operation_id: operation_id.clone(),
        draft,
    };
    keep_when_refused(&saved, PostOperationSave::PATH, posted).await;
    if saved.is_ok() {
        redirect_form_post(&format!("{PATH}/{operation_id}"));
    }
    respond(saved)
}

#[cfg(feature = "ssr")]
async fn save(operation_id: &str, edits_seen: i64, draft: &CustomerDraft) -> Result<String, AppError> {
    use crate::api::respond::authorize_user;
    use crate::domain::access::Access;
    use crate::domain::customer::{ChangedFields, CustomerField, ReferenceData, validate_customer};
    use crate::domain::operation_detail::describe_changes;
    use crate::domain::records::OperationKind;
    use crate::error::internal;
    let (backend, admin) = authorize_user(Access::Admin).await?;
    crate::error::check_key("An operation id", operation_id, crate::error::MAX_KEY)?;
    let current = backend
        .hq
        .uploaded_operation(operation_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound(format!("Operation {operation_id} is not in HQ yet.")))?;
    if current.kind == OperationKind::AddAddress {
        return Err(AppError::Refused(
            "An address addition cannot be edited here; correct the customer in the POS.".to_string(),
        ));
    }
    let reference = ReferenceData {
        customer_groups: backend.hq.customer_group_options().await.map_err(internal)?,
        default_customer_group: current.customer.customer_group.clone(),
    };
    let valid = validate_customer(draft, &reference, false).map_err(AppError::Invalid)?;
    let changes = describe_changes(&current.customer, valid.get());
    // The admin's corrections apply with the fields the update changed.
    let changed = current
        .changed_fields
        .union(ChangedFields::between(&current.customer, valid.get()));
    refuse_unless_saved(
        backend
            .hq
            .correction_state(operation_id, edits_seen)
            .await
            .map_err(internal)?,
    )?;
    let holder = crate::services::sync::email_holder_for_correction(
        &backend.hq,
        &current,
        valid.get(),
        changed,
        backend.settings.require_unique_email,
    )
    .await
    .map_err(internal)?;
    if let Some(account) = holder {
        let mut fields = crate::error::FieldErrors::default();
        fields.add(
            CustomerField::Email.column(),
            format!("Customer {account} already has this email, and HQ requires unique emails."),
        );
        return Err(AppError::Invalid(fields));
    }
    // Checked after the email: Save with nothing changed on a create that
    // failed for its email says why Synchronize would fail again.
    if changes.is_empty() {
        return Ok("Nothing changed.".to_string());
    }
    let saved = backend
        .hq
        .save_operation_edit(
            operation_id,
            edits_seen,
            &valid,
            changed,
            (&admin.display_name, &changes.join("\n")),
        )
        .await
        .map_err(internal)?;
    refuse_unless_saved(saved)?;
    Ok(format!(
        "Saved ({}). Synchronize to apply it.",
        changes.join("; ")
    ))
}

/// Save's refusal when the operation was synced, or corrected by someone
/// else, since the admin's copy was read.
#[cfg(feature = "ssr")]
fn refuse_unless_saved(state: crate::storage::hq_db::EditSaved) -> Result<(), AppError> {
    use crate::storage::hq_db::EditSaved;
    match state {
        EditSaved::Saved => Ok(()),
        EditSaved::Completed => Err(AppError::Refused(
            "This operation is synced already, so it can no longer be edited.".to_string(),
        )),
        EditSaved::ChangedMeanwhile => Err(AppError::Refused(
            "Another correction of this operation was saved since you opened it, so yours was not saved. \
             The Timeline shows what it changed: check the form, then Save again."
                .to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(rows: i64, succeeded: i64, failed: i64) -> RunCounts {
        RunCounts {
            rows,
            succeeded,
            failed,
        }
    }

    #[test]
    fn the_summary_names_what_synced_failed_waited_and_was_skipped() {
        assert_eq!(
            synchronize_summary(3, counts(3, 2, 1)),
            "Synchronized 3 operations: 2 synced, 1 failed."
        );
        assert_eq!(
            synchronize_summary(4, counts(2, 1, 0)),
            "Synchronized 2 operations: 1 synced, 0 failed. 1 still waits for an earlier operation of its \
             customer. 2 were skipped: synced already or not uploaded yet."
        );
        assert!(synchronize_summary(1, counts(0, 0, 0)).starts_with("None of these operations"));
    }
}
