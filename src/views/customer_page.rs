//! One customer as the channel shows it, with Edit and Add address: the POS
//! customer page and the shopper's My profile; `register` names the POS
//! register, or is absent for the online store. Also the register's outbox
//! code, a split point of its own.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

use crate::api::channel_customers::{
    PostCustomerEdit, PostNewAddress, add_customer_address, channel_mode, channel_reference, create_customer,
    edit_customer, find_channel_customer,
};
use crate::api::refused_posts::PostedValues;
use crate::api::sign_in::current_user;
use crate::domain::customer::{
    AddressDraft, AttributeDraft, ChannelCustomer, ContactDraft, PartyType, ReferenceData, country_name,
    language_name,
};
use crate::domain::operation::{OperationId, OperationStatus};
use crate::error::AppError;
use crate::views::code_on_demand::{NotDownloaded, code_on_demand};
use crate::views::customer_form::{AddressEditor, AtRegister, CustomerEditor, EditorMode, PlainPost};
use crate::views::outbox::{
    KeptChange, KeptState, Outbox, Saved, SavedKind, Sent, Waiting, WaitingOperation, heard_by_the_register,
    kept_changes_of, new_operation_id, refused_change_message, refused_change_of, rendered_form_operation_id,
    start_sending, still_kept_message, with_kept_changes,
};
use crate::views::ui::{
    ErrorNote, StatusBadge, drop_from_address_once_closed, loaded, or_none, refused_form,
};
use leptos::server_fn::ServerFn;

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
    within_answer_time(send_now(waiting)).await
}

/// How long a save (a customer's, a sale's), or the outbox's question
/// whether the server answers, waits for the store server's answer. A
/// network that stalls rather than fails would otherwise hold the form (or
/// the outbox) for minutes; past it, a save is kept (or, without an
/// outbox, reported), and sent again under the same id, which the server
/// carries out once.
#[cfg(feature = "hydrate")]
const ANSWER_TIME_MS: u32 = 10_000;

/// The browser has one thread: what waits for the answer is `Send` there,
/// so that an action the server makes too (New sale's Save) can use it.
#[cfg(feature = "hydrate")]
pub fn within_answer_time<T: 'static>(
    request: impl Future<Output = Result<T, AppError>> + 'static,
) -> impl Future<Output = Result<T, AppError>> + Send {
    use futures_util::future::{Either, select};
    send_wrapper::SendWrapper::new(async move {
        let timeout = gloo_timers::future::TimeoutFuture::new(ANSWER_TIME_MS);
        match select(std::pin::pin!(request), timeout).await {
            Either::Left((answer, _)) => answer,
            Either::Right(_) => Err(AppError::Unreachable(format!(
                "no answer within {} s",
                ANSWER_TIME_MS / 1000
            ))),
        }
    })
}

/// The server renders forms, it does not send them.
#[cfg(not(feature = "hydrate"))]
pub fn within_answer_time<T, Request>(request: Request) -> Request
where
    Request: Future<Output = Result<T, AppError>>,
{
    request
}

async fn send_now(waiting: Waiting) -> Result<Sent, AppError> {
    let id = waiting.operation_id.to_string();
    match waiting.operation {
        WaitingOperation::Create { draft } => create_customer(waiting.register, id, draft)
            .await
            .map(Sent::Created),
        WaitingOperation::Edit {
            key,
            draft,
            started_from,
            ..
        } => edit_customer(waiting.register, id, key, draft, started_from.map(|start| *start))
            .await
            .map(Sent::Changed),
        WaitingOperation::AddAddress { key, address, .. } => {
            add_customer_address(waiting.register, id, key, address)
                .await
                .map(Sent::Changed)
        }
    }
}

