//! Content-addressed layers: a layer is named by the SHA-256 of its uncompressed tar stream
//! (its OCI `diff_id`), unpacked once under `layers/<hex>/` and shared read-only by every
//! container's overlay mount.
//!
//! Layers made here (from a directory, host files, `files`) are written as deterministic tar
//! streams (sorted, mtime 0), so equal content always gives the same digest. Layers from an
//! archive are verified against the digests their image names. OCI whiteouts (`.wh.name`,
//! `.wh..wh..opq`) become overlayfs whiteouts (a 0:0 character device, the `opaque` xattr),
//! so that overlayfs itself hides what an upper layer deleted.

use crate::error::{NativeError, Result};
use crate::store::{remove_file, remove_tree, Store};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};

/// A reader or writer that hashes what passes through it.
pub struct Hashing<T> {
    inner: T,
    hasher: Sha256,
}

impl<T> Hashing<T> {
    pub fn new(inner: T) -> Hashing<T> {
        Hashing {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// The hex digest of everything read or written.
    pub fn hex(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What goes into a layer made here.
pub enum Source<'a> {
    /// A directory's whole tree becomes the layer's root.
    Dir(&'a Path),
    /// Single files: (path in the image, file on the host, mode).
    Files(Vec<(String, PathBuf, u32)>),
}

/// Makes the layer of `source` (unless a layer with its digest exists) and returns its digest.
/// The caller holds the store lock.
pub fn make(store: &Store, source: &Source<'_>) -> Result<String> {
    let tmp = store
        .tmp()
        .join(format!("layer-{}.tar", crate::store::new_id()?));
    let written = write_tar(&tmp, source);
    let digest = match written {
        Ok(d) => d,
        Err(e) => {
            let _ = remove_file(&tmp);
            return Err(e);
        }
    };
    let result = if store.layer(&digest).is_dir() {
        Ok(())
    } else {
        File::open(&tmp)
            .map_err(NativeError::io(&tmp))
            .and_then(|f| unpack_verified(store, BufReader::new(f), Some(&digest)).map(drop))
    };
    let _ = remove_file(&tmp);
    result.map(|()| digest)
}

fn write_tar(path: &Path, source: &Source<'_>) -> Result<String> {
    let file = File::create(path).map_err(NativeError::io(path))?;
    let mut builder = tar::Builder::new(Hashing::new(BufWriter::new(file)));
    match source {
        Source::Dir(dir) => {
            if !dir.is_dir() {
                return Err(NativeError::failed(
                    format!("the image directory {}", dir.display()),
                    "is not a directory",
                ));
            }
            append_tree(&mut builder, dir, Path::new(""))?;
        }
        Source::Files(files) => {
            let mut files: Vec<&(String, PathBuf, u32)> = files.iter().collect();
            files.sort_by(|a, b| a.0.cmp(&b.0));
            for (target, host, mode) in files {
                let bytes = std::fs::read(host).map_err(NativeError::io(host))?;
                let mut header = tar::Header::new_gnu();
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(bytes.len() as u64);
                header.set_mode(mode & 0o7777);
                header.set_uid(0);
                header.set_gid(0);
                header.set_mtime(0);
                builder
                    .append_data(&mut header, relative(target), bytes.as_slice())
                    .map_err(NativeError::io(host))?;
            }
        }
    }
    let hashing = builder.into_inner().map_err(NativeError::io(path))?;
    let Hashing { mut inner, hasher } = hashing;
    inner.flush().map_err(NativeError::io(path))?;
    Ok(hex::encode(hasher.finalize()))
}

/// `/usr/bin/x` → `usr/bin/x`: tar paths are relative.
fn relative(target: &str) -> PathBuf {
    Path::new(target)
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect()
}

/// Appends the tree under `dir` (at `name` in the archive), sorted, with mtimes zeroed.
fn append_tree<W: Write>(builder: &mut tar::Builder<W>, dir: &Path, name: &Path) -> Result<()> {
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)
        .map_err(NativeError::io(dir))?
        .collect::<std::io::Result<_>>()
        .map_err(NativeError::io(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).map_err(NativeError::io(&path))?;
        let child = name.join(entry.file_name());
        let mut header = tar::Header::new_gnu();
        header.set_mode(meta.mode() & 0o7777);
        header.set_uid(meta.uid() as u64);
        header.set_gid(meta.gid() as u64);
        header.set_mtime(0);
        let ft = meta.file_type();
        let io = NativeError::io(&path);
        if ft.is_dir() {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
            builder
                .append_data(&mut header, &child, std::io::empty())
                .map_err(io)?;
            append_tree(builder, &path, &child)?;
        } else if ft.is_symlink() {
            let target = std::fs::read_link(&path).map_err(NativeError::io(&path))?;
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            builder
                .append_link(&mut header, &child, &target)
                .map_err(io)?;
        } else if ft.is_file() {
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(meta.len());
            let f = File::open(&path).map_err(NativeError::io(&path))?;
            builder
                .append_data(&mut header, &child, BufReader::new(f))
                .map_err(io)?;
        } else if ft.is_char_device() || ft.is_block_device() || ft.is_fifo() {
            header.set_entry_type(if ft.is_char_device() {
                tar::EntryType::Char
            } else if ft.is_block_device() {
                tar::EntryType::Block
            } else {
                tar::EntryType::Fifo
            });
            header.set_size(0);
            let rdev = meta.rdev();
            let _ = header.set_device_major(nix::sys::stat::major(rdev) as u32);
            let _ = header.set_device_minor(nix::sys::stat::minor(rdev) as u32);
            builder
                .append_data(&mut header, &child, std::io::empty())
                .map_err(io)?;
        }
        // Sockets cannot be archived; they mean nothing in an image.
    }
    Ok(())
}

/// Unpacks a layer's (uncompressed) tar stream into `layers/<digest>/`, converting
/// whiteouts, and returns the stream's digest. With `expect`, a stream whose digest differs
/// is refused and nothing is kept. An existing layer of the same digest is kept as it is.
/// The caller holds the store lock.
pub fn unpack_verified<R: Read>(store: &Store, reader: R, expect: Option<&str>) -> Result<String> {
    let tmp = store
        .layers()
        .join(format!(".tmp-{}", crate::store::new_id()?));
    std::fs::create_dir(&tmp).map_err(NativeError::io(&tmp))?;
    let mut hashing = Hashing::new(reader);
    let unpacked = unpack_into(&mut hashing, &tmp);
    let digest = match unpacked {
        Ok(()) => {
            // Whatever follows the archive's end (padding) is part of the digest too.
            let drained = std::io::copy(&mut hashing, &mut std::io::sink());
            match drained {
                Ok(_) => hashing.hex(),
                Err(e) => {
                    let _ = remove_tree(&tmp);
                    return Err(NativeError::io(&tmp)(e));
                }
            }
        }
        Err(e) => {
            let _ = remove_tree(&tmp);
            return Err(e);
        }
    };
    if let Some(expect) = expect {
        if expect != digest {
            let _ = remove_tree(&tmp);
            return Err(NativeError::failed(
                "a layer",
                format!(
                    "its content has digest sha256:{digest}, but the image says sha256:{expect}"
                ),
            ));
        }
    }
    let dest = store.layer(&digest);
    if dest.is_dir() {
        remove_tree(&tmp)?;
    } else {
        std::fs::rename(&tmp, &dest).map_err(NativeError::io(&dest))?;
    }
    Ok(digest)
}

fn unpack_into<R: Read>(reader: R, dest: &Path) -> Result<()> {
    let mut archive = tar::Archive::new(reader);
    archive.set_preserve_permissions(true);
    archive.set_preserve_ownerships(true);
    archive.set_unpack_xattrs(true);
    archive.set_overwrite(true);
    archive.set_preserve_mtime(true);
    let entries = archive.entries().map_err(NativeError::io(dest))?;
    for entry in entries {
        let mut entry = entry.map_err(NativeError::io(dest))?;
        let path = entry.path().map_err(NativeError::io(dest))?.into_owned();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
        match name.as_deref() {
            Some(".wh..wh..opq") => {
                let dir = inside(dest, &parent)?;
                std::fs::create_dir_all(&dir).map_err(NativeError::io(&dir))?;
                crate::sys::set_xattr(&dir, "trusted.overlay.opaque", b"y")?;
            }
            Some(n) if n.starts_with(".wh.") => {
                let target = inside(dest, &parent.join(&n[4..]))?;
                if let Some(p) = target.parent() {
                    std::fs::create_dir_all(p).map_err(NativeError::io(p))?;
                }
                let _ = remove_tree(&target);
                let _ = remove_file(&target);
                crate::sys::make_whiteout(&target)?;
            }
            _ => {
                entry.unpack_in(dest).map_err(|e| {
                    NativeError::failed(format!("unpacking {}", path.display()), chain(&e))
                })?;
            }
        }
    }
    Ok(())
}

/// `dest/rel` for an archive path, refusing one that climbs out.
fn inside(dest: &Path, rel: &Path) -> Result<PathBuf> {
    let mut out = dest.to_path_buf();
    for c in rel.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir | Component::RootDir => {}
            _ => {
                return Err(NativeError::failed(
                    format!("the layer path {}", rel.display()),
                    "leaves the layer",
                ))
            }
        }
    }
    Ok(out)
}

/// Removes every layer no image or container record names. The caller holds the store lock.
pub fn collect_garbage(store: &Store, keep: &std::collections::BTreeSet<String>) -> Result<()> {
    let dir = store.layers();
    let entries = std::fs::read_dir(&dir).map_err(NativeError::io(&dir))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".tmp-") || !keep.contains(&name) {
            remove_tree(&entry.path())?;
        }
    }
    Ok(())
}

/// An error with its causes: the tar crate's own message says only what failed, not why.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cur = c.source();
    }
    out
}
