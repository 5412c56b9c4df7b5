//! Networks: Docker networks with the stack's labels.

use crate::{labels, DockerError, DockerProvider};
use bollard::models::{Ipam, IpamConfig, NetworkCreateRequest, NetworkDisconnectRequest};
use stackc_engine::model::network::NetworkDriver;
use stackc_engine::model::ResourceSpec;
use stackc_engine::provider::{DesiredObject, ObservedObject};

/// What `create` returns for a network or a volume: the desired object, made.
pub(crate) fn made(desired: &DesiredObject, id: String) -> ObservedObject {
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

pub(crate) async fn create(
    p: &DockerProvider,
    desired: &DesiredObject,
) -> Result<ObservedObject, DockerError> {
    let ResourceSpec::Network(n) = &desired.spec else {
        return Err(DockerError::Unsupported("not a network".into()));
    };
    let driver = match n.driver() {
        NetworkDriver::Bridge => "bridge",
        NetworkDriver::Overlay => {
            return Err(DockerError::Unsupported(
                "overlay networks need Docker Swarm (the swarm provider)".into(),
            ))
        }
    };
    let ipam = n.subnet.as_ref().map(|s| Ipam {
        config: Some(vec![IpamConfig {
            subnet: Some(s.as_str().to_string()),
            gateway: n.gateway.as_ref().map(|g| g.as_str().to_string()),
            ..Default::default()
        }]),
        ..Default::default()
    });
    let made_network = p
        .docker
        .create_network(NetworkCreateRequest {
            name: desired.runtime_name.clone(),
            driver: Some(driver.to_string()),
            internal: n.internal,
            ipam,
            labels: Some(labels::of(desired, n.labels.as_ref())),
            ..Default::default()
        })
        .await
        .map_err(|e| DockerError::from(e).on_create())?;
    // Before API 1.44 a daemon makes a second network of a taken name, only warning; the
    // API this client speaks has no `CheckDuplicate` to ask it not to. Two networks of one
    // name would make every later use of the name ambiguous, so the new one goes.
    if made_network.warning.contains("already exists") {
        let _ = p.docker.remove_network(&made_network.id).await;
        return Err(DockerError::Exists(made_network.warning));
    }
    Ok(made(desired, made_network.id))
}

/// Containers still attached (a container being replaced with the network) are disconnected
/// first; Docker refuses to remove a network in use.
pub(crate) async fn delete(p: &DockerProvider, object: &ObservedObject) -> Result<(), DockerError> {
    let n = p.docker.inspect_network(&object.id, None).await?;
    for id in n.containers.unwrap_or_default().into_keys() {
        // One that went meanwhile is fine; one that stays makes the removal below fail
        // with the daemon's reason.
        let _ = p
            .docker
            .disconnect_network(
                &object.id,
                NetworkDisconnectRequest {
                    container: id,
                    force: Some(true),
                },
            )
            .await;
    }
    p.docker.remove_network(&object.id).await?;
    Ok(())
}
