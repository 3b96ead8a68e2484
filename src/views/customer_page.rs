//! One customer as the channel shows it, with Edit and Add address: the POS
//! customer page and the shopper's My profile; `register` names the POS
//! register, or is absent for the online store. Also the register's outbox
//! code, a split point of its own.

use leptos::prelude::*;

use crate::api::channel_customers::{
    add_customer_address, channel_mode, channel_reference, create_customer, edit_customer,
    find_channel_customer,
};
use crate::domain::customer::{AddressDraft, COUNTRIES, ChannelCustomer, LANGUAGES, PartyType};
use crate::domain::operation::OperationStatus;
use crate::error::AppError;
use crate::views::customer_form::{AddressEditor, CustomerEditor, EditorMode};
use crate::views::outbox::{
    KeptChange, Outbox, Saved, Sent, Waiting, WaitingOperation, new_operation_id, start_sending,
};
use crate::views::ui::{ErrorNote, StatusBadge, loaded};

/// The online store's mode, shown discreetly under its pages' titles.
#[component]
pub fn OnlineStoreMode() -> impl IntoView {
    let mode = Resource::new(|| (), |_| channel_mode(None));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                mode.await.ok().map(|mode| view! { <p class="register-mode">{mode.summary()}</p> })
            })}
        </Transition>
    }
}

/// Sends an operation a form saved, or the outbox kept, to its server
/// function, under the id the browser gave it.
async fn send_waiting(waiting: Waiting) -> Result<Sent, AppError> {
    let id = waiting.operation_id.to_string();
    match waiting.operation {
        WaitingOperation::Create { draft } => create_customer(waiting.register, id, draft)
            .await
            .map(Sent::Created),
        WaitingOperation::Edit { key, draft } => edit_customer(waiting.register, id, key, draft)
            .await
            .map(Sent::Changed),
        WaitingOperation::AddAddress { key, address, .. } => {
            add_customer_address(waiting.register, id, key, address)
                .await
                .map(Sent::Changed)
        }
    }
}

/// What a page asks of the outbox's code: one split point, downloaded apart
/// from the page, when a register opens (`start_register_outbox`), so that
/// it works once the network has gone without weighing on the page's own
/// download. It holds what reads and writes the browser's storage and the
/// three server functions that send what the outbox keeps.
enum OutboxWork {
    /// Read what the browser keeps and send it while the page is open, under
    /// the page's reactive owner.
    Start(Outbox, Owner),
    Change(Outbox, KeptChange),
    Save(Option<Outbox>, Box<Waiting>),
}

#[lazy]
async fn outbox_code(work: OutboxWork) -> Option<Saved> {
    match work {
        OutboxWork::Start(outbox, owner) => {
            owner.with(|| start_sending(outbox, send_waiting));
            None
        }
        OutboxWork::Change(outbox, change) => {
            outbox.change_kept(change);
            None
        }
        OutboxWork::Save(outbox, waiting) => Some(Outbox::save(outbox, *waiting, send_waiting).await),
    }
}

/// Reads what the register's outbox keeps and sends it while the page is
/// open, once the outbox's code is downloaded.
pub async fn start_register_outbox(outbox: Outbox, owner: Owner) {
    outbox_code(OutboxWork::Start(outbox, owner)).await;
}

/// Changes what the register's outbox keeps (Discard, Send again).
pub fn change_kept(outbox: Outbox, change: KeptChange) {
    leptos::task::spawn_local(async move {
        outbox_code(OutboxWork::Change(outbox, change)).await;
    });
}

/// Saves an operation a form made, through the register's outbox when
/// there is one (`Outbox::save`).
pub async fn save_operation(outbox: Option<Outbox>, waiting: Waiting) -> Saved {
    outbox_code(OutboxWork::Save(outbox, Box::new(waiting)))
        .await
        .unwrap_or(Saved::NotSaved(AppError::Internal))
}

/// What the customer card is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Editing {
    Nothing,
    Details,
    Address,
}

