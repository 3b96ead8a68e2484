//! HQ's rules for one uploaded operation, checked before it is applied.

use std::collections::HashSet;

use crate::customer::COUNTRIES;
use crate::records::{OperationKind, StagedOperation};

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
}

pub fn check_operation(op: &StagedOperation, customer_groups: &HashSet<String>) -> Result<(), SyncFailure> {
    if op.kind != OperationKind::AddAddress && !customer_groups.contains(&op.customer.customer_group) {
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
        .find(|address| !COUNTRIES.iter().any(|(code, _)| *code == address.country_region))
    {
        return Err(SyncFailure::UnknownCountry(address.country_region.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::{AddressDraft, CustomerDraft};

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
            created_at: String::new(),
        }
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
}
