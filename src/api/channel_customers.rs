//! The channel's customers, as the POS and the online store reach them:
//! the channel's mode, its reference data, and create, find, edit and add
//! address. `register` names the POS register, or is absent for the
//! online store.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::customer::{
    AddressDraft, ChangeOutcome, ChannelCustomer, CreatedCustomer, CustomerDraft, ReferenceData,
};
use crate::error::AppError;

/// How a channel works now: the mode its cached configuration gives, and
/// whether the register is offline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModeNow {
    pub async_creates: bool,
    pub async_edits: bool,
    pub async_addresses: bool,
    pub offline: bool,
    pub config_age_seconds: u64,
}

impl ModeNow {
    /// "Creates: asynchronous · edits: real-time · addresses: real-time ·
    /// configuration 12 s old"
    pub fn summary(&self) -> String {
        let mode = |on: bool| if on { "asynchronous" } else { "real-time" };
        format!(
            "Creates: {} · edits: {} · addresses: {} · configuration {} s old",
            mode(self.async_creates),
            mode(self.async_edits),
            mode(self.async_addresses),
            self.config_age_seconds,
        )
    }
}

/// The register a page names, for the cashier of its store; the online
/// store, for a shopper. Whoever else asks gets a 403 before the register is
/// even read.
#[cfg(feature = "ssr")]
async fn authorize_origin(
    register: Option<&str>,
) -> Result<
    (
        crate::services::backend::Backend,
        crate::domain::access::SignedInUser,
        crate::domain::registers::Origin,
    ),
    AppError,
> {
    use crate::api::respond::authorize_user;
    use crate::domain::access::{Access, check};
    use crate::domain::registers::MAX_REGISTER_KEY;
    use crate::domain::registers::Origin;
    let Some(register) = register else {
        let (backend, user) = authorize_user(Access::Shopper).await?;
        return Ok((backend, user, Origin::OnlineStore));
    };
    let (backend, user) = authorize_user(Access::Cashier).await?;
    crate::error::check_key("A register", register, MAX_REGISTER_KEY)?;
    let origin = Origin::from_register_key(Some(register))
        .ok_or_else(|| AppError::BadRequest("Choose a store and a register first.".to_string()))?;
    if let Origin::Register { channel_id, .. } = origin {
        check(Some(&user), Access::Store(channel_id))?;
    }
    Ok((backend, user, origin))
}

/// The operation id the browser made for this save.
#[cfg(feature = "ssr")]
fn parse_operation_id(operation_id: &str) -> Result<crate::domain::operation::OperationId, AppError> {
    crate::error::check_key("An operation id", operation_id, crate::error::MAX_KEY)?;
    crate::domain::operation::OperationId::parse(operation_id)
        .map_err(|error| AppError::BadRequest(error.to_string()))
}

/// A shopper may change only their own profile; a cashier any customer.
#[cfg(feature = "ssr")]
fn check_customer_access(user: &crate::domain::access::SignedInUser, key: &str) -> Result<(), AppError> {
    use crate::domain::access::{Access, Role, check};
    crate::error::check_key("A customer key", key, crate::error::MAX_KEY)?;
    if user.role == Role::Shopper {
        check(Some(user), Access::Profile(key))?;
    }
    Ok(())
}

#[server(output = crate::wire::JsonText)]
pub async fn channel_mode(register: Option<String>) -> Result<ModeNow, AppError> {
    use crate::api::respond::respond;
    use crate::domain::features::Feature;
    use crate::domain::registers::Origin;
    use crate::error::internal;
    use crate::services::channel_customers::channel_of_origin;
    let result = async {
        let (backend, _, origin) = authorize_origin(register.as_deref()).await?;
        let (channel_id, offline) = match origin {
            Origin::Register {
                channel_id,
                register_number,
            } => {
                channel_of_origin(&backend.channel, origin).await?;
                let offline = backend
                    .channel
                    .register_offline(channel_id, register_number)
                    .await
                    .map_err(internal)?;
                (channel_id, offline)
            }
            Origin::OnlineStore => {
                let (online, _) = channel_of_origin(&backend.channel, origin).await?;
                (online.channel_id, false)
            }
        };
        let config = backend.config.get().await.map_err(internal)?;
        Ok(ModeNow {
            async_creates: config.async_mode(channel_id),
            async_edits: config.feature_enabled(Feature::AsyncEditing),
            async_addresses: config.feature_enabled(Feature::AsyncAddresses),
            offline,
            config_age_seconds: config.age.as_secs(),
        })
    };
    respond(result.await)
}

#[server(output = crate::wire::JsonText)]
pub async fn channel_reference(register: Option<String>) -> Result<ReferenceData, AppError> {
    use crate::api::respond::respond;
    use crate::services::channel_customers::reference_data;
    let result = async {
        let (backend, _, origin) = authorize_origin(register.as_deref()).await?;
        Ok(reference_data(&backend.channel, origin).await?)
    };
    respond(result.await)
}

