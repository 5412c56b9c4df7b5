//! Quotas on Docker: a parent cgroup `stackc-docker/<stack>/quota-<name>` with the quota's
//! aggregate cpu, memory and pids limits, given to each member as its `cgroup_parent`, so the
//! kernel holds the total even when one member's own limit is raised outside stackc. That
//! needs the daemon on this host with the `cgroupfs` driver (with systemd's, Docker wants a
//! slice name and systemd owns the tree); otherwise a quota is checked at plan time only, and
//! the plan says so.
//!
//! Docker has no object to hang a quota's labels on, so its record is a file under
//! `/var/lib/stackc/docker/quotas`, written whole (temp file, fsync, rename).

use crate::error::DockerError;
use serde::{Deserialize, Serialize};
use stackc_engine::model::{ResourceKind, ResourceSpec};
use stackc_engine::provider::{DesiredObject, ObjectState, ObservedObject, LABEL_SPEC_HASH};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where quota records live.
const RECORDS: &str = "/var/lib/stackc/docker/quotas";
/// The v1 hierarchies (or the v2 tree) under which quota groups are made.
const CGROUP_ROOT: &str = "/sys/fs/cgroup";
/// Docker's cfs period, which `--cpus` uses too.
const CPU_PERIOD_US: u64 = 100_000;

/// Whether quotas are enforced by the kernel here, and why not.
#[derive(Clone, Debug, Default)]
pub(crate) struct Mode {
    /// `None`: enforced; `Some(why)`: plan-time admission only.
    pub not_enforced: Option<String>,
    pub v2: bool,
}

impl Mode {
    pub(crate) fn from_info(info: &bollard::models::SystemInfo, local: bool) -> Mode {
        let v2 = info.cgroup_version == Some(bollard::models::SystemInfoCgroupVersionEnum::_2);
        let driver = info
            .cgroup_driver
            .map(|d| d.to_string())
            .unwrap_or_default();
        let not_enforced = if !local {
            Some("the Docker daemon is not on this host".to_string())
        } else if driver != "cgroupfs" {
            Some(format!(
                "the Docker daemon uses the {driver} cgroup driver, not cgroupfs"
            ))
        } else {
            None
        };
        Mode { not_enforced, v2 }
    }
}

/// A quota's record.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Record {
    address: String,
    runtime_name: String,
    labels: BTreeMap<String, String>,
    applied: String,
    /// The group, relative to each hierarchy; `None` when not enforced.
    cgroup: Option<String>,
}

/// The `cgroup_parent` of a member of the quota named `runtime_name` in `stack`.
pub(crate) fn cgroup_parent(stack: &str, runtime_name: &str) -> String {
    format!("/{}", group(stack, runtime_name))
}

fn group(stack: &str, runtime_name: &str) -> String {
    format!("stackc-docker/{stack}/quota-{runtime_name}")
}

/// True when the quota `runtime_name` has a group (it is enforced here).
pub(crate) fn is_enforced(runtime_name: &str) -> bool {
    load(&record_path(runtime_name))
        .ok()
        .flatten()
        .is_some_and(|r| r.cgroup.is_some())
}

fn record_path(runtime_name: &str) -> PathBuf {
    Path::new(RECORDS).join(format!("{runtime_name}.json"))
}

pub(crate) fn create(mode: &Mode, desired: &DesiredObject) -> Result<ObservedObject, DockerError> {
    let cgroup = match &mode.not_enforced {
        None => {
            let g = group(desired.stack(), &desired.runtime_name);
            apply_limits(mode, &g, desired)?;
            Some(g)
        }
        Some(_) => None,
    };
    let record = Record {
        address: desired.address.clone(),
        runtime_name: desired.runtime_name.clone(),
        labels: desired.labels.clone(),
        applied: desired.applied.clone(),
        cgroup,
    };
    save(&record)?;
    Ok(observed(&record))
}

/// New limits, in place: members keep running.
pub(crate) fn update(mode: &Mode, desired: &DesiredObject) -> Result<ObservedObject, DockerError> {
    create(mode, desired)
}

pub(crate) fn delete(mode: &Mode, object: &ObservedObject) -> Result<(), DockerError> {
    let path = record_path(&object.runtime_name);
    let record: Option<Record> = load(&path)?;
    if let Some(g) = record.and_then(|r| r.cgroup) {
        for dir in dirs(mode, &g) {
            remove_group(&dir)?;
            // `stackc-docker/<stack>` goes with its last quota.
            if let Some(parent) = dir.parent() {
                let _ = std::fs::remove_dir(parent);
            }
        }
    }
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(DockerError::io(&path)(e)),
    }
}

