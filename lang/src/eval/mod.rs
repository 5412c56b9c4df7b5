//! The evaluator: from the syntax trees of a stack to values.
//!
//! Loading reads the files of a stack directory, parses them, collects the top-level blocks and
//! evaluates variables, locals, resources (with `count`/`for_each` expanded) and outputs in
//! dependency order. The result is a [`Config`]: generic values with spans, which the engine
//! decodes into typed resource specs.

mod body;
pub mod expr;
pub mod load;
pub mod refs;
mod stack;
mod vars;

pub use stack::META_ARGUMENTS;
pub use vars::VarInputs;

use crate::diag::Diagnostics;
use crate::source::{FileId, Sources, Span};
use crate::value::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Attributes the engine computes for resource instances, so that other resources can read
/// them (an image's `.digest`, a service's `.replicas` default). The language knows nothing about
/// them; the engine passes an implementation to [`load`].
pub trait ResourceHooks: Sync {
    /// Extra attributes of the instance of `kind` whose evaluated body is `body`. Attributes
    /// the body sets itself win over these.
    fn computed(&self, kind: &str, body: &Value, stack_dir: &Path) -> Vec<(String, Value)> {
        let _ = (kind, body, stack_dir);
        Vec::new()
    }
}

/// No computed attributes: the language alone.
pub struct NoHooks;
impl ResourceHooks for NoHooks {}

/// Where a stack comes from and which values it is given.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The stack directory.
    pub dir: PathBuf,
    /// `-f FILE`: load this one file instead of the directory's `*.stack.hcl`.
    pub file: Option<PathBuf>,
    pub vars: VarInputs,
}

/// The default stack name: the directory's name, lower-cased, with every character that
/// cannot be in a name replaced by `-`.
pub fn default_stack_name(dir: &Path) -> String {
    let base = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let raw = base
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("stack")
        .to_lowercase();
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name = format!("s-{name}");
    }
    name
}

/// Loads and evaluates a stack from disk.
pub fn load(opts: &LoadOptions, hooks: &dyn ResourceHooks) -> (Config, Diagnostics) {
    let mut diags = Vec::new();
    let mut sources = Sources::new();
    let (paths, dir) = match &opts.file {
        Some(f) => (
            vec![f.clone()],
            f.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| opts.dir.clone(), Path::to_path_buf),
        ),
        None => match load::stack_files(&opts.dir) {
            Ok(files) => {
                if files.is_empty() {
                    diags.push(
                        crate::diag::Diagnostic::error(
                            crate::diag::code::IO,
                            format!("no *.stack.hcl files in {}", opts.dir.display()),
                        )
                        .with_help("run stackc in a stack directory, or pass -C DIR or -f FILE"),
                    );
                }
                (files, opts.dir.clone())
            }
            Err(d) => {
                diags.push(d);
                (Vec::new(), opts.dir.clone())
            }
        },
    };
    let ids = load::read_files(&paths, &dir, &mut sources, &mut diags);
    let (config, more) = evaluate_sources(sources, &ids, &dir, &opts.vars, hooks);
    let mut all = Diagnostics::new();
    all.extend(diags);
    all.extend(more);
    (config, all)
}

/// Parses and evaluates stack files already held in `sources` (editors pass unsaved text).
pub fn evaluate_sources(
    sources: Sources,
    files: &[FileId],
    dir: &Path,
    vars: &VarInputs,
    hooks: &dyn ResourceHooks,
) -> (Config, Diagnostics) {
    let mut diags = Vec::new();
    let parsed = load::parse_all(&sources, files);
    let mut trees = Vec::with_capacity(parsed.len());
    for (id, p) in parsed {
        diags.extend(p.diagnostics);
        trees.push((id, p.file));
    }
    let refs: Vec<(FileId, &crate::ast::File)> = trees.iter().map(|(id, f)| (*id, f)).collect();
    let (config, more) = evaluate_trees(sources, &refs, dir, vars, hooks);
    drop(refs);
    diags.extend(more.into_sorted());
    // Freeing a large syntax tree takes a noticeable share of a run (many small allocations);
    // nothing waits for it, so it happens on another thread.
    if trees.len() > 1000 || trees.iter().map(|(_, f)| f.body.items.len()).sum::<usize>() > 1000 {
        std::thread::spawn(move || drop(trees));
    }
    let mut all = Diagnostics::new();
    all.extend(diags);
    (config, all)
}

/// Evaluates files parsed already (an editor keeps the trees of the files that did not
/// change). The syntax errors of the parse are the caller's to report.
pub fn evaluate_trees(
    sources: Sources,
    trees: &[(FileId, &crate::ast::File)],
    dir: &Path,
    vars: &VarInputs,
    hooks: &dyn ResourceHooks,
) -> (Config, Diagnostics) {
    let mut diags = Vec::new();
    let name = default_stack_name(dir);
    let config = stack::evaluate(sources, trees, dir, &name, vars, hooks, &mut diags);
    let mut all = Diagnostics::new();
    all.extend(diags);
    (config, all)
}

