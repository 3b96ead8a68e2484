//! A customer's sales at the POS: New sale (cash and carry, or a customer
//! order shipped to one of the customer's addresses), the sales made, and
//! the loyalty card. A customer still pending sync can be sold to at once;
//! a loyalty card waits for its account. Both forms work before the page's
//! code has loaded: New sale opens with `?change=sale` and posts itself.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_location, use_query_map};

use crate::api::channel_customers::find_channel_customer;
use crate::api::pos::{
    IssueLoyaltyCard, PostNewSale, customer_sales, loyalty_card, pos_catalogue, save_sale,
};
use crate::domain::customer::AddressDraft;
use crate::domain::operation::OperationId;
use crate::domain::sales::{
    ADDRESS_FIELD, ChannelSale, LINES_FIELD, Product, SaleDraft, SaleForm, SaleKind, format_amount,
    quantity_field, quantity_typed,
};
use crate::error::{AppError, FieldErrors};
use crate::views::code_on_demand::{DownloadTries, NotDownloaded, NotDownloadedNote, code_on_demand};
use crate::views::customer_page::within_answer_time;
use crate::views::outbox::{Outbox, heard_by_the_register, rendered_form_id_in};
use crate::views::ui::{
    ErrorNote, FieldMessage, LoadError, ServerForm, Time, drop_from_address_once_closed, focus_first_mistake,
    focus_when_opened, leave_on_escape, loaded,
};

/// The query parameter that opens New sale, and the one that names the
/// receipt of a sale the browser's own post of the form saved.
const CHANGE: &str = "change";
pub(crate) const SALE: &str = "sale";
const RECEIPT: &str = "sale";

