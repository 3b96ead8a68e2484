//! One customer as the channel shows it, with Edit and Add address: the POS
//! customer page and the shopper's My profile. The server functions here
//! serve both; `register` names the POS register, or is absent for the
//! online store.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::customer::{
    AddressDraft, COUNTRIES, ChangeOutcome, ChannelCustomer, CreatedCustomer, CustomerDraft, LANGUAGES,
    PartyType, ReferenceData,
};
use crate::domain::operation::OperationStatus;
use crate::error::AppError;
use crate::views::customer_form::{AddressEditor, CustomerEditor, EditorMode};
use crate::views::outbox::{
    KeptChange, Outbox, Saved, Sent, Waiting, WaitingOperation, new_operation_id, start_sending,
};
use crate::views::ui::{ErrorNote, StatusBadge, loaded};

/// How a channel works now: the mode its cached configuration gives, and
/// whether the register is offline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModeNow {
    pub async_creates: bool,
    pub async_edits: bool,
    pub async_addresses: bool,
    pub offline: bool,
    pub config_age_seconds: u64,
}

impl ModeNow {
    /// "Creates: asynchronous · edits: real-time · addresses: real-time ·
    /// configuration 12 s old"
    pub fn summary(&self) -> String {
        let mode = |on: bool| if on { "asynchronous" } else { "real-time" };
        format!(
            "Creates: {} · edits: {} · addresses: {} · configuration {} s old",
            mode(self.async_creates),
            mode(self.async_edits),
            mode(self.async_addresses),
            self.config_age_seconds,
        )
    }
}

/// The register a page names, for the cashier of its store; the online
/// store, for a shopper. Whoever else asks gets a 403 before the register is
/// even read.
#[cfg(feature = "ssr")]
async fn authorize_origin(
    register: Option<&str>,
) -> Result<
    (
        crate::services::backend::Backend,
        crate::access::SignedInUser,
        crate::domain::registers::Origin,
    ),
    AppError,
> {
    use crate::access::{Access, check};
    use crate::api::respond::authorize_user;
    use crate::domain::registers::MAX_REGISTER_KEY;
    use crate::domain::registers::Origin;
    let Some(register) = register else {
        let (backend, user) = authorize_user(Access::Shopper).await?;
        return Ok((backend, user, Origin::OnlineStore));
    };
    let (backend, user) = authorize_user(Access::Cashier).await?;
    crate::error::check_length("A register", register, MAX_REGISTER_KEY)?;
    let origin = Origin::from_register_key(Some(register))
        .ok_or_else(|| AppError::BadRequest("Choose a store and a register first.".to_string()))?;
    if let Origin::Register { channel_id, .. } = origin {
        check(Some(&user), Access::Store(channel_id))?;
    }
    Ok((backend, user, origin))
}

/// The operation id the browser made for this save.
#[cfg(feature = "ssr")]
fn parse_operation_id(operation_id: &str) -> Result<crate::domain::operation::OperationId, AppError> {
    crate::error::check_length("An operation id", operation_id, crate::error::MAX_KEY)?;
    crate::domain::operation::OperationId::parse(operation_id)
        .map_err(|error| AppError::BadRequest(error.to_string()))
}

/// A shopper may change only their own profile; a cashier any customer.
#[cfg(feature = "ssr")]
fn check_customer_access(user: &crate::access::SignedInUser, key: &str) -> Result<(), AppError> {
    use crate::access::{Access, Role, check};
    crate::error::check_length("A customer key", key, crate::error::MAX_KEY)?;
    if user.role == Role::Shopper {
        check(Some(user), Access::Profile(key))?;
    }
    Ok(())
}

#[server(output = crate::wire::JsonText)]
pub async fn channel_mode(register: Option<String>) -> Result<ModeNow, AppError> {
    use crate::api::respond::respond;
    use crate::domain::features::Feature;
    use crate::domain::registers::Origin;
    use crate::error::internal;
    let result = async {
        let (backend, _, origin) = authorize_origin(register.as_deref()).await?;
        let (channel_id, offline) = match origin {
            Origin::Register {
                channel_id,
                register_number,
            } => {
                if !backend
                    .channel
                    .register_exists(channel_id, register_number)
                    .await
                    .map_err(internal)?
                {
                    return Err(AppError::NotFound("There is no such register.".to_string()));
                }
                let offline = backend
                    .channel
                    .register_offline(channel_id, register_number)
                    .await
                    .map_err(internal)?;
                (channel_id, offline)
            }
            Origin::OnlineStore => {
                let online = backend.channel.online_channel().await.map_err(internal)?;
                let online =
                    online.ok_or_else(|| AppError::Refused("No online store is configured.".to_string()))?;
                (online.channel_id, false)
            }
        };
        let config = backend.config.get().await.map_err(internal)?;
        Ok(ModeNow {
            async_creates: config.async_mode(channel_id),
            async_edits: config.feature_enabled(Feature::AsyncEditing),
            async_addresses: config.feature_enabled(Feature::AsyncAddresses),
            offline,
            config_age_seconds: config.age.as_secs(),
        })
    };
    respond(result.await)
}

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

