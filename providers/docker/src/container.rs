//! Containers: every attribute of LANGUAGE.md §5 `container` mapped onto Docker's create
//! call; `resources` and `restart` changed in place with `docker update`.
//!
//! Docker cannot change a container's labels, `stop_signal` or `stop_timeout` once it exists:
//! the provider asks the engine to replace the container for the last two
//! (`forces_replacement`), and after an update in place the labels keep the spec hash and
//! record of the creation (the engine compares live attributes with the runtime, not with
//! the record, so the plan is still empty).

use crate::{health, image, labels, live, observe, DockerError, DockerProvider};
use bollard::body_full;
use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, Mount, MountType, NetworkConnectRequest,
    NetworkingConfig, PortBinding, ResourcesUlimits,
};
use bollard::query_parameters::{
    CreateContainerOptions, RemoveContainerOptions, StopContainerOptions, UploadToContainerOptions,
};
use stackc_engine::model::container::ContainerSpec;
use stackc_engine::model::image::PullPolicy;
use stackc_engine::model::refs::{ImageUse, MountSource, NetworkMode};
use stackc_engine::model::ResourceSpec;
use stackc_engine::provider::{DesiredObject, ObjectState, ObservedObject, Progress};
use std::collections::HashMap;

fn spec(desired: &DesiredObject) -> Result<&ContainerSpec, DockerError> {
    match &desired.spec {
        ResourceSpec::Container(c) => Ok(c),
        _ => Err(DockerError::Unsupported("not a container".into())),
    }
}

/// The runtime name of the resource at `address`, from the desired object's references.
fn referenced<'a>(desired: &'a DesiredObject, address: &str) -> Result<&'a str, DockerError> {
    desired
        .reference(address)
        .map(|r| r.runtime_name.as_str())
        .ok_or_else(|| {
            DockerError::failed(
                &desired.address,
                format!("refers to `{address}`, which the plan did not resolve"),
            )
        })
}

/// The image reference to create the container from: an image resource's tag, or a
/// registry reference pulled when missing.
async fn image_of(
    p: &DockerProvider,
    desired: &DesiredObject,
    c: &ContainerSpec,
    progress: &Progress,
) -> Result<String, DockerError> {
    let reference = match &c.image {
        ImageUse::Resource(r) => {
            let target = desired.reference(r.address()).ok_or_else(|| {
                DockerError::failed(
                    &desired.address,
                    format!("the image `{}` is not resolved", r.address()),
                )
            })?;
            return Ok(image::tag(&target.runtime_name, &target.spec_hash));
        }
        ImageUse::Registry(reference) => reference,
    };
    if !p.known_image(reference) {
        image::ensure_present(p, reference, PullPolicy::Missing, progress).await?;
        p.remember_image(reference);
    }
    Ok(reference.clone())
}

/// Docker's `PortBindings`: host bindings by `port/protocol`.
type Bindings = HashMap<String, Option<Vec<PortBinding>>>;

/// Ports as Docker wants them: the exposed `port/protocol` keys and their host bindings.
fn ports(c: &ContainerSpec) -> (Vec<String>, Bindings) {
    let mut exposed: Vec<String> = Vec::new();
    let mut bindings = Bindings::new();
    for port in &c.ports {
        let key = format!("{}/{}", port.container, port.protocol().as_str());
        if !exposed.contains(&key) {
            exposed.push(key.clone());
        }
        bindings
            .entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(PortBinding {
                host_ip: Some(port.host_ip().to_string()),
                host_port: Some(port.host_port().to_string()),
            });
    }
    (exposed, bindings)
}

fn mounts(desired: &DesiredObject, c: &ContainerSpec) -> Result<Vec<Mount>, DockerError> {
    c.mounts
        .iter()
        .map(|m| {
            let (typ, source) = match &m.source {
                // Named volumes by their runtime name; a removed container never takes them.
                MountSource::Volume(v) => (
                    MountType::VOLUME,
                    referenced(desired, v.address())?.to_string(),
                ),
                MountSource::Path(path) => (
                    MountType::BIND,
                    path.resolve(&desired.stack_dir).display().to_string(),
                ),
            };
            Ok(Mount {
                typ: Some(typ),
                source: Some(source),
                target: Some(m.target.as_str().to_string()),
                read_only: m.readonly,
                ..Default::default()
            })
        })
        .collect()
}

