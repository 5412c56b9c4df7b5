//! `observe`: every object labelled with the stack, each kind listed once with a label
//! filter, containers then inspected concurrently for their state and live attributes.

use crate::{live, DockerError, DockerProvider};
use bollard::models::{ContainerInspectResponse, ContainerStateStatusEnum};
use bollard::query_parameters::{
    ListContainersOptions, ListImagesOptions, ListNetworksOptions, ListVolumesOptions,
};
use futures::StreamExt;
use stackc_engine::model::ResourceKind;
use stackc_engine::provider::{
    ObjectState, ObservedObject, LABEL_ADDRESS, LABEL_APPLIED, LABEL_SPEC_HASH, LABEL_STACK,
};
use stackc_engine::service::object_kind;
use std::collections::{BTreeMap, HashMap};

/// How many container inspections run at once: enough to hide the round trips, few enough
/// not to queue behind each other in the daemon.
const INSPECT_CONCURRENCY: usize = 32;

fn filters(stack: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), vec![format!("{LABEL_STACK}={stack}")])])
}

/// True when `labels` name an object of `kind`. A container made from a stack's image by
/// another tool inherits the image's labels, stack and address included; its address is an
/// image's, so it is not taken for one of the stack's containers.
pub(crate) fn is_address_of(labels: &HashMap<String, String>, kind: ResourceKind) -> bool {
    labels
        .get(LABEL_ADDRESS)
        .and_then(|a| object_kind(a))
        .is_some_and(|k| k == kind)
}

/// An object from its labels; `None` when it has no address label of its kind (not
/// stackc's).
fn object(
    kind: ResourceKind,
    id: String,
    runtime_name: String,
    labels: BTreeMap<String, String>,
) -> Option<ObservedObject> {
    let address = labels.get(LABEL_ADDRESS)?;
    if object_kind(address) != Some(kind) {
        return None;
    }
    Some(ObservedObject {
        address: address.clone(),
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
        // The image object is the one tagged after its own spec hash (see `image::tag`): a
        // replaced image that containers still use has lost that tag and goes with its last
        // container, and an image another tool built on top of it inherited its labels but
        // not its tag.
        let short: String = i
            .labels
            .get(LABEL_SPEC_HASH)
            .map(|h| h.chars().take(12).collect())
            .unwrap_or_default();
        let Some(name) = i.repo_tags.iter().find_map(|t| {
            let (repo, tag) = t.rsplit_once(':')?;
            (!short.is_empty() && tag == short).then(|| repo.to_string())
        }) else {
            continue;
        };
        out.extend(object(
            ResourceKind::Image,
            i.id,
            name,
            i.labels.into_iter().collect(),
        ));
    }
    let ids: Vec<String> = containers?.into_iter().filter_map(|c| c.id).collect();
    let inspected: Vec<Result<ContainerInspectResponse, bollard::errors::Error>> =
        futures::stream::iter(ids)
            .map(|id| async move { docker.inspect_container(&id, None).await })
            .buffer_unordered(INSPECT_CONCURRENCY)
            .collect()
            .await;
    for c in inspected {
        match c {
            Ok(c) => out.extend(container(c)),
            // Removed between the list and its inspection: simply gone.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// A container's observed object, with its state and live attributes.
pub(crate) fn container(c: ContainerInspectResponse) -> Option<ObservedObject> {
    let config = c.config.unwrap_or_default();
    let name = c
        .name
        .unwrap_or_default()
        .trim_start_matches('/')
        .to_string();
    let mut o = object(
        ResourceKind::Container,
        c.id.unwrap_or_default(),
        name,
        sorted(config.labels),
    )?;
    let state = c.state.unwrap_or_default();
    o.state = match state.status {
        Some(ContainerStateStatusEnum::CREATED) => ObjectState::Created,
        // A paused container keeps its process: it runs as far as the plan is concerned.
        Some(ContainerStateStatusEnum::RUNNING | ContainerStateStatusEnum::PAUSED) => {
            ObjectState::Running
        }
        Some(ContainerStateStatusEnum::RESTARTING) => ObjectState::Restarting,
        _ => ObjectState::Stopped {
            exit_code: state.exit_code.and_then(|c| i32::try_from(c).ok()),
        },
    };
    o.restarts = c
        .restart_count
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0);
    // Docker writes the zero time for "never".
    let time = |t: Option<String>| t.filter(|t| !t.starts_with("0001-01-01"));
    o.started_at = time(state.started_at);
    o.finished_at = time(state.finished_at);
    o.live = live::read(&c.host_config.unwrap_or_default());
    Some(o)
}
