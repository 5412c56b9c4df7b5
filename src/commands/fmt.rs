//! `stackc fmt`: rewrite files in canonical style; `--check` exits 3 when one would change.

use crate::cli::Options;
use crate::output::print_diagnostics;
use stackc_lang::{fmt, Sources};
use std::path::{Path, PathBuf};

/// The files `fmt` looks at: the given files, the `*.stack.hcl` and `*.vars.hcl` files of the
/// given directories, or of the stack directory when none is given.
fn collect(options: &Options, paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let roots: Vec<PathBuf> = if paths.is_empty() {
        match &options.global.file {
            Some(f) => vec![f.clone()],
            None => vec![options.global.dir.clone()],
        }
    } else {
        paths.to_vec()
    };
    let mut files = Vec::new();
    for root in roots {
        if root.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&root)
                .map_err(|e| format!("cannot read {}: {e}", root.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.ends_with(".stack.hcl") || n.ends_with(".vars.hcl"))
                })
                .collect();
            found.sort();
            files.extend(found);
        } else if root.exists() {
            files.push(root);
        } else {
            return Err(format!("{} does not exist", root.display()));
        }
    }
    Ok(files)
}

pub fn run(options: &Options, check: bool, diff: bool, paths: &[PathBuf]) -> u8 {
    let files = match collect(options, paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let mut failed = false;
    let mut changed = Vec::new();
    for path in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                failed = true;
                continue;
            }
        };
        let mut sources = Sources::new();
        let id = sources.add(path.display().to_string(), path, &text);
        match fmt::format_source(id, &text) {
            Ok(formatted) => {
                if formatted == text {
                    continue;
                }
                changed.push(path.clone());
                if diff {
                    print!("{}", unified_diff(path, &text, &formatted));
                }
                if !check {
                    if let Err(e) = write_atomic(path, &formatted) {
                        eprintln!("error: cannot write {}: {e}", path.display());
                        failed = true;
                        continue;
                    }
                }
                if !diff {
                    println!("{}", path.display());
                }
            }
            Err(diags) => {
                print_diagnostics(&sources, &diags, options.color);
                failed = true;
            }
        }
    }
    if failed {
        1
    } else if check && !changed.is_empty() {
        3
    } else {
        0
    }
}

fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&name, &name)
        .to_string()
}

/// Replaces a file's content atomically: a temporary file beside it, synced, then renamed over
/// it, keeping its permissions.
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.stackc-fmt.{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        if let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
