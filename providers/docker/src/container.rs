//! Containers: every attribute of LANGUAGE.md §5 `container` mapped onto Docker's create
//! call; `resources` and `restart` changed in place with `docker update`.

use crate::{image, observe, DockerError, DockerProvider};
use bollard::body_full;
use bollard::models::{
    ContainerCreateBody, ContainerUpdateBody, EndpointSettings, HealthConfig, HealthStatusEnum,
    HostConfig, Mount, MountType, NetworkingConfig, PortBinding, ResourcesUlimits, RestartPolicy,
    RestartPolicyNameEnum,
};
use bollard::query_parameters::{
    CreateContainerOptions, RemoveContainerOptions, StopContainerOptions, UploadToContainerOptions,
};
use stackc_engine::model::container::{ContainerSpec, Probe, RestartPolicy as Policy};
use stackc_engine::model::refs::{ImageUse, MountSource, NetworkMode};
use stackc_engine::model::ResourceSpec;
use stackc_engine::provider::{
    DesiredObject, Health, ObjectState, ObservedObject, Progress, LABEL_APPLIED,
};
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

fn nanos(d: &stackc_engine::model::Duration) -> i64 {
    i64::try_from(d.get().as_nanos()).unwrap_or(i64::MAX)
}

/// The image reference to create the container from.
async fn image_of(
    p: &DockerProvider,
    desired: &DesiredObject,
    c: &ContainerSpec,
    progress: &Progress,
) -> Result<String, DockerError> {
    match &c.image {
        ImageUse::Resource(r) => {
            let target = desired.reference(r.address()).ok_or_else(|| {
                DockerError::failed(
                    &desired.address,
                    format!("the image `{}` is not resolved", r.address()),
                )
            })?;
            Ok(image::tag(&target.runtime_name, &target.spec_hash))
        }
        ImageUse::Registry(reference) => {
            if !p.known_image(reference) && p.docker.inspect_image(reference).await.is_err() {
                use futures::StreamExt;
                let mut stream = p.docker.create_image(
                    Some(bollard::query_parameters::CreateImageOptions {
                        from_image: Some(reference.clone()),
                        ..Default::default()
                    }),
                    None,
                    None,
                );
                while let Some(info) = stream.next().await {
                    let info = info.map_err(|e| {
                        DockerError::failed(format!("pulling {reference}"), e.to_string())
                    })?;
                    if let Some(m) = info.error_detail.and_then(|d| d.message) {
                        return Err(DockerError::failed(format!("pulling {reference}"), m));
                    }
                    progress.report(format!("pulling {reference}"), None, None);
                }
            }
            p.remember_image(reference);
            Ok(reference.clone())
        }
    }
}

/// The probe as a Docker health check command, run inside the container (Docker runs every
/// check there): `exec` as given; `http` with `wget`, `tcp` with `nc -z`. An image made
/// `from_host` a busybox gets the applets through that binary, since it has no shell or
/// applet links; any other image must have `sh`, `wget` and `nc`.
fn health_test(probe: Probe<'_>, busybox: Option<&str>) -> Vec<String> {
    let applet = |args: &[&str]| -> Vec<String> {
        let bb = busybox.unwrap_or_default();
        std::iter::once("CMD".to_string())
            .chain(std::iter::once(bb.to_string()))
            .chain(args.iter().map(|a| a.to_string()))
            .collect()
    };
    match (probe, busybox) {
        (Probe::Exec(cmd), _) => std::iter::once("CMD".to_string())
            .chain(cmd.iter().cloned())
            .collect(),
        (Probe::Http(url), Some(_)) => applet(&["wget", "-q", "-O", "/dev/null", url]),
        // Busybox's nc has no -z: connecting and running `busybox true` says the same.
        (Probe::Tcp(port), Some(bb)) => applet(&[
            "nc",
            "-w",
            "2",
            "127.0.0.1",
            &port.to_string(),
            "-e",
            bb,
            "true",
        ]),
        (Probe::Http(url), None) => vec![
            "CMD-SHELL".into(),
            format!(
                "wget -q -O /dev/null '{}' || exit 1",
                url.replace('\'', "'\\''")
            ),
        ],
        (Probe::Tcp(port), None) => vec![
            "CMD-SHELL".into(),
            format!("nc -z 127.0.0.1 {port} || exit 1"),
        ],
    }
}

