//! The four features of HQ Feature management that shape asynchronous
//! customer mode, and the prerequisites between them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Feature {
    PerformanceImprovements,
    EnhancedAsyncCreation,
    AsyncAddresses,
    AsyncEditing,
}

impl Feature {
    pub const ALL: [Feature; 4] = [
        Feature::PerformanceImprovements,
        Feature::EnhancedAsyncCreation,
        Feature::AsyncAddresses,
        Feature::AsyncEditing,
    ];

    /// The name HQ and the channel copy store, as Feature management shows it.
    pub fn name(self) -> &'static str {
        match self {
            Feature::PerformanceImprovements => {
                "Performance improvements for customer orders and customer transactions"
            }
            Feature::EnhancedAsyncCreation => "Enable enhanced asynchronous customer creation",
            Feature::AsyncAddresses => "Enable asynchronous creation for customer addresses",
            Feature::AsyncEditing => "Enable editing customers in asynchronous mode",
        }
    }

    /// The features that must be enabled before this one.
    pub fn prerequisites(self) -> &'static [Feature] {
        match self {
            Feature::AsyncEditing => &[
                Feature::PerformanceImprovements,
                Feature::EnhancedAsyncCreation,
                Feature::AsyncAddresses,
            ],
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_editing_has_prerequisites_and_they_are_the_other_three() {
        assert_eq!(Feature::AsyncEditing.prerequisites().len(), 3);
        for feature in Feature::ALL {
            assert!(!feature.prerequisites().contains(&feature));
            if feature != Feature::AsyncEditing {
                assert!(feature.prerequisites().is_empty());
            }
        }
    }
}
