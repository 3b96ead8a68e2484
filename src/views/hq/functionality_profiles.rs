//! HQ functionality profiles: per channel, the option "Create customer in
//! async mode", and who changed it.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::configuration::ChangeHistory;
use crate::domain::configuration::{ConfigChange, ProfileRow};
use crate::error::AppError;
use crate::views::ui::{ActionAnswer, ServerForm, Time, loaded};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfilePage {
    pub profiles: Vec<ProfileRow>,
    pub changes: Vec<ConfigChange>,
}

#[server(output = crate::wire::JsonText)]
pub async fn functionality_profiles() -> Result<ProfilePage, AppError> {
    use crate::access::Access;
    use crate::api::respond::{authorize, respond};
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        let hq = backend.hq;
        Ok(ProfilePage {
            profiles: hq.profile_rows().await.map_err(internal)?,
            changes: hq.profile_changes(50).await.map_err(internal)?,
        })
    };
    respond(result.await)
}

#[server(output = crate::wire::JsonText)]
pub async fn set_async_customer_mode(channel_id: i64, on: bool) -> Result<String, AppError> {
    use super::configuration::on_off;
    use crate::access::Access;
    use crate::api::respond::{authorize_user, respond};
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
            Some(_) => Ok(format!(
                "Create customer in async mode is now {} for this channel. Run job 1070 to send it to the channel.",
                on_off(on).to_lowercase()
            )),
        }
    };
    respond(result.await)
}

#[component]
pub fn FunctionalityProfilesPage() -> impl IntoView {
    let change = ServerAction::<SetAsyncCustomerMode>::new();
    let page = Resource::new(move || change.version().get(), |_| functionality_profiles());
    view! {
        <Title text="Functionality profiles - custsync" />
        <h1>"Functionality profiles"</h1>
        <p>"A channel creates customers in asynchronous mode when its profile says so and job 1070 (Channel configuration) has carried the option to the channel."</p>
        <ActionAnswer answer=change.value() />
        <Transition fallback=|| view! { <p>"Loading profiles…"</p> }>
            {move || Suspend::new(async move {
                loaded(page.await, move |page| view! {
                    <table>
                        <caption>"Channels"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Channel"</th>
                                <th scope="col">"Type"</th>
                                <th scope="col">"Create customer in async mode"</th>
                                <th scope="col">"Last changed"</th>
                                <th scope="col">"Action"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {page.profiles.into_iter().map(|row| {
                                let on = !row.create_customer_async_mode;
                                view! {
                                    <tr>
                                        <th scope="row">{row.name}</th>
                                        <td>{if row.kind == "online" { "Online store" } else { "Store" }}</td>
                                        <td>{if row.create_customer_async_mode { "Yes" } else { "No" }}</td>
                                        <td><Time stored=row.changed_at /></td>
                                        <td>
                                            <ServerForm action=change args=move || SetAsyncCustomerMode { channel_id: row.channel_id, on }>
                                                <input type="hidden" name="channel_id" value=row.channel_id />
                                                <input type="hidden" name="on" value=on.to_string() />
                                                <button type="submit">{if on { "Turn on" } else { "Turn off" }}</button>
                                            </ServerForm>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <ChangeHistory changes=page.changes />
                })
            })}
        </Transition>
    }
}
