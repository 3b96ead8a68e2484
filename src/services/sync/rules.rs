//! HQ's rules for one uploaded operation, checked before it is applied.

use std::collections::{HashMap, HashSet};

use crate::domain::customer::{CustomerField, email_key, is_country};
use crate::domain::records::{OperationKind, StagedOperation};
use crate::storage::hq_db::RealtimeOperation;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncFailure {
    #[error(
        "Customer group '{0}' does not exist in HQ. Choose an existing customer group and synchronize again."
    )]
    UnknownCustomerGroup(String),
    #[error("Country/region '{0}' does not exist in HQ. Correct the address and synchronize again.")]
    UnknownCountry(String),
    #[error("Customer {0} does not exist in HQ.")]
    UnknownCustomer(String),
    #[error("No create with temporary id {0} was uploaded to HQ, so the customer to change is unknown.")]
    UnknownTemporaryId(String),
    #[error("The operation names no customer to change.")]
    NoCustomer,
    #[error("An address addition must carry exactly one address.")]
    AddressCount,
    #[error(
        "Customer {account} already has the email {email}, and HQ requires unique emails. Change the email and synchronize again."
    )]
    EmailTaken { email: String, account: String },
    #[error(
        "Customer {account} was changed in real time at {edited_at}, after this update was made at {made_at}, \
         changing fields this one changes too, so it was not applied over the newer values. Make the change again \
         on the customer if it is still wanted."
    )]
    ChangedInRealtime {
        account: String,
        edited_at: String,
        made_at: String,
    },
    #[error(
        "Customer {account} was changed by an update made at {updated_at}, after this update was made at \
         {made_at}, and synced before it, changing fields this one changes too, so it was not applied over the \
         newer values. Make the change again on the customer if it is still wanted."
    )]
    UpdatedLater {
        account: String,
        updated_at: String,
        made_at: String,
    },
    #[error(
        "Operation id {operation_id} was already used for another change HQ made in real time ({made}), so this \
         one was not applied. Make the change again on the customer if it is still wanted."
    )]
    OperationIdReused { operation_id: String, made: String },
}

impl SyncFailure {
    /// Whether no correction of the operation's fields can mend it: it was
    /// made older than a change HQ applied since, names no customer HQ has,
    /// reuses an id, or is malformed. The customer's later changes do not
    /// wait for such a one.
    pub fn is_final(&self) -> bool {
        match self {
            SyncFailure::UnknownCustomerGroup(_)
            | SyncFailure::UnknownCountry(_)
            | SyncFailure::EmailTaken { .. } => false,
            SyncFailure::UnknownCustomer(_)
            | SyncFailure::UnknownTemporaryId(_)
            | SyncFailure::NoCustomer
            | SyncFailure::AddressCount
            | SyncFailure::ChangedInRealtime { .. }
            | SyncFailure::UpdatedLater { .. }
            | SyncFailure::OperationIdReused { .. } => true,
        }
    }

    /// The customer a change refused for good would have changed, where
    /// HQ has it: the change is settled for it.
    pub fn refused_for(&self) -> Option<&str> {
        match self {
            SyncFailure::ChangedInRealtime { account, .. } | SyncFailure::UpdatedLater { account, .. } => {
                Some(account)
            }
            _ => None,
        }
    }
}

pub fn check_operation(op: &StagedOperation, customer_groups: &HashSet<String>) -> Result<(), SyncFailure> {
    if op.kind != OperationKind::AddAddress
        && op.changed_fields.contains(CustomerField::CustomerGroup)
        && !customer_groups.contains(&op.customer.customer_group)
    {
        return Err(SyncFailure::UnknownCustomerGroup(
            op.customer.customer_group.clone(),
        ));
    }
    if op.kind == OperationKind::AddAddress && op.customer.addresses.len() != 1 {
        return Err(SyncFailure::AddressCount);
    }
    if let Some(address) = op
        .customer
        .addresses
        .iter()
        .find(|address| !is_country(&address.country_region))
    {
        return Err(SyncFailure::UnknownCountry(address.country_region.clone()));
    }
    Ok(())
}

/// What "Synchronize customers and channel requests" does with one create
/// of a run of creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateDecision {
    Create,
    Fail(SyncFailure),
    /// An earlier create of the same run, the `earlier`-th, takes this email.
    EmailOfEarlierCreate {
        email: String,
        earlier: usize,
    },
}

