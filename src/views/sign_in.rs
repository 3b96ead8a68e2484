//! Sign in and Sign out, and who is signed in. Users live in HQ; the
//! session that remembers them lives in the channel database.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use leptos::server_fn::ServerFn;

use crate::api::sign_in::{SignIn, SignOut, sign_in, sign_out};
use crate::domain::access::{
    MAX_PASSWORD, MAX_USER_NAME, SignedInUser, is_local_path, landing_page, page_role,
};
use crate::error::AppError;
use crate::views::ui::{ErrorNote, InputField, posted_refusal};

/// Loads a whole page: after signing in or out every part of the app reads
/// who is signed in afresh.
fn go_to(path: &str) {
    if let Err(error) = window().location().assign(path) {
        leptos::logging::error!("could not open {path}: {error:?}");
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    // Posted before the page had hydrated, the form came back here with the
    // server's refusal in the URL.
    let posted = posted_refusal();
    view! {
        <Title text="Sign in - custsync" />
        <h1>"Sign in"</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let refused = posted
                    .await
                    .and_then(|refused| refused.of(SignIn::PATH));
                view! { <SignInForm refused /> }
            })}
        </Transition>
        <p class="note">"The demo users and their password are listed in the README."</p>
    }
}

/// The form, with `refused`, the refusal a post made without the page's
/// code came back with.
#[component]
fn SignInForm(refused: Option<AppError>) -> impl IntoView {
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next"));
    let user_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let attempt = Action::new(move |(user_name, password): &(String, String)| {
        sign_in(user_name.clone(), password.clone(), next())
    });
    Effect::new(move |_| {
        if let Some(Ok(user)) = attempt.value().get() {
            go_to(&landing_page(next().as_deref(), user.role));
        }
    });
    let refused = StoredValue::new(refused);
    let error = move || match attempt.value().get() {
        Some(result) => result.err(),
        None => refused.get_value(),
    };
    let message =
        move |field: &'static str| Signal::derive(move || error().and_then(|error| error.field(field)));
    let other_error = move || error().filter(|error| !matches!(error, AppError::Invalid(_)));
    view! {
        // A link to another site is not named: signing in never goes there.
        // A page of one role is named with it: a cashier sent here from an
        // HQ page reads that it takes an admin.
        {move || {
            next().filter(|next| is_local_path(next)).map(|next| {
                let whom = page_role(&next).map(|role| format!(" as {}", role.with_article())).unwrap_or_default();
                view! { <p>{format!("Sign in{whom} to open ")} <code>{next}</code> "."</p> }
            })
        }}
        <form
            class="sign-in"
            method="post"
            action=SignIn::url()
            on:submit=move |ev| {
                ev.prevent_default();
                attempt.dispatch((user_name.get_untracked(), password.get_untracked()));
            }
        >
            <InputField
                id="user_name".to_string()
                name="user_name"
                label="User name"
                autocomplete="username"
                max_length=MAX_USER_NAME
                value=user_name.into()
                on_input=Callback::new(move |value| user_name.set(value))
                message=message("user_name")
            />
            <InputField
                id="password".to_string()
                name="password"
                label="Password"
                input_type="password"
                max_length=MAX_PASSWORD
                autocomplete="current-password"
                value=password.into()
                on_input=Callback::new(move |value| password.set(value))
                message=message("password")
            />
            {move || next().map(|next| view! { <input type="hidden" name="next" value=next /> })}
            <button type="submit" disabled=move || attempt.pending().get()>"Sign in"</button>
        </form>
        {move || other_error().map(|error| view! { <ErrorNote error /> })}
    }
}

/// Signed in as …, with Sign out; or the way to Sign in.
#[component]
pub fn SessionControls(user: Option<SignedInUser>) -> impl IntoView {
    let leave = Action::new(|_: &()| sign_out());
    Effect::new(move |_| {
        if let Some(Ok(())) = leave.value().get() {
            go_to(crate::domain::access::SIGN_IN_PATH);
        }
    });
    match user {
        Some(user) => view! {
            <div class="session">
                <span>{format!("Signed in as {} ({})", user.display_name, user.role.name())}</span>
                <form
                    method="post"
                    action=SignOut::url()
                    on:submit=move |ev| {
                        ev.prevent_default();
                        leave.dispatch(());
                    }
                >
                    <button type="submit">"Sign out"</button>
                </form>
                {move || leave.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
            </div>
        }
        .into_any(),
        None => view! {
            <div class="session">
                <a href=crate::domain::access::SIGN_IN_PATH>"Sign in"</a>
            </div>
        }
        .into_any(),
    }
}
