//! `from_host`: the files an executable needs to run in an empty image — itself, its ELF
//! interpreter and its `DT_NEEDED` libraries, found the way the dynamic loader finds them
//! (`DT_RPATH`, `LD_LIBRARY_PATH` is ignored, `DT_RUNPATH`, `/etc/ld.so.conf` directories,
//! then the standard directories), transitively.

use crate::error::{NativeError, Result};
use goblin::elf::Elf;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the loader looks last (glibc's defaults on Debian, multiarch first).
const SEARCH: &[&str] = &[
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
];

/// Every file to copy: path in the image → mode. A static executable needs only itself.
pub fn closure(executables: &[&Path]) -> Result<BTreeMap<PathBuf, u32>> {
    use std::os::unix::fs::PermissionsExt;
    let conf = ld_so_conf(Path::new("/etc/ld.so.conf"), 0);
    let mut files: BTreeMap<PathBuf, u32> = BTreeMap::new();
    let mut todo: Vec<PathBuf> = executables.iter().map(|p| p.to_path_buf()).collect();
    while let Some(path) = todo.pop() {
        if files.contains_key(&path) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(NativeError::io(&path))?;
        let mode = std::fs::metadata(&path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0o755);
        // Not an ELF object (a script): copied as it is.
        if let Ok(elf) = Elf::parse(&bytes) {
            if let Some(interp) = elf.interpreter {
                todo.push(PathBuf::from(interp));
            }
            let origin = path.parent().unwrap_or(Path::new("/"));
            let expand = |d: &str| PathBuf::from(d.replace("$ORIGIN", &origin.to_string_lossy()));
            // DT_RPATH is searched only when there is no DT_RUNPATH.
            let mut dirs: Vec<PathBuf> = if elf.runpaths.is_empty() {
                elf.rpaths
                    .iter()
                    .flat_map(|p| p.split(':'))
                    .map(expand)
                    .collect()
            } else {
                elf.runpaths
                    .iter()
                    .flat_map(|p| p.split(':'))
                    .map(expand)
                    .collect()
            };
            dirs.extend(conf.iter().cloned());
            dirs.extend(SEARCH.iter().map(PathBuf::from));
            for lib in &elf.libraries {
                let found = if lib.contains('/') {
                    Some(PathBuf::from(lib))
                } else {
                    dirs.iter().map(|d| d.join(lib)).find(|p| p.is_file())
                };
                match found {
                    Some(p) => todo.push(p),
                    None => {
                        return Err(NativeError::failed(
                            format!("from_host {}", path.display()),
                            format!(
                                "needs the library {lib}, which is not in its run paths, \
                                 /etc/ld.so.conf or {}",
                                SEARCH.join(", ")
                            ),
                        ))
                    }
                }
            }
        }
        files.insert(path, mode);
    }
    Ok(files)
}

/// The directories `/etc/ld.so.conf` lists, following `include` globs of the form
/// `dir/*.conf` (the only form Debian uses).
fn ld_so_conf(path: &Path, depth: u32) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for line in text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
    {
        if let Some(pattern) = line.strip_prefix("include").map(str::trim) {
            if depth > 4 {
                continue;
            }
            let (dir, suffix) = match pattern.rsplit_once("/*") {
                Some((d, s)) => (PathBuf::from(d), s.to_string()),
                None => {
                    out.extend(ld_so_conf(Path::new(pattern), depth + 1));
                    continue;
                }
            };
            let mut confs: Vec<PathBuf> = std::fs::read_dir(&dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(&suffix))
                .collect();
            confs.sort();
            for c in confs {
                out.extend(ld_so_conf(&c, depth + 1));
            }
        } else if line.starts_with('/') {
            out.push(PathBuf::from(line));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_static_binary_needs_only_itself() {
        let files = closure(&[Path::new("/bin/busybox")]).unwrap();
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            [Path::new("/bin/busybox")]
        );
    }

    #[test]
    fn a_dynamic_binary_brings_its_loader_and_libraries() {
        let files = closure(&[Path::new("/bin/ls")]).unwrap();
        let names: Vec<String> = files.keys().map(|p| p.display().to_string()).collect();
        assert!(names.iter().any(|n| n.contains("ld-linux")), "{names:?}");
        assert!(names.iter().any(|n| n.contains("libc.so")), "{names:?}");
    }
}
