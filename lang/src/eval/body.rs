//! Generic evaluation of block bodies: attributes become map entries, nested blocks become
//! lists of block maps grouped by type. Used for resource bodies, providers and nested blocks.

use super::expr::{EvalError, Evaluator, Scope};
use crate::ast::{Attribute, Block, Body, Item};
use crate::diag::{code, Diagnostic};
use crate::source::Span;
use crate::value::{Map, MapKind, SeqKind, Value, ValueKind};
use std::sync::Arc;

/// Checks a body's attribute names for duplicates; returns diagnostics for each repeat.
pub fn duplicate_attributes(body: &Body) -> Vec<Diagnostic> {
    // Bodies hold a handful of attributes: a linear scan beats hashing them.
    let mut seen: Vec<(&str, Span)> = Vec::with_capacity(body.items.len());
    let mut out = Vec::new();
    for item in &body.items {
        if let Item::Attribute(a) = item {
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == a.name.name) {
                out.push(
                    Diagnostic::error(
                        code::DUPLICATE,
                        format!("attribute `{}` is set twice", a.name.name),
                    )
                    .at(a.name.span)
                    .with_label("set again here")
                    .and_label(*first, "first set here")
                    .with_help("remove one of them"),
                );
            } else {
                seen.push((&a.name.name, a.name.span));
            }
        }
    }
    out
}

/// Evaluates a body into a block map. `skip` names attributes and block types handled by the
/// caller (meta-arguments). Errors of different attributes are all collected.
pub fn eval_body(
    ev: &mut Evaluator<'_>,
    body: &Body,
    scope: &Scope,
    skip: &[&str],
    span: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<Value> {
    let mut map = Map::new();
    let mut ok = true;
    let mut blocks: Vec<(String, Vec<Value>, Span)> = Vec::new();
    diags.extend(duplicate_attributes(body));
    for item in &body.items {
        match item {
            Item::Attribute(a) => {
                if skip.contains(&a.name.name.as_str()) || map.contains_key(&a.name.name) {
                    continue;
                }
                match eval_attribute(ev, a, scope) {
                    Ok(v) => {
                        map.insert(a.name.name.clone(), v);
                    }
                    Err(EvalError::Diag(d)) => {
                        diags.push(*d);
                        ok = false;
                    }
                    Err(EvalError::Silent) => ok = false,
                }
            }
            Item::Block(b) => {
                if skip.contains(&b.ty.name.as_str()) {
                    continue;
                }
                if let Some(l) = b.labels.first() {
                    diags.push(
                        Diagnostic::error(
                            code::SYNTAX,
                            format!("a `{}` block takes no labels", b.ty.name),
                        )
                        .at(l.span)
                        .with_help(format!("write `{} {{ … }}`", b.ty.name)),
                    );
                    ok = false;
                    continue;
                }
                if map.contains_key(&b.ty.name) {
                    diags.push(
                        Diagnostic::error(
                            code::DUPLICATE,
                            format!("`{}` is set both as an attribute and as a block", b.ty.name),
                        )
                        .at(b.ty.span)
                        .with_help("use one form"),
                    );
                    ok = false;
                    continue;
                }
                match eval_body(ev, &b.body, scope, &[], b.span, diags) {
                    Some(v) => {
                        let v = v.with_key_span(b.ty.span);
                        match blocks.iter_mut().find(|(n, _, _)| *n == b.ty.name) {
                            Some((_, list, s)) => {
                                list.push(v);
                                *s = s.to(b.span);
                            }
                            None => blocks.push((b.ty.name.clone(), vec![v], b.span)),
                        }
                    }
                    None => ok = false,
                }
            }
        }
    }
    for (name, list, s) in blocks {
        let key_span = list.first().map(|v| v.key_span).unwrap_or(s);
        map.insert(
            name,
            Value::new(ValueKind::Seq(SeqKind::Blocks, Arc::new(list)), s).with_key_span(key_span),
        );
    }
    ok.then(|| Value::new(ValueKind::Map(MapKind::Block, Arc::new(map)), span))
}

fn eval_attribute(
    ev: &mut Evaluator<'_>,
    a: &Attribute,
    scope: &Scope,
) -> Result<Value, EvalError> {
    Ok(ev.eval(&a.expr, scope)?.with_key_span(a.name.span))
}

/// The attributes and nested blocks of a body, checked against allowed names. Reports unknown
/// names with a suggestion. Used for the language's own blocks (variable, output, lifecycle…).
pub fn check_names(
    body: &Body,
    what: &str,
    attributes: &[&str],
    blocks: &[&str],
    diags: &mut Vec<Diagnostic>,
) {
    for item in &body.items {
        match item {
            Item::Attribute(a) if !attributes.contains(&a.name.name.as_str()) => {
                let mut d = Diagnostic::error(
                    code::UNKNOWN_ATTRIBUTE,
                    format!("{what} has no attribute `{}`", a.name.name),
                )
                .at(a.name.span)
                .with_label("unknown attribute");
                d = if blocks.contains(&a.name.name.as_str()) {
                    d.with_help(format!(
                        "`{}` is a block: write `{} {{ … }}`",
                        a.name.name, a.name.name
                    ))
                } else {
                    d.with_help(format!(
                        "the attributes of {what} are: {}",
                        attributes.join(", ")
                    ))
                    .did_you_mean(&a.name.name, attributes.iter().copied())
                };
                diags.push(d);
            }
            Item::Block(b) if !blocks.contains(&b.ty.name.as_str()) => {
                let mut d = Diagnostic::error(
                    code::UNKNOWN_BLOCK,
                    format!("{what} has no block `{}`", b.ty.name),
                )
                .at(b.ty.span)
                .with_label("unknown block");
                d = if attributes.contains(&b.ty.name.as_str()) {
                    d.with_help(format!(
                        "`{}` is an attribute: write `{} = …`",
                        b.ty.name, b.ty.name
                    ))
                } else if blocks.is_empty() {
                    d.with_help(format!("{what} holds no nested blocks"))
                } else {
                    d.with_help(format!("the blocks of {what} are: {}", blocks.join(", ")))
                        .did_you_mean(&b.ty.name, blocks.iter().copied())
                };
                diags.push(d);
            }
            _ => {}
        }
    }
}

/// The attribute of a body with this name, if any (the first, when repeated).
pub fn attribute<'b>(body: &'b Body, name: &str) -> Option<&'b Attribute> {
    body.items.iter().find_map(|i| match i {
        Item::Attribute(a) if a.name.name == name => Some(a),
        _ => None,
    })
}

/// The nested blocks of a body with this type.
pub fn blocks<'b>(body: &'b Body, ty: &'b str) -> impl Iterator<Item = &'b Block> + 'b {
    body.items.iter().filter_map(move |i| match i {
        Item::Block(b) if b.ty.name == ty => Some(b),
        _ => None,
    })
}