/// One customer with Edit and Add address. `register` is the POS register
/// key, or `None` on the online store. At the POS a change the store server
/// cannot take now is kept in the register's outbox (from the context).
#[component]
pub fn CustomerCard(key: String, register: Option<String>) -> impl IntoView {
    let cashier = register.is_some();
    let outbox = use_context::<Outbox>();
    let reference_register = register.clone();
    let reference = Resource::new(|| (), move |_| channel_reference(reference_register.clone()));
    let edit = Action::new_local(move |waiting: &Waiting| save_operation(outbox, waiting.clone()));
    let add_address = Action::new_local(move |waiting: &Waiting| save_operation(outbox, waiting.clone()));
    // Reloaded only after a change succeeded: a refused one keeps the form,
    // and everything typed in it, on the page.
    let saved = RwSignal::new(0_u32);
    let customer_key = key.clone();
    let customer = Resource::new(
        move || saved.get(),
        move |_| find_channel_customer(customer_key.clone()),
    );
    let editing = RwSignal::new(Editing::Nothing);
    let outcome = RwSignal::new(None::<Saved>);
    let on_answer = move |answer: Saved| {
        match &answer {
            Saved::Done(_) => {
                editing.set(Editing::Nothing);
                saved.update(|n| *n += 1);
            }
            Saved::Kept => editing.set(Editing::Nothing),
            Saved::NotSaved(_) => {}
        }
        outcome.set(Some(answer));
    };
    Effect::new(move |_| {
        if let Some(answer) = edit.value().get() {
            on_answer(answer);
        }
    });
    Effect::new(move |_| {
        if let Some(answer) = add_address.value().get() {
            on_answer(answer);
        }
    });
    let refusal = move |action: Action<Waiting, Saved>| {
        Signal::derive(move || match action.value().get() {
            Some(Saved::NotSaved(error)) => Some(error),
            _ => None,
        })
    };
    // Made when a form opens: the same change saved again is sent under the
    // same id, however often.
    let operation_id = StoredValue::new(new_operation_id());
    let waiting = move |operation: WaitingOperation| Waiting {
        operation_id: operation_id.get_value(),
        register: register.clone(),
        operation,
        refused: None,
    };
    let waiting = StoredValue::new(waiting);
    let key = StoredValue::new(key);
    let open = move |form: Editing| {
        outcome.set(None);
        edit.value().set(None);
        add_address.value().set(None);
        operation_id.set_value(new_operation_id());
        editing.set(form);
    };

    view! {
        <Suspense fallback=|| view! { <p>"Loading customer…"</p> }>
            {move || Suspend::new(async move {
                let reference = reference.await;
                loaded(customer.await, move |customer| {
                    let initial = customer.customer.clone();
                    let customer_name = StoredValue::new(crate::domain::customer::display_name(&customer.customer));
                    view! {
                        <CustomerDetails customer=customer.clone() />
                        <div class="actions">
                            <button type="button" on:click=move |_| open(Editing::Details)>"Edit"</button>
                            <button type="button" on:click=move |_| open(Editing::Address)>"Add address"</button>
                        </div>
                        {move || match outcome.get() {
                            Some(Saved::Done(Sent::Changed(done))) => Some(view! { <p class="confirmation" role="status">{done.message()}</p> }.into_any()),
                            Some(Saved::Kept) => Some(view! {
                                <p class="confirmation" role="status">
                                    "Kept in this browser: the change is waiting for the store server, and is sent as soon as it answers."
                                </p>
                            }.into_any()),
                            Some(Saved::NotSaved(error)) if !matches!(error, AppError::Invalid(_)) && editing.get() == Editing::Nothing => {
                                Some(view! { <ErrorNote error /> }.into_any())
                            }
                            _ => None,
                        }}
                        {
                            let reference = reference.clone();
                            let initial = initial.clone();
                            move || match editing.get() {
                                Editing::Details => Some(match reference.clone() {
                                    Ok(reference) => view! {
                                        <section aria-labelledby="edit-heading">
                                            <h2 id="edit-heading">"Edit customer"</h2>
                                            <CustomerEditor
                                                initial=initial.clone()
                                                reference
                                                mode=if cashier { EditorMode::CashierEdit } else { EditorMode::ShopperEdit }
                                                server_error=refusal(edit)
                                                pending=edit.pending()
                                                on_save=Callback::new(move |draft| {
                                                    let key = key.get_value();
                                                    edit.dispatch_local(waiting.with_value(|w| w(WaitingOperation::Edit { key, draft })));
                                                })
                                                save_caption="Save"
                                                on_cancel=Callback::new(move |_| editing.set(Editing::Nothing))
                                            />
                                        </section>
                                    }.into_any(),
                                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                                }),
                                Editing::Address => Some(view! {
                                    <section aria-labelledby="add-address-heading">
                                        <h2 id="add-address-heading">"Add address"</h2>
                                        <AddressEditor
                                            server_error=refusal(add_address)
                                            pending=add_address.pending()
                                            on_save=Callback::new(move |address| {
                                                let operation = WaitingOperation::AddAddress {
                                                    key: key.get_value(),
                                                    customer_name: customer_name.get_value(),
                                                    address,
                                                };
                                                add_address.dispatch_local(waiting.with_value(|w| w(operation)));
                                            })
                                            on_cancel=Callback::new(move |_| editing.set(Editing::Nothing))
                                        />
                                    </section>
                                }.into_any()),
                                Editing::Nothing => None,
                            }
                        }
                    }
                })
            })}
        </Suspense>
    }
}

