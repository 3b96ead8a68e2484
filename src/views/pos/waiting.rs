//! What the register keeps in the browser while the store server cannot be
//! reached, and what it has sent since: the list a cashier checks after a
//! network drop.

use leptos::prelude::*;

use crate::api::channel_customers::channel_reference;
use crate::domain::customer::{ChangeOutcome, CreatedHow, CustomerDraft, ReferenceData, display_name};
use crate::domain::operation::{OperationId, OperationStatus};
use crate::domain::registers::pos_customer_path;
use crate::error::AppError;
use crate::views::code_on_demand::{DownloadTries, NotDownloaded, NotDownloadedNote, code_on_demand};
use crate::views::customer_form::{AtRegister, CustomerEditor, EditorMode};
use crate::views::customer_page::{OutboxForm, change_kept};
use crate::views::outbox::{
    Connection, KeptChange, KeptState, Outbox, Saved, SavedKind, Sent, Waiting, WaitingOperation,
    held_by_refusal, kept_create, kept_customer, new_operation_id, still_kept_message,
};
use crate::views::ui::{StatusBadge, focus_once_there, has_focus, loaded, or_none};

/// The store server's state as the register sees it, and the operations
/// kept in this browser or sent from it since the page opened.
#[component]
pub fn WaitingPanel(outbox: Outbox, register: String) -> impl IntoView {
    let reference_register = register.clone();
    // Asked for with the page: Edit of a kept customer needs it once the
    // network may have gone.
    let reference = Resource::new(
        || (),
        move |_| channel_reference(Some(reference_register.clone())),
    );
    let register = StoredValue::new(register);
    let kept_count = move || outbox.kept.with(Vec::len);
    let anything_to_list = move || kept_count() > 0 || outbox.delivered.with(|d| !d.is_empty());
    let tries = DownloadTries::new();
    let list = move || {
        tries.track();
        let props = WaitingListProps {
            outbox,
            register: register.get_value(),
            reference,
        };
        view! {
            <Suspense fallback=|| view! { <p>"Loading the list…"</p> }>
                {Suspend::new(async move {
                    match waiting_list_code(Some(props)).await {
                        Ok(list) => list.unwrap_or_else(|| ().into_any()),
                        Err(NotDownloaded) => {
                            view! { <NotDownloadedNote tries on_cancel=None /> }.into_any()
                        }
                    }
                })}
            </Suspense>
        }
    };
    view! {
        <section aria-labelledby="waiting-heading" class="waiting">
            <h2 id="waiting-heading" class="visually-hidden">"Store server"</h2>
            <p class="connection" aria-live="polite">
                "Store server: "
                <strong class=move || connection_class(outbox.connection.get())>
                    {move || outbox.connection.get().caption()}
                </strong>
                {move || match kept_count() {
                    0 => None,
                    1 => Some(" · 1 operation kept in this browser".to_string()),
                    n => Some(format!(" · {n} operations kept in this browser")),
                }}
            </p>
            <Show when=anything_to_list>{list}</Show>
        </section>
    }
}

/// What the list of kept and sent operations takes from its panel.
struct WaitingListProps {
    outbox: Outbox,
    register: String,
    reference: Resource<Result<ReferenceData, AppError>>,
}

code_on_demand! {
    custsync_waiting_list;
    /// The split point of the list: its code is downloaded after the page,
    /// with the outbox's, not with it. Without props, it only loads.
    fn waiting_list_code(props: Option<WaitingListProps>) -> Option<AnyView> {
        props.map(|props| waiting_list(props).into_any())
    }
}

/// Downloads the list's code without showing it, so that it shows once the
/// network has gone.
pub async fn preload_waiting_list() -> Result<(), NotDownloaded> {
    waiting_list_code(None).await.map(|_| ())
}

