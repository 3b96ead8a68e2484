//! The online store (Fabrikam online store): a shopper signs up.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::customer::StagedCustomer;
use crate::customer_form::{CustomerFields, StagedConfirmation, form_error};
use crate::error::AppError;
use crate::ui::ErrorNote;

#[server]
pub async fn sign_up(
    first_name: String,
    last_name: String,
    email: String,
) -> Result<StagedCustomer, AppError> {
    use crate::channel_customers::{Origin, create_customer};
    use crate::customer::CustomerDraft;
    use crate::respond::{backend, respond};

    let result = async {
        let draft = CustomerDraft {
            first_name,
            last_name,
            email,
        };
        Ok(create_customer(&backend()?.channel, Origin::OnlineStore, &draft).await?)
    };
    respond(result.await)
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let result = action.value();
    let error = Signal::derive(move || result.get().and_then(Result::err));

    view! {
        <Title text="Sign up - Fabrikam online store" />
        <h1>"Fabrikam online store"</h1>
        <section aria-labelledby="sign-up-heading" class="storefront">
            <h2 id="sign-up-heading">"Sign up"</h2>
            <Show
                when=move || !matches!(result.get(), Some(Ok(_)))
                fallback=move || result.get().and_then(Result::ok).map(|customer| view! { <StagedConfirmation customer /> })
            >
                <ActionForm action=action attr:novalidate=true attr:class="customer-form" attr:aria-label="Sign up">
                    <CustomerFields error email_required=true />
                    <div class="actions">
                        <button type="submit" disabled=move || action.pending().get()>
                            "Sign up"
                        </button>
                    </div>
                    {move || form_error(error.get()).map(|error| view! { <ErrorNote error /> })}
                </ActionForm>
            </Show>
        </section>
    }
}
