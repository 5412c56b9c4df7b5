//! The local state directory (ARCHITECTURE.md decision 1): per stack, only the lock, the key
//! of the spec hash, the applied-revision history and the watch status. The runtime stays the
//! source of truth for what exists; nothing here is needed to find an object again.
//!
//! ```text
//! <state-dir>/stacks/<stack>/lock          flock; holds "pid command since" of a writer
//! <state-dir>/stacks/<stack>/key           32 random bytes, mode 0600 (decision 2)
//! <state-dir>/stacks/<stack>/history/<n>/  revision.json and a copy of the stack's files
//! ```

mod history;
mod lock;

pub use history::{Revision, RevisionFile, RevisionSummary};
pub use lock::{LockMode, StackLock};

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What went wrong with the state directory.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    /// Decision 6: a second writer never waits silently.
    #[error("stack `{stack}` is locked by {holder}")]
    Locked { stack: String, holder: String },
    #[error("{} is damaged: {reason}", path.display())]
    Damaged { path: PathBuf, reason: String },
    #[error("revision {0} is not in the history of this stack")]
    NoRevision(u64),
}

impl StateError {
    pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> StateError {
        let path = path.to_path_buf();
        move |source| StateError::Io {
            action,
            path,
            source,
        }
    }

    /// How to get out of it, for the CLI's help line.
    pub fn help(&self) -> Option<String> {
        match self {
            StateError::Locked { .. } => Some(
                "wait for the other command to finish; a lock is released as soon as its process \
                 ends, so there is nothing to clean up"
                    .to_string(),
            ),
            StateError::Io { .. } => Some(
                "check that the state directory is writable (set it with --state-dir or \
                 STACKC_STATE_DIR)"
                    .to_string(),
            ),
            StateError::Damaged { .. } => {
                Some("move the damaged file aside; stackc recreates what it needs".to_string())
            }
            StateError::NoRevision(_) => Some("`stackc history` lists the revisions".to_string()),
        }
    }
}

/// The state directory.
#[derive(Clone, Debug)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    pub fn new(root: impl Into<PathBuf>) -> StateDir {
        StateDir { root: root.into() }
    }

    /// CLI.md: `/var/lib/stackc` as root, `$XDG_STATE_HOME/stackc` (or
    /// `~/.local/state/stackc`) otherwise.
    pub fn default_root() -> PathBuf {
        if nix::unistd::geteuid().is_root() {
            return PathBuf::from("/var/lib/stackc");
        }
        match std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
            Some(x) => PathBuf::from(x).join("stackc"),
            None => {
                let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
                PathBuf::from(home).join(".local/state/stackc")
            }
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The state of the stack `name`, creating its directory (mode 0700) when needed.
    pub fn stack(&self, name: &str) -> Result<StackState, StateError> {
        let dir = self.root.join("stacks").join(name);
        fs::create_dir_all(&dir).map_err(StateError::io("create", &dir))?;
        let _ = fs::set_permissions(&dir, fs::Permissions::from_mode(0o700));
        Ok(StackState {
            name: name.to_string(),
            dir,
        })
    }
}

/// One stack's part of the state directory.
#[derive(Clone, Debug)]
pub struct StackState {
    name: String,
    dir: PathBuf,
}

impl StackState {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The stack's key for the spec hash, made on first use: 32 random bytes, mode 0600.
    pub fn key(&self) -> Result<[u8; 32], StateError> {
        let path = self.dir.join("key");
        match File::open(&path) {
            Ok(mut f) => {
                let mut key = [0u8; 32];
                let mut extra = [0u8; 1];
                f.read_exact(&mut key)
                    .map_err(|e| self.damaged_key(&path, e))?;
                if f.read(&mut extra).map_err(StateError::io("read", &path))? != 0 {
                    return Err(StateError::Damaged {
                        path,
                        reason: "the key must be exactly 32 bytes".into(),
                    });
                }
                Ok(key)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(|e| StateError::Io {
                    action: "make a random key for",
                    path: path.clone(),
                    source: io::Error::other(e.to_string()),
                })?;
                write_atomic(&path, &key, 0o600)?;
                // Two processes may race to make the key; whichever rename came last won,
                // so read back what is on disk rather than trusting our own bytes.
                self.key()
            }
            Err(e) => Err(StateError::io("read", &path)(e)),
        }
    }

    fn damaged_key(&self, path: &Path, e: io::Error) -> StateError {
        StateError::Damaged {
            path: path.to_path_buf(),
            reason: format!("cannot read 32 bytes ({e})"),
        }
    }
}

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one: a
/// temporary file in the same directory, fsync, rename, fsync of the directory.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), StateError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)
            .map_err(StateError::io("create", &tmp))?;
        f.write_all(bytes).map_err(StateError::io("write", &tmp))?;
        f.sync_all().map_err(StateError::io("sync", &tmp))?;
        fs::rename(&tmp, path).map_err(StateError::io("rename into place", path))?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests;