/// Whether the store server answers: the cheapest request there is, whose
/// answer every page reads already.
async fn probe_store_server() -> Result<(), AppError> {
    within_answer_time(current_user()).await.map(|_| ())
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

code_on_demand! {
    custsync_register_outbox;
    fn outbox_code(work: OutboxWork) -> OutboxWorkDone {
        Box::pin(async move {
            match work {
                OutboxWork::Start(outbox, owner) => {
                    owner.with(|| start_sending(outbox, send_waiting, probe_store_server));
                    None
                }
                OutboxWork::Change(outbox, change) => {
                    outbox.change_kept(change);
                    None
                }
                OutboxWork::Save(outbox, waiting) => Some(Outbox::save(outbox, *waiting, send_waiting).await),
            }
        })
    }
}

/// The outbox's work under way, once its code is there: a save's outcome,
/// or nothing.
type OutboxWorkDone = std::pin::Pin<Box<dyn Future<Output = Option<Saved>>>>;

/// Reads what the register's outbox keeps and sends it while the page is
/// open, once the outbox's code is downloaded.
pub async fn start_register_outbox(outbox: Outbox, owner: Owner) -> Result<(), NotDownloaded> {
    outbox_code(OutboxWork::Start(outbox, owner)).await?.await;
    Ok(())
}

/// Changes what the register's outbox keeps (Discard, Send again). The
/// list that offers them comes after the outbox's code: were that code
/// missing still, the operation stays kept and listed, as it was.
pub fn change_kept(outbox: Outbox, change: KeptChange) {
    leptos::task::spawn_local(async move {
        if let Ok(work) = outbox_code(OutboxWork::Change(outbox, change)).await {
            work.await;
        }
    });
}

/// Saves an operation a form made, through the register's outbox when
/// there is one (`Outbox::save`). Without the outbox's code, nothing is
/// saved, and the form keeps what was typed.
pub async fn save_operation(outbox: Option<Outbox>, waiting: Waiting) -> Saved {
    match outbox_code(OutboxWork::Save(outbox, Box::new(waiting))).await {
        Ok(saving) => saving.await.unwrap_or(Saved::NotSaved(AppError::Internal)),
        Err(NotDownloaded) => Saved::NotSaved(AppError::Unreachable(
            "the register's outbox code could not be downloaded".to_string(),
        )),
    }
}

/// A form that saves through the register's outbox (`save_operation`):
/// whether it is open, its save, and the operation id it saves under, made
/// anew each time it opens, so that the same save sent again is the same
/// operation however often it is sent.
#[derive(Clone, Copy)]
pub struct OutboxForm {
    pub action: Action<Waiting, Saved>,
    pub is_open: RwSignal<bool>,
    /// The last save's refusal, copied out of the action: the action lives
    /// in the browser's thread only, and a form the server renders open
    /// (Add customer before the page's code has loaded) reads this instead.
    refused: RwSignal<Option<AppError>>,
    operation_id: StoredValue<OperationId>,
    register: StoredValue<Option<String>>,
}

impl OutboxForm {
    /// A closed form, which closes again once its save is done or kept; a
    /// refused save keeps it open with everything typed in it. Its first
    /// save goes under `operation_id`.
    pub fn new(outbox: Option<Outbox>, register: Option<String>, operation_id: OperationId) -> Self {
        let action = Action::new_local(move |waiting: &Waiting| save_operation(outbox, waiting.clone()));
        let is_open = RwSignal::new(false);
        let refused = RwSignal::new(None);
        Effect::new(move |_| {
            // No answer yet: a refusal the form was opened with stays.
            let Some(answer) = action.value().get() else {
                return;
            };
            let closes = matches!(answer, Saved::Done(_) | Saved::Kept);
            // The form hears of its answer before it closes, not after.
            refused.set(match answer {
                Saved::NotSaved(error) => Some(error),
                _ => None,
            });
            if closes {
                is_open.set(false);
            }
        });
        Self {
            action,
            is_open,
            refused,
            operation_id: StoredValue::new(operation_id),
            register: StoredValue::new(register),
        }
    }

    /// Opens the form for a new operation, forgetting the last answer.
    pub fn open(self) {
        self.action.value().set(None);
        self.refused.set(None);
        self.operation_id.set_value(new_operation_id());
        self.is_open.set(true);
    }

    /// The id the form's next save goes under, for the form posted without
    /// the page's code to carry.
    pub fn operation_id(self) -> OperationId {
        self.operation_id.get_value()
    }

    /// Saves `operation` under the form's operation id.
    pub fn send(self, operation: WaitingOperation) {
        self.action.dispatch_local(Waiting {
            operation_id: self.operation_id.get_value(),
            register: self.register.get_value(),
            operation,
            refused: None,
            postponed: None,
        });
    }

    /// Why the last save was refused, for the form to show beside its fields.
    pub fn refusal(self) -> Signal<Option<AppError>> {
        self.refused.into()
    }

    /// Shows the refusal the form's own post came back with, made before
    /// the page's code arrived or without JavaScript (`ui::refused_form`).
    pub fn refused_before(self, error: Option<AppError>) {
        if error.is_some() {
            self.refused.set(error);
        }
    }
}

/// The query parameter that opens a customer's page with one of its forms.
pub(crate) const CHANGE: &str = "change";
pub(crate) const EDIT: &str = "edit";
pub(crate) const ADD_ADDRESS: &str = "address";

/// A button that opens one of the page's forms; before the page's code
/// has loaded, it opens the page at `here` again with the form (`?change=…`).
fn opening_button(
    here: String,
    register: Option<String>,
    change: &'static str,
    caption: &'static str,
    open: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <form method="get" action=here on:submit=move |ev| {
            ev.prevent_default();
            open();
        }>
            {register.map(|register| view! { <input type="hidden" name="register" value=register /> })}
            <button type="submit" name=CHANGE value=change>{caption}</button>
        </form>
    }
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
    let edit = OutboxForm::new(
        outbox,
        register.clone(),
        rendered_form_operation_id(PostCustomerEdit::url()),
    );
    let add_address = OutboxForm::new(
        outbox,
        register.clone(),
        rendered_form_operation_id(PostNewAddress::url()),
    );
    let refused_edit = refused_form(PostCustomerEdit::PATH);
    let refused_address = refused_form(PostNewAddress::PATH);
    // A form the page opens by itself, as its button does before the
    // page's code has loaded. A new form has no answer to forget: `open`
    // would write its action's value, which only the browser's thread holds.
    match use_query_map().read_untracked().get(CHANGE).as_deref() {
        Some(EDIT) => edit.is_open.set(true),
        Some(ADD_ADDRESS) => add_address.is_open.set(true),
        _ => {}
    }
    drop_from_address_once_closed(edit.is_open, (CHANGE, EDIT));
    drop_from_address_once_closed(add_address.is_open, (CHANGE, ADD_ADDRESS));
    let here = StoredValue::new(use_location().pathname.get_untracked());
    let register = StoredValue::new(register);
    // Reloaded only after a change succeeded: a refused one keeps the form,
    // and everything typed in it, on the page.
    let saved = RwSignal::new(0_u32);
    let customer_key = key.clone();
    let customer = Resource::new(
        move || saved.get(),
        move |_| find_channel_customer(customer_key.clone()),
    );
    heard_by_the_register(reference);
    heard_by_the_register(customer);
    // The last save's answer, and the operation it saved.
    let outcome = RwSignal::new(None::<(OperationId, Saved)>);
    for form in [edit, add_address] {
        Effect::new(move |_| {
            let Some(answer) = form.action.value().get() else {
                return;
            };
            if matches!(answer, Saved::Done(_)) {
                saved.update(|n| *n += 1);
            }
            outcome.set(Some((form.operation_id(), answer)));
        });
    }
    let editing = move || edit.is_open.get() || add_address.is_open.get();
    let key = StoredValue::new(key);
    // What the page shows and a form starts from: the customer as the store
    // has it, with the changes of it this browser still keeps.
    let as_kept = move |mut customer: ChannelCustomer| {
        if let Some(outbox) = outbox {
            let keys = keys_of_customer(&key.get_value(), &customer);
            customer.customer = outbox
                .kept
                .with(|kept| with_kept_changes(customer.customer, kept, &as_keys(&keys)));
        }
        customer
    };
    let known_keys = RwSignal::new(vec![key.get_value()]);
    Effect::new(move |_| {
        if let Some(Ok(found)) = customer.get() {
            known_keys.set(keys_of_customer(&key.get_value(), &found));
        }
    });
    if let Some(outbox) = outbox {
        read_again_once_delivered(outbox, known_keys, editing, saved);
    }
    // One form at a time.
    let open = move |form: OutboxForm, other: OutboxForm| {
        refused_edit.forget();
        refused_address.forget();
        outcome.set(None);
        other.is_open.set(false);
        form.open();
    };

    view! {
        <Suspense fallback=|| view! { <p>"Loading customer…"</p> }>
            {move || Suspend::new(async move {
                let reference = reference.await;
                let (edit_refusal, edit_posted) = refused_edit.take().await;
                let (address_refusal, address_posted) = refused_address.take().await;
                loaded(customer.await, move |customer| {
                    edit.refused_before(edit_refusal);
                    add_address.refused_before(address_refusal);
                    // What a form of this customer's posted itself, refused.
                    let posted_edit = match edit_posted {
                        Some(PostedValues::Edit { key: posted_key, draft, started_from }) if posted_key == key.get_value() => {
                            Some((draft, started_from))
                        }
                        _ => None,
                    };
                    let posted_address = match address_posted {
                        Some(PostedValues::NewAddress { key: posted_key, address }) if posted_key == key.get_value() => Some(address),
                        _ => None,
                    };
                    let customer_name = StoredValue::new(crate::domain::customer::display_name(&customer.customer));
                    // The id a customer synced since was kept under while pending.
                    let temporary_id = StoredValue::new(customer.account.is_some().then(|| customer.temporary_id.clone()).flatten());
                    let shown = customer.clone();
                    let with_addresses = customer.clone();
                    let groups = reference.clone().unwrap_or_default();
                    view! {
                        {move || view! { <CustomerDetails customer=as_kept(shown.clone()) groups=groups.clone() cashier /> }}
                        {move || refused_change_note(outbox?, &known_keys.get(), outcome.get().map(|(id, _)| id))}
                        <div class="actions">
                            {opening_button(here.get_value(), register.get_value(), EDIT, "Edit", move || open(edit, add_address))}
                            {opening_button(here.get_value(), register.get_value(), ADD_ADDRESS, "Add address", move || open(add_address, edit))}
                        </div>
                        {move || {
                            let confirmation = |message: String| view! { <p class="confirmation" role="status">{message}</p> }.into_any();
                            match outcome.get()? {
                                (_, Saved::Done(Sent::Changed(done))) => Some(confirmation(done.message())),
                                // Kept in this browser: said as it stands, until a tab has sent it.
                                (id, Saved::Kept) => match outbox.map_or(KeptState::Waiting, |outbox| outbox.state_of(&id)) {
                                    KeptState::Sent(Sent::Changed(done)) => Some(confirmation(done.message())),
                                    state => still_kept_message(&state, SavedKind::Change).map(confirmation),
                                },
                                (_, Saved::NotSaved(error)) if !matches!(error, AppError::Invalid(_)) && !editing() => {
                                    Some(view! { <ErrorNote error /> }.into_any())
                                }
                                _ => None,
                            }
                        }}
                        {
                            let reference = reference.clone();
                            move || edit.is_open.get().then(|| match reference.clone() {
                                Ok(reference) => {
                                    let as_read = untrack(|| as_kept(customer.clone())).customer;
                                    let (opened, started_from) = match posted_edit.clone().filter(|_| !refused_edit.forgotten()) {
                                        Some((draft, started_from)) => {
                                            (draft, started_from.map_or_else(|| as_read.own_fields(), |seen| *seen))
                                        }
                                        None => {
                                            let started_from = as_read.own_fields();
                                            (as_read.clone(), started_from)
                                        }
                                    };
                                    let posted_to = PlainPost::edit_customer(register.get_value(), key.get_value(), &started_from, &edit.operation_id());
                                    view! {
                                    <section aria-labelledby="edit-heading">
                                        <h2 id="edit-heading">"Edit customer"</h2>
                                        <CustomerEditor
                                            initial=opened
                                            unchanged=as_read
                                            reference
                                            mode=if cashier { EditorMode::CashierEdit } else { EditorMode::ShopperEdit }
                                            server_error=edit.refusal()
                                            pending=edit.action.pending()
                                            on_save=Callback::new(move |draft| {
                                                edit.send(WaitingOperation::Edit {
                                                    key: key.get_value(),
                                                    temporary_id: temporary_id.get_value(),
                                                    draft,
                                                    started_from: Some(Box::new(started_from.clone())),
                                                });
                                            })
                                            save_caption="Save"
                                            on_cancel=Callback::new(move |_| edit.is_open.set(false))
                                            posted_to
                                            at_register=register.get_value().map(|register| AtRegister {
                                                register,
                                                customer_key: Some(key.get_value()),
                                            })
                                        />
                                    </section>
                                    }.into_any()
                                }
                                Err(error) => view! { <ErrorNote error /> }.into_any(),
                            })
                        }
                        {move || add_address.is_open.get().then(|| view! {
                            <section aria-labelledby="add-address-heading">
                                <h2 id="add-address-heading">"Add address"</h2>
                                <AddressEditor
                                    initial=posted_address.clone().filter(|_| !refused_address.forgotten())
                                    first=untrack(|| as_kept(with_addresses.clone())).customer.addresses.is_empty()
                                    server_error=add_address.refusal()
                                    pending=add_address.action.pending()
                                    on_save=Callback::new(move |address| {
                                        add_address.send(WaitingOperation::AddAddress {
                                            key: key.get_value(),
                                            temporary_id: temporary_id.get_value(),
                                            customer_name: customer_name.get_value(),
                                            address,
                                        });
                                    })
                                    on_cancel=Callback::new(move |_| add_address.is_open.set(false))
                                    posted_to=PlainPost::new_address(register.get_value(), key.get_value(), &add_address.operation_id())
                                />
                            </section>
                        })}
                    }
                })
            })}
        </Suspense>
    }
}

