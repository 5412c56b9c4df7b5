//! Plans saved by `plan --out` and applied by `apply PLANFILE`, and what an apply records
//! in the history: the stack's files and its outputs.

use serde::{Deserialize, Serialize};
use stackc_engine::model::domain::with_secrets_revealed;
use stackc_engine::plan::{Plan, FORMAT_VERSION};
use stackc_engine::state::{write_atomic, RevisionFile};
use stackc_lang::eval::Config;
use std::collections::BTreeMap;
use std::path::Path;

/// A saved plan: the plan (with its fingerprint) plus what the history needs, so applying it
/// does not read the stack's files again.
#[derive(Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: String,
    pub plan: Plan,
    pub files: Vec<SavedFile>,
    pub outputs: BTreeMap<String, serde_json::Value>,
    pub source: String,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct SavedFile {
    pub name: String,
    pub text: String,
}

impl SavedPlan {
    pub fn new(plan: Plan, config: &Config) -> SavedPlan {
        SavedPlan {
            format_version: FORMAT_VERSION.to_string(),
            plan,
            files: stack_files(config)
                .into_iter()
                .map(|f| SavedFile {
                    name: f.name,
                    text: f.text,
                })
                .collect(),
            outputs: outputs(config),
            source: config.dir.display().to_string(),
        }
    }

    /// Writes the plan, mode 0600: it holds the stack's secrets, which the apply needs.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let json = with_secrets_revealed(|| serde_json::to_vec(self))
            .map_err(|e| format!("cannot serialise the plan: {e}"))?;
        write_atomic(path, &json, 0o600).map_err(|e| e.to_string())
    }

    pub fn read(path: &Path) -> Result<SavedPlan, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read the saved plan {}: {e}", path.display()))?;
        let version: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{} is not a saved plan: {e}", path.display()))?;
        let found = version.get("format_version").and_then(|v| v.as_str());
        if found != Some(FORMAT_VERSION) {
            return Err(format!(
                "{} is a plan of format {}, this stackc reads format {FORMAT_VERSION}",
                path.display(),
                found.unwrap_or("(none)")
            ));
        }
        serde_json::from_value(version)
            .map_err(|e| format!("{} is not a saved plan: {e}", path.display()))
    }

    pub fn revision_files(&self) -> Vec<RevisionFile> {
        self.files
            .iter()
            .map(|f| RevisionFile {
                name: f.name.clone(),
                text: f.text.clone(),
            })
            .collect()
    }
}

pub use stackc_engine::load::{outputs, stack_files};
