//! Volumes: named Docker volumes with the stack's labels. Data is the user's: a volume goes
//! only when the engine deletes it (`destroy --purge-volumes`), never with a container.

use crate::{labels, network, DockerError, DockerProvider};
use bollard::models::VolumeCreateRequest;
use bollard::query_parameters::RemoveVolumeOptions;
use stackc_engine::model::ResourceSpec;
use stackc_engine::provider::{DesiredObject, ObservedObject, LABEL_ADDRESS, LABEL_STACK};

pub(crate) async fn create(
    p: &DockerProvider,
    desired: &DesiredObject,
) -> Result<ObservedObject, DockerError> {
    let ResourceSpec::Volume(v) = &desired.spec else {
        return Err(DockerError::Unsupported("not a volume".into()));
    };
    // Creating a volume of a taken name succeeds in Docker and returns the existing one,
    // labels and data included: adopting another stack's (or another tool's) volume that
    // way would hand its data to this stack, so a taken name is refused.
    if let Ok(existing) = p.docker.inspect_volume(&desired.runtime_name).await {
        let owner = |k: &str| existing.labels.get(k).cloned().unwrap_or_default();
        if owner(LABEL_STACK) != desired.stack() || owner(LABEL_ADDRESS) != desired.address {
            return Err(DockerError::Exists(format!(
                "a volume named {} exists and is not this stack's",
                desired.runtime_name
            )));
        }
    }
    let made = p
        .docker
        .create_volume(VolumeCreateRequest {
            name: Some(desired.runtime_name.clone()),
            driver: Some(v.driver().to_string()),
            labels: Some(labels::of(desired, v.labels.as_ref())),
            ..Default::default()
        })
        .await
        .map_err(|e| DockerError::from(e).on_create())?;
    Ok(network::made(desired, made.name))
}

/// Not forced: a volume some container still uses (one outside the stack) stays, and the
/// daemon says which.
pub(crate) async fn delete(p: &DockerProvider, object: &ObservedObject) -> Result<(), DockerError> {
    p.docker
        .remove_volume(&object.id, Some(RemoveVolumeOptions { force: false }))
        .await?;
    Ok(())
}
