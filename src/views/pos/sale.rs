//! A customer's sales at the POS: New sale (cash and carry, or a customer
//! order shipped to one of the customer's addresses), the sales made, and
//! the loyalty card. A customer still pending sync can be sold to at once;
//! a loyalty card waits for its account.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::api::channel_customers::find_channel_customer;
use crate::api::pos::{customer_sales, issue_loyalty_card, loyalty_card, pos_catalogue, save_sale};
use crate::domain::customer::AddressDraft;
use crate::domain::operation::OperationId;
use crate::domain::sales::{
    ADDRESS_FIELD, ChannelSale, LINES_FIELD, MAX_QUANTITY, Product, SaleDraft, SaleKind, SaleLineDraft,
    format_amount, quantity_field,
};
use crate::error::{AppError, FieldErrors};
use crate::views::outbox::new_operation_id;
use crate::views::ui::{ErrorNote, FieldMessage, Time, loaded};

/// The customer's sales and loyalty card, with New sale.
#[component]
pub fn CustomerSales(key: String, register: String) -> impl IntoView {
    let key = StoredValue::new(key);
    let register = StoredValue::new(register);
    let saved = RwSignal::new(0_u32);
    let sales = Resource::new(
        move || saved.get(),
        move |_| customer_sales(register.get_value(), key.get_value()),
    );
    let is_open = RwSignal::new(false);
    let last_sale = RwSignal::new(None::<ChannelSale>);
    let on_saved = Callback::new(move |sale: ChannelSale| {
        last_sale.set(Some(sale));
        is_open.set(false);
        saved.update(|n| *n += 1);
    });
    view! {
        <section aria-labelledby="sales-heading">
            <h2 id="sales-heading">"Sales"</h2>
            <LoyaltyCard key=key.get_value() register=register.get_value() />
            <div class="actions">
                <button type="button" on:click=move |_| {
                    last_sale.set(None);
                    is_open.set(true);
                }>"New sale"</button>
            </div>
            {move || last_sale.get().map(|sale| view! {
                <p class="confirmation" role="status">
                    {format!(
                        "Sale saved: receipt {}, {}, total {}. It reaches HQ with the next P-job.",
                        sale.receipt_number,
                        sale.kind.caption().to_lowercase(),
                        format_amount(sale.total_cents),
                    )}
                </p>
            })}
            {move || is_open.get().then(|| view! {
                <SaleForm
                    key=key.get_value()
                    register=register.get_value()
                    on_saved
                    on_cancel=Callback::new(move |_| is_open.set(false))
                />
            })}
            <Transition fallback=|| view! { <p>"Loading sales…"</p> }>
                {move || Suspend::new(async move { loaded(sales.await, |sales| view! { <SalesTable sales /> }) })}
            </Transition>
        </section>
    }
}

