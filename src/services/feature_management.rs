//! Changing a feature in HQ Feature management: the prerequisite rules
//! checked against the states in the same transaction that writes the change.

use crate::domain::features::{Feature, FeatureRefusal, FeatureStates, check_change};
use crate::storage::hq_db::{HqDb, HqDbError};

#[derive(Debug, thiserror::Error)]
pub enum FeatureChangeError {
    #[error(transparent)]
    Refused(#[from] FeatureRefusal),
    #[error(transparent)]
    Hq(#[from] HqDbError),
}

/// Enables or disables a feature; answers whether its state changed.
pub async fn change_feature(
    hq: &HqDb,
    feature: Feature,
    enable: bool,
    changed_by: &str,
) -> Result<bool, FeatureChangeError> {
    let outcome = hq
        .change_feature(feature.name(), enable, changed_by, |states| {
            let states = FeatureStates(
                states
                    .iter()
                    .filter_map(|(name, enabled)| Feature::from_name(name).map(|f| (f, *enabled)))
                    .collect(),
            );
            check_change(&states, feature, enable)
        })
        .await?;
    Ok(outcome?)
}
