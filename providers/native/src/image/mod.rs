//! Images: a record (`images/<runtime name>.json`) naming the image's layers, bottom first,
//! and its defaults for containers (entrypoint, cmd, env, workdir, user). Sources:
//! `dir` and `from_host` become one layer each, `files` one more on top, `archive` brings its
//! own layers; `config` overrides the defaults. `ref` (registry pulls) is not done yet and
//! `build` is Docker's.

pub mod archive;
pub mod layer;
pub mod registry;

use crate::error::{NativeError, Result};
use crate::store::{self, check_name, read_json, write_json, Meta, Store};
use layer::Source;
use serde::{Deserialize, Serialize};
use stackc_engine::model::image::{ImageSource, ImageSpec};
use stackc_engine::model::ResourceKind;
use stackc_engine::provider::{DesiredObject, ObservedObject, Progress};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// An image's defaults for the containers made from it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageDefaults {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// The record of an image object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRecord {
    #[serde(flatten)]
    pub meta: Meta,
    /// `sha256:` of the layers and defaults: what a container was made from.
    pub id: String,
    /// Layer digests (hex), bottom first.
    pub layers: Vec<String>,
    pub config: ImageDefaults,
}

fn spec(desired: &DesiredObject) -> Result<&ImageSpec> {
    match &desired.spec {
        stackc_engine::model::ResourceSpec::Image(s) => Ok(s),
        _ => Err(NativeError::Unsupported("not an image".into())),
    }
}

/// Makes the image: its layers (each unpacked once, under the store lock) and its record.
pub fn create(
    store: &Store,
    desired: &DesiredObject,
    progress: &Progress,
) -> Result<ObservedObject> {
    let spec = spec(desired)?;
    check_name(&desired.runtime_name)?;
    let path = store.image_record(&desired.runtime_name);
    let _lock = store.lock()?;
    if let Some(existing) = read_json::<ImageRecord>(&path)? {
        if existing.meta.address != desired.address || existing.meta.stack() != desired.stack() {
            return Err(NativeError::AlreadyExists(format!(
                "the image {} (of {} in stack {})",
                desired.runtime_name,
                existing.meta.address,
                existing.meta.stack()
            )));
        }
    }
    let (mut layers, mut config) = match spec.source() {
        Some(ImageSource::Dir(dir)) => {
            let dir = dir.resolve(&desired.stack_dir);
            progress.report(format!("copying {}", dir.display()), None, None);
            (
                vec![layer::make(store, &Source::Dir(&dir))?],
                ImageDefaults::default(),
            )
        }
        Some(ImageSource::FromHost(executables)) => {
            let paths: Vec<&Path> = executables.iter().map(|e| Path::new(e.as_str())).collect();
            let files = stackc_hostfiles::closure(&paths)
                .map_err(|e| NativeError::failed("from_host", e.to_string()))?
                .into_iter()
                .map(|(p, mode)| (p.display().to_string(), p, mode))
                .collect();
            (
                vec![layer::make(store, &Source::Files(files))?],
                ImageDefaults::default(),
            )
        }
        Some(ImageSource::Archive(a)) => {
            let imported = archive::import(store, &a.resolve(&desired.stack_dir), progress)?;
            (imported.layers, imported.config)
        }
        Some(ImageSource::Registry(reference)) => {
            let pulled = registry::pull(store, reference, spec.pull_policy(), progress)?;
            (pulled.layers, pulled.config)
        }
        Some(ImageSource::Build(_)) => {
            return Err(NativeError::Unsupported(
                "the native provider does not build Dockerfiles; use --provider docker, or \
                 `dir`/`archive`/`from_host`"
                    .into(),
            ))
        }
        None => {
            return Err(NativeError::failed(
                &desired.address,
                "the image has no source",
            ))
        }
    };
    if let Some(files) = &spec.files {
        use std::os::unix::fs::PermissionsExt;
        let mut entries = Vec::new();
        for (target, source) in files {
            let host: PathBuf = source.resolve(&desired.stack_dir);
            let mode = std::fs::metadata(&host)
                .map_err(NativeError::io(&host))?
                .permissions()
                .mode();
            entries.push((target.as_str().to_string(), host, mode));
        }
        layers.push(layer::make(store, &Source::Files(entries))?);
    }
    if let Some(c) = &spec.config {
        if c.entrypoint.is_some() {
            config.entrypoint = c.entrypoint.clone();
            // As in a Dockerfile, a new entrypoint drops the inherited cmd.
            config.cmd = None;
        }
        if c.cmd.is_some() {
            config.cmd = c.cmd.clone();
        }
        for (k, v) in c.env.iter().flatten() {
            config.env.insert(k.clone(), v.clone());
        }
        if let Some(w) = &c.workdir {
            config.workdir = Some(w.as_str().to_string());
        }
        if let Some(u) = &c.user {
            config.user = Some(u.clone());
        }
    }
    let id = image_id(&layers, &config);
    let record = ImageRecord {
        meta: Meta::of(desired),
        id: id.clone(),
        layers,
        config,
    };
    write_json(&path, &record)?;
    Ok(record.meta.observed(ResourceKind::Image, &id))
}

