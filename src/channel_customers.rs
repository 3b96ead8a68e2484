//! Customers on the channel side: create, find, edit and add addresses, in
//! asynchronous mode (staged for the P-job) or through a real-time service
//! call, as the channel's cached configuration decides; with the automatic
//! fallback of a create to asynchronous mode when HQ cannot be reached.

use crate::channel_config::{CachedConfig, ChannelConfigCache};
use crate::channel_db::{ChannelDb, ChannelDbError, NewOperation};
use crate::customer::{
    AddressDraft, ChangeOutcome, ChannelCustomer, CreatedCustomer, CreatedHow, CustomerDraft,
    CustomerSummary, ReferenceData, ValidCustomer, validate_address, validate_customer,
};
use crate::error::{AppError, FieldErrors};
use crate::features::Feature;
use crate::realtime::{CallContext, RealtimeError, RealtimeService};
use crate::records::{ChannelRecord, OperationKind, StagedOperation};

/// What the channel side works with: its database, its configuration cache
/// and the real-time service into HQ.
#[derive(Debug, Clone, Copy)]
pub struct ChannelSide<'a> {
    pub db: &'a ChannelDb,
    pub config: &'a ChannelConfigCache,
    pub realtime: &'a RealtimeService,
}

/// Where the customer is served: a register of a store, or the online store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Register { channel_id: i64, register_number: i64 },
    OnlineStore,
}

impl Origin {
    /// The origin a page names: a register key such as `1-2`, or none for
    /// the online store.
    pub fn from_register_key(register: Option<&str>) -> Result<Origin, AppError> {
        match register {
            None => Ok(Origin::OnlineStore),
            Some(key) => crate::pos::parse_register_key(key)
                .map(|(channel_id, register_number)| Origin::Register {
                    channel_id,
                    register_number,
                })
                .ok_or_else(|| AppError::BadRequest("Choose a store and a register first.".to_string())),
        }
    }
}

const SEARCH_LIMIT: u32 = 50;

