//! The building blocks every page shares: one way to show a failure, a
//! labelled input or select with its message beside it, a time, a status,
//! and the keys of a form opened on a click (focus on open, Escape).

use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::{Http, ServerFn};
use leptos_router::hooks::use_query_map;

use crate::api::refused_posts::PostedValues;
use crate::domain::operation::{OperationStatus, display_time};
use crate::error::AppError;

/// `act`, called with the last value given once `delay_ms` have passed
/// without a newer one: a search as you type runs when the typist pauses,
/// not at every key.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn debounced<T: 'static>(delay_ms: u32, act: impl Fn(T) + Clone + 'static) -> impl Fn(T) + Clone {
    let latest_call = StoredValue::new(0_u64);
    move |value| {
        let call = latest_call.get_value() + 1;
        latest_call.set_value(call);
        let act = act.clone();
        leptos::task::spawn_local(async move {
            #[cfg(feature = "hydrate")]
            gloo_timers::future::TimeoutFuture::new(delay_ms).await;
            if latest_call.try_get_value() == Some(call) {
                act(value);
            }
        });
    }
}

/// A browser's own form post that was refused: the path of the server
/// function it posted to, its error, and whether the form that was posted
/// shows it (a customer form refused for its fields shows its messages
/// beside them, around what was typed: `api::refused_posts`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RefusedPost {
    path: String,
    error: AppError,
    shown_by_its_form: bool,
}

impl RefusedPost {
    /// The refusal of a post to `action`; none for another form's.
    pub fn of(self, action: &str) -> Option<AppError> {
        (self.path == action).then_some(self.error)
    }
}

/// The refusal a browser's own form post came back with: server_fn sends
/// such a post back to its page with the server function's path in the URL
/// as `__path` and its error as `__err`. Decoded on the server only, while
/// it renders the page, so that the decoder's code stays out of every
/// page's WASM; hydration reads the value the server sent with the page.
pub fn posted_refusal() -> Resource<Option<RefusedPost>> {
    let query = use_query_map();
    Resource::new(
        move || query.with(|q| (q.get("__path"), q.get("__err"))),
        |(path, error)| async move {
            let (error, values) = decode_refusal(path.clone()?, error?).await?;
            Some(RefusedPost {
                path: path?,
                shown_by_its_form: matches!(error, AppError::Invalid(_)) && values.is_some(),
                error,
            })
        },
    )
}

/// The refusal of the browser's own post of a customer form to `action`,
/// with what it carried when the server kept it (`api::refused_posts`),
/// for the form to show again (`RefusedForm::take`).
pub fn refused_form(action: &'static str) -> RefusedForm {
    let query = use_query_map();
    let refusal = Resource::new(
        move || query.with(|q| (q.get("__path"), q.get("__err"))),
        move |(path, error)| async move {
            let path = path.filter(|path| path == action)?;
            decode_refusal(path, error?).await
        },
    );
    RefusedForm {
        refusal,
        forgotten: StoredValue::new(false),
    }
}

/// A refused post for the form it came from: see `refused_form`.
#[derive(Clone, Copy)]
pub struct RefusedForm {
    refusal: Resource<Option<(AppError, Option<PostedValues>)>>,
    forgotten: StoredValue<bool>,
}

impl RefusedForm {
    /// The refusal and the values posted, until `forget`; nothing when the
    /// page's address names no such refusal.
    pub async fn take(self) -> (Option<AppError>, Option<PostedValues>) {
        let refused = self.refusal.await;
        match refused {
            Some((error, values)) if !self.forgotten.get_value() => (Some(error), values),
            _ => (None, None),
        }
    }

    /// Called when the form is opened anew (and when the status page's
    /// correction is saved by the page's code): from then on, the form
    /// starts without the refused post, and a reload does not bring it back.
    pub fn forget(self) {
        self.forgotten.set_value(true);
        drop_refusal_from_address();
    }

    /// Whether `forget` was called: a form made from what `take` gave
    /// before it starts anew.
    pub fn forgotten(self) -> bool {
        self.forgotten.get_value()
    }
}

/// Takes server_fn's `__path` and `__err` out of the page's address.
fn drop_refusal_from_address() {
    drop_from_address(|query| {
        let named = query.has("__err");
        query.delete("__path");
        query.delete("__err");
        named
    });
}

