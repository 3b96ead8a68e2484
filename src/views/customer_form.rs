//! The customer forms of the POS and the online store. They check the draft
//! with the same rules as the server while the user types, show each message
//! beside its field, and keep everything typed when the server refuses.

use leptos::prelude::*;

use crate::api::channel_customers::{PostCustomerEdit, PostNewAddress, PostNewCustomer};
use crate::api::hq::sync_status::PostOperationSave;
#[cfg(feature = "hydrate")]
use crate::api::pos::search_customers;
use crate::domain::customer::{
    ADDRESS_PURPOSES, AFFILIATIONS, ATTRIBUTES, AddressDraft, CONTACT_KINDS, COUNTRIES, CURRENCIES,
    ContactDraft, CustomerDraft, CustomerField, CustomerSummary, LANGUAGES, Limits, PartyType, ReferenceData,
    group_caption, validate_address, validate_customer,
};
use crate::domain::operation::OperationId;
use crate::domain::registers::pos_customer_path;
use crate::error::{AppError, FieldErrors};
use crate::views::code_on_demand::{DownloadTries, NotDownloaded, NotDownloadedNote, code_on_demand};
#[cfg(feature = "hydrate")]
use crate::views::ui::debounced;
use crate::views::ui::{
    ErrorNote, FIRST_FIELD, FieldMessage, InputField, Select, focus_first_mistake, focus_when_opened,
    leave_on_escape,
};

/// Which parts of a customer a form edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorMode {
    /// A cashier adds a customer: every field and row.
    CashierNew,
    /// A cashier edits a customer's own fields.
    CashierEdit,
    /// A shopper signs up: names, email (required), phone and addresses.
    ShopperNew,
    /// A shopper edits their own details.
    ShopperEdit,
}

impl EditorMode {
    fn is_new(self) -> bool {
        matches!(self, EditorMode::CashierNew | EditorMode::ShopperNew)
    }

    fn is_cashier(self) -> bool {
        matches!(self, EditorMode::CashierNew | EditorMode::CashierEdit)
    }

    fn email_required(self) -> bool {
        !self.is_cashier()
    }
}

/// The messages to show: the server's, and once the user tried to save,
/// the browser's own check of the draft.
#[derive(Clone, Copy)]
struct Messages {
    client: Memo<FieldErrors>,
    server: Signal<Option<AppError>>,
    attempted: RwSignal<bool>,
}

impl Messages {
    /// On submit: shows every message, then saves when the browser's check
    /// passes, or puts the focus on the first mistake in `form`.
    fn submit(self, ev: leptos::ev::SubmitEvent, form: NodeRef<leptos::html::Form>, save: impl FnOnce()) {
        ev.prevent_default();
        self.attempted.set(true);
        if self.client.with_untracked(FieldErrors::is_empty) {
            save();
        } else {
            focus_first_mistake(form);
        }
    }

    /// After the server refused a save for its fields, puts the focus on
    /// the first of them, as the browser's own check does. The refusal a
    /// form came with in the server's page leaves alone a field the user is
    /// already typing in when the page's code arrives.
    fn focus_on_refusal(self, form: NodeRef<leptos::html::Form>) {
        let server = self.server;
        let came_with_the_page = crate::views::hydration::hydrating();
        Effect::new(move |ran_before: Option<()>| {
            let typing_before_the_code = came_with_the_page && crate::views::ui::typing_in_a_field();
            if let Some(AppError::Invalid(_)) = server.get()
                && (ran_before.is_some() || !typing_before_the_code)
            {
                focus_first_mistake(form);
            }
        });
    }

    fn for_key(self, key: String) -> Signal<Option<String>> {
        Signal::derive(move || {
            let server = self
                .server
                .try_get()
                .flatten()
                .and_then(|error| error.field(&key));
            // A form being replaced may still be asked for its messages once.
            let client = if self.attempted.try_get().unwrap_or(false) {
                self.client
                    .try_with(|errors| errors.get(&key).map(str::to_string))
                    .flatten()
            } else {
                None
            };
            client.or(server)
        })
    }
}

/// Where a customer form opened on a click puts the focus: the cashier
/// types the name without reaching for the mouse.
const CUSTOMER_NAME_FIELDS: &str = "#first_name, #organization_name";

/// Any customer form: the fields `mode` shows, for a cashier or a shopper.
fn customer_form(args: CustomerFormArgs) -> impl IntoView {
    let CustomerFormArgs {
        initial,
        unchanged,
        reference,
        mode,
        server_error,
        pending,
        on_save,
        save_caption,
        on_cancel,
        posted_to,
        at_register,
    } = args;
    let form = DraftForm::new(initial, unchanged, &reference, mode, server_error);
    let fields = if mode.is_cashier() {
        cashier_fields(form, mode, &reference, at_register)
    } else {
        shopper_fields(form, mode)
    };
    let actions = FormActions {
        pending,
        on_save,
        save_caption,
        on_cancel,
        posted_to,
    };
    form.view(fields, actions)
}

/// Where a form posts itself when the page's code has not loaded, or
/// JavaScript is off: a server function that takes form fields, and the
/// hidden fields that go with the form's own.
#[derive(Debug, Clone)]
pub struct PlainPost {
    action: &'static str,
    hidden: Vec<(String, String)>,
}

