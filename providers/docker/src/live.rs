//! The live attributes ([`live`]) as Docker shows them: read from a container's `HostConfig`,
//! predicted for a desired spec ([`expected`]), and written by `docker update`.
//!
//! Docker departs from the spec's forms in three ways, each handled here so that a container
//! made from a spec observes exactly as [`expected`] says (a test checks it on the daemon):
//! - it sets memory-plus-swap to twice the memory when only the memory is limited;
//! - it *discards* a limit the host cannot enforce (with a warning on create), so the
//!   container shows 0 where the spec has a value ([`Enforced`]);
//! - `docker update` ignores a zero, so it cannot lift a CPU, memory, shares, cpuset or I/O
//!   weight limit from an existing container ([`unliftable`]).

use bollard::models::{ContainerUpdateBody, HostConfig, RestartPolicy, RestartPolicyNameEnum};
use serde_json::Value;
use stackc_engine::model::container::{ContainerSpec, RestartPolicy as Policy};
use stackc_engine::model::live;
use stackc_engine::model::ResourceSpec;
use std::collections::BTreeMap;

/// Which limits the daemon's host enforces; Docker silently stores 0 for the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Enforced {
    pub memory: bool,
    pub swap: bool,
    pub pids: bool,
    pub cpu_shares: bool,
    pub cpuset: bool,
    pub io_weight: bool,
}

impl Default for Enforced {
    /// What a daemon that says nothing is assumed to enforce: everything.
    fn default() -> Enforced {
        Enforced {
            memory: true,
            swap: true,
            pids: true,
            cpu_shares: true,
            cpuset: true,
            io_weight: true,
        }
    }
}

impl Enforced {
    /// From `docker info`, and for the I/O weight (which `info` does not report) from this
    /// host's cgroups when the daemon is `local`; a remote daemon is trusted to enforce it.
    pub(crate) fn from_info(info: &bollard::models::SystemInfo, local: bool) -> Enforced {
        let yes = |b: Option<bool>| b.unwrap_or(true);
        let v2 = info.cgroup_version == Some(bollard::models::SystemInfoCgroupVersionEnum::_2);
        Enforced {
            memory: yes(info.memory_limit),
            swap: yes(info.swap_limit),
            pids: yes(info.pids_limit),
            cpu_shares: yes(info.cpu_shares),
            cpuset: yes(info.cpu_set),
            io_weight: !local || io_weight_supported(v2),
        }
    }
}

/// Docker's own test (pkg/sysinfo): cgroup v1 needs `blkio.weight` in the blkio hierarchy
/// (hosts with the mq-deadline or BFQ schedulers lack it); v2 needs the `io` controller.
fn io_weight_supported(v2: bool) -> bool {
    if v2 {
        return std::fs::read_to_string("/sys/fs/cgroup/cgroup.controllers")
            .map(|c| c.split_whitespace().any(|c| c == "io"))
            .unwrap_or(true);
    }
    let Ok(mountinfo) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return true;
    };
    mountinfo
        .lines()
        .filter_map(|line| {
            // `… mount-point options - fstype source super-options`
            let (left, right) = line.split_once(" - ")?;
            let mut r = right.split_whitespace();
            let (fstype, _, options) = (r.next()?, r.next()?, r.next()?);
            let point = left.split_whitespace().nth(4)?;
            (fstype == "cgroup" && options.split(',').any(|o| o == "blkio")).then_some(point)
        })
        .any(|point| std::path::Path::new(point).join("blkio.weight").exists())
}

fn u(v: Option<&Value>) -> u64 {
    v.and_then(Value::as_u64).unwrap_or(0)
}

