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
    pub fn from_name(name: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.name() == name)
    }

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

/// Which features are enabled, as HQ (or a channel copy) holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureStates(pub Vec<(Feature, bool)>);

impl FeatureStates {
    pub fn is_enabled(&self, feature: Feature) -> bool {
        self.0.iter().any(|(f, enabled)| *f == feature && *enabled)
    }

    /// The prerequisites of `feature` that are not enabled.
    pub fn missing_prerequisites(&self, feature: Feature) -> Vec<Feature> {
        feature
            .prerequisites()
            .iter()
            .copied()
            .filter(|p| !self.is_enabled(*p))
            .collect()
    }

    /// The enabled features that need `feature`.
    pub fn enabled_dependents(&self, feature: Feature) -> Vec<Feature> {
        Feature::ALL
            .into_iter()
            .filter(|f| self.is_enabled(*f) && f.prerequisites().contains(&feature))
            .collect()
    }
}

/// Why Feature management refuses a change; the message names every
/// feature in the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum FeatureRefusal {
    #[error("\"{}\" cannot be enabled until its prerequisites are enabled: {}.", .feature.name(), quoted(.missing))]
    MissingPrerequisites { feature: Feature, missing: Vec<Feature> },
    #[error("\"{}\" cannot be disabled while these enabled features need it: {}. Disable them first.", .feature.name(), quoted(.dependents))]
    NeededBy {
        feature: Feature,
        dependents: Vec<Feature>,
    },
}

fn quoted(features: &[Feature]) -> String {
    features
        .iter()
        .map(|f| format!("\"{}\"", f.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks a change of one feature's state against the prerequisites.
pub fn check_change(states: &FeatureStates, feature: Feature, enable: bool) -> Result<(), FeatureRefusal> {
    if enable {
        let missing = states.missing_prerequisites(feature);
        if !missing.is_empty() {
            return Err(FeatureRefusal::MissingPrerequisites { feature, missing });
        }
    } else {
        let dependents = states.enabled_dependents(feature);
        if !dependents.is_empty() {
            return Err(FeatureRefusal::NeededBy { feature, dependents });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every combination of the four features' states.
    fn all_states() -> Vec<FeatureStates> {
        (0..16u8)
            .map(|bits| {
                FeatureStates(
                    Feature::ALL
                        .iter()
                        .enumerate()
                        .map(|(i, f)| (*f, bits & (1 << i) != 0))
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn enabling_is_refused_exactly_when_a_prerequisite_is_off_and_names_each() {
        for states in all_states() {
            for feature in Feature::ALL {
                let off: Vec<Feature> = feature
                    .prerequisites()
                    .iter()
                    .copied()
                    .filter(|p| !states.is_enabled(*p))
                    .collect();
                match check_change(&states, feature, true) {
                    Ok(()) => assert!(off.is_empty(), "{states:?} {feature:?}"),
                    Err(refusal) => {
                        assert_eq!(
                            refusal,
                            FeatureRefusal::MissingPrerequisites {
                                feature,
                                missing: off.clone()
                            }
                        );
                        for missing in off {
                            assert!(refusal.to_string().contains(missing.name()));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn disabling_is_refused_exactly_when_an_enabled_feature_needs_it() {
        for states in all_states() {
            for feature in Feature::ALL {
                let needed = states.is_enabled(Feature::AsyncEditing)
                    && Feature::AsyncEditing.prerequisites().contains(&feature);
                let result = check_change(&states, feature, false);
                assert_eq!(result.is_err(), needed, "{states:?} {feature:?}");
                if let Err(refusal) = result {
                    assert!(
                        refusal
                            .to_string()
                            .contains("Enable editing customers in asynchronous mode")
                    );
                }
            }
        }
    }

    #[test]
    fn the_refusal_reads_as_a_sentence() {
        let states = FeatureStates(vec![(Feature::PerformanceImprovements, true)]);
        let refusal = check_change(&states, Feature::AsyncEditing, true).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "\"Enable editing customers in asynchronous mode\" cannot be enabled until its prerequisites are enabled: \
             \"Enable enhanced asynchronous customer creation\", \"Enable asynchronous creation for customer addresses\"."
        );
    }

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