/// Docker's network mode and the networks to join, first one at create.
fn networking(
    desired: &DesiredObject,
    c: &ContainerSpec,
) -> Result<(String, Vec<String>), DockerError> {
    Ok(match c.network_mode() {
        NetworkMode::Host => ("host".to_string(), Vec::new()),
        NetworkMode::None => ("none".to_string(), Vec::new()),
        NetworkMode::Container(r) => (
            format!("container:{}", referenced(desired, r.address())?),
            Vec::new(),
        ),
        NetworkMode::Bridge => {
            // `network_addresses` is `networks`, or `network.default` when unset; the
            // engine resolves the default network into the references like any other.
            let names = c
                .network_addresses()
                .iter()
                .map(|a| referenced(desired, a).map(str::to_string))
                .collect::<Result<Vec<_>, _>>()?;
            match names.first() {
                Some(first) => (first.clone(), names),
                // `networks = []`: loopback only.
                None => ("none".to_string(), names),
            }
        }
    })
}

/// A quota member's parent cgroup (see [`crate::quota`]); only when the quota is enforced
/// here, which its record says: the group exists.
fn quota_parent(desired: &DesiredObject, c: &ContainerSpec) -> Option<String> {
    let quota = desired.reference(c.quota.as_ref()?.address())?;
    let parent = crate::quota::cgroup_parent(desired.stack(), &quota.runtime_name);
    crate::quota::is_enforced(&quota.runtime_name).then_some(parent)
}

fn host_config(
    desired: &DesiredObject,
    c: &ContainerSpec,
    network_mode: String,
    bindings: Bindings,
) -> Result<HostConfig, DockerError> {
    let r = c.resources.clone().unwrap_or_default();
    let tmpfs: HashMap<String, String> = c
        .tmpfs
        .iter()
        .map(|t| {
            let opts = t
                .size
                .as_ref()
                .map(|s| format!("size={}", s.bytes()))
                .unwrap_or_default();
            (t.target.as_str().to_string(), opts)
        })
        .collect();
    let caps = |caps: &Option<Vec<stackc_engine::model::domain::Capability>>| {
        caps.as_ref()
            .map(|caps| caps.iter().map(|c| c.name().to_string()).collect())
    };
    Ok(HostConfig {
        mounts: Some(mounts(desired, c)?),
        tmpfs: (!tmpfs.is_empty()).then_some(tmpfs),
        port_bindings: (!bindings.is_empty()).then_some(bindings),
        network_mode: Some(network_mode),
        nano_cpus: r.cpus.as_ref().map(|c| c.nanos() as i64),
        memory: r.memory.as_ref().map(|m| m.bytes() as i64),
        memory_swap: r.memory_swap.as_ref().map(|m| m.bytes() as i64),
        pids_limit: r.pids.map(|p| p as i64),
        cpu_shares: r.cpu_shares.map(|s| s as i64),
        cpuset_cpus: r.cpuset.clone(),
        blkio_weight: r.io_weight,
        restart_policy: Some(live::restart_policy(c)),
        cgroup_parent: quota_parent(desired, c),
        readonly_rootfs: c.read_only,
        cap_add: caps(&c.cap_add),
        cap_drop: caps(&c.cap_drop),
        privileged: c.privileged,
        ulimits: c.ulimits.as_ref().map(|u| {
            u.iter()
                .map(|(name, v)| ResourcesUlimits {
                    name: Some(name.clone()),
                    soft: Some(*v),
                    hard: Some(*v),
                })
                .collect()
        }),
        sysctls: c.sysctls.as_ref().map(|s| s.clone().into_iter().collect()),
        init: c.init,
        ..Default::default()
    })
}

