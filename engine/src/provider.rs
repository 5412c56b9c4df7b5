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

use crate::model::{ResourceKind, ResourceSpec};
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;

/// The label naming the stack an object belongs to; `observe` lists objects by it.
pub const LABEL_STACK: &str = "io.stackc.stack";
/// The label holding the instance address (`container.web[0]`).
pub const LABEL_ADDRESS: &str = "io.stackc.address";
/// The label holding the keyed spec hash (decision 2), so an unchanged object needs no diff.
pub const LABEL_SPEC_HASH: &str = "io.stackc.spec-hash";
/// The label holding the stackc version that wrote the object.
pub const LABEL_VERSION: &str = "io.stackc.version";
/// Where a provider keeps [`DesiredObject::applied`] (a Docker label; a field of the native
/// store's record), so that the next plan can diff field by field.
pub const LABEL_APPLIED: &str = "io.stackc.applied";

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
    /// The runtime itself restarts a container whose health check fails
    /// (`on_unhealthy = "restart"`); without it, the watcher does (Docker never does).
    UnhealthyRestarts,
    /// A service's `port` blocks published once and balanced over its ready replicas.
    ServiceLoadBalancing,
    /// Quotas held by the kernel at run time (a parent cgroup), not only checked at plan
    /// time.
    QuotaEnforcement,
}

/// What a provider can realise.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub kinds: BTreeSet<ResourceKind>,
    pub features: BTreeSet<Feature>,
}

impl Capabilities {
    /// True when the provider can realise `kind`. Services are the engine's: a provider
    /// that runs containers runs them (see [`crate::service`]).
    pub fn supports_kind(&self, kind: ResourceKind) -> bool {
        match kind {
            ResourceKind::Service => {
                self.kinds.contains(&kind) || self.kinds.contains(&ResourceKind::Container)
            }
            _ => self.kinds.contains(&kind),
        }
    }

    pub fn supports(&self, feature: Feature) -> bool {
        self.features.contains(&feature)
    }
}

/// What the engine asks a provider to create or update: one instance, its spec, and the
/// labels it must carry. It serialises (for saved plans) with secrets as the current
/// [`SecretForm`](crate::model::domain::SecretForm) says: a saved plan is written with them
/// revealed, so it must be kept private.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DesiredObjectRepr", into = "DesiredObjectRepr")]
pub struct DesiredObject {
    pub address: String,
    pub kind: ResourceKind,
    pub runtime_name: String,
    pub spec: ResourceSpec,
    pub spec_hash: String,
    /// The labels of decision 1; the provider adds them to the spec's own labels. The
    /// engine fills them in ([`DesiredObject::labels_for`]).
    pub labels: BTreeMap<String, String>,
    /// The spec as applied: JSON, with every secret replaced by its keyed hash. The provider
    /// stores it with the object, unread ([`LABEL_APPLIED`]), and returns it in
    /// [`ObservedObject::applied`].
    pub applied: String,
    /// The resources this one names (its image, networks, volumes, quota, the container
    /// whose network it shares), by address, with what the provider needs to find them.
    pub references: BTreeMap<String, Referenced>,
    /// The stack directory, against which relative paths (`dir`, `archive`, `./` mounts,
    /// `build.context`) resolve.
    pub stack_dir: PathBuf,
}

/// A resource another one refers to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ReferencedRepr", into = "ReferencedRepr")]
pub struct Referenced {
    pub kind: ResourceKind,
    pub runtime_name: String,
    pub spec: ResourceSpec,
    /// For an image built from local inputs: the content digest of those inputs
    /// (`sha256:…`), which is also the image's `.digest`.
    pub digest: Option<String>,
    /// Its keyed spec hash, which changes whenever it is replaced (a provider may name the
    /// object's version after it, like the Docker provider's image tags).
    pub spec_hash: String,
}

/// The serialised form of [`DesiredObject`]: the spec as JSON, decoded by kind.
#[derive(Serialize, Deserialize)]
struct DesiredObjectRepr {
    address: String,
    kind: ResourceKind,
    runtime_name: String,
    spec: serde_json::Value,
    spec_hash: String,
    labels: BTreeMap<String, String>,
    applied: String,
    references: BTreeMap<String, Referenced>,
    stack_dir: PathBuf,
}

impl From<DesiredObject> for DesiredObjectRepr {
    fn from(d: DesiredObject) -> DesiredObjectRepr {
        DesiredObjectRepr {
            address: d.address,
            kind: d.kind,
            runtime_name: d.runtime_name,
            spec: serde_json::to_value(&d.spec).unwrap_or(serde_json::Value::Null),
            spec_hash: d.spec_hash,
            labels: d.labels,
            applied: d.applied,
            references: d.references,
            stack_dir: d.stack_dir,
        }
    }
}

