//! The provider's errors, converted to the engine's [`ProviderError`] at the boundary
//! (ARCHITECTURE.md decision 8).

use stackc_engine::provider::ProviderError;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    /// Not running as root: namespaces, cgroups and overlayfs all need it here.
    #[error(
        "the native provider needs root (running as uid {uid}): it creates namespaces, cgroups \
         and overlay mounts. Run stackc as root (sudo), or use --provider docker; rootless \
         containers are not supported yet"
    )]
    NotRoot { uid: u32 },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what}: {source}")]
    Sys {
        what: String,
        #[source]
        source: nix::Error,
    },
    #[error("{path} is damaged: {source}")]
    Record {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("`{0}` was not found")]
    NotFound(String),
    #[error("`{0}` already exists")]
    AlreadyExists(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("{what}: {why}")]
    Failed { what: String, why: String },
}

pub type Result<T, E = NativeError> = std::result::Result<T, E>;

impl NativeError {
    pub(crate) fn failed(what: impl Into<String>, why: impl Into<String>) -> NativeError {
        NativeError::Failed {
            what: what.into(),
            why: why.into(),
        }
    }

    /// A closure naming `path`, for `map_err` on I/O results.
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> NativeError + '_ {
        move |source| NativeError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// A closure naming the system call's purpose, for `map_err` on nix results.
    pub(crate) fn sys(what: impl Into<String>) -> impl FnOnce(nix::Error) -> NativeError {
        let what = what.into();
        move |source| NativeError::Sys { what, source }
    }

    /// Into the engine's error; `what` names the object.
    pub fn into_provider(self, what: &str) -> ProviderError {
        match self {
            NativeError::NotFound(_) => ProviderError::NotFound(what.to_string()),
            NativeError::AlreadyExists(m) => ProviderError::AlreadyExists(m),
            NativeError::Unsupported(m) => ProviderError::Unsupported(m),
            e @ NativeError::NotRoot { .. } => ProviderError::Unavailable(e.to_string()),
            e => ProviderError::Runtime(e.to_string()),
        }
    }
}

impl From<NativeError> for ProviderError {
    fn from(e: NativeError) -> ProviderError {
        e.into_provider("the object")
    }
}
