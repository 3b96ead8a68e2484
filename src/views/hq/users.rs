//! HQ Users: who may sign in, with their role and store; an admin changes a
//! user's role or store, or signs them out everywhere. Either ends every
//! session the user has, so the change applies at once.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::access::{Role, SignedInUser};
use crate::error::AppError;
use crate::views::ui::{ActionAnswer, ServerForm, loaded};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersAndStores {
    pub users: Vec<SignedInUser>,
    /// The stores a cashier may work at: channel id and name.
    pub stores: Vec<(i64, String)>,
}

#[server(output = crate::wire::JsonText)]
pub async fn user_accounts() -> Result<UsersAndStores, AppError> {
    use crate::access::Access;
    use crate::api::respond::{authorize, respond};
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        Ok(UsersAndStores {
            users: backend.hq.users().await.map_err(internal)?,
            stores: stores(&backend).await?,
        })
    };
    respond(result.await)
}

#[cfg(feature = "ssr")]
async fn stores(backend: &crate::services::backend::Backend) -> Result<Vec<(i64, String)>, AppError> {
    let channels = backend.hq.channels().await.map_err(crate::error::internal)?;
    Ok(channels
        .into_iter()
        .filter(|channel| channel.kind == "store")
        .map(|channel| (channel.channel_id, channel.name))
        .collect())
}

/// Ends every session of `user_name` on this channel database.
#[server(output = crate::wire::JsonText)]
pub async fn sign_out_everywhere(user_name: String) -> Result<String, AppError> {
    use crate::access::Access;
    use crate::api::respond::{authorize, respond};
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        let user = existing_user(&backend, &user_name).await?;
        let ended = backend
            .sessions
            .end_sessions_of(&user_name)
            .await
            .map_err(internal)?;
        tracing::info!(user = %user_name, ended, "signed out everywhere");
        Ok(format!(
            "{} is signed out everywhere ({ended} {}).",
            user.display_name,
            if ended == 1 { "session" } else { "sessions" }
        ))
    };
    respond(result.await)
}

/// Gives `user_name` a role and, for a cashier, a store (`store` is its
/// channel id, empty for none); their sessions end when that changes anything.
#[server(output = crate::wire::JsonText)]
pub async fn change_user_access(user_name: String, role: String, store: String) -> Result<String, AppError> {
    use crate::access::Access;
    use crate::api::respond::{authorize_user, respond};
    use crate::error::internal;
    let result = async {
        let (backend, admin) = authorize_user(Access::Admin).await?;
        let user = existing_user(&backend, &user_name).await?;
        if user_name == admin.user_name {
            return Err(AppError::Refused(
                "You cannot change your own role or store: ask another admin.".to_string(),
            ));
        }
        let role = Role::from_name(&role)
            .ok_or_else(|| AppError::BadRequest(format!("There is no role {role:?}.")))?;
        let stores: Vec<i64> = stores(&backend).await?.into_iter().map(|(id, _)| id).collect();
        let store = crate::access::store_for_role(role, store.trim().parse().ok(), &stores)
            .map_err(|message| invalid_store(&message))?;
        if !backend
            .hq
            .change_user_access(&user_name, role, store)
            .await
            .map_err(internal)?
        {
            return Ok(format!("{} already had that role and store.", user.display_name));
        }
        let ended = backend
            .sessions
            .end_sessions_of(&user_name)
            .await
            .map_err(internal)?;
        tracing::info!(user = %user_name, role = role.name(), ?store, ended, "role or store changed");
        Ok(format!(
            "{} is now {}; their sessions have ended ({ended}), and they sign in again to go on.",
            user.display_name,
            role.with_article()
        ))
    };
    respond(result.await)
}

/// The user named so, or a 404.
#[cfg(feature = "ssr")]
async fn existing_user(
    backend: &crate::services::backend::Backend,
    user_name: &str,
) -> Result<SignedInUser, AppError> {
    crate::error::check_length("A user name", user_name, crate::access::MAX_USER_NAME)?;
    backend
        .hq
        .find_user(user_name)
        .await
        .map_err(crate::error::internal)?
        .map(|stored| stored.user)
        .ok_or_else(|| AppError::NotFound(format!("There is no user {user_name:?}.")))
}

