//! cgroups v1 and v2 behind one small interface: create a group, set its limits (and change
//! them in place), put a process in it, read the limits back, kill what is in it, remove it.
//!
//! Groups are named by a path relative to every hierarchy's root: `stackc/<stack>/<id>`, or
//! `stackc/<stack>/quota-<name>/<id>` under a quota. On v1 (including the hybrid layout, where
//! a controller-less v2 tree sits at `/sys/fs/cgroup/unified`) the group exists once per
//! controller hierarchy; on v2 once, with the controllers enabled down the path.

use crate::error::{NativeError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The limits of a group, in the engine's live-attribute forms (`model::live`): `0` or `""`
/// for "no limit".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Billionths of a CPU.
    pub cpus: u64,
    pub cpu_shares: u64,
    pub cpuset: String,
    /// Bytes.
    pub memory: u64,
    /// Memory plus swap, bytes (Docker's meaning).
    pub memory_swap: u64,
    pub pids: u64,
    /// 1..=10000 (v2's range).
    pub io_weight: u64,
}

/// The devices a container may use (runc's and Docker's defaults).
const DEVICE_RULES: &[&str] = &[
    "c *:* m",
    "b *:* m",
    "c 1:3 rwm",
    "c 1:5 rwm",
    "c 1:7 rwm",
    "c 1:8 rwm",
    "c 1:9 rwm",
    "c 5:0 rwm",
    "c 5:1 rwm",
    "c 5:2 rwm",
    "c 136:* rwm",
];

/// The CFS period every quota is written against (the kernel's default).
const PERIOD_US: u64 = 100_000;
/// v1 writes this page-rounded value for "no limit"; anything this large means none.
const V1_UNLIMITED: u64 = 1 << 62;

/// v1 controllers stackc places containers in.
const V1_CONTROLLERS: &[&str] = &[
    "cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "devices", "freezer",
];

#[derive(Clone, Debug, PartialEq, Eq)]
enum Layout {
    /// Each controller's mount point (co-mounted controllers share one).
    V1(Vec<(String, PathBuf)>),
    /// The unified hierarchy's mount point.
    V2(PathBuf),
}

/// The machine's cgroup hierarchies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cgroups {
    layout: Layout,
}

impl Cgroups {
    /// Finds the hierarchies in `/proc/self/mountinfo`: v1 controller mounts if there are any
    /// (legacy and hybrid layouts), else the v2 mount.
    pub fn detect() -> Result<Cgroups> {
        let path = Path::new("/proc/self/mountinfo");
        let text = std::fs::read_to_string(path).map_err(NativeError::io(path))?;
        let mut v1: Vec<(String, PathBuf)> = Vec::new();
        let mut v2 = None;
        for line in text.lines() {
            // "36 25 0:31 / /sys/fs/cgroup/memory rw,… shared:15 - cgroup cgroup rw,memory"
            let Some((left, right)) = line.split_once(" - ") else {
                continue;
            };
            let mount_point = left.split(' ').nth(4).unwrap_or_default();
            let mut right = right.split(' ');
            let fstype = right.next().unwrap_or_default();
            let options = right.nth(1).unwrap_or_default();
            match fstype {
                "cgroup" => {
                    for c in options.split(',') {
                        if V1_CONTROLLERS.contains(&c) && !v1.iter().any(|(n, _)| n == c) {
                            v1.push((c.to_string(), PathBuf::from(unescape(mount_point))));
                        }
                    }
                }
                "cgroup2" if v2.is_none() => v2 = Some(PathBuf::from(unescape(mount_point))),
                _ => {}
            }
        }
        if !v1.is_empty() {
            return Ok(Cgroups {
                layout: Layout::V1(v1),
            });
        }
        match v2 {
            Some(root) => Ok(Cgroups {
                layout: Layout::V2(root),
            }),
            None => Err(NativeError::failed(
                "finding cgroups",
                "no cgroup filesystem is mounted (looked in /proc/self/mountinfo)",
            )),
        }
    }

    /// The unified (v2) hierarchy mounted at `root`, whatever else is mounted: for tests of
    /// the v2 paths on a hybrid machine (`/sys/fs/cgroup/unified`).
    pub fn v2_at(root: &Path) -> Cgroups {
        Cgroups {
            layout: Layout::V2(root.to_path_buf()),
        }
    }

