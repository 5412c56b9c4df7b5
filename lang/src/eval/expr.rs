//! Expression evaluation.
//!
//! Evaluating an expression returns its value or the first error in it; errors in different
//! attributes and resources are collected by the callers, so one run reports many problems.
//! A reference to something that already failed yields [`EvalError::Silent`]: its error was
//! reported once, where it happened, and is not repeated at every use.

use crate::ast::{BinaryOp, Expr, ExprKind, ForExpr, ObjectKey, SplatStep, TemplatePart, UnaryOp};
use crate::diag::{code, Diagnostic};
use crate::funcs;
use crate::source::Span;
use crate::value::{format_number, Map, SeqKind, Value, ValueKind};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// How deep expressions may nest during evaluation before it is refused (a guard against
/// pathological input; real stacks stay far below it).
const MAX_DEPTH: usize = 256;

#[derive(Debug)]
pub enum EvalError {
    Diag(Box<Diagnostic>),
    /// The problem was already reported elsewhere.
    Silent,
}

impl From<Diagnostic> for EvalError {
    fn from(d: Diagnostic) -> Self {
        EvalError::Diag(Box::new(d))
    }
}

pub type EvalResult = Result<Value, EvalError>;

/// Which namespaces an expression may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Variable files and command-line values: literals and functions only.
    Constant,
    /// Variable validations: variables only.
    Validation,
    /// Locals, outputs, resources, provider and stack blocks.
    Full,
}

/// The global names an expression can see.
pub struct Globals<'a> {
    pub vars: &'a BTreeMap<String, Value>,
    pub locals: &'a BTreeMap<String, Value>,
    /// `kind` → `name` → value of the resource (an instance, a tuple or an object of instances).
    pub resources: &'a HashMap<String, HashMap<String, Value>>,
    /// Declared names (`var.x`, `local.y`, `container.z`), to tell "undefined" from "failed".
    pub declared: &'a HashSet<String>,
    /// Names whose evaluation failed.
    pub poisoned: &'a HashSet<String>,
    pub stack_name: &'a str,
    pub stack_dir: &'a Path,
    pub context: Context,
}

/// Local bindings: `for` variables, `count`, `each`.
#[derive(Default, Clone)]
pub struct Scope {
    bindings: Vec<(String, Value)>,
}

impl Scope {
    pub fn with(&self, name: &str, value: Value) -> Scope {
        let mut s = self.clone();
        s.bindings.push((name.to_string(), value));
        s
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.bindings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.bindings.iter().map(|(n, _)| n.as_str())
    }
}

pub struct Evaluator<'a> {
    pub globals: &'a Globals<'a>,
    depth: usize,
}

fn err(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code, message).at(span)
}

impl<'a> Evaluator<'a> {
    pub fn new(globals: &'a Globals<'a>) -> Self {
        Evaluator { globals, depth: 0 }
    }

