//! Sign in and Sign out, and who is signed in. Users live in HQ; the
//! session that remembers them lives in the channel database.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::access::{MAX_PASSWORD, MAX_USER_NAME, SignedInUser, landing_page};
use crate::error::{AppError, FieldErrors};
use crate::views::ui::ErrorNote;
use crate::views::ui::InputField;

/// Checks the user name and password against HQ's users and starts a new
/// session. A wrong name and a wrong password get the same answer, after
/// the same work, so the answer does not tell which names exist.
#[server(output = crate::wire::JsonText)]
pub async fn sign_in(user_name: String, password: String) -> Result<SignedInUser, AppError> {
    use crate::access::passwords::{UNKNOWN_USER_HASH, check_password};
    use crate::access::sessions::{current_session, start_session};
    use crate::api::respond::{backend_for_sign_in, client_address, respond};
    use crate::error::internal;
    let result = async {
        let user_name = user_name.trim().to_string();
        check_credentials_shape(&user_name, &password)?;
        let backend = backend_for_sign_in()?;
        let limits = &backend.sign_in_limits;
        let _waiting = limits
            .admit(client_address().await, &user_name)
            .map_err(|refusal| AppError::TooMany {
                message: refusal.message(),
                retry_after_seconds: refusal.retry_after().as_secs().max(1),
            })?;
        let stored = backend.hq.find_user(&user_name).await.map_err(internal)?;
        let hash = stored
            .as_ref()
            .map_or(UNKNOWN_USER_HASH, |stored| stored.password_hash.as_str())
            .to_string();
        let matches = check_password(password, hash).await.map_err(internal)?;
        let user = match stored {
            Some(stored) if matches => stored.user,
            _ => {
                limits.failed(&user_name);
                let mut errors = FieldErrors::default();
                errors.add("password", "The user name or the password is not right.");
                return Err(AppError::Invalid(errors));
            }
        };
        start_session(&current_session().await?, &user, &backend.channel).await?;
        tracing::info!(user = %user.user_name, role = user.role.name(), "signed in");
        Ok(user)
    };
    respond(result.await)
}

/// Each field filled, and no longer than it can be.
pub fn check_credentials_shape(user_name: &str, password: &str) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    if user_name.is_empty() {
        errors.add("user_name", "Enter your user name.");
    } else if user_name.chars().count() > MAX_USER_NAME {
        errors.add(
            "user_name",
            format!("A user name has at most {MAX_USER_NAME} characters."),
        );
    }
    if password.is_empty() {
        errors.add("password", "Enter your password.");
    } else if password.chars().count() > MAX_PASSWORD {
        errors.add(
            "password",
            format!("A password has at most {MAX_PASSWORD} characters."),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

#[server(output = crate::wire::JsonText)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::access::sessions::{current_session, end_session};
    use crate::api::respond::respond;
    let result = async { end_session(&current_session().await?).await };
    respond(result.await)
}

/// Who is signed in on this browser, if anyone.
#[server(output = crate::wire::JsonText)]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    use crate::access::sessions::{current_session, signed_in_user};
    use crate::api::respond::respond;
    let result = async { signed_in_user(&current_session().await?).await };
    respond(result.await)
}

/// Loads a whole page: after signing in or out every part of the app reads
/// who is signed in afresh.
fn go_to(path: &str) {
    if let Err(error) = window().location().assign(path) {
        leptos::logging::error!("could not open {path}: {error:?}");
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next"));
    let user_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let attempt =
        Action::new(|(user_name, password): &(String, String)| sign_in(user_name.clone(), password.clone()));
    Effect::new(move |_| {
        if let Some(Ok(user)) = attempt.value().get() {
            go_to(&landing_page(next().as_deref(), user.role));
        }
    });
    let message = move |field: &'static str| {
        Signal::derive(move || {
            attempt
                .value()
                .get()
                .and_then(|result| result.err())
                .and_then(|error| error.field(field))
        })
    };
    let other_error = move || {
        attempt
            .value()
            .get()
            .and_then(Result::err)
            .filter(|error| !matches!(error, AppError::Invalid(_)))
    };
    view! {
        <Title text="Sign in - custsync" />
        <h1>"Sign in"</h1>
        {move || next().map(|next| view! { <p>"Sign in to open " <code>{next}</code> "."</p> })}
        <form
            class="sign-in"
            on:submit=move |ev| {
                ev.prevent_default();
                attempt.dispatch((user_name.get_untracked(), password.get_untracked()));
            }
        >
            <InputField
                id="user_name".to_string()
                label="User name"
                autocomplete="username"
                max_length=MAX_USER_NAME
                value=user_name.into()
                on_input=Callback::new(move |value| user_name.set(value))
                message=message("user_name")
            />
            <InputField
                id="password".to_string()
                label="Password"
                input_type="password"
                max_length=MAX_PASSWORD
                autocomplete="current-password"
                value=password.into()
                on_input=Callback::new(move |value| password.set(value))
                message=message("password")
            />
            <button type="submit" disabled=move || attempt.pending().get()>"Sign in"</button>
        </form>
        {move || other_error().map(|error| view! { <ErrorNote error /> })}
        <p class="note">"The demo users and their password are listed in the README."</p>
    }
}

/// Signed in as …, with Sign out; or the way to Sign in.
#[component]
pub fn SessionControls(user: Option<SignedInUser>) -> impl IntoView {
    let leave = Action::new(|_: &()| sign_out());
    Effect::new(move |_| {
        if let Some(Ok(())) = leave.value().get() {
            go_to(crate::access::SIGN_IN_PATH);
        }
    });
    match user {
        Some(user) => view! {
            <div class="session">
                <span>{format!("Signed in as {} ({})", user.display_name, user.role.name())}</span>
                <button type="button" on:click=move |_| { leave.dispatch(()); }>"Sign out"</button>
                {move || leave.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
            </div>
        }
        .into_any(),
        None => view! {
            <div class="session">
                <a href=crate::access::SIGN_IN_PATH>"Sign in"</a>
            </div>
        }
        .into_any(),
    }
}
