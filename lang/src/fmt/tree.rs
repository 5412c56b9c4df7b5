//! Walks over the syntax tree without recursion (operator chains make trees as deep as they are
//! long), and its span-free shape, used to check that formatting kept the meaning.

use crate::ast::{Expr, ExprKind, File, Item, ObjectKey, SplatStep, TemplatePart};
use std::fmt::Write as _;

/// A node of the syntax tree.
#[derive(Clone, Copy)]
pub(crate) enum Node<'t> {
    Item(&'t Item),
    Expr(&'t Expr),
    Part(&'t TemplatePart),
    Step(&'t SplatStep),
    /// An object item's key that is a bare identifier.
    Key(&'t str),
}

/// Calls `f` on every node of the file, parents before children, in source order.
pub(crate) fn visit<'t>(file: &'t File, mut f: impl FnMut(Node<'t>)) {
    let mut stack: Vec<Node<'t>> = file.body.items.iter().rev().map(Node::Item).collect();
    let mut children = Vec::new();
    while let Some(node) = stack.pop() {
        f(node);
        children.clear();
        push_children(node, &mut children);
        stack.extend(children.drain(..).rev());
    }
}

fn push_children<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    match node {
        Node::Item(Item::Attribute(a)) => out.push(Node::Expr(&a.expr)),
        Node::Item(Item::Block(b)) => out.extend(b.body.items.iter().map(Node::Item)),
        Node::Expr(e) => match &e.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Variable(_) => {}
            ExprKind::Template(t) => out.extend(t.parts.iter().map(Node::Part)),
            ExprKind::GetAttr { base, .. } => out.push(Node::Expr(base)),
            ExprKind::Index { base, index } => {
                out.push(Node::Expr(base));
                out.push(Node::Expr(index));
            }
            ExprKind::Splat { base, steps, .. } => {
                out.push(Node::Expr(base));
                out.extend(steps.iter().map(Node::Step));
            }
            ExprKind::Tuple(items) => out.extend(items.iter().map(Node::Expr)),
            ExprKind::Object(items) => {
                for it in items {
                    out.push(match &it.key {
                        ObjectKey::Ident(i) => Node::Key(&i.name),
                        ObjectKey::Expr(k) => Node::Expr(k),
                    });
                    out.push(Node::Expr(&it.value));
                }
            }
            ExprKind::Call { args, .. } => out.extend(args.iter().map(Node::Expr)),
            ExprKind::Unary { expr, .. } | ExprKind::Paren(expr) => out.push(Node::Expr(expr)),
            ExprKind::Binary { lhs, rhs, .. } => {
                out.push(Node::Expr(lhs));
                out.push(Node::Expr(rhs));
            }
            ExprKind::Conditional {
                cond,
                then,
                otherwise,
            } => {
                out.push(Node::Expr(cond));
                out.push(Node::Expr(then));
                out.push(Node::Expr(otherwise));
            }
            ExprKind::For(f) => {
                out.push(Node::Expr(&f.collection));
                out.extend(f.key.iter().map(Node::Expr));
                out.push(Node::Expr(&f.value));
                out.extend(f.cond.iter().map(Node::Expr));
            }
        },
        Node::Part(p) => match p {
            TemplatePart::Literal(..) => {}
            TemplatePart::Interp(e) => out.push(Node::Expr(e)),
            TemplatePart::If {
                cond,
                then,
                otherwise,
                ..
            } => {
                out.push(Node::Expr(cond));
                out.extend(then.iter().map(Node::Part));
                out.extend(otherwise.iter().map(Node::Part));
            }
            TemplatePart::For {
                collection, body, ..
            } => {
                out.push(Node::Expr(collection));
                out.extend(body.iter().map(Node::Part));
            }
        },
        Node::Step(SplatStep::Index(e)) => out.push(Node::Expr(e)),
        Node::Step(SplatStep::Attr(_)) | Node::Key(_) => {}
    }
}

/// The tree as text, without spans: each node in pre-order with its own data and the number of
/// its children, so that two files have the same shape exactly when their trees are equal.
pub(crate) fn shape(file: &File) -> String {
    let mut s = String::new();
    let mut children = Vec::new();
    visit(file, |node| {
        children.clear();
        push_children(node, &mut children);
        let n = children.len();
        // Writing to a String cannot fail.
        let _ = match node {
            Node::Item(Item::Attribute(a)) => write!(s, "attr {:?}", a.name.name),
            Node::Item(Item::Block(b)) => {
                let labels: Vec<(&str, bool)> = b
                    .labels
                    .iter()
                    .map(|l| (l.value.as_str(), l.quoted))
                    .collect();
                write!(s, "block {:?} {labels:?} {n}", b.ty.name)
            }
            Node::Expr(e) => match &e.kind {
                ExprKind::Null => write!(s, "null"),
                ExprKind::Bool(v) => write!(s, "bool {v}"),
                ExprKind::Number(v) => write!(s, "number {v:?}"),
                ExprKind::Template(t) => write!(s, "template {} {n}", t.heredoc),
                ExprKind::Variable(i) => write!(s, "var {:?}", i.name),
                ExprKind::GetAttr { name, .. } => write!(s, "getattr {:?}", name.name),
                ExprKind::Index { .. } => write!(s, "index"),
                ExprKind::Splat { full, .. } => write!(s, "splat {full} {n}"),
                ExprKind::Tuple(_) => write!(s, "tuple {n}"),
                ExprKind::Object(_) => write!(s, "object {n}"),
                ExprKind::Call {
                    name, expand_final, ..
                } => write!(s, "call {:?} {expand_final} {n}", name.name),
                ExprKind::Unary { op, .. } => write!(s, "unary {op:?}"),
                ExprKind::Binary { op, .. } => write!(s, "binary {op:?}"),
                ExprKind::Conditional { .. } => write!(s, "cond"),
                ExprKind::For(f) => write!(
                    s,
                    "for {:?} {:?} {} {} {}",
                    f.key_var.as_ref().map(|k| &k.name),
                    f.value_var.name,
                    f.key.is_some(),
                    f.cond.is_some(),
                    f.group
                ),
                ExprKind::Paren(_) => write!(s, "paren"),
            },
            Node::Part(p) => match p {
                TemplatePart::Literal(text, _) => write!(s, "literal {text:?}"),
                TemplatePart::Interp(_) => write!(s, "interp"),
                TemplatePart::If {
                    then, otherwise, ..
                } => write!(s, "if {} {}", then.len(), otherwise.len()),
                TemplatePart::For {
                    key_var,
                    value_var,
                    body,
                    ..
                } => write!(
                    s,
                    "tfor {:?} {:?} {}",
                    key_var.as_ref().map(|k| &k.name),
                    value_var.name,
                    body.len()
                ),
            },
            Node::Step(SplatStep::Attr(i)) => write!(s, "step {:?}", i.name),
            Node::Step(SplatStep::Index(_)) => write!(s, "step index"),
            Node::Key(k) => write!(s, "key {k:?}"),
        };
        s.push('\n');
    });
    s
}
