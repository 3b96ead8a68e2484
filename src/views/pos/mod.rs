//! The POS: a cashier at a register of a store adds customers, and keeps
//! working when the store server cannot be reached (`waiting`).

mod sale;
mod waiting;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::channel_customers::{PostNewCustomer, channel_mode, channel_reference};
use crate::api::pos::{SetRegisterOffline, pos_registers, search_customers};
use crate::api::refused_posts::PostedValues;
use crate::domain::customer::{CreatedCustomer, CustomerSummary};
use crate::domain::registers::{RegisterOption, pos_customer_path};
use crate::views::customer_display::{AccountCell, CreatedConfirmation};
use crate::views::customer_form::{AtRegister, CustomerEditor, EditorMode, PlainPost, preload_editors};
use crate::views::customer_page::{CustomerCard, OutboxForm, start_register_outbox};
use crate::views::outbox::{
    KeptState, Outbox, Saved, SavedKind, Sent, WaitingOperation, heard_by_the_register,
    rendered_form_operation_id, still_kept_message,
};
use crate::views::ui::{ServerForm, debounced, drop_from_address_once_closed, loaded, refused_form};
use leptos::server_fn::ServerFn;
use sale::CustomerSales;
pub(crate) use sale::SALE;
#[cfg(feature = "hydrate")]
pub(crate) use sale::preload_sale_fields;
use waiting::{WaitingPanel, preload_waiting_list};

/// The register's outbox, shared by the POS pages through their context,
/// and sending what it keeps while the page is open. The code of the outbox
/// and of the customer forms is fetched once the page is idle, so that Add
/// customer, Edit and Add address open and save even after the network has
/// gone.
fn open_register_outbox() -> Outbox {
    let outbox = Outbox::new();
    provide_context(outbox);
    Effect::new(move |_| {
        let Some(owner) = Owner::current() else {
            return;
        };
        leptos::task::spawn_local(download_register_code(outbox, owner));
    });
    outbox
}

/// Downloads the outbox's code, then its list's and the forms', all again
/// after a pause until they arrive (while the page is open): a register
/// whose network went before they came has them once it is back. What has
/// arrived is not downloaded twice.
async fn download_register_code(outbox: Outbox, owner: Owner) {
    let mut started = false;
    let mut pause_seconds = 1;
    loop {
        let downloaded = async {
            if !started {
                start_register_outbox(outbox, owner.clone()).await?;
                started = true;
            }
            preload_waiting_list().await?;
            preload_editors().await
        }
        .await;
        if downloaded.is_ok() {
            return;
        }
        pause_before_downloading_again(pause_seconds).await;
        if outbox.kept.is_disposed() {
            return;
        }
        pause_seconds = (pause_seconds * 2).min(MAX_DOWNLOAD_PAUSE_SECONDS);
    }
}

/// The longest pause between two downloads of the register's code.
const MAX_DOWNLOAD_PAUSE_SECONDS: u32 = 10;

#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
async fn pause_before_downloading_again(seconds: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(seconds * 1_000).await;
}

#[component]
pub fn PosPage() -> impl IntoView {
    let outbox = open_register_outbox();
    let registers = Resource::new(|| (), |_| pos_registers());
    let query = use_query_map();
    let wanted = Memo::new(move |_| query.with(|q| q.get("register")));

    view! {
        <Title text="POS - custsync" />
        <h1>"POS"</h1>
        // A Transition: it keeps the register's panels in place while a
        // resource under them loads again. A Suspense would take them out
        // of the page at each search as you type, and the search box with
        // the cashier's focus.
        <Transition fallback=|| view! { <p>"Loading registers…"</p> }>
            {move || {
                let wanted = wanted.get();
                Suspend::new(async move {
                    loaded(registers.await, move |registers| {
                        // A register the address names that is not one of
                        // the cashier's store is said, not silently replaced.
                        let not_here = wanted
                            .clone()
                            .filter(|wanted| !registers.iter().any(|register| register.key() == *wanted));
                        match current_register(&registers, wanted) {
                            Some(current) => view! {
                                {not_here.map(|wanted| view! {
                                    <p class="note" role="status">
                                        {format!("Your store has no register {wanted}: this is {}.", current.caption())}
                                    </p>
                                })}
                                <RegisterPicker registers current=current.clone() />
                                <RegisterMode register=current.key() />
                                <WaitingPanel outbox register=current.key() />
                                <SearchPanel register=current.clone() />
                                <AddCustomerPanel register=current outbox />
                            }
                            .into_any(),
                            None => view! {
                                <p>"This channel database has no registers yet. Run job 1070 (Channel configuration) in HQ."</p>
                            }
                            .into_any(),
                        }
                    })
                })
            }}
        </Transition>
    }
}

