//! `rename`: a container takes another runtime name and keeps running (a service's old
//! replica steps aside for its successor in a start-first rollout).

use super::record;
use crate::error::{NativeError, Result};
use crate::store::{self, Store};

pub fn rename(store: &Store, id: &str, new_name: &str) -> Result<()> {
    if new_name.is_empty() || new_name.contains('/') || new_name.starts_with('.') {
        return Err(NativeError::Unsupported(format!(
            "`{new_name}` cannot be a container name"
        )));
    }
    let mut r = record::load(store, id)?;
    // The new name is taken first and atomically, as at create.
    let link = store.names().join(new_name);
    if let Err(e) = std::os::unix::fs::symlink(id, &link) {
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            return Err(NativeError::io(&link)(e));
        }
        if record::id_by_name(store, new_name).is_some() {
            return Err(NativeError::AlreadyExists(format!(
                "the container {new_name}"
            )));
        }
        // A link left by a crash: the name is free.
        store::remove_file(&link)?;
        std::os::unix::fs::symlink(id, &link).map_err(NativeError::io(&link))?;
    }
    let old = std::mem::replace(&mut r.meta.runtime_name, new_name.to_string());
    if let Err(e) = record::save(store, &r) {
        let _ = store::remove_file(&link);
        return Err(e);
    }
    if record::id_by_name(store, &old).as_deref() == Some(id) {
        store::remove_file(&store.names().join(&old))?;
    }
    Ok(())
}