/// Once `open` turns false (Cancel, or a save that closes the form), takes
/// the query parameter that opened the form (`opened_by`: its name and
/// value) out of the page's address: a reload then shows the page as it
/// is, not the form again. A parameter of the same name that opens another
/// form stays.
pub fn drop_from_address_once_closed(open: RwSignal<bool>, opened_by: (&'static str, &'static str)) {
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if was_open == Some(true) && !is_open {
            let (name, value) = opened_by;
            drop_from_address(|query| {
                let named = query.get(name).as_deref() == Some(value);
                if named {
                    query.delete(name);
                }
                named
            });
        }
        is_open
    });
}

/// Changes the page's address's query in place with `drop` (which answers
/// whether it took anything out), without asking the router to open it
/// again.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn drop_from_address(drop: impl FnOnce(&leptos::web_sys::UrlSearchParams) -> bool) {
    #[cfg(feature = "hydrate")]
    {
        let window = window();
        let Some(url) = window
            .location()
            .href()
            .ok()
            .and_then(|href| leptos::web_sys::Url::new(&href).ok())
        else {
            return;
        };
        let query = url.search_params();
        if !drop(&query) {
            return;
        }
        url.set_search(&String::from(query.to_string()));
        if let Ok(history) = window.history() {
            let _ =
                history.replace_state_with_url(&leptos::wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
        }
    }
}

/// The error a refused post came back with, and what it carried when it
/// was a customer form refused for its fields (kept for its page).
#[cfg(feature = "ssr")]
async fn decode_refusal(path: String, error: String) -> Option<(AppError, Option<PostedValues>)> {
    use leptos::server_fn::error::ServerFnUrlError;
    let error = ServerFnUrlError::<AppError>::decode_err(&error);
    let values = match error {
        AppError::Invalid(_) => crate::api::refused_posts::refused_values(&path).await,
        _ => None,
    };
    Some((error, values))
}

/// In the browser a refusal is only read back from the page the server
/// sent: a page the app opens by itself never has one.
#[cfg(not(feature = "ssr"))]
async fn decode_refusal(_path: String, _error: String) -> Option<(AppError, Option<PostedValues>)> {
    None
}

/// At the top of every page: why a form posted before the page's code ran
/// (or without JavaScript) was refused, unless that form shows it. Sign in
/// shows its own beside its fields.
#[component]
pub fn PostedRefusal(#[prop(optional)] except: Option<&'static str>) -> impl IntoView {
    let refusal = posted_refusal();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                refusal
                    .await
                    .filter(|refused| Some(refused.path.as_str()) != except && !refused.shown_by_its_form)
                    .map(|refused| match refused.error {
                        // The form's values were not kept: each field's
                        // message is said here.
                        AppError::Invalid(fields) => {
                            let messages: Vec<String> = fields.0.into_values().collect();
                            view! { <p class="error-note" role="alert">{messages.join(" ")}</p> }.into_any()
                        }
                        error => view! { <ErrorNote error /> }.into_any(),
                    })
            })}
        </Transition>
    }
}

/// A failure the user should read, as a plain sentence.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    view! { <p class="error-note" role="alert">{error.to_string()}</p> }
}

/// The message that belongs beside one input, empty when the field is fine.
#[component]
pub fn FieldMessage(
    #[prop(into)] id: String,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    // A form being replaced may still be asked for its messages once.
    view! { <span class="field-message" id=id>{move || message.try_get().flatten()}</span> }
}

#[component]
pub fn Time(#[prop(into)] stored: String) -> impl IntoView {
    let shown = display_time(&stored);
    view! { <time datetime=stored>{shown}</time> }
}

#[component]
pub fn StatusBadge(status: OperationStatus) -> impl IntoView {
    let class = match status {
        OperationStatus::PendingUpload => "badge pending-upload",
        OperationStatus::PendingSync => "badge pending-sync",
        OperationStatus::Synced => "badge synced",
        OperationStatus::Failed => "badge failed",
    };
    view! { <span class=class>{status.caption()}</span> }
}

/// The answer to an admin's action: its confirmation, or why it failed.
#[component]
pub fn ActionAnswer(#[prop(into)] answer: Signal<Option<Result<String, AppError>>>) -> impl IntoView {
    view! {
        <div role="status" class="run-result">
            {move || match answer.get() {
                Some(Ok(message)) => Some(view! { <p class="confirmation">{message}</p> }.into_any()),
                Some(Err(error)) => Some(view! { <ErrorNote error /> }.into_any()),
                None => None,
            }}
        </div>
    }
}