fn image_id(layers: &[String], config: &ImageDefaults) -> String {
    use sha2::Digest;
    let json = serde_json::json!({ "layers": layers, "config": config });
    format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(json.to_string().as_bytes()))
    )
}

/// The record of the image a container names by runtime name, checked to be the version
/// the plan meant (a replaced image has a new spec hash).
pub fn lookup(store: &Store, runtime_name: &str, spec_hash: &str) -> Result<ImageRecord> {
    let record: ImageRecord = read_json(&store.image_record(runtime_name))?
        .ok_or_else(|| NativeError::NotFound(format!("the image {runtime_name}")))?;
    let found = record
        .meta
        .labels
        .get(stackc_engine::provider::LABEL_SPEC_HASH)
        .map_or("", String::as_str);
    if !spec_hash.is_empty() && found != spec_hash {
        return Err(NativeError::failed(
            format!("the image {runtime_name}"),
            "is not the version this plan made; plan again",
        ));
    }
    Ok(record)
}

/// Every image record.
pub fn all(store: &Store) -> Result<Vec<ImageRecord>> {
    let dir = store.images();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .map_err(NativeError::io(&dir))?
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "json")
            && !entry.file_name().to_string_lossy().starts_with('.')
        {
            if let Some(r) = read_json::<ImageRecord>(&path)? {
                out.push(r);
            }
        }
    }
    Ok(out)
}

/// The image objects of a stack.
pub fn observe(store: &Store, stack: &str) -> Result<Vec<ObservedObject>> {
    Ok(all(store)?
        .into_iter()
        .filter(|r| r.meta.stack() == stack)
        .map(|r| r.meta.observed(ResourceKind::Image, &r.id))
        .collect())
}

/// Removes the image's record, then every layer nothing names any more.
pub fn delete(store: &Store, object: &ObservedObject) -> Result<()> {
    let _lock = store.lock()?;
    let path = store.image_record(&object.runtime_name);
    match read_json::<ImageRecord>(&path)? {
        Some(r) if r.meta.address == object.address => store::remove_file(&path)?,
        Some(_) | None => return Err(NativeError::NotFound(object.runtime_name.clone())),
    }
    collect_garbage(store)
}

/// Removes the layers that no image and no container names. The caller holds the lock.
pub fn collect_garbage(store: &Store) -> Result<()> {
    let mut keep: BTreeSet<String> = BTreeSet::new();
    for r in all(store)? {
        keep.extend(r.layers);
    }
    for layers in crate::container::record::all_layers(store)? {
        keep.extend(layers);
    }
    layer::collect_garbage(store, &keep)
}
