//! Variable values: declarations, and the value of each from, highest first, `--var`,
//! `--var-file` (later files win), `STACKC_VAR_<name>`, and `default`.

use super::body::{attribute, blocks, check_names};
use super::expr::{Context, EvalError, Evaluator, Globals, Scope};
use crate::ast::{Block, Item};
use crate::diag::{code, Diagnostic};
use crate::source::{FileId, Sources, Span};
use crate::types::{self, Type};
use crate::value::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Values given from outside the stack files.
#[derive(Debug, Clone, Default)]
pub struct VarInputs {
    /// `--var name=value`, in command-line order.
    pub cli: Vec<String>,
    /// `--var-file` paths, in command-line order.
    pub files: Vec<std::path::PathBuf>,
    /// `STACKC_VAR_<name>` pairs (the caller reads the environment, so tests can pass their own).
    pub env: Vec<(String, String)>,
}

impl VarInputs {
    /// Collects `STACKC_VAR_*` from the process environment.
    pub fn env_from_process() -> Vec<(String, String)> {
        std::env::vars()
            .filter_map(|(k, v)| k.strip_prefix("STACKC_VAR_").map(|n| (n.to_string(), v)))
            .collect()
    }
}

pub struct Declared<'a> {
    pub block: &'a Block,
    pub name: String,
    pub ty: Type,
    pub sensitive: bool,
    pub description: Option<String>,
    pub default: Option<Value>,
}

fn constant_globals<'g>(
    empty: &'g BTreeMap<String, Value>,
    res: &'g HashMap<String, HashMap<String, Value>>,
    set: &'g HashSet<String>,
    dir: &'g Path,
) -> Globals<'g> {
    Globals {
        vars: empty,
        locals: empty,
        resources: res,
        declared: set,
        poisoned: set,
        stack_name: "",
        stack_dir: dir,
        context: Context::Constant,
    }
}

fn push(diags: &mut Vec<Diagnostic>, e: EvalError) {
    if let EvalError::Diag(d) = e {
        diags.push(*d);
    }
}

/// Reads a `variable` block's declaration.
pub fn declare<'a>(
    block: &'a Block,
    name: &str,
    dir: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Declared<'a> {
    check_names(
        &block.body,
        &format!("variable \"{name}\""),
        &["type", "default", "description", "sensitive", "nullable"],
        &["validation"],
        diags,
    );
    diags.extend(super::body::duplicate_attributes(&block.body));
    for v in blocks(&block.body, "validation") {
        check_names(
            &v.body,
            "a validation block",
            &["condition", "error_message"],
            &[],
            diags,
        );
        for required in ["condition", "error_message"] {
            if attribute(&v.body, required).is_none() {
                diags.push(
                    Diagnostic::error(
                        code::MISSING_ATTRIBUTE,
                        format!("the validation of variable `{name}` has no `{required}`"),
                    )
                    .at(v.ty.span)
                    .with_help("a validation block needs `condition` and `error_message`"),
                );
            }
        }
    }
    let ty = match attribute(&block.body, "type") {
        Some(a) => match types::parse_type(&a.expr) {
            Ok(t) => t,
            Err(d) => {
                diags.push(d);
                Type::Any
            }
        },
        None => Type::Any,
    };
    let empty = BTreeMap::new();
    let res = HashMap::new();
    let set = HashSet::new();
    let g = constant_globals(&empty, &res, &set, dir);
    let mut ev = Evaluator::new(&g);
    let scope = Scope::default();
    let mut constant = |attr: &str, diags: &mut Vec<Diagnostic>| -> Option<Value> {
        let a = attribute(&block.body, attr)?;
        match ev.eval(&a.expr, &scope) {
            Ok(v) => Some(v),
            Err(e) => {
                push(diags, e);
                None
            }
        }
    };
    let sensitive = match constant("sensitive", diags) {
        Some(v) => match v.as_bool() {
            Some(b) => b,
            None => {
                diags.push(
                    type_error(&v, "`sensitive` must be true or false")
                        .with_help("write sensitive = true or sensitive = false"),
                );
                false
            }
        },
        None => false,
    };
    let description = constant("description", diags).and_then(|v| v.as_str().map(str::to_string));
    let default = constant("default", diags).and_then(|v| {
        if v.is_null() {
            return Some(v);
        }
        match types::convert(&v, &ty) {
            Ok(c) => Some(c.with_span(v.span)),
            Err(msg) => {
                diags.push(
                    Diagnostic::error(
                        code::TYPE,
                        format!(
                            "the default of variable `{name}` does not match its type {ty}: {msg}"
                        ),
                    )
                    .at(v.span)
                    .with_help(format!("give a default of type {ty}, or change the type")),
                );
                None
            }
        }
    });
    Declared {
        block,
        name: name.to_string(),
        ty,
        sensitive,
        description,
        default,
    }
}

fn type_error(v: &Value, message: &str) -> Diagnostic {
    Diagnostic::error(code::TYPE, message.to_string()).at(v.span)
}