/// Shows what a load returned, or why it could not.
pub fn loaded<T, V: IntoView + 'static>(result: Result<T, AppError>, show: impl FnOnce(T) -> V) -> AnyView {
    match result {
        Ok(value) => show(value).into_any(),
        Err(error) => view! { <LoadError error /> }.into_any(),
    }
}

/// The last answer a read done again gave (a list following a running
/// batch, a job's history after Run now), with what it was asked (the
/// list's view): when a later read of the same fails, the page shows that
/// answer still, so that it stays as it was (its rows, what was ticked)
/// while, say, its user signs in again in another tab.
pub struct LastAnswer<K: Send + Sync + 'static, T: Send + Sync + 'static>(StoredValue<Option<(K, T)>>);

impl<K: Send + Sync + 'static, T: Send + Sync + 'static> Clone for LastAnswer<K, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: Send + Sync + 'static, T: Send + Sync + 'static> Copy for LastAnswer<K, T> {}

impl<K: Send + Sync + 'static, T: Send + Sync + 'static> Default for LastAnswer<K, T> {
    fn default() -> Self {
        LastAnswer(StoredValue::new(None))
    }
}

impl<K: PartialEq + Clone + Send + Sync + 'static, T: Clone + Send + Sync + 'static> LastAnswer<K, T> {
    /// Shows the answer to `asked`; or, when the read failed after one of
    /// the same succeeded, that answer with why it could not be read again
    /// above it, unless `said_elsewhere` (another part of the page says it).
    pub fn show<V: IntoView + 'static>(
        self,
        asked: K,
        result: Result<T, AppError>,
        said_elsewhere: bool,
        show: impl FnOnce(T) -> V,
    ) -> AnyView {
        match result {
            Ok(value) => {
                self.0.set_value(Some((asked, value.clone())));
                show(value).into_any()
            }
            Err(error) => match self.of(&asked) {
                Some(value) if said_elsewhere => show(value).into_any(),
                Some(value) => view! { <LoadError error />{show(value)} }.into_any(),
                None => view! { <LoadError error /> }.into_any(),
            },
        }
    }

    /// The last answer to `asked`.
    pub fn of(self, asked: &K) -> Option<T> {
        self.0.with_value(|last| {
            last.as_ref()
                .filter(|(of, _)| of == asked)
                .map(|(_, value)| value.clone())
        })
    }
}

/// Why something could not be loaded. `AppError::Unreachable` speaks of
/// what the user entered, which a read has none of.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    match error {
        AppError::Unreachable(_) => view! {
            <p class="error-note" role="alert">
                "The server could not be reached, or its answer was lost, so this could not be loaded: try again once \
                 the connection is back."
            </p>
        }
        .into_any(),
        error => view! { <ErrorNote error /> }.into_any(),
    }
}

/// A form that posts to a server function. Hydrated, it hands the action
/// the arguments `args` builds, so the browser needs no code to decode form
/// fields (Leptos's `ActionForm` would bring it into every page that has
/// a form). Before hydration the browser posts the form's own fields to the
/// same server function, which sends the browser back to the page: the
/// form's inputs must carry the same arguments, and the server function
/// must take form fields (`PostUrl`, the default).
#[component]
pub fn ServerForm<S, A, Output>(
    action: ServerAction<S>,
    args: A,
    #[prop(optional)] class: Option<&'static str>,
    /// For fields elsewhere in the page that belong to the form (`form=id`).
    #[prop(optional)]
    id: Option<&'static str>,
    /// The form sends nothing while its action runs, for a button that says
    /// it is busy with `aria-disabled` rather than `disabled`, which would
    /// drop the focus on the page's body.
    #[prop(optional)]
    one_at_a_time: bool,
    children: Children,
) -> impl IntoView
where
    S: ServerFn<Protocol = Http<PostUrl, Output>> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    A: Fn() -> S + 'static,
{
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !(one_at_a_time && action.pending().get_untracked()) {
            action.dispatch(args());
        }
    };
    view! {
        <form method="post" action=S::url() id=id class=class on:submit=submit>
            {children()}
        </form>
    }
}