/// Decides a run of creates in order: HQ's rules, then, when emails must
/// be unique, whether a customer in HQ (`email_holders`, by `email_key`) or
/// an earlier create of the run has the email.
pub fn decide_creates(
    creates: &[&StagedOperation],
    customer_groups: &HashSet<String>,
    email_holders: &HashMap<String, String>,
    unique_emails: bool,
) -> Vec<CreateDecision> {
    let mut claimed: HashMap<String, usize> = HashMap::new();
    creates
        .iter()
        .enumerate()
        .map(|(index, op)| {
            if let Err(failure) = check_operation(op, customer_groups) {
                return CreateDecision::Fail(failure);
            }
            let Some(key) = email_key(&op.customer.email).filter(|_| unique_emails) else {
                return CreateDecision::Create;
            };
            let email = op.customer.email.trim().to_string();
            if let Some(account) = email_holders.get(&key) {
                return CreateDecision::Fail(SyncFailure::EmailTaken {
                    email,
                    account: account.clone(),
                });
            }
            if let Some(&earlier) = claimed.get(&key) {
                return CreateDecision::EmailOfEarlierCreate { email, earlier };
            }
            claimed.insert(key, index);
            CreateDecision::Create
        })
        .collect()
}

/// A run of creates settled: (operation id, new account) for the customers
/// to create, (operation id, error) for the failures.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SettledCreates {
    pub created: Vec<(i64, String)>,
    pub failed: Vec<(i64, String)>,
}

/// Gives each create decided `Create` the next of `accounts` (reserved, one
/// per such create) and each failure its message.
pub fn settle_creates(
    creates: &[&StagedOperation],
    decisions: Vec<CreateDecision>,
    accounts: &[String],
) -> SettledCreates {
    let mut settled = SettledCreates::default();
    let mut account_of_create: Vec<Option<&String>> = vec![None; creates.len()];
    let mut accounts = accounts.iter();
    for (index, (op, decision)) in creates.iter().zip(decisions).enumerate() {
        match decision {
            CreateDecision::Create => {
                account_of_create[index] = accounts.next();
                match account_of_create[index] {
                    Some(account) => settled.created.push((op.id, account.clone())),
                    None => settled.failed.push((op.id, NO_ACCOUNT_LEFT.to_string())),
                }
            }
            CreateDecision::Fail(failure) => settled.failed.push((op.id, failure.to_string())),
            CreateDecision::EmailOfEarlierCreate { email, earlier } => {
                let account = account_of_create[earlier].cloned().unwrap_or_default();
                settled
                    .failed
                    .push((op.id, SyncFailure::EmailTaken { email, account }.to_string()));
            }
        }
    }
    settled
}

/// Never expected: fewer accounts reserved than creates; the create fails
/// readably and is retried by the next run rather than dropped.
const NO_ACCOUNT_LEFT: &str =
    "No customer account number was reserved for this create; it is retried by the next run.";