impl PlainPost {
    /// A new customer at `register` (the online store when absent), under
    /// the id the page's code saves it under: the form posted twice, or
    /// posted and then saved by the page's code, stages it once.
    pub fn new_customer(register: Option<String>, operation_id: &OperationId) -> PlainPost {
        use leptos::server_fn::ServerFn;
        let mut hidden = vec![("operation_id".to_string(), operation_id.to_string())];
        if let Some(register) = register {
            hidden.push(("register".to_string(), register));
        }
        PlainPost {
            action: PostNewCustomer::url(),
            hidden,
        }
    }

    /// Edit of customer `key`, whose form opened on `opened`: its own
    /// fields go along, so that the edit changes only those the cashier or
    /// shopper changed, and not one changed elsewhere since.
    pub fn edit_customer(
        register: Option<String>,
        key: String,
        opened: &CustomerDraft,
        operation_id: &OperationId,
    ) -> PlainPost {
        use leptos::server_fn::ServerFn;
        let mut post = PlainPost::change(PostCustomerEdit::url(), register, key, operation_id);
        for field in CustomerField::ALL {
            let value = match field {
                // As the form's own field posts it.
                CustomerField::PartyType => format!("{:?}", opened.party_type),
                _ => field.value(opened).to_string(),
            };
            post.hidden
                .push((format!("started_from[{}]", field.column()), value));
        }
        post
    }

    /// Add address to customer `key`.
    pub fn new_address(register: Option<String>, key: String, operation_id: &OperationId) -> PlainPost {
        use leptos::server_fn::ServerFn;
        PlainPost::change(PostNewAddress::url(), register, key, operation_id)
    }

    /// Save of an operation an admin corrects on the status page, which had
    /// `edits_seen` edits when the page read it.
    pub fn save_operation(operation_id: String, edits_seen: i64) -> PlainPost {
        use leptos::server_fn::ServerFn;
        PlainPost {
            action: PostOperationSave::url(),
            hidden: vec![
                ("operation_id".to_string(), operation_id),
                ("edits_seen".to_string(), edits_seen.to_string()),
            ],
        }
    }

    fn change(
        action: &'static str,
        register: Option<String>,
        key: String,
        operation_id: &OperationId,
    ) -> PlainPost {
        let mut post = PlainPost::new_customer(register, operation_id);
        post.action = action;
        post.hidden.push(("key".to_string(), key));
        post
    }

    /// The form's `method`, `action` and hidden fields, or none of them.
    fn parts(post: Option<PlainPost>) -> (Option<&'static str>, Option<&'static str>, Vec<(String, String)>) {
        match post {
            Some(post) => (Some("post"), Some(post.action), post.hidden),
            None => (None, None, Vec::new()),
        }
    }
}

fn hidden_fields(hidden: Vec<(String, String)>) -> impl IntoView {
    hidden
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
        .collect_view()
}

/// What a customer form does besides its fields: save (with its caption),
/// cancel, and post itself before the page's code has loaded.
struct FormActions {
    pending: Signal<bool>,
    on_save: Callback<CustomerDraft>,
    save_caption: &'static str,
    on_cancel: Option<Callback<()>>,
    posted_to: Option<PlainPost>,
}

/// Sign up's form. It names the shopper's fields only, so the sign-up page
/// does not carry the code of the cashier's.
#[component]
pub fn SignUpForm(
    initial: CustomerDraft,
    reference: ReferenceData,
    #[prop(into)] server_error: Signal<Option<AppError>>,
    #[prop(into)] pending: Signal<bool>,
    on_save: Callback<CustomerDraft>,
    posted_to: PlainPost,
) -> impl IntoView {
    let mode = EditorMode::ShopperNew;
    let form = DraftForm::new(initial, None, &reference, mode, server_error);
    let actions = FormActions {
        pending,
        on_save,
        save_caption: "Sign up",
        on_cancel: None,
        posted_to: Some(posted_to),
    };
    form.view(shopper_fields(form, mode), actions)
}

/// The customer being typed, and the messages about it.
#[derive(Clone, Copy)]
struct DraftForm {
    draft: RwSignal<CustomerDraft>,
    /// The customer as it is, to tell whether anything was typed: the one
    /// the form opened with, unless it opened on what a refused save carried.
    opened: StoredValue<CustomerDraft>,
    messages: Messages,
}

impl DraftForm {
    /// The form on `initial`; `unchanged` is the customer as it is when
    /// the form opens on something else (what a refused save carried).
    fn new(
        initial: CustomerDraft,
        unchanged: Option<CustomerDraft>,
        reference: &ReferenceData,
        mode: EditorMode,
        server_error: Signal<Option<AppError>>,
    ) -> DraftForm {
        let opened = StoredValue::new(unchanged.unwrap_or_else(|| initial.clone()));
        let draft = RwSignal::new(initial);
        let check = reference.clone();
        let client = Memo::new(move |_| {
            draft.with(|d| {
                validate_customer(d, &check, mode.email_required())
                    .err()
                    .unwrap_or_default()
            })
        });
        let messages = Messages {
            client,
            server: server_error,
            attempted: RwSignal::new(false),
        };
        DraftForm {
            draft,
            opened,
            messages,
        }
    }

