//! The provider's errors, converted to the engine's [`ProviderError`] at the boundary
//! (ARCHITECTURE.md decision 8).

use stackc_engine::provider::ProviderError;

#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    /// The daemon does not answer: one clear message naming where it was looked for.
    #[error(
        "cannot reach the Docker daemon at {host}: {reason}. Is dockerd running? Start it \
         (`systemctl start docker`, or scripts/docker-up), or point DOCKER_HOST or \
         `provider \"docker\" {{ host = … }}` at a running daemon"
    )]
    Unreachable { host: String, reason: String },
    #[error("{0}")]
    Api(#[from] bollard::errors::Error),
    #[error("{0}")]
    Unsupported(String),
    #[error("{what}: {message}")]
    Failed { what: String, message: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl DockerError {
    pub(crate) fn failed(what: impl Into<String>, message: impl Into<String>) -> DockerError {
        DockerError::Failed {
            what: what.into(),
            message: message.into(),
        }
    }

    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> DockerError {
        let path = path.display().to_string();
        move |source| DockerError::Io { path, source }
    }

    /// The HTTP status of an API error, if it is one.
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            DockerError::Api(bollard::errors::Error::DockerResponseServerError {
                status_code,
                ..
            }) => Some(*status_code),
            _ => None,
        }
    }

    /// Into the engine's error; `what` names the object for a not-found.
    pub(crate) fn into_provider(self, what: &str) -> ProviderError {
        match (self.status(), self) {
            (Some(404), _) => ProviderError::NotFound(what.to_string()),
            (Some(409), e) => ProviderError::AlreadyExists(format!("{what} ({})", message(&e))),
            (_, DockerError::Unreachable { .. })
            | (_, DockerError::Api(bollard::errors::Error::HyperResponseError { .. })) => {
                ProviderError::Unavailable(String::from("the Docker daemon stopped answering"))
            }
            (_, DockerError::Unsupported(m)) => ProviderError::Unsupported(m),
            (_, e) => ProviderError::Runtime(message(&e)),
        }
    }
}

/// The daemon's own message, without bollard's wrapping.
fn message(e: &DockerError) -> String {
    match e {
        DockerError::Api(bollard::errors::Error::DockerResponseServerError { message, .. }) => {
            message.clone()
        }
        other => other.to_string(),
    }
}

impl From<DockerError> for ProviderError {
    fn from(e: DockerError) -> ProviderError {
        match e {
            DockerError::Unreachable { .. } => ProviderError::Unavailable(e.to_string()),
            other => other.into_provider("the object"),
        }
    }
}
