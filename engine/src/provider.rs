//! The `Provider` trait (ARCHITECTURE.md decision 7): what the engine asks of a container
//! runtime, and the objects it gets back.
//!
//! The engine never names a runtime's API; a provider never decides *what* to do, only *how*.
//! Every object a provider creates carries the labels of decision 1 ([`DesiredObject::labels`]),
//! so that [`Provider::observe`] finds it again by its stack label alone.
//!
//! The methods are `async` and their futures `Send`, so the executor can run them on tokio's
//! worker threads. They are written as `fn … -> impl Future + Send`, which an implementation
//! may write as a plain `async fn`; the trait is therefore used through generics, not `dyn`.

use crate::model::{DesiredResource, ResourceKind, ResourceSpec};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;

/// The label naming the stack an object belongs to; `observe` lists objects by it.
pub const LABEL_STACK: &str = "io.stackc.stack";
/// The label holding the instance address (`container.web[0]`).
pub const LABEL_ADDRESS: &str = "io.stackc.address";
/// The label holding the keyed spec hash (decision 2), so an unchanged object needs no diff.
pub const LABEL_SPEC_HASH: &str = "io.stackc.spec-hash";
/// The label holding the stackc version that wrote the object.
pub const LABEL_VERSION: &str = "io.stackc.version";

/// Features a resource may need that not every runtime has; the engine refuses a plan that
/// needs a missing one (`stackc::unsupported`) instead of failing halfway through an apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Feature {
    /// `image { build { … } }`: building from a Dockerfile.
    DockerfileBuild,
    /// `network { driver = "overlay" }`: networks spanning hosts.
    OverlayNetworks,
    /// `quota` blocks: aggregate cgroup limits.
    Quotas,
    /// `health { … }` checks run by the runtime.
    HealthChecks,
}

/// What a provider can realise.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub kinds: BTreeSet<ResourceKind>,
    pub features: BTreeSet<Feature>,
}

impl Capabilities {
    pub fn supports_kind(&self, kind: ResourceKind) -> bool {
        self.kinds.contains(&kind)
    }

    pub fn supports(&self, feature: Feature) -> bool {
        self.features.contains(&feature)
    }
}

/// What the engine asks a provider to create or update: one instance, its spec, and the
/// labels it must carry.
#[derive(Clone, Debug, PartialEq)]
pub struct DesiredObject {
    pub address: String,
    pub kind: ResourceKind,
    pub runtime_name: String,
    pub spec: ResourceSpec,
    pub spec_hash: String,
    /// The labels of decision 1; the provider adds them to the spec's own labels.
    pub labels: BTreeMap<String, String>,
}

impl DesiredObject {
    /// The request for `resource` of the stack `stack`, whose spec hashes to `spec_hash`.
    pub fn new(stack: &str, resource: &DesiredResource, spec_hash: &str) -> DesiredObject {
        let labels = BTreeMap::from([
            (LABEL_STACK.to_string(), stack.to_string()),
            (LABEL_ADDRESS.to_string(), resource.address.clone()),
            (LABEL_SPEC_HASH.to_string(), spec_hash.to_string()),
            (
                LABEL_VERSION.to_string(),
                env!("CARGO_PKG_VERSION").to_string(),
            ),
        ]);
        DesiredObject {
            address: resource.address.clone(),
            kind: resource.kind,
            runtime_name: resource.runtime_name.clone(),
            spec: resource.spec.clone(),
            spec_hash: spec_hash.to_string(),
            labels,
        }
    }
}

/// What an object is doing. Objects that never run (networks, volumes, images) are
/// [`Present`](ObjectState::Present).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectState {
    Present,
    /// Created but never started.
    Created,
    Running,
    /// Between two runs under a restart policy.
    Restarting,
    /// Its process ended (by itself or stopped from outside: Docker's `exited`), with the
    /// exit code when the runtime kept it.
    Stopped {
        exit_code: Option<i32>,
    },
}

/// An object found in the runtime by its stack label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedObject {
    /// From the address label.
    pub address: String,
    pub kind: ResourceKind,
    /// The runtime's identifier (a container ID, a network name).
    pub id: String,
    pub runtime_name: String,
    /// From the spec-hash label; `None` when the label was removed or damaged outside stackc,
    /// which the diff treats as a changed spec.
    pub spec_hash: Option<String>,
    pub state: ObjectState,
    pub labels: BTreeMap<String, String>,
}

/// The outcome of a health check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Health {
    /// The object has no health check; running counts as healthy.
    None,
    Starting,
    Healthy,
    Unhealthy {
        reason: String,
    },
}

/// What went wrong in the runtime. The engine attaches the resource address when it reports
/// one; a provider's own errors convert into these at its boundary (decision 8).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("`{0}` was not found in the runtime")]
    NotFound(String),
    #[error("`{0}` already exists in the runtime")]
    AlreadyExists(String),
    #[error("the provider cannot do this: {0}")]
    Unsupported(String),
    #[error("cannot reach the runtime: {0}")]
    Unavailable(String),
    #[error("gave up after {0:?}")]
    Timeout(Duration),
    #[error("{0}")]
    Runtime(String),
}

/// A container runtime, as the engine sees it. `logs` and `exec` come with the commands that
/// need them.
pub trait Provider: Send + Sync + 'static {
    /// `native`, `docker`, `swarm`: for messages.
    fn name(&self) -> &str;

    fn capabilities(&self) -> Capabilities;

    /// Every object labelled with the stack `stack`.
    fn observe(
        &self,
        stack: &str,
    ) -> impl Future<Output = Result<Vec<ObservedObject>, ProviderError>> + Send;

    /// Creates the object; a container is created but not started.
    fn create(
        &self,
        desired: &DesiredObject,
    ) -> impl Future<Output = Result<ObservedObject, ProviderError>> + Send;

    /// Changes `current` in place to match `desired` (only attributes whose change kind is
    /// `update`; the plan turns the others into a replacement).
    fn update(
        &self,
        current: &ObservedObject,
        desired: &DesiredObject,
    ) -> impl Future<Output = Result<ObservedObject, ProviderError>> + Send;

    /// Removes the object (stopping it first if it runs).
    fn delete(
        &self,
        object: &ObservedObject,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;

    /// Starts a created or stopped container.
    fn start(
        &self,
        object: &ObservedObject,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;

    /// The current result of the object's health check.
    fn health(
        &self,
        object: &ObservedObject,
    ) -> impl Future<Output = Result<Health, ProviderError>> + Send;
}
