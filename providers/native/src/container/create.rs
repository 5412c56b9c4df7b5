//! `create`: resolves the spec against its image and references into a [`RunConfig`], makes
//! the container's directories (overlay upper and work dirs, files, a tmpfs for secrets) and
//! writes its records. Nothing runs yet.

use super::record::{
    self, BindMount, ContainerRecord, ContainerState, HealthConfig, NetMode, Probe, RunConfig,
    Tmpfs,
};
use crate::cgroup::{self, Limits};
use crate::error::{NativeError, Result};
use crate::image::{self, ImageRecord};
use crate::store::{self, check_name, Meta, Store};
use stackc_engine::model::container::{ContainerSpec, OnUnhealthy, Probe as SpecProbe};
use stackc_engine::model::domain::CAPABILITIES;
use stackc_engine::model::image::PullPolicy;
use stackc_engine::model::refs::{ImageUse, MountSource, NetworkMode};
use stackc_engine::model::{ResourceKind, ResourceSpec};
use stackc_engine::provider::{DesiredObject, ObjectState, ObservedObject, Progress};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Docker's default capabilities: CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID,
/// SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP
/// (`CapEff: 00000000a80425fb` in a Docker container).
pub const DEFAULT_CAPABILITIES: u64 = 0x0000_0000_a804_25fb;

/// The default size limit of `log.json` before rotation.
const LOG_MAX_BYTES: u64 = 10 << 20;

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn spec(desired: &DesiredObject) -> Result<&ContainerSpec> {
    match &desired.spec {
        ResourceSpec::Container(c) => Ok(c),
        _ => Err(NativeError::Unsupported("not a container".into())),
    }
}

/// The runtime name of the resource at `address` the plan resolved.
fn referenced<'a>(desired: &'a DesiredObject, address: &str) -> Result<(&'a str, &'a str)> {
    desired
        .reference(address)
        .map(|r| (r.runtime_name.as_str(), r.spec_hash.as_str()))
        .ok_or_else(|| {
            NativeError::failed(
                &desired.address,
                format!("refers to `{address}`, which the plan did not resolve"),
            )
        })
}

pub fn create(
    store: &Store,
    cgroups: &crate::cgroup::Cgroups,
    desired: &DesiredObject,
    progress: &Progress,
) -> Result<ObservedObject> {
    let c = spec(desired)?;
    check_name(&desired.runtime_name)?;
    let image = match &c.image {
        ImageUse::Resource(r) => {
            let (name, hash) = referenced(desired, r.address())?;
            image::lookup(store, name, hash)?
        }
        // A string image: pulled when missing, as with Docker (no image object; the
        // container's record names the layers, which keeps them).
        ImageUse::Registry(reference) => {
            let pulled = {
                let _lock = store.lock()?;
                image::registry::pull(store, reference, PullPolicy::Missing, progress)?
            };
            ImageRecord {
                meta: Meta::default(),
                id: reference.clone(),
                layers: pulled.layers,
                config: pulled.config,
            }
        }
    };
    let id = store::new_id()?;
    let dir = store.container(&id);
    let mut run = resolve(store, desired, c, &image, &id)?;
    run.cgroup_v2_root = cgroups.v2_root().map(Path::to_path_buf);

    // The name is taken first and atomically (a symlink cannot be made twice), so two
    // concurrent creates of one name cannot both succeed.
    let link = store.names().join(&desired.runtime_name);
    if let Err(e) = std::os::unix::fs::symlink(&id, &link) {
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            return Err(NativeError::io(&link)(e));
        }
        if record::id_by_name(store, &desired.runtime_name).is_some() {
            return Err(NativeError::AlreadyExists(format!(
                "the container {}",
                desired.runtime_name
            )));
        }
        // A link left by a crash between link and record: the name is free, and what the
        // crash made under it (directories, a network namespace, addresses) goes.
        if let Ok(old) = std::fs::read_link(&link) {
            let old = old.to_string_lossy().into_owned();
            if store::check_id(&old).is_ok() {
                let _ = super::netns::remove(store, &old);
                let _ = super::delete::remove_dirs(store, &store.container(&old));
            }
        }
        store::remove_file(&link)?;
        std::os::unix::fs::symlink(&id, &link).map_err(NativeError::io(&link))?;
    }
    let made = make_dirs(store, &dir, desired, c, run, &id);
    match made {
        Ok(record) => {
            if matches!(record.run.network, NetMode::Bridge(_)) {
                super::netns::refresh_hosts(store)?;
            }
            Ok(observed(&record, &ContainerState::default()))
        }
        Err(e) => {
            // A half-made container must not stay behind under the stack's name.
            let _ = super::netns::remove(store, &id);
            let _ = super::delete::remove_dirs(store, &dir);
            let _ = store::remove_file(&link);
            Err(e)
        }
    }
}

