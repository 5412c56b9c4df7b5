//! The syntax tree. Every node keeps its [`Span`]; nothing here knows about containers.

use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A parsed file: its top-level items in source order.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body {
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Attribute(Attribute),
    Block(Block),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Attribute(a) => a.span,
            Item::Block(b) => b.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: Ident,
    pub expr: Expr,
    /// From the name to the end of the expression.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub ty: Ident,
    pub labels: Vec<Label>,
    pub body: Body,
    /// From the type name to the closing brace.
    pub span: Span,
    pub open_brace: Span,
    pub close_brace: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub value: String,
    pub span: Span,
    /// `"name"` rather than a bare identifier.
    pub quoted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    /// A string or heredoc. A plain literal is a template with one literal part.
    Template(Template),
    /// A root name: `var`, `local`, `image`, `count`, a `for` variable…
    Variable(Ident),
    GetAttr {
        base: Box<Expr>,
        name: Ident,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    /// `base[*].steps…` (full) or `base.*.steps…` (attribute-only).
    Splat {
        base: Box<Expr>,
        full: bool,
        steps: Vec<SplatStep>,
    },
    Tuple(Vec<Expr>),
    Object(Vec<ObjectItem>),
    Call {
        name: Ident,
        args: Vec<Expr>,
        /// The final argument is a tuple to expand (`f(xs...)`).
        expand_final: bool,
    },
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Conditional {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    For(Box<ForExpr>),
    Paren(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum SplatStep {
    Attr(Ident),
    Index(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectItem {
    pub key: ObjectKey,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKey {
    /// A bare identifier, taken literally (`{ a = 1 }`).
    Ident(Ident),
    /// Any other expression (a string, or a parenthesised expression).
    Expr(Expr),
}

impl ObjectKey {
    pub fn span(&self) -> Span {
        match self {
            ObjectKey::Ident(i) => i.span,
            ObjectKey::Expr(e) => e.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<Ident>,
    pub value_var: Ident,
    pub collection: Expr,
    /// `Some` for the object form `{for … : k => v}`.
    pub key: Option<Expr>,
    pub value: Expr,
    pub cond: Option<Expr>,
    /// `…` after the value in the object form: group values by key.
    pub group: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
    pub heredoc: bool,
}

impl Template {
    /// The literal text when the template has no interpolation or directive.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [TemplatePart::Literal(s, _)] => Some(s),
            _ => None,
        }
    }
}

/// A piece of a template. The large pieces are boxed so that the common one, a literal, stays
/// small: most strings in a stack are a single literal.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    Literal(String, Span),
    Interp(Box<Expr>),
    If {
        cond: Box<Expr>,
        then: Vec<TemplatePart>,
        otherwise: Vec<TemplatePart>,
        span: Span,
    },
    For {
        key_var: Option<Box<Ident>>,
        value_var: Box<Ident>,
        collection: Box<Expr>,
        body: Vec<TemplatePart>,
        span: Span,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
        }
    }
}

impl Expr {
    /// Calls `f` on every direct and indirect sub-expression, outermost first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Variable(_) => {}
            ExprKind::Template(t) => walk_parts(&t.parts, f),
            ExprKind::GetAttr { base, .. } => base.walk(f),
            ExprKind::Index { base, index } => {
                base.walk(f);
                index.walk(f);
            }
            ExprKind::Splat { base, steps, .. } => {
                base.walk(f);
                for s in steps {
                    if let SplatStep::Index(e) = s {
                        e.walk(f);
                    }
                }
            }
            ExprKind::Tuple(items) => items.iter().for_each(|e| e.walk(f)),
            ExprKind::Object(items) => {
                for item in items {
                    if let ObjectKey::Expr(k) = &item.key {
                        k.walk(f);
                    }
                    item.value.walk(f);
                }
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|e| e.walk(f)),
            ExprKind::Unary { expr, .. } | ExprKind::Paren(expr) => expr.walk(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::Conditional {
                cond,
                then,
                otherwise,
            } => {
                cond.walk(f);
                then.walk(f);
                otherwise.walk(f);
            }
            ExprKind::For(fe) => {
                fe.collection.walk(f);
                if let Some(k) = &fe.key {
                    k.walk(f);
                }
                fe.value.walk(f);
                if let Some(c) = &fe.cond {
                    c.walk(f);
                }
            }
        }
    }
}

fn walk_parts<'a>(parts: &'a [TemplatePart], f: &mut dyn FnMut(&'a Expr)) {
    for p in parts {
        match p {
            TemplatePart::Literal(..) => {}
            TemplatePart::Interp(e) => e.walk(f),
            TemplatePart::If {
                cond,
                then,
                otherwise,
                ..
            } => {
                cond.walk(f);
                walk_parts(then, f);
                walk_parts(otherwise, f);
            }
            TemplatePart::For {
                collection, body, ..
            } => {
                collection.walk(f);
                walk_parts(body, f);
            }
        }
    }
}