/// The operations kept in this browser and those sent since the page
/// opened, and the kept customer opened from them.
fn waiting_list(props: WaitingListProps) -> impl IntoView {
    let WaitingListProps {
        outbox,
        register,
        reference,
    } = props;
    let register = StoredValue::new(register);
    // The customer opened from the list, while its create is kept.
    let opened = RwSignal::new(None::<OperationId>);
    // The refused create being corrected, with the store's reason.
    let correcting = RwSignal::new(None::<(OperationId, String)>);
    view! {
        <table>
            <caption>"Kept in this browser"</caption>
            <thead>
                <tr>
                    <th scope="col">"Operation"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || kept_with_holds(&outbox.kept.get()) key=|(w, held)| (w.operation_id.clone(), w.refused.clone(), w.postponed.clone(), *held) let:kept>
                    <KeptRow outbox waiting=kept.0 held=kept.1 opened correcting />
                </For>
                <For each=move || outbox.delivered.get() key=|(w, _)| w.operation_id.clone() let:delivered>
                    <DeliveredRow waiting=delivered.0 sent=delivered.1 register=register.get_value() />
                </For>
            </tbody>
        </table>
        {move || opened.get().map(|id| view! {
            <KeptCustomer outbox id register=register.get_value() reference />
        })}
        {move || correcting.get().map(|(id, reason)| view! {
            <CorrectRefusedCreate outbox id reason reference on_done=Callback::new(move |()| correcting.set(None)) />
        })}
    }
}

/// Each kept operation, and whether a refusal of its customer holds it.
fn kept_with_holds(kept: &[Waiting]) -> Vec<(Waiting, bool)> {
    kept.iter()
        .map(|waiting| (waiting.clone(), held_by_refusal(kept, waiting)))
        .collect()
}

fn connection_class(connection: Connection) -> &'static str {
    match connection {
        Connection::Connected => "badge synced",
        Connection::BrowserOffline | Connection::NotAnswering => "badge failed",
    }
}

/// A kept operation; its row is made again when it is refused, postponed or
/// held (its key).
/// A kept create can be opened: the customer exists only in this browser.
#[component]
fn KeptRow(
    outbox: Outbox,
    waiting: Waiting,
    /// Whether a refused operation of its customer before it holds it.
    held: bool,
    opened: RwSignal<Option<OperationId>>,
    correcting: RwSignal<Option<(OperationId, String)>>,
) -> impl IntoView {
    let id = StoredValue::new(waiting.operation_id.clone());
    let name = waiting.operation.customer_name();
    let caption = waiting.operation.kind().caption();
    let is_create = matches!(waiting.operation, WaitingOperation::Create { .. });
    // A postponed operation was answered: the server did not carry it out,
    // and said why. The cashier may give up on it, as on a refused one.
    let is_postponed = waiting.postponed.is_some();
    let waiting_for = match (held, waiting.postponed) {
        (true, _) => view! {
            <span class="badge pending-upload">"Waiting"</span>
            " for the refused operation of this customer above: send it again or discard it, and this one follows."
        }
        .into_any(),
        (false, Some(reason)) => view! { <span class="badge pending-upload">"Waiting"</span> " " {reason} }.into_any(),
        (false, None) => view! { <span class="badge pending-upload">"Waiting for the store server"</span> }.into_any(),
    };
    let discard = move || {
        view! {
            <button type="button" class="secondary" on:click=move |_| change_kept(outbox, KeptChange::Discard(id.get_value()))>
                "Discard"
            </button>
        }
    };
    match waiting.refused {
        None => view! {
            <tr>
                <td>{caption}</td>
                <td>{name}</td>
                <td>{waiting_for}</td>
                <td>
                    {is_create.then(|| view! {
                        <button type="button" class="secondary" on:click=move |_| opened.set(Some(id.get_value()))>
                            "Open"
                        </button>
                    })}
                    {is_postponed.then(discard)}
                </td>
            </tr>
        }
        .into_any(),
        Some(reason) => view! {
            <tr>
                <td>{caption}</td>
                <td>{name}</td>
                <td><span class="badge failed">"Refused"</span> " " {reason.clone()}</td>
                <td>
                    {is_create.then(|| view! {
                        <button type="button" class="secondary" on:click=move |_| correcting.set(Some((id.get_value(), reason.clone())))>
                            "Correct"
                        </button>
                    })}
                    <button type="button" class="secondary" on:click=move |_| change_kept(outbox, KeptChange::SendAgain(id.get_value()))>
                        "Send again"
                    </button>
                    {discard()}
                </td>
            </tr>
        }
        .into_any(),
    }
}

