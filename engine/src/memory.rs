//! An in-memory [`Provider`] for the engine's tests (ARCHITECTURE.md decision 7): objects in a
//! map, with failures, delays and a log of calls that a test arranges, so the executor's
//! ordering, concurrency and failure handling can be checked without a runtime.

use crate::model::ResourceKind;
use crate::provider::{
    Capabilities, DesiredObject, ExecIo, ExecRequest, Feature, Health, LogLine, LogLines,
    LogOptions, LogStream, ObjectState, ObservedObject, Progress, Provider, ProviderError,
    LABEL_SPEC_HASH, LABEL_STACK,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// A provider operation, for delays and the call log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Observe,
    Create,
    Update,
    Delete,
    Start,
    Rename,
    Balance,
    Health,
    Logs,
    Exec,
}

/// One entry of the call log: an operation on an address began or ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub op: Op,
    /// The address, or the stack name for `observe`.
    pub address: String,
    pub phase: Phase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Begin,
    End,
}

#[derive(Default)]
struct Inner {
    /// By id: a service's old and new replica share an address during a start-first rollout.
    objects: BTreeMap<String, ObservedObject>,
    health_of_spec: HashMap<String, Health>,
    health_when_applied_contains: Vec<(String, Health)>,
    /// Service address → the runtime names its ports reach (`balance`).
    pools: HashMap<String, Vec<String>>,
    failures: HashMap<String, String>,
    op_delays: HashMap<Op, Duration>,
    address_delays: HashMap<String, Duration>,
    calls: Vec<Call>,
    logs: HashMap<String, Vec<String>>,
    health: HashMap<String, Health>,
    running: usize,
    max_running: usize,
    next_id: u64,
}

/// The in-memory provider. Cheap to share behind an `Arc`; all methods take `&self`.
#[derive(Default)]
pub struct MemoryProvider {
    inner: Mutex<Inner>,
}

impl MemoryProvider {
    pub fn new() -> MemoryProvider {
        MemoryProvider::default()
    }

    /// Every operation on `address` fails with `message`.
    pub fn fail(&self, address: &str, message: &str) {
        self.lock()
            .failures
            .insert(address.to_string(), message.to_string());
    }

    /// Every `op` takes `delay`.
    pub fn set_delay(&self, op: Op, delay: Duration) {
        self.lock().op_delays.insert(op, delay);
    }

    /// Every operation on `address` takes `delay`, whatever the operation's own delay.
    pub fn set_address_delay(&self, address: &str, delay: Duration) {
        self.lock()
            .address_delays
            .insert(address.to_string(), delay);
    }

    /// `health` answers `health` for `address` from now on, whatever its state.
    pub fn set_health(&self, address: &str, health: Health) {
        self.lock().health.insert(address.to_string(), health);
    }

    /// `health` answers `health` for every object made from the spec with hash `spec_hash`
    /// (a service's new template), unless its address has an answer of its own.
    pub fn set_health_of_spec(&self, spec_hash: &str, health: Health) {
        self.lock()
            .health_of_spec
            .insert(spec_hash.to_string(), health);
    }

    /// `health` answers `health` for every object whose applied record contains `text` (a
    /// template with a marker in its environment, in tests that cannot know its hash).
    pub fn set_health_when_applied_contains(&self, text: &str, health: Health) {
        self.lock()
            .health_when_applied_contains
            .push((text.to_string(), health));
    }

    /// The replicas a service's ports reach now, by runtime name; `None` when they are not
    /// published.
    pub fn pool(&self, service: &str) -> Option<Vec<String>> {
        self.lock().pools.get(service).cloned()
    }

    /// The log lines `logs` returns for `address`.
    pub fn set_logs(&self, address: &str, lines: &[&str]) {
        self.lock().logs.insert(
            address.to_string(),
            lines.iter().map(|l| l.to_string()).collect(),
        );
    }

    /// Adds an object as if it had been found in the runtime (replacing the one with its id).
    pub fn insert(&self, object: ObservedObject) {
        self.lock().objects.insert(object.id.clone(), object);
    }

    /// The object at `address`; the newest one when several share it.
    pub fn object(&self, address: &str) -> Option<ObservedObject> {
        self.lock()
            .objects
            .values()
            .filter(|o| o.address == address)
            .max_by_key(|o| (sequence(&o.id), o.id.clone()))
            .cloned()
    }

