//! Networks and volumes: plain Docker objects with the stack's labels.

use crate::{DockerError, DockerProvider};
use bollard::models::{Ipam, IpamConfig, NetworkCreateRequest, VolumeCreateRequest};
use bollard::query_parameters::RemoveVolumeOptions;
use stackc_engine::model::ResourceSpec;
use stackc_engine::provider::{DesiredObject, ObservedObject, LABEL_APPLIED};
use std::collections::HashMap;

fn labels(
    desired: &DesiredObject,
    own: Option<&std::collections::BTreeMap<String, String>>,
) -> HashMap<String, String> {
    let mut l: HashMap<String, String> = own.cloned().unwrap_or_default().into_iter().collect();
    l.extend(desired.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    l.insert(LABEL_APPLIED.to_string(), desired.applied.clone());
    l
}

fn observed(desired: &DesiredObject, id: String) -> ObservedObject {
    ObservedObject {
        address: desired.address.clone(),
        kind: desired.kind,
        id,
        runtime_name: desired.runtime_name.clone(),
        spec_hash: Some(desired.spec_hash.clone()),
        labels: desired.labels.clone(),
        applied: Some(desired.applied.clone()),
        ..ObservedObject::default()
    }
}

pub(crate) async fn create_network(
    p: &DockerProvider,
    desired: &DesiredObject,
) -> Result<ObservedObject, DockerError> {
    let ResourceSpec::Network(n) = &desired.spec else {
        return Err(DockerError::Unsupported("not a network".into()));
    };
    let ipam = n.subnet.as_ref().map(|s| Ipam {
        config: Some(vec![IpamConfig {
            subnet: Some(s.as_str().to_string()),
            gateway: n.gateway.as_ref().map(|g| g.as_str().to_string()),
            ..Default::default()
        }]),
        ..Default::default()
    });
    let made = p
        .docker
        .create_network(NetworkCreateRequest {
            name: desired.runtime_name.clone(),
            driver: Some("bridge".to_string()),
            internal: n.internal,
            ipam,
            labels: Some(labels(desired, n.labels.as_ref())),
            ..Default::default()
        })
        .await?;
    Ok(observed(desired, made.id))
}

/// Containers still attached (a container being replaced with the network) are disconnected
/// first; Docker refuses to remove a network in use.
pub(crate) async fn delete_network(
    p: &DockerProvider,
    object: &ObservedObject,
) -> Result<(), DockerError> {
    let n = p.docker.inspect_network(&object.id, None).await?;
    for id in n.containers.unwrap_or_default().into_keys() {
        let _ = p
            .docker
            .disconnect_network(
                &object.id,
                bollard::models::NetworkDisconnectRequest {
                    container: id,
                    force: Some(true),
                },
            )
            .await;
    }
    p.docker.remove_network(&object.id).await?;
    Ok(())
}

pub(crate) async fn create_volume(
    p: &DockerProvider,
    desired: &DesiredObject,
) -> Result<ObservedObject, DockerError> {
    let ResourceSpec::Volume(v) = &desired.spec else {
        return Err(DockerError::Unsupported("not a volume".into()));
    };
    let made = p
        .docker
        .create_volume(VolumeCreateRequest {
            name: Some(desired.runtime_name.clone()),
            driver: Some(v.driver().to_string()),
            labels: Some(labels(desired, v.labels.as_ref())),
            ..Default::default()
        })
        .await?;
    Ok(observed(desired, made.name))
}

pub(crate) async fn delete_volume(
    p: &DockerProvider,
    object: &ObservedObject,
) -> Result<(), DockerError> {
    p.docker
        .remove_volume(&object.id, Some(RemoveVolumeOptions { force: false }))
        .await?;
    Ok(())
}
