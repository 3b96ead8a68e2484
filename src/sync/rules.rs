//! HQ's rules for one uploaded operation, checked before it is applied.

use std::collections::HashSet;

use crate::hq_db::UploadedOperation;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncFailure {
    #[error(
        "Customer group '{0}' does not exist in HQ. Choose an existing customer group and synchronize again."
    )]
    UnknownCustomerGroup(String),
    #[error("Operation '{0}' cannot be synchronized: HQ only knows 'create' and 'update'.")]
    UnknownOperation(String),
    #[error("Updating customers in asynchronous mode is not available yet.")]
    UpdateNotAvailable,
}

pub fn check_operation(op: &UploadedOperation, customer_groups: &HashSet<String>) -> Result<(), SyncFailure> {
    match op.operation.as_str() {
        "create" => {}
        "update" => return Err(SyncFailure::UpdateNotAvailable),
        other => return Err(SyncFailure::UnknownOperation(other.to_string())),
    }
    if !customer_groups.contains(&op.customer_group) {
        return Err(SyncFailure::UnknownCustomerGroup(op.customer_group.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(group: &str) -> UploadedOperation {
        UploadedOperation {
            id: 1,
            temporary_id: "t".into(),
            operation: "create".into(),
            channel_id: 1,
            first_name: "Ana".into(),
            last_name: "Silva".into(),
            email: None,
            customer_group: group.into(),
            retry_count: 0,
        }
    }

    fn groups() -> HashSet<String> {
        ["30".to_string()].into_iter().collect()
    }

    #[test]
    fn a_create_in_a_known_group_passes() {
        assert_eq!(check_operation(&create("30"), &groups()), Ok(()));
    }

    #[test]
    fn an_unknown_customer_group_is_named_in_the_failure() {
        let failure = check_operation(&create("99"), &groups()).unwrap_err();
        assert_eq!(failure, SyncFailure::UnknownCustomerGroup("99".into()));
        assert!(failure.to_string().contains("'99'"));
    }

    #[test]
    fn unknown_operations_fail() {
        let mut op = create("30");
        op.operation = "delete".into();
        assert_eq!(
            check_operation(&op, &groups()),
            Err(SyncFailure::UnknownOperation("delete".into()))
        );
    }
}