    /// The unified hierarchy's mount point, on v2.
    pub fn v2_root(&self) -> Option<&Path> {
        match &self.layout {
            Layout::V2(root) => Some(root),
            Layout::V1(_) => None,
        }
    }

    pub fn is_v2(&self) -> bool {
        matches!(self.layout, Layout::V2(_))
    }

    /// The group's directory in every hierarchy (one on v2), without duplicates.
    pub fn dirs(&self, rel: &str) -> Vec<PathBuf> {
        match &self.layout {
            Layout::V2(root) => vec![root.join(rel)],
            Layout::V1(mounts) => {
                let mut out: Vec<PathBuf> = Vec::new();
                for (_, m) in mounts {
                    let d = m.join(rel);
                    if !out.contains(&d) {
                        out.push(d);
                    }
                }
                out
            }
        }
    }

    /// The files a process writes its pid (or `0`, for itself) to, to join the group.
    pub fn procs_files(&self, rel: &str) -> Vec<PathBuf> {
        self.dirs(rel)
            .into_iter()
            .map(|d| d.join("cgroup.procs"))
            .collect()
    }

    fn controller_dir(&self, controller: &str, rel: &str) -> Option<PathBuf> {
        match &self.layout {
            Layout::V2(root) => Some(root.join(rel)),
            Layout::V1(mounts) => mounts
                .iter()
                .find(|(c, _)| c == controller)
                .map(|(_, m)| m.join(rel)),
        }
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.dirs(rel).iter().any(|d| d.is_dir())
    }

