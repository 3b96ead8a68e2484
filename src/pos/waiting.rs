//! What the register keeps in the browser while the store server cannot be
//! reached, and what it has sent since: the list a cashier checks after a
//! network drop.

use leptos::prelude::*;

use crate::customer::{ChangeOutcome, CreatedHow};
use crate::outbox::{Connection, Outbox, Sent, Waiting};

/// The store server's state as the register sees it, and the operations
/// kept in this browser or sent from it since the page opened.
#[component]
pub fn WaitingPanel(outbox: Outbox, register: String) -> impl IntoView {
    let register = StoredValue::new(register);
    let kept_count = move || outbox.kept.with(Vec::len);
    let anything_to_list = move || kept_count() > 0 || outbox.delivered.with(|d| !d.is_empty());
    view! {
        <section aria-labelledby="waiting-heading" class="waiting">
            <h2 id="waiting-heading" class="visually-hidden">"Store server"</h2>
            <p class="connection" aria-live="polite">
                "Store server: "
                <strong class=move || connection_class(outbox.connection.get())>
                    {move || outbox.connection.get().caption()}
                </strong>
                {move || match kept_count() {
                    0 => None,
                    1 => Some(" · 1 operation kept in this browser".to_string()),
                    n => Some(format!(" · {n} operations kept in this browser")),
                }}
            </p>
            <Show when=anything_to_list>
                <table>
                    <caption>"Kept in this browser"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Operation"</th>
                            <th scope="col">"Customer"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || outbox.kept.get() key=|w| (w.operation_id.clone(), w.refused.clone()) let:waiting>
                            <KeptRow outbox waiting />
                        </For>
                        <For each=move || outbox.delivered.get() key=|(w, _)| w.operation_id.clone() let:delivered>
                            <DeliveredRow waiting=delivered.0 sent=delivered.1 register=register.get_value() />
                        </For>
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

fn connection_class(connection: Connection) -> &'static str {
    match connection {
        Connection::Connected => "badge synced",
        Connection::BrowserOffline | Connection::NotAnswering => "badge failed",
    }
}

/// A kept operation; its row is made again when it is refused (its key).
#[component]
fn KeptRow(outbox: Outbox, waiting: Waiting) -> impl IntoView {
    let id = StoredValue::new(waiting.operation_id.clone());
    let name = waiting.operation.customer_name();
    let caption = waiting.operation.kind().caption();
    match waiting.refused {
        None => view! {
            <tr>
                <td>{caption}</td>
                <td>{name}</td>
                <td><span class="badge pending-upload">"Waiting for the store server"</span></td>
                <td></td>
            </tr>
        }
        .into_any(),
        Some(reason) => view! {
            <tr>
                <td>{caption}</td>
                <td>{name}</td>
                <td><span class="badge failed">"Refused"</span> " " {reason}</td>
                <td>
                    <button type="button" class="secondary" on:click=move |_| outbox.send_again(&id.get_value())>
                        "Send again"
                    </button>
                    <button type="button" class="secondary" on:click=move |_| outbox.discard(&id.get_value())>
                        "Discard"
                    </button>
                </td>
            </tr>
        }
        .into_any(),
    }
}

#[component]
fn DeliveredRow(waiting: Waiting, sent: Sent, register: String) -> impl IntoView {
    let href = format!(
        "/pos/customers/{}?register={register}",
        sent.customer_key(&waiting)
    );
    let name = waiting.operation.customer_name();
    let caption = waiting.operation.kind().caption();
    let status = match sent {
        Sent::Created(created) => match created.how {
            CreatedHow::InHq { account } => view! { <span>"Created in HQ: " {account}</span> }.into_any(),
            CreatedHow::Staged { .. } | CreatedHow::FellBack { .. } => {
                view! { <span class="badge pending-sync">"Pending sync"</span> }.into_any()
            }
        },
        Sent::Changed(ChangeOutcome::Staged { .. }) => {
            view! { <span class="badge pending-sync">"Pending sync"</span> }.into_any()
        }
        Sent::Changed(ChangeOutcome::AppliedInHq { .. }) => view! { <span>"Applied in HQ"</span> }.into_any(),
    };
    view! {
        <tr>
            <td>{caption}</td>
            <td><a href=href>{name}</a></td>
            <td>{status}</td>
            <td>"Sent"</td>
        </tr>
    }
}
