//! The real-time service: the channel's one explicit call into HQ, used
//! when a change cannot or may not be staged. It takes HQ's latency, fails
//! with a communication error while HQ is marked unreachable, applies the
//! change in HQ at once and writes the customer back into the channel copy,
//! as the real service's answer would. Every call is logged with why it was
//! made and how it ended.

use std::time::{Duration, Instant};

use crate::domain::customer::{
    ChangedFields, CustomerDraft, CustomerField, ValidAddress, ValidCustomer, email_key,
};
use crate::domain::diagnosis::ModeEvidence;
use crate::domain::features::Feature;
use crate::domain::operation::OperationId;
use crate::services::channel_config::CachedConfig;
use crate::storage::channel_db::{CHANNEL_CONFIGURATION, ChannelDb, ChannelDbError, GLOBAL_CONFIGURATION};
use crate::storage::hq_db::{HqDb, HqDbError, NewRealtimeCall, RealtimeOperation, SyncTransaction};

#[derive(Debug, thiserror::Error)]
pub enum RealtimeError {
    #[error("HQ could not be reached (communication error).")]
    Unreachable,
    #[error("Customer {0} does not exist in HQ.")]
    UnknownCustomer(String),
    /// Said as a shopper may read it: not whose email it is.
    #[error("Another customer already has this email, and HQ requires unique emails.")]
    EmailTaken,
    #[error(
        "This change was made already with other values under the same operation id; nothing was changed."
    )]
    OperationIdReused,
    #[error("the request could not be recorded: {0}")]
    Encode(#[from] serde_json::Error),
    #[error(transparent)]
    Hq(HqDbError),
    #[error(transparent)]
    Channel(#[from] ChannelDbError),
}

/// HQ's database out of reach is a communication error, as the simulated
/// "Mark HQ unreachable" is: a create falls back to asynchronous mode and an
/// edit is refused with what was typed kept, not answered with a 500.
impl From<HqDbError> for RealtimeError {
    fn from(error: HqDbError) -> Self {
        if error.is_unreachable() {
            tracing::warn!(%error, "HQ's database cannot be reached: a communication error");
            RealtimeError::Unreachable
        } else {
            RealtimeError::Hq(error)
        }
    }
}

/// Who calls, and why the operation is not staged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallContext {
    pub channel_id: i64,
    pub register_number: Option<i64>,
    pub reason: String,
}

/// The "Create customer in async mode" option of a functionality profile.
pub const ASYNC_MODE_OPTION: &str = "Create customer in async mode";

#[derive(Debug, Clone)]
pub struct RealtimeService {
    hq: HqDb,
    channel: ChannelDb,
    latency: Duration,
    /// HQ's unique-email rule (`require_unique_email`), as the batch keeps it.
    unique_emails: bool,
}

impl RealtimeService {
    pub fn new(hq: HqDb, channel: ChannelDb, latency: Duration, unique_emails: bool) -> RealtimeService {
        RealtimeService {
            hq,
            channel,
            latency,
            unique_emails,
        }
    }

    /// Creates the customer in HQ and answers with its account; the same
    /// operation sent again answers with the same account.
    pub async fn create_customer(
        &self,
        context: &CallContext,
        operation_id: &OperationId,
        customer: &ValidCustomer,
    ) -> Result<String, RealtimeError> {
        let started = Instant::now();
        let result = self.create_in_hq(context, operation_id, customer).await;
        let subject = match &result {
            Ok(account) => account.clone(),
            Err(_) => customer.display_name(),
        };
        self.log(context, "Create customer", &subject, &result, started)
            .await;
        result
    }

    /// The account HQ made in real time for the create `operation_id`
    /// with these values, whose answer was lost; a refusal when the id was
    /// used for another request.
    pub async fn made_in_real_time(
        &self,
        operation_id: &OperationId,
        customer: &ValidCustomer,
    ) -> Result<Option<String>, RealtimeError> {
        if self.hq.realtime_unreachable().await? {
            return Err(RealtimeError::Unreachable);
        }
        let request = serde_json::to_string(customer.get())?;
        match self.hq.realtime_operation(operation_id.as_str()).await? {
            // Another kind of change under the id is another request.
            Some(made) if made.operation != "create" => Err(RealtimeError::OperationIdReused),
            made => made_under(made, &request),
        }
    }

