//! HQ functionality profiles: per channel, the option "Create customer in
//! async mode", and who changed it.

use leptos::prelude::*;
use leptos_meta::Title;

use super::configuration::ChangeHistory;
use crate::api::hq::functionality_profiles::{SetAsyncCustomerMode, functionality_profiles};
use crate::views::ui::{ActionAnswer, ServerForm, Time, loaded};

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