/// Says so when the details shown include a change of the customer the
/// store refused, unless the answer to the save that made it says it
/// already (`answered`).
fn refused_change_note(
    outbox: Outbox,
    keys: &[String],
    answered: Option<OperationId>,
) -> Option<impl IntoView + use<>> {
    let message = outbox.kept.with(|kept| {
        refused_change_of(kept, &as_keys(keys))
            .filter(|(id, _)| answered.as_ref() != Some(*id))
            .map(|(_, reason)| refused_change_message(reason))
    })?;
    // A live region: the refusal may come while the page is open.
    Some(view! { <p class="note refused-change" role="status">{message}</p> })
}

/// Reads the customer again once a change of it the browser kept has been
/// delivered (or discarded), so that the page shows what the store holds
/// now; while a form is open, once it closes, so that nothing typed is lost.
fn read_again_once_delivered(
    outbox: Outbox,
    keys: RwSignal<Vec<String>>,
    editing: impl Fn() -> bool + Send + Sync + 'static,
    saved: RwSignal<u32>,
) {
    let kept_count =
        Memo::new(move |_| keys.with(|keys| outbox.kept.with(|kept| kept_changes_of(kept, &as_keys(keys)))));
    let delivered = RwSignal::new(false);
    Effect::new(move |before: Option<usize>| {
        let now = kept_count.get();
        if before.is_some_and(|before| now < before) {
            delivered.set(true);
        }
        now
    });
    Effect::new(move |_| {
        if delivered.get() && !editing() {
            delivered.set(false);
            saved.update(|n| *n += 1);
        }
    });
}

