//! The store under the root directory (ARCHITECTURE.md, "The native runtime"):
//!
//! ```text
//! <root>/images/<runtime name>.json     image records (layers, config, labels)
//! <root>/layers/<sha256 hex>/           unpacked layers, shared read-only by overlay mounts
//! <root>/containers/<id>/               record.json, state.json, upper/, work/, rootfs/,
//!                                       files/, secrets/ (a tmpfs), log.json*
//! <root>/containers/by-name/<name>      symlink to the id: runtime names are unique
//! <root>/volumes/<name>/                volume.json and _data/
//! <root>/quotas/<name>.json             quota records
//! <root>/networks/                      (networking is not done yet)
//! <root>/tmp/                           work space of image imports
//! ```
//!
//! Every record is written whole to a temporary file, synced, and renamed into place, so a
//! reader (or a crash) sees the old record or the new one, never half of one.

use crate::error::{NativeError, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use stackc_engine::provider::{DesiredObject, ObjectState, ObservedObject, LABEL_SPEC_HASH};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

/// The store's directories.
#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The store at `root`, as it is (the shim's view: `open` made it).
    pub fn at(root: &Path) -> Store {
        Store {
            root: root.to_path_buf(),
        }
    }

    /// Opens (creating) the store at `root`.
    pub fn open(root: &Path) -> Result<Store> {
        let store = Store {
            root: root.to_path_buf(),
        };
        for dir in [
            store.root.clone(),
            store.images(),
            store.layers(),
            store.containers(),
            store.names(),
            store.volumes(),
            store.quotas(),
            store.networks(),
            store.tmp(),
        ] {
            std::fs::create_dir_all(&dir).map_err(NativeError::io(&dir))?;
        }
        // The store holds secrets' mount points and every container's files: root only.
        set_mode(&store.root, 0o700)?;
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn images(&self) -> PathBuf {
        self.root.join("images")
    }
    pub fn layers(&self) -> PathBuf {
        self.root.join("layers")
    }
    pub fn containers(&self) -> PathBuf {
        self.root.join("containers")
    }
    pub fn names(&self) -> PathBuf {
        self.root.join("containers").join("by-name")
    }
    pub fn volumes(&self) -> PathBuf {
        self.root.join("volumes")
    }
    pub fn quotas(&self) -> PathBuf {
        self.root.join("quotas")
    }
    pub fn networks(&self) -> PathBuf {
        self.root.join("networks")
    }
    pub fn tmp(&self) -> PathBuf {
        self.root.join("tmp")
    }
    pub fn layer(&self, digest: &str) -> PathBuf {
        self.layers().join(digest)
    }
    pub fn container(&self, id: &str) -> PathBuf {
        self.containers().join(id)
    }
    pub fn image_record(&self, runtime_name: &str) -> PathBuf {
        self.images().join(format!("{runtime_name}.json"))
    }
    pub fn volume(&self, name: &str) -> PathBuf {
        self.volumes().join(name)
    }
    pub fn quota_record(&self, name: &str) -> PathBuf {
        self.quotas().join(format!("{name}.json"))
    }

    /// Takes the store's lock (an exclusive `flock` on `<root>/.lock`), held while layers are
    /// made or collected and while records that name layers are written, so a collection
    /// never removes a layer that a record being written is about to name.
    pub fn lock(&self) -> Result<StoreLock> {
        let path = self.root.join(".lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(NativeError::io(&path))?;
        let locked = nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive).map_err(
            |(_, e)| NativeError::Sys {
                what: format!("locking {}", path.display()),
                source: e,
            },
        )?;
        Ok(StoreLock { _lock: locked })
    }
}

/// The store's lock; released when dropped.
pub struct StoreLock {
    _lock: nix::fcntl::Flock<File>,
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(NativeError::io(path))
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, synced, renamed over it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("/"));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        nix::unistd::fsync(f.as_fd()).map_err(std::io::Error::from)?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        NativeError::Io {
            path: path.display().to_string(),
            source: e,
        }
    })
}

/// Writes `bytes` to `path` atomically but without syncing: for facts about live processes
/// (a shim's pid), which mean nothing after a crash anyway, on paths where a sync would be
/// waited for (measured up to 13 ms on a busy disk, longer than the rest of a start).
pub fn write_atomic_volatile(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("/"));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            NativeError::Io {
                path: path.display().to_string(),
                source: e,
            }
        })
}

/// Writes a record as JSON, atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| NativeError::Record {
        path: path.display().to_string(),
        source: e,
    })?;
    write_atomic(path, &bytes)
}

/// Reads a record; `None` when the file does not exist.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| NativeError::Record {
                path: path.display().to_string(),
                source: e,
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(NativeError::Io {
            path: path.display().to_string(),
            source: e,
        }),
    }
}

/// Removes a directory tree; a missing one is already removed.
pub fn remove_tree(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(NativeError::Io {
            path: path.display().to_string(),
            source: e,
        }),
    }
}

/// Removes a file; a missing one is already removed.
pub fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(NativeError::Io {
            path: path.display().to_string(),
            source: e,
        }),
    }
}

/// What every record holds of the engine's object: its address, names and labels, and the
/// applied record (`DesiredObject::applied`), so `observe` gives the same `ObservedObject`
/// as any other provider.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub address: String,
    pub runtime_name: String,
    pub labels: BTreeMap<String, String>,
    pub applied: String,
    pub created_at: String,
}

impl Meta {
    pub fn of(desired: &DesiredObject) -> Meta {
        Meta {
            address: desired.address.clone(),
            runtime_name: desired.runtime_name.clone(),
            labels: desired.labels.clone(),
            applied: desired.applied.clone(),
            created_at: now(),
        }
    }

    pub fn stack(&self) -> &str {
        self.labels
            .get(stackc_engine::provider::LABEL_STACK)
            .map_or("", String::as_str)
    }

    /// The observed object of this record, before state and live attributes.
    pub fn observed(&self, kind: stackc_engine::model::ResourceKind, id: &str) -> ObservedObject {
        ObservedObject {
            address: self.address.clone(),
            kind,
            id: id.to_string(),
            runtime_name: self.runtime_name.clone(),
            spec_hash: self.labels.get(LABEL_SPEC_HASH).cloned(),
            state: ObjectState::Present,
            labels: self.labels.clone(),
            applied: Some(self.applied.clone()),
            ..ObservedObject::default()
        }
    }
}

/// Now, RFC 3339 with nanoseconds.
pub fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// A fresh container id: 32 hex digits from the system's random source.
pub fn new_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| NativeError::failed("making a container id", e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// Checks that `id` is a container id (32 hex digits), as a link or record names one.
pub fn check_id(id: &str) -> Result<()> {
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(NativeError::failed(
            format!("the container id {id:?}"),
            "is not 32 hexadecimal digits",
        ))
    }
}

/// True when `name` can be a file name in the store: runtime names come from the user's
/// files (`name = "…"`), so they must not be able to climb out of a directory.
pub fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.len() <= 200
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub fn check_name(name: &str) -> Result<()> {
    if safe_name(name) {
        Ok(())
    } else {
        Err(NativeError::failed(
            format!("the name {name:?}"),
            "native object names may hold only letters, digits, '-', '_' and '.'",
        ))
    }
}
