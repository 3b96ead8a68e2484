//! The rows that travel between the channel database and HQ, as the CDX
//! jobs carry them. Plain data: the storage modules read and write them,
//! `cdx` moves them.

use serde::{Deserialize, Serialize};

use crate::domain::customer::{ChangedFields, CustomerDraft};

/// What an asynchronous operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OperationKind {
    Create,
    Update,
    AddAddress,
}

impl OperationKind {
    /// The value of the `operation` column.
    pub fn code(self) -> &'static str {
        match self {
            OperationKind::Create => "create",
            OperationKind::Update => "update",
            OperationKind::AddAddress => "add_address",
        }
    }

    pub fn from_code(code: &str) -> Option<OperationKind> {
        [
            OperationKind::Create,
            OperationKind::Update,
            OperationKind::AddAddress,
        ]
        .into_iter()
        .find(|kind| kind.code() == code)
    }

    /// As the Customer synchronization status page names it.
    pub fn caption(self) -> &'static str {
        match self {
            OperationKind::Create => "Create customer",
            OperationKind::Update => "Update customer",
            OperationKind::AddAddress => "Add address",
        }
    }
}

/// One staged asynchronous customer operation with all its rows: the header
/// of RETAILASYNCCUSTOMERV2 and its addresses, contacts, affiliations and
/// attributes. An update carries the customer's new header fields; an
/// address addition carries its one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StagedOperation {
    /// The row id in the database it was read from; orders the operations.
    pub id: i64,
    pub temporary_id: String,
    pub kind: OperationKind,
    pub channel_id: i64,
    pub register_number: Option<i64>,
    /// The customer an update or address addition changes, once it has an account.
    pub customer_account: Option<String>,
    /// The customer an update or address addition changes, while its create
    /// is still pending sync.
    pub customer_temporary_id: Option<String>,
    pub customer: CustomerDraft,
    /// The fields of `customer` an update changes.
    pub changed_fields: ChangedFields,
    pub created_at: String,
}

/// A feature's state, as job 1110 copies it to the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct FeatureRecord {
    pub name: String,
    pub enabled: bool,
}

/// A channel and its functionality profile, as job 1070 copies it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ChannelRecord {
    pub channel_id: i64,
    pub name: String,
    pub kind: String,
    pub default_customer_group: String,
    pub create_customer_async_mode: bool,
    /// The scale unit that serves it, as HQ assigns it.
    pub scale_unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RegisterRecord {
    pub channel_id: i64,
    pub register_number: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CustomerGroupRecord {
    pub group_id: String,
    pub description: String,
}

/// An HQ customer with its addresses, as job 1010 copies it to the channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub account: String,
    pub async_customer_id: Option<String>,
    /// When the newest asynchronous operation HQ applied to it was made.
    pub last_async_operation_at: Option<String>,
    /// The temporary id of that operation.
    pub last_async_operation_id: Option<String>,
    /// For each channel, the newest of its staged changes of the customer
    /// HQ has settled: `{"<channel id>": "<temporary id>"}`. None in a
    /// copy job 1010 wrote before HQ sent it.
    pub settled_by_channel: Option<String>,
    /// HQ's version of the customer when it was read: a copy of it is never
    /// replaced by an older one.
    pub row_version: i64,
    pub customer: CustomerDraft,
}

#[cfg(test)]
mod tests {
    use super::OperationKind;

    #[test]
    fn operation_kinds_round_trip_through_their_codes() {
        for kind in [
            OperationKind::Create,
            OperationKind::Update,
            OperationKind::AddAddress,
        ] {
            assert_eq!(OperationKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(OperationKind::from_code("delete"), None);
    }
}
