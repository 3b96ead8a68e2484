//! The POS: a cashier at a register of a store adds customers.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::customer::StagedCustomer;
use crate::customer_form::{CustomerFields, StagedConfirmation, form_error};
use crate::error::AppError;
use crate::ui::{ErrorNote, loaded};

/// A register a cashier can open, with its store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RegisterOption {
    pub channel_id: i64,
    pub channel_name: String,
    pub register_number: i64,
}

impl RegisterOption {
    /// The value that names this register in a URL or a form: `1-2` is
    /// register 2 of channel 1.
    pub fn key(&self) -> String {
        format!("{}-{}", self.channel_id, self.register_number)
    }

    pub fn caption(&self) -> String {
        format!("{}, register {}", self.channel_name, self.register_number)
    }
}

/// The channel and register number a register key names.
pub fn parse_register_key(key: &str) -> Option<(i64, i64)> {
    let (channel, register) = key.split_once('-')?;
    Some((channel.parse().ok()?, register.parse().ok()?))
}

#[server]
pub async fn pos_registers() -> Result<Vec<RegisterOption>, AppError> {
    use crate::respond::{backend, internal, respond};
    respond(backend()?.channel.register_options().await.map_err(internal))
}

#[server]
pub async fn add_customer(
    register: String,
    first_name: String,
    last_name: String,
    email: String,
) -> Result<StagedCustomer, AppError> {
    use crate::channel_customers::{Origin, create_customer};
    use crate::customer::CustomerDraft;
    use crate::respond::{backend, respond};

    let result = async {
        let (channel_id, register_number) = parse_register_key(&register)
            .ok_or_else(|| AppError::BadRequest("Choose a store and a register first.".to_string()))?;
        let origin = Origin::Register {
            channel_id,
            register_number,
        };
        let draft = CustomerDraft {
            first_name,
            last_name,
            email,
        };
        Ok(create_customer(&backend()?.channel, origin, &draft).await?)
    };
    respond(result.await)
}

#[component]
pub fn PosPage() -> impl IntoView {
    let registers = Resource::new(|| (), |_| pos_registers());
    let query = use_query_map();
    let wanted = Memo::new(move |_| query.with(|q| q.get("register")));

    view! {
        <Title text="POS - custsync" />
        <h1>"POS"</h1>
        <Suspense fallback=|| view! { <p>"Loading registers…"</p> }>
            {move || {
                let wanted = wanted.get();
                Suspend::new(async move {
                    loaded(registers.await, move |registers| {
                        let current = wanted
                            .and_then(|key| registers.iter().find(|r| r.key() == key).cloned())
                            .or_else(|| registers.first().cloned());
                        match current {
                            Some(current) => view! {
                                <RegisterPicker registers current=current.clone() />
                                <CustomersPanel register=current />
                            }
                            .into_any(),
                            None => view! {
                                <p>"This channel database has no registers yet. Run job 1070 (Channel configuration) in HQ."</p>
                            }
                            .into_any(),
                        }
                    })
                })
            }}
        </Suspense>
    }
}

#[component]
fn RegisterPicker(registers: Vec<RegisterOption>, current: RegisterOption) -> impl IntoView {
    let current_key = current.key();
    view! {
        <form method="get" action="/pos" class="register-picker">
            <label for="register">"Store and register"</label>
            <select id="register" name="register">
                {registers
                    .into_iter()
                    .map(|register| {
                        let selected = register.key() == current_key;
                        view! {
                            <option value=register.key() selected=selected>
                                {register.caption()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="submit">"Open register"</button>
        </form>
        <p class="register-open">"Register open: " <strong>{current.caption()}</strong></p>
    }
}

#[component]
fn CustomersPanel(register: RegisterOption) -> impl IntoView {
    let action = ServerAction::<AddCustomer>::new();
    let result = action.value();
    let adding = RwSignal::new(false);
    let error = Signal::derive(move || result.get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(result.get(), Some(Ok(_))) {
            adding.set(false);
        }
    });
    let start_adding = move |_| {
        result.set(None);
        adding.set(true);
    };
    let key = StoredValue::new(register.key());

    view! {
        <section aria-labelledby="customers-heading">
            <h2 id="customers-heading">"Customers"</h2>
            <button type="button" on:click=start_adding>
                "Add customer"
            </button>
            <Show when=move || adding.get()>
                <ActionForm action=action attr:novalidate=true attr:class="customer-form" attr:aria-label="Add customer">
                    <input type="hidden" name="register" value=key.get_value() />
                    <CustomerFields error email_required=false />
                    <div class="actions">
                        <button type="submit" disabled=move || action.pending().get()>
                            "Save"
                        </button>
                        <button type="button" on:click=move |_| adding.set(false)>
                            "Cancel"
                        </button>
                    </div>
                    {move || form_error(error.get()).map(|error| view! { <ErrorNote error /> })}
                </ActionForm>
            </Show>
            {move || match result.get() {
                Some(Ok(customer)) => Some(view! { <StagedConfirmation customer /> }),
                _ => None,
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_keys_round_trip() {
        let register = RegisterOption {
            channel_id: 1,
            channel_name: "Houston".into(),
            register_number: 2,
        };
        assert_eq!(register.key(), "1-2");
        assert_eq!(parse_register_key(&register.key()), Some((1, 2)));
        assert_eq!(register.caption(), "Houston, register 2");
    }

    #[test]
    fn malformed_register_keys_are_refused() {
        for bad in ["", "1", "1-", "-2", "a-b", "1-2-3"] {
            assert_eq!(parse_register_key(bad), None, "{bad}");
        }
    }
}
