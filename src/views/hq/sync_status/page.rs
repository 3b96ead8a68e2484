//! The Customer synchronization status page: counts per status, filters,
//! the list with its keyset pages, and the bulk actions.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::PATH;
use super::trend::BacklogPlots;
use crate::api::hq::sync_status::{
    SynchronizeAllFailed, SynchronizeOperations, load_status_page, status_page_filters,
};
use crate::domain::operation::OperationStatus;
use crate::domain::records::OperationKind;
use crate::domain::status_page::{self, Cursor, FilterOptions, StatusPage, StatusRow, StatusView};
use crate::error::AppError;
use crate::views::hq::customers::customer_path;
use crate::views::ui::{
    ActionAnswer, ErrorNote, FieldMessage, LastAnswer, ServerForm, StatusBadge, Time, cancel_on_escape,
    drop_from_address_once_closed, leave_out_empty_fields, refocus_when_lost, reset_form_when_filters_change,
};

/// How often the list reads itself again, to follow a running batch.
const REFRESH_EVERY: Duration = Duration::from_secs(2);

#[component]
pub fn SyncStatusPage() -> impl IntoView {
    let query = use_query_map();
    let view = Memo::new(move |_| StatusView::from_query(|key| query.read().get(key)));
    let synchronize = ServerAction::<SynchronizeOperations>::new();
    let synchronize_failed = ServerAction::<SynchronizeAllFailed>::new();
    let refresh = RwSignal::new(0_u32);
    let page = Resource::new(
        move || {
            (
                view.get(),
                refresh.get(),
                synchronize.version().get(),
                synchronize_failed.version().get(),
            )
        },
        |(view, _, _, _)| load_status_page(view),
    );
    // In the browser only (effects do not run on the server): read the list
    // again on a fixed beat until the page goes.
    Effect::new(move |_| {
        let beat = set_interval_with_handle(
            move || {
                let _ = refresh.try_update(|n| *n += 1);
            },
            REFRESH_EVERY,
        );
        if let Ok(beat) = beat {
            on_cleanup(move || beat.clear());
        }
    });
    let last_page = LastAnswer::default();
    let options = Resource::new(|| (), |_| status_page_filters());
    // Paging keeps the filters, and what the admin typed in the form.
    let filters = Memo::new(move |_| view.get().first_page());
    reset_form_when_filters_change(FILTER_FORM, filters);
    let selected = RwSignal::new(HashSet::<String>::new());
    // The operations of the page shown that Synchronize takes.
    let selectable = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        view.track();
        selected.set(HashSet::new());
    });
    // Synchronize sends what the admin sees ticked: an operation that has
    // left the page (synced, or pushed to the next page by newer ones) or
    // can no longer be synchronized is no longer selected.
    Effect::new(move |_| {
        let Some(Ok(shown)) = page.get() else {
            return;
        };
        let ids: Vec<String> = shown
            .rows
            .iter()
            .filter(|row| row.can_synchronize())
            .map(|row| row.operation_id.clone())
            .collect();
        if selected.with_untracked(|ticked| ticked.iter().any(|id| !ids.contains(id))) {
            selected.update(|ticked| ticked.retain(|id| ids.contains(id)));
        }
        if selectable.with_untracked(|before| *before != ids) {
            selectable.set(ids);
        }
    });

    view! {
        <Title text="Customer synchronization status - custsync" />
        <p class="breadcrumb">"Retail and Commerce › Customers"</p>
        <h1>"Customer synchronization status"</h1>
        // The form and the actions stay put while the list below refreshes,
        // so typing and a pending confirmation are never swept away.
        {move || view! { <FilterForm view=filters.get() options /> }}
        <BulkActions view selected selectable page synchronize synchronize_failed />
        <Transition fallback=|| view! { <p>"Loading operations…"</p> }>
            {move || Suspend::new(async move {
                let answer = page.await;
                let current = view.get_untracked();
                last_page.show(current.clone(), answer, false, move |page| {
                    view! {
                        <StatusCountLinks view=current.clone() page=page.clone() />
                        <OperationTable rows=page.rows.clone() selected />
                        <Pager view=current page />
                    }
                })
            })}
        </Transition>
        <BacklogPlots refresh />
    }
}