impl TryFrom<DesiredObjectRepr> for DesiredObject {
    type Error = String;
    fn try_from(r: DesiredObjectRepr) -> Result<DesiredObject, String> {
        let spec = ResourceSpec::from_json(r.kind, r.spec)
            .map_err(|e| format!("the spec of `{}` does not decode: {e}", r.address))?;
        Ok(DesiredObject {
            address: r.address,
            kind: r.kind,
            runtime_name: r.runtime_name,
            spec,
            spec_hash: r.spec_hash,
            labels: r.labels,
            applied: r.applied,
            references: r.references,
            stack_dir: r.stack_dir,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct ReferencedRepr {
    kind: ResourceKind,
    runtime_name: String,
    spec: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digest: Option<String>,
    #[serde(default)]
    spec_hash: String,
}

impl From<Referenced> for ReferencedRepr {
    fn from(r: Referenced) -> ReferencedRepr {
        ReferencedRepr {
            kind: r.kind,
            runtime_name: r.runtime_name,
            spec: serde_json::to_value(&r.spec).unwrap_or(serde_json::Value::Null),
            digest: r.digest,
            spec_hash: r.spec_hash,
        }
    }
}

impl TryFrom<ReferencedRepr> for Referenced {
    type Error = String;
    fn try_from(r: ReferencedRepr) -> Result<Referenced, String> {
        let spec = ResourceSpec::from_json(r.kind, r.spec)
            .map_err(|e| format!("the spec of a referenced {} does not decode: {e}", r.kind))?;
        Ok(Referenced {
            kind: r.kind,
            runtime_name: r.runtime_name,
            spec,
            digest: r.digest,
            spec_hash: r.spec_hash,
        })
    }
}

impl DesiredObject {
    /// The labels of decision 1 for the instance `address` of the stack `stack`.
    pub fn labels_for(stack: &str, address: &str, spec_hash: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            (LABEL_STACK.to_string(), stack.to_string()),
            (LABEL_ADDRESS.to_string(), address.to_string()),
            (LABEL_SPEC_HASH.to_string(), spec_hash.to_string()),
            (
                LABEL_VERSION.to_string(),
                env!("CARGO_PKG_VERSION").to_string(),
            ),
        ])
    }

    /// The stack this object belongs to.
    pub fn stack(&self) -> &str {
        self.labels.get(LABEL_STACK).map_or("", String::as_str)
    }

    /// The resource at `address` this object refers to.
    pub fn reference(&self, address: &str) -> Option<&Referenced> {
        self.references.get(address)
    }
}

/// What an object is doing. Objects that never run (networks, volumes, images) are
/// [`Present`](ObjectState::Present).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum ObjectState {
    #[default]
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

impl ObjectState {
    /// One word for the state: `present`, `created`, `running`, `restarting`, `stopped`.
    pub fn word(&self) -> &'static str {
        match self {
            ObjectState::Present => "present",
            ObjectState::Created => "created",
            ObjectState::Running => "running",
            ObjectState::Restarting => "restarting",
            ObjectState::Stopped { .. } => "stopped",
        }
    }
}

/// An object found in the runtime by its stack label.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// What the object was created from ([`DesiredObject::applied`]), as the provider stored
    /// it; `None` when it is missing (an object from an older stackc, or edited outside).
    pub applied: Option<String>,
    /// The live values of the attributes that can change in place without replacing the
    /// object, so a change made outside stackc shows as drift. Keys and value forms are
    /// those of [`crate::model::live`]; a provider leaves out what it cannot read.
    pub live: BTreeMap<String, serde_json::Value>,
    /// How often the runtime restarted it (containers).
    pub restarts: u32,
    /// When its process last started and ended, RFC 3339, as the runtime reports them.
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

/// The outcome of a health check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Health {
    /// The object has no health check; running counts as healthy.
    None,
    Starting,
    Healthy,
    Unhealthy {
        reason: String,
    },
}

/// Which output a log line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogStream {
    Stdout,
    Stderr,
}

/// One line of a container's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub stream: LogStream,
    /// RFC 3339 with nanoseconds, when the runtime recorded it.
    pub timestamp: Option<String>,
    /// The line, without its newline; bytes that are not UTF-8 are replaced.
    pub text: String,
}

/// What `stackc logs` asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// Keep the stream open for new lines.
    pub follow: bool,
    /// Only the last `n` lines.
    pub tail: Option<usize>,
    /// Only lines from the last `since`.
    pub since: Option<Duration>,
}

/// A stream of log lines; it ends when the logs end (or, when following, when the
/// container is removed).
pub type LogLines = BoxStream<'static, Result<LogLine, ProviderError>>;

/// What `stackc exec` asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecRequest {
    pub command: Vec<String>,
    /// Give the command a terminal (`-t`).
    pub tty: bool,
    /// Connect stdin (`-i`).
    pub interactive: bool,
}

/// Where an exec'd command's input comes from and its output goes.
pub struct ExecIo {
    pub stdin: Option<Box<dyn AsyncRead + Send + Unpin>>,
    pub stdout: Box<dyn AsyncWrite + Send + Unpin>,
    pub stderr: Box<dyn AsyncWrite + Send + Unpin>,
}

/// Progress of a long provider call (an image pull), reported to the engine's events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressReport {
    pub address: String,
    /// What is happening: "pulling redis:7", "extracting".
    pub detail: String,
    pub current_bytes: Option<u64>,
    pub total_bytes: Option<u64>,
}