pub(crate) async fn create(
    p: &DockerProvider,
    desired: &DesiredObject,
    progress: &Progress,
) -> Result<ObservedObject, DockerError> {
    let c = spec(desired)?;
    let image = image_of(p, desired, c, progress).await?;
    let (exposed, bindings) = ports(c);
    let (network_mode, networks) = networking(desired, c)?;
    let endpoint = || EndpointSettings {
        aliases: c.aliases.clone(),
        ..Default::default()
    };
    // API 1.41 takes one network at create; the others are connected below.
    let networking_config = networks.first().map(|first| NetworkingConfig {
        endpoints_config: Some(HashMap::from([(first.clone(), endpoint())])),
    });
    let body = ContainerCreateBody {
        image: Some(image),
        cmd: c.command.clone(),
        entrypoint: c.entrypoint.clone(),
        env: c
            .env
            .as_ref()
            .map(|e| e.iter().map(|(k, v)| format!("{k}={v}")).collect()),
        working_dir: c.workdir.as_ref().map(|w| w.as_str().to_string()),
        user: c.user.clone(),
        hostname: c.hostname.clone(),
        labels: Some(labels::of(desired, c.labels.as_ref())),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        healthcheck: health::config(desired, c),
        stop_signal: c.stop_signal.as_ref().map(|s| s.name()),
        stop_timeout: c
            .stop_timeout
            .as_ref()
            .map(|d| i64::try_from(d.get().as_secs()).unwrap_or(i64::MAX)),
        host_config: Some(host_config(desired, c, network_mode, bindings)?),
        networking_config,
        ..Default::default()
    };
    let made = p
        .docker
        .create_container(
            Some(CreateContainerOptions {
                name: Some(desired.runtime_name.clone()),
                ..Default::default()
            }),
            body,
        )
        .await
        .map_err(|e| DockerError::from(e).on_create())?;
    // Docker's warnings say what it changed from what was asked (a limit the host cannot
    // enforce is dropped); the user should see them.
    for warning in &made.warnings {
        progress.report(format!("Docker: {warning}"), None, None);
    }
    let id = made.id;
    // Everything after the create can fail; a half-made container must not stay behind
    // under the stack's name, or the next plan would take it for a finished one.
    let finish = async {
        for name in networks.iter().skip(1) {
            p.docker
                .connect_network(
                    name,
                    NetworkConnectRequest {
                        container: id.clone(),
                        endpoint_config: Some(endpoint()),
                    },
                )
                .await?;
        }
        upload_files(p, &id, c).await
    };
    if let Err(e) = finish.await {
        let _ = p
            .docker
            .remove_container(
                &id,
                Some(RemoveContainerOptions {
                    force: true,
                    ..Default::default()
                }),
            )
            .await;
        return Err(e);
    }
    // What was just made, without asking the daemon again: one call less per container,
    // which shows when fifty are created at once.
    Ok(ObservedObject {
        address: desired.address.clone(),
        kind: desired.kind,
        id,
        runtime_name: desired.runtime_name.clone(),
        spec_hash: Some(desired.spec_hash.clone()),
        state: ObjectState::Created,
        labels: desired.labels.clone(),
        applied: Some(desired.applied.clone()),
        ..ObservedObject::default()
    })
}

/// A tar of `(path, content, mode)` entries, owned by root, dated 0 (the content is the
/// spec's, so the archive is too).
fn tar_of<'a>(
    entries: impl Iterator<Item = (&'a str, &'a [u8], u32)>,
) -> Result<Vec<u8>, DockerError> {
    let mut tar = tar::Builder::new(Vec::new());
    for (target, bytes, mode) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(mode);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_cksum();
        tar.append_data(&mut header, target.trim_start_matches('/'), bytes)
            .map_err(DockerError::io(std::path::Path::new(target)))?;
    }
    tar.into_inner()
        .map_err(DockerError::io(std::path::Path::new("files")))
}