/// A labelled input with its message beside it.
#[component]
pub fn InputField(
    id: String,
    label: &'static str,
    value: Signal<String>,
    on_input: Callback<String>,
    message: Signal<Option<String>>,
    /// The most characters the server takes for this field.
    max_length: usize,
    #[prop(optional)] required: bool,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    /// The field's name in a form the browser posts itself.
    #[prop(optional, into)]
    name: Option<String>,
) -> impl IntoView {
    let message_id = format!("{id}-message");
    view! {
        <div class="field">
            // The star is for the eye; a screen reader says "required".
            <label for=id.clone()>{label}{required.then(|| view! { <span aria-hidden="true">" *"</span> })}</label>
            <input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                maxlength=max_length.to_string()
                aria-required=required.then_some("true")
                // What the server renders: a form it sends open (before the
                // page's code has loaded) shows the value to post.
                value=value.get_untracked()
                prop:value=value
                on:input=move |ev| on_input.run(event_target_value(&ev))
                aria-describedby=message_id.clone()
                aria-invalid=move || if message.try_get().flatten().is_some() { "true" } else { "false" }
            />
            <FieldMessage id=message_id message />
        </div>
    }
}

/// A labelled select with its message beside it; a blank first option when
/// the value is not one of the options.
#[component]
pub fn Select(
    id: String,
    label: &'static str,
    options: Vec<(String, String)>,
    value: Signal<String>,
    on_change: Callback<String>,
    message: Signal<Option<String>>,
    /// The field's name in a form the browser posts itself.
    #[prop(optional, into)]
    name: Option<String>,
) -> impl IntoView {
    let message_id = format!("{id}-message");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                on:change=move |ev| on_change.run(event_target_value(&ev))
                aria-describedby=message_id.clone()
                aria-invalid=move || if message.try_get().flatten().is_some() { "true" } else { "false" }
            >
                <option value="" selected=move || value.get().is_empty()>"Choose…"</option>
                {options
                    .into_iter()
                    .map(|(code, caption)| {
                        let selected_code = code.clone();
                        view! {
                            <option value=code selected=move || value.get() == selected_code>{caption}</option>
                        }
                    })
                    .collect_view()}
            </select>
            <FieldMessage id=message_id message />
        </div>
    }
}

/// Focuses the first field of `form`, in page order, that shows a message,
/// so the user lands on the first mistake: once the messages are on the
/// page, as a field's message key is not always its id (an attribute's
/// names its place in the customer's list).
pub fn focus_first_mistake(form: NodeRef<leptos::html::Form>) {
    request_animation_frame(move || {
        let first = form
            .get_untracked()
            .and_then(|form| {
                form.query_selector(":is(input, select, textarea)[aria-invalid=true]")
                    .ok()
                    .flatten()
            })
            .and_then(|field| {
                leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlElement>(field).ok()
            });
        if let Some(field) = first {
            let _ = field.focus();
        }
    });
}

/// A form opened on a click takes the focus at once, on its first field
/// that matches `preferred` (else on its first field), so that the user
/// types without reaching for the mouse. The form may be built by code
/// loaded on demand, inside a `<Suspense>`, and put in the page a few
/// frames later: the focus waits for it, frame by frame. Once the form
/// has gone (Cancel, Escape, Save), the focus goes back to what opened it.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn focus_when_opened(form: NodeRef<leptos::html::Form>, preferred: &'static str) {
    // A form that came open with the page may be typed in before the
    // page's code arrives: the focus stays where the user is typing.
    #[cfg(feature = "hydrate")]
    if !(crate::views::hydration::hydrating() && typing_in_a_field()) {
        give_the_focus_back_once_gone();
        request_animation_frame(move || focus_once_shown(form, preferred, FRAMES_TO_WAIT));
    }
}

