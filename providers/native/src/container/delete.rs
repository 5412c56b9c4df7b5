//! `delete`: stops the container, then removes its cgroup, its secrets tmpfs and its
//! directory, its name, and the layers nothing uses any more. Its mounts lived in its own
//! mount namespace and went with its last process.

use super::record;
use crate::cgroup::Cgroups;
use crate::error::{NativeError, Result};
use crate::store::{self, Store};
use std::path::Path;

pub fn delete(store: &Store, cgroups: &Cgroups, id: &str) -> Result<()> {
    let dir = store.container(id);
    if !dir.is_dir() {
        return Err(NativeError::NotFound(format!("the container {id}")));
    }
    let record = record::load(store, id).ok();
    if record.is_some() {
        super::stop::stop(store, cgroups, id)?;
    }
    if let Some(r) = &record {
        cgroups.kill_all(&r.run.cgroup);
        cgroups.remove(&r.run.cgroup)?;
        let link = store.names().join(&r.meta.runtime_name);
        if record::id_by_name(store, &r.meta.runtime_name).as_deref() == Some(id) {
            store::remove_file(&link)?;
        }
    }
    let bridged = record
        .as_ref()
        .is_some_and(|r| matches!(r.run.network, record::NetMode::Bridge(_)));
    if bridged {
        super::netns::remove(store, id)?;
    }
    remove_dirs(store, &dir)?;
    if bridged {
        super::netns::refresh_hosts(store)?;
    }
    let _lock = store.lock()?;
    crate::image::collect_garbage(store)
}

/// Removes a container directory, unmounting what the host side mounted there first.
pub fn remove_dirs(_store: &Store, dir: &Path) -> Result<()> {
    for sub in ["secrets", "rootfs"] {
        let p = dir.join(sub);
        // EINVAL: not a mount point; nothing to undo.
        let _ = crate::sys::unmount(&p);
    }
    store::remove_tree(dir)
}
