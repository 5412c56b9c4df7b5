//! Settings of `provider` blocks.

use super::domain::AbsolutePath;
use serde::{Deserialize, Serialize};

/// The providers a stack can name (LANGUAGE.md §4).
pub const PROVIDERS: &[&str] = &["native", "docker", "swarm"];

/// `provider "docker" { host = "unix:///var/run/docker.sock" }` (also `swarm`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "provider")]
pub struct DockerSettings {
    /// The daemon's address; `DOCKER_HOST` or the local socket when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// `provider "native" { root = "/var/lib/stackc/native" }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "provider")]
pub struct NativeSettings {
    /// The store's directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<AbsolutePath>,
}

impl NativeSettings {
    pub const DEFAULT_ROOT: &'static str = "/var/lib/stackc/native";

    pub fn root(&self) -> &str {
        self.root
            .as_ref()
            .map(AbsolutePath::as_str)
            .unwrap_or(Self::DEFAULT_ROOT)
    }
}

/// The settings of one `provider` block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "provider", rename_all = "lowercase")]
pub enum ProviderSettings {
    Native(NativeSettings),
    Docker(DockerSettings),
    Swarm(DockerSettings),
}

impl ProviderSettings {
    pub fn name(&self) -> &'static str {
        match self {
            ProviderSettings::Native(_) => "native",
            ProviderSettings::Docker(_) => "docker",
            ProviderSettings::Swarm(_) => "swarm",
        }
    }
}
