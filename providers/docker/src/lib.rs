//! The Docker provider: the engine's [`Provider`] trait over the Docker Engine API, through
//! bollard. Every object carries the `io.stackc.*` labels (ARCHITECTURE.md decision 1), so
//! `observe` finds a stack's objects with one label-filtered list per kind.
//!
//! One module per kind of operation: [`connect`], [`observe`], [`image`] (with [`elf`] for
//! `from_host`), [`container`], [`network`] (networks and volumes), [`logs`], [`exec`].

mod connect;
mod container;
mod elf;
mod error;
mod exec;
mod image;
mod logs;
mod network;
mod observe;

pub use error::DockerError;

use bollard::Docker;
use stackc_engine::model::live;
use stackc_engine::model::{ResourceKind, ResourceSpec};
use stackc_engine::provider::{
    Capabilities, DesiredObject, ExecIo, ExecRequest, Feature, Health, LogLines, LogOptions,
    ObservedObject, Progress, Provider, ProviderError,
};
use std::collections::BTreeMap;

/// A connection to one Docker Engine.
pub struct DockerProvider {
    docker: Docker,
    /// The daemon's address, for messages.
    host: String,
    /// Registry images known to be present, so fifty containers of one image ask once.
    present: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl DockerProvider {
    /// The daemon's address this provider talks to.
    pub fn host(&self) -> &str {
        &self.host
    }

    fn known_image(&self, reference: &str) -> bool {
        self.present
            .lock()
            .map(|s| s.contains(reference))
            .unwrap_or(false)
    }

    fn remember_image(&self, reference: &str) {
        if let Ok(mut s) = self.present.lock() {
            s.insert(reference.to_string());
        }
    }
}

impl Provider for DockerProvider {
    fn name(&self) -> &str {
        "docker"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            kinds: [
                ResourceKind::Image,
                ResourceKind::Container,
                ResourceKind::Network,
                ResourceKind::Volume,
            ]
            .into_iter()
            .collect(),
            features: [Feature::DockerfileBuild, Feature::HealthChecks]
                .into_iter()
                .collect(),
        }
    }

    async fn observe(&self, stack: &str) -> Result<Vec<ObservedObject>, ProviderError> {
        Ok(observe::observe(self, stack).await?)
    }

    /// Docker gives a container swap of twice its memory when `memory_swap` is unset.
    fn expected_live(&self, desired: &DesiredObject) -> BTreeMap<String, serde_json::Value> {
        let mut out = live::attributes(&desired.spec);
        let memory = out.get(live::MEMORY).and_then(|v| v.as_u64()).unwrap_or(0);
        let swap = out
            .get(live::MEMORY_SWAP)
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        if memory > 0 && swap == 0 {
            out.insert(live::MEMORY_SWAP.to_string(), (memory * 2).into());
        }
        out
    }

    /// A container's stop signal and timeout are fixed when Docker creates it.
    fn forces_replacement(&self, kind: ResourceKind, path: &str) -> bool {
        kind == ResourceKind::Container && matches!(path, "stop_signal" | "stop_timeout")
    }

    async fn create(
        &self,
        desired: &DesiredObject,
        progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        let made = match &desired.spec {
            ResourceSpec::Image(_) => image::create(self, desired, progress).await,
            ResourceSpec::Container(_) => container::create(self, desired, progress).await,
            ResourceSpec::Network(_) => network::create_network(self, desired).await,
            ResourceSpec::Volume(_) => network::create_volume(self, desired).await,
            other => Err(DockerError::Unsupported(format!(
                "the docker provider cannot make {} objects",
                other.kind()
            ))),
        };
        made.map_err(|e| e.into_provider(&desired.address))
    }

    async fn update(
        &self,
        current: &ObservedObject,
        desired: &DesiredObject,
        _progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        let updated = match &desired.spec {
            ResourceSpec::Container(_) => container::update(self, current, desired).await,
            // Every other attribute of these kinds replaces; nothing to change in place.
            _ => Ok(current.clone()),
        };
        updated.map_err(|e| e.into_provider(&desired.address))
    }

    async fn delete(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        let done = match object.kind {
            ResourceKind::Container => container::delete(self, object).await,
            ResourceKind::Image => image::delete(self, object).await,
            ResourceKind::Network => network::delete_network(self, object).await,
            ResourceKind::Volume => network::delete_volume(self, object).await,
            other => Err(DockerError::Unsupported(format!(
                "the docker provider has no {other} objects"
            ))),
        };
        done.map_err(|e| e.into_provider(&object.address))
    }

    async fn start(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        container::start(self, object)
            .await
            .map_err(|e| e.into_provider(&object.address))
    }

    /// Docker never restarts an unhealthy container itself; the watcher asks for this.
    async fn restart(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        self.docker
            .restart_container(&object.id, None)
            .await
            .map_err(|e| DockerError::from(e).into_provider(&object.address))
    }

    async fn health(&self, object: &ObservedObject) -> Result<Health, ProviderError> {
        container::health(self, object)
            .await
            .map_err(|e| e.into_provider(&object.address))
    }

    async fn logs(
        &self,
        object: &ObservedObject,
        options: &LogOptions,
    ) -> Result<LogLines, ProviderError> {
        Ok(logs::logs(self, object, options))
    }

    async fn exec(
        &self,
        object: &ObservedObject,
        request: &ExecRequest,
        io: ExecIo,
    ) -> Result<i32, ProviderError> {
        exec::exec(self, object, request, io)
            .await
            .map_err(|e| e.into_provider(&object.address))
    }
}
