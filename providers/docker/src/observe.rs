//! `observe`: every object labelled with the stack, each kind listed once with a label
//! filter, containers then inspected concurrently for their state and live attributes.

use crate::{DockerError, DockerProvider};
use bollard::models::{ContainerInspectResponse, ContainerStateStatusEnum, HostConfig};
use bollard::query_parameters::{
    ListContainersOptions, ListImagesOptions, ListNetworksOptions, ListVolumesOptions,
};
use futures::{StreamExt, TryStreamExt};
use stackc_engine::model::live;
use stackc_engine::model::ResourceKind;
use stackc_engine::provider::{
    ObjectState, ObservedObject, LABEL_ADDRESS, LABEL_APPLIED, LABEL_SPEC_HASH, LABEL_STACK,
};
use std::collections::{BTreeMap, HashMap};

/// How many container inspections run at once.
const INSPECT_CONCURRENCY: usize = 32;

fn filters(stack: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), vec![format!("{LABEL_STACK}={stack}")])])
}

/// An object from its labels; `None` when it has no address label (not stackc's).
fn object(
    kind: ResourceKind,
    id: String,
    runtime_name: String,
    labels: BTreeMap<String, String>,
) -> Option<ObservedObject> {
    Some(ObservedObject {
        address: labels.get(LABEL_ADDRESS)?.clone(),
        kind,
        id,
        runtime_name,
        spec_hash: labels.get(LABEL_SPEC_HASH).cloned(),
        state: ObjectState::Present,
        applied: labels.get(LABEL_APPLIED).cloned(),
        labels,
        ..ObservedObject::default()
    })
}

fn sorted(labels: Option<HashMap<String, String>>) -> BTreeMap<String, String> {
    labels.unwrap_or_default().into_iter().collect()
}

pub(crate) async fn observe(
    p: &DockerProvider,
    stack: &str,
) -> Result<Vec<ObservedObject>, DockerError> {
    let docker = &p.docker;
    let (containers, networks, volumes, images) = tokio::join!(
        docker.list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filters(stack)),
            ..Default::default()
        })),
        docker.list_networks(Some(ListNetworksOptions {
            filters: Some(filters(stack)),
        })),
        docker.list_volumes(Some(ListVolumesOptions {
            filters: Some(filters(stack)),
        })),
        docker.list_images(Some(ListImagesOptions {
            filters: Some(filters(stack)),
            ..Default::default()
        })),
    );
    let mut out = Vec::new();
    for n in networks? {
        let (Some(id), Some(name)) = (n.id, n.name) else {
            continue;
        };
        out.extend(object(ResourceKind::Network, id, name, sorted(n.labels)));
    }
    for v in volumes?.volumes.unwrap_or_default() {
        out.extend(object(
            ResourceKind::Volume,
            v.name.clone(),
            v.name,
            v.labels.into_iter().collect(),
        ));
    }
    for i in images? {
        let name = i
            .repo_tags
            .iter()
            .find(|t| t.as_str() != "<none>:<none>")
            .map(|t| t.split(':').next().unwrap_or(t).to_string())
            .unwrap_or_else(|| i.id.clone());
        // A replaced image that containers still use keeps its labels but loses its tag;
        // it is not the stack's image any more, and goes when its last container goes.
        if i.repo_tags.iter().all(|t| t == "<none>:<none>") {
            continue;
        }
        out.extend(object(
            ResourceKind::Image,
            i.id,
            name,
            i.labels.into_iter().collect(),
        ));
    }
    let ids: Vec<String> = containers?.into_iter().filter_map(|c| c.id).collect();
    let inspected: Vec<ContainerInspectResponse> = futures::stream::iter(ids)
        .map(|id| async move { docker.inspect_container(&id, None).await })
        .buffer_unordered(INSPECT_CONCURRENCY)
        .try_collect()
        .await
        .or_else(|e| match e {
            // A container removed between the list and its inspection is simply gone.
            bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            } => Ok(Vec::new()),
            e => Err(e),
        })?;
    for c in inspected {
        if let Some(o) = container(c) {
            out.push(o);
        }
    }
    Ok(out)
}

/// A container's observed object, with its state and live attributes.
pub(crate) fn container(c: ContainerInspectResponse) -> Option<ObservedObject> {
    let config = c.config.unwrap_or_default();
    let labels = sorted(config.labels);
    let name = c
        .name
        .unwrap_or_default()
        .trim_start_matches('/')
        .to_string();
    let mut o = object(
        ResourceKind::Container,
        c.id.unwrap_or_default(),
        name,
        labels,
    )?;
    let state = c.state.unwrap_or_default();
    o.state = match state.status {
        Some(ContainerStateStatusEnum::CREATED) => ObjectState::Created,
        Some(ContainerStateStatusEnum::RUNNING | ContainerStateStatusEnum::PAUSED) => {
            ObjectState::Running
        }
        Some(ContainerStateStatusEnum::RESTARTING) => ObjectState::Restarting,
        _ => ObjectState::Stopped {
            exit_code: state.exit_code.map(|c| c as i32),
        },
    };
    o.restarts = c.restart_count.unwrap_or(0).max(0) as u32;
    let time = |t: Option<String>| t.filter(|t| !t.starts_with("0001-01-01"));
    o.started_at = time(state.started_at);
    o.finished_at = time(state.finished_at);
    o.live = live_of(&c.host_config.unwrap_or_default());
    Some(o)
}

/// The live attributes in [`live`]'s forms.
fn live_of(h: &HostConfig) -> BTreeMap<String, serde_json::Value> {
    let pos = |v: Option<i64>| v.filter(|v| *v > 0).unwrap_or(0) as u64;
    let nanos = match (h.nano_cpus, h.cpu_quota, h.cpu_period) {
        (Some(n), _, _) if n > 0 => n as u64,
        (_, Some(q), Some(p)) if q > 0 && p > 0 => (q as u64) * 1_000_000_000 / p as u64,
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
            (h.blkio_weight.unwrap_or(0) as u64).into(),
        ),
        (live::RESTART.to_string(), restart_name.into()),
        (
            live::MAX_RESTARTS.to_string(),
            pos(restart.maximum_retry_count).into(),
        ),
    ])
}