/// The busybox binary of an image made `from_host`, if the container's image is one.
fn busybox_of(desired: &DesiredObject, c: &ContainerSpec) -> Option<String> {
    let image = desired.reference(c.image.resource()?.address())?;
    let ResourceSpec::Image(spec) = &image.spec else {
        return None;
    };
    spec.from_host
        .iter()
        .flatten()
        .map(|p| p.as_str())
        .find(|p| p.rsplit('/').next() == Some("busybox"))
        .map(str::to_string)
}

pub(crate) async fn create(
    p: &DockerProvider,
    desired: &DesiredObject,
    progress: &Progress,
) -> Result<ObservedObject, DockerError> {
    let c = spec(desired)?;
    let image = image_of(p, desired, c, progress).await?;

    let mut labels: HashMap<String, String> =
        c.labels.clone().unwrap_or_default().into_iter().collect();
    labels.extend(desired.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    labels.insert(LABEL_APPLIED.to_string(), desired.applied.clone());

    let mut exposed: Vec<String> = Vec::new();
    let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
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

    let mut mounts = Vec::new();
    for m in &c.mounts {
        let (typ, source) = match &m.source {
            MountSource::Volume(v) => (
                MountType::VOLUME,
                referenced(desired, v.address())?.to_string(),
            ),
            MountSource::Path(path) => (
                MountType::BIND,
                path.resolve(&desired.stack_dir).display().to_string(),
            ),
        };
        mounts.push(Mount {
            typ: Some(typ),
            source: Some(source),
            target: Some(m.target.as_str().to_string()),
            read_only: m.readonly,
            ..Default::default()
        });
    }
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

    let (network_mode, networks) = match c.network_mode() {
        NetworkMode::Host => ("host".to_string(), Vec::new()),
        NetworkMode::None => ("none".to_string(), Vec::new()),
        NetworkMode::Container(r) => (
            format!("container:{}", referenced(desired, r.address())?),
            Vec::new(),
        ),
        NetworkMode::Bridge => {
            let mut names = Vec::new();
            for address in c.network_addresses() {
                names.push(referenced(desired, &address)?.to_string());
            }
            match names.first() {
                Some(first) => (first.clone(), names),
                // `networks = []`: loopback only.
                None => ("none".to_string(), names),
            }
        }
    };
    let endpoint = |_: &str| EndpointSettings {
        aliases: c.aliases.clone(),
        ..Default::default()
    };
    let networking = networks.first().map(|first| NetworkingConfig {
        endpoints_config: Some(HashMap::from([(first.clone(), endpoint(first))])),
    });

    let r = c.resources.clone().unwrap_or_default();
    let restart = restart_policy(c);
    let host_config = HostConfig {
        binds: None,
        mounts: Some(mounts),
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
        restart_policy: Some(restart),
        readonly_rootfs: c.read_only,
        cap_add: c
            .cap_add
            .as_ref()
            .map(|caps| caps.iter().map(|c| c.name().to_string()).collect()),
        cap_drop: c
            .cap_drop
            .as_ref()
            .map(|caps| caps.iter().map(|c| c.name().to_string()).collect()),
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
    };
    let health = c.health.as_ref().and_then(|h| {
        Some(HealthConfig {
            test: Some(health_test(h.probe()?, busybox_of(desired, c).as_deref())),
            interval: h.interval.as_ref().map(nanos),
            timeout: h.timeout.as_ref().map(nanos),
            retries: h.retries.map(i64::from),
            start_period: h.start_period.as_ref().map(nanos),
            ..Default::default()
        })
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
        labels: Some(labels),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        healthcheck: health,
        stop_signal: c.stop_signal.as_ref().map(|s| s.name()),
        stop_timeout: c.stop_timeout.as_ref().map(|d| d.get().as_secs() as i64),
        host_config: Some(host_config),
        networking_config: networking,
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
        .await?;
    let id = made.id;
    // Everything after the create can fail; a half-made container must not stay behind
    // under the stack's name, or the next plan would take it for a finished one.
    let finish = async {
        for name in networks.iter().skip(1) {
            p.docker
                .connect_network(
                    name,
                    bollard::models::NetworkConnectRequest {
                        container: id.clone(),
                        endpoint_config: Some(endpoint(name)),
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

fn restart_policy(c: &ContainerSpec) -> RestartPolicy {
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

/// `file` and `secret` blocks, written into the container before it starts.
async fn upload_files(p: &DockerProvider, id: &str, c: &ContainerSpec) -> Result<(), DockerError> {
    if c.files.is_empty() && c.secrets.is_empty() {
        return Ok(());
    }
    let mut tar = tar::Builder::new(Vec::new());
    let entries = c
        .files
        .iter()
        .map(|f| (f.target.as_str(), f.content.as_bytes(), f.mode().bits()))
        .chain(c.secrets.iter().map(|s| {
            (
                s.target.as_str(),
                s.value.expose().as_bytes(),
                s.mode().bits(),
            )
        }));
    for (target, bytes, mode) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(mode);
        header.set_mtime(0);
        header.set_cksum();
        tar.append_data(&mut header, target.trim_start_matches('/'), bytes)
            .map_err(DockerError::io(std::path::Path::new(target)))?;
    }
    let bytes = tar
        .into_inner()
        .map_err(DockerError::io(std::path::Path::new("files")))?;
    p.docker
        .upload_to_container(
            id,
            Some(UploadToContainerOptions {
                path: "/".to_string(),
                ..Default::default()
            }),
            body_full(bytes.into()),
        )
        .await?;
    Ok(())
}

async fn inspect(p: &DockerProvider, id: &str) -> Result<ObservedObject, DockerError> {
    let c = p.docker.inspect_container(id, None).await?;
    observe::container(c)
        .ok_or_else(|| DockerError::failed(id, "the container lost its stackc labels"))
}

pub(crate) async fn update(
    p: &DockerProvider,
    current: &ObservedObject,
    desired: &DesiredObject,
) -> Result<ObservedObject, DockerError> {
    let c = spec(desired)?;
    let r = c.resources.clone().unwrap_or_default();
    // Unset limits are written as "no limit" so that a removed limit is removed.
    let memory = r.memory.as_ref().map_or(0, |m| m.bytes() as i64);
    let body = ContainerUpdateBody {
        nano_cpus: Some(r.cpus.as_ref().map_or(0, |c| c.nanos() as i64)),
        memory: Some(memory),
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
    };
    p.docker.update_container(&current.id, body).await?;
    // Docker cannot change a container's labels: the spec-hash and applied labels keep the
    // values of its creation. The engine compares live attributes with the runtime rather
    // than with the record, so the plan is still empty after this update.
    inspect(p, &current.id).await
}

pub(crate) async fn delete(p: &DockerProvider, object: &ObservedObject) -> Result<(), DockerError> {
    let inspected = p.docker.inspect_container(&object.id, None).await?;
    let image = inspected.image.clone();
    let config = inspected.config.unwrap_or_default();
    if !matches!(object.state, ObjectState::Stopped { .. }) {
        let t = config.stop_timeout.map(|t| t as i32).unwrap_or(10);
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
    if let Some(image) = image {
        image::remove_if_dangling(p, &image).await;
    }
    Ok(())
}

pub(crate) async fn start(p: &DockerProvider, object: &ObservedObject) -> Result<(), DockerError> {
    match p.docker.start_container(&object.id, None).await {
        Ok(()) => Ok(()),
        // 304: already running.
        Err(e) => {
            let e = DockerError::from(e);
            if e.status() == Some(304) {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}

pub(crate) async fn health(
    p: &DockerProvider,
    object: &ObservedObject,
) -> Result<Health, DockerError> {
    let c = p.docker.inspect_container(&object.id, None).await?;
    let state = c.state.unwrap_or_default();
    if state.running != Some(true) {
        let why = match state.exit_code {
            Some(code) => format!("not running (exit {code})"),
            None => "not running".to_string(),
        };
        return Ok(Health::Unhealthy { reason: why });
    }
    Ok(
        match state.health.and_then(|h| {
            let last = h
                .log
                .and_then(|l| l.last().and_then(|r| r.output.clone()))
                .unwrap_or_default();
            h.status.map(|s| (s, last))
        }) {
            Some((HealthStatusEnum::HEALTHY, _)) => Health::Healthy,
            Some((HealthStatusEnum::STARTING, _)) => Health::Starting,
            Some((HealthStatusEnum::UNHEALTHY, last)) => Health::Unhealthy {
                reason: format!("its health check fails: {}", last.trim()),
            },
            _ => Health::None,
        },
    )
}
