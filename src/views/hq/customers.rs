//! HQ Customers: every customer account, with the channel and asynchronous
//! operation it came from.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::hq::customers::hq_customers;
use crate::domain::hq_customers::HqCustomerRow;
use crate::views::ui::{Time, loaded};

#[component]
pub fn CustomersPage() -> impl IntoView {
    let customers = Resource::new(|| (), |_| hq_customers());
    view! {
        <Title text="Customers - custsync" />
        <h1>"Customers"</h1>
        <Suspense fallback=|| view! { <p>"Loading customers…"</p> }>
            {move || Suspend::new(async move { loaded(customers.await, |rows| view! { <CustomerTable rows /> }) })}
        </Suspense>
    }
}

#[component]
fn CustomerTable(rows: Vec<HqCustomerRow>) -> impl IntoView {
    view! {
        <table>
            <caption>"All customers, newest account first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Account"</th>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Phone"</th>
                    <th scope="col">"Primary address"</th>
                    <th scope="col">"Addresses"</th>
                    <th scope="col">"Customer group"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Channel"</th>
                    <th scope="col">"Asynchronous customer id"</th>
                    <th scope="col">"Loyalty card"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        let group = row.customer_group_caption();
                        let address = row.primary_address_line();
                        view! {
                            <tr>
                                <td>{row.account}</td>
                                <td>{row.name}</td>
                                <td>{row.email}</td>
                                <td>{row.phone}</td>
                                <td>{address}</td>
                                <td>{row.address_count}</td>
                                <td>{group}</td>
                                <td><Time stored=row.created_at /></td>
                                <td>{row.source_channel.unwrap_or_else(|| "HQ".to_string())}</td>
                                <td><code>{row.async_customer_id}</code></td>
                                <td>{row.loyalty_card}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