    /// The form around `fields`: its buttons, and what stops it saving.
    fn view(self, fields: AnyView, actions: FormActions) -> impl IntoView {
        let DraftForm {
            draft,
            opened,
            messages,
        } = self;
        let FormActions {
            pending,
            on_save,
            save_caption,
            on_cancel,
            posted_to,
        } = actions;
        let (method, action, hidden) = PlainPost::parts(posted_to);
        let form = NodeRef::<leptos::html::Form>::new();
        let submit = move |ev: leptos::ev::SubmitEvent| {
            messages.submit(ev, form, move || on_save.run(draft.get_untracked()))
        };
        if on_cancel.is_some() {
            focus_when_opened(form, CUSTOMER_NAME_FIELDS);
        }
        let typed = move || opened.with_value(|opened| draft.with_untracked(|draft| draft != opened));
        messages.focus_on_refusal(form);
        view! {
            <form class="customer-form" method=method action=action novalidate=true node_ref=form on:submit=submit on:keydown=leave_on_escape(on_cancel, typed)>
                {hidden_fields(hidden)}
                {fields}
                <div class="actions">
                    <button type="submit" disabled=move || pending.get()>{save_caption}</button>
                    {on_cancel.map(|cancel| view! {
                        <button type="button" on:click=move |_| cancel.run(())>"Cancel"</button>
                    })}
                </div>
                {move || {
                    let attempted_with_errors =
                        messages.attempted.get() && !messages.client.with(FieldErrors::is_empty);
                    let server = messages.server.get();
                    if attempted_with_errors {
                        Some(view! { <ErrorNote error=AppError::Invalid(messages.client.get()) /> }.into_any())
                    } else {
                        server.map(|error| view! { <ErrorNote error /> }.into_any())
                    }
                }}
            </form>
        }
    }
}

/// What a shopper fills in: names, email, phone, and addresses when signing up.
fn shopper_fields(form: DraftForm, mode: EditorMode) -> AnyView {
    let DraftForm { draft, messages, .. } = form;
    view! {
        {name_fields(form, false)}
        {email_and_phone(form, mode)}
        {mode.is_new().then(|| view! { <AddressRows draft messages /> })}
    }
    .into_any()
}

/// What a cashier fills in: the customer type and account settings too,
/// and for a new customer its contacts, affiliations and attributes. At a
/// register, the email typed is looked up among the store's customers.
fn cashier_fields(
    form: DraftForm,
    mode: EditorMode,
    reference: &ReferenceData,
    at_register: Option<AtRegister>,
) -> AnyView {
    let DraftForm { draft, messages, .. } = form;
    let groups: Vec<(String, String)> = reference
        .customer_groups
        .iter()
        .map(|(id, description)| (id.clone(), group_caption(id, description)))
        .collect();
    view! {
        <SelectField
            key="party_type"
            label="Customer type"
            options=vec![
                ("Person".to_string(), "Person".to_string()),
                ("Organization".to_string(), "Organization".to_string()),
            ]
            value=Signal::derive(move || draft.with(|d| format!("{:?}", d.party_type)))
            on_change=Callback::new(move |value: String| {
                draft.update(|d| d.party_type = if value == "Organization" { PartyType::Organization } else { PartyType::Person })
            })
            messages
        />
        {name_fields(form, true)}
        {email_and_phone(form, mode)}
        {at_register.map(|at| view! { <EmailHolders draft=form.draft at /> })}
        <div class="field-row">
            <SelectField key="customer_group" label="Customer group" options=groups
                value=Signal::derive(move || draft.with(|d| d.customer_group.clone()))
                on_change=Callback::new(move |v| draft.update(|d| d.customer_group = v)) messages />
            <SelectField key="language" label="Language" options=pairs(&LANGUAGES)
                value=Signal::derive(move || draft.with(|d| d.language.clone()))
                on_change=Callback::new(move |v| draft.update(|d| d.language = v)) messages />
            <SelectField key="currency" label="Currency" options=CURRENCIES.iter().map(|c| (c.to_string(), c.to_string())).collect()
                value=Signal::derive(move || draft.with(|d| d.currency.clone()))
                on_change=Callback::new(move |v| draft.update(|d| d.currency = v)) messages />
        </div>
        {mode.is_new().then(|| view! { <AddressRows draft messages /> })}
        {(mode == EditorMode::CashierNew).then(|| view! {
            <ContactRows draft messages />
            <Affiliations draft messages />
            <Attributes draft messages />
        })}
    }
    .into_any()
}