/// The count of each status, each a link to the list filtered by it.
#[component]
fn StatusCountLinks(view: StatusView, page: StatusPage) -> impl IntoView {
    let link = |status: Option<OperationStatus>, caption: &'static str, count: i64| {
        let href = format!("{PATH}{}", view.with_status(status).to_query());
        let current = (view.status == status).then_some("page");
        view! {
            <li>
                <a href=href aria-current=current>
                    <span class="count-caption">{caption}</span>
                    " "
                    <span class="count">{count}</span>
                </a>
            </li>
        }
    };
    view! {
        <nav aria-label="Operations by status">
            <ul class="status-counts">
                {link(None, "All", page.counts.total())}
                {OperationStatus::ALL
                    .into_iter()
                    .map(|status| link(Some(status), status.caption(), page.counts.of(status)))
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn FilterForm(view: StatusView, options: Resource<Result<FilterOptions, AppError>>) -> impl IntoView {
    let status = view.status;
    let operation = view.operation;
    let scale_unit = view.scale_unit.clone();
    let day_errors = view.day_errors();
    view! {
        <Form method="GET" action=PATH attr:id=FILTER_FORM attr:class="status-filters" on_form_data=Arc::new(leave_out_empty_fields)>
            <label for="status-search">"Search"</label>
            <input id="status-search" name="q" type="search" maxlength=status_page::MAX_SEARCH.to_string() value=view.search.clone()
                placeholder="Name, email, phone, temporary id or account" />
            <label for="status-filter">"Status"</label>
            <select id="status-filter" name="status">
                <option value="" selected=status.is_none()>"All statuses"</option>
                {OperationStatus::ALL
                    .into_iter()
                    .map(|option| view! {
                        <option value=option.code() selected=status == Some(option)>{option.caption()}</option>
                    })
                    .collect_view()}
            </select>
            <label for="channel-filter">"Channel"</label>
            <select id="channel-filter" name="channel">
                <option value="" selected=view.channel_id.is_none()>"All channels"</option>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        options
                            .await
                            .unwrap_or_default()
                            .channels
                            .into_iter()
                            .map(|channel| view! {
                                <option value=channel.channel_id.to_string()
                                    selected=view.channel_id == Some(channel.channel_id)>
                                    {channel.name}
                                </option>
                            })
                            .collect_view()
                    })}
                </Transition>
            </select>
            <label for="scale-unit-filter">"Scale unit"</label>
            <select id="scale-unit-filter" name="unit">
                <option value="" selected=view.scale_unit.is_none()>"All scale units"</option>
                <Transition fallback=|| ()>
                    {move || {
                        let chosen = scale_unit.clone();
                        Suspend::new(async move {
                            options
                                .await
                                .unwrap_or_default()
                                .scale_units
                                .into_iter()
                                .map(|unit| {
                                    let selected = chosen.as_deref() == Some(unit.as_str());
                                    let caption = unit.clone();
                                    view! { <option value=unit selected=selected>{caption}</option> }
                                })
                                .collect_view()
                        })
                    }}
                </Transition>
            </select>
            <label for="operation-filter">"Operation"</label>
            <select id="operation-filter" name="operation">
                <option value="" selected=operation.is_none()>"All operations"</option>
                {[OperationKind::Create, OperationKind::Update, OperationKind::AddAddress]
                    .into_iter()
                    .map(|kind| view! {
                        <option value=kind.code() selected=operation == Some(kind)>{kind.caption()}</option>
                    })
                    .collect_view()}
            </select>
            <label for="from-filter">"Created from"</label>
            <input id="from-filter" name="from" type="date" value=view.from.clone()
                aria-describedby="from-filter-message" aria-invalid=day_errors.get("from").is_some().to_string() />
            <FieldMessage id="from-filter-message" message=Signal::stored(day_errors.get("from").map(str::to_string)) />
            <label for="to-filter">"Created to"</label>
            <input id="to-filter" name="to" type="date" value=view.to.clone()
                aria-describedby="to-filter-message" aria-invalid=day_errors.get("to").is_some().to_string() />
            <FieldMessage id="to-filter-message" message=Signal::stored(day_errors.get("to").map(str::to_string)) />
            <label for="order-filter">"Sort by time"</label>
            <select id="order-filter" name="order">
                <option value="" selected=!view.oldest_first>"Newest first"</option>
                <option value="oldest" selected=view.oldest_first>"Oldest first"</option>
            </select>
            <button type="submit">"Apply filters"</button>
        </Form>
    }
}