/// The live attributes a container made from `spec` shows on this daemon.
pub(crate) fn expected(spec: &ResourceSpec, enforced: &Enforced) -> BTreeMap<String, Value> {
    let mut out = live::attributes(spec);
    if out.is_empty() {
        return out;
    }
    let memory = if enforced.memory {
        u(out.get(live::MEMORY))
    } else {
        0
    };
    let swap = match u(out.get(live::MEMORY_SWAP)) {
        // No memory limit, or no swap accounting: Docker stores -1 (unlimited swap).
        _ if memory == 0 || !enforced.swap => 0,
        0 => memory * 2,
        set => set,
    };
    out.insert(live::MEMORY.into(), memory.into());
    out.insert(live::MEMORY_SWAP.into(), swap.into());
    let mut discard = |key: &str, enforced: bool, none: Value| {
        if !enforced {
            out.insert(key.into(), none);
        }
    };
    discard(live::PIDS, enforced.pids, 0.into());
    discard(live::CPU_SHARES, enforced.cpu_shares, 0.into());
    discard(live::CPUSET, enforced.cpuset, "".into());
    discard(live::IO_WEIGHT, enforced.io_weight, 0.into());
    // Docker keeps a retry count only for on-failure (the engine refuses it elsewhere).
    if out.get(live::RESTART).and_then(Value::as_str) != Some("on-failure") {
        out.insert(live::MAX_RESTARTS.into(), 0.into());
    }
    out
}

/// The live attributes in [`live`]'s forms, from an inspected container.
pub(crate) fn read(h: &HostConfig) -> BTreeMap<String, Value> {
    let pos = |v: Option<i64>| v.filter(|v| *v > 0).unwrap_or(0) as u64;
    // A quota set with `docker update --cpus` is NanoCpus; one set with --cpu-quota (and
    // perhaps --cpu-period, whose 0 means the kernel's 100 ms) is the same limit in
    // another form.
    let nanos = match (h.nano_cpus, pos(h.cpu_quota), pos(h.cpu_period)) {
        (Some(n), _, _) if n > 0 => n as u64,
        (_, q, p) if q > 0 => q.saturating_mul(1_000_000_000) / if p > 0 { p } else { 100_000 },
        _ => 0,
    };
    let restart = h.restart_policy.clone().unwrap_or_default();
    let restart_name = restart
        .name
        .map(|n| n.to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "no".to_string());
    BTreeMap::from([
        (live::CPUS.to_string(), nanos.into()),
        (live::MEMORY.to_string(), pos(h.memory).into()),
        (live::MEMORY_SWAP.to_string(), pos(h.memory_swap).into()),
        (live::PIDS.to_string(), pos(h.pids_limit).into()),
        (live::CPU_SHARES.to_string(), pos(h.cpu_shares).into()),
        (
            live::CPUSET.to_string(),
            h.cpuset_cpus.clone().unwrap_or_default().into(),
        ),
        (
            live::IO_WEIGHT.to_string(),
            u64::from(h.blkio_weight.unwrap_or(0)).into(),
        ),
        (live::RESTART.to_string(), restart_name.into()),
        (
            live::MAX_RESTARTS.to_string(),
            pos(restart.maximum_retry_count).into(),
        ),
    ])
}

pub(crate) fn restart_policy(c: &ContainerSpec) -> RestartPolicy {
    let (name, max) = match c.restart_policy() {
        Policy::No => (RestartPolicyNameEnum::NO, None),
        Policy::Always => (RestartPolicyNameEnum::ALWAYS, None),
        Policy::UnlessStopped => (RestartPolicyNameEnum::UNLESS_STOPPED, None),
        Policy::OnFailure => (
            RestartPolicyNameEnum::ON_FAILURE,
            c.max_restarts.map(i64::from),
        ),
    };
    RestartPolicy {
        name: Some(name),
        maximum_retry_count: max,
    }
}

/// The limits `docker update` would have to lift to go from `have` to the spec `c`: it
/// ignores zeros, so only a new container can lose them. Memory-plus-swap and pids take -1
/// for "no limit" and are not among them.
pub(crate) fn unliftable(have: &BTreeMap<String, Value>, c: &ContainerSpec) -> Vec<&'static str> {
    let want = live::container(c);
    let set = |m: &BTreeMap<String, Value>, k: &str| match m.get(k) {
        Some(Value::Number(n)) => n.as_u64() != Some(0),
        Some(Value::String(s)) => !s.is_empty(),
        _ => false,
    };
    [
        live::CPUS,
        live::MEMORY,
        live::CPU_SHARES,
        live::CPUSET,
        live::IO_WEIGHT,
    ]
    .into_iter()
    .filter(|k| set(have, k) && !set(&want, k))
    .collect()
}