    /// Creates the group and every missing parent, making each usable: v1 cpusets start
    /// empty and are filled from the parent; v2 parents delegate their controllers.
    pub fn create(&self, rel: &str) -> Result<()> {
        // Another container of the stack may be removed meanwhile, taking the then-empty
        // `stackc/<stack>` with it between our mkdir of it and of its child: made again.
        let mut attempt = 0;
        loop {
            match self.create_once(rel) {
                Err(NativeError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound && attempt < 10 =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn create_once(&self, rel: &str) -> Result<()> {
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
        match &self.layout {
            Layout::V1(mounts) => {
                let mut done: Vec<&Path> = Vec::new();
                for (controller, mount) in mounts {
                    if done.contains(&mount.as_path()) {
                        continue;
                    }
                    done.push(mount);
                    let mut dir = mount.clone();
                    for part in &parts {
                        let parent = dir.clone();
                        dir.push(part);
                        make_dir(&dir)?;
                        if controller == "cpuset" || mount.to_string_lossy().contains("cpuset") {
                            inherit_cpuset(&parent, &dir)?;
                        }
                    }
                }
            }
            Layout::V2(root) => {
                let mut dir = root.clone();
                for part in &parts {
                    enable_controllers(&dir);
                    dir.push(part);
                    make_dir(&dir)?;
                }
            }
        }
        Ok(())
    }

    /// On v1: the `tasks` files a single-threaded process writes `0` to, to move itself. The
    /// kernel moves one thread without taking the global threadgroup lock, whose write side
    /// waits for an RCU grace period (~15 ms here) — most of a container's start time if the
    /// parent wrote the pid to `cgroup.procs` instead. `None` on v2 (threads cannot cross
    /// domains there; the parent writes `cgroup.procs`).
    pub fn self_move_files(&self, rel: &str) -> Option<Vec<PathBuf>> {
        match &self.layout {
            Layout::V1(_) => Some(
                self.dirs(rel)
                    .into_iter()
                    .map(|d| d.join("tasks"))
                    .collect(),
            ),
            Layout::V2(_) => None,
        }
    }

    /// Limits which devices the group may open (v1's devices controller), as Docker does:
    /// any node may be made (`mknod`) but only the standard ones (null, zero, full, random,
    /// urandom, tty, console, ptmx, ptys) may be read or written — with `MKNOD` in its default
    /// capabilities, a container could otherwise make and open the host's disks.
    /// `privileged`: every device. On v2 this needs a BPF device program, not attached yet.
    pub fn restrict_devices(&self, rel: &str, privileged: bool) -> Result<()> {
        let Some(d) = self
            .controller_dir("devices", rel)
            .filter(|_| !self.is_v2())
        else {
            return Ok(());
        };
        if privileged {
            return write(&d.join("devices.allow"), "a");
        }
        write(&d.join("devices.deny"), "a")?;
        for rule in DEVICE_RULES {
            write(&d.join("devices.allow"), rule)?;
        }
        Ok(())
    }

    /// Puts the process `pid` in the group.
    pub fn add(&self, rel: &str, pid: i32) -> Result<()> {
        for file in self.procs_files(rel) {
            write(&file, &pid.to_string())?;
        }
        Ok(())
    }

    /// Sets every limit: unset ones are written as "no limit", so a removed limit goes.
    pub fn apply(&self, rel: &str, l: &Limits) -> Result<()> {
        match &self.layout {
            Layout::V1(_) => self.apply_v1(rel, l),
            Layout::V2(root) => apply_v2(&root.join(rel), l),
        }
    }

    fn apply_v1(&self, rel: &str, l: &Limits) -> Result<()> {
        if let Some(d) = self.controller_dir("cpu", rel) {
            write(&d.join("cpu.cfs_period_us"), &PERIOD_US.to_string())?;
            let quota = if l.cpus == 0 {
                "-1".to_string()
            } else {
                (l.cpus * PERIOD_US / 1_000_000_000).max(1000).to_string()
            };
            write(&d.join("cpu.cfs_quota_us"), &quota)?;
            let shares = if l.cpu_shares == 0 {
                1024
            } else {
                l.cpu_shares
            };
            write(&d.join("cpu.shares"), &shares.to_string())?;
        }
        if let Some(d) = self.controller_dir("cpuset", rel) {
            let cpus = if l.cpuset.is_empty() {
                read_trim(&d.parent().unwrap_or(&d).join("cpuset.cpus")).unwrap_or_default()
            } else {
                l.cpuset.clone()
            };
            if !cpus.is_empty() {
                write(&d.join("cpuset.cpus"), &cpus)?;
            }
        }
        if let Some(d) = self.controller_dir("memory", rel) {
            let memsw = d.join("memory.memsw.limit_in_bytes");
            let has_swap_accounting = memsw.exists();
            // memsw must stay at least the memory limit at every step: lift it first, set the
            // memory limit, then lower it to what is wanted.
            if has_swap_accounting {
                write(&memsw, "-1")?;
            }
            let memory = if l.memory == 0 {
                "-1".to_string()
            } else {
                l.memory.to_string()
            };
            write(&d.join("memory.limit_in_bytes"), &memory)?;
            if has_swap_accounting && l.memory > 0 && l.memory_swap > 0 {
                write(&memsw, &l.memory_swap.to_string())?;
            }
        }
        if let Some(d) = self.controller_dir("pids", rel) {
            write(&d.join("pids.max"), &max_or(l.pids))?;
        }
        if let Some(d) = self.controller_dir("blkio", rel) {
            // v1 weights go from 10 to 1000; only kernels with a proportional I/O scheduler
            // have the file at all.
            for name in ["blkio.weight", "blkio.bfq.weight"] {
                let f = d.join(name);
                if f.exists() {
                    let w = if l.io_weight == 0 {
                        500
                    } else {
                        v1_weight(l.io_weight)
                    };
                    let _ = write(&f, &w.to_string());
                    break;
                }
            }
        }
        Ok(())
    }

    /// The limits in force, read from the group; `recorded` fills what the kernel cannot show
    /// (no swap accounting, no proportional I/O) and tells a converted value that still
    /// matches from a changed one. `None` when the group does not exist.
    pub fn read(&self, rel: &str, recorded: &Limits) -> Option<Limits> {
        if !self.exists(rel) {
            return None;
        }
        let mut out = recorded.clone();
        match &self.layout {
            Layout::V1(_) => {
                if let Some(d) = self.controller_dir("cpu", rel) {
                    let quota: i64 = read_num(&d.join("cpu.cfs_quota_us")).unwrap_or(-1);
                    let period: i64 = read_num(&d.join("cpu.cfs_period_us")).unwrap_or(0);
                    out.cpus = if quota > 0 && period > 0 {
                        let nanos = quota as u64 * 1_000_000_000 / period as u64;
                        // The written quota was rounded to whole microseconds.
                        if nanos.abs_diff(recorded.cpus) < 1_000_000_000 / period as u64 * 2 {
                            recorded.cpus
                        } else {
                            nanos
                        }
                    } else {
                        0
                    };
                    let shares: u64 = read_num(&d.join("cpu.shares")).unwrap_or(1024);
                    out.cpu_shares = if shares == 1024 && recorded.cpu_shares == 0 {
                        0
                    } else {
                        shares
                    };
                }
                if let Some(d) = self.controller_dir("cpuset", rel) {
                    let cpus = read_trim(&d.join("cpuset.cpus")).unwrap_or_default();
                    let parent = read_trim(&d.parent().unwrap_or(&d).join("cpuset.cpus"))
                        .unwrap_or_default();
                    out.cpuset = if recorded.cpuset.is_empty() && cpus == parent {
                        String::new()
                    } else if same_cpuset(&cpus, &recorded.cpuset) {
                        recorded.cpuset.clone()
                    } else {
                        cpus
                    };
                }
                if let Some(d) = self.controller_dir("memory", rel) {
                    let limit = |f: &str| {
                        read_num::<u64>(&d.join(f)).map(|v| if v >= V1_UNLIMITED { 0 } else { v })
                    };
                    if let Some(m) = limit("memory.limit_in_bytes") {
                        out.memory = m;
                    }
                    if let Some(s) = limit("memory.memsw.limit_in_bytes") {
                        out.memory_swap = s;
                    }
                }
                if let Some(d) = self.controller_dir("pids", rel) {
                    out.pids = read_max(&d.join("pids.max")).unwrap_or(recorded.pids);
                }
            }
            Layout::V2(root) => {
                let d = root.join(rel);
                if let Some(text) = read_trim(&d.join("cpu.max")) {
                    let mut it = text.split_whitespace();
                    let quota = it.next().unwrap_or("max");
                    let period: u64 = it.next().and_then(|p| p.parse().ok()).unwrap_or(PERIOD_US);
                    out.cpus = match quota.parse::<u64>() {
                        Ok(q) if period > 0 => {
                            let nanos = q * 1_000_000_000 / period;
                            if nanos.abs_diff(recorded.cpus) < 1_000_000_000 / period * 2 {
                                recorded.cpus
                            } else {
                                nanos
                            }
                        }
                        _ => 0,
                    };
                }
                if let Some(w) = read_num::<u64>(&d.join("cpu.weight")) {
                    out.cpu_shares = if w == shares_to_weight(recorded.cpu_shares) {
                        recorded.cpu_shares
                    } else {
                        weight_to_shares(w)
                    };
                }
                if let Some(cpus) = read_trim(&d.join("cpuset.cpus")) {
                    out.cpuset = if same_cpuset(&cpus, &recorded.cpuset) {
                        recorded.cpuset.clone()
                    } else {
                        cpus
                    };
                }
                if let Some(m) = read_max(&d.join("memory.max")) {
                    out.memory = m;
                }
                if let Some(s) = read_max(&d.join("memory.swap.max")) {
                    out.memory_swap = if s == 0 && recorded.memory_swap == 0 {
                        0
                    } else {
                        s + out.memory
                    };
                }
                if let Some(p) = read_max(&d.join("pids.max")) {
                    out.pids = p;
                }
                if let Some(text) = read_trim(&d.join("io.weight")) {
                    let w: u64 = text
                        .split_whitespace()
                        .nth(1)
                        .and_then(|w| w.parse().ok())
                        .unwrap_or(100);
                    out.io_weight = if w == 100 && recorded.io_weight == 0 {
                        0
                    } else {
                        w
                    };
                }
            }
        }
        Some(out)
    }

    /// The processes in the group.
    pub fn procs(&self, rel: &str) -> Vec<i32> {
        let mut out = Vec::new();
        for f in self.procs_files(rel) {
            if let Ok(text) = std::fs::read_to_string(&f) {
                for pid in text.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                    if !out.contains(&pid) {
                        out.push(pid);
                    }
                }
            }
        }
        out
    }

    /// Kills every process in the group and waits (up to a second) until it is empty.
    pub fn kill_all(&self, rel: &str) {
        if let Layout::V2(root) = &self.layout {
            let _ = write(&root.join(rel).join("cgroup.kill"), "1");
        }
        for _ in 0..200 {
            let procs = self.procs(rel);
            if procs.is_empty() {
                return;
            }
            for pid in procs {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// How often the kernel's OOM killer killed a process of the group.
    pub fn oom_kills(&self, rel: &str) -> u64 {
        let Some(d) = self.controller_dir("memory", rel) else {
            return 0;
        };
        let file = if self.is_v2() {
            d.join("memory.events")
        } else {
            d.join("memory.oom_control")
        };
        std::fs::read_to_string(file)
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("oom_kill "))
                    .and_then(|n| n.trim().parse().ok())
            })
            .unwrap_or(0)
    }

    /// Removes the (empty) group, then each parent below `stackc` that nothing else uses.
    pub fn remove(&self, rel: &str) -> Result<()> {
        for dir in self.dirs(rel) {
            remove_dir(&dir)?;
            let mut parent = dir.parent().map(Path::to_path_buf);
            // Parents: `stackc/<stack>` (and a quota's group, which its record removes) go
            // when empty; rmdir fails harmlessly while something else is inside.
            for _ in 0..3 {
                let Some(p) = parent else { break };
                // `stackc` itself is shared by every stack and stays: removing it would race
                // with another stack making its first group.
                if p.file_name().is_none_or(|n| n == "stackc") {
                    break;
                }
                match std::fs::remove_dir(&p) {
                    // Already gone (the shim removed it): the level above may still go.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(_) => break,
                    Ok(()) => {}
                }
                parent = p.parent().map(Path::to_path_buf);
            }
        }
        Ok(())
    }

    /// Removes a group without touching its parents (a quota's group).
    pub fn remove_only(&self, rel: &str) -> Result<()> {
        for dir in self.dirs(rel) {
            remove_dir(&dir)?;
        }
        Ok(())
    }
}

/// `rmdir` of a group, retried while its last processes finish exiting.
fn remove_dir(dir: &Path) -> Result<()> {
    for attempt in 0..100 {
        match std::fs::remove_dir(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) && attempt < 99 => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => {
                return Err(NativeError::Io {
                    path: dir.display().to_string(),
                    source: e,
                })
            }
        }
    }
    Ok(())
}

fn apply_v2(d: &Path, l: &Limits) -> Result<()> {
    let cpu_max = if l.cpus == 0 {
        format!("max {PERIOD_US}")
    } else {
        format!(
            "{} {PERIOD_US}",
            (l.cpus * PERIOD_US / 1_000_000_000).max(1000)
        )
    };
    write_if_exists(&d.join("cpu.max"), &cpu_max)?;
    write_if_exists(
        &d.join("cpu.weight"),
        &shares_to_weight(l.cpu_shares).to_string(),
    )?;
    write_if_exists(&d.join("cpuset.cpus"), &l.cpuset)?;
    write_if_exists(&d.join("memory.max"), &max_or(l.memory))?;
    let swap = if l.memory > 0 && l.memory_swap > 0 {
        l.memory_swap.saturating_sub(l.memory).to_string()
    } else {
        "max".to_string()
    };
    write_if_exists(&d.join("memory.swap.max"), &swap)?;
    write_if_exists(&d.join("pids.max"), &max_or(l.pids))?;
    let weight = if l.io_weight == 0 { 100 } else { l.io_weight };
    write_if_exists(&d.join("io.weight"), &format!("default {weight}"))?;
    Ok(())
}

/// runc's conversion of v1 CPU shares (2..=262144) to v2 weights (1..=10000).
fn shares_to_weight(shares: u64) -> u64 {
    if shares == 0 {
        return 100;
    }
    1 + (shares.clamp(2, 262_144) - 2) * 9999 / 262_142
}

fn weight_to_shares(weight: u64) -> u64 {
    2 + (weight.clamp(1, 10_000) - 1) * 262_142 / 9999
}

/// v2's I/O weight range (1..=10000) onto v1's (10..=1000).
fn v1_weight(w: u64) -> u64 {
    (w / 10).clamp(10, 1000)
}

fn max_or(v: u64) -> String {
    if v == 0 {
        "max".to_string()
    } else {
        v.to_string()
    }
}

fn same_cpuset(a: &str, b: &str) -> bool {
    expand_cpuset(a) == expand_cpuset(b)
}

/// `"0-2,5"` → `[0, 1, 2, 5]`, to compare cpusets the kernel rewrote (`"0,1"` reads `"0-1"`).
fn expand_cpuset(s: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                    out.extend(a..=b.min(a.saturating_add(4096)));
                }
            }
            None => out.extend(part.parse::<u32>().ok()),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn make_dir(dir: &Path) -> Result<()> {
    match std::fs::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(NativeError::Io {
            path: dir.display().to_string(),
            source: e,
        }),
    }
}

