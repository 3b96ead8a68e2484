//! Users: each user's role and store, and Sign out everywhere.

use crate::domain::access::SignedInUser;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersAndStores {
    pub users: Vec<SignedInUser>,
    /// The stores a cashier may work at: channel id and name.
    pub stores: Vec<(i64, String)>,
}

#[server(output = crate::wire::JsonText)]
pub async fn user_accounts() -> Result<UsersAndStores, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
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

/// Ends every session of `user_name`: at once on this scale unit, within
/// seconds on the others (they read the end from HQ).
#[server(output = crate::wire::JsonText)]
pub async fn sign_out_everywhere(user_name: String) -> Result<String, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        let user = existing_user(&backend, &user_name).await?;
        backend
            .hq
            .end_sessions_everywhere(&user_name)
            .await
            .map_err(internal)?;
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
/// channel id, empty for none); their sessions end when that changes
/// anything. `seen_role` and `seen_store` are what the admin's page showed:
/// a change made since by another admin is not overwritten.
#[server(output = crate::wire::JsonText)]
pub async fn change_user_access(
    user_name: String,
    role: String,
    store: String,
    #[server(default)] seen_role: String,
    #[server(default)] seen_store: String,
) -> Result<String, AppError> {
    use crate::api::respond::{authorize_user, respond};
    use crate::domain::access::Access;
    use crate::domain::access::Role;
    use crate::error::internal;
    use crate::storage::hq_db::AccessChange;
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
        let known_stores = stores(&backend).await?;
        let store_ids: Vec<i64> = known_stores.iter().map(|(id, _)| *id).collect();
        let store = crate::domain::access::store_for_role(role, store.trim().parse().ok(), &store_ids)
            .map_err(|message| invalid_store(&message))?;
        let at_store = known_stores
            .iter()
            .find(|(id, _)| Some(*id) == store)
            .map(|(_, name)| format!(" at {name}"))
            .unwrap_or_default();
        let seen = Role::from_name(&seen_role).map(|seen| (seen, seen_store.trim().parse().ok()));
        match backend
            .hq
            .change_user_access(&user_name, role, store, &admin.user_name, seen)
            .await
            .map_err(internal)?
        {
            AccessChange::Changed => {}
            AccessChange::Unchanged => {
                return Ok(format!("{} already had that role and store.", user.display_name));
            }
            AccessChange::ChangedMeanwhile => {
                return Err(AppError::Refused(format!(
                    "Another admin changed the role or store of {} since this page was read, so nothing was \
                     changed. The list now shows their change: change it again if you still want to.",
                    user.display_name
                )));
            }
            AccessChange::ActorNotAdmin => {
                return Err(AppError::Forbidden(
                    "You are no longer an admin: another admin changed your role. Nothing was changed."
                        .to_string(),
                ));
            }
        }
        let ended = backend
            .sessions
            .end_sessions_of(&user_name)
            .await
            .map_err(internal)?;
        tracing::info!(user = %user_name, role = role.name(), ?store, ended, "role or store changed");
        Ok(format!(
            "{} is now {}{at_store}; their sessions have ended ({ended}), and they sign in again to go on.",
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
    crate::error::check_key("A user name", user_name, crate::domain::access::MAX_USER_NAME)?;
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
