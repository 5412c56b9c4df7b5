//! `archive`: images saved by `docker save` (its `manifest.json` layout, old and new) or as an
//! OCI image layout archive (`index.json`, blobs). The archive is unpacked to a work
//! directory; every blob an OCI descriptor names is checked against its digest and every
//! layer against the `diff_id` its config lists, then each layer is unpacked once into the
//! store.

use super::layer::{unpack_verified, Hashing};
use super::ImageDefaults;
use crate::error::{NativeError, Result};
use crate::store::{remove_tree, Store};
use serde::Deserialize;
use stackc_engine::provider::Progress;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Component, Path, PathBuf};

/// What an archive holds: its layers (digests, bottom first) and its config's defaults.
#[derive(Clone, Debug, serde::Serialize, Deserialize)]
pub struct Imported {
    pub layers: Vec<String>,
    pub config: ImageDefaults,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SaveManifest {
    config: String,
    #[serde(default)]
    layers: Vec<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct ImageConfigJson {
    #[serde(default)]
    pub(super) config: Option<RunDefaults>,
    #[serde(default)]
    pub(super) rootfs: Option<RootFs>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RunDefaults {
    #[serde(default)]
    env: Option<Vec<String>>,
    #[serde(default)]
    entrypoint: Option<Vec<String>>,
    #[serde(default)]
    cmd: Option<Vec<String>>,
    #[serde(default)]
    working_dir: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct RootFs {
    #[serde(default)]
    pub(super) diff_ids: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Descriptor {
    #[serde(default)]
    pub(super) media_type: String,
    pub(super) digest: String,
    #[serde(default)]
    pub(super) platform: Option<Platform>,
}

#[derive(Deserialize)]
pub(super) struct Platform {
    architecture: String,
    os: String,
}

#[derive(Deserialize)]
pub(super) struct Index {
    pub(super) manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
pub(super) struct OciManifest {
    pub(super) config: Descriptor,
    pub(super) layers: Vec<Descriptor>,
}

/// Imports the archive at `path`. The caller holds the store lock.
pub fn import(store: &Store, path: &Path, progress: &Progress) -> Result<Imported> {
    let work = store
        .tmp()
        .join(format!("import-{}", crate::store::new_id()?));
    std::fs::create_dir(&work).map_err(NativeError::io(&work))?;
    let result = import_in(store, path, &work, progress);
    let _ = remove_tree(&work);
    result
}

fn import_in(store: &Store, path: &Path, work: &Path, progress: &Progress) -> Result<Imported> {
    progress.report(format!("unpacking {}", path.display()), None, None);
    let file = File::open(path).map_err(NativeError::io(path))?;
    let mut outer =
        tar::Archive::new(maybe_gzip(BufReader::new(file)).map_err(NativeError::io(path))?);
    outer.unpack(work).map_err(NativeError::io(path))?;
    let what = format!("the archive {}", path.display());
    if work.join("manifest.json").is_file() {
        docker_save(store, work, &what, progress)
    } else if work.join("index.json").is_file() {
        oci_layout(store, work, &what, progress)
    } else {
        Err(NativeError::failed(
            what,
            "holds neither manifest.json (docker save) nor index.json (an OCI layout)",
        ))
    }
}

fn docker_save(store: &Store, work: &Path, what: &str, progress: &Progress) -> Result<Imported> {
    let manifests: Vec<SaveManifest> = read_json(work, "manifest.json", what)?;
    let Some(m) = manifests.into_iter().next() else {
        return Err(NativeError::failed(
            what,
            "its manifest.json lists no image",
        ));
    };
    let config: ImageConfigJson = read_json(work, &m.config, what)?;
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.clone())
        .unwrap_or_default();
    if diff_ids.len() != m.layers.len() {
        return Err(NativeError::failed(
            what,
            format!(
                "its config lists {} layer digests for {} layers",
                diff_ids.len(),
                m.layers.len()
            ),
        ));
    }
    let mut layers = Vec::new();
    for (i, (layer, diff_id)) in m.layers.iter().zip(&diff_ids).enumerate() {
        progress.report(
            format!("unpacking layer {} of {}", i + 1, m.layers.len()),
            None,
            None,
        );
        let expect = strip_sha256(diff_id, what)?;
        if store.layer(expect).is_dir() {
            layers.push(expect.to_string());
            continue;
        }
        let file_path = inside(work, layer, what)?;
        let file = File::open(&file_path).map_err(NativeError::io(&file_path))?;
        let reader = maybe_gzip(BufReader::new(file)).map_err(NativeError::io(&file_path))?;
        layers.push(unpack_verified(store, reader, Some(expect))?);
    }
    Ok(Imported {
        layers,
        config: defaults(config.config),
    })
}

fn oci_layout(store: &Store, work: &Path, what: &str, progress: &Progress) -> Result<Imported> {
    let mut index: Index = read_json(work, "index.json", what)?;
    // An index may name an index (multi-platform): descend to one manifest for this host.
    for _ in 0..4 {
        let Some(d) = pick(&index.manifests) else {
            return Err(NativeError::failed(
                what,
                format!("has no image for linux/{}", host_arch()),
            ));
        };
        let blob = verified_blob(work, &d.digest, what)?;
        if d.media_type.contains("index") || d.media_type.contains("manifest.list") {
            index = serde_json::from_slice(&blob).map_err(|e| record_error(what, e))?;
            continue;
        }
        let manifest: OciManifest =
            serde_json::from_slice(&blob).map_err(|e| record_error(what, e))?;
        let config_blob = verified_blob(work, &manifest.config.digest, what)?;
        let config: ImageConfigJson =
            serde_json::from_slice(&config_blob).map_err(|e| record_error(what, e))?;
        let diff_ids = config
            .rootfs
            .as_ref()
            .map(|r| r.diff_ids.clone())
            .unwrap_or_default();
        if diff_ids.len() != manifest.layers.len() {
            return Err(NativeError::failed(
                what,
                "its config and manifest disagree on the layers",
            ));
        }
        let mut layers = Vec::new();
        let count = manifest.layers.len();
        for (i, (layer, diff_id)) in manifest.layers.iter().zip(&diff_ids).enumerate() {
            progress.report(format!("unpacking layer {} of {count}", i + 1), None, None);
            let expect = strip_sha256(diff_id, what)?;
            if layer.media_type.contains("zstd") {
                return Err(NativeError::Unsupported(format!(
                    "{what}: zstd-compressed layers are not supported yet; save the image with gzip or no compression"
                )));
            }
            let blob_path = blob_path(work, &layer.digest, what)?;
            let blob_hex = strip_sha256(&layer.digest, what)?.to_string();
            if store.layer(expect).is_dir() {
                layers.push(expect.to_string());
                continue;
            }
            // The blob is checked before anything of it is unpacked; the unpacked stream is
            // checked against the config's diff_id as it goes.
            let mut hashing =
                Hashing::new(File::open(&blob_path).map_err(NativeError::io(&blob_path))?);
            std::io::copy(&mut hashing, &mut std::io::sink())
                .map_err(NativeError::io(&blob_path))?;
            if hashing.hex() != blob_hex {
                return Err(NativeError::failed(
                    what,
                    format!("the blob {} does not match its digest", layer.digest),
                ));
            }
            let file = File::open(&blob_path).map_err(NativeError::io(&blob_path))?;
            let reader = maybe_gzip(BufReader::new(file)).map_err(NativeError::io(&blob_path))?;
            let digest = unpack_verified(store, reader, Some(expect))?;
            layers.push(digest);
        }
        return Ok(Imported {
            layers,
            config: defaults(config.config),
        });
    }
    Err(NativeError::failed(what, "its indexes nest too deeply"))
}

pub(super) fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// The descriptor for this host: a matching platform, else one that names none.
pub(super) fn pick(manifests: &[Descriptor]) -> Option<&Descriptor> {
    manifests
        .iter()
        .find(|d| {
            d.platform
                .as_ref()
                .is_some_and(|p| p.os == "linux" && p.architecture == host_arch())
        })
        .or_else(|| manifests.iter().find(|d| d.platform.is_none()))
}

fn blob_path(work: &Path, digest: &str, what: &str) -> Result<PathBuf> {
    let hex = strip_sha256(digest, what)?;
    inside(work, &format!("blobs/sha256/{hex}"), what)
}

/// A blob's bytes, checked against its digest.
fn verified_blob(work: &Path, digest: &str, what: &str) -> Result<Vec<u8>> {
    let path = blob_path(work, digest, what)?;
    let bytes = std::fs::read(&path).map_err(NativeError::io(&path))?;
    let actual = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    if actual != strip_sha256(digest, what)? {
        return Err(NativeError::failed(
            what,
            format!("the blob {digest} does not match its digest"),
        ));
    }
    Ok(bytes)
}

pub(super) fn strip_sha256<'a>(digest: &'a str, what: &str) -> Result<&'a str> {
    match digest.strip_prefix("sha256:") {
        Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(hex),
        _ => Err(NativeError::failed(
            what,
            format!("names an unsupported digest {digest:?}"),
        )),
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(work: &Path, rel: &str, what: &str) -> Result<T> {
    let path = inside(work, rel, what)?;
    let bytes = std::fs::read(&path).map_err(NativeError::io(&path))?;
    serde_json::from_slice(&bytes).map_err(|e| record_error(what, e))
}

pub(super) fn record_error(what: &str, e: serde_json::Error) -> NativeError {
    NativeError::Record {
        path: what.to_string(),
        source: e,
    }
}

/// A path the archive names, refusing one that climbs out of the work directory.
fn inside(work: &Path, rel: &str, what: &str) -> Result<PathBuf> {
    let mut out = work.to_path_buf();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            _ => {
                return Err(NativeError::failed(
                    what,
                    format!("names the path {rel:?}, outside the archive"),
                ))
            }
        }
    }
    Ok(out)
}

/// The reader, decompressed when it starts with gzip's magic bytes.
pub(super) fn maybe_gzip<'a, R: BufRead + 'a>(
    mut reader: R,
) -> std::io::Result<Box<dyn Read + 'a>> {
    let head = reader.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::bufread::MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

pub(super) fn defaults(c: Option<RunDefaults>) -> ImageDefaults {
    let c = c.unwrap_or_default();
    let env: BTreeMap<String, String> = c
        .env
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| {
            e.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    ImageDefaults {
        entrypoint: c.entrypoint,
        cmd: c.cmd,
        env,
        workdir: c.working_dir.filter(|w| !w.is_empty()),
        user: c.user.filter(|u| !u.is_empty()),
    }
}
