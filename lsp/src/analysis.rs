//! A stack as the editor sees it: the files of its directory, with open documents in place of
//! their saved text, loaded through the same path as `stackc validate`.

use crate::positions::LineIndex;
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Url,
};
use stackc_engine::load::{load_trees, Loaded};
use stackc_lang::diag::Severity;
use stackc_lang::eval::VarInputs;
use stackc_lang::{FileId, Sources};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The open documents, by path, and the syntax trees of the texts last checked, so that a
/// change re-parses only the file that changed.
#[derive(Default)]
pub struct Documents {
    open: HashMap<PathBuf, String>,
    parsed: std::sync::Mutex<HashMap<PathBuf, ParsedText>>,
}

/// A file's text as last parsed (with the id it had), and the result.
struct ParsedText {
    id: FileId,
    text: std::sync::Arc<str>,
    parsed: stackc_lang::parser::Parsed,
}

impl Documents {
    pub fn set(&mut self, path: PathBuf, text: String) {
        self.open.insert(path, text);
    }

    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
    }

    pub fn get(&self, path: &Path) -> Option<&str> {
        self.open.get(path).map(String::as_str)
    }

    /// The text of a file: the open document, else the file on disk.
    pub fn text(&self, path: &Path) -> Option<String> {
        self.get(path)
            .map(str::to_string)
            .or_else(|| std::fs::read_to_string(path).ok())
    }
}

/// A loaded stack.
pub struct Stack {
    /// Every file of the stack, by path, with its id in `loaded.config.sources`.
    pub files: BTreeMap<PathBuf, FileId>,
    pub loaded: Loaded,
}

/// The stack a file belongs to: the `*.stack.hcl` files of its directory.
pub fn stack_of(path: &Path) -> PathBuf {
    path.parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

pub fn is_stack_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".stack.hcl"))
}

/// Loads the stack of directory `dir`.
pub fn load(dir: &Path, docs: &Documents) -> Stack {
    let mut paths: Vec<PathBuf> = stackc_lang::eval::load::stack_files(dir).unwrap_or_default();
    for p in docs.open.keys() {
        if p.parent() == Some(dir) && is_stack_file(p) && !paths.contains(p) {
            paths.push(p.clone());
        }
    }
    paths.sort();
    let mut sources = Sources::new();
    let mut files = BTreeMap::new();
    let mut texts = Vec::new();
    for p in paths {
        let Some(text) = docs.text(&p) else { continue };
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let id = sources.add(name, &p, &text);
        files.insert(p.clone(), id);
        texts.push((p, id));
    }
    // Re-parse only what changed; the trees of the other files are taken from the cache.
    let mut cache = docs
        .parsed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache.retain(|p, _| files.contains_key(p));
    let mut trees = Vec::with_capacity(texts.len());
    let mut parse_diagnostics = Vec::new();
    for (path, id) in &texts {
        let text = sources.text(*id);
        let fresh = match cache.get(path) {
            Some(c) => c.id != *id || &*c.text != text,
            None => true,
        };
        if fresh {
            let parsed = stackc_lang::parser::parse_file(*id, text);
            cache.insert(
                path.clone(),
                ParsedText {
                    id: *id,
                    text: std::sync::Arc::from(text),
                    parsed,
                },
            );
        }
    }
    for (path, id) in &texts {
        if let Some(c) = cache.get(path) {
            parse_diagnostics.extend(c.parsed.diagnostics.iter().cloned());
            trees.push((*id, &c.parsed.file));
        }
    }
    let loaded = load_trees(
        sources,
        &trees,
        parse_diagnostics,
        dir,
        &VarInputs::default(),
        None,
    );
    drop(trees);
    drop(cache);
    Stack { files, loaded }
}

impl Stack {
    pub fn sources(&self) -> &Sources {
        &self.loaded.config.sources
    }

    pub fn file_of(&self, id: FileId) -> Option<&Path> {
        self.files
            .iter()
            .find(|(_, f)| **f == id)
            .map(|(p, _)| p.as_path())
    }

    /// The diagnostics of every file of the stack (empty lists for clean files, so the
    /// editor clears old ones).
    pub fn diagnostics(&self) -> BTreeMap<PathBuf, Vec<Diagnostic>> {
        let mut out: BTreeMap<PathBuf, Vec<Diagnostic>> =
            self.files.keys().map(|p| (p.clone(), Vec::new())).collect();
        let sources = self.sources();
        for d in self.loaded.diagnostics.clone().into_sorted() {
            // A problem with no place (a missing variable file) goes on the first file.
            let (path, range) = match d.span.and_then(|s| Some((s, self.file_of(s.file)?))) {
                Some((span, path)) => {
                    let text = sources.text(span.file);
                    let idx = LineIndex::new(text);
                    (
                        path.to_path_buf(),
                        idx.range(span.start as usize, span.end as usize),
                    )
                }
                None => match self.files.keys().next() {
                    Some(p) => (p.clone(), lsp_types::Range::default()),
                    None => continue,
                },
            };
            let mut message = d.message.clone();
            if let Some(label) = &d.label {
                message.push_str(&format!(" ({label})"));
            }
            if let Some(detail) = &d.detail {
                message.push_str(&format!("\n{detail}"));
            }
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            let related: Vec<DiagnosticRelatedInformation> = d
                .labels
                .iter()
                .filter_map(|l| {
                    let path = self.file_of(l.span.file)?;
                    let uri = Url::from_file_path(path).ok()?;
                    let idx = LineIndex::new(sources.text(l.span.file));
                    Some(DiagnosticRelatedInformation {
                        location: Location::new(
                            uri,
                            idx.range(l.span.start as usize, l.span.end as usize),
                        ),
                        message: l.message.clone(),
                    })
                })
                .collect();
            out.entry(path).or_default().push(Diagnostic {
                range,
                severity: Some(match d.severity {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(d.code.to_string())),
                source: Some("stackc".to_string()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                ..Diagnostic::default()
            });
        }
        out
    }
}
