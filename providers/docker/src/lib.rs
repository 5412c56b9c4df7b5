//! The Docker provider: the engine's [`Provider`] trait over the Docker Engine API, through
//! bollard. Every object carries the `io.stackc.*` labels (ARCHITECTURE.md decision 1), so
//! `observe` finds a stack's objects with one label-filtered list per kind.
//!
//! One module per kind of operation: [`connect`], [`observe`] (with [`live`] for the
//! attributes that change in place), [`image`] (with [`context`] for build contexts and
//! [`elf`] for `from_host`), [`container`] (with [`health`]), [`network`], [`volume`],
//! [`logs`], [`exec`].

mod balance;
mod connect;
mod container;
mod context;
mod error;
mod exec;
mod health;
mod image;
mod labels;
mod live;
mod logs;
mod network;
mod observe;
mod quota;
mod volume;

pub use error::DockerError;

pub use connect::DEFAULT_HOST;

use bollard::Docker;
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
    /// Which limits the daemon's host enforces (see [`live`]).
    enforced: live::Enforced,
    /// Whether quotas are held by the kernel here (see [`quota`]).
    quotas: quota::Mode,
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
                ResourceKind::Quota,
            ]
            .into_iter()
            .collect(),
            features: [
                Feature::DockerfileBuild,
                Feature::HealthChecks,
                Feature::ServiceLoadBalancing,
                Feature::Quotas,
            ]
            .into_iter()
            .chain(
                self.quotas
                    .not_enforced
                    .is_none()
                    .then_some(Feature::QuotaEnforcement),
            )
            .collect(),
        }
    }

    async fn observe(&self, stack: &str) -> Result<Vec<ObservedObject>, ProviderError> {
        let mut found = observe::observe(self, stack).await?;
        found.extend(quota::observe(stack).map_err(|e| e.into_provider(stack))?);
        Ok(found)
    }

    /// What Docker shows for a container made from `desired`: swap of twice the memory when
    /// only the memory is limited, and nothing for a limit the host cannot enforce (Docker
    /// drops it with a warning, which `create` reports).
    fn expected_live(&self, desired: &DesiredObject) -> BTreeMap<String, serde_json::Value> {
        live::expected(&desired.spec, &self.enforced)
    }

    /// A container's stop signal and timeout, and its quota (its `cgroup_parent`), are fixed
    /// when Docker creates it.
    fn forces_replacement(&self, kind: ResourceKind, path: &str) -> bool {
        kind == ResourceKind::Container && matches!(path, "stop_signal" | "stop_timeout" | "quota")
    }

    async fn create(
        &self,
        desired: &DesiredObject,
        progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        let made = match &desired.spec {
            ResourceSpec::Image(_) => image::create(self, desired, progress).await,
            ResourceSpec::Container(_) => container::create(self, desired, progress).await,
            ResourceSpec::Network(_) => network::create(self, desired).await,
            ResourceSpec::Volume(_) => volume::create(self, desired).await,
            ResourceSpec::Quota(_) => quota::create(&self.quotas, desired),
            other => Err(DockerError::Unsupported(format!(
                "the docker provider cannot make {} objects",
                other.kind()
            ))),
        };
        made.map_err(|e| e.into_create_error(&desired.address))
    }

    async fn update(
        &self,
        current: &ObservedObject,
        desired: &DesiredObject,
        progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        let updated = match &desired.spec {
            ResourceSpec::Container(_) => container::update(self, current, desired, progress).await,
            ResourceSpec::Quota(_) => quota::update(&self.quotas, desired),
            // Every other attribute of these kinds replaces; nothing to change in place.
            _ => Ok(current.clone()),
        };
        updated.map_err(|e| e.into_provider(&desired.address))
    }

    async fn delete(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        let done = match object.kind {
            ResourceKind::Container => container::delete(self, object).await,
            ResourceKind::Image => image::delete(self, object).await,
            ResourceKind::Network => network::delete(self, object).await,
            ResourceKind::Volume => volume::delete(self, object).await,
            ResourceKind::Quota => quota::delete(&self.quotas, object),
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

    async fn balance(
        &self,
        service: &DesiredObject,
        backends: &[ObservedObject],
    ) -> Result<(), ProviderError> {
        balance::balance(self, service, backends)
            .await
            .map_err(|e| e.into_provider(&service.address))
    }

    async fn rename(
        &self,
        object: &ObservedObject,
        new_name: &str,
    ) -> Result<ObservedObject, ProviderError> {
        let options = bollard::query_parameters::RenameContainerOptions {
            name: new_name.to_string(),
        };
        self.docker
            .rename_container(&object.id, options)
            .await
            .map_err(|e| DockerError::from(e).into_provider(&object.address))?;
        Ok(ObservedObject {
            runtime_name: new_name.to_string(),
            ..object.clone()
        })
    }

    async fn health(&self, object: &ObservedObject) -> Result<Health, ProviderError> {
        health::health(self, object)
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