#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    #[error("the customer is not valid")]
    Invalid(FieldErrors),
    #[error("Register {register_number} of store {channel_id} is not known to this channel database.")]
    UnknownRegister { channel_id: i64, register_number: i64 },
    #[error("No online store channel has been downloaded to this channel database yet (run job 1070).")]
    NoOnlineStore,
    #[error("There is no customer {0} in this channel.")]
    UnknownCustomer(String),
    #[error(
        "This customer is still pending sync, so HQ cannot change it yet. It can be changed once job 1010 has \
         brought its account back, or at once when \"{0}\" is enabled."
    )]
    PendingCustomer(&'static str),
    #[error(
        "HQ cannot be reached ({0}), so this change cannot be saved now. What you typed is kept: try again \
         when HQ is reachable."
    )]
    HqUnreachable(&'static str),
    #[error("The real-time service call to HQ failed: {0}")]
    Realtime(#[from] RealtimeError),
    #[error(transparent)]
    Storage(#[from] ChannelDbError),
}

impl From<CustomerError> for AppError {
    fn from(error: CustomerError) -> Self {
        match error {
            CustomerError::Invalid(fields) => AppError::Invalid(fields),
            CustomerError::UnknownCustomer(_) => AppError::NotFound(error.to_string()),
            CustomerError::UnknownRegister { .. }
            | CustomerError::NoOnlineStore
            | CustomerError::PendingCustomer(_)
            | CustomerError::HqUnreachable(_) => AppError::Refused(error.to_string()),
            CustomerError::Realtime(RealtimeError::UnknownCustomer(_)) => {
                AppError::Refused(error.to_string())
            }
            CustomerError::Realtime(other) => crate::respond::internal(other),
            CustomerError::Storage(storage) => crate::respond::internal(storage),
        }
    }
}

/// The customer groups this channel knows and the default of `origin`, for
/// forms to offer and check.
pub async fn reference_data(channel: &ChannelDb, origin: Origin) -> Result<ReferenceData, CustomerError> {
    let (channel_record, _) = resolve_origin(channel, origin).await?;
    reference_of(channel, &channel_record).await
}

/// The customer groups this channel knows and the default of the channel
/// a customer is created or changed in.
async fn reference_of(
    channel: &ChannelDb,
    channel_record: &ChannelRecord,
) -> Result<ReferenceData, CustomerError> {
    Ok(ReferenceData {
        customer_groups: channel.customer_groups().await?,
        default_customer_group: channel_record.default_customer_group.clone(),
    })
}

/// Creates a customer: staged with all its rows when the channel's profile
/// says "Create customer in async mode", otherwise by a real-time call; a
/// create that cannot reach HQ is staged anyway, and the log says so.
pub async fn create_customer(
    side: &ChannelSide<'_>,
    origin: Origin,
    draft: &CustomerDraft,
) -> Result<CreatedCustomer, CustomerError> {
    let (channel_record, register_number) = resolve_origin(side.db, origin).await?;
    let mut draft = draft.clone();
    fill_defaults(&mut draft, &channel_record, origin);
    let reference = reference_of(side.db, &channel_record).await?;
    let valid = validate_customer(&draft, &reference, origin == Origin::OnlineStore)
        .map_err(CustomerError::Invalid)?;
    let full_name = valid.display_name();
    let channel_name = channel_record.name.clone();
    let config = side.config.get().await?;
    let how = if config.async_mode(channel_record.channel_id) {
        let temporary_id = stage_create(side.db, &channel_record, register_number, valid).await?;
        CreatedHow::Staged { temporary_id }
    } else {
        let evidence = side
            .realtime
            .async_mode_evidence(channel_record.channel_id, &config)
            .await?;
        let context = CallContext {
            channel_id: channel_record.channel_id,
            register_number,
            reason: evidence.explain(),
        };
        if register_is_offline(side.db, origin).await? {
            fall_back(side, &context, &channel_record, valid, "the register is offline").await?
        } else {
            match side.realtime.create_customer(&context, &valid).await {
                Ok(account) => CreatedHow::InHq { account },
                Err(RealtimeError::Unreachable) => {
                    fall_back(side, &context, &channel_record, valid, "HQ unreachable").await?
                }
                Err(other) => return Err(other.into()),
            }
        }
    };
    Ok(CreatedCustomer {
        full_name,
        channel_name,
        how,
    })
}

async fn stage_create(
    db: &ChannelDb,
    channel_record: &ChannelRecord,
    register_number: Option<i64>,
    valid: ValidCustomer,
) -> Result<String, CustomerError> {
    let temporary_id = new_temporary_id();
    db.stage(NewOperation {
        temporary_id: temporary_id.clone(),
        kind: OperationKind::Create,
        channel_id: channel_record.channel_id,
        register_number,
        customer_account: None,
        customer_temporary_id: None,
        customer: valid.into_draft(),
    })
    .await?;
    Ok(temporary_id)
}

/// The automatic fallback: a create that needs HQ and cannot reach it is
/// staged asynchronously, so the customer is served at once.
async fn fall_back(
    side: &ChannelSide<'_>,
    context: &CallContext,
    channel_record: &ChannelRecord,
    valid: ValidCustomer,
    why: &str,
) -> Result<CreatedHow, CustomerError> {
    let temporary_id = stage_create(side.db, channel_record, context.register_number, valid).await?;
    side.realtime.log_fallback(context, &temporary_id, why).await;
    Ok(CreatedHow::FellBack {
        temporary_id,
        why: format!("{why}, staged asynchronously"),
    })
}

async fn register_is_offline(db: &ChannelDb, origin: Origin) -> Result<bool, ChannelDbError> {
    match origin {
        Origin::Register {
            channel_id,
            register_number,
        } => db.register_offline(channel_id, register_number).await,
        Origin::OnlineStore => Ok(false),
    }
}

pub async fn search_customers(
    channel: &ChannelDb,
    term: &str,
) -> Result<Vec<CustomerSummary>, ChannelDbError> {
    channel.search_customers(term, SEARCH_LIMIT).await
}

/// A customer by account or temporary id: the channel copy once synced, the
/// staged create while pending, each with the changes staged since.
pub async fn find_customer(
    channel: &ChannelDb,
    key: &str,
) -> Result<Option<ChannelCustomer>, ChannelDbError> {
    let key = key.trim();
    if let Some(record) = channel.copied_customer(key).await? {
        // Staged changes newer than the last one HQ applied are still on
        // their way, whenever job 1010 last ran.
        let applied_up_to = record.last_async_operation_at.clone().unwrap_or_default();
        let changes = channel
            .staged_changes(
                Some(&record.account),
                record.async_customer_id.as_deref(),
                &applied_up_to,
            )
            .await?;
        return Ok(Some(ChannelCustomer {
            pending_changes: changes.len(),
            customer: apply_staged_changes(record.customer, &changes),
            account: Some(record.account),
            temporary_id: record.async_customer_id,
        }));
    }
    let Some(create) = channel.staged_create(key).await? else {
        return Ok(None);
    };
    let changes = channel
        .staged_changes(None, Some(key), &create.created_at)
        .await?;
    Ok(Some(ChannelCustomer {
        pending_changes: changes.len(),
        customer: apply_staged_changes(create.customer, &changes),
        account: None,
        temporary_id: Some(create.temporary_id),
    }))
}

/// Saves a customer's own fields: staged when the channel copy has "Enable
/// editing customers in asynchronous mode", otherwise a real-time call.
pub async fn edit_customer(
    side: &ChannelSide<'_>,
    origin: Origin,
    key: &str,
    draft: &CustomerDraft,
) -> Result<ChangeOutcome, CustomerError> {
    let target = change_target(side.db, origin, key).await?;
    let mut draft = CustomerDraft {
        addresses: Vec::new(),
        contacts: Vec::new(),
        affiliations: Vec::new(),
        attributes: Vec::new(),
        ..draft.clone()
    };
    fill_defaults(&mut draft, &target.channel, origin);
    let reference = reference_of(side.db, &target.channel).await?;
    let valid = validate_customer(&draft, &reference, origin == Origin::OnlineStore)
        .map_err(CustomerError::Invalid)?;
    let config = side.config.get().await?;
    if config.feature_enabled(Feature::AsyncEditing) {
        return stage_change(side.db, &target, OperationKind::Update, valid.into_draft()).await;
    }
    let (account, context) = realtime_target(side, origin, Feature::AsyncEditing, &config, target).await?;
    side.realtime
        .update_customer(&context, &account, &valid)
        .await
        .map_err(unreachable_as_refusal)?;
    Ok(ChangeOutcome::AppliedInHq { account })
}

/// Adds an address: staged when the channel copy has "Enable asynchronous
/// creation for customer addresses", otherwise a real-time call.
pub async fn add_address(
    side: &ChannelSide<'_>,
    origin: Origin,
    key: &str,
    address: &AddressDraft,
) -> Result<ChangeOutcome, CustomerError> {
    let target = change_target(side.db, origin, key).await?;
    let valid = validate_address(address).map_err(CustomerError::Invalid)?;
    let config = side.config.get().await?;
    if config.feature_enabled(Feature::AsyncAddresses) {
        let customer = CustomerDraft {
            addresses: vec![valid.get().clone()],
            ..CustomerDraft::default()
        };
        return stage_change(side.db, &target, OperationKind::AddAddress, customer).await;
    }
    let (account, context) = realtime_target(side, origin, Feature::AsyncAddresses, &config, target).await?;
    side.realtime
        .add_address(&context, &account, &valid)
        .await
        .map_err(unreachable_as_refusal)?;
    Ok(ChangeOutcome::AppliedInHq { account })
}

/// The customer a change is for, and where it is made.
struct ChangeTarget {
    channel: ChannelRecord,
    register_number: Option<i64>,
    customer: ChannelCustomer,
}

async fn change_target(db: &ChannelDb, origin: Origin, key: &str) -> Result<ChangeTarget, CustomerError> {
    let (channel, register_number) = resolve_origin(db, origin).await?;
    let customer = find_customer(db, key)
        .await?
        .ok_or_else(|| CustomerError::UnknownCustomer(key.to_string()))?;
    Ok(ChangeTarget {
        channel,
        register_number,
        customer,
    })
}

/// The account a real-time change applies to and the call's context. A
/// customer still pending sync has no account HQ knows, and an offline
/// register cannot call: an edit cannot fall back to asynchronous mode.
async fn realtime_target(
    side: &ChannelSide<'_>,
    origin: Origin,
    feature: Feature,
    config: &CachedConfig,
    target: ChangeTarget,
) -> Result<(String, CallContext), CustomerError> {
    let account = target
        .customer
        .account
        .ok_or(CustomerError::PendingCustomer(feature.name()))?;
    if register_is_offline(side.db, origin).await? {
        return Err(CustomerError::HqUnreachable("the register is offline"));
    }
    let evidence = side.realtime.feature_evidence(feature, config).await?;
    let context = CallContext {
        channel_id: target.channel.channel_id,
        register_number: target.register_number,
        reason: evidence.explain(),
    };
    Ok((account, context))
}

fn unreachable_as_refusal(error: RealtimeError) -> CustomerError {
    match error {
        RealtimeError::Unreachable => CustomerError::HqUnreachable("communication error"),
        other => CustomerError::Realtime(other),
    }
}

/// The customer as the channel should show it: `base` with the staged
/// updates and address additions applied in the order they were made.
pub fn apply_staged_changes(base: CustomerDraft, changes: &[StagedOperation]) -> CustomerDraft {
    changes.iter().fold(base, |mut customer, change| {
        match change.kind {
            OperationKind::Update => {
                customer = CustomerDraft {
                    addresses: customer.addresses,
                    contacts: customer.contacts,
                    affiliations: customer.affiliations,
                    attributes: customer.attributes,
                    ..change.customer.clone()
                };
            }
            OperationKind::AddAddress => {
                for address in &change.customer.addresses {
                    if address.primary {
                        customer.addresses.iter_mut().for_each(|a| a.primary = false);
                    }
                    customer.addresses.push(address.clone());
                }
            }
            OperationKind::Create => {}
        }
        customer
    })
}

async fn stage_change(
    db: &ChannelDb,
    target: &ChangeTarget,
    kind: OperationKind,
    customer: CustomerDraft,
) -> Result<ChangeOutcome, CustomerError> {
    let temporary_id = new_temporary_id();
    let synced = target.customer.account.is_some();
    db.stage(NewOperation {
        temporary_id: temporary_id.clone(),
        kind,
        channel_id: target.channel.channel_id,
        register_number: target.register_number,
        customer_account: target.customer.account.clone(),
        customer_temporary_id: target.customer.temporary_id.clone().filter(|_| !synced),
        customer,
    })
    .await?;
    Ok(ChangeOutcome::Staged { temporary_id })
}

async fn resolve_origin(
    channel: &ChannelDb,
    origin: Origin,
) -> Result<(ChannelRecord, Option<i64>), CustomerError> {
    match origin {
        Origin::Register {
            channel_id,
            register_number,
        } => {
            let unknown = || CustomerError::UnknownRegister {
                channel_id,
                register_number,
            };
            let record = channel
                .channel_of_register(channel_id, register_number)
                .await?
                .ok_or_else(unknown)?;
            Ok((record, Some(register_number)))
        }
        Origin::OnlineStore => {
            let record = channel
                .online_channel()
                .await?
                .ok_or(CustomerError::NoOnlineStore)?;
            Ok((record, None))
        }
    }
}

/// A shopper always gets the online store's customer group; blank choices
/// take the channel's defaults.
fn fill_defaults(draft: &mut CustomerDraft, channel_record: &ChannelRecord, origin: Origin) {
    if origin == Origin::OnlineStore || draft.customer_group.trim().is_empty() {
        draft.customer_group = channel_record.default_customer_group.clone();
    }
    if draft.language.trim().is_empty() {
        draft.language = "en-us".to_string();
    }
    if draft.currency.trim().is_empty() {
        draft.currency = "USD".to_string();
    }
}

fn new_temporary_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: OperationKind, customer: CustomerDraft) -> StagedOperation {
        StagedOperation {
            id: 1,
            temporary_id: "t".into(),
            kind,
            channel_id: 1,
            register_number: None,
            customer_account: None,
            customer_temporary_id: None,
            customer,
            created_at: String::new(),
        }
    }

    fn address(street: &str, primary: bool) -> AddressDraft {
        AddressDraft {
            street: street.into(),
            primary,
            ..AddressDraft::default()
        }
    }

    #[test]
    fn staged_changes_apply_in_order_and_keep_the_rows_an_update_does_not_carry() {
        let base = CustomerDraft {
            first_name: "Ana".into(),
            addresses: vec![address("1 Main St", true)],
            affiliations: vec!["Employee".into()],
            ..CustomerDraft::default()
        };
        let changes = [
            change(
                OperationKind::Update,
                CustomerDraft {
                    first_name: "Anna".into(),
                    ..CustomerDraft::default()
                },
            ),
            change(
                OperationKind::AddAddress,
                CustomerDraft {
                    addresses: vec![address("2 Elm St", true)],
                    ..CustomerDraft::default()
                },
            ),
            change(
                OperationKind::Update,
                CustomerDraft {
                    first_name: "Annie".into(),
                    ..CustomerDraft::default()
                },
            ),
        ];
        let shown = apply_staged_changes(base, &changes);
        assert_eq!(shown.first_name, "Annie");
        assert_eq!(shown.affiliations, ["Employee"]);
        let streets: Vec<(&str, bool)> = shown
            .addresses
            .iter()
            .map(|a| (a.street.as_str(), a.primary))
            .collect();
        assert_eq!(streets, [("1 Main St", false), ("2 Elm St", true)]);
    }
}