async fn upload(
    p: &DockerProvider,
    id: &str,
    tar: Vec<u8>,
    owned: bool,
) -> Result<(), DockerError> {
    p.docker
        .upload_to_container(
            id,
            Some(UploadToContainerOptions {
                path: "/".to_string(),
                copy_uidgid: owned.then(|| "true".to_string()),
                ..Default::default()
            }),
            body_full(tar.into()),
        )
        .await?;
    Ok(())
}

/// `file` and `secret` blocks, written into the created container before it starts (Docker
/// creates the missing directories). Files belong to root; secrets to the container's user,
/// whom Docker resolves in the image (`copyUIDGID`), so that a 0400 secret is readable by
/// the process it is for.
async fn upload_files(p: &DockerProvider, id: &str, c: &ContainerSpec) -> Result<(), DockerError> {
    if !c.files.is_empty() {
        let files = tar_of(
            c.files
                .iter()
                .map(|f| (f.target.as_str(), f.content.as_bytes(), f.mode().bits())),
        )?;
        upload(p, id, files, false).await?;
    }
    if !c.secrets.is_empty() {
        let secrets = tar_of(c.secrets.iter().map(|s| {
            (
                s.target.as_str(),
                s.value.expose().as_bytes(),
                s.mode().bits(),
            )
        }))?;
        upload(p, id, secrets, true).await?;
    }
    Ok(())
}

async fn inspect(p: &DockerProvider, id: &str) -> Result<ObservedObject, DockerError> {
    let c = p.docker.inspect_container(id, None).await?;
    observe::container(c)
        .ok_or_else(|| DockerError::failed(id, "the container lost its stackc labels"))
}

/// `docker update` of the limits and restart policy. A limit the spec no longer has cannot be
/// lifted that way (Docker ignores a zero), so then the container is made anew from the
/// spec, and started again if it ran; the progress line says why.
pub(crate) async fn update(
    p: &DockerProvider,
    current: &ObservedObject,
    desired: &DesiredObject,
    progress: &Progress,
) -> Result<ObservedObject, DockerError> {
    let c = spec(desired)?;
    let lifted = live::unliftable(&current.live, c);
    if !lifted.is_empty() {
        progress.report(
            format!(
                "Docker cannot lift {} from an existing container: making it anew",
                lifted.join(", ")
            ),
            None,
            None,
        );
        let ran = matches!(
            current.state,
            ObjectState::Running | ObjectState::Restarting
        );
        delete(p, current).await?;
        let made = create(p, desired, progress).await?;
        if ran {
            start(p, &made).await?;
        }
        return inspect(p, &made.id).await;
    }
    p.docker
        .update_container(&current.id, live::update_body(c))
        .await?;
    inspect(p, &current.id).await
}

/// Stops the container with its own signal and timeout, removes it (never its named
/// volumes), then its image if that was a replaced stackc image no tag names any more.
pub(crate) async fn delete(p: &DockerProvider, object: &ObservedObject) -> Result<(), DockerError> {
    let inspected = p.docker.inspect_container(&object.id, None).await?;
    let config = inspected.config.unwrap_or_default();
    let running = inspected
        .state
        .as_ref()
        .is_some_and(|s| s.running == Some(true));
    if running {
        let t = config
            .stop_timeout
            .and_then(|t| i32::try_from(t).ok())
            .unwrap_or(10);
        // A container that stops by itself meanwhile is fine; the removal below is forced.
        let _ = p
            .docker
            .stop_container(
                &object.id,
                Some(StopContainerOptions {
                    t: Some(t),
                    signal: config.stop_signal.clone(),
                }),
            )
            .await;
    }
    p.docker
        .remove_container(
            &object.id,
            Some(RemoveContainerOptions {
                force: true,
                v: false,
                ..Default::default()
            }),
        )
        .await?;
    if let Some(image) = inspected.image {
        image::remove_if_dangling(p, &image).await;
    }
    Ok(())
}

pub(crate) async fn start(p: &DockerProvider, object: &ObservedObject) -> Result<(), DockerError> {
    match p.docker.start_container(&object.id, None).await {
        Ok(()) => Ok(()),
        Err(e) => {
            let e = DockerError::from(e);
            // 304: already running, which is what was asked.
            if e.status() == Some(304) {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}