    pub fn eval(&mut self, expr: &Expr, scope: &Scope) -> EvalResult {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return Err(
                err(code::EVAL, expr.span, "expression is nested too deeply")
                    .with_help(format!(
                        "split it into locals; at most {MAX_DEPTH} levels are allowed"
                    ))
                    .into(),
            );
        }
        let r = self.eval_inner(expr, scope);
        self.depth -= 1;
        r.map(|v| {
            if v.span == Span::default() {
                v.with_span(expr.span)
            } else {
                v
            }
        })
    }

    fn eval_inner(&mut self, expr: &Expr, scope: &Scope) -> EvalResult {
        let span = expr.span;
        Ok(match &expr.kind {
            ExprKind::Null => Value::null(span),
            ExprKind::Bool(b) => Value::bool(*b, span),
            ExprKind::Number(n) => Value::number(*n, span),
            ExprKind::Template(t) => {
                if let Some(lit) = t.as_literal() {
                    return Ok(Value::string(lit, span));
                }
                // `"${x}"` alone yields x itself, whatever its type (as in HCL).
                if let (false, [TemplatePart::Interp(e)]) = (t.heredoc, t.parts.as_slice()) {
                    return Ok(self.eval(e, scope)?.with_span(span));
                }
                let mut out = String::new();
                let mut sensitive = false;
                let mut unknown = false;
                self.template_parts(&t.parts, scope, &mut out, &mut sensitive, &mut unknown)?;
                if unknown {
                    return Ok(Value::unknown(span).mark_sensitive(sensitive));
                }
                Value::string(out, span).mark_sensitive(sensitive)
            }
            ExprKind::Variable(id) => return self.variable(&id.name, id.span, scope),
            ExprKind::GetAttr { base, name } => {
                if let ExprKind::Variable(root) = &base.kind {
                    if scope.get(&root.name).is_none() {
                        if let Some(v) =
                            self.namespaced(&root.name, &name.name, root.span.to(name.span), span)?
                        {
                            return Ok(v);
                        }
                    }
                }
                let b = self.eval(base, scope)?;
                get_attr(&b, &name.name, name.span, span)?
            }
            ExprKind::Index { base, index } => {
                let b = self.eval(base, scope)?;
                let i = self.eval(index, scope)?;
                index_value(&b, &i, span)?
            }
            ExprKind::Splat { base, full, steps } => {
                let b = self.eval(base, scope)?;
                self.splat(b, *full, steps, scope, span)?
            }
            ExprKind::Tuple(items) => {
                let mut out = Vec::with_capacity(items.len());
                for e in items {
                    out.push(self.eval(e, scope)?);
                }
                Value::tuple(out, span)
            }
            ExprKind::Object(items) => {
                let mut map = Map::new();
                let mut key_spans: HashMap<String, Span> = HashMap::new();
                for item in items {
                    let key = match &item.key {
                        ObjectKey::Ident(id) => id.name.clone(),
                        ObjectKey::Expr(e) => {
                            let k = self.eval(e, scope)?;
                            if k.is_unknown() {
                                return Ok(Value::unknown(span));
                            }
                            k.to_template_string().ok_or_else(|| {
                                err(
                                    code::TYPE,
                                    e.span,
                                    format!("object keys must be strings, found {}", k.type_name()),
                                )
                                .with_help("use a string, or convert the key with tostring()")
                            })?
                        }
                    };
                    let kspan = item.key.span();
                    if let Some(first) = key_spans.get(&key) {
                        return Err(err(
                            code::DUPLICATE,
                            kspan,
                            format!("duplicate object key `{key}`"),
                        )
                        .and_label(*first, "first set here")
                        .with_help("each key may appear once in an object")
                        .into());
                    }
                    key_spans.insert(key.clone(), kspan);
                    let v = self.eval(&item.value, scope)?.with_key_span(kspan);
                    map.insert(key, v);
                }
                Value::object(map, span)
            }
            ExprKind::Call {
                name,
                args,
                expand_final,
            } => return self.call(&name.name, name.span, args, *expand_final, scope, span),
            ExprKind::Unary { op, expr: inner } => {
                let v = self.eval(inner, scope)?;
                if v.is_unknown() {
                    return Ok(v);
                }
                let sensitive = v.sensitive;
                match op {
                    UnaryOp::Not => Value::bool(!to_bool(&v)?, span),
                    UnaryOp::Neg => Value::number(-to_number(&v)?, span),
                }
                .mark_sensitive(sensitive)
            }
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => return self.binary(*op, *op_span, lhs, rhs, scope, span),
            ExprKind::Conditional {
                cond,
                then,
                otherwise,
            } => {
                let c = self.eval(cond, scope)?;
                if c.is_unknown() {
                    return Ok(Value::unknown(span));
                }
                let b = to_bool(&c)?;
                let (chosen, other) = if b {
                    (then, otherwise)
                } else {
                    (otherwise, then)
                };
                let mut v = self.eval(chosen, scope)?;
                // HCL gives both results one type: a number or bool beside a string becomes a
                // string. Only the chosen result is required to evaluate; the other is looked
                // at for its type and its errors are ignored.
                if matches!(v.kind, ValueKind::Bool(_) | ValueKind::Number(_)) {
                    if let Ok(o) = self.eval(other, scope) {
                        if let (ValueKind::String(_), Some(text)) =
                            (&o.kind, v.to_template_string())
                        {
                            v = Value::string(text, v.span).mark_sensitive(v.sensitive);
                        }
                    }
                }
                v.mark_sensitive(c.sensitive)
            }
            ExprKind::For(f) => return self.for_expr(f, scope, span),
            ExprKind::Paren(e) => self.eval(e, scope)?.with_span(span),
        })
    }

    fn variable(&mut self, name: &str, span: Span, scope: &Scope) -> EvalResult {
        if let Some(v) = scope.get(name) {
            return Ok(v.clone().with_span(span));
        }
        let g = self.globals;
        match name {
            "var" | "local" | "path" | "count" | "each" => {
                return Err(err(
                    code::UNDEFINED,
                    span,
                    format!("`{name}` cannot be used on its own"),
                )
                .with_help(format!(
                    "refer to one of its attributes, like `{name}.{}`",
                    match name {
                        "var" | "local" => "name",
                        "path" => "stack",
                        "count" => "index",
                        _ => "key",
                    }
                ))
                .into())
            }
            "stack" => {
                return Err(
                    err(code::UNDEFINED, span, "`stack` cannot be used on its own")
                        .with_help("use `stack.name`")
                        .into(),
                )
            }
            _ => {}
        }
        if super::RESOURCE_KINDS.contains(&name) && g.context == Context::Full {
            // A whole kind as a value (`container`) is not a reference form.
            return Err(err(
                code::UNDEFINED,
                span,
                format!("`{name}` cannot be used on its own"),
            )
            .with_help(format!("refer to a resource: `{name}.NAME`"))
            .into());
        }
        let mut candidates: Vec<&str> = scope.names().collect();
        candidates.extend(["var", "local", "path", "stack", "count", "each"]);
        candidates.extend(super::RESOURCE_KINDS.iter().copied());
        Err(err(code::UNDEFINED, span, format!("unknown name `{name}`"))
            .with_label("not defined here")
            .with_help(
                "references start with var., local., a resource kind (image., container., …), count., each., path. or stack.; write text in quotes",
            )
            .did_you_mean(name, candidates)
            .into())
    }

    /// `var.x`, `local.y`, `container.web`, `count.index`, `path.stack`, `stack.name`.
    /// `None` when `root` is not a global namespace (then it is an ordinary attribute access).
    fn namespaced(
        &mut self,
        root: &str,
        name: &str,
        ref_span: Span,
        span: Span,
    ) -> Result<Option<Value>, EvalError> {
        let g = self.globals;
        let allowed = |ctx: Context| -> Result<(), EvalError> {
            if ctx == Context::Constant {
                return Err(err(code::EVAL, ref_span, format!("`{root}.{name}` cannot be used here"))
                    .with_help("variable files and command-line values must be constants: literals and function calls only")
                    .into());
            }
            Ok(())
        };
        let lookup = |map: &BTreeMap<String, Value>,
                      what: &str,
                      key: String|
         -> Result<Option<Value>, EvalError> {
            if let Some(v) = map.get(name) {
                return Ok(Some(v.clone().with_span(span)));
            }
            if g.poisoned.contains(&key) {
                return Err(EvalError::Silent);
            }
            if g.declared.contains(&key) {
                // Declared but not evaluated yet: evaluation order is the evaluator's job, so
                // this can only follow an earlier failure.
                return Err(EvalError::Silent);
            }
            Err(err(
                code::UNDEFINED,
                ref_span,
                format!("no {what} named `{name}` is declared"),
            )
            .with_label("not declared")
            .with_help(format!(
                "declare it, or check the spelling of `{root}.{name}`"
            ))
            .did_you_mean(
                name,
                map.keys().map(String::as_str).chain(
                    g.declared
                        .iter()
                        .filter_map(|d| d.strip_prefix(root).and_then(|r| r.strip_prefix('.'))),
                ),
            )
            .into())
        };
        match root {
            "var" => {
                allowed(g.context)?;
                lookup(g.vars, "variable", format!("var.{name}"))
            }
            "local" => {
                allowed(g.context)?;
                if g.context == Context::Validation {
                    // Locals are evaluated after variables; a validation that reads one would
                    // form a cycle through the variable.
                }
                lookup(g.locals, "local value", format!("local.{name}"))
            }
            "path" => {
                if name == "stack" {
                    Ok(Some(Value::string(g.stack_dir.display().to_string(), span)))
                } else {
                    Err(err(
                        code::UNDEFINED,
                        ref_span,
                        format!("`path.{name}` does not exist"),
                    )
                    .with_help("the only path value is `path.stack`, the stack directory")
                    .into())
                }
            }
            "stack" => {
                if name == "name" {
                    Ok(Some(Value::string(g.stack_name, span)))
                } else {
                    Err(err(
                        code::UNDEFINED,
                        ref_span,
                        format!("`stack.{name}` does not exist"),
                    )
                    .with_help("the only stack value is `stack.name`")
                    .into())
                }
            }
            "count" => Err(err(
                code::UNDEFINED,
                ref_span,
                format!("`count.{name}` is only available in a resource with `count`"),
            )
            .with_help("add `count = N` to the resource, or remove the reference")
            .into()),
            "each" => Err(err(
                code::UNDEFINED,
                ref_span,
                format!("`each.{name}` is only available in a resource with `for_each`"),
            )
            .with_help("add `for_each = …` to the resource, or remove the reference")
            .into()),
            kind if super::RESOURCE_KINDS.contains(&kind) => {
                allowed(g.context)?;
                let key = format!("{kind}.{name}");
                if let Some(v) = g.resources.get(kind).and_then(|m| m.get(name)) {
                    return Ok(Some(v.clone().with_span(span)));
                }
                if g.poisoned.contains(&key) || g.declared.contains(&key) {
                    return Err(EvalError::Silent);
                }
                let names: Vec<&str> = g
                    .declared
                    .iter()
                    .filter_map(|d| d.strip_prefix(kind).and_then(|r| r.strip_prefix('.')))
                    .collect();
                Err(err(
                    code::UNDEFINED,
                    ref_span,
                    format!("no {kind} named `{name}` is declared"),
                )
                .with_label("not declared")
                .with_help(format!(
                    "declare `{kind} \"{name}\" {{ … }}`, or check the name"
                ))
                .did_you_mean(name, names)
                .into())
            }
            _ => Ok(None),
        }
    }

    fn template_parts(
        &mut self,
        parts: &[TemplatePart],
        scope: &Scope,
        out: &mut String,
        sensitive: &mut bool,
        unknown: &mut bool,
    ) -> Result<(), EvalError> {
        for p in parts {
            match p {
                TemplatePart::Literal(s, _) => out.push_str(s),
                TemplatePart::Interp(e) => {
                    let v = self.eval(e, scope)?;
                    *sensitive |= v.contains_sensitive();
                    if v.is_unknown() {
                        *unknown = true;
                        continue;
                    }
                    match v.to_template_string() {
                        Some(s) => out.push_str(&s),
                        None => {
                            let help = match v.kind {
                                ValueKind::Null => "a null value cannot be part of a string; use a conditional or coalesce() to give a default",
                                _ => "convert it to a string first, for example with join(), jsonencode() or tostring()",
                            };
                            return Err(err(
                                code::TYPE,
                                e.span,
                                format!(
                                    "cannot include {} {} in a string template",
                                    article(v.type_name()),
                                    v.type_name()
                                ),
                            )
                            .with_help(help)
                            .into());
                        }
                    }
                }
                TemplatePart::If {
                    cond,
                    then,
                    otherwise,
                    ..
                } => {
                    let c = self.eval(cond, scope)?;
                    *sensitive |= c.sensitive;
                    if c.is_unknown() {
                        *unknown = true;
                        continue;
                    }
                    if to_bool(&c)? {
                        self.template_parts(then, scope, out, sensitive, unknown)?;
                    } else {
                        self.template_parts(otherwise, scope, out, sensitive, unknown)?;
                    }
                }
                TemplatePart::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                    ..
                } => {
                    let c = self.eval(collection, scope)?;
                    *sensitive |= c.sensitive;
                    if c.is_unknown() {
                        *unknown = true;
                        continue;
                    }
                    for (k, v) in iterate(&c, collection.span)? {
                        let mut inner = scope.clone();
                        if let Some(kv) = key_var {
                            inner = inner.with(&kv.name, k);
                        }
                        inner = inner.with(&value_var.name, v);
                        self.template_parts(body, &inner, out, sensitive, unknown)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn splat(
        &mut self,
        base: Value,
        full: bool,
        steps: &[SplatStep],
        scope: &Scope,
        span: Span,
    ) -> EvalResult {
        if base.is_unknown() {
            return Ok(base);
        }
        let items: Vec<Value> = match (&base.kind, base.as_seq()) {
            (ValueKind::Null, _) => Vec::new(),
            (_, Some(items)) => items.to_vec(),
            _ if full || !steps.is_empty() => vec![base.clone()],
            _ => vec![base.clone()],
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let mut v = item;
            for step in steps {
                v = match step {
                    SplatStep::Attr(id) => get_attr(&v, &id.name, id.span, span)?,
                    SplatStep::Index(e) => {
                        let i = self.eval(e, scope)?;
                        index_value(&v, &i, span)?
                    }
                };
            }
            out.push(v);
        }
        Ok(Value::tuple(out, span).mark_sensitive(base.sensitive))
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        lhs: &Expr,
        rhs: &Expr,
        scope: &Scope,
        span: Span,
    ) -> EvalResult {
        let l = self.eval(lhs, scope)?;
        // `&&` and `||` stop early, so `var.x != null && var.x.y > 1` works.
        if matches!(op, BinaryOp::And | BinaryOp::Or) && !l.is_unknown() {
            let lb = to_bool(&l)?;
            if (op == BinaryOp::And && !lb) || (op == BinaryOp::Or && lb) {
                return Ok(Value::bool(lb, span).mark_sensitive(l.sensitive));
            }
            let r = self.eval(rhs, scope)?;
            if r.is_unknown() {
                return Ok(Value::unknown(span));
            }
            return Ok(Value::bool(to_bool(&r)?, span).mark_sensitive(l.sensitive || r.sensitive));
        }
        let r = self.eval(rhs, scope)?;
        let sensitive = l.contains_sensitive() || r.contains_sensitive();
        if matches!(op, BinaryOp::Eq | BinaryOp::NotEq) {
            if l.contains_unknown() || r.contains_unknown() {
                return Ok(Value::unknown(span));
            }
            let eq = l == r;
            return Ok(Value::bool(if op == BinaryOp::Eq { eq } else { !eq }, span)
                .mark_sensitive(sensitive));
        }
        if l.is_unknown() || r.is_unknown() {
            return Ok(Value::unknown(span).mark_sensitive(sensitive));
        }
        let a = to_number(&l)?;
        let b = to_number(&r)?;
        let v = match op {
            BinaryOp::Add => Value::number(a + b, span),
            BinaryOp::Sub => Value::number(a - b, span),
            BinaryOp::Mul => Value::number(a * b, span),
            BinaryOp::Div | BinaryOp::Mod => {
                if b == 0.0 {
                    return Err(err(
                        code::EVAL,
                        rhs.span,
                        if op == BinaryOp::Div {
                            "division by zero"
                        } else {
                            "modulo by zero"
                        },
                    )
                    .and_label(op_span, "in this operation")
                    .with_help("make sure the divisor is never 0, for example with a conditional")
                    .into());
                }
                if op == BinaryOp::Div {
                    Value::number(a / b, span)
                } else {
                    Value::number(a % b, span)
                }
            }
            BinaryOp::Lt => Value::bool(a < b, span),
            BinaryOp::LtEq => Value::bool(a <= b, span),
            BinaryOp::Gt => Value::bool(a > b, span),
            BinaryOp::GtEq => Value::bool(a >= b, span),
            BinaryOp::And | BinaryOp::Or | BinaryOp::Eq | BinaryOp::NotEq => {
                Value::bool(false, span)
            }
        };
        if let Some(n) = v.as_number() {
            if !n.is_finite() {
                return Err(err(
                    code::EVAL,
                    span,
                    "the result of this arithmetic is not a finite number",
                )
                .with_help("numbers must stay within the range of a 64-bit float")
                .into());
            }
        }
        Ok(v.mark_sensitive(sensitive))
    }

    fn for_expr(&mut self, f: &ForExpr, scope: &Scope, span: Span) -> EvalResult {
        let coll = self.eval(&f.collection, scope)?;
        if coll.is_unknown() {
            return Ok(Value::unknown(span));
        }
        let pairs = iterate(&coll, f.collection.span)?;
        let sensitive = coll.sensitive;
        let mut tuple = Vec::new();
        let mut object: Map = Map::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, v) in pairs {
            let mut inner = scope.clone();
            if let Some(kv) = &f.key_var {
                inner = inner.with(&kv.name, k);
            }
            inner = inner.with(&f.value_var.name, v);
            if let Some(c) = &f.cond {
                let cv = self.eval(c, &inner)?;
                if cv.is_unknown() {
                    return Ok(Value::unknown(span));
                }
                if !to_bool(&cv)? {
                    continue;
                }
            }
            let value = self.eval(&f.value, &inner)?;
            match &f.key {
                None => tuple.push(value),
                Some(ke) => {
                    let kv = self.eval(ke, &inner)?;
                    if kv.is_unknown() {
                        return Ok(Value::unknown(span));
                    }
                    let key = kv.to_template_string().ok_or_else(|| {
                        err(
                            code::TYPE,
                            ke.span,
                            format!(
                                "the key of an object `for` must be a string, found {}",
                                kv.type_name()
                            ),
                        )
                        .with_help("convert it with tostring()")
                    })?;
                    if f.group {
                        groups.entry(key).or_default().push(value);
                    } else {
                        if object.contains_key(&key) {
                            return Err(err(code::EVAL, ke.span, format!("duplicate key `{key}` in the object `for` expression"))
                                .with_help("make the keys unique, or add `...` after the value to group values by key")
                                .into());
                        }
                        object.insert(key, value);
                    }
                }
            }
        }
        Ok(match &f.key {
            None => Value::tuple(tuple, span),
            Some(_) if f.group => Value::object(
                groups
                    .into_iter()
                    .map(|(k, vs)| (k, Value::tuple(vs, span)))
                    .collect(),
                span,
            ),
            Some(_) => Value::object(object, span),
        }
        .mark_sensitive(sensitive))
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        args: &[Expr],
        expand: bool,
        scope: &Scope,
        span: Span,
    ) -> EvalResult {
        let Some(spec) = funcs::lookup(name) else {
            return Err(err(
                code::FUNCTION,
                name_span,
                format!("unknown function `{name}`"),
            )
            .with_label("no such function")
            .with_help("see the list of functions in docs/language.md")
            .did_you_mean(name, funcs::FUNCTIONS.iter().map(|f| f.name))
            .into());
        };
        // `try` and `can` look at their arguments' errors, so they evaluate them themselves.
        if name == "try" || name == "can" {
            return self.try_can(name, args, scope, span);
        }
        let mut values = Vec::with_capacity(args.len());
        let mut spans = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            let v = self.eval(a, scope)?;
            if expand && i + 1 == args.len() {
                if v.is_unknown() {
                    return Ok(Value::unknown(span));
                }
                let Some(items) = v.as_seq() else {
                    return Err(err(
                        code::FUNCTION,
                        a.span,
                        format!("`...` expands a list or tuple, found {}", v.type_name()),
                    )
                    .with_help("remove `...`, or pass a list")
                    .into());
                };
                for item in items {
                    values.push(item.clone().mark_sensitive(v.sensitive));
                    spans.push(a.span);
                }
            } else {
                values.push(v);
                spans.push(a.span);
            }
        }
        let n = values.len();
        if n < spec.min_args || spec.max_args.is_some_and(|m| n > m) {
            let expected = match spec.max_args {
                Some(m) if m == spec.min_args => format!("{m}"),
                Some(m) => format!("{} to {m}", spec.min_args),
                None => format!("at least {}", spec.min_args),
            };
            return Err(err(
                code::FUNCTION,
                span,
                format!(
                    "{name}() takes {expected} argument{}, got {n}",
                    if spec.min_args == 1 && matches!(spec.max_args, Some(1) | None) {
                        ""
                    } else {
                        "s"
                    }
                ),
            )
            .with_help(format!("call it as {}", spec.signature))
            .into());
        }
        let sensitive = values.iter().any(Value::contains_sensitive);
        if values.iter().any(Value::contains_unknown) {
            return Ok(Value::unknown(span).mark_sensitive(sensitive));
        }
        let render =
            |text: &str, path: &Path, vars: &Value| render_template(self.globals, text, path, vars);
        let ctx = funcs::FuncCtx {
            stack_dir: self.globals.stack_dir,
            call_span: span,
            arg_spans: &spans,
            render_template: &render,
        };
        match funcs::call(name, &values, &ctx) {
            Ok(v) => Ok(v.with_span(span).mark_sensitive(sensitive)),
            Err(e) => {
                let at = e.arg.and_then(|i| spans.get(i).copied()).unwrap_or(span);
                // Messages of the functions may already name the function.
                let message = if e.message.starts_with(&format!("{name}(")) {
                    e.message.clone()
                } else {
                    format!("{name}(): {}", e.message)
                };
                let mut d = err(code::FUNCTION, at, message);
                if at != span {
                    d = d.and_label(name_span, "in this call");
                }
                d = d.with_help(
                    e.help
                        .unwrap_or_else(|| format!("{}: {}", spec.signature, spec.summary)),
                );
                Err(d.into())
            }
        }
    }

    fn try_can(&mut self, name: &str, args: &[Expr], scope: &Scope, span: Span) -> EvalResult {
        if name == "can" {
            if args.len() != 1 {
                return Err(err(
                    code::FUNCTION,
                    span,
                    format!("can() takes 1 argument, got {}", args.len()),
                )
                .with_help("call it as can(expression)")
                .into());
            }
            return Ok(match self.eval(&args[0], scope) {
                Ok(v) if v.is_unknown() => Value::unknown(span),
                Ok(_) => Value::bool(true, span),
                Err(EvalError::Silent) => return Err(EvalError::Silent),
                Err(EvalError::Diag(d)) if is_static_error(&d) => return Err(EvalError::Diag(d)),
                Err(_) => Value::bool(false, span),
            });
        }
        if args.is_empty() {
            return Err(
                err(code::FUNCTION, span, "try() needs at least one argument")
                    .with_help("call it as try(expression, fallback)")
                    .into(),
            );
        }
        let mut last = None;
        for a in args {
            match self.eval(a, scope) {
                Ok(v) => return Ok(v),
                Err(EvalError::Silent) => return Err(EvalError::Silent),
                Err(EvalError::Diag(d)) if is_static_error(&d) => return Err(EvalError::Diag(d)),
                Err(e) => last = Some(e),
            }
        }
        match last {
            Some(EvalError::Diag(d)) => Err(err(
                code::FUNCTION,
                span,
                "try(): no argument could be evaluated",
            )
            .with_help(format!("the last error was: {}", d.message))
            .into()),
            _ => Err(EvalError::Silent),
        }
    }
}

/// Errors that `try` and `can` do not catch: mistakes in the text itself, like Terraform's
/// rule that `try` only handles dynamic errors.
fn is_static_error(d: &Diagnostic) -> bool {
    d.code == code::UNDEFINED
        && (d.message.starts_with("no ") || d.message.starts_with("unknown name"))
        || d.message.starts_with("unknown function")
}

/// Renders a template file's text with `vars` (for `templatefile`).
fn render_template(
    globals: &Globals<'_>,
    text: &str,
    path: &Path,
    vars: &Value,
) -> Result<Value, String> {
    let template =
        crate::parser::parse_template(crate::source::FileId(u32::MAX), text).map_err(|diags| {
            let first = diags.first().map(|d| d.message.clone()).unwrap_or_default();
            format!("{} does not parse as a template: {first}", path.display())
        })?;
    let Some(map) = vars.as_map() else {
        return Err(format!(
            "the variables of a template must be an object, found {}",
            vars.type_name()
        ));
    };
    let mut scope = Scope::default();
    for (k, v) in map.iter() {
        scope = scope.with(k, v.clone());
    }
    // Templates see only their variables and functions, as in Terraform.
    let empty_vars = BTreeMap::new();
    let empty_res = HashMap::new();
    let empty_set = HashSet::new();
    let g = Globals {
        vars: &empty_vars,
        locals: &empty_vars,
        resources: &empty_res,
        declared: &empty_set,
        poisoned: &empty_set,
        stack_name: globals.stack_name,
        stack_dir: globals.stack_dir,
        context: Context::Constant,
    };
    let mut ev = Evaluator::new(&g);
    let expr = Expr {
        kind: ExprKind::Template(template),
        span: Span::default(),
    };
    match ev.eval(&expr, &scope) {
        Ok(v) => Ok(v),
        Err(EvalError::Diag(d)) => Err(format!("in template {}: {}", path.display(), d.message)),
        Err(EvalError::Silent) => Err(format!("in template {}: evaluation failed", path.display())),
    }
}

/// The (key, value) pairs a `for` iterates: index/element for sequences, key/value for maps.
pub fn iterate(v: &Value, span: Span) -> Result<Vec<(Value, Value)>, EvalError> {
    if let Some(items) = v.as_seq() {
        return Ok(items
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let key = if v.seq_kind() == Some(SeqKind::Set) {
                    x.clone()
                } else {
                    Value::number(i as f64, span)
                };
                (key, x.clone().mark_sensitive(v.sensitive))
            })
            .collect());
    }
    if let Some(map) = v.as_map() {
        return Ok(map
            .iter()
            .map(|(k, x)| {
                (
                    Value::string(k.as_str(), x.key_span),
                    x.clone().mark_sensitive(v.sensitive),
                )
            })
            .collect());
    }
    Err(err(
        code::TYPE,
        span,
        format!("cannot iterate over a {}", v.type_name()),
    )
    .with_help("a `for` needs a list, set, tuple, map or object")
    .into())
}