/// Resolves every declared variable's value. Returns the values; reports missing, undeclared
/// and ill-typed values.
pub fn resolve(
    decls: &[Declared<'_>],
    inputs: &VarInputs,
    sources: &mut Sources,
    dir: &Path,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Value> {
    let by_name: HashMap<&str, &Declared<'_>> =
        decls.iter().map(|d| (d.name.as_str(), d)).collect();
    // Values from the lowest precedence up; later inserts win.
    let mut given: HashMap<String, Value> = HashMap::new();
    // Variables whose given value was wrong: already reported, so not "missing" too.
    let mut failed: HashSet<String> = HashSet::new();

    // Environment.
    let mut env: Vec<&(String, String)> = inputs.env.iter().collect();
    env.sort();
    for (name, text) in env {
        let Some(d) = by_name.get(name.as_str()) else {
            continue;
        };
        let file = sources.add(
            format!("STACKC_VAR_{name}"),
            format!("STACKC_VAR_{name}"),
            text,
        );
        match parse_outside_value(d, sources, file, dir, diags) {
            Some(v) => {
                let v = masked(d, v, sources, &format!("STACKC_VAR_{name}"));
                given.insert(name.clone(), v);
            }
            None => {
                failed.insert(name.clone());
            }
        }
    }

    // Variable files.
    for path in &inputs.files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        code::VARIABLE,
                        format!("cannot read variable file {}: {e}", path.display()),
                    )
                    .with_help("check the path given to --var-file"),
                );
                continue;
            }
        };
        let file = sources.add(path.display().to_string(), path, &text);
        let is_json = path.extension().is_some_and(|e| e == "json");
        let values = if is_json {
            json_var_file(sources, file, diags)
        } else {
            hcl_var_file(sources, file, dir, diags, &mut failed)
        };
        for (name, v, key_span) in values {
            match by_name.get(name.as_str()) {
                Some(_) => {
                    given.insert(name, v);
                }
                None => diags.push(
                    Diagnostic::warning(
                        code::VARIABLE,
                        format!("the variable file sets `{name}`, which is not declared"),
                    )
                    .at(key_span)
                    .with_help("declare it with a `variable` block, or remove it from the file")
                    .did_you_mean(&name, by_name.keys().copied()),
                ),
            }
        }
    }

    // Command line.
    for arg in &inputs.cli {
        let Some((name, text)) = arg.split_once('=') else {
            diags.push(
                Diagnostic::error(
                    code::VARIABLE,
                    format!("--var `{arg}` is not of the form NAME=VALUE"),
                )
                .with_help("write --var name=value"),
            );
            continue;
        };
        let name = name.trim();
        let Some(d) = by_name.get(name) else {
            diags.push(
                Diagnostic::error(
                    code::VARIABLE,
                    format!("--var sets `{name}`, which is not declared"),
                )
                .with_help("declare it with a `variable` block, or check the name")
                .did_you_mean(name, by_name.keys().copied()),
            );
            continue;
        };
        let file = sources.add(format!("--var {name}"), format!("--var {name}"), text);
        match parse_outside_value(d, sources, file, dir, diags) {
            Some(v) => {
                let v = masked(d, v, sources, &format!("--var {name}"));
                given.insert(name.to_string(), v);
            }
            None => {
                failed.insert(name.to_string());
            }
        }
    }

    let mut values = BTreeMap::new();
    let mut missing: Vec<&Declared<'_>> = Vec::new();
    for d in decls {
        let value = match given.remove(&d.name) {
            Some(v) => match types::convert(&v, &d.ty) {
                Ok(c) => Some(c.with_span(v.span)),
                Err(msg) => {
                    diags.push(
                        Diagnostic::error(
                            code::TYPE,
                            format!(
                                "the value of variable `{}` does not match its type {}: {msg}",
                                d.name, d.ty
                            ),
                        )
                        .at(v.span)
                        .and_label(d.block.ty.span, "declared here")
                        .with_help(format!("give a value of type {}", d.ty)),
                    );
                    continue;
                }
            },
            None => d.default.clone(),
        };
        match value {
            Some(v) => {
                values.insert(d.name.clone(), v.mark_sensitive(d.sensitive));
            }
            None => {
                if attribute(&d.block.body, "default").is_none() && !failed.contains(&d.name) {
                    missing.push(d);
                }
            }
        }
    }
    if let Some(first) = missing.first() {
        let names: Vec<String> = missing.iter().map(|d| format!("`{}`", d.name)).collect();
        let mut diag = Diagnostic::error(
            code::VARIABLE,
            format!("no value for variable{} {}", if names.len() > 1 { "s" } else { "" }, names.join(", ")),
        )
        .at(first.block.labels.first().map_or(first.block.ty.span, |l| l.span))
        .with_label("needs a value")
        .with_help(format!(
            "set {} with --var NAME=VALUE, a --var-file, the environment variable STACKC_VAR_NAME, or a `default`",
            if names.len() > 1 { "them" } else { "it" }
        ));
        for d in missing.iter().skip(1) {
            diag = diag.and_label(
                d.block.labels.first().map_or(d.block.ty.span, |l| l.span),
                format!("`{}` needs a value", d.name),
            );
        }
        diags.push(diag);
    }
    values
}