/// The account a staged change is synced to when HQ already carried it out
/// in real time under the same operation id (`made`): a register whose
/// real-time change lost its answer sends it again, and the store stages it
/// then (the feature turned on meanwhile, or an earlier change of the
/// customer still on its way). Made again, it would add the address twice,
/// or put an edit over a newer one. A failure when the id was used for
/// another kind of change.
pub fn made_in_realtime(op: &StagedOperation, made: &RealtimeOperation) -> Result<String, SyncFailure> {
    if made.operation == op.kind.code() {
        return Ok(made.account.clone());
    }
    Err(SyncFailure::OperationIdReused {
        operation_id: op.temporary_id.clone(),
        made: OperationKind::from_code(&made.operation)
            .map_or_else(|| made.operation.clone(), |kind| kind.caption().to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer::{AddressDraft, ChangedFields, CustomerDraft};

    #[test]
    fn only_failures_an_admin_can_correct_hold_the_customers_later_changes() {
        let correctable = [
            SyncFailure::UnknownCustomerGroup("99".into()),
            SyncFailure::UnknownCountry("XYZ".into()),
            SyncFailure::EmailTaken {
                email: "a@example.com".into(),
                account: "C000001".into(),
            },
        ];
        assert!(correctable.iter().all(|failure| !failure.is_final()));
        let older = SyncFailure::UpdatedLater {
            account: "C000001".into(),
            updated_at: "2026-12-05T10:00:01.000Z".into(),
            made_at: "2026-12-05T10:00:00.000Z".into(),
        };
        assert!(older.is_final());
        assert_eq!(older.refused_for(), Some("C000001"));
        assert!(SyncFailure::UnknownCustomer("C999999".into()).is_final());
        assert_eq!(SyncFailure::UnknownCustomer("C999999".into()).refused_for(), None);
    }

    fn operation(kind: OperationKind, group: &str, countries: &[&str]) -> StagedOperation {
        StagedOperation {
            id: 1,
            temporary_id: "t".into(),
            kind,
            channel_id: 1,
            register_number: Some(1),
            customer_account: None,
            customer_temporary_id: None,
            customer: CustomerDraft {
                customer_group: group.into(),
                addresses: countries
                    .iter()
                    .map(|country| AddressDraft {
                        country_region: country.to_string(),
                        ..AddressDraft::default()
                    })
                    .collect(),
                ..CustomerDraft::default()
            },
            changed_fields: ChangedFields::ALL,
            created_at: String::new(),
        }
    }

    #[test]
    fn a_change_made_in_real_time_under_its_id_is_synced_to_that_customer_and_another_kind_fails() {
        let made = |operation: &str| RealtimeOperation {
            operation: operation.into(),
            request: "{}".into(),
            account: "C000001".into(),
        };
        let address = operation(OperationKind::AddAddress, "30", &["USA"]);
        assert_eq!(
            made_in_realtime(&address, &made("add_address")),
            Ok("C000001".into())
        );
        let failure = made_in_realtime(&address, &made("update")).unwrap_err();
        assert_eq!(
            failure.to_string(),
            "Operation id t was already used for another change HQ made in real time (Update customer), so this \
             one was not applied. Make the change again on the customer if it is still wanted."
        );
    }

    fn groups() -> HashSet<String> {
        ["30".to_string()].into_iter().collect()
    }

    #[test]
    fn a_create_in_a_known_group_with_known_countries_passes() {
        let op = operation(OperationKind::Create, "30", &["USA", "CAN"]);
        assert_eq!(check_operation(&op, &groups()), Ok(()));
    }

    #[test]
    fn an_unknown_customer_group_is_named_in_the_failure() {
        let failure = check_operation(&operation(OperationKind::Update, "99", &[]), &groups()).unwrap_err();
        assert_eq!(failure, SyncFailure::UnknownCustomerGroup("99".into()));
        assert!(failure.to_string().contains("'99'"));
    }

    #[test]
    fn an_update_that_leaves_the_customer_group_alone_is_not_checked_against_it() {
        let mut phone_only = operation(OperationKind::Update, "99", &[]);
        phone_only.changed_fields = ChangedFields::between(
            &CustomerDraft::default(),
            &CustomerDraft {
                phone: "+1 713 555 0133".into(),
                ..CustomerDraft::default()
            },
        );
        assert_eq!(check_operation(&phone_only, &groups()), Ok(()));
    }

    #[test]
    fn an_unknown_country_is_named_in_the_failure() {
        let op = operation(OperationKind::Create, "30", &["USA", "XYZ"]);
        assert_eq!(
            check_operation(&op, &groups()),
            Err(SyncFailure::UnknownCountry("XYZ".into()))
        );
    }

    #[test]
    fn an_address_addition_carries_one_address_and_no_group() {
        assert_eq!(
            check_operation(&operation(OperationKind::AddAddress, "", &["USA"]), &groups()),
            Ok(())
        );
        assert_eq!(
            check_operation(&operation(OperationKind::AddAddress, "", &[]), &groups()),
            Err(SyncFailure::AddressCount)
        );
    }

    fn create(id: i64, group: &str, email: &str) -> StagedOperation {
        let mut op = operation(OperationKind::Create, group, &["USA"]);
        op.id = id;
        op.customer.email = email.into();
        op
    }

    #[test]
    fn a_run_of_creates_fails_an_email_held_in_hq_or_by_an_earlier_create() {
        let ops = [
            create(1, "30", "Ana@Example.com"),
            create(2, "30", " ana@example.com "),
            create(3, "30", "held@example.com"),
            create(4, "99", "new@example.com"),
            create(5, "30", ""),
            create(6, "30", ""),
        ];
        let creates: Vec<&StagedOperation> = ops.iter().collect();
        let holders = [("held@example.com".to_string(), "C000007".to_string())].into();
        let decisions = decide_creates(&creates, &groups(), &holders, true);
        assert_eq!(
            decisions,
            vec![
                CreateDecision::Create,
                CreateDecision::EmailOfEarlierCreate {
                    email: "ana@example.com".into(),
                    earlier: 0
                },
                CreateDecision::Fail(SyncFailure::EmailTaken {
                    email: "held@example.com".into(),
                    account: "C000007".into()
                }),
                CreateDecision::Fail(SyncFailure::UnknownCustomerGroup("99".into())),
                CreateDecision::Create,
                CreateDecision::Create,
            ]
        );
        let accounts = ["C000020".to_string(), "C000021".into(), "C000022".into()];
        let settled = settle_creates(&creates, decisions, &accounts);
        assert_eq!(
            settled.created,
            vec![
                (1, "C000020".into()),
                (5, "C000021".into()),
                (6, "C000022".into())
            ]
        );
        let failed: Vec<i64> = settled.failed.iter().map(|(id, _)| *id).collect();
        assert_eq!(failed, vec![2, 3, 4]);
        assert!(
            settled.failed[0]
                .1
                .contains("Customer C000020 already has the email ana@example.com")
        );
    }

    #[test]
    fn emails_may_repeat_when_hq_does_not_ask_for_unique_ones() {
        let ops = [create(1, "30", "a@example.com"), create(2, "30", "a@example.com")];
        let creates: Vec<&StagedOperation> = ops.iter().collect();
        let holders = [("a@example.com".to_string(), "C000001".to_string())].into();
        assert_eq!(
            decide_creates(&creates, &groups(), &holders, false),
            vec![CreateDecision::Create, CreateDecision::Create]
        );
    }
}