    /// Whether HQ requires unique emails and `email` is taken for the create
    /// `operation_id`: by a customer, by a create waiting for the sync, or by
    /// a create this channel has not uploaded yet, other than that create
    /// (made in real time before, or uploaded). HQ's batch would refuse the
    /// create for it.
    pub async fn email_in_use(&self, email: &str, operation_id: &OperationId) -> Result<bool, RealtimeError> {
        let Some(key) = email_key(email).filter(|_| self.unique_emails) else {
            return Ok(false);
        };
        if self.channel.email_of_create_not_uploaded(&key, None).await? {
            return Ok(true);
        }
        if self.hq.realtime_unreachable().await? {
            return Err(RealtimeError::Unreachable);
        }
        Ok(self.hq.email_in_use(&key, operation_id.as_str()).await?)
    }

    /// Whether HQ requires unique emails and an edit of the customer
    /// (`account` once synced, or made by the create `temporary_id`) to
    /// `email` would be refused by HQ's batch: another customer, or a create
    /// waiting to be uploaded or synced, has it.
    pub async fn email_of_another_customer(
        &self,
        email: &str,
        account: Option<&str>,
        temporary_id: Option<&str>,
    ) -> Result<bool, RealtimeError> {
        let Some(key) = email_key(email).filter(|_| self.unique_emails) else {
            return Ok(false);
        };
        if self
            .channel
            .email_of_create_not_uploaded(&key, temporary_id)
            .await?
        {
            return Ok(true);
        }
        if self.hq.realtime_unreachable().await? {
            return Err(RealtimeError::Unreachable);
        }
        Ok(self
            .hq
            .email_of_another_customer(&key, account, temporary_id)
            .await?)
    }

    /// Writes the customer's fields `changed` in HQ, once per operation id.
    pub async fn update_customer(
        &self,
        context: &CallContext,
        operation_id: &OperationId,
        account: &str,
        customer: &ValidCustomer,
        changed: ChangedFields,
    ) -> Result<(), RealtimeError> {
        let started = Instant::now();
        let result = self.update_in_hq(operation_id, account, customer, changed).await;
        self.log(context, "Update customer", account, &result, started)
            .await;
        result
    }

    /// Adds an address to the customer in HQ, once per operation id.
    pub async fn add_address(
        &self,
        context: &CallContext,
        operation_id: &OperationId,
        account: &str,
        address: &ValidAddress,
    ) -> Result<(), RealtimeError> {
        let started = Instant::now();
        let result = self.add_address_in_hq(operation_id, account, address).await;
        self.log(context, "Add address", account, &result, started).await;
        result
    }

    /// Issues the customer a loyalty card in HQ, or answers the card it has.
    pub async fn issue_loyalty_card(
        &self,
        context: &CallContext,
        account: &str,
    ) -> Result<String, RealtimeError> {
        let started = Instant::now();
        let result = self.issue_card_in_hq(context, account).await;
        self.log(context, "Issue loyalty card", account, &result, started)
            .await;
        result
    }

    /// The customer's loyalty card number as HQ has it, if any.
    pub async fn loyalty_card(&self, account: &str) -> Result<Option<String>, RealtimeError> {
        Ok(self.hq.loyalty_card(account).await?)
    }

    async fn issue_card_in_hq(&self, context: &CallContext, account: &str) -> Result<String, RealtimeError> {
        self.reach_hq().await?;
        self.hq
            .issue_loyalty_card(account, context.channel_id)
            .await?
            .ok_or_else(|| RealtimeError::UnknownCustomer(account.to_string()))
    }

    /// Records a create that needed a real-time call, could not make it, and
    /// was staged asynchronously instead.
    pub async fn log_fallback(&self, context: &CallContext, temporary_id: &str, why: &str) {
        let logged = self
            .hq
            .log_realtime_call(NewRealtimeCall {
                channel_id: context.channel_id,
                register_number: context.register_number,
                operation: "Create customer",
                customer: temporary_id,
                reason: &context.reason,
                outcome: &format!("Staged asynchronously: {why}"),
                duration_ms: 0,
            })
            .await;
        if let Err(error) = logged {
            tracing::warn!(%error, "could not log a create that fell back to asynchronous mode");
        }
    }