/// The element that has the focus as a form opens (the button that opened
/// it) takes it back once the form has gone with the focus in it: the
/// browser would leave it on the page's `<body>`, and a keyboard user
/// would start again from the top. A button the page made anew meanwhile
/// (a save read the customer again) stands in for it, found by its `name`
/// and `value` (`?change=edit`), as soon as it is there. Not when
/// something else took the focus meanwhile.
#[cfg(feature = "hydrate")]
fn give_the_focus_back_once_gone() {
    use leptos::wasm_bindgen::JsCast;
    let Some(opener) = document()
        .active_element()
        .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        .filter(|element| Some(element) != document().body().as_ref())
    else {
        return;
    };
    let stand_in = match (opener.get_attribute("name"), opener.get_attribute("value")) {
        (Some(name), Some(value)) => Some(format!(r#"button[name="{name}"][value="{value}"]"#)),
        _ => None,
    };
    let opener = send_wrapper::SendWrapper::new(opener);
    on_cleanup(move || {
        let opener = opener.take();
        // Once the form is out of the page.
        request_animation_frame(move || focus_back(opener, stand_in, FRAMES_TO_WAIT_FOR_STAND_IN));
    });
}

#[cfg(feature = "hydrate")]
fn focus_back(opener: leptos::web_sys::HtmlElement, stand_in: Option<String>, frames_left: u8) {
    use leptos::wasm_bindgen::JsCast;
    if !focus_is_lost() {
        return;
    }
    let target = if opener.is_connected() {
        Some(opener.clone())
    } else {
        stand_in
            .as_deref()
            .and_then(|selector| document().query_selector(selector).ok().flatten())
            .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    };
    match target {
        Some(target) => {
            let _ = target.focus();
        }
        None if frames_left > 0 => {
            request_animation_frame(move || focus_back(opener, stand_in, frames_left - 1));
        }
        None => {}
    }
}

/// After an action that redraws what had the focus (a form that closes, a
/// page read again, a link made anew), the first element one of `targets`
/// (CSS selectors, the preferred first) finds takes the focus whenever it
/// is lost, for the next few seconds: the browser would leave it on the
/// page's `<body>`, and a keyboard user would start again from the top.
/// Until the preferred target has had the focus, a less preferred one
/// (which a closing form may have given it back to) hands it on; once the
/// user has moved it elsewhere, it is left where they put it.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn refocus_when_lost(targets: &'static [&'static str]) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || refocus(targets, false, FRAMES_TO_WAIT_FOR_STAND_IN));
}

/// One frame of `refocus_when_lost`; `settled` once the preferred target
/// has had the focus.
#[cfg(feature = "hydrate")]
fn refocus(targets: &'static [&'static str], settled: bool, frames_left: u8) {
    use leptos::wasm_bindgen::JsCast;
    let active = document().active_element();
    let matches = |selector: &str| {
        active
            .as_ref()
            .is_some_and(|active| active.matches(selector).unwrap_or(false))
    };
    let on_preferred = targets.first().is_some_and(|preferred| matches(preferred));
    let on_a_target = targets.iter().any(|selector| matches(selector));
    let lost = focus_is_lost();
    if settled && !lost && !on_preferred {
        return;
    }
    if lost || (on_a_target && !on_preferred) {
        let target = targets
            .iter()
            .find_map(|selector| document().query_selector(selector).ok().flatten())
            .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok());
        if let Some(target) = target {
            let _ = target.focus();
        }
    }
    if frames_left > 0 {
        request_animation_frame(move || refocus(targets, settled || on_preferred, frames_left - 1));
    }
}

/// Whether the focus is in a field the user types in or chooses from (not
/// a box, a radio button or a button).
pub fn typing_in_a_field() -> bool {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let Some(element) = document().active_element() else {
            return false;
        };
        match element.dyn_ref::<leptos::web_sys::HtmlInputElement>() {
            Some(input) => !matches!(
                input.type_().as_str(),
                "checkbox" | "radio" | "submit" | "button" | "reset" | "image" | "file"
            ),
            None => matches!(element.tag_name().as_str(), "SELECT" | "TEXTAREA"),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Whether the focus is on the page's `<body>`, or on an element no longer
/// in the page: where the browser leaves it when what had it goes.
#[cfg(feature = "hydrate")]
fn focus_is_lost() -> bool {
    let body = document().body();
    document()
        .active_element()
        .is_none_or(|active| body.as_deref() == Some(&active) || !active.is_connected())
}

/// Whether `button` has the focus.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn has_focus(button: NodeRef<leptos::html::Button>) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let active = document().active_element();
        button
            .get_untracked()
            .zip(active)
            .is_some_and(|(button, active)| active.is_same_node(Some(button.as_ref())))
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Gives the focus to `link` once it is first in the page, unless something
/// took it meanwhile: it stands in for what had the focus and went. Once
/// only: the link made again later does not take the focus back.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn focus_once_there(link: NodeRef<leptos::html::A>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let Some(link) = link.get() else {
            return false;
        };
        if focus_is_lost() {
            let _ = link.focus();
        }
        true
    });
}

