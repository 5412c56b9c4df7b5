//! Volumes: `volumes/<name>/volume.json` and the data in `volumes/<name>/_data/`, bind-mounted
//! into containers. Deleting one removes its data; the engine deletes a volume only when the
//! user asks for it (`--purge-volumes`).

use crate::error::{NativeError, Result};
use crate::store::{self, check_name, read_json, write_json, Meta, Store};
use serde::{Deserialize, Serialize};
use stackc_engine::model::{ResourceKind, ResourceSpec};
use stackc_engine::provider::{DesiredObject, ObservedObject};
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeRecord {
    #[serde(flatten)]
    pub meta: Meta,
    pub driver: String,
}

pub fn create(store: &Store, desired: &DesiredObject) -> Result<ObservedObject> {
    let ResourceSpec::Volume(spec) = &desired.spec else {
        return Err(NativeError::Unsupported("not a volume".into()));
    };
    if spec.driver() != "local" {
        return Err(NativeError::Unsupported(format!(
            "the native provider has only the \"local\" volume driver, not {:?}",
            spec.driver()
        )));
    }
    check_name(&desired.runtime_name)?;
    let dir = store.volume(&desired.runtime_name);
    let path = dir.join("volume.json");
    if let Some(existing) = read_json::<VolumeRecord>(&path)? {
        // A volume kept from an earlier apply of the same object holds its data: adopt it.
        if existing.meta.address != desired.address || existing.meta.stack() != desired.stack() {
            return Err(NativeError::AlreadyExists(format!(
                "the volume {}",
                desired.runtime_name
            )));
        }
    }
    let data = dir.join("_data");
    std::fs::create_dir_all(&data).map_err(NativeError::io(&data))?;
    let record = VolumeRecord {
        meta: Meta::of(desired),
        driver: spec.driver().to_string(),
    };
    write_json(&path, &record)?;
    Ok(record
        .meta
        .observed(ResourceKind::Volume, &desired.runtime_name))
}

/// The data directory of the volume `name`.
pub fn data_dir(store: &Store, name: &str) -> Result<PathBuf> {
    check_name(name)?;
    let data = store.volume(name).join("_data");
    if data.is_dir() {
        Ok(data)
    } else {
        Err(NativeError::NotFound(format!("the volume {name}")))
    }
}

pub fn observe(store: &Store, stack: &str) -> Result<Vec<ObservedObject>> {
    let dir = store.volumes();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .map_err(NativeError::io(&dir))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(r) = read_json::<VolumeRecord>(&entry.path().join("volume.json"))? {
            if r.meta.stack() == stack {
                out.push(r.meta.observed(ResourceKind::Volume, &name));
            }
        }
    }
    Ok(out)
}

pub fn delete(store: &Store, object: &ObservedObject) -> Result<()> {
    check_name(&object.runtime_name)?;
    let dir = store.volume(&object.runtime_name);
    if !dir.is_dir() {
        return Err(NativeError::NotFound(object.runtime_name.clone()));
    }
    store::remove_tree(&dir)
}