#[component]
fn DeliveredRow(waiting: Waiting, sent: Sent, register: String) -> impl IntoView {
    let href = pos_customer_path(&sent.customer_key(&waiting), &register);
    let name = waiting.operation.customer_name();
    let caption = waiting.operation.kind().caption();
    let status = match sent {
        Sent::Created(created) => match created.how {
            CreatedHow::InHq { account } => view! { <span>"Created in HQ: " {account}</span> }.into_any(),
            CreatedHow::Staged { .. } | CreatedHow::FellBack { .. } => {
                view! { <StatusBadge status=OperationStatus::PendingSync /> }.into_any()
            }
        },
        Sent::Changed(ChangeOutcome::Staged { .. } | ChangeOutcome::StagedBehind { .. }) => {
            view! { <StatusBadge status=OperationStatus::PendingSync /> }.into_any()
        }
        Sent::Changed(ChangeOutcome::AppliedInHq { .. }) => view! { <span>"Applied in HQ"</span> }.into_any(),
    };
    view! {
        <tr>
            <td>{caption}</td>
            <td><a href=href>{name}</a></td>
            <td>{status}</td>
            <td>"Sent"</td>
        </tr>
    }
}

/// A create the store refused, opened with what was typed and the store's
/// reason: Save sends the corrected fields again, under the create's id.
#[component]
fn CorrectRefusedCreate(
    outbox: Outbox,
    id: OperationId,
    reason: String,
    reference: Resource<Result<ReferenceData, AppError>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let typed = outbox
        .kept
        .with_untracked(|kept| kept_create(kept, &id))
        .unwrap_or_default();
    let id = StoredValue::new(id);
    view! {
        <section aria-labelledby="correct-heading" class="kept-customer">
            <h3 id="correct-heading">"Correct " {display_name(&typed)}</h3>
            <p class="error-note" role="alert">{reason}</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let typed = typed.clone();
                    Suspend::new(async move {
                        loaded(reference.await, move |reference| view! {
                            <CustomerEditor
                                initial=typed
                                reference
                                mode=EditorMode::CashierNew
                                server_error=Signal::derive(|| None)
                                pending=Signal::derive(|| false)
                                on_save=Callback::new(move |corrected| {
                                    change_kept(outbox, KeptChange::Correct(id.get_value(), Box::new(corrected)));
                                    on_done.run(());
                                })
                                save_caption="Save"
                                on_cancel=on_done
                            />
                        })
                    })
                }}
            </Suspense>
        </section>
    }
}

