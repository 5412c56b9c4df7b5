//! Connecting: `provider "docker" { host = … }`, else `DOCKER_HOST`, else the local socket;
//! the API version is negotiated, so Docker 20.10 (API 1.41) and newer all work.

use crate::live::Enforced;
use crate::{DockerError, DockerProvider};
use bollard::{Docker, API_DEFAULT_VERSION};
use stackc_engine::model::provider::DockerSettings;
use std::future::Future;
use std::time::Duration;

/// The local socket, when nothing else is said.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// Seconds a single API call may take; image builds and pulls stream, so this bounds a
/// stalled daemon, not a long operation.
const TIMEOUT_SECS: u64 = 600;

/// How long connecting may take: a daemon that accepts the connection but does not answer
/// (starting, or hung) must not hold `stackc plan` for the ten minutes above.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The address to use: the stack's, else `DOCKER_HOST`, else the local socket.
fn address(settings: &DockerSettings) -> String {
    settings
        .host
        .clone()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| DEFAULT_HOST.to_string())
}

impl DockerProvider {
    /// Connects and checks that the daemon answers.
    pub async fn connect(settings: &DockerSettings) -> Result<DockerProvider, DockerError> {
        let host = address(settings);
        let unreachable = |reason: String| DockerError::Unreachable {
            host: host.clone(),
            reason,
        };
        // A bare path is a socket, as the docker CLI takes it.
        let socket = host
            .strip_prefix("unix://")
            .or_else(|| host.starts_with('/').then_some(host.as_str()));
        let docker = if let Some(path) = socket {
            match std::fs::metadata(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(unreachable("the socket does not exist".to_string()))
                }
                Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                    return Err(unreachable(
                        "permission denied (run as root or join the `docker` group)".to_string(),
                    ))
                }
                _ => {}
            }
            Docker::connect_with_unix(path, TIMEOUT_SECS, API_DEFAULT_VERSION)
        } else if host.starts_with("tcp://") || host.starts_with("http://") {
            Docker::connect_with_http(&host, TIMEOUT_SECS, API_DEFAULT_VERSION)
        } else {
            return Err(unreachable(
                "only unix:// and tcp:// addresses are supported (no TLS or ssh://)".to_string(),
            ));
        }
        .map_err(|e| unreachable(e.to_string()))?;
        let docker = within(docker.negotiate_version())
            .await
            .map_err(unreachable)?;
        within(docker.ping()).await.map_err(unreachable)?;
        // What the host enforces decides what a container shows (see `live`); a daemon
        // that will not say is trusted to enforce everything.
        let (enforced, quotas) = match within(docker.info()).await {
            Ok(info) => (
                Enforced::from_info(&info, socket.is_some()),
                crate::quota::Mode::from_info(&info, socket.is_some()),
            ),
            Err(_) => (
                Enforced::default(),
                crate::quota::Mode {
                    not_enforced: Some("the daemon would not say how it runs cgroups".into()),
                    v2: false,
                },
            ),
        };
        Ok(DockerProvider {
            docker,
            host,
            enforced,
            quotas,
            present: Default::default(),
        })
    }
}

/// `call` within [`CONNECT_TIMEOUT`]; the error as a reason for [`DockerError::Unreachable`].
async fn within<T>(
    call: impl Future<Output = Result<T, bollard::errors::Error>>,
) -> Result<T, String> {
    match tokio::time::timeout(CONNECT_TIMEOUT, call).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(reason(&e)),
        Err(_) => Err(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())),
    }
}

/// The innermost cause: "Connection refused (os error 111)" says more than hyper's wrapping.
fn reason(e: &bollard::errors::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}