/// The register the URL names, or the first one.
fn current_register(registers: &[RegisterOption], wanted: Option<String>) -> Option<RegisterOption> {
    wanted
        .and_then(|key| registers.iter().find(|r| r.key() == key).cloned())
        .or_else(|| registers.first().cloned())
}

#[component]
fn RegisterPicker(registers: Vec<RegisterOption>, current: RegisterOption) -> impl IntoView {
    let current_key = current.key();
    view! {
        <form method="get" action="/pos" class="register-picker">
            <label for="register">"Store and register"</label>
            <select id="register" name="register">
                {registers
                    .into_iter()
                    .map(|register| {
                        let selected = register.key() == current_key;
                        view! {
                            <option value=register.key() selected=selected>
                                {register.caption()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="submit">"Open register"</button>
        </form>
        <p class="register-open">"Register open: " <strong>{current.caption()}</strong></p>
    }
}

/// Discreetly, which mode the register works in and how old its
/// configuration is; and the Offline switch.
#[component]
fn RegisterMode(register: String) -> impl IntoView {
    let toggle = ServerAction::<SetRegisterOffline>::new();
    let status_register = register.clone();
    let status = Resource::new(
        move || toggle.version().get(),
        move |_| channel_mode(Some(status_register.clone())),
    );
    view! {
        <Transition fallback=|| ()>
            {move || {
                let register = register.clone();
                Suspend::new(async move {
                    loaded(status.await, move |status| {
                        view! {
                            <div class="register-mode">
                                <p class="mode">
                                    {status.summary()}
                                    {status.offline.then(|| view! { " " <span class="badge failed">"Offline: real-time calls to HQ fail (simulated)"</span> })}
                                </p>
                                <ServerForm
                                    action=toggle
                                    args={
                                        let register = register.clone();
                                        move || SetRegisterOffline { register: register.clone(), offline: !status.offline }
                                    }
                                    class="inline-action"
                                >
                                    <input type="hidden" name="register" value=register />
                                    <input type="hidden" name="offline" value=(!status.offline).to_string() />
                                    <button type="submit" class="secondary">
                                        {if status.offline { "Go online" } else { "Go offline" }}
                                    </button>
                                </ServerForm>
                            </div>
                        }
                    })
                })
            }}
        </Transition>
    }
}

/// How long the cashier pauses typing before the POS searches.
const SEARCH_PAUSE_MS: u32 = 300;

#[component]
fn SearchPanel(register: RegisterOption) -> impl IntoView {
    let query = use_query_map();
    let term = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default()));
    let results = Resource::new(move || term.get(), search_customers);
    heard_by_the_register(results);
    let register_key = register.key();
    let link_register = register_key.clone();
    let navigate = use_navigate();
    // The URL keeps the search, so that Back and a reload show it again.
    let search_as_you_type = debounced(SEARCH_PAUSE_MS, move |typed: String| {
        let options = NavigateOptions {
            replace: true,
            ..NavigateOptions::default()
        };
        navigate(&register.search_url(&typed), options);
    });
    view! {
        <section aria-labelledby="search-heading">
            <h2 id="search-heading">"Search customers"</h2>
            <form method="get" action="/pos" class="register-picker" role="search">
                <input type="hidden" name="register" value=register_key />
                <label for="q">"Search customers"</label>
                <input id="q" name="q" type="search" maxlength="100" value=move || term.get()
                    placeholder="Name, email, phone, account or temporary id"
                    on:input=move |ev| search_as_you_type(event_target_value(&ev)) />
                <button type="submit">"Search"</button>
            </form>
            <Transition fallback=|| view! { <p>"Searching…"</p> }>
                {move || {
                    let link_register = link_register.clone();
                    Suspend::new(async move {
                        loaded(results.await, move |rows| {
                            if term.get_untracked().trim().is_empty() {
                                return None;
                            }
                            Some(view! { <SearchResults rows register=link_register.clone() /> })
                        })
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn SearchResults(rows: Vec<CustomerSummary>, register: String) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p>"No customer matches."</p> }.into_any();
    }
    view! {
        <table>
            <caption>"Customers found"</caption>
            <thead>
                <tr>
                    <th scope="col">"Account"</th>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Phone"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        let href = pos_customer_path(&row.key(), &register);
                        view! {
                            <tr>
                                <td><AccountCell summary=row.clone() /></td>
                                <td><a href=href>{row.name}</a></td>
                                <td>{row.email}</td>
                                <td>{row.phone}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The query parameter that opens the POS with Add customer's form, as its
/// button does before the page's code has loaded.
pub(crate) const ADD: (&str, &str) = ("add", "customer");

#[component]
fn AddCustomerPanel(register: RegisterOption, outbox: Outbox) -> impl IntoView {
    let register_key = register.key();
    let reference_key = register_key.clone();
    let reference = Resource::new(|| (), move |_| channel_reference(Some(reference_key.clone())));
    let refused = refused_form(PostNewCustomer::PATH);
    let form = OutboxForm::new(
        Some(outbox),
        Some(register_key.clone()),
        rendered_form_operation_id(PostNewCustomer::url()),
    );
    let query = use_query_map();
    if query.read_untracked().get(ADD.0).as_deref() == Some(ADD.1) {
        // A new form has no answer to forget: `open` would write the
        // action's value, which only the browser's thread may hold.
        form.is_open.set(true);
    }
    drop_from_address_once_closed(form.is_open, ADD);
    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        refused.forget();
        form.open();
    };
    let register_key = StoredValue::new(register_key);

    view! {
        <section aria-labelledby="add-heading">
            <h2 id="add-heading">"New customer"</h2>
            // Without the page's code, the button opens the page with the form.
            <form method="get" action="/pos" on:submit=open>
                <input type="hidden" name="register" value=register_key.get_value() />
                <button type="submit" name=ADD.0 value=ADD.1>"Add customer"</button>
            </form>
            <Show when=move || form.is_open.get()>
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let (refusal, posted) = refused.take().await;
                        loaded(reference.await, move |reference| {
                            form.refused_before(refusal);
                            let unchanged = reference.blank_customer();
                            let initial = match posted {
                                Some(PostedValues::NewCustomer(draft)) => draft,
                                _ => unchanged.clone(),
                            };
                            view! {
                                <CustomerEditor
                                    initial
                                    unchanged
                                    reference
                                    mode=EditorMode::CashierNew
                                    server_error=form.refusal()
                                    pending=form.action.pending()
                                    on_save=Callback::new(move |draft| form.send(WaitingOperation::Create { draft }))
                                    save_caption="Save"
                                    on_cancel=Callback::new(move |_| form.is_open.set(false))
                                    posted_to=PlainPost::new_customer(Some(register_key.get_value()), &form.operation_id())
                                    at_register=Some(AtRegister { register: register_key.get_value(), customer_key: None })
                                />
                            }
                        })
                    })}
                </Suspense>
            </Show>
            {move || {
                let created = |customer: CreatedCustomer| {
                    let href = pos_customer_path(&customer.key(), &register_key.get_value());
                    view! {
                        <CreatedConfirmation customer />
                        <p><a href=href>"Open customer"</a></p>
                    }
                    .into_any()
                };
                match form.action.value().get()? {
                    Saved::Done(Sent::Created(customer)) => Some(created(customer)),
                    // Kept in this browser: said as it stands, until a tab has sent it.
                    Saved::Kept => match outbox.state_of(&form.operation_id()) {
                        KeptState::Sent(Sent::Created(customer)) => Some(created(customer)),
                        state => still_kept_message(&state, SavedKind::Customer)
                            .map(|message| view! { <p class="confirmation" role="status">{message}</p> }.into_any()),
                    },
                    _ => None,
                }
            }}
        </section>
    }
}

/// One customer at the POS: its details, Edit and Add address.
#[component]
pub fn PosCustomerPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || params.with(|p| p.get("key").unwrap_or_default());
    let register = move || {
        query
            .with(|q| q.get("register"))
            .unwrap_or_else(|| "1-1".to_string())
    };
    let outbox = open_register_outbox();
    view! {
        <Title text="Customer - POS - custsync" />
        // A whole page load, as the header's POS link: see `Navigation`.
        <p class="breadcrumb"><a href=move || format!("/pos?register={}", register()) rel="external">"POS"</a>" › Customer"</p>
        {move || view! { <CustomerCard key=key() register=Some(register()) /> }}
        {move || view! { <CustomerSales key=key() register=register() /> }}
        {move || view! { <WaitingPanel outbox register=register() /> }}
    }
}
