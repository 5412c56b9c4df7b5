//! A container's two records: `record.json`, written by the provider (what to run, resolved
//! at create and changed in place by `update`), and `state.json`, written by its shim (what is
//! happening). One writer each, so neither needs a lock.

use crate::cgroup::Limits;
use crate::error::{NativeError, Result};
use crate::store::{read_json, write_json, Meta, Store};
use serde::{Deserialize, Serialize};
use stackc_engine::model::container::RestartPolicy;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Everything the shim needs to run the container, resolved at create: no reference to the
/// engine's spec or to other records is left.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    /// Layer digests, bottom first.
    pub layers: Vec<String>,
    /// The image's id, for messages.
    pub image_id: String,
    pub args: Vec<String>,
    /// `KEY=value`, in order.
    pub env: Vec<String>,
    pub workdir: String,
    /// As written (`"1000"`, `"app:app"`, `"nobody"`); resolved in the image's `/etc/passwd`
    /// inside the container. `None`: root.
    pub user: Option<String>,
    pub hostname: String,
    pub network: NetMode,
    pub mounts: Vec<BindMount>,
    pub tmpfs: Vec<Tmpfs>,
    /// `file` blocks: sources under `files/`.
    pub files: Vec<BindMount>,
    /// `secret` blocks: sources under `secrets/`, a tmpfs.
    pub secrets: Vec<BindMount>,
    pub read_only: bool,
    /// The capability set (bit n = capability n).
    pub capabilities: u64,
    pub privileged: bool,
    /// name → limit (soft = hard).
    pub ulimits: BTreeMap<String, i64>,
    pub sysctls: BTreeMap<String, String>,
    pub init: bool,
    pub stop_signal: i32,
    pub stop_timeout_ms: u64,
    pub restart: RestartPolicy,
    pub max_restarts: Option<u32>,
    pub health: Option<HealthConfig>,
    pub limits: Limits,
    /// The cgroup, relative to each hierarchy's root.
    pub cgroup: String,
    /// The unified hierarchy the cgroup is in (v2); `None`: the machine's own, detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup_v2_root: Option<PathBuf>,
    pub oneshot: bool,
    /// Largest size of `log.json` before it is rotated.
    pub log_max_bytes: u64,
}

/// The container's network namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetMode {
    /// A new namespace with only loopback (`networks = []`, `network_mode = "none"`).
    #[default]
    Loopback,
    /// The host's namespace.
    Host,
    /// Another container's namespace (its id).
    Container(String),
    /// Its own persistent namespace on bridge networks (`container::netns`).
    Bridge(BridgeAttachments),
}

/// Where a container is on its networks, for its namespace, its `/etc/hosts` and those of
/// its neighbours.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgeAttachments {
    /// `/run/netns/stackc-<id>`.
    pub netns: PathBuf,
    /// Network runtime name → this container's address on it, first network first.
    pub addresses: Vec<(String, std::net::Ipv4Addr)>,
    /// The names it answers to: runtime name, block name, aliases.
    pub names: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindMount {
    pub source: PathBuf,
    pub target: String,
    pub readonly: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tmpfs {
    pub target: String,
    pub size: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Probe {
    Exec(Vec<String>),
    Http(String),
    Tcp(u16),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthConfig {
    pub probe: Probe,
    pub interval_ms: u64,
    pub timeout_ms: u64,
    pub retries: u32,
    pub start_period_ms: u64,
    pub restart_on_unhealthy: bool,
}

/// `record.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerRecord {
    #[serde(flatten)]
    pub meta: Meta,
    pub id: String,
    pub run: RunConfig,
}

/// What the container is doing, as its shim last wrote it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Created,
    Running,
    Restarting,
    Stopped,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Starting,
    Healthy,
    Unhealthy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthState {
    pub status: HealthStatus,
    pub failing_streak: u32,
    /// The last probe's output or error.
    pub last: String,
}

/// `state.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerState {
    pub status: Status,
    /// The shim's pid and start time (0: none), to tell it from a reused pid.
    pub shim_pid: i32,
    pub shim_start: u64,
    /// The container's first process, as the host sees it.
    pub pid: i32,
    pub restarts: u32,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub exit_code: Option<i32>,
    pub oom_killed: bool,
    /// Stopped by `stop`/`delete`, not by itself: no restart policy applies.
    pub stopped_by_user: bool,
    pub health: Option<HealthState>,
    /// Why the last start failed.
    pub error: Option<String>,
}

impl ContainerState {
    /// True when the recorded shim is still the live process it was.
    pub fn shim_alive(&self) -> bool {
        self.shim_pid > 0 && crate::sys::is_same_process(self.shim_pid, self.shim_start)
    }
}

pub fn record_path(dir: &Path) -> PathBuf {
    dir.join("record.json")
}

pub fn state_path(dir: &Path) -> PathBuf {
    dir.join("state.json")
}

pub fn load(store: &Store, id: &str) -> Result<ContainerRecord> {
    read_json(&record_path(&store.container(id)))?
        .ok_or_else(|| NativeError::NotFound(format!("the container {id}")))
}

pub fn save(store: &Store, record: &ContainerRecord) -> Result<()> {
    write_json(&record_path(&store.container(&record.id)), record)
}

pub fn load_state(dir: &Path) -> Result<ContainerState> {
    Ok(read_json(&state_path(dir))?.unwrap_or_default())
}

pub fn save_state(dir: &Path, state: &ContainerState) -> Result<()> {
    write_json(&state_path(dir), state)
}

/// [`save_state`] without the sync, for the shim's first note of a run (its pid), which
/// `start` waits for; the complete state follows, synced.
pub fn save_state_volatile(dir: &Path, state: &ContainerState) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(state).map_err(|e| NativeError::Record {
        path: state_path(dir).display().to_string(),
        source: e,
    })?;
    crate::store::write_atomic_volatile(&state_path(dir), &bytes)
}

/// Every container record (ids are 32 hex digits; `by-name` and stray files are skipped).
pub fn all(store: &Store) -> Result<Vec<ContainerRecord>> {
    let dir = store.containers();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .map_err(NativeError::io(&dir))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.len() != 32 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        if let Some(r) = read_json::<ContainerRecord>(&record_path(&entry.path()))? {
            out.push(r);
        }
    }
    Ok(out)
}

/// The layers every container uses, for garbage collection.
pub fn all_layers(store: &Store) -> Result<Vec<Vec<String>>> {
    Ok(all(store)?.into_iter().map(|r| r.run.layers).collect())
}

/// The id of the container with `runtime_name`, from the `by-name` link; only a container
/// whose record was written counts (a create killed before it left a name, not a container).
pub fn id_by_name(store: &Store, runtime_name: &str) -> Option<String> {
    std::fs::read_link(store.names().join(runtime_name))
        .ok()
        .map(|t| t.to_string_lossy().into_owned())
        .filter(|id| record_path(&store.container(id)).is_file())
}