    /// Why the channel is not in asynchronous mode for creates: HQ's
    /// profile, the channel copy (job 1070) and the configuration cache.
    pub async fn async_mode_evidence(
        &self,
        channel_id: i64,
        cached: &CachedConfig,
    ) -> Result<ModeEvidence, RealtimeError> {
        let in_hq = self
            .hq
            .channels()
            .await?
            .into_iter()
            .find(|c| c.channel_id == channel_id);
        let in_copy = self.channel.channel(channel_id).await?;
        let changed = self.hq.profile_changed_at(channel_id).await?;
        Ok(ModeEvidence {
            option: ASYNC_MODE_OPTION.to_string(),
            channel: in_hq.as_ref().map(|c| c.name.clone()),
            job: CHANNEL_CONFIGURATION.to_string(),
            on_in_hq: in_hq.is_some_and(|c| c.create_customer_async_mode),
            changed_in_hq_at: changed,
            on_in_channel_copy: in_copy.is_some_and(|c| c.create_customer_async_mode),
            job_last_ran_at: self.channel.downloaded_at(CHANNEL_CONFIGURATION).await?,
            on_in_cache: cached.async_mode(channel_id),
            cache_age_seconds: cached.age.as_secs(),
            cache_ttl_seconds: cached.ttl.as_secs(),
        })
    }

    /// Why a feature is not on for the channel: HQ Feature management, the
    /// channel copy (job 1110) and the configuration cache.
    pub async fn feature_evidence(
        &self,
        feature: Feature,
        cached: &CachedConfig,
    ) -> Result<ModeEvidence, RealtimeError> {
        let in_hq = self
            .hq
            .feature_rows()
            .await?
            .into_iter()
            .find(|f| f.name == feature.name());
        let copy = self.channel.configuration_copy().await?;
        Ok(ModeEvidence {
            option: format!("\"{}\"", feature.name()),
            channel: None,
            job: GLOBAL_CONFIGURATION.to_string(),
            on_in_hq: in_hq.as_ref().is_some_and(|f| f.enabled),
            changed_in_hq_at: in_hq.map(|f| f.changed_at),
            on_in_channel_copy: copy
                .features
                .iter()
                .any(|f| f.name == feature.name() && f.enabled),
            job_last_ran_at: copy.features_downloaded_at,
            on_in_cache: cached.feature_enabled(feature),
            cache_age_seconds: cached.age.as_secs(),
            cache_ttl_seconds: cached.ttl.as_secs(),
        })
    }

    async fn create_in_hq(
        &self,
        context: &CallContext,
        operation_id: &OperationId,
        customer: &ValidCustomer,
    ) -> Result<String, RealtimeError> {
        self.reach_hq().await?;
        let request = serde_json::to_string(customer.get())?;
        let mut tx = self.hq.begin_sync().await?;
        if let Some(account) = made_already(&mut tx, operation_id, &request).await? {
            return Ok(account);
        }
        self.refuse_taken_email(&mut tx, customer.get(), None).await?;
        let account = tx.next_customer_account().await?;
        tx.create_customer(&account, customer.get(), Some(context.channel_id), None)
            .await?;
        tx.record_realtime_operation(
            operation_id.as_str(),
            "create",
            &request,
            &account,
            ChangedFields::ALL,
        )
        .await?;
        tx.commit().await?;
        self.send_back(&account).await;
        Ok(account)
    }

    async fn update_in_hq(
        &self,
        operation_id: &OperationId,
        account: &str,
        customer: &ValidCustomer,
        changed: ChangedFields,
    ) -> Result<(), RealtimeError> {
        self.reach_hq().await?;
        let request = serde_json::to_string(&(account, customer.get()))?;
        let mut tx = self.hq.begin_sync().await?;
        if made_already(&mut tx, operation_id, &request).await?.is_some() {
            return Ok(());
        }
        if changed.contains(CustomerField::Email) {
            self.refuse_taken_email(&mut tx, customer.get(), Some(account))
                .await?;
        }
        if !tx.update_customer(account, customer.get(), changed).await? {
            return Err(RealtimeError::UnknownCustomer(account.to_string()));
        }
        tx.record_realtime_operation(operation_id.as_str(), "update", &request, account, changed)
            .await?;
        tx.commit().await?;
        self.send_back(account).await;
        Ok(())
    }