pub(crate) fn observe(stack: &str) -> Result<Vec<ObservedObject>, DockerError> {
    let dir = Path::new(RECORDS);
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(DockerError::io(dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        if let Some(r) = load(&path)? {
            if r.labels
                .get(stackc_engine::provider::LABEL_STACK)
                .map(String::as_str)
                == Some(stack)
            {
                out.push(observed(&r));
            }
        }
    }
    Ok(out)
}

fn observed(r: &Record) -> ObservedObject {
    ObservedObject {
        address: r.address.clone(),
        kind: ResourceKind::Quota,
        id: r.runtime_name.clone(),
        runtime_name: r.runtime_name.clone(),
        spec_hash: r.labels.get(LABEL_SPEC_HASH).cloned(),
        state: ObjectState::Present,
        labels: r.labels.clone(),
        applied: Some(r.applied.clone()),
        ..ObservedObject::default()
    }
}

/// The group's directory in each hierarchy that holds a limit.
fn dirs(mode: &Mode, group: &str) -> Vec<PathBuf> {
    if mode.v2 {
        vec![Path::new(CGROUP_ROOT).join(group)]
    } else {
        ["memory", "cpu", "pids"]
            .iter()
            .map(|c| Path::new(CGROUP_ROOT).join(c).join(group))
            .collect()
    }
}

fn apply_limits(mode: &Mode, group: &str, desired: &DesiredObject) -> Result<(), DockerError> {
    let ResourceSpec::Quota(q) = &desired.spec else {
        return Err(DockerError::Unsupported(format!(
            "{} is not a quota",
            desired.address
        )));
    };
    let memory = q.memory.as_ref().map(|m| m.bytes());
    let cpus = q.cpus.as_ref().map(|c| c.nanos());
    let pids = q.pids;
    if mode.v2 {
        let root = Path::new(CGROUP_ROOT);
        // Each level delegates the controllers to the next.
        let mut dir = root.to_path_buf();
        for part in group.split('/') {
            let _ = write(&dir.join("cgroup.subtree_control"), "+cpu +memory +pids");
            dir.push(part);
            make_dir(&dir)?;
        }
        write(
            &dir.join("memory.max"),
            &memory.map_or("max".to_string(), |m| m.to_string()),
        )?;
        write(
            &dir.join("cpu.max"),
            &match cpus {
                Some(n) => format!("{} {CPU_PERIOD_US}", n * CPU_PERIOD_US / 1_000_000_000),
                None => format!("max {CPU_PERIOD_US}"),
            },
        )?;
        write(
            &dir.join("pids.max"),
            &pids.map_or("max".to_string(), |p| p.to_string()),
        )?;
        return Ok(());
    }
    let [memory_dir, cpu_dir, pids_dir] = [
        Path::new(CGROUP_ROOT).join("memory").join(group),
        Path::new(CGROUP_ROOT).join("cpu").join(group),
        Path::new(CGROUP_ROOT).join("pids").join(group),
    ];
    for d in [&memory_dir, &cpu_dir, &pids_dir] {
        make_dirs(d)?;
    }
    write(
        &memory_dir.join("memory.limit_in_bytes"),
        &memory.map_or("-1".to_string(), |m| m.to_string()),
    )?;
    write(
        &cpu_dir.join("cpu.cfs_period_us"),
        &CPU_PERIOD_US.to_string(),
    )?;
    write(
        &cpu_dir.join("cpu.cfs_quota_us"),
        &cpus.map_or("-1".to_string(), |n| {
            (n * CPU_PERIOD_US / 1_000_000_000).to_string()
        }),
    )?;
    write(
        &pids_dir.join("pids.max"),
        &pids.map_or("max".to_string(), |p| p.to_string()),
    )?;
    Ok(())
}

fn make_dir(dir: &Path) -> Result<(), DockerError> {
    match std::fs::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(DockerError::io(dir)(e)),
    }
}

fn make_dirs(dir: &Path) -> Result<(), DockerError> {
    std::fs::create_dir_all(dir).map_err(DockerError::io(dir))
}

fn write(path: &Path, value: &str) -> Result<(), DockerError> {
    std::fs::write(path, value).map_err(|e| {
        DockerError::Balance(format!(
            "cannot set a quota's limit ({} = {value}): {e}",
            path.display()
        ))
    })
}

/// `rmdir` of a group, retried while the last members' processes finish exiting.
fn remove_group(dir: &Path) -> Result<(), DockerError> {
    for attempt in 0..100 {
        match std::fs::remove_dir(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) if e.raw_os_error() == Some(16) && attempt < 99 => {
                // EBUSY: a member is still leaving.
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) => return Err(DockerError::io(dir)(e)),
        }
    }
    Ok(())
}

fn load(path: &Path) -> Result<Option<Record>, DockerError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DockerError::io(path)(e)),
    }
}

/// Written whole: a temporary file, synced, renamed over the record.
fn save(record: &Record) -> Result<(), DockerError> {
    let dir = Path::new(RECORDS);
    std::fs::create_dir_all(dir).map_err(DockerError::io(dir))?;
    let path = record_path(&record.runtime_name);
    let tmp = path.with_extension("json.tmp");
    let bytes = serde_json::to_vec_pretty(record)
        .map_err(|e| DockerError::Balance(format!("cannot encode the quota record: {e}")))?;
    let mut f = std::fs::File::create(&tmp).map_err(DockerError::io(&tmp))?;
    f.write_all(&bytes).map_err(DockerError::io(&tmp))?;
    f.sync_all().map_err(DockerError::io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(DockerError::io(&path))
}
