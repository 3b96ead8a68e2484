//! HQ Customers: every customer account, newest first or found by its
//! account, name or email, with the channel and asynchronous operation it came
//! from; and one customer's page.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::hq::customers::{hq_customer, hq_customers};
use crate::domain::customer::{display_name, language_name};
use crate::domain::hq_customers::{
    HqCustomerDetail, HqCustomerList, HqCustomerRow, MAX_CUSTOMER_SEARCH, search_term,
};
use crate::domain::status_page::{self, encode_component};
use crate::views::customer_page::{AddressTable, ContactTable, attributes_line};
use crate::views::ui::{Time, leave_out_empty_fields, loaded, or_none, reset_form_when_filters_change};

/// The list's address.
pub const PATH: &str = "/hq/customers";

/// Find's form, emptied of what was typed when the address changes.
const FIND_FORM: &str = "find-customer";

/// A customer's page.
pub fn customer_path(account: &str) -> String {
    format!("{PATH}/{}", encode_component(account))
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let query = use_query_map();
    let search = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    reset_form_when_filters_change(FIND_FORM, search);
    let customers = Resource::new(move || search.get(), hq_customers);
    view! {
        <Title text="Customers - custsync" />
        <h1>"Customers"</h1>
        {move || view! { <FindForm search=search.get() /> }}
        <Transition fallback=|| view! { <p>"Loading customers…"</p> }>
            {move || Suspend::new(async move {
                let searched = search.get_untracked();
                loaded(customers.await, move |list| view! { <CustomerList list searched /> })
            })}
        </Transition>
    }
}

#[component]
fn FindForm(search: String) -> impl IntoView {
    view! {
        <Form method="GET" action=PATH attr:id=FIND_FORM attr:class="register-picker" on_form_data=Arc::new(leave_out_empty_fields)>
            <div class="field">
                <label for="customer-search">"Account, name or email"</label>
                <input id="customer-search" name="q" type="search" maxlength=MAX_CUSTOMER_SEARCH.to_string() value=search
                    aria-describedby="customer-search-hint" />
                <p id="customer-search-hint" class="hint">"A whole account number, like C000004, or the start of a name (Karen Be) or an email."</p>
            </div>
            <button type="submit">"Find"</button>
        </Form>
    }
}

#[component]
fn CustomerList(list: HqCustomerList, searched: String) -> impl IntoView {
    let shown = list.rows.len();
    let searched = search_term(&searched);
    let summary = match (list.total, searched.as_str()) {
        (Some(total), _) if !list.more => format!("All {total} customers, newest account first."),
        (Some(total), _) => {
            format!("The newest {shown} of {total} customers: find others by their account, name or email.")
        }
        (None, searched) if list.more => format!(
            "The newest {shown} customers found for \u{201c}{searched}\u{201d}: type more of it to find fewer."
        ),
        (None, searched) if shown == 0 => format!(
            "No customer found for \u{201c}{searched}\u{201d}: type a whole account, or the start of a name or \
             an email."
        ),
        (None, searched) if shown == 1 => format!("1 customer found for \u{201c}{searched}\u{201d}."),
        (None, searched) => {
            format!("{shown} customers found for \u{201c}{searched}\u{201d}, newest account first.")
        }
    };
    view! {
        <p role="status" class="list-summary">{summary}</p>
        {(shown > 0).then(|| view! { <CustomerTable rows=list.rows /> })}
    }
}

#[component]
fn CustomerTable(rows: Vec<HqCustomerRow>) -> impl IntoView {
    view! {
        <table>
            <caption>"Customers, newest account first"</caption>
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
                        let link = customer_path(&row.account);
                        view! {
                            <tr>
                                <td><a href=link>{row.account}</a></td>
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

/// One customer in HQ: `/hq/customers/C000004`.
#[component]
pub fn HqCustomerPage() -> impl IntoView {
    let params = use_params_map();
    let account = Memo::new(move |_| params.read().get("account").unwrap_or_default());
    let customer = Resource::new(move || account.get(), hq_customer);
    view! {
        <Title text=move || format!("Customer {} - custsync", search_term(&account.get())) />
        <p><a href=PATH>"All customers"</a></p>
        <Transition fallback=|| view! { <p>"Loading the customer…"</p> }>
            {move || Suspend::new(async move {
                loaded(customer.await, |page| view! { <CustomerDetail page /> })
            })}
        </Transition>
    }
}

#[component]
fn CustomerDetail(page: HqCustomerDetail) -> impl IntoView {
    let customer = page.customer;
    let operations = format!("{}?q={}", status_page::PATH, encode_component(&page.account));
    let operation_link = |id: Option<String>| match id {
        Some(id) => view! {
            <a href=format!("{}/{}", status_page::PATH, encode_component(&id))><code>{id.clone()}</code></a>
        }
        .into_any(),
        None => view! { "None" }.into_any(),
    };
    view! {
        <h1>{format!("{}: {}", page.account, display_name(&customer))}</h1>
        <dl class="staged-fields">
            <dt>"Account"</dt><dd>{page.account.clone()}</dd>
            <dt>"Email"</dt><dd>{or_none(customer.email.clone())}</dd>
            <dt>"Phone"</dt><dd>{or_none(customer.phone.clone())}</dd>
            <dt>"Customer group"</dt><dd>{page.customer_group_caption}</dd>
            <dt>"Language"</dt><dd>{language_name(&customer.language)}</dd>
            <dt>"Currency"</dt><dd>{customer.currency.clone()}</dd>
            <dt>"Affiliations"</dt><dd>{or_none(customer.affiliations.join(", "))}</dd>
            <dt>"Attributes"</dt><dd>{attributes_line(&customer.attributes)}</dd>
            <dt>"Loyalty card"</dt><dd>{or_none(page.loyalty_card.unwrap_or_default())}</dd>
            <dt>"Created"</dt><dd><Time stored=page.created_at /></dd>
            <dt>"Channel"</dt><dd>{page.source_channel.unwrap_or_else(|| "HQ".to_string())}</dd>
            <dt>"Created by the asynchronous operation"</dt><dd>{operation_link(page.async_customer_id)}</dd>
            <dt>"Last asynchronous operation applied"</dt><dd>{operation_link(page.last_async_operation_id)}</dd>
        </dl>
        <p><a href=operations>{format!("Asynchronous operations of {}", page.account)}</a></p>
        <AddressTable addresses=customer.addresses />
        <ContactTable contacts=customer.contacts />
    }
}