#[server(output = crate::wire::JsonText)]
pub async fn channel_reference(register: Option<String>) -> Result<ReferenceData, AppError> {
    use crate::api::respond::respond;
    use crate::services::channel_customers::reference_data;
    let result = async {
        let (backend, _, origin) = authorize_origin(register.as_deref()).await?;
        Ok(reference_data(&backend.channel, origin).await?)
    };
    respond(result.await)
}

/// Add customer (POS) or Sign up (online store). A shopper's sign-up becomes
/// their own profile. `operation_id` is the GUID the browser made when the
/// customer was first saved: sent again, the create is carried out once.
#[server(input = Json, output = crate::wire::JsonText)]
pub async fn create_customer(
    register: Option<String>,
    operation_id: String,
    draft: CustomerDraft,
) -> Result<CreatedCustomer, AppError> {
    use crate::access::Role;
    use crate::access::sessions::{current_session, remember_user};
    use crate::api::respond::respond;
    use crate::services::channel_customers::create_customer;
    let result = async {
        let (backend, mut user, origin) = authorize_origin(register.as_deref()).await?;
        let operation_id = parse_operation_id(&operation_id)?;
        let created = create_customer(&backend.channel_side(), origin, &operation_id, &draft).await?;
        if user.role == Role::Shopper {
            // The customer exists now, so the answer is a success whatever
            // follows: this session keeps the profile even if HQ cannot
            // record it, and the failure is logged for an admin.
            user.profile_key = Some(created.key());
            if let Err(error) = remember_user(&current_session().await?, &user).await {
                tracing::error!(%error, user = %user.user_name, "the new profile is not in the session");
            }
            if let Err(error) = backend.hq.set_profile_key(&user.user_name, &created.key()).await {
                tracing::error!(%error, user = %user.user_name, "HQ did not record the shopper's new profile");
            }
        }
        Ok(created)
    };
    respond(result.await)
}

/// One customer: any customer for a cashier, their own for a shopper.
#[server(output = crate::wire::JsonText)]
pub async fn find_channel_customer(key: String) -> Result<ChannelCustomer, AppError> {
    use crate::access::sessions::{current_session, signed_in_user};
    use crate::access::{Access, Role};
    use crate::api::respond::{authorize, respond};
    use crate::error::internal;
    use crate::error::{MAX_KEY, check_length};
    use crate::services::channel_customers::find_customer;
    let result = async {
        let user = signed_in_user(&current_session().await?).await?;
        let access = match user.map(|user| user.role) {
            Some(Role::Shopper) => Access::Profile(&key),
            Some(_) => Access::Cashier,
            None => return Err(AppError::Forbidden("Sign in to see this customer.".to_string())),
        };
        let backend = authorize(access).await?;
        check_length("A customer key", &key, MAX_KEY)?;
        find_customer(&backend.channel, &key)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound(format!("There is no customer {key} in this channel.")))
    };
    respond(result.await)
}

#[server(input = Json, output = crate::wire::JsonText)]
pub async fn edit_customer(
    register: Option<String>,
    operation_id: String,
    key: String,
    draft: CustomerDraft,
) -> Result<ChangeOutcome, AppError> {
    use crate::api::respond::respond;
    use crate::services::channel_customers::edit_customer;
    let result = async {
        let (backend, user, origin) = authorize_origin(register.as_deref()).await?;
        check_customer_access(&user, &key)?;
        let operation_id = parse_operation_id(&operation_id)?;
        Ok(edit_customer(&backend.channel_side(), origin, &operation_id, &key, &draft).await?)
    };
    respond(result.await)
}

#[server(input = Json, output = crate::wire::JsonText)]
pub async fn add_customer_address(
    register: Option<String>,
    operation_id: String,
    key: String,
    address: AddressDraft,
) -> Result<ChangeOutcome, AppError> {
    use crate::api::respond::respond;
    use crate::services::channel_customers::add_address;
    let result = async {
        let (backend, user, origin) = authorize_origin(register.as_deref()).await?;
        check_customer_access(&user, &key)?;
        let operation_id = parse_operation_id(&operation_id)?;
        Ok(add_address(&backend.channel_side(), origin, &operation_id, &key, &address).await?)
    };
    respond(result.await)
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

/// The signed-in shopper's own customer key, if they have signed up.
#[server(output = crate::wire::JsonText)]
pub async fn my_profile_key() -> Result<Option<String>, AppError> {
    use crate::access::Access;
    use crate::access::sessions::require;
    use crate::api::respond::respond;
    respond(require(Access::Shopper).await.map(|user| user.profile_key))
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
