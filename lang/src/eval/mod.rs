//! The evaluator: from the syntax trees of a stack to values.
//!
//! Loading reads the files of a stack directory, parses them, collects the top-level blocks and
//! evaluates variables, locals, resources (with `count`/`for_each` expanded) and outputs in
//! dependency order. The result is a [`Config`]: generic values with spans, which the engine
//! decodes into typed resource specs.

use crate::source::{Sources, Span};
use crate::value::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The resource kinds of LANGUAGE.md §4, in the order they are documented.
pub const RESOURCE_KINDS: &[&str] = &["image", "container", "network", "volume", "quota", "service"];

/// Every top-level block type.
pub const BLOCK_TYPES: &[&str] = &[
    "stack", "variable", "locals", "output", "provider", "image", "container", "network", "volume",
    "quota", "service",
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
