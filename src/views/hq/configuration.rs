//! What the HQ configuration pages show: features, functionality profiles
//! and the history of their changes.

use leptos::prelude::*;

use crate::domain::configuration::{ConfigChange, on_off};
use crate::views::ui::Time;

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