    /// Every object, in no particular order.
    pub fn objects(&self) -> Vec<ObservedObject> {
        self.lock().objects.values().cloned().collect()
    }

    /// The begin and end of every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// The most calls that were in progress at once.
    pub fn max_concurrent(&self) -> usize {
        self.lock().max_running
    }

    /// Runs one call: logs its begin, waits its delay, applies `f` (unless the address is
    /// set to fail), logs its end.
    async fn call<T>(
        &self,
        op: Op,
        address: &str,
        f: impl FnOnce(&mut Inner) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let delay = {
            let mut inner = self.lock();
            inner.running += 1;
            inner.max_running = inner.max_running.max(inner.running);
            inner.calls.push(Call {
                op,
                address: address.to_string(),
                phase: Phase::Begin,
            });
            inner
                .address_delays
                .get(address)
                .or_else(|| inner.op_delays.get(&op))
                .copied()
                .unwrap_or_default()
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let mut inner = self.lock();
        let result = match inner.failures.get(address) {
            Some(message) => Err(ProviderError::Runtime(message.clone())),
            None => f(&mut inner),
        };
        inner.running -= 1;
        inner.calls.push(Call {
            op,
            address: address.to_string(),
            phase: Phase::End,
        });
        result
    }

    /// A test that panicked while holding the lock must not hide its own failure behind a
    /// poisoned mutex.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The creation order of an object made here (`mem-7` → 7); 0 for one a test inserted.
fn sequence(id: &str) -> u64 {
    id.strip_prefix("mem-")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn observed(id: String, desired: &DesiredObject, state: ObjectState) -> ObservedObject {
    ObservedObject {
        address: desired.address.clone(),
        kind: desired.kind,
        id,
        runtime_name: desired.runtime_name.clone(),
        spec_hash: desired.labels.get(LABEL_SPEC_HASH).cloned(),
        state,
        labels: desired.labels.clone(),
        applied: Some(desired.applied.clone()),
        live: crate::model::live::attributes(&desired.spec),
        ..ObservedObject::default()
    }
}

impl Provider for MemoryProvider {
    fn name(&self) -> &str {
        "memory"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            kinds: ResourceKind::ALL.into_iter().collect(),
            features: [
                Feature::DockerfileBuild,
                Feature::OverlayNetworks,
                Feature::Quotas,
                Feature::HealthChecks,
                Feature::ServiceLoadBalancing,
            ]
            .into_iter()
            .collect(),
        }
    }

    async fn observe(&self, stack: &str) -> Result<Vec<ObservedObject>, ProviderError> {
        self.call(Op::Observe, stack, |inner| {
            Ok(inner
                .objects
                .values()
                .filter(|o| o.labels.get(LABEL_STACK).map(String::as_str) == Some(stack))
                .cloned()
                .collect())
        })
        .await
    }

    async fn create(
        &self,
        desired: &DesiredObject,
        _progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        self.call(Op::Create, &desired.address, |inner| {
            // Names are unique, as in Docker.
            if inner
                .objects
                .values()
                .any(|o| o.runtime_name == desired.runtime_name && o.kind == desired.kind)
            {
                return Err(ProviderError::AlreadyExists(desired.runtime_name.clone()));
            }
            inner.next_id += 1;
            let state = if desired.kind.runs() {
                ObjectState::Created
            } else {
                ObjectState::Present
            };
            let o = observed(format!("mem-{}", inner.next_id), desired, state);
            inner.objects.insert(o.id.clone(), o.clone());
            Ok(o)
        })
        .await
    }

    async fn update(
        &self,
        current: &ObservedObject,
        desired: &DesiredObject,
        _progress: &Progress,
    ) -> Result<ObservedObject, ProviderError> {
        self.call(Op::Update, &desired.address, |inner| {
            let Some(found) = inner.objects.get_mut(&current.id) else {
                return Err(ProviderError::NotFound(current.runtime_name.clone()));
            };
            let o = observed(found.id.clone(), desired, found.state.clone());
            *found = o.clone();
            Ok(o)
        })
        .await
    }

    async fn delete(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        self.call(Op::Delete, &object.address, |inner| {
            match inner.objects.remove(&object.id) {
                Some(_) => Ok(()),
                None => Err(ProviderError::NotFound(object.runtime_name.clone())),
            }
        })
        .await
    }

    async fn start(&self, object: &ObservedObject) -> Result<(), ProviderError> {
        self.call(Op::Start, &object.address, |inner| {
            match inner.objects.get_mut(&object.id) {
                Some(o) if o.kind.runs() => {
                    o.state = ObjectState::Running;
                    Ok(())
                }
                Some(o) => Err(ProviderError::Unsupported(format!(
                    "a {} cannot be started",
                    o.kind
                ))),
                None => Err(ProviderError::NotFound(object.runtime_name.clone())),
            }
        })
        .await
    }

    async fn balance(
        &self,
        service: &DesiredObject,
        backends: &[ObservedObject],
    ) -> Result<(), ProviderError> {
        self.call(Op::Balance, &service.address, |inner| {
            if backends.is_empty() {
                inner.pools.remove(&service.address);
            } else {
                inner.pools.insert(
                    service.address.clone(),
                    backends.iter().map(|b| b.runtime_name.clone()).collect(),
                );
            }
            Ok(())
        })
        .await
    }

    async fn rename(
        &self,
        object: &ObservedObject,
        new_name: &str,
    ) -> Result<ObservedObject, ProviderError> {
        self.call(Op::Rename, &object.address, |inner| {
            if inner.objects.values().any(|o| o.runtime_name == new_name) {
                return Err(ProviderError::AlreadyExists(new_name.to_string()));
            }
            match inner.objects.get_mut(&object.id) {
                Some(o) => {
                    o.runtime_name = new_name.to_string();
                    Ok(o.clone())
                }
                None => Err(ProviderError::NotFound(object.runtime_name.clone())),
            }
        })
        .await
    }

    async fn health(&self, object: &ObservedObject) -> Result<Health, ProviderError> {
        self.call(Op::Health, &object.address, |inner| {
            if let Some(h) = inner.health.get(&object.address) {
                return Ok(h.clone());
            }
            let found = inner.objects.get(&object.id);
            if let Some(h) = found
                .and_then(|o| o.spec_hash.as_ref())
                .and_then(|hash| inner.health_of_spec.get(hash))
            {
                return Ok(h.clone());
            }
            if let Some((_, h)) = found.and_then(|o| o.applied.as_deref()).and_then(|a| {
                inner
                    .health_when_applied_contains
                    .iter()
                    .find(|(text, _)| a.contains(text.as_str()))
            }) {
                return Ok(h.clone());
            }
            match found {
                Some(o) if o.state == ObjectState::Present => Ok(Health::None),
                Some(o) if o.state == ObjectState::Running => Ok(Health::Healthy),
                Some(o) => Ok(Health::Unhealthy {
                    reason: format!("{:?}", o.state).to_lowercase(),
                }),
                None => Err(ProviderError::NotFound(object.runtime_name.clone())),
            }
        })
        .await
    }

    async fn logs(
        &self,
        object: &ObservedObject,
        options: &LogOptions,
    ) -> Result<LogLines, ProviderError> {
        let mut lines = self
            .call(Op::Logs, &object.address, |inner| {
                if !inner.objects.contains_key(&object.id) {
                    return Err(ProviderError::NotFound(object.runtime_name.clone()));
                }
                Ok(inner.logs.get(&object.address).cloned().unwrap_or_default())
            })
            .await?;
        if let Some(n) = options.tail {
            lines.drain(..lines.len().saturating_sub(n));
        }
        let lines = lines.into_iter().map(|text| {
            Ok(LogLine {
                stream: LogStream::Stdout,
                timestamp: None,
                text,
            })
        });
        Ok(Box::pin(futures::stream::iter(lines)))
    }

    /// Echoes the command to stdout and exits 0, when the object runs.
    async fn exec(
        &self,
        object: &ObservedObject,
        request: &ExecRequest,
        mut io: ExecIo,
    ) -> Result<i32, ProviderError> {
        use tokio::io::AsyncWriteExt;
        self.call(Op::Exec, &object.address, |inner| {
            match inner.objects.get(&object.id) {
                Some(o) if o.state == ObjectState::Running => Ok(()),
                Some(_) => Err(ProviderError::Runtime(format!(
                    "`{}` is not running",
                    object.runtime_name
                ))),
                None => Err(ProviderError::NotFound(object.runtime_name.clone())),
            }
        })
        .await?;
        let line = format!("{}\n", request.command.join(" "));
        io.stdout
            .write_all(line.as_bytes())
            .await
            .map_err(|e| ProviderError::Runtime(e.to_string()))?;
        Ok(0)
    }
}
