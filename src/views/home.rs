//! The home page: what the app is, each role's way in, and a walk-through
//! of one customer's trip from the register to HQ.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::access::{Role, SignedInUser, may_open};
use crate::views::header::{HQ_MENUS, SignedIn};

#[component]
pub fn HomePage() -> impl IntoView {
    let SignedIn(user) = expect_context::<SignedIn>();
    view! {
        <Title text="custsync" />
        <h1>"Asynchronous customer mode"</h1>
        <p>
            "Cashiers and shoppers create customers in the channel; the store stages them and answers at once. "
            "The P-job carries them to HQ, where \"Synchronize customers and channel requests\" creates the accounts, "
            "and job 1010 brings the accounts back to the channel."
        </p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let user = user.await.ok().flatten();
                view! {
                    <WayIn user=user.clone() />
                    <Walkthrough user />
                }
            })}
        </Transition>
    }
}

/// Where the signed-in user starts; Sign in for nobody.
#[component]
fn WayIn(user: Option<SignedInUser>) -> impl IntoView {
    let role = user.map(|user| user.role);
    view! {
        <section class="way-in" aria-labelledby="way-in">
            {match role {
                None => view! {
                    <h2 id="way-in">"Sign in"</h2>
                    <p>
                        "Sign in as houston or seattle to work at a store's POS, as shopper to use the "
                        "online store, or as admin to run HQ."
                    </p>
                    <p><a class="button" href="/sign-in">"Sign in"</a></p>
                }
                .into_any(),
                Some(Role::Cashier) => view! {
                    <h2 id="way-in">"Your register"</h2>
                    <p>
                        "Add and find customers at your store's POS. A customer is saved at once, "
                        "also when the network drops, and synced to HQ later."
                    </p>
                    <p><a class="button" href="/pos">"Open the POS"</a></p>
                }
                .into_any(),
                Some(Role::Shopper) => view! {
                    <h2 id="way-in">"Fabrikam online store"</h2>
                    <p>"See and change your profile and addresses, or sign up a new customer."</p>
                    <ul class="way-in-links">
                        <li><a href="/ecommerce/my-profile">"My profile"</a></li>
                        <li><a href="/ecommerce/sign-up">"Sign up"</a></li>
                    </ul>
                }
                .into_any(),
                Some(Role::Admin) => view! {
                    <h2 id="way-in">"HQ"</h2>
                    <div class="way-in-groups">
                        {HQ_MENUS
                            .into_iter()
                            .map(|(caption, pages)| view! {
                                <div>
                                    <h3>{caption}</h3>
                                    <ul class="way-in-links">
                                        {pages
                                            .iter()
                                            .map(|(path, name)| view! { <li><a href=*path>{*name}</a></li> })
                                            .collect_view()}
                                    </ul>
                                </div>
                            })
                            .collect_view()}
                    </div>
                }
                .into_any(),
            }}
        </section>
    }
}

/// One customer from the register to an HQ account. Each page is a link
/// only where the signed-in user may open it.
#[component]
fn Walkthrough(user: Option<SignedInUser>) -> impl IntoView {
    let page = move |path: &'static str, name: &'static str| page_name(user.as_ref(), path, name);
    view! {
        <h2>"A customer's trip"</h2>
        <ol class="walkthrough">
            <li>
                "As houston (a cashier of the Houston store), open the "
                {page("/pos", "POS")}
                ", add a customer and note its temporary id."
            </li>
            <li>
                "As admin, run the P-job on "
                {page("/hq/distribution-schedule", "Distribution schedule")}
                " to upload it to HQ."
            </li>
            <li>
                {page("/hq/batch-jobs", "Batch jobs")}
                ": run \"Synchronize customers and channel requests\" to create the account."
            </li>
            <li>
                {page("/hq/customer-synchronization-status", "Customer synchronization status")}
                " and "
                {page("/hq/customers", "Customers")}
                ": see it Synced with its account number."
            </li>
            <li>
                "Back on "
                {page("/hq/distribution-schedule", "Distribution schedule")}
                ", run job 1010 (Customers) to bring the account to the stores: the "
                {page("/pos", "POS")}
                " then shows it in place of Pending sync."
            </li>
        </ol>
        <p>"The demo users (admin, houston, seattle, shopper) and their password are listed in the README."</p>
    }
}

/// A page's name: a link when `user` may open it, plain text otherwise.
fn page_name(user: Option<&SignedInUser>, path: &'static str, name: &'static str) -> AnyView {
    if may_open(user, path) {
        view! { <a href=path>{name}</a> }.into_any()
    } else {
        view! { <strong>{name}</strong> }.into_any()
    }
}