/// A value as a bool, with HCL's conversion of "true"/"false" strings.
pub fn to_bool(v: &Value) -> Result<bool, EvalError> {
    match &v.kind {
        ValueKind::Bool(b) => Ok(*b),
        ValueKind::String(s) if &**s == "true" => Ok(true),
        ValueKind::String(s) if &**s == "false" => Ok(false),
        _ => Err(err(
            code::TYPE,
            v.span,
            format!("expected a bool, found {}", describe(v)),
        )
        .with_help("use a comparison (==, <, …) or true/false")
        .into()),
    }
}

/// A value as a number, with HCL's conversion of numeric strings.
pub fn to_number(v: &Value) -> Result<f64, EvalError> {
    match &v.kind {
        ValueKind::Number(n) => Ok(*n),
        ValueKind::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| {
                err(
                    code::TYPE,
                    v.span,
                    format!("expected a number, found {}", describe(v)),
                )
                .with_help("arithmetic needs numbers; convert text with tonumber() if it holds one")
                .into()
            }),
        _ => Err(err(
            code::TYPE,
            v.span,
            format!("expected a number, found {}", describe(v)),
        )
        .with_help("arithmetic and comparisons need numbers")
        .into()),
    }
}

/// A short description of a value for messages: `string "abc"`, `number 3`, `list of 2`.
pub fn describe(v: &Value) -> String {
    if v.sensitive {
        return format!("{} (sensitive)", v.type_name());
    }
    match &v.kind {
        ValueKind::String(s) => {
            let short: String = s.chars().take(40).collect();
            format!("string {}", crate::value::quote(&short))
        }
        ValueKind::Number(n) => format!("number {}", format_number(*n)),
        ValueKind::Bool(b) => format!("bool {b}"),
        ValueKind::Null => "null".into(),
        ValueKind::Seq(_, items) => format!(
            "{} of {} element{}",
            v.type_name(),
            items.len(),
            if items.len() == 1 { "" } else { "s" }
        ),
        ValueKind::Map(..) => v.type_name().to_string(),
        ValueKind::Resource(r) => format!("resource {}", r.address),
        ValueKind::Unknown => "a value known only after apply".into(),
    }
}

