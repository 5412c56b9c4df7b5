//! From files to a checked [`DesiredStack`]: everything short of contacting a provider. The
//! CLI's `validate`, `plan` and `apply`, the watcher and the language server all come through
//! here, so they report the same diagnostics.

use crate::model::{decode, DesiredStack, Hooks};
use stackc_lang::eval::{self, Config, LoadOptions, VarInputs};
use stackc_lang::{Diagnostics, FileId, Sources};
use std::path::Path;

/// A stack loaded and checked: the evaluated configuration, the decoded stack, and every
/// problem found (callers must not plan when it holds errors).
pub struct Loaded {
    pub config: Config,
    pub stack: DesiredStack,
    pub diagnostics: Diagnostics,
}

/// Loads the stack of `opts` from disk. `cli_provider` is `--provider`, which admission
/// needs to know (a `build` image is refused on native).
pub fn load(opts: &LoadOptions, cli_provider: Option<&str>) -> Loaded {
    let (config, diagnostics) = eval::load(opts, &Hooks);
    check(config, diagnostics, cli_provider)
}

/// Evaluates stack files held in memory, as if they were in `dir`.
pub fn load_sources(
    sources: Sources,
    files: &[FileId],
    dir: &Path,
    vars: &VarInputs,
    cli_provider: Option<&str>,
) -> Loaded {
    let (config, diagnostics) = eval::evaluate_sources(sources, files, dir, vars, &Hooks);
    check(config, diagnostics, cli_provider)
}

/// Evaluates files parsed already, with their parse diagnostics (an editor re-parses only
/// the file that changed).
pub fn load_trees(
    sources: Sources,
    trees: &[(FileId, &stackc_lang::ast::File)],
    parse_diagnostics: Vec<stackc_lang::Diagnostic>,
    dir: &Path,
    vars: &VarInputs,
    cli_provider: Option<&str>,
) -> Loaded {
    let (config, more) = eval::evaluate_trees(sources, trees, dir, vars, &Hooks);
    let mut diagnostics = Diagnostics::new();
    diagnostics.extend(parse_diagnostics);
    diagnostics.extend(more.into_sorted());
    check(config, diagnostics, cli_provider)
}

/// Decodes and admission-checks an evaluated configuration.
pub fn check(config: Config, mut diagnostics: Diagnostics, cli_provider: Option<&str>) -> Loaded {
    let (stack, more) = decode(&config);
    diagnostics.extend(more);
    diagnostics.extend(crate::admission::check(&config, &stack, cli_provider));
    Loaded {
        config,
        stack,
        diagnostics,
    }
}

/// The stack's own files (not variable files), by their names relative to the stack, as the
/// history records them.
pub fn stack_files(config: &Config) -> Vec<crate::state::RevisionFile> {
    config
        .sources
        .files()
        .filter(|(_, f)| f.name.ends_with(".hcl") && !f.name.ends_with(".vars.hcl"))
        .filter(|(_, f)| !f.name.starts_with('/') && !f.name.split('/').any(|s| s == ".."))
        .map(|(_, f)| crate::state::RevisionFile {
            name: f.name.clone(),
            text: f.text.to_string(),
        })
        .collect()
}

/// The stack's outputs as JSON; sensitive ones as `"(sensitive)"`.
pub fn outputs(config: &Config) -> std::collections::BTreeMap<String, serde_json::Value> {
    config
        .outputs
        .iter()
        .map(|(name, o)| {
            let v = if o.sensitive {
                serde_json::Value::String("(sensitive)".into())
            } else {
                o.value.to_json(true)
            };
            (name.clone(), v)
        })
        .collect()
}
