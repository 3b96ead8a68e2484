//! The online store (Fabrikam online store): a shopper signs up, then keeps
//! their profile and addresses up to date on My profile.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::api::channel_customers::{PostNewCustomer, channel_reference, create_customer, my_profile_key};
use crate::api::refused_posts::PostedValues;
use crate::domain::customer::{CreatedCustomer, CustomerDraft};
use crate::views::customer_display::CreatedConfirmation;
use crate::views::customer_form::{PlainPost, SignUpForm};
use crate::views::customer_page::{CustomerCard, OnlineStoreMode};
use crate::views::outbox::page_operation_id;
use crate::views::ui::{loaded, refused_form};

#[component]
pub fn SignUpPage() -> impl IntoView {
    let reference = Resource::new(|| (), |_| channel_reference(None));
    let refused = refused_form(PostNewCustomer::PATH);
    let existing = Resource::new(|| (), |_| my_profile_key());
    // Made when the page is rendered: the sign-up sent again (its answer
    // was lost, the shopper pressed Sign up twice, once before the page's
    // code had loaded) makes one customer.
    let operation_id = StoredValue::new(page_operation_id());
    let create = Action::new(move |draft: &CustomerDraft| {
        create_customer(None, operation_id.get_value().to_string(), draft.clone())
    });
    // Swapping the form for the confirmation in an effect, after the
    // answer has reached the form's own messages, lets the form go quietly.
    let signed_up = RwSignal::new(None::<CreatedCustomer>);
    Effect::new(move |_| {
        if let Some(Ok(customer)) = create.value().get() {
            signed_up.set(Some(customer));
        }
    });

    view! {
        <Title text="Sign up - Fabrikam online store" />
        <p class="breadcrumb">"Fabrikam online store"</p>
        <h1>"Sign up"</h1>
        <OnlineStoreMode />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                existing.await.ok().flatten().map(|_| view! {
                    <Show when=move || signed_up.with(Option::is_none)>
                        <p class="note">
                            "You already have a profile. Signing up again gives you a new one. "
                            <a href="/ecommerce/my-profile">"Go to my profile"</a>
                        </p>
                    </Show>
                })
            })}
        </Transition>
        <Show
            when=move || signed_up.with(Option::is_none)
            fallback=move || {
                signed_up.get().map(|customer| {
                    view! {
                        <CreatedConfirmation customer />
                        <p><a href="/ecommerce/my-profile">"Go to my profile"</a></p>
                    }
                })
            }
        >
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (refusal, posted) = refused.take().await;
                    loaded(reference.await, move |reference| {
                        let initial = match posted {
                            Some(PostedValues::NewCustomer(draft)) => draft,
                            _ => reference.blank_customer(),
                        };
                        // The refusal the form's own post came back with,
                        // until the page's code saves it.
                        let server_error = Signal::derive(move || match create.value().get() {
                            Some(answer) => answer.err(),
                            None => refusal.clone(),
                        });
                        view! {
                            <SignUpForm
                                initial
                                reference
                                server_error
                                pending=create.pending()
                                on_save=Callback::new(move |draft| { create.dispatch(draft); })
                                posted_to=PlainPost::new_customer(None, &operation_id.get_value())
                            />
                        }
                    })
                })}
            </Suspense>
        </Show>
    }
}

/// The signed-in shopper's own profile: their account, or their temporary
/// id until HQ has created the account.
#[component]
pub fn MyProfilePage() -> impl IntoView {
    let profile = Resource::new(|| (), |_| my_profile_key());
    view! {
        <Title text="My profile - Fabrikam online store" />
        <p class="breadcrumb">"Fabrikam online store"</p>
        <h1>"My profile"</h1>
        <OnlineStoreMode />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                loaded(profile.await, |key| match key {
                    Some(key) => view! { <CustomerCard key register=None /> }.into_any(),
                    None => view! {
                        <p>"You have no profile yet. " <a href="/ecommerce/sign-up">"Sign up"</a> " first."</p>
                    }
                    .into_any(),
                })
            })}
        </Suspense>
    }
}
