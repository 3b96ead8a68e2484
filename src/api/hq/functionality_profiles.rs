//! Functionality profiles: each channel's asynchronous customer mode.

use crate::domain::configuration::{ConfigChange, ProfileRow};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfilePage {
    pub profiles: Vec<ProfileRow>,
    pub changes: Vec<ConfigChange>,
}

#[server(output = crate::wire::JsonText)]
pub async fn functionality_profiles() -> Result<ProfilePage, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        let hq = &backend.hq;
        Ok(ProfilePage {
            profiles: hq.profile_rows().await.map_err(internal)?,
            changes: hq.profile_changes(50).await.map_err(internal)?,
        })
    };
    respond(result.await)
}

#[server(output = crate::wire::JsonText)]
pub async fn set_async_customer_mode(channel_id: i64, on: bool) -> Result<String, AppError> {
    use crate::api::respond::{authorize_user, respond};
    use crate::domain::access::Access;
    use crate::domain::configuration::on_off;
    use crate::error::internal;
    let result = async {
        let (backend, admin) = authorize_user(Access::Admin).await?;
        match backend
            .hq
            .set_async_customer_mode(channel_id, on, &admin.display_name)
            .await
            .map_err(internal)?
        {
            None => Err(AppError::NotFound(format!("There is no channel {channel_id}."))),
            Some(true) => Ok(format!(
                "Create customer in async mode is now {} for this channel. Run job 1070 to send it to the channel.",
                on_off(on).to_lowercase()
            )),
            // Another admin (or another tab) turned it so first.
            Some(false) => Ok(format!(
                "Create customer in async mode was already {} for this channel. Run job 1070 to send it to the \
                 channel, if it has not run since.",
                on_off(on).to_lowercase()
            )),
        }
    };
    respond(result.await)
}