fn make_dirs(
    store: &Store,
    dir: &Path,
    desired: &DesiredObject,
    c: &ContainerSpec,
    mut run: RunConfig,
    id: &str,
) -> Result<ContainerRecord> {
    for sub in ["", "upper", "work", "rootfs"] {
        let d = dir.join(sub);
        std::fs::create_dir(&d).map_err(NativeError::io(&d))?;
    }
    if !c.files.is_empty() {
        let files = dir.join("files");
        std::fs::create_dir(&files).map_err(NativeError::io(&files))?;
        for (i, f) in c.files.iter().enumerate() {
            let path = files.join(i.to_string());
            write_file(&path, f.content.as_bytes(), f.mode().bits())?;
            run.files.push(BindMount {
                source: path,
                target: f.target.as_str().to_string(),
                readonly: true,
            });
        }
    }
    if !c.secrets.is_empty() {
        // Secrets live on a tmpfs of their own: never on disk, gone with the container.
        let secrets = dir.join("secrets");
        std::fs::create_dir(&secrets).map_err(NativeError::io(&secrets))?;
        let size: usize = c
            .secrets
            .iter()
            .map(|s| s.value.expose().len() + 4096)
            .sum();
        let data = format!("mode=0700,size={}", size.max(4096));
        nix::mount::mount(
            Some("tmpfs"),
            &secrets,
            Some("tmpfs"),
            nix::mount::MsFlags::MS_NOSUID
                | nix::mount::MsFlags::MS_NODEV
                | nix::mount::MsFlags::MS_NOEXEC,
            Some(data.as_str()),
        )
        .map_err(NativeError::sys(format!(
            "mounting a tmpfs on {}",
            secrets.display()
        )))?;
        for (i, s) in c.secrets.iter().enumerate() {
            let path = secrets.join(i.to_string());
            write_file(&path, s.value.expose().as_bytes(), s.mode().bits())?;
            run.secrets.push(BindMount {
                source: path,
                target: s.target.as_str().to_string(),
                readonly: true,
            });
        }
    }
    if let NetMode::Bridge(b) = &mut run.network {
        let networks: Vec<String> = b.addresses.iter().map(|(n, _)| n.clone()).collect();
        let attached = super::netns::make(store, id, &networks)?;
        b.addresses = attached
            .iter()
            .map(|a| (a.network.meta.runtime_name.clone(), a.address))
            .collect();
        if let Some(first) = attached.first() {
            super::netns::publish(id, c, first.address, &first.network.bridge)?;
        }
        // /etc/hosts is written once all records are there (see `netns::refresh_hosts`).
        let hosts = dir.join("hosts");
        write_file(&hosts, b"", 0o644)?;
        let resolv = dir.join("resolv.conf");
        write_file(&resolv, super::netns::resolv_conf().as_bytes(), 0o644)?;
        for (source, target) in [(hosts, "/etc/hosts"), (resolv, "/etc/resolv.conf")] {
            run.files.push(BindMount {
                source,
                target: target.to_string(),
                readonly: true,
            });
        }
    }
    let record = ContainerRecord {
        meta: Meta::of(desired),
        id: id.to_string(),
        run,
    };
    // The layers a container names must not be collected between its lookup and its record.
    {
        let _lock = store.lock()?;
        for l in &record.run.layers {
            if !store.layer(l).is_dir() {
                return Err(NativeError::failed(
                    format!("the image of {}", desired.address),
                    "lost its layers; re-create the image",
                ));
            }
        }
        record::save(store, &record)?;
    }
    // No state file yet: a missing one reads as "created", and one synced write less makes
    // create faster.
    Ok(record)
}

fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    std::fs::write(path, bytes).map_err(NativeError::io(path))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o7777))
        .map_err(NativeError::io(path))
}

/// The observed object of a container record and state.
pub fn observed(record: &ContainerRecord, state: &ContainerState) -> ObservedObject {
    let mut o = record.meta.observed(ResourceKind::Container, &record.id);
    o.state = match state.status {
        // The shim reports the exec before it records it: a live shim means running.
        record::Status::Created if state.shim_alive() => ObjectState::Running,
        record::Status::Created => ObjectState::Created,
        record::Status::Running if state.shim_alive() => ObjectState::Running,
        record::Status::Restarting if state.shim_alive() => ObjectState::Restarting,
        record::Status::Stopped => ObjectState::Stopped {
            exit_code: state.exit_code,
        },
        // The shim died (killed, or the machine restarted): the container is gone with it.
        record::Status::Running | record::Status::Restarting => {
            ObjectState::Stopped { exit_code: None }
        }
    };
    o.restarts = state.restarts;
    o.started_at = state.started_at.clone();
    o.finished_at = state.finished_at.clone();
    o
}