pub fn get_attr(base: &Value, name: &str, name_span: Span, span: Span) -> EvalResult {
    if base.is_unknown() {
        return Ok(Value::unknown(span));
    }
    match &base.kind {
        ValueKind::Null => Err(err(
            code::EVAL,
            name_span,
            format!("cannot read attribute `{name}` of a null value"),
        )
        .with_help("check for null first, for example `x != null ? x.attr : default`, or use try()")
        .into()),
        ValueKind::Map(..) | ValueKind::Resource(_) => {
            let map = base.as_map().map(|m| m as &Map);
            match map.and_then(|m| m.get(name)) {
                Some(v) => Ok(v.clone().mark_sensitive(base.sensitive)),
                None => {
                    let what = match &base.kind {
                        ValueKind::Resource(r) => {
                            format!("{} has no attribute `{name}`", r.address)
                        }
                        _ => format!("this {} has no attribute `{name}`", base.type_name()),
                    };
                    let keys: Vec<&str> = map
                        .map(|m| m.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let mut d = err(code::EVAL, name_span, what).with_label("no such attribute");
                    d = if keys.is_empty() {
                        d.with_help("it has no attributes")
                    } else {
                        let shown: Vec<&str> = keys.iter().take(12).copied().collect();
                        d.with_help(format!("its attributes are: {}", shown.join(", ")))
                    };
                    Err(d.did_you_mean(name, keys.iter().copied()).into())
                }
            }
        }
        ValueKind::Seq(..) => Err(err(
            code::EVAL,
            name_span,
            format!("cannot read attribute `{name}` of a {}", base.type_name()),
        )
        .with_help(format!(
            "pick one element first (`[0].{name}`) or all of them with a splat (`[*].{name}`)"
        ))
        .into()),
        _ => Err(err(
            code::EVAL,
            name_span,
            format!("cannot read attribute `{name}` of {}", describe(base)),
        )
        .with_help("only objects, maps and resources have attributes")
        .into()),
    }
}

pub fn index_value(base: &Value, index: &Value, span: Span) -> EvalResult {
    if base.is_unknown() || index.is_unknown() {
        return Ok(Value::unknown(span));
    }
    let sensitive = base.sensitive || index.sensitive;
    if let Some(items) = base.as_seq() {
        if base.seq_kind() == Some(SeqKind::Set) {
            return Err(err(
                code::EVAL,
                index.span,
                "elements of a set cannot be indexed",
            )
            .with_help("convert it with tolist() first, or iterate it with a `for` expression")
            .into());
        }
        let n = to_number(index)?;
        if n.fract() != 0.0 || n < 0.0 {
            return Err(err(
                code::EVAL,
                index.span,
                format!(
                    "a list index must be a whole number ≥ 0, found {}",
                    format_number(n)
                ),
            )
            .with_help("use 0, 1, 2, …")
            .into());
        }
        return match items.get(n as usize) {
            Some(v) => Ok(v.clone().mark_sensitive(sensitive)),
            // Neither the index nor the length may tell anything about a sensitive value.
            None if sensitive => Err(err(
                code::EVAL,
                index.span,
                format!("index out of range for a {} (sensitive)", base.type_name()),
            )
            .with_help("check the index against length() first")
            .into()),
            None => Err(err(
                code::EVAL,
                index.span,
                format!(
                    "index {} out of range for a {} of length {}",
                    format_number(n),
                    base.type_name(),
                    items.len()
                ),
            )
            .with_help(if items.is_empty() {
                "the list is empty".to_string()
            } else {
                format!("valid indexes are 0 to {}", items.len() - 1)
            })
            .into()),
        };
    }
    if let Some(map) = base.as_map() {
        let Some(key) = index.to_template_string() else {
            return Err(err(
                code::TYPE,
                index.span,
                format!("a map key must be a string, found {}", index.type_name()),
            )
            .with_help("use a string key like [\"name\"]")
            .into());
        };
        return match map.get(&key) {
            Some(v) => Ok(v.clone().mark_sensitive(sensitive)),
            None if sensitive => Err(err(
                code::EVAL,
                index.span,
                format!(
                    "the key does not exist in this {} (sensitive)",
                    base.type_name()
                ),
            )
            .with_help("use lookup(map, key, default) or try() when the key may be missing")
            .into()),
            None => Err(err(
                code::EVAL,
                index.span,
                format!(
                    "key {} does not exist in this {}",
                    crate::value::quote(&key),
                    base.type_name()
                ),
            )
            .with_help("use lookup(map, key, default) or try() when the key may be missing")
            .did_you_mean(&key, map.keys().map(String::as_str))
            .into()),
        };
    }
    if base.is_null() {
        return Err(err(code::EVAL, span, "cannot index a null value")
            .with_help("check for null first, or use try()")
            .into());
    }
    Err(
        err(code::EVAL, span, format!("cannot index {}", describe(base)))
            .with_help("only lists, tuples, maps and objects can be indexed")
            .into(),
    )
}

/// "a" or "an" before a type name.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}