#[component]
fn CustomerDetails(customer: ChannelCustomer) -> impl IntoView {
    let c = customer.customer;
    let name = crate::domain::customer::display_name(&c);
    let language = LANGUAGES
        .iter()
        .find(|(code, _)| *code == c.language)
        .map(|(_, name)| name.to_string())
        .unwrap_or(c.language.clone());
    view! {
        <h2 class="customer-name">{name}</h2>
        <dl class="details">
            <dt>"Account"</dt>
            <dd>
                {match customer.account {
                    Some(account) => view! { <span>{account}</span> }.into_any(),
                    None => view! { <StatusBadge status=OperationStatus::PendingSync /> }.into_any(),
                }}
            </dd>
            <dt>"Temporary ID"</dt>
            <dd><code>{customer.temporary_id}</code></dd>
            <dt>"Customer type"</dt>
            <dd>{if c.party_type == PartyType::Organization { "Organization" } else { "Person" }}</dd>
            <dt>"Email"</dt>
            <dd>{c.email}</dd>
            <dt>"Phone"</dt>
            <dd>{c.phone}</dd>
            <dt>"Customer group"</dt>
            <dd>{c.customer_group}</dd>
            <dt>"Language"</dt>
            <dd>{language}</dd>
            <dt>"Currency"</dt>
            <dd>{c.currency}</dd>
        </dl>
        {(customer.pending_changes > 0).then(|| view! {
            <p class="note">
                {format!("{} change(s) staged in asynchronous mode; HQ applies them with the next P-job and sync.", customer.pending_changes)}
            </p>
        })}
        <AddressTable addresses=c.addresses />
    }
}

#[component]
pub fn AddressTable(addresses: Vec<AddressDraft>) -> impl IntoView {
    if addresses.is_empty() {
        return view! { <p>"No addresses."</p> }.into_any();
    }
    view! {
        <table>
            <caption>"Addresses"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Purpose"</th>
                    <th scope="col">"Street"</th>
                    <th scope="col">"City"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"ZIP/postal code"</th>
                    <th scope="col">"Country/region"</th>
                    <th scope="col">"Primary"</th>
                </tr>
            </thead>
            <tbody>
                {addresses
                    .into_iter()
                    .map(|a| {
                        let country = COUNTRIES
                            .iter()
                            .find(|(code, _)| *code == a.country_region)
                            .map(|(_, name)| name.to_string())
                            .unwrap_or(a.country_region.clone());
                        view! {
                            <tr>
                                <td>{a.name}</td>
                                <td>{a.purpose}</td>
                                <td>{a.street}</td>
                                <td>{a.city}</td>
                                <td>{a.state}</td>
                                <td>{a.zip}</td>
                                <td>{country}</td>
                                <td>{if a.primary { "Yes" } else { "" }}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
