//! Connecting: `provider "docker" { host = … }`, else `DOCKER_HOST`, else the local socket;
//! the API version is negotiated, so Docker 20.10 (API 1.41) and newer all work.

use crate::{DockerError, DockerProvider};
use bollard::{Docker, API_DEFAULT_VERSION};
use stackc_engine::model::provider::DockerSettings;

/// The local socket, when nothing else is said.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// Seconds a single API call may take; image builds and pulls stream, so this bounds a
/// stalled daemon, not a long operation.
const TIMEOUT_SECS: u64 = 600;

impl DockerProvider {
    /// Connects and checks that the daemon answers.
    pub async fn connect(settings: &DockerSettings) -> Result<DockerProvider, DockerError> {
        let host = settings
            .host
            .clone()
            .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()))
            .unwrap_or_else(|| DEFAULT_HOST.to_string());
        let unreachable = |reason: String| DockerError::Unreachable {
            host: host.clone(),
            reason,
        };
        let docker = if let Some(path) = host.strip_prefix("unix://") {
            if !std::path::Path::new(path).exists() {
                return Err(unreachable("the socket does not exist".to_string()));
            }
            Docker::connect_with_unix(path, TIMEOUT_SECS, API_DEFAULT_VERSION)
        } else if host.starts_with("tcp://") || host.starts_with("http://") {
            Docker::connect_with_http(&host, TIMEOUT_SECS, API_DEFAULT_VERSION)
        } else {
            return Err(unreachable(
                "only unix:// and tcp:// addresses are supported".to_string(),
            ));
        }
        .map_err(|e| unreachable(e.to_string()))?;
        let docker = docker
            .negotiate_version()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        docker
            .ping()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        Ok(DockerProvider {
            docker,
            host,
            present: Default::default(),
        })
    }
}
