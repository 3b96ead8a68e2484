//! Feature management: the features, and turning one on or off.

use crate::domain::configuration::{ConfigChange, FeatureRow};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeaturePage {
    pub features: Vec<FeatureRow>,
    pub changes: Vec<ConfigChange>,
}

#[server(output = crate::wire::JsonText)]
pub async fn feature_management() -> Result<FeaturePage, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        let hq = &backend.hq;
        Ok(FeaturePage {
            features: hq.feature_rows().await.map_err(internal)?,
            changes: hq.feature_changes(50).await.map_err(internal)?,
        })
    };
    respond(result.await)
}

#[server(output = crate::wire::JsonText)]
pub async fn set_feature(name: String, enable: bool) -> Result<String, AppError> {
    use crate::api::respond::{authorize_user, respond};
    use crate::domain::access::Access;
    use crate::domain::features::Feature;
    use crate::error::internal;
    use crate::services::feature_management::{FeatureChangeError, change_feature};
    let result = async {
        let (backend, admin) = authorize_user(Access::Admin).await?;
        crate::error::check_key("A feature name", &name, 100)?;
        let feature = Feature::from_name(&name)
            .ok_or_else(|| AppError::NotFound(format!("There is no feature {name:?}.")))?;
        match change_feature(&backend.hq, feature, enable, &admin.display_name).await {
            Ok(true) => Ok(format!(
                "\"{name}\" is now {}.",
                if enable { "enabled" } else { "disabled" }
            )),
            Ok(false) => Ok(format!(
                "\"{name}\" was already {}.",
                if enable { "enabled" } else { "disabled" }
            )),
            Err(FeatureChangeError::Refused(refusal)) => Err(AppError::Refused(refusal.to_string())),
            Err(FeatureChangeError::Hq(error)) => Err(internal(error)),
        }
    };
    respond(result.await)
}