/// Add customer (POS) or Sign up (online store). A shopper's sign-up becomes
/// their own profile. `operation_id` is the GUID the browser made when the
/// customer was first saved: sent again, the create is carried out once.
#[server(input = Json, output = crate::wire::JsonText)]
pub async fn create_customer(
    register: Option<String>,
    operation_id: String,
    draft: CustomerDraft,
) -> Result<CreatedCustomer, AppError> {
    use crate::api::respond::respond;
    respond(create(register.as_deref(), &operation_id, &draft).await)
}

/// A new customer's form that the browser posted by itself (before the
/// page's code has loaded, or with JavaScript off): the same create, with
/// the operation id the server wrote into the form, so that the form posted
/// twice stages one customer. Then the customer's page at the POS, or the
/// shopper's profile; a refusal goes back to the form's page.
#[server(output = crate::wire::JsonText)]
pub async fn post_new_customer(
    register: Option<String>,
    operation_id: String,
    #[server(default)] draft: CustomerDraft,
) -> Result<CreatedCustomer, AppError> {
    use crate::api::refused_posts::{PostedValues, keep_when_refused};
    use crate::api::respond::{redirect_form_post, respond};
    use leptos::server_fn::ServerFn;
    let draft = draft.without_blank_attributes();
    let created = create(register.as_deref(), &operation_id, &draft).await;
    keep_when_refused(&created, PostNewCustomer::PATH, PostedValues::NewCustomer(draft)).await;
    if let Ok(customer) = &created {
        redirect_form_post(&customer_page(register.as_deref(), &customer.key()));
    }
    respond(created)
}

/// Creates a customer at `register` (the online store when absent) for the
/// user signed in; a shopper's session and HQ user get the new profile.
#[cfg(feature = "ssr")]
async fn create(
    register: Option<&str>,
    operation_id: &str,
    draft: &CustomerDraft,
) -> Result<CreatedCustomer, AppError> {
    use crate::api::sessions::{current_session, remember_user};
    use crate::domain::access::Role;
    use crate::services::channel_customers::create_customer;
    let (backend, mut user, origin) = authorize_origin(register).await?;
    let operation_id = parse_operation_id(operation_id)?;
    let created = create_customer(&backend.channel_side(), origin, &operation_id, draft).await?;
    if user.role == Role::Shopper {
        // A sign-up sent again answers with the customer it made: only to
        // the shopper who made it, not to one who read its id and values
        // off that shopper's profile. While HQ cannot be read, signing up
        // goes on working, as the rest of the store does.
        match backend
            .hq
            .is_profile_of_another(&created.key(), &user.user_name)
            .await
        {
            Ok(false) => {}
            Ok(true) => {
                return Err(AppError::Refused(
                    "This customer is another shopper's profile, so it cannot become yours. Nothing was changed."
                        .to_string(),
                ));
            }
            Err(error) => tracing::warn!(%error, "HQ could not say whose profile a sign-up's customer is"),
        }
        // The customer exists now, so the answer is a success whatever
        // follows: this session keeps the profile even if HQ cannot
        // record it, and the failure is logged for an admin.
        user.profile_key = Some(created.key());
        if let Err(error) = remember_user(&current_session().await?, &user).await {
            tracing::error!(%error, user = %user.user_name, "the new profile is not in the session");
        }
        if let Err(error) = backend.hq.set_profile_key(&user.user_name, &created.key()).await {
            tracing::error!(%error, user = %user.user_name, "HQ did not record the shopper's new profile");
        }
    }
    Ok(created)
}

/// One customer: any customer for a cashier, their own for a shopper.
#[server(output = crate::wire::JsonText)]
pub async fn find_channel_customer(key: String) -> Result<ChannelCustomer, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::api::sessions::{current_session, signed_in_user};
    use crate::domain::access::{Access, Role};
    use crate::error::internal;
    use crate::error::{MAX_KEY, check_key};
    use crate::services::channel_customers::find_customer;
    let result = async {
        let user = signed_in_user(&current_session().await?).await?;
        let access = match user.map(|user| user.role) {
            Some(Role::Shopper) => Access::Profile(&key),
            Some(_) => Access::Cashier,
            None => return Err(AppError::Forbidden("Sign in to see this customer.".to_string())),
        };
        let backend = authorize(access).await?;
        check_key("A customer key", &key, MAX_KEY)?;
        find_customer(&backend.channel, &key)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound(format!("There is no customer {key} in this channel.")))
    };
    respond(result.await)
}

