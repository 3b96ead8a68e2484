//! HQ Troubleshoot: answers the questions of asynchronous customer mode from
//! the live state, each with the action that fixes it.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::hq::jobs::RunJobNow;
use crate::api::hq::troubleshoot::{FlushChannelCache, RECEIPT_FIELD, find_sale, troubleshoot};
use crate::domain::diagnosis::Blocker;
use crate::domain::operation::{OperationStatus, display_time};
use crate::domain::status_page::StatusView;
use crate::domain::troubleshoot::TroubleshootReport;
use crate::error::AppError;
use crate::views::hq::sync_status::PATH as STATUS_PAGE;
use crate::views::ui::{ErrorNote, FieldMessage, ServerForm, loaded};

#[component]
pub fn TroubleshootPage() -> impl IntoView {
    let run = ServerAction::<RunJobNow>::new();
    let flush = ServerAction::<FlushChannelCache>::new();
    let report = Resource::new(
        move || (run.version().get(), flush.version().get()),
        |_| troubleshoot(),
    );
    let actions = Actions { run, flush };
    view! {
        <Title text="Troubleshoot - custsync" />
        <h1>"Troubleshoot asynchronous customer mode"</h1>
        <div role="status" class="run-result">
            {move || match run.value().get() {
                Some(Ok(done)) => Some(view! { <p class="confirmation">{format!("Run {} of {} finished: {}.", done.run_id, done.job, done.outcome)}</p> }.into_any()),
                Some(Err(error)) => Some(view! { <ErrorNote error /> }.into_any()),
                None => None,
            }}
            {move || flush.value().get().map(|result| match result {
                Ok(()) => view! { <p class="confirmation">"The channel's configuration cache was flushed; the next operation reads the channel copy."</p> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
        </div>
        <Transition fallback=|| view! { <p>"Reading the live state…"</p> }>
            {move || Suspend::new(async move {
                loaded(report.await, move |report| view! {
                    <EditingQuestion report=report.clone() />
                    <RealtimeQuestion report=report.clone() actions />
                    <HqQuestion report=report.clone() actions />
                    <FailedQuestion failed=report.failed />
                    <OrderQuestion report=report.clone() actions />
                })
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    run: ServerAction<RunJobNow>,
    flush: ServerAction<FlushChannelCache>,
}

#[component]
fn RunButton(actions: Actions, job: &'static str, caption: &'static str) -> impl IntoView {
    view! {
        <ServerForm action=actions.run args=move || RunJobNow { job: job.to_string() } class="inline-action">
            <input type="hidden" name="job" value=job />
            <button type="submit">{caption}</button>
        </ServerForm>
    }
}

#[component]
fn FlushButton(actions: Actions) -> impl IntoView {
    view! {
        <ServerForm action=actions.flush args=|| FlushChannelCache {} class="inline-action">
            <button type="submit">"Flush channel cache"</button>
        </ServerForm>
    }
}

#[component]
fn EditingQuestion(report: TroubleshootReport) -> impl IntoView {
    let answer = if report.editing_enabled {
        "It is enabled.".to_string()
    } else if report.editing_missing.is_empty() {
        "Nothing prevents it: all its prerequisites are enabled. Enable it in Feature management.".to_string()
    } else {
        format!(
            "Its prerequisites must be enabled first: {}.",
            report
                .editing_missing
                .iter()
                .map(|m| format!("\"{m}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    view! {
        <section aria-labelledby="q1">
            <h2 id="q1">"Why can't I enable \"Enable editing customers in asynchronous mode\"?"</h2>
            <p class="answer">{answer}</p>
            <p><a href="/hq/feature-management">"Open Feature management"</a></p>
        </section>
    }
}

#[component]
fn RealtimeQuestion(report: TroubleshootReport, actions: Actions) -> impl IntoView {
    view! {
        <section aria-labelledby="q2">
            <h2 id="q2">"Why do I still see real-time service calls?"</h2>
            <div class="finding">
                <span>{format!(
                    "The channel's configuration cache is {} s old (read again after {} s).",
                    report.cache_age_seconds, report.cache_ttl_seconds
                )}</span>
                <FlushButton actions />
            </div>
            <ul class="findings">
                {report.evidence.into_iter().map(|evidence| {
                    let blocker = evidence.blocker();
                    let job = evidence.job.clone();
                    view! {
                        <li class=if blocker == Blocker::None { "finding ok" } else { "finding" }>
                            <span>{evidence.explain()}</span>
                            {match blocker {
                                Blocker::OffInHq if evidence.channel.is_some() => view! { <a href="/hq/functionality-profiles">"Open Functionality profiles"</a> }.into_any(),
                                Blocker::OffInHq => view! { <a href="/hq/feature-management">"Open Feature management"</a> }.into_any(),
                                Blocker::JobNotRunSinceChange if job == "1070" => view! { <RunButton actions job="1070" caption="Run 1070 now" /> }.into_any(),
                                Blocker::JobNotRunSinceChange => view! { <RunButton actions job="1110" caption="Run 1110 now" /> }.into_any(),
                                Blocker::CacheNotExpired => view! { <FlushButton actions /> }.into_any(),
                                Blocker::None => ().into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p>{format!(
                "{} customer create(s) fell back to asynchronous mode because HQ or the register could not be reached, and still wait for the P-job and the sync.",
                report.fallback_waiting
            )}</p>
            <p><a href="/hq/real-time-service-calls">"Open Real-time service calls"</a></p>
        </section>
    }
}

#[component]
fn HqQuestion(report: TroubleshootReport, actions: Actions) -> impl IntoView {
    let last = |code: &str| {
        report
            .jobs
            .iter()
            .find(|j| j.code == code)
            .map(|j| {
                let last = j
                    .last_started
                    .as_deref()
                    .map(display_time)
                    .unwrap_or_else(|| "never".to_string());
                let schedule = if j.schedule_minutes == 0 {
                    "not scheduled".to_string()
                } else {
                    format!("every {} min", j.schedule_minutes)
                };
                format!("{} last ran {last} ({schedule})", j.name)
            })
            .unwrap_or_default()
    };
    view! {
        <section aria-labelledby="q3">
            <h2 id="q3">"Why doesn't HQ show the customers created in the POS or online?"</h2>
            <ul class="findings">
                <li class=if report.pending_upload == 0 { "finding ok" } else { "finding" }>
                    <span>
                        <OperationCount count=report.pending_upload status=OperationStatus::PendingUpload />
                        {format!(" {} in the channel for the P-job. {}.", wait(report.pending_upload), last("P-0001"))}
                    </span>
                    {(report.pending_upload > 0).then(|| view! { <RunButton actions job="P-0001" caption="Run P-job now" /> })}
                </li>
                <li class=if report.pending_sync == 0 { "finding ok" } else { "finding" }>
                    <span>
                        <OperationCount count=report.pending_sync status=OperationStatus::PendingSync />
                        {format!(" uploaded to HQ {} for \"Synchronize customers and channel requests\". {}.", wait(report.pending_sync), last("SYNCCUST"))}
                    </span>
                    {(report.pending_sync > 0).then(|| view! { <RunButton actions job="SYNCCUST" caption="Run sync now" /> })}
                </li>
                <li class=if report.customers_not_downloaded == 0 { "finding ok" } else { "finding" }>
                    <span>{match report.customers_not_downloaded {
                        0 => format!("Job 1010 brings new accounts back to the channels: this scale unit's stores have them all. {}.", last("1010")),
                        waiting => format!(
                            "{waiting} {} created or changed in HQ since job 1010 last ran on this scale unit {} not yet at the registers of its stores. {}.",
                            if waiting == 1 { "customer" } else { "customers" },
                            if waiting == 1 { "is" } else { "are" },
                            last("1010"),
                        ),
                    }}</span>
                    <RunButton actions job="1010" caption="Run 1010 now" />
                </li>
            </ul>
        </section>
    }
}

#[component]
fn FailedQuestion(failed: i64) -> impl IntoView {
    view! {
        <section aria-labelledby="q4">
            <h2 id="q4">"Which asynchronous operation failed, and how do I fix it?"</h2>
            <p class="answer">{if failed == 0 {
                view! { "No operation has failed." }.into_any()
            } else {
                view! {
                    <OperationCount count=failed status=OperationStatus::Failed />
                    " failed. Open each from the list to read its error, fix it and synchronize it again."
                }
                .into_any()
            }}</p>
            <p><a href="/hq/customer-synchronization-status">"Open Customer synchronization status"</a></p>
        </section>
    }
}

/// Why a sale made at a register is not in HQ yet: still in the channel,
/// uploaded and not yet settled, or waiting for its customer.
#[component]
fn OrderQuestion(report: TroubleshootReport, actions: Actions) -> impl IntoView {
    view! {
        <section aria-labelledby="q5">
            <h2 id="q5">"Why is this order not in HQ?"</h2>
            <ul class="findings">
                <li class=if report.sales_pending_upload == 0 { "finding ok" } else { "finding" }>
                    <span>{format!("{} in this scale unit's channel database for the P-job.", sales_wait(report.sales_pending_upload))}</span>
                    {(report.sales_pending_upload > 0).then(|| view! { <RunButton actions job="P-0001" caption="Run P-job now" /> })}
                </li>
                <li class=if report.sales_open == 0 { "finding ok" } else { "finding" }>
                    <span>{format!("{} in HQ for \"Synchronize orders\".", sales_wait(report.sales_open))}</span>
                    {(report.sales_open > 0).then(|| view! { <RunButton actions job="SYNCORD" caption="Run Synchronize orders now" /> })}
                </li>
            </ul>
            {(!report.sales_waiting.is_empty()).then(|| view! {
                <table>
                    <caption>"Sales waiting for their customer, newest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Receipt"</th>
                            <th scope="col">"Store"</th>
                            <th scope="col">"Type"</th>
                            <th scope="col">"Why it waits"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {report.sales_waiting.into_iter().map(|sale| view! {
                            <tr>
                                <td>{sale.receipt_number}</td>
                                <td>{sale.channel}</td>
                                <td>{sale.kind.caption()}</td>
                                <td>{sale.reason}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            <FindSale />
            <p><a href="/hq/sales-orders">"Open Sales orders"</a></p>
        </section>
    }
}

/// One sale looked up by its receipt number. A plain GET form: the
/// receipt goes in the page's address, so it works before the page's code
/// has loaded, and the answer can be shared as a link.
#[component]
fn FindSale() -> impl IntoView {
    let receipt = move || leptos_router::hooks::use_query_map().with(|query| query.get(RECEIPT_FIELD));
    let answer = Resource::new(receipt, |receipt| async move {
        match receipt {
            Some(receipt) => Some(find_sale(receipt).await),
            None => None,
        }
    });
    // The form is drawn with the answer: a receipt number refused is said
    // beside its field, which has the focus then. Until the answer is read,
    // the form stands alone.
    view! {
        <Transition fallback=|| view! { <ReceiptForm mistake=None /> }>
            {move || Suspend::new(async move {
                let answer = answer.await;
                let mistake = match &answer {
                    Some(Err(AppError::Invalid(fields))) => fields.get(RECEIPT_FIELD).map(str::to_string),
                    _ => None,
                };
                let note = match answer {
                    Some(Ok(text)) => Some(view! { <p class="answer" role="status">{text}</p> }.into_any()),
                    Some(Err(AppError::Invalid(_))) | None => None,
                    Some(Err(error)) => Some(view! { <ErrorNote error /> }.into_any()),
                };
                view! {
                    <ReceiptForm mistake />
                    {note}
                }
            })}
        </Transition>
    }
}

/// Find a sale's form, with what was refused in its receipt number.
#[component]
fn ReceiptForm(mistake: Option<String>) -> impl IntoView {
    let receipt = move || leptos_router::hooks::use_query_map().with(|query| query.get(RECEIPT_FIELD));
    view! {
        <form method="get" action="/hq/troubleshoot" class="inline-action">
            <div class="field">
                <label for="find-receipt">"Receipt number"</label>
                <input id="find-receipt" name=RECEIPT_FIELD maxlength="64" value=receipt placeholder="0001-01-000017"
                    aria-describedby="find-receipt-message" aria-invalid=mistake.is_some().to_string()
                    autofocus=mistake.is_some() />
                <FieldMessage id="find-receipt-message" message=Signal::stored(mistake) />
            </div>
            <button type="submit">"Find"</button>
        </form>
    }
}

/// "No sale waits", "1 sale waits", "3 sales wait".
fn sales_wait(count: i64) -> String {
    match count {
        0 => "No sale waits".to_string(),
        1 => "1 sale waits".to_string(),
        _ => format!("{count} sales wait"),
    }
}

/// The verb after `OperationCount`: "1 operation waits", "3 operations wait".
fn wait(count: i64) -> &'static str {
    if count == 1 { "waits" } else { "wait" }
}

/// "3 operations", linking to the status page's list of them.
#[component]
fn OperationCount(count: i64, status: OperationStatus) -> impl IntoView {
    let caption = if count == 1 {
        "1 operation".to_string()
    } else {
        format!("{count} operations")
    };
    let list = StatusView::default().with_status(Some(status));
    view! { <a href=format!("{STATUS_PAGE}{}", list.to_query())>{caption}</a> }
}