/// A person's names (the middle one for a cashier), or an organization's.
fn name_fields(form: DraftForm, with_middle_name: bool) -> impl IntoView {
    let DraftForm { draft, messages, .. } = form;
    let is_person = move || draft.with(|d| d.party_type == PartyType::Person);
    view! {
        <Show
            when=is_person
            fallback=move || {
                view! {
                    <TextField key="organization_name" max_length=Limits::ORGANIZATION_NAME label="Organization name" required=true draft get=|d| d.organization_name.clone() set=|d, v| d.organization_name = v messages />
                }
            }
        >
            <TextField key="first_name" max_length=Limits::NAME label="First name" required=true autocomplete="given-name" draft get=|d| d.first_name.clone() set=|d, v| d.first_name = v messages />
            {with_middle_name.then(|| view! {
                <TextField key="middle_name" max_length=Limits::NAME label="Middle name" autocomplete="additional-name" draft get=|d| d.middle_name.clone() set=|d, v| d.middle_name = v messages />
            })}
            <TextField key="last_name" max_length=Limits::NAME label="Last name" required=true autocomplete="family-name" draft get=|d| d.last_name.clone() set=|d, v| d.last_name = v messages />
        </Show>
    }
}

fn email_and_phone(form: DraftForm, mode: EditorMode) -> impl IntoView {
    let DraftForm { draft, messages, .. } = form;
    view! {
        <TextField key="email" max_length=Limits::EMAIL label="Email" input_type="email" required=mode.email_required() autocomplete="email" draft get=|d| d.email.clone() set=|d, v| d.email = v messages />
        <TextField key="phone" max_length=Limits::PHONE label="Phone" input_type="tel" autocomplete="tel" draft get=|d| d.phone.clone() set=|d, v| d.phone = v messages />
    }
}

/// The register a cashier's form is used at, and the customer it edits (its
/// account or temporary id; none for a new one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtRegister {
    pub register: String,
    pub customer_key: Option<String>,
}

/// How long the email must rest before it is looked up.
#[cfg(feature = "hydrate")]
const EMAIL_LOOKUP_PAUSE_MS: u32 = 400;

/// Says, as the cashier types an email, which customer the store knows
/// already has it, with a link to open them: HQ requires unique emails, so
/// a second customer with it would fail to sync. Only said, not refused:
/// the store's copy of HQ's customers may be behind HQ, which decides.
/// Looked up with the POS search, once the email has rested; a lookup that
/// fails (the network gone) says nothing.
#[component]
fn EmailHolders(draft: RwSignal<CustomerDraft>, at: AtRegister) -> impl IntoView {
    let holders = RwSignal::new(Vec::<CustomerSummary>::new());
    let register = at.register.clone();
    #[cfg(feature = "hydrate")]
    look_up_email_holders(draft, at.customer_key, holders);
    #[cfg(not(feature = "hydrate"))]
    let _ = (draft, at.customer_key);
    // A live region there from the start, so that what comes into it is
    // read out; not a status, which the form's answer is.
    view! {
        <div class="email-holders" aria-live="polite">
            {move || {
                let holders = holders.get();
                let first = holders.first()?;
                let (others, have) = match holders.len() - 1 {
                    0 => (String::new(), "has"),
                    1 => (" and 1 other customer".to_string(), "have"),
                    more => (format!(" and {more} other customers"), "have"),
                };
                let account = first.account.clone().unwrap_or_else(|| "Pending sync".to_string());
                Some(view! {
                    <p class="note">
                        {format!(
                            "{} ({account}){others} already {have} this email. HQ requires unique emails: a second customer with it would fail to sync. ",
                            first.name
                        )}
                        <a href=pos_customer_path(&first.key(), &register)>{format!("Open {}", first.name)}</a>
                    </p>
                })
            }}
        </div>
    }
}

#[cfg(feature = "hydrate")]
fn look_up_email_holders(
    draft: RwSignal<CustomerDraft>,
    customer_key: Option<String>,
    holders: RwSignal<Vec<CustomerSummary>>,
) {
    let look_up = debounced(EMAIL_LOOKUP_PAUSE_MS, move |email: String| {
        let customer_key = customer_key.clone();
        leptos::task::spawn_local(async move {
            let found = if email.contains('@') {
                search_customers(email.clone()).await.unwrap_or_default()
            } else {
                Vec::new()
            };
            // Answers may come back in another order than asked: only the
            // one for the email as it is now counts.
            if draft.try_with_untracked(|d| d.email.trim() == email) == Some(true) {
                holders.try_set(others_with_email(found, &email, customer_key.as_deref()));
            }
        });
    });
    Effect::new(move |_| look_up(draft.with(|d| d.email.trim().to_string())));
}

/// The customers `found` whose email is `email`, whatever its case, other
/// than the one the form edits (`customer_key`, its account or temporary id).
#[cfg(feature = "hydrate")]
fn others_with_email(
    found: Vec<CustomerSummary>,
    email: &str,
    customer_key: Option<&str>,
) -> Vec<CustomerSummary> {
    found
        .into_iter()
        .filter(|found| found.email.trim().eq_ignore_ascii_case(email))
        .filter(|found| {
            customer_key.is_none_or(|key| {
                found.account.as_deref() != Some(key) && found.temporary_id.as_deref() != Some(key)
            })
        })
        .collect()
}

