//! HQ Sales orders: the sales the P-job uploaded, newest first, with the
//! customer's account, or while the customer is pending its temporary id
//! and why the sale waits.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::hq::sales_orders::sales_orders;
use crate::domain::sales::{SalesOrderRow, format_amount};
use crate::views::ui::{Time, loaded};

#[component]
pub fn SalesOrdersPage() -> impl IntoView {
    let orders = Resource::new(|| (), |_| sales_orders());
    view! {
        <Title text="Sales orders - custsync" />
        <h1>"Sales orders"</h1>
        <p class="note">
            "Sales made at the registers reach HQ with the P-job; Synchronize orders creates them, syncing a customer \
             that is still pending sync first, and Post statements posts the cash-and-carry transactions."
        </p>
        <Suspense fallback=|| view! { <p>"Loading sales orders…"</p> }>
            {move || Suspend::new(async move { loaded(orders.await, |rows| view! { <OrderTable rows /> }) })}
        </Suspense>
    }
}

#[component]
fn OrderTable(rows: Vec<SalesOrderRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p>"No sales have been uploaded to HQ yet."</p> }.into_any();
    }
    view! {
        <table>
            <caption>"Sales, newest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Receipt"</th>
                    <th scope="col">"Store"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Sales order"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Total"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Made"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        let customer = match (row.account, row.customer_temporary_id) {
                            (Some(account), _) => view! { <span>{account}</span> }.into_any(),
                            (None, Some(temporary_id)) => view! { <code>{temporary_id}</code> }.into_any(),
                            (None, None) => ().into_any(),
                        };
                        view! {
                            <tr>
                                <td>{row.receipt_number}</td>
                                <td>{row.channel}</td>
                                <td>{row.kind.caption()}</td>
                                <td>{row.sales_order}</td>
                                <td>{customer}</td>
                                <td class="number">{format_amount(row.total_cents)}</td>
                                <td>
                                    {row.status.caption()}
                                    {row.reason.map(|reason| view! { <p class="reason">{reason}</p> })}
                                </td>
                                <td><Time stored=row.created_at /></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
