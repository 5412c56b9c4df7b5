//! stackc-hostfiles: shared by the providers that build `from_host` images.
//!
//! `from_host`: the files an executable needs to run in an empty image — itself, its ELF
//! interpreter and its `DT_NEEDED` libraries, transitively, found the way the dynamic loader
//! finds them: a name with a `/` as it is; else the object's `DT_RPATH` (only when it has no
//! `DT_RUNPATH`, and inherited from the executable), then its `DT_RUNPATH`, then the
//! directories of `/etc/ld.so.conf`, then the default ones — skipping files of another ELF
//! class or machine, as the loader does (a 32-bit `libc.so.6` in `/usr/lib32` is not it).
//! `LD_LIBRARY_PATH` is left out on purpose: the image must not depend on the shell that
//! ran stackc.

use goblin::elf::Elf;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a closure could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ClosureError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("from_host {path}: needs the library {library}, which is in none of its search paths, /etc/ld.so.conf or {dirs}")]
    MissingLibrary {
        path: PathBuf,
        library: String,
        dirs: String,
    },
}

/// Where the loader looks last (glibc's defaults on Debian, multiarch first).
const DEFAULT_DIRS: &[&str] = &[
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
];

/// What makes two ELF objects loadable together.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Kind {
    is_64: bool,
    machine: u16,
}

fn kind(elf: &Elf<'_>) -> Kind {
    Kind {
        is_64: elf.is_64,
        machine: elf.header.e_machine,
    }
}

/// The directories of `/etc/ld.so.conf` and the files it includes (`include` with globs of
/// the form `dir/*.conf`, as Debian writes them).
fn ld_so_conf() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    read_conf(Path::new("/etc/ld.so.conf"), &mut dirs, 0);
    dirs
}

fn read_conf(path: &Path, dirs: &mut Vec<PathBuf>, depth: usize) {
    // Includes nest rarely; a loop of them must not recurse forever.
    if depth > 8 {
        return;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if let Some(pattern) = line.strip_prefix("include").map(str::trim) {
            for file in expand(pattern) {
                read_conf(&file, dirs, depth + 1);
            }
        } else if line.starts_with('/') {
            dirs.push(PathBuf::from(line));
        }
    }
}

/// `dir/*.conf` → the matching files, sorted; anything else as it is.
fn expand(pattern: &str) -> Vec<PathBuf> {
    let path = Path::new(pattern);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let Some((prefix, suffix)) = name.split_once('*') else {
        return vec![path.to_path_buf()];
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
        })
        .collect();
    files.sort();
    files
}

/// `$ORIGIN` (and `${ORIGIN}`), `$LIB` and `$PLATFORM` in a search path.
fn substitute(dir: &str, origin: &Path, k: Kind) -> PathBuf {
    let lib = if k.is_64 { "lib64" } else { "lib" };
    let platform = if k.machine == goblin::elf::header::EM_AARCH64 {
        "aarch64"
    } else {
        "x86_64"
    };
    let origin = origin.to_string_lossy();
    PathBuf::from(
        dir.replace("${ORIGIN}", &origin)
            .replace("$ORIGIN", &origin)
            .replace("${LIB}", lib)
            .replace("$LIB", lib)
            .replace("${PLATFORM}", platform)
            .replace("$PLATFORM", platform),
    )
}

fn split_paths<'a>(paths: &'a [&'a str]) -> impl Iterator<Item = &'a str> {
    paths
        .iter()
        .flat_map(|p| p.split(':'))
        .filter(|d| !d.is_empty())
}

/// A library file of the right kind at `path`; only its header is read.
fn loadable(path: &Path, want: Kind) -> bool {
    use std::io::Read;
    let mut header = Vec::with_capacity(64);
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    if file.take(64).read_to_end(&mut header).is_err() {
        return false;
    }
    Elf::parse_header(&header).is_ok_and(|h| {
        let found = Kind {
            is_64: h.e_ident[goblin::elf::header::EI_CLASS] == goblin::elf::header::ELFCLASS64,
            machine: h.e_machine,
        };
        found == want
    })
}

/// One object still to copy, with the `DT_RPATH`s the loader would search for its needs on
/// behalf of the objects that loaded it.
struct Todo {
    path: PathBuf,
    inherited_rpath: Vec<PathBuf>,
}

/// Every file to copy, by its path on the host (which is its path in the image), with its
/// permission bits; a static executable needs only itself.
pub fn closure(executables: &[&Path]) -> Result<BTreeMap<PathBuf, u32>, ClosureError> {
    use std::os::unix::fs::PermissionsExt;
    let conf = ld_so_conf();
    let mut files: BTreeMap<PathBuf, u32> = BTreeMap::new();
    let mut todo: Vec<Todo> = executables
        .iter()
        .map(|p| Todo {
            path: p.to_path_buf(),
            inherited_rpath: Vec::new(),
        })
        .collect();
    while let Some(Todo {
        path,
        inherited_rpath,
    }) = todo.pop()
    {
        if files.contains_key(&path) {
            continue;
        }
        let read = |e| ClosureError::Read {
            path: path.clone(),
            source: e,
        };
        let bytes = std::fs::read(&path).map_err(read)?;
        let mode = std::fs::metadata(&path).map_err(read)?.permissions().mode() & 0o7777;
        // Not an ELF object (a script): copied as it is.
        if let Ok(elf) = Elf::parse(&bytes) {
            let k = kind(&elf);
            let origin = path.parent().unwrap_or(Path::new("/"));
            if let Some(interp) = elf.interpreter {
                todo.push(Todo {
                    path: PathBuf::from(interp),
                    inherited_rpath: Vec::new(),
                });
            }
            // DT_RPATH counts only without DT_RUNPATH, and is searched for what this
            // object's own libraries need too; DT_RUNPATH only for its direct needs.
            let mut rpath = inherited_rpath;
            if elf.runpaths.is_empty() {
                rpath.extend(split_paths(&elf.rpaths).map(|d| substitute(d, origin, k)));
            }
            let runpath: Vec<PathBuf> = split_paths(&elf.runpaths)
                .map(|d| substitute(d, origin, k))
                .collect();
            for lib in &elf.libraries {
                let found = if lib.contains('/') {
                    Some(PathBuf::from(lib))
                } else {
                    rpath
                        .iter()
                        .chain(&runpath)
                        .chain(&conf)
                        .cloned()
                        .chain(DEFAULT_DIRS.iter().map(PathBuf::from))
                        .map(|d| d.join(lib))
                        .find(|p| loadable(p, k))
                };
                match found {
                    Some(p) => todo.push(Todo {
                        path: p,
                        inherited_rpath: rpath.clone(),
                    }),
                    None => {
                        return Err(ClosureError::MissingLibrary {
                            path: path.clone(),
                            library: lib.to_string(),
                            dirs: DEFAULT_DIRS.join(", "),
                        })
                    }
                }
            }
        }
        files.insert(path, mode);
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
        // Every library found is of the executable's kind.
        for path in files.keys() {
            let bytes = std::fs::read(path).unwrap();
            let elf = Elf::parse(&bytes).unwrap();
            assert!(elf.is_64, "{}", path.display());
        }
        assert_eq!(files[Path::new("/bin/ls")] & 0o111, 0o111);
    }

    #[test]
    fn origin_and_lib_are_substituted() {
        let k = Kind {
            is_64: true,
            machine: goblin::elf::header::EM_X86_64,
        };
        assert_eq!(
            substitute("$ORIGIN/../$LIB", Path::new("/opt/app/bin"), k),
            PathBuf::from("/opt/app/bin/../lib64")
        );
    }
}