/// A form's first field a user can type in or choose from.
pub const FIRST_FIELD: &str = "input:not([type=hidden]), select";

/// How many frames a form may take to be put in the page.
#[cfg(feature = "hydrate")]
const FRAMES_TO_WAIT: u8 = 30;

/// How many frames (about four seconds) the page may take to read again
/// what a form saved, and make the button that opened it anew.
#[cfg(feature = "hydrate")]
const FRAMES_TO_WAIT_FOR_STAND_IN: u8 = 240;

#[cfg(feature = "hydrate")]
fn focus_once_shown(form: NodeRef<leptos::html::Form>, preferred: &'static str, frames_left: u8) {
    use leptos::wasm_bindgen::JsCast;
    let shown = form
        .try_get_untracked()
        .flatten()
        .filter(|form| form.is_connected());
    let field = shown.and_then(|form| {
        form.query_selector(preferred)
            .ok()
            .flatten()
            .or_else(|| form.query_selector(FIRST_FIELD).ok().flatten())
    });
    match field.and_then(|field| field.dyn_into::<leptos::web_sys::HtmlElement>().ok()) {
        Some(field) => {
            let _ = field.focus();
        }
        None if frames_left > 0 => {
            request_animation_frame(move || focus_once_shown(form, preferred, frames_left - 1));
        }
        None => {}
    }
}

/// Escape leaves a form opened on a click, as its Cancel button does.
pub fn cancel_on_escape(on_cancel: Option<Callback<()>>) -> impl Fn(leptos::ev::KeyboardEvent) {
    leave_on_escape(on_cancel, || false)
}

/// Escape leaves a form opened on a click, as its Cancel button does; once
/// something was typed in it (`typed`), only after the user agrees to lose
/// it: Escape is pressed by mistake far more easily than Cancel.
pub fn leave_on_escape(
    on_cancel: Option<Callback<()>>,
    typed: impl Fn() -> bool,
) -> impl Fn(leptos::ev::KeyboardEvent) {
    move |ev| {
        if ev.key() == "Escape"
            && let Some(cancel) = on_cancel
        {
            ev.prevent_default();
            if !typed() || agrees_to_discard() {
                cancel.run(());
            }
        }
    }
}

/// Asks the browser's own dialog, which every keyboard and screen reader
/// knows: Enter agrees, Escape keeps the form.
fn agrees_to_discard() -> bool {
    #[cfg(feature = "hydrate")]
    {
        window()
            .confirm_with_message("Discard what you typed in this form?")
            .unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Back, Forward or a link open a filtered list again with other filters:
/// its form is drawn again for them, but a field the user had typed in or
/// picked from keeps what they typed, as browsers keep a changed field over
/// the value it is drawn with, unless the form is reset to it. Resets the
/// form `form_id` each time `filters` changes after the first.
pub fn reset_form_when_filters_change<T>(form_id: &'static str, filters: Memo<T>)
where
    T: PartialEq + Send + Sync + 'static,
{
    use leptos::wasm_bindgen::JsCast;
    Effect::new(move |drawn_before: Option<()>| {
        filters.track();
        if drawn_before.is_none() {
            return;
        }
        let form = document()
            .get_element_by_id(form_id)
            .and_then(|form| form.dyn_into::<leptos::web_sys::HtmlFormElement>().ok());
        if let Some(form) = form {
            form.reset();
        }
    });
}

/// For a filter form's `on_form_data`: a filter left at "all" stays out of
/// the address, so that a link to the page names only what narrows it; so
/// does the submit button's empty name, which the router's form would send
/// as `&=`.
pub fn leave_out_empty_fields(form_data: &leptos::web_sys::FormData) {
    let empty: Vec<String> = form_data
        .keys()
        .into_iter()
        .flatten()
        .filter_map(|name| name.as_string())
        .filter(|name| {
            form_data
                .get(name)
                .as_string()
                .is_some_and(|value| value.is_empty())
        })
        .collect();
    for name in empty {
        form_data.delete(&name);
    }
}

/// A field left blank, said as such rather than as an empty line.
pub fn or_none(value: String) -> String {
    if value.trim().is_empty() {
        "None".to_string()
    } else {
        value
    }
}