/// The customer form of a page that opens it on a click (Add customer,
/// Edit): its code is downloaded when it is first opened, not with the page,
/// so the page itself loads sooner.
#[component]
pub fn CustomerEditor(
    initial: CustomerDraft,
    /// The customer as it is, when the form opens on something else (what
    /// a refused save carried): Escape asks before it drops the difference.
    #[prop(optional)]
    unchanged: Option<CustomerDraft>,
    reference: ReferenceData,
    mode: EditorMode,
    #[prop(into)] server_error: Signal<Option<AppError>>,
    #[prop(into)] pending: Signal<bool>,
    on_save: Callback<CustomerDraft>,
    save_caption: &'static str,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
    /// Where the form posts itself before the page's code has loaded.
    #[prop(optional)]
    posted_to: Option<PlainPost>,
    /// The register a cashier uses it at.
    #[prop(default = None)]
    at_register: Option<AtRegister>,
) -> impl IntoView {
    let form = CustomerFormArgs {
        initial,
        unchanged,
        reference,
        mode,
        server_error,
        pending,
        on_save,
        save_caption,
        on_cancel,
        posted_to,
        at_register,
    };
    form_on_demand(form, customer_editor_code, on_cancel)
}

/// What the customer form is made from: `CustomerEditor`'s props, kept to
/// make the form again when its code had to be downloaded again.
#[derive(Clone)]
struct CustomerFormArgs {
    initial: CustomerDraft,
    unchanged: Option<CustomerDraft>,
    reference: ReferenceData,
    mode: EditorMode,
    server_error: Signal<Option<AppError>>,
    pending: Signal<bool>,
    on_save: Callback<CustomerDraft>,
    save_caption: &'static str,
    on_cancel: Option<Callback<()>>,
    posted_to: Option<PlainPost>,
    at_register: Option<AtRegister>,
}

code_on_demand! {
    custsync_customer_editor;
    /// The split point `CustomerEditor` loads; without a form, it only loads.
    fn customer_editor_code(form: Option<CustomerFormArgs>) -> Option<AnyView> {
        form.map(|form| customer_form(form).into_any())
    }
}

/// Downloads the code of the forms pages open on a click (the customer
/// editor and Add address) without showing them, so that they open even
/// once the network has gone. Marks the page's `<body>` with
/// `data-forms-ready` once both are there, for the browser tests.
pub async fn preload_editors() -> Result<(), NotDownloaded> {
    customer_editor_code(None).await?;
    address_form_code(None).await?;
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-forms-ready", "true");
    }
    Ok(())
}

/// A form whose code is downloaded when it is first shown, with a note in
/// its place meanwhile. When the code could not be downloaded, the note
/// says so, and Try again makes the form again from `form`, downloading
/// the code anew.
fn form_on_demand<A, F, Code>(form: A, code: F, on_cancel: Option<Callback<()>>) -> impl IntoView
where
    A: Clone + Send + Sync + 'static,
    F: Fn(Option<A>) -> Code + Send + Sync + 'static,
    Code: Future<Output = Result<Option<AnyView>, NotDownloaded>> + Send + 'static,
{
    let tries = DownloadTries::new();
    let form_or_note = move || {
        tries.track();
        let made = code(Some(form.clone()));
        Suspend::new(async move {
            match made.await {
                Ok(form) => form.unwrap_or_else(|| ().into_any()),
                Err(NotDownloaded) => view! { <NotDownloadedNote tries on_cancel /> }.into_any(),
            }
        })
    };
    // A form the server renders open (its page's address opened it) is
    // hydrated with its code downloaded first (`views::opened_forms`), and
    // without a Suspense of its own: Leptos hydrates a Suspense nested in
    // the page's as markers the server did not send, which stops the page.
    if rendered_by_the_server() {
        form_or_note.into_any()
    } else {
        view! {
            <Suspense fallback=|| view! { <p>"Loading the form…"</p> }>{form_or_note}</Suspense>
        }
        .into_any()
    }
}

/// Whether the view being made is the server's rendering of a page, or
/// the browser's hydration of it.
fn rendered_by_the_server() -> bool {
    cfg!(not(feature = "hydrate")) || crate::views::hydration::hydrating()
}

/// The name a field has in a form the browser posts itself, after the
/// server function's arguments: `first_name` is `draft[first_name]`,
/// `addresses.0.street` is `draft[addresses][0][street]`, and Add
/// address's `address.street` is `address[street]`.
fn field_name(key: &str) -> String {
    let mut parts = key.split('.');
    let first = parts.next().unwrap_or_default();
    let mut name = if first == "address" {
        first.to_string()
    } else {
        format!("draft[{first}]")
    };
    for part in parts {
        name.push('[');
        name.push_str(part);
        name.push(']');
    }
    name
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(code, name)| (code.to_string(), name.to_string()))
        .collect()
}

#[component]
fn TextField(
    key: &'static str,
    label: &'static str,
    draft: RwSignal<CustomerDraft>,
    get: fn(&CustomerDraft) -> String,
    set: fn(&mut CustomerDraft, String),
    messages: Messages,
    max_length: usize,
    #[prop(optional)] required: bool,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> impl IntoView {
    view! {
        <InputField
            id=key.to_string()
            label=label
            required
            input_type=input_type.unwrap_or("text")
            autocomplete=autocomplete.unwrap_or("off")
            value=Signal::derive(move || draft.with(get))
            on_input=Callback::new(move |value| draft.update(|d| set(d, value)))
            message=messages.for_key(key.to_string())
            max_length
            name=field_name(key)
        />
    }
}