/// Resolves the container against its image and references.
fn resolve(
    store: &Store,
    desired: &DesiredObject,
    c: &ContainerSpec,
    image: &ImageRecord,
    id: &str,
) -> Result<RunConfig> {
    let entrypoint = c
        .entrypoint
        .clone()
        .or_else(|| image.config.entrypoint.clone());
    let cmd = match (&c.command, &c.entrypoint) {
        (Some(cmd), _) => Some(cmd.clone()),
        // As Docker does: a new entrypoint drops the image's cmd.
        (None, Some(_)) => None,
        (None, None) => image.config.cmd.clone(),
    };
    let args: Vec<String> = entrypoint
        .into_iter()
        .flatten()
        .chain(cmd.into_iter().flatten())
        .collect();
    if args.is_empty() {
        return Err(NativeError::failed(
            &desired.address,
            "has no command: set `command` or `entrypoint`, or give the image a `config` with one",
        ));
    }
    let hostname: String = c
        .hostname
        .clone()
        .unwrap_or_else(|| desired.runtime_name.chars().take(63).collect());
    let mut env: BTreeMap<String, String> = image.config.env.clone();
    env.entry("PATH".into())
        .or_insert_with(|| DEFAULT_PATH.into());
    env.insert("HOSTNAME".into(), hostname.clone());
    for (k, v) in c.env.iter().flatten() {
        env.insert(k.clone(), v.clone());
    }
    let network = match c.network_mode() {
        NetworkMode::Host => NetMode::Host,
        NetworkMode::None => NetMode::Loopback,
        NetworkMode::Container(r) => {
            let (name, _) = referenced(desired, r.address())?;
            let other = super::record::id_by_name(store, name)
                .ok_or_else(|| NativeError::NotFound(format!("the container {name}")))?;
            NetMode::Container(other)
        }
        NetworkMode::Bridge => {
            let addresses = c.network_addresses();
            if addresses.is_empty() {
                NetMode::Loopback
            } else {
                let mut networks = Vec::new();
                for a in &addresses {
                    let (name, _) = referenced(desired, a)?;
                    networks.push((name.to_string(), std::net::Ipv4Addr::UNSPECIFIED));
                }
                let block = crate::container::netns::block_name(&desired.address);
                let mut names = vec![desired.runtime_name.clone()];
                names.extend(block);
                names.extend(c.aliases.iter().flatten().cloned());
                let mut seen = std::collections::BTreeSet::new();
                names.retain(|n| seen.insert(n.clone()));
                NetMode::Bridge(super::record::BridgeAttachments {
                    netns: super::netns::path(id),
                    addresses: networks,
                    names,
                })
            }
        }
    };
    let mut mounts = Vec::new();
    for m in &c.mounts {
        let source = match &m.source {
            MountSource::Volume(v) => {
                let (name, _) = referenced(desired, v.address())?;
                crate::volume::data_dir(store, name)?
            }
            MountSource::Path(p) => {
                let path = p.resolve(&desired.stack_dir);
                if !path.exists() {
                    return Err(NativeError::failed(
                        format!("the mount source {}", path.display()),
                        "does not exist",
                    ));
                }
                path
            }
        };
        mounts.push(BindMount {
            source,
            target: m.target.as_str().to_string(),
            readonly: m.readonly.unwrap_or(false),
        });
    }
    let tmpfs = c
        .tmpfs
        .iter()
        .map(|t| Tmpfs {
            target: t.target.as_str().to_string(),
            size: t.size.as_ref().map(|s| s.bytes()),
        })
        .collect();
    for name in c.ulimits.iter().flatten().map(|(k, _)| k) {
        if crate::sys::rlimit_resource(name).is_none() {
            return Err(NativeError::failed(
                format!("the ulimit {name:?}"),
                "is not a limit Linux knows: use nofile, nproc, core, memlock, stack, …",
            ));
        }
    }
    let limits = limits_of(c);
    let quota = match &c.quota {
        Some(q) => Some(referenced(desired, q.address())?.0.to_string()),
        None => None,
    };
    let health = c.health.as_ref().and_then(|h| {
        let probe = match h.probe()? {
            SpecProbe::Exec(cmd) => Probe::Exec(cmd.to_vec()),
            SpecProbe::Http(url) => Probe::Http(url.to_string()),
            SpecProbe::Tcp(port) => Probe::Tcp(port),
        };
        let ms = |d: &Option<stackc_engine::model::Duration>, default: u64| {
            d.as_ref().map_or(default, |d| d.get().as_millis() as u64)
        };
        Some(HealthConfig {
            probe,
            interval_ms: ms(&h.interval, 30_000),
            timeout_ms: ms(&h.timeout, 30_000),
            retries: h.retries.unwrap_or(3),
            start_period_ms: ms(&h.start_period, 0),
            restart_on_unhealthy: c.on_unhealthy() == OnUnhealthy::Restart,
        })
    });
    Ok(RunConfig {
        layers: image.layers.clone(),
        image_id: image.id.clone(),
        args,
        env: env.into_iter().map(|(k, v)| format!("{k}={v}")).collect(),
        workdir: c
            .workdir
            .as_ref()
            .map(|w| w.as_str().to_string())
            .or_else(|| image.config.workdir.clone())
            .unwrap_or_else(|| "/".into()),
        user: c.user.clone().or_else(|| image.config.user.clone()),
        hostname,
        network,
        mounts,
        tmpfs,
        files: Vec::new(),
        secrets: Vec::new(),
        read_only: c.read_only.unwrap_or(false),
        capabilities: capabilities(c),
        privileged: c.privileged.unwrap_or(false),
        ulimits: c.ulimits.clone().unwrap_or_default(),
        sysctls: c.sysctls.clone().unwrap_or_default(),
        init: c.init.unwrap_or(false),
        stop_signal: c.stop_signal().number(),
        stop_timeout_ms: c.stop_timeout().as_millis() as u64,
        restart: c.restart_policy(),
        max_restarts: c.max_restarts,
        health,
        limits,
        cgroup: cgroup::container_path(desired.stack(), quota.as_deref(), id),
        cgroup_v2_root: None,
        oneshot: c.is_oneshot(),
        log_max_bytes: LOG_MAX_BYTES,
    })
}

