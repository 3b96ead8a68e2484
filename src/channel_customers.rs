//! Creating a customer on the channel side in asynchronous mode: validate the
//! draft, resolve where it was made, stage it, answer with its temporary id.

use crate::channel_db::{ChannelDb, ChannelDbError, NewStagedCreate};
use crate::customer::{CustomerDraft, EmailRule, StagedCustomer, validate};
use crate::error::FieldErrors;

/// Where the customer is created: a register of a store, or the online store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Register { channel_id: i64, register_number: i64 },
    OnlineStore,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("the customer draft is not valid")]
    Invalid(FieldErrors),
    #[error("Register {register_number} of store {channel_id} is not known to this channel database.")]
    UnknownRegister { channel_id: i64, register_number: i64 },
    #[error("No online store channel has been downloaded to this channel database yet (run job 1070).")]
    NoOnlineStore,
    #[error(transparent)]
    Storage(#[from] ChannelDbError),
}

pub async fn create_customer(
    channel: &ChannelDb,
    origin: Origin,
    draft: &CustomerDraft,
) -> Result<StagedCustomer, CreateError> {
    let (channel_record, register_number, email_rule) = match origin {
        Origin::Register {
            channel_id,
            register_number,
        } => {
            let unknown = CreateError::UnknownRegister {
                channel_id,
                register_number,
            };
            if !channel.register_exists(channel_id, register_number).await? {
                return Err(unknown);
            }
            let record = channel.channel(channel_id).await?.ok_or(unknown)?;
            (record, Some(register_number), EmailRule::Optional)
        }
        Origin::OnlineStore => {
            let record = channel
                .online_channel()
                .await?
                .ok_or(CreateError::NoOnlineStore)?;
            (record, None, EmailRule::Required)
        }
    };
    let valid = validate(draft, email_rule).map_err(CreateError::Invalid)?;
    let temporary_id = uuid::Uuid::new_v4().to_string();
    channel
        .stage_create(NewStagedCreate {
            temporary_id: temporary_id.clone(),
            channel_id: channel_record.channel_id,
            register_number,
            first_name: valid.first_name.clone(),
            last_name: valid.last_name.clone(),
            email: valid.email.clone(),
            customer_group: channel_record.default_customer_group,
        })
        .await?;
    Ok(StagedCustomer {
        temporary_id,
        full_name: valid.full_name(),
        channel_name: channel_record.name,
    })
}

impl From<CreateError> for crate::error::AppError {
    fn from(error: CreateError) -> Self {
        use crate::error::AppError;
        match error {
            CreateError::Invalid(fields) => AppError::Invalid(fields),
            CreateError::UnknownRegister { .. } | CreateError::NoOnlineStore => {
                AppError::Refused(error.to_string())
            }
            CreateError::Storage(storage) => crate::respond::internal(storage),
        }
    }
}