/// The filters' form.
const FILTER_FORM: &str = "status-filters";

/// The form the list's boxes belong to, wherever they are in the page.
const SELECTION_FORM: &str = "synchronize-selected";

/// The query parameter that opens the page with "Synchronize all failed"
/// waiting for its confirmation, as its button does without JavaScript.
const CONFIRM: (&str, &str) = ("confirm", "all-failed");

/// Hidden fields carrying the view's filters, named by `name`.
fn view_fields(view: StatusView, name: impl Fn(&str) -> String) -> impl IntoView {
    view.first_page()
        .query_pairs()
        .into_iter()
        .map(|(key, value)| view! { <input type="hidden" name=name(key) value=value /> })
        .collect_view()
}

#[component]
fn BulkActions(
    view: Memo<StatusView>,
    selected: RwSignal<HashSet<String>>,
    selectable: RwSignal<Vec<String>>,
    page: Resource<Result<StatusPage, AppError>>,
    synchronize: ServerAction<SynchronizeOperations>,
    synchronize_failed: ServerAction<SynchronizeAllFailed>,
) -> impl IntoView {
    let query = use_query_map();
    let confirming = RwSignal::new(query.read_untracked().get(CONFIRM.0).as_deref() == Some(CONFIRM.1));
    Effect::new(move |_| {
        if synchronize_failed.pending().get() {
            confirming.set(false);
        }
    });
    let export = move || format!("{PATH}.csv{}", view.get().first_page().to_query());
    // The answer of the action the page's code sent last. The answer of the
    // browser's own post (without JavaScript) is said at the top of the
    // page (`ui::PostedRefusal`), not here again.
    let all_failed_last = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        if synchronize.pending().get() {
            all_failed_last.set(Some(false));
        }
    });
    Effect::new(move |_| {
        if synchronize_failed.pending().get() {
            all_failed_last.set(Some(true));
        }
    });
    // An answer is about the view it was given in: another view (filters
    // applied, another page) no longer shows it.
    Effect::new(move |before: Option<StatusView>| {
        let now = view.get();
        if before.is_some_and(|before| before != now) {
            all_failed_last.set(None);
        }
        now
    });
    let answer = Signal::derive(move || match all_failed_last.get()? {
        true => synchronize_failed.value().get(),
        false => synchronize.value().get(),
    });
    let close = Some(Callback::new(move |()| confirming.set(false)));
    drop_from_address_once_closed(confirming, CONFIRM);
    // The confirmation takes the focus as it opens (on Cancel, the choice
    // that changes nothing), so the keyboard and Escape reach it, and gives
    // it back to its button as it closes.
    let cancel_button = NodeRef::<leptos::html::Button>::new();
    let all_failed_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |was_confirming: Option<bool>| {
        let now = confirming.get();
        if was_confirming.is_some_and(|was| was != now) {
            let button = if now { cancel_button } else { all_failed_button };
            request_animation_frame(move || {
                if let Some(button) = button.get_untracked() {
                    let _ = button.focus();
                }
            });
        }
        now
    });
    let operations = |n: i64| if n == 1 { "operation" } else { "operations" };
    // The box that ticks all of `selectable` needs the page's code, so it
    // shows once the page has hydrated.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let all_ticked = move || {
        selectable
            .with(|ids| !ids.is_empty() && selected.with(|ticked| ids.iter().all(|id| ticked.contains(id))))
    };
    let some_ticked =
        move || selectable.with(|ids| selected.with(|ticked| ids.iter().any(|id| ticked.contains(id))));
    let tick_all = move |event: leptos::ev::Event| {
        let on = event_target_checked(&event);
        let ids = selectable.get_untracked();
        selected.update(|ticked| {
            for id in ids {
                if on {
                    ticked.insert(id);
                } else {
                    ticked.remove(&id);
                }
            }
        });
    };
    // Once synchronized, what was sent is no longer ticked: one that failed
    // again, left ticked, would fail the same way at the next press. What
    // was ticked meanwhile stays.
    let sent = StoredValue::new(Vec::<String>::new());
    let selection = move || {
        let operation_ids: Vec<String> = selected.get_untracked().into_iter().collect();
        sent.set_value(operation_ids.clone());
        SynchronizeOperations { operation_ids }
    };
    Effect::new(move |_| {
        if matches!(synchronize.value().get(), Some(Ok(_))) {
            let done = sent.get_value();
            selected.update(|ticked| ticked.retain(|id| !done.contains(id)));
        }
    });
    let all_failed = move || SynchronizeAllFailed {
        filters: view
            .get_untracked()
            .first_page()
            .query_pairs()
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
            .collect(),
    };
    let show_confirmation = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !synchronize_failed.pending().get_untracked() {
            confirming.set(true);
        }
    };
    let cancel = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        confirming.set(false);
    };
    view! {
        <div class="bulk-actions" on:keydown=move |ev| if confirming.get_untracked() { cancel_on_escape(close)(ev) }>
            // Offered where the list can show operations it takes: a list of
            // synced operations, or of those not uploaded yet, has none.
            <Show when=move || view.get().status.is_none_or(OperationStatus::can_synchronize)>
                <ServerForm action=synchronize args=selection id=SELECTION_FORM class="inline-action" one_at_a_time=true>
                    <button type="submit" aria-disabled=move || synchronize.pending().get().then_some("true")>"Synchronize"</button>
                </ServerForm>
                <Show when=move || hydrated.get() && !selectable.read().is_empty()>
                    <span class="select-page">
                        <input type="checkbox" id="select-page" prop:checked=all_ticked
                            prop:indeterminate=move || !all_ticked() && some_ticked() on:change=tick_all />
                        <label for="select-page">"Select all on this page"</label>
                    </span>
                </Show>
                <span class="selection">{move || format!("{} selected", selected.read().len())}</span>
            </Show>
            // Offered where the list can show failed operations: it acts on
            // the failed ones of the view's other filters, which a list of
            // another status does not show.
            <Show when=move || matches!(view.get().status, None | Some(OperationStatus::Failed))>
                <form method="get" action=PATH class="inline-action" on:submit=show_confirmation>
                    {move || view_fields(view.get(), str::to_string)}
                    <button type="submit" name=CONFIRM.0 value=CONFIRM.1 node_ref=all_failed_button
                        aria-disabled=move || synchronize_failed.pending().get().then_some("true")>
                        "Synchronize all failed"
                    </button>
                </form>
            </Show>
            <a href=export download="customer-synchronization-status.csv">"Export to CSV"</a>
        </div>
        <Show when=move || confirming.get()>
            <div class="confirm-dialog" role="alertdialog" aria-labelledby="confirm-all-failed"
                on:keydown=cancel_on_escape(close)>
                <Transition fallback=|| view! { <p id="confirm-all-failed">"…"</p> }>
                    {move || Suspend::new(async move {
                        let failed = match page.await {
                            Ok(page) => page.counts.failed,
                            Err(error) => {
                                return view! {
                                    <p id="confirm-all-failed">"The failed operations of this view could not be read."</p>
                                    <ErrorNote error />
                                }
                                .into_any();
                            }
                        };
                        if failed == 0 {
                            return view! {
                                <p id="confirm-all-failed">"No operation in this view has failed: there is nothing to synchronize."</p>
                            }
                            .into_any();
                        }
                        view! {
                            <p id="confirm-all-failed">
                                {format!("Synchronize all {failed} failed {} in this view?", operations(failed))}
                            </p>
                            <ServerForm action=synchronize_failed args=all_failed class="inline-action">
                                {move || view_fields(view.get(), |key| format!("filters[{key}]"))}
                                <button type="submit">{format!("Synchronize {failed} failed")}</button>
                            </ServerForm>
                        }
                        .into_any()
                    })}
                </Transition>
                <form method="get" action=PATH class="inline-action" on:submit=cancel>
                    {move || view_fields(view.get(), str::to_string)}
                    <button type="submit" node_ref=cancel_button>"Cancel"</button>
                </form>
            </div>
        </Show>
        <ActionAnswer answer />
    }
}