/// A handle a provider reports progress through; reporting never blocks and never fails
/// (nobody may be listening).
#[derive(Clone, Debug, Default)]
pub struct Progress {
    address: String,
    sender: Option<mpsc::UnboundedSender<ProgressReport>>,
}

impl Progress {
    pub fn new(address: &str, sender: mpsc::UnboundedSender<ProgressReport>) -> Progress {
        Progress {
            address: address.to_string(),
            sender: Some(sender),
        }
    }

    /// A handle that reports nowhere.
    pub fn none() -> Progress {
        Progress::default()
    }

    pub fn report(&self, detail: impl Into<String>, current: Option<u64>, total: Option<u64>) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(ProgressReport {
                address: self.address.clone(),
                detail: detail.into(),
                current_bytes: current,
                total_bytes: total,
            });
        }
    }
}

/// What went wrong in the runtime. The engine attaches the resource address when it reports
/// one; a provider's own errors convert into these at its boundary (decision 8).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
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
    /// A service's rollout failed and its replicas were rolled back to the template they
    /// had: what was deployed keeps running.
    #[error("rolled back to the previous template: {0}")]
    RolledBack(String),
}

/// A container runtime, as the engine sees it.
pub trait Provider: Send + Sync + 'static {
    /// `native`, `docker`, `swarm`: for messages.
    fn name(&self) -> &str;

    fn capabilities(&self) -> Capabilities;

    /// Every object labelled with the stack `stack`.
    fn observe(
        &self,
        stack: &str,
    ) -> impl Future<Output = Result<Vec<ObservedObject>, ProviderError>> + Send;

    /// The live values ([`ObservedObject::live`]) an object made from `desired` will show,
    /// in this runtime: [`crate::model::live::attributes`] with the runtime's own defaults
    /// filled in where they differ (Docker gives a container swap of twice its memory when
    /// `memory_swap` is unset). The diff compares these with what `observe` reads.
    fn expected_live(&self, desired: &DesiredObject) -> BTreeMap<String, serde_json::Value> {
        crate::model::live::attributes(&desired.spec)
    }

    /// True for an attribute whose change kind is `update` in the schema but which this
    /// runtime cannot change on an existing object (Docker cannot change a container's
    /// `stop_signal`): the plan replaces the object instead, and says why.
    fn forces_replacement(&self, _kind: ResourceKind, _path: &str) -> bool {
        false
    }

    /// Creates the object; a container is created but not started. Long steps (an image
    /// pull) report through `progress`.
    fn create(
        &self,
        desired: &DesiredObject,
        progress: &Progress,
    ) -> impl Future<Output = Result<ObservedObject, ProviderError>> + Send;

    /// Changes `current` in place to match `desired` (only attributes whose change kind is
    /// `update`; the plan turns the others into a replacement), and stores the new
    /// [`DesiredObject::applied`] and spec hash with it.
    fn update(
        &self,
        current: &ObservedObject,
        desired: &DesiredObject,
        progress: &Progress,
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

    /// Restarts a running container (the watcher's answer to a failing health check on a
    /// runtime that does not restart unhealthy containers itself).
    fn restart(
        &self,
        object: &ObservedObject,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send {
        self.start(object)
    }

    /// Gives a container another runtime name, keeping it running. A start-first rollout
    /// moves a service's old replica aside so its successor can take the replica's name.
    /// Runtimes that cannot rename say so, and the rollout stops the old replica first.
    fn rename(
        &self,
        object: &ObservedObject,
        new_name: &str,
    ) -> impl Future<Output = Result<ObservedObject, ProviderError>> + Send {
        let _ = new_name;
        let error = ProviderError::Unsupported(format!(
            "the {} provider cannot rename `{}`",
            self.name(),
            object.runtime_name
        ));
        async move { Err(error) }
    }

    /// Publishes a service's `port` blocks on the host once, spreading new connections over
    /// `backends` (its ready replicas) and no others; with no backends, withdraws them. A
    /// replica left out is drained: it gets no new connections, and keeps those it has.
    fn balance(
        &self,
        service: &DesiredObject,
        backends: &[ObservedObject],
    ) -> impl Future<Output = Result<(), ProviderError>> + Send {
        let _ = backends;
        let error = ProviderError::Unsupported(format!(
            "the {} provider cannot publish the ports of `{}` over its replicas",
            self.name(),
            service.address
        ));
        async move { Err(error) }
    }

    /// The current result of the object's health check.
    fn health(
        &self,
        object: &ObservedObject,
    ) -> impl Future<Output = Result<Health, ProviderError>> + Send;

    /// The container's output, oldest first.
    fn logs(
        &self,
        object: &ObservedObject,
        options: &LogOptions,
    ) -> impl Future<Output = Result<LogLines, ProviderError>> + Send;

    /// Runs a command inside the running container, with the container's namespaces, cgroup
    /// and security settings, and returns its exit code.
    fn exec(
        &self,
        object: &ObservedObject,
        request: &ExecRequest,
        io: ExecIo,
    ) -> impl Future<Output = Result<i32, ProviderError>> + Send;
}