#[component]
fn SalesTable(sales: Vec<ChannelSale>) -> impl IntoView {
    if sales.is_empty() {
        return view! { <p>"No sales to this customer at this store yet."</p> }.into_any();
    }
    view! {
        <table>
            <caption>"Sales to this customer, newest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Receipt"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Items"</th>
                    <th scope="col">"Total"</th>
                    <th scope="col">"Ship to"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Made"</th>
                </tr>
            </thead>
            <tbody>
                {sales
                    .into_iter()
                    .map(|sale| {
                        let items = sale
                            .lines
                            .iter()
                            .map(|line| format!("{} × {}", line.quantity, line.name))
                            .collect::<Vec<_>>()
                            .join("; ");
                        view! {
                            <tr>
                                <td>{sale.receipt_number.clone()}</td>
                                <td>{sale.kind.caption()}</td>
                                <td>{items}</td>
                                <td class="number">{format_amount(sale.total_cents)}</td>
                                <td>{sale.delivery_address.clone()}</td>
                                <td>{sale.state_caption()}</td>
                                <td><Time stored=sale.created_at /></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// New sale: a quantity per product, cash and carry or a customer order,
/// the total, and Save under a transaction id made when the form opens,
/// so that Save sent twice is one sale.
#[component]
fn SaleForm(
    key: String,
    register: String,
    on_saved: Callback<ChannelSale>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let catalogue_register = register.clone();
    let catalogue = Resource::new(|| (), move |_| pos_catalogue(catalogue_register.clone()));
    let customer_key = key.clone();
    let customer = Resource::new(|| (), move |_| find_channel_customer(customer_key.clone()));
    let transaction_id = StoredValue::new(new_operation_id());
    let save = Action::new_local(move |(id, draft): &(OperationId, SaleDraft)| {
        save_sale(register.clone(), id.to_string(), key.clone(), draft.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(sale)) = save.value().get() {
            on_saved.run(sale);
        }
    });
    view! {
        <section aria-labelledby="new-sale-heading">
            <h2 id="new-sale-heading">"New sale"</h2>
            <Suspense fallback=|| view! { <p>"Loading the catalogue…"</p> }>
                {move || Suspend::new(async move {
                    let products = catalogue.await;
                    let customer = customer.await;
                    match (products, customer) {
                        (Ok(products), Ok(customer)) => view! {
                            <SaleFields
                                products
                                addresses=customer.customer.addresses
                                pending=save.pending()
                                answer=Signal::derive(move || save.value().get())
                                on_save=Callback::new(move |draft| {
                                    save.dispatch_local((transaction_id.get_value(), draft));
                                })
                                on_cancel
                            />
                        }.into_any(),
                        (Err(error), _) | (_, Err(error)) => view! { <ErrorNote error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SaleFields(
    products: Vec<Product>,
    addresses: Vec<AddressDraft>,
    pending: Memo<bool>,
    answer: Signal<Option<Result<ChannelSale, AppError>>>,
    on_save: Callback<SaleDraft>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    if products.is_empty() {
        return view! {
            <p class="error-note" role="alert">
                "No product catalogue has been downloaded to this store yet: run job 1070, then sell again."
            </p>
        }
        .into_any();
    }
    let quantities = RwSignal::new(BTreeMap::<String, String>::new());
    let kind = RwSignal::new(SaleKind::CashAndCarry);
    let address = RwSignal::new(String::new());
    let local_errors = RwSignal::new(FieldErrors::default());
    let message = move |field: String| {
        Signal::derive(move || {
            local_errors
                .with(|errors| errors.get(&field).map(str::to_string))
                .or_else(|| match answer.get() {
                    Some(Err(error)) => error.field(&field),
                    _ => None,
                })
        })
    };
    let prices = StoredValue::new(products.clone());
    let total = move || {
        let cents: i64 = quantities.with(|quantities| {
            prices.with_value(|products| {
                products
                    .iter()
                    .map(|product| {
                        let quantity = quantities
                            .get(&product.item_id)
                            .and_then(|text| text.trim().parse::<i64>().ok())
                            .unwrap_or(0);
                        quantity.max(0) * product.price_cents
                    })
                    .sum()
            })
        });
        format_amount(cents)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match sale_draft(
            &quantities.get_untracked(),
            kind.get_untracked(),
            &address.get_untracked(),
        ) {
            Ok(draft) => {
                local_errors.set(FieldErrors::default());
                on_save.run(draft);
            }
            Err(errors) => local_errors.set(errors),
        }
    };
    let address_options: Vec<(String, String)> = addresses
        .iter()
        .enumerate()
        .map(|(index, a)| {
            (
                index.to_string(),
                format!("{}: {}, {} {}", a.name, a.street, a.city, a.zip),
            )
        })
        .collect();
    view! {
        <form on:submit=submit>
            <table>
                <caption>"Products"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Product"</th>
                        <th scope="col">"Price"</th>
                        <th scope="col">"Quantity"</th>
                    </tr>
                </thead>
                <tbody>
                    {products
                        .into_iter()
                        .map(|product| {
                            let field = quantity_field(&product.item_id);
                            let item_id = product.item_id.clone();
                            let shown_id = product.item_id.clone();
                            view! {
                                <tr>
                                    <th scope="row">{product.name.clone()}</th>
                                    <td class="number">{format_amount(product.price_cents)}</td>
                                    <td>
                                        <label class="visually-hidden" for=field.clone()>
                                            {format!("Quantity of {}", product.name)}
                                        </label>
                                        <input
                                            id=field.clone()
                                            type="number"
                                            inputmode="numeric"
                                            min="0"
                                            max=MAX_QUANTITY.to_string()
                                            prop:value=move || quantities.with(|q| q.get(&shown_id).cloned().unwrap_or_default())
                                            on:input=move |ev| {
                                                let text = event_target_value(&ev);
                                                quantities.update(|q| {
                                                    q.insert(item_id.clone(), text);
                                                });
                                            }
                                            aria-describedby=format!("{field}-message")
                                        />
                                        <FieldMessage id=format!("{field}-message") message=message(field.clone()) />
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <FieldMessage id="lines-message" message=message(LINES_FIELD.to_string()) />
            <fieldset>
                <legend>"Type of sale"</legend>
                {[SaleKind::CashAndCarry, SaleKind::CustomerOrder]
                    .into_iter()
                    .map(|choice| {
                        let id = format!("sale-kind-{}", choice.code());
                        view! {
                            <div class="choice">
                                <input
                                    type="radio"
                                    name="sale-kind"
                                    id=id.clone()
                                    value=choice.code()
                                    prop:checked=move || kind.get() == choice
                                    on:change=move |_| kind.set(choice)
                                />
                                <label for=id>{choice.caption()}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            {move || (kind.get() == SaleKind::CustomerOrder).then(|| {
                let options = address_options.clone();
                view! {
                    <div class="field">
                        <label for="delivery-address">"Ship to"</label>
                        <select
                            id="delivery-address"
                            on:change=move |ev| address.set(event_target_value(&ev))
                            aria-describedby="delivery-address-message"
                        >
                            <option value="" selected=move || address.get().is_empty()>"Choose…"</option>
                            {options
                                .into_iter()
                                .map(|(value, caption)| {
                                    let chosen = value.clone();
                                    view! { <option value=value selected=move || address.get() == chosen>{caption}</option> }
                                })
                                .collect_view()}
                        </select>
                        <FieldMessage id="delivery-address-message" message=message(ADDRESS_FIELD.to_string()) />
                    </div>
                }
            })}
            <p class="total">"Total: " <output>{total}</output></p>
            {move || match answer.get() {
                Some(Err(error)) if !matches!(error, AppError::Invalid(_)) => Some(view! { <ErrorNote error /> }),
                _ => None,
            }}
            <div class="actions">
                <button type="submit" disabled=move || pending.get()>"Save"</button>
                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
    .into_any()
}

/// The draft the form holds, or what the browser can already tell is wrong.
fn sale_draft(
    quantities: &BTreeMap<String, String>,
    kind: SaleKind,
    address: &str,
) -> Result<SaleDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut lines = Vec::new();
    for (item_id, text) in quantities {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match text.parse::<u32>() {
            Ok(quantity) => lines.push(SaleLineDraft {
                item_id: item_id.clone(),
                quantity,
            }),
            Err(_) => errors.add(
                &quantity_field(item_id),
                format!("Enter a whole number from 0 to {MAX_QUANTITY}."),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SaleDraft {
        kind,
        lines,
        delivery_address: address.parse().ok(),
    })
}

/// The customer's loyalty card, or Issue loyalty card.
#[component]
fn LoyaltyCard(key: String, register: String) -> impl IntoView {
    let card_key = key.clone();
    let card_register = register.clone();
    let card = Resource::new(
        || (),
        move |_| loyalty_card(card_register.clone(), card_key.clone()),
    );
    // Created while the server renders the page too: an action of its own
    // thread (`new_local`) must not be, as the server drops it elsewhere.
    let issue = Action::new(move |_: &()| issue_loyalty_card(register.clone(), key.clone()));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let known = card.await.ok().flatten();
                view! {
                    {move || {
                        let issued = match issue.value().get() {
                            Some(Ok(number)) => Some(number),
                            _ => known.clone(),
                        };
                        match issued {
                            Some(number) => view! { <p class="loyalty-card">"Loyalty card: " <strong>{number}</strong></p> }.into_any(),
                            None => view! {
                                <div class="actions">
                                    <button type="button" disabled=move || issue.pending().get() on:click=move |_| {
                                        issue.dispatch(());
                                    }>"Issue loyalty card"</button>
                                </div>
                            }.into_any(),
                        }
                    }}
                    {move || match issue.value().get() {
                        Some(Err(error)) => Some(view! { <ErrorNote error /> }),
                        _ => None,
                    }}
                }
            })}
        </Transition>
    }
}