/// A customer whose create is kept in this browser: what was typed, with
/// the changes kept after it, and Edit, whose change is kept behind it.
#[component]
fn KeptCustomer(
    outbox: Outbox,
    id: OperationId,
    register: String,
    reference: Resource<Result<ReferenceData, AppError>>,
) -> impl IntoView {
    let create_id = StoredValue::new(id.clone());
    let customer_register = StoredValue::new(register.clone());
    // What the store answered the create: the customer's key then (an
    // account, when HQ created it at once).
    let sent_key = move |delivered: &Vec<(Waiting, Sent)>| {
        delivered
            .iter()
            .find(|(waiting, _)| create_id.with_value(|id| waiting.operation_id == *id))
            .map(|(waiting, sent)| sent.customer_key(waiting))
    };
    // The customer's key: the create's id while it is kept.
    let key = move || {
        outbox
            .delivered
            .with_untracked(sent_key)
            .unwrap_or_else(|| create_id.with_value(ToString::to_string))
    };
    let edit_button = NodeRef::new();
    let customer = Memo::new(move |_| outbox.kept.with(|kept| kept_customer(kept, &id)));
    let form = OutboxForm::new(Some(outbox), Some(register), new_operation_id());
    let field = move |read: fn(&CustomerDraft) -> String| {
        move || customer.with(|c| c.as_ref().map(read).unwrap_or_default())
    };
    // Named as the store names its groups once it has answered once.
    let group = move || {
        let group = customer.with(|c| c.as_ref().map(|c| c.customer_group.clone()).unwrap_or_default());
        match reference.get() {
            Some(Ok(reference)) => reference.customer_group_caption(&group),
            _ => group,
        }
    };
    // Still named once its create has left the browser.
    let name = Memo::new(move |before: Option<&String>| {
        customer
            .with(|c| c.as_ref().map(display_name))
            .or_else(|| before.cloned())
            .unwrap_or_default()
    });
    view! {
        <section aria-labelledby="kept-customer-heading" class="kept-customer">
            <h3 id="kept-customer-heading">{name}</h3>
            <Show
                when=move || customer.with(Option::is_some)
                fallback=move || {
                    // Edit goes with the kept customer: if it had the focus,
                    // the link to the customer the store holds takes it.
                    let link = NodeRef::new();
                    if has_focus(edit_button) {
                        focus_once_there(link);
                    }
                    let sent = Memo::new(move |_| outbox.delivered.with(sent_key));
                    move || match sent.get() {
                        Some(key) => view! {
                            <p class="note">
                                "Sent to the store server: "
                                <a node_ref=link href=pos_customer_path(&key, &customer_register.get_value())>
                                    "Open customer"
                                </a>
                            </p>
                        }
                        .into_any(),
                        // Discarded, or sent by the form that saved it, which said what became of it.
                        None => view! { <p class="note">"No longer kept in this browser."</p> }.into_any(),
                    }
                }
            >
                <p class="note">"Kept in this browser until the store server answers: not yet staged."</p>
                <dl class="details">
                    <dt>"Email"</dt>
                    <dd>{field(|c| or_none(c.email.clone()))}</dd>
                    <dt>"Phone"</dt>
                    <dd>{field(|c| or_none(c.phone.clone()))}</dd>
                    <dt>"Customer group"</dt>
                    <dd>{group}</dd>
                    <dt>"Addresses"</dt>
                    <dd>{field(|c| c.addresses.len().to_string())}</dd>
                </dl>
                <button node_ref=edit_button type="button" on:click=move |_| form.open()>"Edit"</button>
            </Show>
            // Open until the cashier leaves it, even once the create has been
            // sent meanwhile: what was typed stays, and is sent after it.
            <Show when=move || form.is_open.get()>
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        loaded(reference.await, move |reference| {
                            let opened = customer.get_untracked().unwrap_or_default();
                            let started_from = opened.own_fields();
                            view! {
                                <CustomerEditor
                                    initial=opened
                                    reference
                                    mode=EditorMode::CashierEdit
                                    server_error=form.refusal()
                                    pending=form.action.pending()
                                    on_save=Callback::new(move |draft| {
                                        form.send(WaitingOperation::Edit {
                                            key: key(),
                                            temporary_id: None,
                                            draft,
                                            started_from: Some(Box::new(started_from.clone())),
                                        });
                                    })
                                    save_caption="Save"
                                    on_cancel=Callback::new(move |_| form.is_open.set(false))
                                    at_register=Some(AtRegister {
                                        register: customer_register.get_value(),
                                        customer_key: Some(key()),
                                    })
                                />
                            }
                        })
                    })}
                </Suspense>
            </Show>
            // Said as it stands, until a tab has sent it.
            {move || {
                let message = match (form.action.value().get()?, outbox.state_of(&form.operation_id())) {
                    (Saved::Kept, KeptState::Waiting) => "Kept in this browser: the change is sent after the customer.".to_string(),
                    (Saved::Kept, KeptState::Sent(Sent::Changed(done))) => done.message(),
                    (Saved::Kept, state) => still_kept_message(&state, SavedKind::Change)?,
                    _ => return None,
                };
                Some(view! { <p class="confirmation" role="status">{message}</p> })
            }}
        </section>
    }
}