#[cfg(feature = "ssr")]
fn invalid_store(message: &str) -> AppError {
    let mut errors = crate::error::FieldErrors::default();
    errors.add("store", message);
    AppError::Invalid(errors)
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let sign_out = ServerAction::<SignOutEverywhere>::new();
    let change = ServerAction::<ChangeUserAccess>::new();
    let accounts = Resource::new(
        move || (sign_out.version().get(), change.version().get()),
        |_| user_accounts(),
    );
    view! {
        <Title text="Users - custsync" />
        <h1>"Users"</h1>
        <p>"A change of role or store, and Sign out everywhere, end every session of the user at once: they sign in again to go on."</p>
        <ActionAnswer answer=sign_out.value() />
        <ActionAnswer answer=change.value() />
        <Transition fallback=|| view! { <p>"Loading users…"</p> }>
            {move || Suspend::new(async move {
                loaded(accounts.await, move |accounts| view! { <UserTable accounts sign_out change /> })
            })}
        </Transition>
    }
}

#[component]
fn UserTable(
    accounts: UsersAndStores,
    sign_out: ServerAction<SignOutEverywhere>,
    change: ServerAction<ChangeUserAccess>,
) -> impl IntoView {
    let stores = accounts.stores;
    view! {
        <table>
            <caption>"Everyone who may sign in"</caption>
            <thead>
                <tr>
                    <th scope="col">"User name"</th>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Role and store"</th>
                    <th scope="col">"Sessions"</th>
                </tr>
            </thead>
            <tbody>
                {accounts
                    .users
                    .into_iter()
                    .map(|user| view! { <UserRow user stores=stores.clone() sign_out change /> })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn UserRow(
    user: SignedInUser,
    stores: Vec<(i64, String)>,
    sign_out: ServerAction<SignOutEverywhere>,
    change: ServerAction<ChangeUserAccess>,
) -> impl IntoView {
    let user_name = user.user_name.clone();
    let role = RwSignal::new(user.role.name().to_string());
    let store = RwSignal::new(user.channel_id.map(|id| id.to_string()).unwrap_or_default());
    let (role_id, store_id) = (format!("role-{user_name}"), format!("store-{user_name}"));
    let (role_label, store_label) = (format!("Role of {user_name}"), format!("Store of {user_name}"));
    let (current_role, current_store) = (user.role, user.channel_id);
    let (change_name, sign_out_name) = (user_name.clone(), user_name.clone());
    let change_args = {
        let user_name = user_name.clone();
        move || ChangeUserAccess {
            user_name: user_name.clone(),
            role: role.get_untracked(),
            store: store.get_untracked(),
        }
    };
    let sign_out_args = {
        let user_name = user_name.clone();
        move || SignOutEverywhere {
            user_name: user_name.clone(),
        }
    };
    view! {
        <tr>
            <th scope="row"><code>{user_name}</code></th>
            <td>{user.display_name}</td>
            <td>
                <ServerForm action=change args=change_args class="inline-action">
                    <input type="hidden" name="user_name" value=change_name />
                    <label for=role_id.clone()>{role_label}</label>
                    <select id=role_id name="role" on:change=move |ev| role.set(event_target_value(&ev))>
                        {Role::ALL
                            .map(|option| {
                                let selected = option == current_role;
                                view! { <option value=option.name() selected=selected>{option.name()}</option> }
                            })
                            .collect_view()}
                    </select>
                    <label for=store_id.clone()>{store_label}</label>
                    <select id=store_id name="store" on:change=move |ev| store.set(event_target_value(&ev))>
                        <option value="" selected=current_store.is_none()>"No store"</option>
                        {stores
                            .into_iter()
                            .map(|(id, name)| {
                                let selected = current_store == Some(id);
                                view! { <option value=id.to_string() selected=selected>{name}</option> }
                            })
                            .collect_view()}
                    </select>
                    <button type="submit">"Save"</button>
                </ServerForm>
            </td>
            <td>
                <ServerForm action=sign_out args=sign_out_args class="inline-action">
                    <input type="hidden" name="user_name" value=sign_out_name />
                    <button type="submit">"Sign out everywhere"</button>
                </ServerForm>
            </td>
        </tr>
    }
}