/// The keys a change of the customer may be kept under: the key the page
/// was opened by, its account and its temporary id. A change kept while
/// the customer was pending names it by that id alone.
fn keys_of_customer(opened_by: &str, customer: &ChannelCustomer) -> Vec<String> {
    [
        Some(opened_by),
        customer.account.as_deref(),
        customer.temporary_id.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::to_string)
    .collect()
}

fn as_keys(keys: &[String]) -> Vec<Option<&str>> {
    keys.iter().map(|key| Some(key.as_str())).collect()
}

/// The customer's fields; its name the page's heading at the POS (`cashier`),
/// under My profile's on the online store. `groups` names its customer
/// group.
#[component]
fn CustomerDetails(customer: ChannelCustomer, groups: ReferenceData, cashier: bool) -> impl IntoView {
    let c = crate::domain::customer::in_name_order(customer.customer);
    let name = crate::domain::customer::display_name(&c);
    let heading = if cashier {
        view! { <h1 class="customer-name">{name}</h1> }.into_any()
    } else {
        view! { <h2 class="customer-name">{name}</h2> }.into_any()
    };
    view! {
        {heading}
        <dl class="details">
            <dt>"Account"</dt>
            <dd>
                {match customer.account {
                    Some(account) => view! { <span>{account}</span> }.into_any(),
                    None => view! { <StatusBadge status=OperationStatus::PendingSync /> }.into_any(),
                }}
            </dd>
            // The id the store kept the customer under while pending, for a
            // cashier to quote to HQ; a shopper has their account or "Pending sync".
            {customer.temporary_id.filter(|_| cashier).map(|id| view! {
                <dt>"Temporary ID"</dt>
                <dd><code>{id}</code></dd>
            })}
            <dt>"Customer type"</dt>
            <dd>{if c.party_type == PartyType::Organization { "Organization" } else { "Person" }}</dd>
            <dt>"Email"</dt>
            <dd>{or_none(c.email)}</dd>
            <dt>"Phone"</dt>
            <dd>{or_none(c.phone)}</dd>
            <dt>"Customer group"</dt>
            <dd>{groups.customer_group_caption(&c.customer_group)}</dd>
            <dt>"Language"</dt>
            <dd>{language_name(&c.language)}</dd>
            <dt>"Currency"</dt>
            <dd>{c.currency}</dd>
            // What a cashier gave the customer beside the shopper's own fields.
            {cashier.then(|| view! {
                <dt>"Affiliations"</dt>
                <dd>{or_none(c.affiliations.join(", "))}</dd>
                <dt>"Attributes"</dt>
                <dd>{attributes_line(&c.attributes)}</dd>
            })}
        </dl>
        {(customer.pending_changes > 0).then(|| view! {
            <p class="note">
                {format!("{} change(s) staged in asynchronous mode; HQ applies them with the next P-job and sync.", customer.pending_changes)}
            </p>
        })}
        <AddressTable addresses=c.addresses />
        {cashier.then(|| view! { <ContactTable contacts=c.contacts /> })}
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
                        let country = country_name(&a.country_region);
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

#[component]
pub fn ContactTable(contacts: Vec<ContactDraft>) -> impl IntoView {
    if contacts.is_empty() {
        return view! { <p>"No contacts."</p> }.into_any();
    }
    view! {
        <table>
            <caption>"Contacts"</caption>
            <thead>
                <tr>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Value"</th>
                    <th scope="col">"Primary"</th>
                </tr>
            </thead>
            <tbody>
                {contacts
                    .into_iter()
                    .map(|contact| view! {
                        <tr>
                            <td>{contact.kind}</td>
                            <td>{contact.value}</td>
                            <td>{if contact.primary { "Yes" } else { "No" }}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A customer's attributes on one line, "Birthday: 1990-05-17, …", or
/// "None".
pub fn attributes_line(attributes: &[AttributeDraft]) -> String {
    let line: Vec<String> = attributes
        .iter()
        .map(|attribute| format!("{}: {}", attribute.name, attribute.value))
        .collect();
    or_none(line.join(", "))
}
