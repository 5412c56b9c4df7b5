//! `from_host`: the files an executable needs to run in an empty image — itself, its ELF
//! interpreter and its `DT_NEEDED` libraries, found the way the dynamic loader finds them
//! (`DT_RPATH`/`DT_RUNPATH`, then the standard directories), transitively.

use crate::DockerError;
use goblin::elf::Elf;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the loader looks after the paths an object names itself (glibc's defaults on
/// Debian, multiarch first).
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

/// Every file to copy, by its path in the image; a static executable needs only itself.
pub(crate) fn closure(executables: &[&Path]) -> Result<BTreeMap<PathBuf, Vec<u8>>, DockerError> {
    let mut files: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    let mut todo: Vec<PathBuf> = executables.iter().map(|p| p.to_path_buf()).collect();
    while let Some(path) = todo.pop() {
        if files.contains_key(&path) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(DockerError::io(&path))?;
        // Not an ELF object (a script): copied as it is.
        if let Ok(elf) = Elf::parse(&bytes) {
            if let Some(interp) = elf.interpreter {
                todo.push(PathBuf::from(interp));
            }
            let origin = path.parent().unwrap_or(Path::new("/"));
            let mut dirs: Vec<PathBuf> = elf
                .rpaths
                .iter()
                .chain(elf.runpaths.iter())
                .flat_map(|p| p.split(':'))
                .map(|d| PathBuf::from(d.replace("$ORIGIN", &origin.to_string_lossy())))
                .collect();
            dirs.extend(SEARCH.iter().map(PathBuf::from));
            for lib in &elf.libraries {
                let found = dirs.iter().map(|d| d.join(lib)).find(|p| p.is_file());
                match found {
                    Some(p) => todo.push(p),
                    None => {
                        return Err(DockerError::failed(
                            format!("from_host {}", path.display()),
                            format!(
                                "needs the library {lib}, which is not in {}",
                                SEARCH.join(", ")
                            ),
                        ))
                    }
                }
            }
        }
        files.insert(path, bytes);
    }
    Ok(files)
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
