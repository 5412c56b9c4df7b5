//! `volume`: named storage that outlives containers (LANGUAGE.md §5 volume).

use super::check::Check;
use serde::{Deserialize, Serialize};
use stackc_lang::diag::code;
use std::collections::BTreeMap;

/// A `volume` block. Every attribute forces replacement; replacing or removing a volume keeps
/// its data unless the user purges it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "volume")]
pub struct VolumeSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl VolumeSpec {
    pub fn driver(&self) -> &str {
        self.driver.as_deref().unwrap_or("local")
    }

    pub(crate) fn check(&self, cx: &mut Check<'_>) {
        if self.driver.as_deref() == Some("") {
            cx.error(
                code::TYPE,
                "driver",
                "`driver` is empty",
                "leave `driver` unset for \"local\"",
            );
        }
    }
}
