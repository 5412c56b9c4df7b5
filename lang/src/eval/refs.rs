//! Static reference analysis: which variables, locals and resources an expression refers to.
//!
//! The evaluator orders its work by these references (locals in dependency order, resources
//! after what they use), and the engine draws resource edges from them. Names bound by `for`
//! expressions and template `for` directives shadow the global namespaces, so
//! `[for image in xs : image.name]` does not refer to any image resource.

use crate::ast::{Expr, ExprKind, TemplatePart};
use crate::source::Span;

/// One reference found in an expression: `var.x`, `local.y`, `container.web`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The namespace: `var`, `local`, or a resource kind.
    pub root: String,
    /// The name after the dot.
    pub name: String,
    /// From the root to the name (`var.x`).
    pub span: Span,
}

impl Reference {
    pub fn key(&self) -> String {
        format!("{}.{}", self.root, self.name)
    }
}

/// Collects references from `expr` into `out`.
pub fn collect(expr: &Expr, out: &mut Vec<Reference>) {
    let mut bound: Vec<String> = Vec::new();
    visit(expr, &mut bound, out);
}

fn visit(expr: &Expr, bound: &mut Vec<String>, out: &mut Vec<Reference>) {
    match &expr.kind {
        ExprKind::GetAttr { base, name } => {
            if let ExprKind::Variable(root) = &base.kind {
                if !bound.contains(&root.name) {
                    out.push(Reference {
                        root: root.name.clone(),
                        name: name.name.clone(),
                        span: root.span.to(name.span),
                    });
                }
                return;
            }
            visit(base, bound, out);
        }
        ExprKind::Index { base, index } => {
            // `var["x"]` is not a reference form; only the base and the index expression are.
            visit(base, bound, out);
            visit(index, bound, out);
        }
        ExprKind::Splat { base, steps, .. } => {
            visit(base, bound, out);
            for s in steps {
                if let crate::ast::SplatStep::Index(e) = s {
                    visit(e, bound, out);
                }
            }
        }
        ExprKind::Variable(_) | ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) => {}
        ExprKind::Template(t) => visit_parts(&t.parts, bound, out),
        ExprKind::Tuple(items) => items.iter().for_each(|e| visit(e, bound, out)),
        ExprKind::Object(items) => {
            for item in items {
                if let crate::ast::ObjectKey::Expr(k) = &item.key {
                    visit(k, bound, out);
                }
                visit(&item.value, bound, out);
            }
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|e| visit(e, bound, out)),
        ExprKind::Unary { expr, .. } | ExprKind::Paren(expr) => visit(expr, bound, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            visit(lhs, bound, out);
            visit(rhs, bound, out);
        }
        ExprKind::Conditional {
            cond,
            then,
            otherwise,
        } => {
            visit(cond, bound, out);
            visit(then, bound, out);
            visit(otherwise, bound, out);
        }
        ExprKind::For(f) => {
            visit(&f.collection, bound, out);
            let depth = bound.len();
            if let Some(k) = &f.key_var {
                bound.push(k.name.clone());
            }
            bound.push(f.value_var.name.clone());
            if let Some(k) = &f.key {
                visit(k, bound, out);
            }
            visit(&f.value, bound, out);
            if let Some(c) = &f.cond {
                visit(c, bound, out);
            }
            bound.truncate(depth);
        }
    }
}

fn visit_parts(parts: &[TemplatePart], bound: &mut Vec<String>, out: &mut Vec<Reference>) {
    for p in parts {
        match p {
            TemplatePart::Literal(..) => {}
            TemplatePart::Interp(e) => visit(e, bound, out),
            TemplatePart::If {
                cond,
                then,
                otherwise,
                ..
            } => {
                visit(cond, bound, out);
                visit_parts(then, bound, out);
                visit_parts(otherwise, bound, out);
            }
            TemplatePart::For {
                key_var,
                value_var,
                collection,
                body,
                ..
            } => {
                visit(collection, bound, out);
                let depth = bound.len();
                if let Some(k) = key_var {
                    bound.push(k.name.clone());
                }
                bound.push(value_var.name.clone());
                visit_parts(body, bound, out);
                bound.truncate(depth);
            }
        }
    }
}