/// A new v1 cpuset has no CPUs and no memory nodes, and takes no process until given some.
fn inherit_cpuset(parent: &Path, dir: &Path) -> Result<()> {
    for file in ["cpuset.cpus", "cpuset.mems"] {
        let mine = read_trim(&dir.join(file)).unwrap_or_default();
        if mine.is_empty() {
            if let Some(theirs) = read_trim(&parent.join(file)) {
                write(&dir.join(file), &theirs)?;
            }
        }
    }
    Ok(())
}

/// Delegates the parent's controllers to its children (v2); a controller the parent lacks is
/// skipped, one at a time so that one missing controller does not block the others.
fn enable_controllers(dir: &Path) {
    let available = read_trim(&dir.join("cgroup.controllers")).unwrap_or_default();
    let enabled = read_trim(&dir.join("cgroup.subtree_control")).unwrap_or_default();
    for c in ["cpu", "cpuset", "memory", "pids", "io"] {
        if available.split_whitespace().any(|a| a == c)
            && !enabled.split_whitespace().any(|a| a == c)
        {
            let _ = write(&dir.join("cgroup.subtree_control"), &format!("+{c}"));
        }
    }
}

fn write(path: &Path, value: &str) -> Result<()> {
    std::fs::write(path, value).map_err(NativeError::io(path))
}

