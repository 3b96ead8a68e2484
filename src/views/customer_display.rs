//! A customer shown, not edited: the confirmation once it is created, and
//! its account or "Pending sync" in a list.

use leptos::prelude::*;

use crate::domain::customer::{CreatedCustomer, CreatedHow, CustomerSummary};
use crate::domain::operation::OperationStatus;
use crate::views::ui::StatusBadge;

/// What the cashier or shopper sees once the customer is created.
#[component]
pub fn CreatedConfirmation(customer: CreatedCustomer) -> impl IntoView {
    let (account, note, temporary_id) = match customer.how {
        CreatedHow::Staged { temporary_id } => (None, None, Some(temporary_id)),
        CreatedHow::FellBack { temporary_id, why } => (
            None,
            Some(format!("Real-time call not possible: {why}.")),
            Some(temporary_id),
        ),
        CreatedHow::InHq { account } => (
            Some(account),
            Some("Created in HQ by a real-time service call.".to_string()),
            None,
        ),
    };
    view! {
        <div class="confirmation" role="status">
            <p>
                <strong>{customer.full_name}</strong>
                " was created at "
                {customer.channel_name}
                ". Account: "
                {match account {
                    Some(account) => view! { <span class="account">{account}</span> }.into_any(),
                    None => view! { <StatusBadge status=OperationStatus::PendingSync /> }.into_any(),
                }}
            </p>
            {note.map(|note| view! { <p>{note}</p> })}
            {temporary_id.map(|id| view! {
                <p>
                    "Temporary asynchronous customer id: "
                    <code class="temporary-id">{id}</code>
                </p>
            })}
        </div>
    }
}

/// A customer's account as the channel shows it: the account, or "Pending
/// sync" until job 1010 has brought it back.
#[component]
pub fn AccountCell(summary: CustomerSummary) -> impl IntoView {
    match summary.account {
        Some(account) => view! { <span>{account}</span> }.into_any(),
        None => view! { <StatusBadge status=OperationStatus::PendingSync /> }.into_any(),
    }
}