#[component]
fn SelectField(
    key: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    value: Signal<String>,
    on_change: Callback<String>,
    messages: Messages,
) -> impl IntoView {
    view! {
        <Select id=key.to_string() label options value on_change message=messages.for_key(key.to_string()) name=field_name(key) />
    }
}

/// The fields of one address; `prefix` names its messages (`addresses.0`
/// inside a customer, `address` on its own).
#[component]
fn AddressFields(
    prefix: String,
    address: Signal<AddressDraft>,
    update: Callback<(String, String)>,
    messages: Messages,
) -> impl IntoView {
    let prefix = StoredValue::new(prefix);
    let key = move |field: &str| format!("{}.{field}", prefix.get_value());
    let text = move |field: &'static str,
                     label: &'static str,
                     required: bool,
                     max_length: usize,
                     get: fn(&AddressDraft) -> String| {
        view! {
            <InputField
                id=key(field)
                label
                required
                max_length
                value=Signal::derive(move || address.with(get))
                on_input=Callback::new(move |value| update.run((field.to_string(), value)))
                message=messages.for_key(key(field))
                name=field_name(&key(field))
            />
        }
    };
    let select = move |field: &'static str,
                       label: &'static str,
                       options: Vec<(String, String)>,
                       get: fn(&AddressDraft) -> String| {
        view! {
            <Select
                id=key(field)
                label
                options
                value=Signal::derive(move || address.with(get))
                on_change=Callback::new(move |value| update.run((field.to_string(), value)))
                message=messages.for_key(key(field))
                name=field_name(&key(field))
            />
        }
    };
    let primary_id = key("primary");
    view! {
        <div class="field-row">
            {text("name", "Address name", false, Limits::ADDRESS_NAME, |a| a.name.clone())}
            {select("purpose", "Purpose", ADDRESS_PURPOSES.iter().map(|p| (p.to_string(), p.to_string())).collect(), |a| a.purpose.clone())}
        </div>
        {text("street", "Street", true, Limits::STREET, |a| a.street.clone())}
        <div class="field-row">
            {text("city", "City", true, Limits::CITY, |a| a.city.clone())}
            {text("state", "State", false, Limits::STATE, |a| a.state.clone())}
            {text("zip", "ZIP/postal code", true, Limits::ZIP, |a| a.zip.clone())}
            {select("country_region", "Country/region", pairs(&COUNTRIES), |a| a.country_region.clone())}
        </div>
        <div class="checkbox">
            <input
                type="checkbox"
                id=primary_id.clone()
                name=field_name(&primary_id)
                value="true"
                checked=address.with_untracked(|a| a.primary)
                prop:checked=move || address.with(|a| a.primary)
                on:change=move |ev| update.run(("primary".to_string(), event_target_checked(&ev).to_string()))
            />
            <label for=primary_id>"Primary address"</label>
        </div>
    }
}

/// Applies one field's new value to an address.
fn set_address_field(address: &mut AddressDraft, field: &str, value: String) {
    match field {
        "name" => address.name = value,
        "purpose" => address.purpose = value,
        "street" => address.street = value,
        "city" => address.city = value,
        "state" => address.state = value,
        "zip" => address.zip = value,
        "country_region" => address.country_region = value,
        "primary" => address.primary = value == "true",
        _ => {}
    }
}

fn new_address(first: bool) -> AddressDraft {
    AddressDraft {
        purpose: "Home".to_string(),
        country_region: "USA".to_string(),
        primary: first,
        ..AddressDraft::default()
    }
}

#[component]
fn AddressRows(draft: RwSignal<CustomerDraft>, messages: Messages) -> impl IntoView {
    let count = move || draft.with(|d| d.addresses.len());
    view! {
        <fieldset class="rows">
            <legend>"Addresses"</legend>
            <For each=move || 0..count() key=|index| *index let:index>
                <fieldset class="row">
                    <legend>{format!("Address {}", index + 1)}</legend>
                    <AddressFields
                        prefix=format!("addresses.{index}")
                        address=Signal::derive(move || draft.with(|d| d.addresses.get(index).cloned().unwrap_or_default()))
                        update=Callback::new(move |(field, value): (String, String)| {
                            draft.update(|d| {
                                if let Some(address) = d.addresses.get_mut(index) {
                                    set_address_field(address, &field, value);
                                }
                            })
                        })
                        messages
                    />
                    <button type="button" class="link" on:click=move |_| draft.update(|d| {
                        if index < d.addresses.len() {
                            d.addresses.remove(index);
                        }
                    })>{format!("Remove address {}", index + 1)}</button>
                </fieldset>
            </For>
            <FieldMessage id="addresses-message" message=messages.for_key("addresses".to_string()) />
            <button type="button" on:click=move |_| draft.update(|d| {
                let first = d.addresses.is_empty();
                d.addresses.push(new_address(first));
            })>{move || if count() == 0 { "Add address" } else { "Add another address" }}</button>
        </fieldset>
    }
}

