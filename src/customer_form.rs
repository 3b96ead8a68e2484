//! The customer fields a cashier or a shopper fills in, with each field's
//! message beside it, and the confirmation of a staged create.

use leptos::prelude::*;

use crate::customer::StagedCustomer;
use crate::error::AppError;
use crate::ui::FieldMessage;

/// The labelled name and email inputs, showing the messages of `error`.
#[component]
pub fn CustomerFields(#[prop(into)] error: Signal<Option<AppError>>, email_required: bool) -> impl IntoView {
    let field = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(name)));
    view! {
        <TextField name="first_name" label="First name" autocomplete="given-name" required=true message=field("first_name") />
        <TextField name="last_name" label="Last name" autocomplete="family-name" required=true message=field("last_name") />
        <TextField name="email" label="Email" autocomplete="email" required=email_required message=field("email") />
    }
}

#[component]
fn TextField(
    name: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    required: bool,
    message: Signal<Option<String>>,
) -> impl IntoView {
    let message_id = format!("{name}-message");
    view! {
        <div class="field">
            <label for=name>{label}{required.then_some(" *")}</label>
            <input
                id=name
                name=name
                type=if name == "email" { "email" } else { "text" }
                autocomplete=autocomplete
                aria-describedby=message_id.clone()
                aria-invalid=move || if message.get().is_some() { "true" } else { "false" }
            />
            <FieldMessage id=message_id message />
        </div>
    }
}

/// What the cashier or shopper sees once the create is staged.
#[component]
pub fn StagedConfirmation(customer: StagedCustomer) -> impl IntoView {
    view! {
        <div class="confirmation" role="status">
            <p>
                <strong>{customer.full_name}</strong>
                " was created at "
                {customer.channel_name}
                ". Account: "
                <span class="badge pending-sync">"Pending sync"</span>
            </p>
            <p>
                "Temporary asynchronous customer id: "
                <code class="temporary-id">{customer.temporary_id}</code>
            </p>
        </div>
    }
}

/// The error of the last submission when it is not about one field.
pub fn form_error(error: Option<AppError>) -> Option<AppError> {
    error.filter(|error| !matches!(error, AppError::Invalid(_)))
}
