//! Reading a stack from disk: which files, in which order, and parsing them (in parallel when
//! there are several cores and enough text to be worth it).

use crate::diag::{code, Diagnostic};
use crate::parser;
use crate::source::{FileId, Sources};
use std::path::{Path, PathBuf};

/// The stack files of a directory: every `*.stack.hcl` directly in it, in byte order of names.
pub fn stack_files(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::error(
            code::IO,
            format!("cannot read the stack directory {}: {e}", dir.display()),
        )
        .with_help("pass the stack directory with -C DIR, or a single file with -f FILE")
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".stack.hcl") && n.len() > ".stack.hcl".len())
                && p.is_file()
        })
        .collect();
    files.sort_by(|a, b| {
        a.file_name()
            .map(|n| n.as_encoded_bytes())
            .cmp(&b.file_name().map(|n| n.as_encoded_bytes()))
    });
    Ok(files)
}

/// Reads files into `sources`. Unreadable files become diagnostics.
pub fn read_files(
    paths: &[PathBuf],
    base: &Path,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
) -> Vec<FileId> {
    let mut ids = Vec::new();
    for p in paths {
        match std::fs::read(p) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let name = p.strip_prefix(base).unwrap_or(p).display().to_string();
                    ids.push(sources.add(name, p, &text));
                }
                Err(e) => diags.push(
                    Diagnostic::error(
                        code::IO,
                        format!(
                            "{} is not valid UTF-8 (invalid byte at offset {})",
                            p.display(),
                            e.utf8_error().valid_up_to()
                        ),
                    )
                    .with_help("stack files must be UTF-8 text"),
                ),
            },
            Err(e) => diags.push(
                Diagnostic::error(code::IO, format!("cannot read {}: {e}", p.display()))
                    .with_help("check that the file exists and is readable"),
            ),
        }
    }
    ids
}

/// Parses files; several files (or one large one, split at top-level items) are parsed on
/// all cores.
pub fn parse_all(sources: &Sources, files: &[FileId]) -> Vec<(FileId, parser::Parsed)> {
    let total: usize = files.iter().map(|f| sources.text(*f).len()).sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads <= 1 || total < 256 * 1024 {
        return files
            .iter()
            .map(|f| (*f, parser::parse_file(*f, sources.text(*f))))
            .collect();
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .iter()
            .map(|f| {
                let text = sources.text(*f);
                let id = *f;
                s.spawn(move || (id, parser::parse_file_parallel(id, text, threads)))
            })
            .collect();
        handles
            .into_iter()
            .zip(files)
            .map(|(h, f)| match h.join() {
                Ok(r) => r,
                Err(_) => (*f, parser::parse_file(*f, sources.text(*f))),
            })
            .collect()
    })
}