/// The resource kinds of LANGUAGE.md §4, in the order they are documented.
pub const RESOURCE_KINDS: &[&str] = &[
    "image",
    "container",
    "network",
    "volume",
    "quota",
    "service",
];

/// Every top-level block type.
pub const BLOCK_TYPES: &[&str] = &[
    "stack",
    "variable",
    "locals",
    "output",
    "provider",
    "image",
    "container",
    "network",
    "volume",
    "quota",
    "service",
];

/// Which instance of a resource block this is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstanceKey {
    /// A block without `count` or `for_each`.
    None,
    /// `count = N`: `[0]` … `[N-1]`.
    Index(usize),
    /// `for_each`: `["key"]`.
    Key(String),
}

impl InstanceKey {
    /// The address suffix: ``, `[0]`, `["key"]`.
    pub fn address_suffix(&self) -> String {
        match self {
            InstanceKey::None => String::new(),
            InstanceKey::Index(i) => format!("[{i}]"),
            InstanceKey::Key(k) => format!("[{}]", crate::value::quote(k)),
        }
    }

    /// The runtime-name suffix: ``, `-0`, `-key`.
    pub fn name_suffix(&self) -> String {
        match self {
            InstanceKey::None => String::new(),
            InstanceKey::Index(i) => format!("-{i}"),
            InstanceKey::Key(k) => format!("-{k}"),
        }
    }
}

/// Why a resource depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DependencyKind {
    /// An expression in the body refers to it.
    Reference,
    /// Listed in `depends_on`.
    DependsOn,
    /// Listed in `lifecycle.replace_triggered_by`.
    ReplaceTriggeredBy,
}

/// An edge from a resource instance to a resource block (all of its instances).
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    /// The block address: `image.redis`, `container.web`.
    pub address: String,
    pub span: Span,
    pub kind: DependencyKind,
}

/// The `lifecycle` block, evaluated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lifecycle {
    pub prevent_destroy: bool,
    pub create_before_destroy: bool,
    /// Attribute paths: `env`, `resources.memory`.
    pub ignore_changes: Vec<String>,
    /// Block addresses, with the span of each entry.
    pub replace_triggered_by: Vec<(String, Span)>,
}

/// One resource instance after expansion.
#[derive(Debug, Clone)]
pub struct Resource {
    /// `container`
    pub kind: String,
    /// `web`
    pub name: String,
    /// `container.web`, `container.web[0]`, `container.web["a"]`
    pub address: String,
    pub key: InstanceKey,
    /// `<stack>-<name><suffix>` unless the body sets `name`.
    pub runtime_name: String,
    /// The evaluated body (a [`MapKind::Block`](crate::value::MapKind::Block) map): attributes
    /// by name, nested blocks as [`SeqKind::Blocks`](crate::value::SeqKind::Blocks) lists of
    /// block maps. Meta-arguments (`count`, `for_each`, `depends_on`, `lifecycle`) are removed.
    pub body: Value,
    /// The whole block, and its name label.
    pub block_span: Span,
    pub label_span: Span,
    pub depends_on: Vec<Dependency>,
    pub lifecycle: Lifecycle,
    /// The meta-arguments as written and evaluated, for `stackc config`: `depends_on` (a tuple
    /// of addresses) and `lifecycle` (an object of the fields that are set), when present.
    pub meta: crate::value::Map,
}

/// A `provider` block.
#[derive(Debug, Clone)]
pub struct ProviderBlock {
    pub name: String,
    pub body: Value,
    pub span: Span,
}

/// An `output` block.
#[derive(Debug, Clone)]
pub struct Output {
    pub value: Value,
    pub description: Option<String>,
    pub sensitive: bool,
    pub span: Span,
}

/// A `variable` block's declaration.
#[derive(Debug, Clone)]
pub struct VariableDecl {
    pub name: String,
    pub description: Option<String>,
    pub sensitive: bool,
    pub span: Span,
}

/// The settings of the `stack` block.
#[derive(Debug, Clone, Default)]
pub struct StackSettings {
    /// The stack's name: the block's label, or the directory's name made valid.
    pub name: String,
    /// `provider = "…"` when set, with its span.
    pub provider: Option<(String, Span)>,
    /// `labels = {…}`, added to every object the stack creates.
    pub labels: BTreeMap<String, String>,
    /// The `stack` block, if there is one.
    pub span: Option<Span>,
}

/// A fully evaluated stack.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub sources: Sources,
    /// The stack directory (`path.stack`).
    pub dir: PathBuf,
    pub stack: StackSettings,
    pub variables: BTreeMap<String, Value>,
    pub variable_decls: BTreeMap<String, VariableDecl>,
    pub locals: BTreeMap<String, Value>,
    pub outputs: BTreeMap<String, Output>,
    pub providers: BTreeMap<String, ProviderBlock>,
    /// Resource instances, in the order of their blocks in the files.
    pub resources: Vec<Resource>,
}

impl Config {
    pub fn resource(&self, address: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.address == address)
    }
}