/// The `docker update` that sets `c`'s limits and restart policy.
pub(crate) fn update_body(c: &ContainerSpec) -> ContainerUpdateBody {
    let r = c.resources.clone().unwrap_or_default();
    let memory = r.memory.as_ref().map_or(0, |m| m.bytes() as i64);
    ContainerUpdateBody {
        nano_cpus: Some(r.cpus.as_ref().map_or(0, |c| c.nanos() as i64)),
        memory: Some(memory),
        // Said explicitly, or Docker would keep the old swap limit, which a new memory limit
        // above it makes invalid.
        memory_swap: Some(match &r.memory_swap {
            Some(s) => s.bytes() as i64,
            None if memory > 0 => memory * 2,
            None => -1,
        }),
        pids_limit: Some(r.pids.map_or(-1, |p| p as i64)),
        cpu_shares: Some(r.cpu_shares.map_or(0, |s| s as i64)),
        cpuset_cpus: Some(r.cpuset.clone().unwrap_or_default()),
        blkio_weight: Some(r.io_weight.unwrap_or(0)),
        restart_policy: Some(restart_policy(c)),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackc_engine::model::container::ResourcesSpec;
    use stackc_engine::model::domain::{Cpu, Size};
    use stackc_engine::model::refs::ImageUse;

    fn spec(r: Option<ResourcesSpec>) -> ContainerSpec {
        let mut c = ContainerSpec::new(ImageUse::Registry("busybox".into()));
        c.resources = r;
        c
    }

    fn memory(mib: u64) -> Option<Size> {
        Some(Size::from_bytes(mib << 20))
    }

    #[test]
    fn docker_doubles_the_memory_for_swap() {
        let c = spec(Some(ResourcesSpec {
            memory: memory(64),
            ..Default::default()
        }));
        let e = expected(&ResourceSpec::Container(c.clone()), &Enforced::default());
        assert_eq!(e[live::MEMORY_SWAP], 128u64 << 20);
        let no_swap = Enforced {
            swap: false,
            ..Enforced::default()
        };
        let e = expected(&ResourceSpec::Container(c), &no_swap);
        assert_eq!(e[live::MEMORY_SWAP], 0);
    }

    #[test]
    fn discarded_limits_are_expected_as_unset() {
        let c = spec(Some(ResourcesSpec {
            io_weight: Some(300),
            cpu_shares: Some(512),
            ..Default::default()
        }));
        let none = Enforced {
            io_weight: false,
            ..Enforced::default()
        };
        let e = expected(&ResourceSpec::Container(c), &none);
        assert_eq!(e[live::IO_WEIGHT], 0);
        assert_eq!(e[live::CPU_SHARES], 512);
    }

    #[test]
    fn a_cpu_quota_reads_as_nano_cpus() {
        let h = HostConfig {
            cpu_quota: Some(50_000),
            ..Default::default()
        };
        assert_eq!(read(&h)[live::CPUS], 500_000_000u64);
        let h = HostConfig {
            cpu_quota: Some(50_000),
            cpu_period: Some(200_000),
            pids_limit: Some(-1),
            ..Default::default()
        };
        let l = read(&h);
        assert_eq!(l[live::CPUS], 250_000_000u64);
        assert_eq!(l[live::PIDS], 0);
        assert_eq!(l[live::RESTART], "no");
    }

    #[test]
    fn lifting_a_limit_needs_a_new_container() {
        let with = spec(Some(ResourcesSpec {
            cpus: Some(Cpu::from_nanos(500_000_000)),
            memory: memory(64),
            pids: Some(10),
            ..Default::default()
        }));
        let have = live::container(&with);
        assert!(unliftable(&have, &with).is_empty());
        let without = spec(Some(ResourcesSpec {
            memory: memory(32),
            ..Default::default()
        }));
        // pids go with -1; cpus cannot go.
        assert_eq!(unliftable(&have, &without), vec![live::CPUS]);
    }
}
