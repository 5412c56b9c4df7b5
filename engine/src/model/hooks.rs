//! Attributes the engine computes for resource instances, so that other resources can read them:
//! a service's `.replicas` default and an image's `.ref` and `.digest` (LANGUAGE.md §4,
//! "Attributes readable on resources").

use sha2::{Digest, Sha256};
use stackc_lang::eval::ResourceHooks;
use stackc_lang::value::Value;
use std::path::{Path, PathBuf};

/// The engine's [`ResourceHooks`]; pass it to `stackc_lang::eval::load`.
pub struct Hooks;

impl ResourceHooks for Hooks {
    fn computed(&self, kind: &str, body: &Value, stack_dir: &Path) -> Vec<(String, Value)> {
        let span = body.span;
        let attr = |name: &str| body.as_map().and_then(|m| m.get(name));
        match kind {
            "service" => vec![("replicas".into(), Value::number(1.0, span))],
            "image" => {
                let digest = image_digest(body, stack_dir)
                    .map(|d| Value::string(d, span))
                    .unwrap_or_else(|| Value::unknown(span));
                let reference = attr("ref").cloned().unwrap_or_else(|| Value::unknown(span));
                vec![("digest".into(), digest), ("ref".into(), reference)]
            }
            _ => Vec::new(),
        }
    }
}

fn resolve(stack_dir: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        stack_dir.join(p)
    }
}

/// The content digest of an image built from local inputs: `dir`, `archive` or `from_host`
/// (the executables and extra files; the shared libraries join when the image is assembled).
/// `None` for registry and build images, and when an input cannot be read (the provider then
/// reports it when it builds the image).
pub(crate) fn image_digest(body: &Value, stack_dir: &Path) -> Option<String> {
    let map = body.as_map()?;
    let mut h = Sha256::new();
    if let Some(dir) = map.get("dir").and_then(Value::as_str) {
        h.update(b"dir\0");
        hash_tree(&mut h, &resolve(stack_dir, dir), Path::new(""))?;
    } else if let Some(archive) = map.get("archive").and_then(Value::as_str) {
        h.update(b"archive\0");
        h.update(std::fs::read(resolve(stack_dir, archive)).ok()?);
    } else if let Some(bins) = map.get("from_host").and_then(Value::as_seq) {
        h.update(b"from_host\0");
        let executables: Vec<&Path> = bins
            .iter()
            .filter_map(Value::as_str)
            .map(Path::new)
            .collect();
        // Every file the image will hold: the executables, their loader and libraries, so
        // that a library upgraded on the host makes the image anew too. A closure that
        // cannot be made (a missing library) fails at create, with the reason; here the
        // executables alone stand for it.
        let files: Vec<std::path::PathBuf> = match stackc_hostfiles::closure(&executables) {
            Ok(files) => files.into_keys().collect(),
            Err(_) => executables.iter().map(|p| p.to_path_buf()).collect(),
        };
        for p in files {
            h.update(p.as_os_str().as_encoded_bytes());
            h.update([0]);
            h.update(std::fs::read(&p).ok()?);
        }
    } else {
        return None;
    }
    if let Some(files) = map.get("files").and_then(Value::as_map) {
        for (target, source) in files.iter() {
            h.update(target.as_bytes());
            h.update([0]);
            h.update(std::fs::read(resolve(stack_dir, source.as_str()?)).ok()?);
        }
    }
    if let Some(config) = map.get("config") {
        h.update(config.to_json(false).to_string().as_bytes());
    }
    Some(format!("sha256:{}", hex::encode(h.finalize())))
}

/// Hashes a directory tree: every entry's relative path, type, mode and content, in name order.
fn hash_tree(h: &mut Sha256, root: &Path, rel: &Path) -> Option<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = root.join(rel);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = rel.join(e.file_name());
        let meta = std::fs::symlink_metadata(root.join(&path)).ok()?;
        h.update(path.as_os_str().as_encoded_bytes());
        h.update(meta.permissions().mode().to_le_bytes());
        if meta.file_type().is_symlink() {
            h.update(b"l");
            h.update(
                std::fs::read_link(root.join(&path))
                    .ok()?
                    .as_os_str()
                    .as_encoded_bytes(),
            );
        } else if meta.is_dir() {
            h.update(b"d");
            hash_tree(h, root, &path)?;
        } else {
            h.update(b"f");
            h.update(std::fs::read(root.join(&path)).ok()?);
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackc_lang::value::Map;
    use stackc_lang::Span;

    fn body(entries: &[(&str, Value)]) -> Value {
        let mut m = Map::new();
        for (k, v) in entries {
            m.insert(k.to_string(), v.clone());
        }
        Value::object(m, Span::default())
    }

    #[test]
    fn dir_digest_follows_content() {
        let dir = std::env::temp_dir().join(format!("stackc-hooks-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("rootfs/etc")).unwrap();
        std::fs::write(dir.join("rootfs/etc/motd"), "one").unwrap();
        let b = body(&[("dir", Value::string("./rootfs", Span::default()))]);
        let first = image_digest(&b, &dir).unwrap();
        assert_eq!(
            image_digest(&b, &dir).unwrap(),
            first,
            "same content, same digest"
        );
        std::fs::write(dir.join("rootfs/etc/motd"), "two").unwrap();
        assert_ne!(
            image_digest(&b, &dir).unwrap(),
            first,
            "new content, new digest"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn registry_images_have_no_digest_at_plan_time() {
        let b = body(&[("ref", Value::string("redis:7", Span::default()))]);
        let computed = Hooks.computed("image", &b, Path::new("/"));
        let digest = computed
            .iter()
            .find(|(k, _)| k == "digest")
            .map(|(_, v)| v)
            .unwrap();
        assert!(digest.is_unknown());
    }

    #[test]
    fn services_default_to_one_replica() {
        let computed = Hooks.computed("service", &body(&[]), Path::new("/"));
        assert_eq!(computed[0].1.as_number(), Some(1.0));
    }
}
