//! What the HQ configuration pages show: features, functionality profiles
//! and the history of their changes.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ui::Time;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct FeatureRow {
    pub name: String,
    pub enabled: bool,
    pub changed_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ProfileRow {
    pub channel_id: i64,
    pub name: String,
    pub kind: String,
    pub create_customer_async_mode: bool,
    pub changed_at: String,
}

/// One recorded change: who set what from which value to which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ConfigChange {
    pub changed_at: String,
    pub subject: String,
    pub option: String,
    pub old_value: bool,
    pub new_value: bool,
    pub changed_by: String,
}

pub fn on_off(value: bool) -> &'static str {
    if value { "On" } else { "Off" }
}

#[component]
pub fn ChangeHistory(changes: Vec<ConfigChange>) -> impl IntoView {
    if changes.is_empty() {
        return view! { <p>"No changes recorded yet."</p> }.into_any();
    }
    view! {
        <table>
            <caption>"Change history"</caption>
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Option"</th>
                    <th scope="col">"Old"</th>
                    <th scope="col">"New"</th>
                    <th scope="col">"Changed by"</th>
                </tr>
            </thead>
            <tbody>
                {changes
                    .into_iter()
                    .map(|change| {
                        view! {
                            <tr>
                                <td><Time stored=change.changed_at /></td>
                                <td>{change.subject}</td>
                                <td>{change.option}</td>
                                <td>{on_off(change.old_value)}</td>
                                <td>{on_off(change.new_value)}</td>
                                <td>{change.changed_by}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