/// The cgroup limits of a container's `resources` block.
pub fn limits_of(c: &ContainerSpec) -> Limits {
    let r = c.resources.clone().unwrap_or_default();
    Limits {
        cpus: r.cpus.as_ref().map_or(0, |c| c.nanos()),
        cpu_shares: r.cpu_shares.unwrap_or(0),
        cpuset: r.cpuset.clone().unwrap_or_default(),
        memory: r.memory.as_ref().map_or(0, |m| m.bytes()),
        memory_swap: r.memory_swap.as_ref().map_or(0, |m| m.bytes()),
        pids: r.pids.unwrap_or(0),
        io_weight: r.io_weight.map_or(0, u64::from),
    }
}

/// Every capability this kernel knows.
pub fn all_capabilities() -> u64 {
    let last = crate::sys::last_capability().min(63);
    if last == 63 {
        u64::MAX
    } else {
        (1u64 << (last + 1)) - 1
    }
}

/// Docker's rules: `cap_add = ["ALL"]` starts from every capability and drops; `cap_drop =
/// ["ALL"]` starts from none and adds; otherwise the default set, plus adds, minus drops.
fn capabilities(c: &ContainerSpec) -> u64 {
    if c.privileged.unwrap_or(false) {
        return all_capabilities();
    }
    let bit = |name: &str| {
        CAPABILITIES
            .iter()
            .position(|n| *n == name)
            .map_or(0, |i| 1u64 << i)
    };
    let adds: Vec<&str> = c.cap_add.iter().flatten().map(|c| c.name()).collect();
    let drops: Vec<&str> = c.cap_drop.iter().flatten().map(|c| c.name()).collect();
    let mut set = if adds.contains(&"ALL") {
        all_capabilities()
    } else if drops.contains(&"ALL") {
        0
    } else {
        DEFAULT_CAPABILITIES
    };
    if !adds.contains(&"ALL") {
        for a in &adds {
            set |= bit(a);
        }
    }
    if !drops.contains(&"ALL") {
        for d in &drops {
            set &= !bit(d);
        }
    }
    set & all_capabilities()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_set_is_dockers() {
        let names = [
            "CHOWN",
            "DAC_OVERRIDE",
            "FSETID",
            "FOWNER",
            "MKNOD",
            "NET_RAW",
            "SETGID",
            "SETUID",
            "SETFCAP",
            "SETPCAP",
            "NET_BIND_SERVICE",
            "SYS_CHROOT",
            "KILL",
            "AUDIT_WRITE",
        ];
        let mut mask = 0u64;
        for n in names {
            let i = CAPABILITIES.iter().position(|c| *c == n).unwrap();
            mask |= 1 << i;
        }
        assert_eq!(mask, DEFAULT_CAPABILITIES);
    }
}