#[component]
fn ContactRows(draft: RwSignal<CustomerDraft>, messages: Messages) -> impl IntoView {
    let count = move || draft.with(|d| d.contacts.len());
    let kinds: Vec<(String, String)> = CONTACT_KINDS
        .iter()
        .map(|k| (k.to_string(), k.to_string()))
        .collect();
    view! {
        <fieldset class="rows">
            <legend>"Contacts"</legend>
            <For each=move || 0..count() key=|index| *index let:index>
                {
                    let contact = move || draft.with(|d| d.contacts.get(index).cloned().unwrap_or_default());
                    let update = move |change: fn(&mut ContactDraft, String), value: String| {
                        draft.update(|d| {
                            if let Some(contact) = d.contacts.get_mut(index) {
                                change(contact, value);
                            }
                        })
                    };
                    let primary_id = format!("contacts.{index}.primary");
                    view! {
                        <fieldset class="row">
                            <legend>{format!("Contact {}", index + 1)}</legend>
                            <div class="field-row">
                                <Select
                                    id=format!("contacts.{index}.kind")
                                    label="Contact type"
                                    options=kinds.clone()
                                    value=Signal::derive(move || contact().kind)
                                    on_change=Callback::new(move |v| update(|c, v| c.kind = v, v))
                                    message=messages.for_key(format!("contacts.{index}.kind"))
                                    name=field_name(&format!("contacts.{index}.kind"))
                                />
                                <InputField
                                    id=format!("contacts.{index}.value")
                                    label="Contact details"
                                    required=true
                                    max_length=Limits::VALUE
                                    value=Signal::derive(move || contact().value)
                                    on_input=Callback::new(move |v| update(|c, v| c.value = v, v))
                                    message=messages.for_key(format!("contacts.{index}.value"))
                                    name=field_name(&format!("contacts.{index}.value"))
                                />
                            </div>
                            <div class="checkbox">
                                <input
                                    type="checkbox"
                                    id=primary_id.clone()
                                    name=field_name(&primary_id)
                                    value="true"
                                    checked=draft.with_untracked(|d| d.contacts.get(index).is_some_and(|c| c.primary))
                                    prop:checked=move || contact().primary
                                    on:change=move |ev| update(|c, v| c.primary = v == "true", event_target_checked(&ev).to_string())
                                />
                                <label for=primary_id>"Primary contact of its type"</label>
                            </div>
                            <button type="button" class="link" on:click=move |_| draft.update(|d| {
                                if index < d.contacts.len() {
                                    d.contacts.remove(index);
                                }
                            })>{format!("Remove contact {}", index + 1)}</button>
                        </fieldset>
                    }
                }
            </For>
            <button type="button" on:click=move |_| draft.update(|d| d.contacts.push(ContactDraft {
                kind: "Phone".to_string(),
                ..ContactDraft::default()
            }))>"Add contact"</button>
        </fieldset>
    }
}

#[component]
fn Affiliations(draft: RwSignal<CustomerDraft>, messages: Messages) -> impl IntoView {
    view! {
        <fieldset class="rows">
            <legend>"Affiliations"</legend>
            <div class="checkbox-row">
                {AFFILIATIONS
                    .iter()
                    .map(|affiliation| {
                        let name = affiliation.to_string();
                        let id = format!("affiliation-{}", name.to_ascii_lowercase().replace(' ', "-"));
                        let has = name.clone();
                        view! {
                            <span class="checkbox">
                                <input
                                    type="checkbox"
                                    id=id.clone()
                                    name="draft[affiliations][]"
                                    value=name.clone()
                                    checked=draft.with_untracked(|d| d.affiliations.contains(&name))
                                    prop:checked=move || draft.with(|d| d.affiliations.contains(&has))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        draft.update(|d| {
                                            d.affiliations.retain(|a| a != &name);
                                            if on {
                                                d.affiliations.push(name.clone());
                                            }
                                        })
                                    }
                                />
                                <label for=id>{*affiliation}</label>
                            </span>
                        }
                    })
                    .collect_view()}
            </div>
            <FieldMessage id="affiliations-message" message=messages.for_key("affiliations.0".to_string()) />
        </fieldset>
    }
}

