//! Customers on the channel side: create, find, edit and add addresses, in
//! asynchronous mode (staged for the P-job) or through a real-time service
//! call, as the channel's cached configuration decides; with the automatic
//! fallback of a create to asynchronous mode when HQ cannot be reached.

use crate::domain::customer::{
    AddressDraft, ChangeOutcome, ChangedFields, ChannelCustomer, CreatedCustomer, CreatedHow, CustomerDraft,
    CustomerField, CustomerSummary, ReferenceData, ValidCustomer, shopper_edit, shopper_sign_up,
    tidy_own_fields, validate_address, validate_customer,
};
use crate::domain::features::Feature;
use crate::domain::operation::OperationId;
use crate::domain::records::{ChannelRecord, OperationKind, StagedOperation};
use crate::domain::registers::Origin;
use crate::error::FieldErrors;
use crate::services::channel_config::{CachedConfig, ChannelConfigCache};
use crate::services::realtime::{CallContext, RealtimeError, RealtimeService};
use crate::storage::channel_db::{AppliedUpTo, ChannelDb, ChannelDbError, NewOperation};

/// What the channel side works with: its database, its configuration cache
/// and the real-time service into HQ.
#[derive(Debug, Clone, Copy)]
pub struct ChannelSide<'a> {
    pub db: &'a ChannelDb,
    pub config: &'a ChannelConfigCache,
    pub realtime: &'a RealtimeService,
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
    #[error(
        "{channel} is served by the scale unit {scale_unit}, not by this one: \
         its customers are added on {scale_unit}'s server."
    )]
    ServedElsewhere { channel: String, scale_unit: String },
    #[error(
        "{channel} is not served by this scale unit, {here}: its customers are added on the scale unit that \
         serves it."
    )]
    NotServedHere { channel: String, here: String },
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
    #[error(
        "This operation id was used already for another customer or other values, so nothing was saved. \
         Reload the page to see what was saved."
    )]
    OperationIdReused,
    #[error("The real-time service call to HQ failed: {0}")]
    Realtime(#[from] RealtimeError),
    #[error(transparent)]
    Storage(#[from] ChannelDbError),
}

/// The customer groups this channel knows and the default of `origin`, for
/// forms to offer and check.
pub async fn reference_data(channel: &ChannelDb, origin: Origin) -> Result<ReferenceData, CustomerError> {
    let (channel_record, _) = channel_of_origin(channel, origin).await?;
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
/// create that cannot reach HQ is staged anyway, and the log says so. The
/// same create sent again under `operation_id` is carried out once, and
/// answered alike.
pub async fn create_customer(
    side: &ChannelSide<'_>,
    origin: Origin,
    operation_id: &OperationId,
    draft: &CustomerDraft,
) -> Result<CreatedCustomer, CustomerError> {
    let (channel_record, register_number) = channel_of_origin(side.db, origin).await?;
    let mut draft = match origin {
        Origin::OnlineStore => shopper_sign_up(draft),
        Origin::Register { .. } => draft.clone(),
    };
    fill_blanks(&mut draft, &channel_record);
    let reference = reference_of(side.db, &channel_record).await?;
    let valid = validate_customer(&draft, &reference, origin == Origin::OnlineStore)
        .map_err(CustomerError::Invalid)?;
    let full_name = valid.display_name();
    let channel_name = channel_record.name.clone();
    let config = side.config.get().await?;
    let create = NewOperation::create(
        operation_id.to_string(),
        channel_record.channel_id,
        register_number,
        valid.get().clone(),
    );
    let how = if config.async_mode(channel_record.channel_id) {
        // A sign-up staged already, sent again, is answered as before, with
        // nothing asked of HQ.
        if origin == Origin::OnlineStore && !staged_already(side.db, &create, NO_CUSTOMER).await? {
            if let Some(account) = sign_up_made_in_real_time(side, operation_id, &valid).await? {
                return Ok(CreatedCustomer {
                    full_name,
                    channel_name,
                    how: CreatedHow::InHq { account },
                });
            }
            refuse_sign_up_with_email_in_use(side, operation_id, &create).await?;
        }
        stage_once(side.db, create, NO_CUSTOMER).await?;
        CreatedHow::Staged {
            temporary_id: operation_id.to_string(),
        }
    } else if staged_already(side.db, &create, NO_CUSTOMER).await? {
        CreatedHow::Staged {
            temporary_id: operation_id.to_string(),
        }
    } else {
        let reason = match side
            .realtime
            .async_mode_evidence(channel_record.channel_id, &config)
            .await
        {
            Ok(evidence) => evidence.explain(),
            // The call then meets the same error and the create falls back.
            Err(RealtimeError::Unreachable) => {
                "Why the channel is in synchronous mode could not be read: HQ cannot be reached.".to_string()
            }
            Err(other) => return Err(other.into()),
        };
        let context = CallContext {
            channel_id: channel_record.channel_id,
            register_number,
            reason,
        };
        if register_is_offline(side.db, origin).await? {
            fall_back(side, &context, create, "the register is offline").await?
        } else {
            match side
                .realtime
                .create_customer(&context, operation_id, &valid)
                .await
            {
                Ok(account) => CreatedHow::InHq { account },
                Err(RealtimeError::Unreachable) => {
                    fall_back(side, &context, create, "HQ unreachable").await?
                }
                Err(other) => return Err(realtime_refusal(other)),
            }
        }
    };
    Ok(CreatedCustomer {
        full_name,
        channel_name,
        how,
    })
}

/// The account of a sign-up HQ made in real time whose answer was lost,
/// sent again after the online store switched to asynchronous mode: the
/// shopper's profile is that account at once, not a temporary id until the
/// sync. A register's create sent again is staged instead, as asynchronous
/// mode asks nothing of HQ there; the sync then settles it to the same
/// customer. A sign-up sent while HQ cannot be read is staged.
async fn sign_up_made_in_real_time(
    side: &ChannelSide<'_>,
    operation_id: &OperationId,
    customer: &ValidCustomer,
) -> Result<Option<String>, CustomerError> {
    match side.realtime.made_in_real_time(operation_id, customer).await {
        Ok(made) => Ok(made),
        Err(RealtimeError::OperationIdReused) => Err(CustomerError::OperationIdReused),
        Err(error) => {
            tracing::warn!(%error, "HQ could not say whether it made a sign-up in real time; it is staged");
            Ok(None)
        }
    }
}

/// A shopper's sign-up whose email HQ's batch would refuse is refused now,
/// beside the Email field, as in synchronous mode: a shopper cannot see the
/// status page, and their profile would wait there for an admin. While HQ
/// cannot be read, the sign-up is staged and the batch decides.
async fn refuse_sign_up_with_email_in_use(
    side: &ChannelSide<'_>,
    operation_id: &OperationId,
    create: &NewOperation,
) -> Result<(), CustomerError> {
    match side
        .realtime
        .email_in_use(&create.customer.email, operation_id)
        .await
    {
        Ok(false) => Ok(()),
        Ok(true) => Err(realtime_refusal(RealtimeError::EmailTaken)),
        Err(error) => {
            tracing::warn!(%error, "a sign-up's email could not be checked with HQ; the batch will check it");
            Ok(())
        }
    }
}

/// The customer a change names, by account and by the temporary id of its
/// create; neither for a create.
type CustomerKeys<'a> = (Option<&'a str>, Option<&'a str>);

const NO_CUSTOMER: CustomerKeys<'static> = (None, None);

/// Stages `operation` once: when its temporary id is staged already, by the
/// same operation sent again, that is its answer; under another operation,
/// it is refused and nothing is written.
async fn stage_once(
    db: &ChannelDb,
    operation: NewOperation,
    customer: CustomerKeys<'_>,
) -> Result<(), CustomerError> {
    let copy = operation.clone();
    match db.stage(operation).await {
        Err(ChannelDbError::AlreadyStaged(_)) => {
            if staged_already(db, &copy, customer).await? {
                Ok(())
            } else {
                Err(CustomerError::OperationIdReused)
            }
        }
        other => Ok(other?),
    }
}

/// Whether `operation` is staged already under its temporary id; refused
/// when another operation is staged under it.
async fn staged_already(
    db: &ChannelDb,
    operation: &NewOperation,
    customer: CustomerKeys<'_>,
) -> Result<bool, CustomerError> {
    match db.staged_operation(&operation.temporary_id).await? {
        None => Ok(false),
        Some(staged) if is_same_operation(&staged, operation, customer) => Ok(true),
        Some(_) => Err(CustomerError::OperationIdReused),
    }
}

/// The same operation sent again: the same kind, where, values and
/// customer. The customer is compared by either of its keys, since a change
/// staged while the customer was pending names it by temporary id, and a
/// retry after its sync finds it by account.
fn is_same_operation(staged: &StagedOperation, operation: &NewOperation, customer: CustomerKeys<'_>) -> bool {
    let (account, temporary_id) = customer;
    let same_customer = match (&staged.customer_account, &staged.customer_temporary_id) {
        (None, None) => account.is_none() && temporary_id.is_none(),
        (staged_account, staged_temporary_id) => {
            (staged_account.is_some() && staged_account.as_deref() == account)
                || (staged_temporary_id.is_some() && staged_temporary_id.as_deref() == temporary_id)
        }
    };
    staged.kind == operation.kind
        && staged.channel_id == operation.channel_id
        && staged.register_number == operation.register_number
        && staged.customer == operation.customer
        && same_customer
}

/// The automatic fallback: a create that needs HQ and cannot reach it is
/// staged asynchronously, so the customer is served at once.
async fn fall_back(
    side: &ChannelSide<'_>,
    context: &CallContext,
    create: NewOperation,
    why: &str,
) -> Result<CreatedHow, CustomerError> {
    let temporary_id = create.temporary_id.clone();
    stage_once(side.db, create, NO_CUSTOMER).await?;
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
        // Staged changes after the last one HQ settled are still on their
        // way, whenever job 1010 last ran.
        let applied = AppliedUpTo {
            settled_by_channel: record.settled_by_channel.as_deref(),
            temporary_id: record.last_async_operation_id.as_deref(),
            created_at: record.last_async_operation_at.as_deref().unwrap_or_default(),
        };
        let changes = channel
            .staged_changes(
                Some(&record.account),
                record.async_customer_id.as_deref(),
                &applied,
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
    let applied = AppliedUpTo {
        settled_by_channel: None,
        temporary_id: Some(&create.temporary_id),
        created_at: &create.created_at,
    };
    let changes = channel.staged_changes(None, Some(key), &applied).await?;
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
    operation_id: &OperationId,
    key: &str,
    draft: &CustomerDraft,
    started_from: Option<&CustomerDraft>,
) -> Result<ChangeOutcome, CustomerError> {
    let target = change_target(side.db, origin, key).await?;
    // The customer as the form opened on it (or, without it, as this
    // channel shows it now): the edit changes the fields that differ from
    // it, and HQ keeps its own values of the rest, which may be newer.
    let mut start = tidy_own_fields(started_from.unwrap_or(&target.customer.customer));
    fill_blanks(&mut start, &target.channel);
    let mut edited = match origin {
        Origin::OnlineStore => shopper_edit(&start, draft),
        Origin::Register { .. } => draft.own_fields(),
    };
    fill_blanks(&mut edited, &target.channel);
    let reference = reference_of(side.db, &target.channel).await?;
    let valid = validate_customer(&edited, &reference, origin == Origin::OnlineStore)
        .map_err(CustomerError::Invalid)?;
    let changed = ChangedFields::between(&start, valid.get());
    let config = side.config.get().await?;
    let change = NewOperation {
        changed_fields: changed,
        ..staged_change(&target, operation_id, OperationKind::Update, valid.get().clone())
    };
    if config.feature_enabled(Feature::AsyncEditing) {
        if origin == Origin::OnlineStore && changed.contains(CustomerField::Email) {
            refuse_shopper_edit_with_email_in_use(side, &target, &change).await?;
        }
        return stage_change(side.db, &target, change).await;
    }
    if let Some(outcome) = staged_instead(side.db, &target, change).await? {
        return Ok(outcome);
    }
    let (account, context) = realtime_target(side, origin, Feature::AsyncEditing, &config, target).await?;
    side.realtime
        .update_customer(&context, operation_id, &account, &valid, changed)
        .await
        .map_err(unreachable_as_refusal)?;
    Ok(ChangeOutcome::AppliedInHq { account })
}

/// A shopper's asynchronous edit to an email HQ's batch would refuse is
/// refused now, beside the Email field, as their sign-up is
/// (`refuse_sign_up_with_email_in_use`): otherwise the profile would show
/// the change as staged for good, its failure on a page only admins see.
/// The same edit sent again is answered as before; while HQ cannot be
/// read, the edit is staged and the batch decides.
async fn refuse_shopper_edit_with_email_in_use(
    side: &ChannelSide<'_>,
    target: &ChangeTarget,
    change: &NewOperation,
) -> Result<(), CustomerError> {
    if staged_already(side.db, change, target.customer_keys()).await? {
        return Ok(());
    }
    let (account, temporary_id) = target.customer_keys();
    match side
        .realtime
        .email_of_another_customer(&change.customer.email, account, temporary_id)
        .await
    {
        Ok(false) => Ok(()),
        Ok(true) => Err(realtime_refusal(RealtimeError::EmailTaken)),
        Err(error) => {
            tracing::warn!(%error, "a shopper's new email could not be checked with HQ; the batch will check it");
            Ok(())
        }
    }
}

/// Adds an address: staged when the channel copy has "Enable asynchronous
/// creation for customer addresses", otherwise a real-time call.
pub async fn add_address(
    side: &ChannelSide<'_>,
    origin: Origin,
    operation_id: &OperationId,
    key: &str,
    address: &AddressDraft,
) -> Result<ChangeOutcome, CustomerError> {
    let target = change_target(side.db, origin, key).await?;
    let valid = validate_address(address).map_err(CustomerError::Invalid)?;
    let config = side.config.get().await?;
    let customer = CustomerDraft {
        addresses: vec![valid.get().clone()],
        ..CustomerDraft::default()
    };
    let change = staged_change(&target, operation_id, OperationKind::AddAddress, customer);
    if config.feature_enabled(Feature::AsyncAddresses) {
        return stage_change(side.db, &target, change).await;
    }
    if let Some(outcome) = staged_instead(side.db, &target, change).await? {
        return Ok(outcome);
    }
    let (account, context) = realtime_target(side, origin, Feature::AsyncAddresses, &config, target).await?;
    side.realtime
        .add_address(&context, operation_id, &account, &valid)
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

impl ChangeTarget {
    fn customer_keys(&self) -> CustomerKeys<'_> {
        (
            self.customer.account.as_deref(),
            self.customer.temporary_id.as_deref(),
        )
    }
}

async fn change_target(db: &ChannelDb, origin: Origin, key: &str) -> Result<ChangeTarget, CustomerError> {
    let (channel, register_number) = channel_of_origin(db, origin).await?;
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
    let evidence = side
        .realtime
        .feature_evidence(feature, config)
        .await
        .map_err(unreachable_as_refusal)?;
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
        other => realtime_refusal(other),
    }
}

/// What HQ refused of a real-time call, as the form shows it: a taken
/// email beside the Email field.
fn realtime_refusal(error: RealtimeError) -> CustomerError {
    match error {
        RealtimeError::EmailTaken => {
            let mut fields = FieldErrors::default();
            fields.add("email", error.to_string());
            CustomerError::Invalid(fields)
        }
        other => CustomerError::Realtime(other),
    }
}

/// The customer as the channel should show it: `base` with the staged
/// updates and address additions applied in the order they were made.
pub fn apply_staged_changes(base: CustomerDraft, changes: &[StagedOperation]) -> CustomerDraft {
    changes.iter().fold(base, |mut customer, change| {
        match change.kind {
            OperationKind::Update => customer = change.changed_fields.apply(customer, &change.customer),
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

/// A change to stage for the target customer: by account once it is
/// synced, by the temporary id of its create while it is pending.
fn staged_change(
    target: &ChangeTarget,
    operation_id: &OperationId,
    kind: OperationKind,
    customer: CustomerDraft,
) -> NewOperation {
    let synced = target.customer.account.is_some();
    NewOperation {
        temporary_id: operation_id.to_string(),
        kind,
        channel_id: target.channel.channel_id,
        register_number: target.register_number,
        customer_account: target.customer.account.clone(),
        customer_temporary_id: target.customer.temporary_id.clone().filter(|_| !synced),
        customer,
        changed_fields: ChangedFields::ALL,
    }
}

async fn stage_change(
    db: &ChannelDb,
    target: &ChangeTarget,
    change: NewOperation,
) -> Result<ChangeOutcome, CustomerError> {
    let temporary_id = change.temporary_id.clone();
    stage_once(db, change, target.customer_keys()).await?;
    Ok(ChangeOutcome::Staged { temporary_id })
}

/// A change the feature would make in real time, staged instead: when it
/// was staged already (sent again after a fallback), or when the customer
/// has earlier changes still on their way to HQ, which would otherwise be
/// applied after it and undo it. None when it is to be made in real time.
async fn staged_instead(
    db: &ChannelDb,
    target: &ChangeTarget,
    change: NewOperation,
) -> Result<Option<ChangeOutcome>, CustomerError> {
    let temporary_id = change.temporary_id.clone();
    if staged_already(db, &change, target.customer_keys()).await? {
        return Ok(Some(ChangeOutcome::Staged { temporary_id }));
    }
    let earlier_changes = target.customer.pending_changes;
    if earlier_changes == 0 || target.customer.account.is_none() {
        return Ok(None);
    }
    stage_once(db, change, target.customer_keys()).await?;
    Ok(Some(ChangeOutcome::StagedBehind {
        temporary_id,
        earlier_changes,
    }))
}

/// The channel a register or the online store belongs to, when this
/// scale unit serves it.
pub async fn channel_of_origin(
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
            if let Some(record) = channel.channel_of_register(channel_id, register_number).await? {
                return Ok((record, Some(register_number)));
            }
            Err(match channel.served_elsewhere(channel_id).await? {
                Some((name, unit)) => not_served_here(channel, name, unit),
                None => unknown(),
            })
        }
        Origin::OnlineStore => {
            if let Some(record) = channel.online_channel().await? {
                return Ok((record, None));
            }
            Err(match channel.online_store_elsewhere().await? {
                Some(scale_unit) => CustomerError::ServedElsewhere {
                    channel: "The online store".to_string(),
                    scale_unit,
                },
                None => CustomerError::NoOnlineStore,
            })
        }
    }
}

/// The refusal of a channel this scale unit does not serve, naming the
/// unit that does when job 1070 has said which.
pub fn not_served_here(channel: &ChannelDb, name: String, unit: Option<String>) -> CustomerError {
    match unit {
        Some(scale_unit) => CustomerError::ServedElsewhere {
            channel: name,
            scale_unit,
        },
        None => CustomerError::NotServedHere {
            channel: name,
            here: channel.scale_unit().to_string(),
        },
    }
}

/// Blank choices take the channel's defaults.
fn fill_blanks(draft: &mut CustomerDraft, channel_record: &ChannelRecord) {
    if draft.customer_group.trim().is_empty() {
        draft.customer_group = channel_record.default_customer_group.clone();
    }
    if draft.language.trim().is_empty() {
        draft.language = "en-us".to_string();
    }
    if draft.currency.trim().is_empty() {
        draft.currency = "USD".to_string();
    }
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
            changed_fields: ChangedFields::ALL,
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