    async fn add_address_in_hq(
        &self,
        operation_id: &OperationId,
        account: &str,
        address: &ValidAddress,
    ) -> Result<(), RealtimeError> {
        self.reach_hq().await?;
        let request = serde_json::to_string(&(account, address.get()))?;
        let mut tx = self.hq.begin_sync().await?;
        if made_already(&mut tx, operation_id, &request).await?.is_some() {
            return Ok(());
        }
        if !tx.customer_exists(account).await? {
            return Err(RealtimeError::UnknownCustomer(account.to_string()));
        }
        tx.add_address(account, address.get()).await?;
        tx.record_realtime_operation(
            operation_id.as_str(),
            "add_address",
            &request,
            account,
            ChangedFields::ALL,
        )
        .await?;
        tx.commit().await?;
        self.send_back(account).await;
        Ok(())
    }

    /// Refuses `customer`'s email when HQ requires unique emails and a
    /// customer other than `own` has it.
    async fn refuse_taken_email(
        &self,
        tx: &mut SyncTransaction,
        customer: &CustomerDraft,
        own: Option<&str>,
    ) -> Result<(), RealtimeError> {
        let Some(key) = email_key(&customer.email).filter(|_| self.unique_emails) else {
            return Ok(());
        };
        match tx.account_with_email(&key, own).await? {
            Some(_) => Err(RealtimeError::EmailTaken),
            None => Ok(()),
        }
    }

    /// The network part of the call: HQ's latency, or a communication error
    /// while an admin has marked HQ unreachable.
    async fn reach_hq(&self) -> Result<(), RealtimeError> {
        tokio::time::sleep(self.latency).await;
        if self.hq.realtime_unreachable().await? {
            return Err(RealtimeError::Unreachable);
        }
        Ok(())
    }

    /// The service answers with the customer as HQ now has it; the channel
    /// keeps that in its copy. HQ has committed by then, so a failure here
    /// is logged and left to job 1010 to repair.
    async fn send_back(&self, account: &str) {
        let record = match self.hq.customer_record(account).await {
            Ok(Some(record)) => record,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(account, %error, "could not read back a customer after a real-time call");
                return;
            }
        };
        if let Err(error) = self.channel.save_customers(&[record]).await {
            tracing::warn!(account, %error, "could not copy a customer back after a real-time call");
        }
    }

    /// Logs a call; a log that cannot be written is reported in the server
    /// log, and does not undo the call it describes.
    async fn log<T>(
        &self,
        context: &CallContext,
        operation: &str,
        customer: &str,
        result: &Result<T, RealtimeError>,
        started: Instant,
    ) {
        let outcome = match result {
            // A request refused for reusing an operation id changed nothing,
            // and its refusal writes nothing either.
            Err(RealtimeError::OperationIdReused) => return,
            Ok(_) => "Succeeded".to_string(),
            Err(
                error @ (RealtimeError::Unreachable
                | RealtimeError::UnknownCustomer(_)
                | RealtimeError::EmailTaken),
            ) => format!("Failed: {error}"),
            Err(_) => "Failed: internal error (see the server log)".to_string(),
        };
        let logged = self
            .hq
            .log_realtime_call(NewRealtimeCall {
                channel_id: context.channel_id,
                register_number: context.register_number,
                operation,
                customer,
                reason: &context.reason,
                outcome: &outcome,
                duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            })
            .await;
        if let Err(error) = logged {
            tracing::warn!(%error, "could not log a real-time service call");
        }
    }
}

/// The account of the change made under `operation_id` when it is the same
/// request sent again; a refusal when the id was used for another request.
async fn made_already(
    tx: &mut SyncTransaction,
    operation_id: &OperationId,
    request: &str,
) -> Result<Option<String>, RealtimeError> {
    made_under(tx.realtime_operation(operation_id.as_str()).await?, request)
}

/// The account of `made`, the change HQ made under an operation id, when
/// it was `request`; a refusal when it was another request.
fn made_under(made: Option<RealtimeOperation>, request: &str) -> Result<Option<String>, RealtimeError> {
    match made {
        None => Ok(None),
        Some(made) if made.request == request => Ok(Some(made.account)),
        Some(_) => Err(RealtimeError::OperationIdReused),
    }
}