/// The customer's sales and loyalty card, with New sale.
#[component]
pub fn CustomerSales(key: String, register: String) -> impl IntoView {
    let key = StoredValue::new(key);
    let register = StoredValue::new(register);
    let query = use_query_map().read_untracked();
    let opened = query.get(CHANGE).as_deref() == Some(SALE);
    let posted_receipt = StoredValue::new(query.get(RECEIPT));
    let saved = RwSignal::new(0_u32);
    // A customer kept in this browser is unknown to the store until the
    // outbox delivers it: its sales are read again then.
    let delivered = use_context::<Outbox>().map(|outbox| outbox.delivered);
    let sales = Resource::new(
        move || (saved.get(), delivered.map(|delivered| delivered.with(Vec::len))),
        move |_| customer_sales(register.get_value(), key.get_value()),
    );
    heard_by_the_register(sales);
    let is_open = RwSignal::new(opened);
    drop_from_address_once_closed(is_open, (CHANGE, SALE));
    let last_sale = RwSignal::new(None::<ChannelSale>);
    let on_saved = Callback::new(move |sale: ChannelSale| {
        last_sale.set(Some(sale));
        is_open.set(false);
        saved.update(|n| *n += 1);
    });
    let here = StoredValue::new(use_location().pathname.get_untracked());
    let new_sale_button = NodeRef::<leptos::html::Button>::new();
    // Also where New sale shows no form (its catalogue or its code could
    // not be downloaded): the focus goes back to the button, where the
    // cashier left off.
    let on_cancel = Callback::new(move |_| {
        is_open.set(false);
        if let Some(button) = new_sale_button.get_untracked() {
            let _ = button.focus();
        }
    });
    // A customer the store does not know (yet) has no sales to show or
    // make: the customer's card says so once. The section is drawn either
    // way, so that the resources in it are made in the same order on the
    // server and in the browser, and hidden by the mark drawn in front of
    // it (the stylesheet's `.unknown-customer + .customer-sales`): awaited,
    // the mark is in the page the server draws, the one a browser shows
    // without the page's code.
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(sales.await, Err(AppError::NotFound(_)))
                    .then(|| view! { <span class="unknown-customer" hidden></span> })
            })}
        </Transition>
        <section class="customer-sales" aria-labelledby="sales-heading">
            <h2 id="sales-heading">"Sales"</h2>
            <LoyaltyCard key=key.get_value() register=register.get_value() />
            <form class="actions" method="get" action=here.get_value() on:submit=move |ev| {
                ev.prevent_default();
                last_sale.set(None);
                is_open.set(true);
            }>
                <input type="hidden" name="register" value=register.get_value() />
                <button type="submit" name=CHANGE value=SALE node_ref=new_sale_button>"New sale"</button>
            </form>
            {move || last_sale.get().map(|sale| view! { <SaleConfirmation sale /> })}
            {move || is_open.get().then(|| view! {
                <NewSale
                    key=key.get_value()
                    register=register.get_value()
                    on_saved
                    on_cancel
                />
            })}
            <Transition fallback=|| view! { <p>"Loading sales…"</p> }>
                {move || {
                    let posted_receipt = posted_receipt.get_value();
                    Suspend::new(async move {
                        let sales = match sales.await {
                            Err(AppError::NotFound(_)) => return ().into_any(),
                            sales => sales,
                        };
                        loaded(sales, move |sales| {
                            // The sale the browser's own post of the form saved.
                            let posted = posted_receipt
                                .and_then(|receipt| sales.iter().find(|sale| sale.receipt_number == receipt).cloned())
                                .filter(|_| last_sale.get_untracked().is_none());
                            view! {
                                {posted.map(|sale| view! { <SaleConfirmation sale /> })}
                                <SalesTable sales />
                            }
                        })
                        .into_any()
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn SaleConfirmation(sale: ChannelSale) -> impl IntoView {
    view! {
        <p class="confirmation" role="status">
            {format!(
                "Sale saved: receipt {}, {}, total {}. It reaches HQ with the next P-job.",
                sale.receipt_number,
                sale.kind.caption().to_lowercase(),
                format_amount(sale.total_cents),
            )}
        </p>
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
fn NewSale(
    key: String,
    register: String,
    on_saved: Callback<ChannelSale>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let catalogue_register = register.clone();
    let catalogue = Resource::new(|| (), move |_| pos_catalogue(catalogue_register.clone()));
    let customer_key = key.clone();
    let customer = Resource::new(|| (), move |_| find_channel_customer(customer_key.clone()));
    heard_by_the_register(catalogue);
    heard_by_the_register(customer);
    let plain = StoredValue::new(PlainSale {
        register: register.clone(),
        key: key.clone(),
        transaction_id: rendered_form_id_in(PostNewSale::url(), "transaction_id"),
    });
    // Made while the server renders a page opened with `?change=sale` too:
    // an action of the browser's thread only (`new_local`) must not be.
    // An answer that never comes is reported after a while, and Save sends
    // the same sale again, which the store makes once.
    let save = Action::new(move |(id, draft): &(OperationId, SaleDraft)| {
        within_answer_time(save_sale(
            register.clone(),
            id.to_string(),
            key.clone(),
            draft.clone(),
        ))
    });
    heard_by_the_register(save.value());
    Effect::new(move |_| {
        if let Some(Ok(sale)) = save.value().get() {
            on_saved.run(sale);
        }
    });
    let code_tries = DownloadTries::new();
    view! {
        <section aria-labelledby="new-sale-heading">
            <h2 id="new-sale-heading">"New sale"</h2>
            <Suspense fallback=|| view! { <p>"Loading the catalogue…"</p> }>
                {move || Suspend::new(async move {
                    code_tries.track();
                    let products = catalogue.await;
                    let buyer = customer.await;
                    match (products, buyer) {
                        (Ok(products), Ok(buyer)) => sale_fields_code(Some(SaleFields {
                            products,
                            addresses: buyer.customer.addresses,
                            plain: plain.get_value(),
                            pending: save.pending(),
                            answer: Signal::derive(move || save.value().get()),
                            on_save: Callback::new(move |draft| {
                                save.dispatch((plain.with_value(|plain| plain.transaction_id.clone()), draft));
                            }),
                            on_cancel,
                        }))
                        .await
                        .map(|fields| fields.unwrap_or_else(|| ().into_any()))
                        .unwrap_or_else(|NotDownloaded| {
                            view! {
                                <NotDownloadedNote tries=code_tries on_cancel=Some(on_cancel) />
                            }
                            .into_any()
                        }),
                        (Err(error), _) | (_, Err(error)) => view! {
                            <LoadError error />
                            <div class="actions">
                                <button type="button" on:click=move |_| {
                                    catalogue.refetch();
                                    customer.refetch();
                                }>"Try again"</button>
                                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                            </div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// What the form carries for the browser's own post of it.
#[derive(Debug, Clone)]
struct PlainSale {
    register: String,
    key: String,
    transaction_id: OperationId,
}

/// What the sale's fields are made from.
struct SaleFields {
    products: Vec<Product>,
    addresses: Vec<AddressDraft>,
    plain: PlainSale,
    pending: Memo<bool>,
    answer: Signal<Option<Result<ChannelSale, AppError>>>,
    on_save: Callback<SaleDraft>,
    on_cancel: Callback<()>,
}

/// Where New sale puts the focus when it opens: the first product's
/// quantity.
const FIRST_QUANTITY: &str = "table input[inputmode=numeric]";

code_on_demand! {
    custsync_sale_fields;
    /// The split point of the sale's fields: downloaded when New sale first
    /// opens, not with the customer's page, which most visits only read.
    /// Without fields, it only loads.
    fn sale_fields_code(fields: Option<SaleFields>) -> Option<AnyView> {
        fields.map(sale_fields)
    }
}

/// Downloads the code of New sale's fields without showing them.
#[cfg(feature = "hydrate")]
pub async fn preload_sale_fields() -> Result<(), NotDownloaded> {
    sale_fields_code(None).await.map(|_| ())
}

fn sale_fields(fields: SaleFields) -> AnyView {
    let SaleFields {
        products,
        addresses,
        plain,
        pending,
        answer,
        on_save,
        on_cancel,
    } = fields;
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
    let typed = move || {
        quantities.with_untracked(|quantities| quantities.values().any(|text| !text.trim().is_empty()))
    };
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
                        // A quantity the form would refuse is left out until corrected.
                        let quantity = quantities
                            .get(&product.item_id)
                            .and_then(|text| quantity_typed(text).ok().flatten())
                            .unwrap_or(0);
                        i64::from(quantity) * product.price_cents
                    })
                    .sum()
            })
        });
        format_amount(cents)
    };
    let form_node = NodeRef::<leptos::html::Form>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = SaleForm::new(
            kind.get_untracked(),
            &quantities.get_untracked(),
            address.get_untracked(),
        );
        match form.draft() {
            Ok(draft) => {
                local_errors.set(FieldErrors::default());
                on_save.run(draft);
            }
            Err(errors) => {
                local_errors.set(errors);
                focus_first_mistake(form_node);
            }
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
    let has_addresses = !address_options.is_empty();
    focus_when_opened(form_node, FIRST_QUANTITY);
    view! {
        <form
            method="post"
            action=PostNewSale::url()
            // The quantities are checked by the same rule as on the
            // server, each message beside its field.
            novalidate=true
            node_ref=form_node
            on:submit=submit
            on:keydown=leave_on_escape(Some(on_cancel), typed)
        >
            <input type="hidden" name="register" value=plain.register />
            <input type="hidden" name="key" value=plain.key />
            <input type="hidden" name="transaction_id" value=plain.transaction_id.to_string() />
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
                                        <input type="hidden" name="sale[item][]" value=product.item_id.clone() />
                                        <input
                                            id=field.clone()
                                            name="sale[quantity][]"
                                            // Text, so that what was typed reaches the
                                            // check as typed: a number field gives ""
                                            // for "1e" or "abc", which would read as blank.
                                            type="text"
                                            inputmode="numeric"
                                            size="4"
                                            prop:value=move || quantities.with(|q| q.get(&shown_id).cloned().unwrap_or_default())
                                            on:input=move |ev| {
                                                let text = event_target_value(&ev);
                                                quantities.update(|q| {
                                                    q.insert(item_id.clone(), text);
                                                });
                                            }
                                            aria-describedby=format!("{field}-message")
                                            aria-invalid={
                                                let shown = message(field.clone());
                                                move || shown.with(Option::is_some).to_string()
                                            }
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
                                    name="sale[kind]"
                                    id=id.clone()
                                    value=format!("{choice:?}")
                                    checked=choice == SaleKind::CashAndCarry
                                    prop:checked=move || kind.get() == choice
                                    on:change=move |_| kind.set(choice)
                                />
                                <label for=id>{choice.caption()}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            // Offered whatever the type, so that the form posted by the
            // browser itself can name an address too; only a customer
            // order reads it.
            <div class="field">
                <label for="delivery-address">"Ship to"</label>
                <select
                    id="delivery-address"
                    name="sale[delivery_address]"
                    on:change=move |ev| address.set(event_target_value(&ev))
                    aria-describedby="delivery-address-hint delivery-address-message"
                    disabled=!has_addresses
                >
                    <option value="" selected=move || address.get().is_empty()>
                        {if has_addresses { "Choose…" } else { "The customer has no address" }}
                    </option>
                    {address_options
                        .into_iter()
                        .map(|(value, caption)| {
                            let chosen = value.clone();
                            view! { <option value=value selected=move || address.get() == chosen>{caption}</option> }
                        })
                        .collect_view()}
                </select>
                <span class="hint" id="delivery-address-hint">"Where a customer order is shipped."</span>
                <FieldMessage id="delivery-address-message" message=message(ADDRESS_FIELD.to_string()) />
            </div>
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

/// The customer's loyalty card, or Issue loyalty card (a form that posts
/// itself before the page's code has loaded).
#[component]
fn LoyaltyCard(key: String, register: String) -> impl IntoView {
    let card_key = key.clone();
    let card_register = register.clone();
    let card = Resource::new(
        || (),
        move |_| loyalty_card(card_register.clone(), card_key.clone()),
    );
    let issue = ServerAction::<IssueLoyaltyCard>::new();
    heard_by_the_register(card);
    heard_by_the_register(issue.value());
    let key = StoredValue::new(key);
    let register = StoredValue::new(register);
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
                                <ServerForm
                                    action=issue
                                    args=move || IssueLoyaltyCard { register: register.get_value(), key: key.get_value() }
                                    class="actions"
                                >
                                    <input type="hidden" name="register" value=register.get_value() />
                                    <input type="hidden" name="key" value=key.get_value() />
                                    <button type="submit" disabled=move || issue.pending().get()>"Issue loyalty card"</button>
                                </ServerForm>
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