/// A value from the command line or the environment: an expression when the variable's type
/// is not `string`, the raw text otherwise (and for untyped variables whose text does not
/// parse as a constant).
fn parse_outside_value(
    d: &Declared<'_>,
    sources: &Sources,
    file: FileId,
    dir: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<Value> {
    let text = sources.text(file);
    let span = Span::new(file, 0, text.len());
    if d.ty == Type::String {
        return Some(Value::string(text, span));
    }
    let parsed = crate::parser::parse_expr(file, text);
    let empty = BTreeMap::new();
    let res = HashMap::new();
    let set = HashSet::new();
    let g = constant_globals(&empty, &res, &set, dir);
    let mut ev = Evaluator::new(&g);
    let result = match parsed {
        Ok(expr) => ev.eval(&expr, &Scope::default()).map_err(|e| match e {
            EvalError::Diag(d) => vec![*d],
            EvalError::Silent => Vec::new(),
        }),
        Err(ds) => Err(ds),
    };
    match result {
        Ok(v) => Some(v),
        Err(_) if d.ty == Type::Any => Some(Value::string(text, span)),
        Err(ds) => {
            for e in ds {
                diags.push(e.with_help(format!(
                    "variable `{}` has type {}, so its value is read as an expression (quote strings: '\"text\"')",
                    d.name, d.ty
                )));
            }
            None
        }
    }
}

fn hcl_var_file(
    sources: &Sources,
    file: FileId,
    dir: &Path,
    diags: &mut Vec<Diagnostic>,
    failed: &mut HashSet<String>,
) -> Vec<(String, Value, Span)> {
    let parsed = crate::parser::parse_file(file, sources.text(file));
    diags.extend(parsed.diagnostics);
    let empty = BTreeMap::new();
    let res = HashMap::new();
    let set = HashSet::new();
    let g = constant_globals(&empty, &res, &set, dir);
    let mut ev = Evaluator::new(&g);
    let mut out = Vec::new();
    diags.extend(super::body::duplicate_attributes(&parsed.file.body));
    for item in &parsed.file.body.items {
        match item {
            Item::Attribute(a) => match ev.eval(&a.expr, &Scope::default()) {
                Ok(v) => out.push((a.name.name.clone(), v, a.name.span)),
                Err(e) => {
                    failed.insert(a.name.name.clone());
                    push(diags, e);
                }
            },
            Item::Block(b) => diags.push(
                Diagnostic::error(code::UNKNOWN_BLOCK, "variable files hold attributes only")
                    .at(b.ty.span)
                    .with_help("write `name = value` for each variable"),
            ),
        }
    }
    out
}

fn json_var_file(
    sources: &Sources,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Value, Span)> {
    let text = sources.text(file);
    let span = Span::new(file, 0, text.len().min(1));
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                // Point at the key, and the value at its own text, when they can be found.
                let key_span = text
                    .find(&format!("\"{k}\""))
                    .map_or(span, |i| Span::new(file, i, i + k.len() + 2));
                let value_span = json_value_span(text, file, key_span).unwrap_or(key_span);
                (
                    k.clone(),
                    Value::from_json(v, value_span).with_key_span(key_span),
                    key_span,
                )
            })
            .collect(),
        Ok(_) => {
            diags.push(
                Diagnostic::error(code::VARIABLE, "a JSON variable file must hold one object")
                    .at(span)
                    .with_help("write {\"name\": value, …}"),
            );
            Vec::new()
        }
        Err(e) => {
            let offset = sources
                .get(file)
                .and_then(|f| f.line_start(e.line()))
                .map_or(0, |s| s + e.column().saturating_sub(1));
            diags.push(
                Diagnostic::error(code::SYNTAX, format!("invalid JSON: {e}"))
                    .at(Span::new(
                        file,
                        offset.min(text.len()),
                        offset.min(text.len()),
                    ))
                    .with_help("fix the JSON syntax"),
            );
            Vec::new()
        }
    }
}

/// The span of the JSON value that follows the key at `key`: after the `:`, up to where a JSON
/// parser stops reading one value.
fn json_value_span(text: &str, file: FileId, key: Span) -> Option<Span> {
    let after_key = text.get(key.end as usize..)?;
    let colon = after_key.find(':')?;
    let rest = &after_key[colon + 1..];
    let start = key.end as usize + colon + 1 + (rest.len() - rest.trim_start().len());
    let mut stream =
        serde_json::Deserializer::from_str(text.get(start..)?).into_iter::<serde_json::Value>();
    stream.next()?.ok()?;
    Some(Span::new(file, start, start + stream.byte_offset()))
}

/// A sensitive variable's value from the command line or the environment points, for
/// diagnostics, at a stand-in text `(sensitive)` rather than at the text it was given as.
fn masked(d: &Declared<'_>, v: Value, sources: &mut Sources, name: &str) -> Value {
    if !d.sensitive {
        return v;
    }
    const SHOWN: &str = "(sensitive)";
    let file = sources.add(name, name, SHOWN);
    v.with_span(Span::new(file, 0, SHOWN.len()))
}