fn write_if_exists(path: &Path, value: &str) -> Result<()> {
    if path.exists() {
        write(path, value)
    } else {
        Ok(())
    }
}

fn read_trim(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

fn read_num<T: std::str::FromStr>(path: &Path) -> Option<T> {
    read_trim(path)?.parse().ok()
}

/// A v2-style value where `max` means no limit (0).
fn read_max(path: &Path) -> Option<u64> {
    let s = read_trim(path)?;
    if s == "max" {
        Some(0)
    } else {
        s.parse().ok()
    }
}

/// Mount points in mountinfo escape spaces and a few other bytes as `\ooo`.
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 4 <= bytes.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 4], 8) {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The group of a container: `stackc/<stack>/<id>`, or below its quota's group.
pub fn container_path(stack: &str, quota: Option<&str>, id: &str) -> String {
    match quota {
        Some(q) => format!("stackc/{}/quota-{}/{id}", clean(stack), clean(q)),
        None => format!("stackc/{}/{id}", clean(stack)),
    }
}

/// The group of a quota.
pub fn quota_path(stack: &str, quota: &str) -> String {
    format!("stackc/{}/quota-{}", clean(stack), clean(quota))
}

/// A stack or quota name as one path component.
fn clean(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s == "." || s == ".." {
        "_".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_round_trip_closely() {
        assert_eq!(shares_to_weight(1024), 39);
        assert_eq!(shares_to_weight(0), 100);
        assert_eq!(shares_to_weight(2), 1);
        assert_eq!(weight_to_shares(1), 2);
    }

    #[test]
    fn cpusets_compare_by_meaning() {
        assert!(same_cpuset("0-1", "0,1"));
        assert!(!same_cpuset("0", "0,1"));
        assert_eq!(expand_cpuset("0-2,5"), vec![0, 1, 2, 5]);
    }

    #[test]
    fn mountinfo_escapes() {
        assert_eq!(unescape("/a\\040b"), "/a b");
        assert_eq!(unescape("/plain"), "/plain");
    }

    #[test]
    fn names_stay_one_component() {
        assert_eq!(container_path("shop", None, "abc"), "stackc/shop/abc");
        assert_eq!(
            container_path("../x", Some("t/1"), "i"),
            "stackc/.._x/quota-t_1/i"
        );
    }
}
