//! HQ Feature management: the four features, their prerequisites, Enable /
//! Disable, and who changed what.

use leptos::prelude::*;
use leptos_meta::Title;

use super::configuration::ChangeHistory;
use crate::api::hq::feature_management::{SetFeature, feature_management};
use crate::domain::configuration::FeatureRow;
use crate::domain::features::Feature;
use crate::views::ui::{ActionAnswer, ServerForm, Time, loaded};

#[component]
pub fn FeatureManagementPage() -> impl IntoView {
    let change = ServerAction::<SetFeature>::new();
    let page = Resource::new(move || change.version().get(), |_| feature_management());
    view! {
        <Title text="Feature management - custsync" />
        <h1>"Feature management"</h1>
        <p>"Features take effect in a channel once job 1110 (Global configuration) has carried them to the channel database and its configuration cache has expired."</p>
        <ActionAnswer answer=change.value() />
        <Transition fallback=|| view! { <p>"Loading features…"</p> }>
            {move || Suspend::new(async move {
                loaded(page.await, move |page| view! {
                    <FeatureTable features=page.features change />
                    <ChangeHistory changes=page.changes />
                })
            })}
        </Transition>
    }
}

#[component]
fn FeatureTable(features: Vec<FeatureRow>, change: ServerAction<SetFeature>) -> impl IntoView {
    view! {
        <table>
            <caption>"Features"</caption>
            <thead>
                <tr>
                    <th scope="col">"Feature"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Needs first"</th>
                    <th scope="col">"Last changed"</th>
                    <th scope="col">"Action"</th>
                </tr>
            </thead>
            <tbody>
                {features
                    .into_iter()
                    .map(|row| {
                        let needs = Feature::from_name(&row.name)
                            .map(|f| f.prerequisites().iter().map(|p| p.name()).collect::<Vec<_>>().join("; "))
                            .unwrap_or_default();
                        let enable = !row.enabled;
                        view! {
                            <tr>
                                <th scope="row">{row.name.clone()}</th>
                                <td>{if row.enabled { "Enabled" } else { "Disabled" }}</td>
                                <td>{if needs.is_empty() { "-".to_string() } else { needs }}</td>
                                <td><Time stored=row.changed_at /></td>
                                <td>
                                    <ServerForm action=change args={
                                        let name = row.name.clone();
                                        move || SetFeature { name: name.clone(), enable }
                                    }>
                                        <input type="hidden" name="name" value=row.name.clone() />
                                        <input type="hidden" name="enable" value=enable.to_string() />
                                        // Named after its feature for a screen reader, which may read the button alone.
                                        <button type="submit">
                                            {if enable { "Enable" } else { "Disable" }}
                                            <span class="visually-hidden">{format!(" ({})", row.name)}</span>
                                        </button>
                                    </ServerForm>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
