//! The provider's errors, converted to the engine's [`ProviderError`] at the boundary
//! (ARCHITECTURE.md decision 8).

use stackc_engine::provider::ProviderError;

/// What to do when the daemon does not answer; said once, with the address.
const START_HINT: &str = "is dockerd running? (`sudo systemctl start docker`, or \
                          scripts/docker-up; or point DOCKER_HOST or `provider \"docker\" { host \
                          = … }` at a running daemon)";

#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    /// The daemon does not answer: one clear message naming where it was looked for.
    #[error("cannot reach the Docker daemon at {host}: {reason} — {START_HINT}")]
    Unreachable { host: String, reason: String },
    #[error("{}", daemon_message(.0))]
    Api(#[from] bollard::errors::Error),
    #[error("{0}")]
    Unsupported(String),
    /// An object of this name exists already (a create answered 409).
    #[error("{0}")]
    Exists(String),
    #[error("{what}: {message}")]
    Failed { what: String, message: String },
    /// A service's port rules could not be made (nft, sysctl).
    #[error("{0}")]
    Balance(String),
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

    pub(crate) fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// A create's error: 409 means the name is taken. A 404 there is about something the
    /// object needs (an image, a network), so it stays the daemon's message rather than
    /// saying the object itself is missing.
    pub(crate) fn on_create(self) -> DockerError {
        match self.status() {
            Some(409) => DockerError::Exists(self.to_string()),
            _ => self,
        }
    }

    /// Into the engine's error, for a create of `what`: see [`DockerError::on_create`].
    pub(crate) fn into_create_error(self, what: &str) -> ProviderError {
        if self.is_not_found() {
            return ProviderError::Runtime(self.to_string());
        }
        self.on_create().into_provider(what)
    }

    /// Into the engine's error; `what` names the object for a not-found.
    pub(crate) fn into_provider(self, what: &str) -> ProviderError {
        if self.is_not_found() {
            return ProviderError::NotFound(what.to_string());
        }
        match self {
            DockerError::Unreachable { host, reason } => ProviderError::Unavailable(format!(
                "the Docker daemon at {host}: {reason} — {START_HINT}"
            )),
            DockerError::Api(bollard::errors::Error::HyperResponseError { .. })
            | DockerError::Api(bollard::errors::Error::HyperLegacyError { .. })
            | DockerError::Api(bollard::errors::Error::IOError { .. })
            | DockerError::Api(bollard::errors::Error::RequestTimeoutError) => {
                ProviderError::Unavailable(format!(
                    "the Docker daemon stopped answering while working on `{what}`: {self}"
                ))
            }
            DockerError::Exists(m) => ProviderError::AlreadyExists(format!("{what} ({m})")),
            DockerError::Unsupported(m) => ProviderError::Unsupported(m),
            other => ProviderError::Runtime(other.to_string()),
        }
    }
}

/// The daemon's own message, without bollard's wrapping ("Docker responded with status
/// code 409: …", "Docker stream error: …"): a failed pull or build step arrives in the
/// stream.
pub(crate) fn daemon_message(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        bollard::errors::Error::DockerStreamError { error } => error.trim().to_string(),
        other => other.to_string(),
    }
}

impl From<DockerError> for ProviderError {
    fn from(e: DockerError) -> ProviderError {
        e.into_provider("the object")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, message: &str) -> DockerError {
        DockerError::Api(bollard::errors::Error::DockerResponseServerError {
            status_code: status,
            message: message.to_string(),
        })
    }

    #[test]
    fn errors_keep_the_daemons_words() {
        assert_eq!(
            api(404, "No such container: x").into_provider("container.web"),
            ProviderError::NotFound("container.web".into())
        );
        assert_eq!(
            api(409, "Conflict. The container name \"/a\" is already in use")
                .on_create()
                .into_provider("container.a"),
            ProviderError::AlreadyExists(
                "container.a (Conflict. The container name \"/a\" is already in use)".into()
            )
        );
        // A conflict that is not about a name (exec in a stopped container) stays a
        // runtime error with the daemon's message.
        assert_eq!(
            api(409, "Container abc is not running").into_provider("container.a"),
            ProviderError::Runtime("Container abc is not running".into())
        );
    }

    #[test]
    fn an_unreachable_daemon_is_named_once() {
        let e = DockerError::Unreachable {
            host: "unix:///x.sock".into(),
            reason: "the socket does not exist".into(),
        };
        assert!(e
            .to_string()
            .starts_with("cannot reach the Docker daemon at unix:///x.sock: the socket"));
        let ProviderError::Unavailable(m) = ProviderError::from(e) else {
            panic!("not unavailable");
        };
        assert_eq!(m.matches("unix:///x.sock").count(), 1, "{m}");
        assert!(m.contains("is dockerd running?"), "{m}");
    }
}