/// An edit of the customer's own fields; `started_from` holds them as the
/// form showed them when it opened, so that the fields the cashier or
/// shopper left alone are not written back over a newer change.
#[server(input = Json, output = crate::wire::JsonText)]
pub async fn edit_customer(
    register: Option<String>,
    operation_id: String,
    key: String,
    draft: CustomerDraft,
    started_from: Option<CustomerDraft>,
) -> Result<ChangeOutcome, AppError> {
    use crate::api::respond::respond;
    respond(
        edit(
            register.as_deref(),
            &operation_id,
            &key,
            &draft,
            started_from.as_ref(),
        )
        .await,
    )
}

/// Edit's form posted by the browser itself (see `post_new_customer`);
/// then the customer's page again.
#[server(output = crate::wire::JsonText)]
pub async fn post_customer_edit(
    register: Option<String>,
    operation_id: String,
    key: String,
    #[server(default)] draft: CustomerDraft,
    #[server(default)] started_from: Option<CustomerDraft>,
) -> Result<ChangeOutcome, AppError> {
    use crate::api::refused_posts::{PostedValues, keep_when_refused};
    use crate::api::respond::{redirect_form_post, respond};
    use leptos::server_fn::ServerFn;
    let outcome = edit(
        register.as_deref(),
        &operation_id,
        &key,
        &draft,
        started_from.as_ref(),
    )
    .await;
    let posted = PostedValues::Edit {
        key: key.clone(),
        draft,
        started_from: started_from.map(Box::new),
    };
    keep_when_refused(&outcome, PostCustomerEdit::PATH, posted).await;
    if outcome.is_ok() {
        redirect_form_post(&customer_page(register.as_deref(), &key));
    }
    respond(outcome)
}

#[server(input = Json, output = crate::wire::JsonText)]
pub async fn add_customer_address(
    register: Option<String>,
    operation_id: String,
    key: String,
    address: AddressDraft,
) -> Result<ChangeOutcome, AppError> {
    use crate::api::respond::respond;
    respond(add_address(register.as_deref(), &operation_id, &key, &address).await)
}

/// Add address's form posted by the browser itself (see
/// `post_new_customer`); then the customer's page again.
#[server(output = crate::wire::JsonText)]
pub async fn post_new_address(
    register: Option<String>,
    operation_id: String,
    key: String,
    #[server(default)] address: AddressDraft,
) -> Result<ChangeOutcome, AppError> {
    use crate::api::refused_posts::{PostedValues, keep_when_refused};
    use crate::api::respond::{redirect_form_post, respond};
    use leptos::server_fn::ServerFn;
    let outcome = add_address(register.as_deref(), &operation_id, &key, &address).await;
    let posted = PostedValues::NewAddress {
        key: key.clone(),
        address,
    };
    keep_when_refused(&outcome, PostNewAddress::PATH, posted).await;
    if outcome.is_ok() {
        redirect_form_post(&customer_page(register.as_deref(), &key));
    }
    respond(outcome)
}

#[cfg(feature = "ssr")]
async fn edit(
    register: Option<&str>,
    operation_id: &str,
    key: &str,
    draft: &CustomerDraft,
    started_from: Option<&CustomerDraft>,
) -> Result<ChangeOutcome, AppError> {
    use crate::services::channel_customers::edit_customer;
    let (backend, user, origin) = authorize_origin(register).await?;
    check_customer_access(&user, key)?;
    let operation_id = parse_operation_id(operation_id)?;
    Ok(edit_customer(
        &backend.channel_side(),
        origin,
        &operation_id,
        key,
        draft,
        started_from,
    )
    .await?)
}

#[cfg(feature = "ssr")]
async fn add_address(
    register: Option<&str>,
    operation_id: &str,
    key: &str,
    address: &AddressDraft,
) -> Result<ChangeOutcome, AppError> {
    use crate::services::channel_customers::add_address;
    let (backend, user, origin) = authorize_origin(register).await?;
    check_customer_access(&user, key)?;
    let operation_id = parse_operation_id(operation_id)?;
    Ok(add_address(&backend.channel_side(), origin, &operation_id, key, address).await?)
}

/// A customer's page: at the POS register `register`, or the shopper's
/// profile on the online store.
#[cfg(feature = "ssr")]
fn customer_page(register: Option<&str>, key: &str) -> String {
    match register {
        Some(register) => crate::domain::registers::pos_customer_path(key, register),
        None => "/ecommerce/my-profile".to_string(),
    }
}

/// The signed-in shopper's own customer key, if they have signed up.
#[server(output = crate::wire::JsonText)]
pub async fn my_profile_key() -> Result<Option<String>, AppError> {
    use crate::api::respond::respond;
    use crate::api::sessions::{profile_in_hq, require};
    use crate::domain::access::Access;
    let result = async {
        let user = require(Access::Shopper).await?;
        match user.profile_key {
            Some(key) => Ok(Some(key)),
            None => profile_in_hq(&user.user_name).await,
        }
    };
    respond(result.await)
}