#[component]
fn OperationTable(rows: Vec<StatusRow>, selected: RwSignal<HashSet<String>>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p>"No asynchronous customer operations in this view."</p> }.into_any();
    }
    view! {
        <table class="operations">
            <caption>"Asynchronous customer operations"</caption>
            <thead>
                <tr>
                    <th scope="col">"Select"</th>
                    <th scope="col">"Operation"</th>
                    <th scope="col">"Channel"</th>
                    <th scope="col">"Scale unit"</th>
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
                {rows.into_iter().map(|row| view! { <OperationRow row selected /> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn OperationRow(row: StatusRow, selected: RwSignal<HashSet<String>>) -> impl IntoView {
    let select = row.can_synchronize().then(|| {
        let id = row.operation_id.clone();
        let checkbox_id = format!("select-{id}");
        // Named by the operation's own id: a customer's create and changes
        // share its temporary id, and two changes its name.
        let whose = if row.name.is_empty() {
            String::new()
        } else {
            format!(" of {}", row.name)
        };
        let label = format!("Select {}{whose} ({})", row.operation, row.operation_id);
        let checked_id = id.clone();
        view! {
            <input type="checkbox" id=checkbox_id.clone()
                form=SELECTION_FORM name="operation_ids[]" value=id.clone()
                prop:checked=move || selected.read().contains(&checked_id)
                on:change=move |event| {
                    let on = event_target_checked(&event);
                    selected.update(|ids| {
                        if on {
                            ids.insert(id.clone());
                        } else {
                            ids.remove(&id);
                        }
                    });
                } />
            <label for=checkbox_id class="visually-hidden">{label}</label>
        }
    });
    view! {
        <tr>
            <td>{select}</td>
            <td><a href=format!("{PATH}/{}", row.operation_id)>{row.operation}</a></td>
            <td>{row.channel}</td>
            <td>{row.scale_unit}</td>
            <td><Time stored=row.created_at /></td>
            <td><code>{row.temporary_id}</code></td>
            <td>{row.account.map(|account| view! { <a href=customer_path(&account)>{account.clone()}</a> })}</td>
            <td>{row.name}</td>
            <td><StatusBadge status=row.status /></td>
            <td class="error-text">{row.error}</td>
            <td>{row.retries}</td>
            <td>{row.last_attempt.map(|at| view! { <Time stored=at /> })}</td>
        </tr>
    }
}

/// Previous and next page links, keyed on the first and last row shown.
/// A page left empty (its operations synced since its link was made) has
/// no row to key them on, so it links to the first page instead.
/// The pager's link made anew with the page it opened takes the focus of
/// the one followed, or the other one on the first or last page.
const AFTER_NEXT: &[&str] = &[r#"nav.pager a[rel="next"]"#, "nav.pager a"];
const AFTER_PREVIOUS: &[&str] = &[r#"nav.pager a[rel="prev"]"#, "nav.pager a"];

#[component]
fn Pager(view: StatusView, page: StatusPage) -> impl IntoView {
    let first = (page.rows.is_empty() && view.cursor.is_some())
        .then(|| format!("{PATH}{}", view.first_page().to_query()));
    let previous = page
        .previous
        .map(|key| format!("{PATH}{}", view.with_cursor(Cursor::Before(key)).to_query()));
    let next = page
        .next
        .map(|key| format!("{PATH}{}", view.with_cursor(Cursor::After(key)).to_query()));
    view! {
        <nav class="pager" aria-label="Pages">
            {first.map(|href| view! { <a href=href>"First page"</a> })}
            {previous.map(|href| view! {
                <a href=href rel="prev" on:click=|_| refocus_when_lost(AFTER_PREVIOUS)>"Previous page"</a>
            })}
            {next.map(|href| view! { <a href=href rel="next" on:click=|_| refocus_when_lost(AFTER_NEXT)>"Next page"</a> })}
        </nav>
    }
}