/// One input per attribute; a blank one is not stored.
#[component]
fn Attributes(draft: RwSignal<CustomerDraft>, messages: Messages) -> impl IntoView {
    let value_of = move |name: &'static str| {
        Signal::derive(move || {
            draft.with(|d| {
                d.attributes
                    .iter()
                    .find(|a| a.name == name)
                    .map(|a| a.value.clone())
                    .unwrap_or_default()
            })
        })
    };
    let set = move |name: &'static str| {
        Callback::new(move |value: String| {
            draft.update(|d| {
                match d.attributes.iter_mut().find(|a| a.name == name) {
                    Some(attribute) => attribute.value = value,
                    None => d.attributes.push(crate::domain::customer::AttributeDraft {
                        name: name.to_string(),
                        value,
                    }),
                }
                d.attributes.retain(|a| !a.value.trim().is_empty());
            })
        })
    };
    let message_of = move |name: &'static str| {
        Signal::derive(move || {
            let index = draft.with(|d| d.attributes.iter().position(|a| a.name == name))?;
            messages.for_key(format!("attributes.{index}.value")).get()
        })
    };
    // A form the browser posts itself sends every attribute, by its place
    // in this list; the server leaves out the blank ones.
    let posted_name = |index: usize| {
        view! { <input type="hidden" name=format!("draft[attributes][{index}][name]") value=ATTRIBUTES[index] /> }
    };
    let posted_value = |index: usize| format!("draft[attributes][{index}][value]");
    view! {
        <fieldset class="rows">
            <legend>"Attributes"</legend>
            {(0..ATTRIBUTES.len()).map(posted_name).collect_view()}
            <div class="field-row">
                <InputField id="attribute-birthday".to_string() label="Birthday" input_type="date" max_length=Limits::VALUE
                    value=value_of(ATTRIBUTES[0]) on_input=set(ATTRIBUTES[0]) message=message_of(ATTRIBUTES[0]) name=posted_value(0) />
                <InputField id="attribute-preferred-store".to_string() label="Preferred store" max_length=Limits::VALUE
                    value=value_of(ATTRIBUTES[1]) on_input=set(ATTRIBUTES[1]) message=message_of(ATTRIBUTES[1]) name=posted_value(1) />
                <Select id="attribute-marketing-opt-in".to_string() label="Marketing opt-in"
                    options=vec![("Yes".to_string(), "Yes".to_string()), ("No".to_string(), "No".to_string())]
                    value=value_of(ATTRIBUTES[2]) on_change=set(ATTRIBUTES[2]) message=message_of(ATTRIBUTES[2]) name=posted_value(2) />
            </div>
        </fieldset>
    }
}

/// "Add address", which a page opens on a click: its code is downloaded
/// when it is first opened, not with the page.
#[component]
pub fn AddressEditor(
    /// What the form starts with: a new address when none.
    initial: Option<AddressDraft>,
    /// Whether the customer has no address: the new one starts ticked as
    /// primary, as HQ makes it anyway.
    first: bool,
    #[prop(into)] server_error: Signal<Option<AppError>>,
    #[prop(into)] pending: Signal<bool>,
    on_save: Callback<AddressDraft>,
    on_cancel: Callback<()>,
    /// Where the form posts itself before the page's code has loaded.
    #[prop(optional)]
    posted_to: Option<PlainPost>,
) -> impl IntoView {
    let form = AddressFormArgs {
        initial,
        first,
        server_error,
        pending,
        on_save,
        on_cancel,
        posted_to,
    };
    form_on_demand(form, address_form_code, Some(on_cancel))
}

/// What Add address's form is made from: `AddressEditor`'s props.
#[derive(Clone)]
struct AddressFormArgs {
    initial: Option<AddressDraft>,
    first: bool,
    server_error: Signal<Option<AppError>>,
    pending: Signal<bool>,
    on_save: Callback<AddressDraft>,
    on_cancel: Callback<()>,
    posted_to: Option<PlainPost>,
}

code_on_demand! {
    custsync_address_form;
    /// The split point `AddressEditor` loads; without a form, it only loads.
    fn address_form_code(form: Option<AddressFormArgs>) -> Option<AnyView> {
        form.map(|form| address_form(form).into_any())
    }
}

/// One address on its own, checked like the server checks it.
fn address_form(args: AddressFormArgs) -> impl IntoView {
    let AddressFormArgs {
        initial,
        first,
        server_error,
        pending,
        on_save,
        on_cancel,
        posted_to,
    } = args;
    let (method, action, hidden) = PlainPost::parts(posted_to);
    let address = RwSignal::new(initial.unwrap_or_else(|| new_address(first)));
    let opened = StoredValue::new(address.get_untracked());
    let typed = move || opened.with_value(|opened| address.with_untracked(|address| address != opened));
    let attempted = RwSignal::new(false);
    let client = Memo::new(move |_| address.with(|a| validate_address(a).err().unwrap_or_default()));
    let messages = Messages {
        client,
        server: server_error,
        attempted,
    };
    let form = NodeRef::<leptos::html::Form>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        messages.submit(ev, form, move || on_save.run(address.get_untracked()))
    };
    focus_when_opened(form, FIRST_FIELD);
    messages.focus_on_refusal(form);
    view! {
        <form
            class="customer-form"
            method=method
            action=action
            novalidate=true
            node_ref=form
            on:submit=submit
            on:keydown=leave_on_escape(Some(on_cancel), typed)
            aria-label="Add address"
        >
            {hidden_fields(hidden)}
            <AddressFields
                prefix="address".to_string()
                address=address.into()
                update=Callback::new(move |(field, value): (String, String)| {
                    address.update(|a| set_address_field(a, &field, value))
                })
                messages
            />
            <div class="actions">
                <button type="submit" disabled=move || pending.get()>"Save address"</button>
                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
            {move || server_error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|error| view! { <ErrorNote error /> })}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::field_name;

    #[test]
    fn a_field_is_named_after_the_server_functions_argument() {
        assert_eq!(field_name("first_name"), "draft[first_name]");
        assert_eq!(field_name("addresses.0.street"), "draft[addresses][0][street]");
        assert_eq!(field_name("contacts.2.primary"), "draft[contacts][2][primary]");
        assert_eq!(field_name("address.zip"), "address[zip]");
    }
}
