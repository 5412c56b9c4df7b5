//! Evaluating a whole stack: declarations, evaluation order, resources and outputs.

use super::body::{self, attribute, blocks, check_names, eval_body};
use super::expr::{Context, EvalError, Evaluator, Globals, Scope};
use super::refs::{self, Reference};
use super::vars::{self, Declared, VarInputs};
use super::{
    Config, Dependency, DependencyKind, InstanceKey, Lifecycle, Output, ProviderBlock, Resource,
    ResourceHooks, StackSettings, VariableDecl, BLOCK_TYPES, RESOURCE_KINDS,
};
use crate::ast::{Block, Expr, ExprKind, Item};
use crate::diag::{code, Diagnostic};
use crate::source::{Sources, Span};
use crate::value::{Map, ResourceValue, Value, ValueKind};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// The meta-arguments every resource accepts; the evaluator handles them, not the schema.
pub const META_ARGUMENTS: &[&str] = &["count", "for_each", "depends_on", "lifecycle"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum NodeKind {
    Var,
    Local,
    Resource,
    Output,
}

struct Node<'a> {
    kind: NodeKind,
    key: String,
    /// The declaration: the block, or for locals the attribute.
    span: Span,
    refs: Vec<Reference>,
    block: Option<&'a Block>,
    local: Option<&'a Expr>,
    order: usize,
}

/// Evaluates the parsed files of one stack.
pub fn evaluate(
    mut sources: Sources,
    files: &[(crate::source::FileId, &crate::ast::File)],
    dir: &Path,
    default_name: &str,
    inputs: &VarInputs,
    hooks: &dyn ResourceHooks,
    diags: &mut Vec<Diagnostic>,
) -> Config {
    // ---- collect declarations ------------------------------------------------------------
    let mut stack_block: Option<&Block> = None;
    let mut var_blocks: Vec<(&Block, String)> = Vec::new();
    let mut locals: Vec<(&crate::ast::Attribute, usize)> = Vec::new();
    let mut outputs: Vec<(&Block, String)> = Vec::new();
    let mut providers: Vec<(&Block, String)> = Vec::new();
    let mut resources: Vec<(&Block, String, String)> = Vec::new();
    let mut seen: HashMap<String, Span> = HashMap::new();
    let mut dup = |key: String, span: Span, what: String, diags: &mut Vec<Diagnostic>| -> bool {
        if let Some(first) = seen.get(&key) {
            diags.push(
                Diagnostic::error(code::DUPLICATE, format!("{what} is declared twice"))
                    .at(span)
                    .with_label("declared again here")
                    .and_label(*first, "first declared here")
                    .with_help("names must be unique; rename or remove one of them"),
            );
            true
        } else {
            seen.insert(key, span);
            false
        }
    };
    let mut order = 0usize;
    for (_, file) in files {
        for item in &file.body.items {
            let b = match item {
                Item::Block(b) => b,
                Item::Attribute(a) => {
                    diags.push(
                        Diagnostic::error(code::UNKNOWN_ATTRIBUTE, format!("`{}` cannot be set at the top level of a stack", a.name.name))
                            .at(a.name.span)
                            .with_help("the top level holds blocks only; put values in a `locals` block, or in a `*.vars.hcl` file"),
                    );
                    continue;
                }
            };
            let ty = b.ty.name.as_str();
            if !BLOCK_TYPES.contains(&ty) {
                diags.push(
                    Diagnostic::error(code::UNKNOWN_BLOCK, format!("unknown block type `{ty}`"))
                        .at(b.ty.span)
                        .with_label("not a block type")
                        .with_help(format!("the block types are: {}", BLOCK_TYPES.join(", ")))
                        .did_you_mean(ty, BLOCK_TYPES.iter().copied()),
                );
                continue;
            }
            let want = match ty {
                "stack" => (0, 1),
                "locals" => (0, 0),
                _ => (1, 1),
            };
            if b.labels.len() < want.0 || b.labels.len() > want.1 {
                let msg = match (ty, want) {
                    ("locals", _) => "a `locals` block takes no label".to_string(),
                    ("stack", _) => "a `stack` block takes at most one label, its name".to_string(),
                    _ if b.labels.is_empty() => {
                        format!("a `{ty}` block needs a name: `{ty} \"NAME\" {{ … }}`")
                    }
                    _ => format!("a `{ty}` block takes exactly one label, its name"),
                };
                let at = b.labels.get(want.1).map_or(b.ty.span, |l| l.span);
                diags.push(
                    Diagnostic::error(code::SYNTAX, msg)
                        .at(at)
                        .with_help(format!(
                            "write `{}`",
                            match ty {
                                "locals" => "locals { name = value }".to_string(),
                                "stack" => "stack \"name\" { … }".to_string(),
                                _ => format!("{ty} \"name\" {{ … }}"),
                            }
                        )),
                );
                continue;
            }
            let label = b
                .labels
                .first()
                .map(|l| l.value.clone())
                .unwrap_or_default();
            let label_span = b.labels.first().map_or(b.ty.span, |l| l.span);
            if !b.labels.is_empty()
                && ty != "stack"
                && ty != "provider"
                && !crate::value::is_identifier(&label)
            {
                diags.push(
                    Diagnostic::error(code::SYNTAX, format!("`{label}` is not a valid name"))
                        .at(label_span)
                        .with_help("names start with a letter or `_` and hold letters, digits, `_` and `-`"),
                );
                continue;
            }
            match ty {
                "stack" => {
                    if let Some(first) = stack_block {
                        diags.push(
                            Diagnostic::error(
                                code::DUPLICATE,
                                "a stack has at most one `stack` block",
                            )
                            .at(b.ty.span)
                            .and_label(first.ty.span, "first declared here")
                            .with_help("merge the two blocks"),
                        );
                    } else {
                        stack_block = Some(b);
                    }
                }
                "variable" => {
                    if !dup(
                        format!("var.{label}"),
                        label_span,
                        format!("variable `{label}`"),
                        diags,
                    ) {
                        var_blocks.push((b, label));
                    }
                }
                "locals" => {
                    for inner in &b.body.items {
                        match inner {
                            Item::Attribute(a) => {
                                if !dup(format!("local.{}", a.name.name), a.name.span, format!("local value `{}`", a.name.name), diags) {
                                    locals.push((a, order));
                                    order += 1;
                                }
                            }
                            Item::Block(nb) => diags.push(
                                Diagnostic::error(code::UNKNOWN_BLOCK, "a `locals` block holds attributes only")
                                    .at(nb.ty.span)
                                    .with_help("write `name = value`; use an object `{ … }` for structured values"),
                            ),
                        }
                    }
                }
                "output" => {
                    if !dup(
                        format!("output.{label}"),
                        label_span,
                        format!("output `{label}`"),
                        diags,
                    ) {
                        outputs.push((b, label));
                    }
                }
                "provider" => {
                    const PROVIDERS: &[&str] = &["native", "docker", "swarm"];
                    if !PROVIDERS.contains(&label.as_str()) {
                        diags.push(
                            Diagnostic::error(
                                code::UNKNOWN_BLOCK,
                                format!("unknown provider `{label}`"),
                            )
                            .at(label_span)
                            .with_help("providers are native, docker and swarm")
                            .did_you_mean(&label, PROVIDERS.iter().copied()),
                        );
                    } else if !dup(
                        format!("provider.{label}"),
                        label_span,
                        format!("provider `{label}`"),
                        diags,
                    ) {
                        providers.push((b, label));
                    }
                }
                kind => {
                    if !dup(
                        format!("{kind}.{label}"),
                        label_span,
                        format!("{kind} `{label}`"),
                        diags,
                    ) {
                        resources.push((b, kind.to_string(), label));
                    }
                }
            }
        }
    }

    // ---- the stack's name ------------------------------------------------------------------
    let stack_name = match stack_block.and_then(|b| b.labels.first()) {
        Some(l) => {
            if !crate::value::is_identifier(&l.value) {
                diags.push(
                    Diagnostic::error(
                        code::SYNTAX,
                        format!("`{}` is not a valid stack name", l.value),
                    )
                    .at(l.span)
                    .with_help(
                        "a stack name starts with a letter and holds letters, digits, `_` and `-`",
                    ),
                );
            }
            l.value.clone()
        }
        None => default_name.to_string(),
    };

    // ---- variables ---------------------------------------------------------------------------
    let decls: Vec<Declared<'_>> = var_blocks
        .iter()
        .map(|(b, n)| vars::declare(b, n, dir, diags))
        .collect();
    let mut var_values = vars::resolve(&decls, inputs, &mut sources, dir, diags);
    let var_decls: BTreeMap<String, VariableDecl> = decls
        .iter()
        .map(|d| {
            (
                d.name.clone(),
                VariableDecl {
                    name: d.name.clone(),
                    description: d.description.clone(),
                    sensitive: d.sensitive,
                    span: d.block.span,
                },
            )
        })
        .collect();

    // ---- the dependency graph ---------------------------------------------------------------
    let mut nodes: Vec<Node<'_>> = Vec::new();
    for d in &decls {
        let mut r = Vec::new();
        for v in blocks(&d.block.body, "validation") {
            for a in ["condition", "error_message"] {
                if let Some(attr) = attribute(&v.body, a) {
                    refs::collect(&attr.expr, &mut r);
                }
            }
        }
        // A validation reads its own variable's raw value: that is not a dependency.
        r.retain(|x| !(x.root == "var" && x.name == d.name));
        nodes.push(Node {
            kind: NodeKind::Var,
            key: format!("var.{}", d.name),
            span: d.block.span,
            refs: r,
            block: Some(d.block),
            local: None,
            order: 0,
        });
    }
    for (a, o) in &locals {
        let mut r = Vec::new();
        refs::collect(&a.expr, &mut r);
        nodes.push(Node {
            kind: NodeKind::Local,
            key: format!("local.{}", a.name.name),
            span: a.name.span,
            refs: r,
            block: None,
            local: Some(&a.expr),
            order: *o,
        });
    }
    for (i, (b, kind, name)) in resources.iter().enumerate() {
        let mut r = Vec::new();
        collect_body_refs(&b.body, &mut r);
        nodes.push(Node {
            kind: NodeKind::Resource,
            key: format!("{kind}.{name}"),
            span: b.span,
            refs: r,
            block: Some(b),
            local: None,
            order: i,
        });
    }
    for (b, name) in &outputs {
        let mut r = Vec::new();
        collect_body_refs(&b.body, &mut r);
        nodes.push(Node {
            kind: NodeKind::Output,
            key: format!("output.{name}"),
            span: b.span,
            refs: r,
            block: Some(b),
            local: None,
            order: 0,
        });
    }
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.key.as_str(), i))
        .collect();
    let mut graph: DiGraph<usize, Span> = DiGraph::with_capacity(nodes.len(), nodes.len());
    let gi: Vec<NodeIndex> = (0..nodes.len()).map(|i| graph.add_node(i)).collect();
    for (i, n) in nodes.iter().enumerate() {
        let mut linked: HashSet<usize> = HashSet::new();
        for r in &n.refs {
            if let Some(&j) = index.get(r.key().as_str()) {
                if nodes[j].kind != NodeKind::Output && linked.insert(j) {
                    graph.add_edge(gi[i], gi[j], r.span);
                }
            }
        }
    }
    let mut poisoned: HashSet<String> = HashSet::new();
    let sccs = petgraph::algo::tarjan_scc(&graph);
    let mut eval_order: Vec<usize> = Vec::with_capacity(nodes.len());
    for scc in &sccs {
        let cyclic = scc.len() > 1 || graph.find_edge(scc[0], scc[0]).is_some();
        if cyclic {
            diags.push(cycle_diagnostic(&graph, scc, &nodes));
            for n in scc {
                poisoned.insert(nodes[graph[*n]].key.clone());
            }
        } else {
            eval_order.push(graph[scc[0]]);
        }
    }

    // ---- evaluate in order -------------------------------------------------------------------
    let declared: HashSet<String> = nodes.iter().map(|n| n.key.clone()).collect();
    let mut local_values: BTreeMap<String, Value> = BTreeMap::new();
    let mut resource_values: HashMap<String, HashMap<String, Value>> = HashMap::new();
    let mut instances: Vec<(usize, Vec<Resource>)> = Vec::new();
    let dir_str = dir;
    let mut pos = 0;
    while pos < eval_order.len() {
        let i = eval_order[pos];
        let node = &nodes[i];
        if node.kind == NodeKind::Resource {
            // A run of resources that do not refer to one another is evaluated as one batch,
            // on all cores when it is large (a stack of thousands of similar containers).
            let mut batch = vec![i];
            let mut members: HashSet<&str> = HashSet::from([node.key.as_str()]);
            let mut next = pos + 1;
            while let Some(&j) = eval_order.get(next) {
                let n = &nodes[j];
                if n.kind != NodeKind::Resource
                    || n.refs.iter().any(|r| members.contains(r.key().as_str()))
                {
                    break;
                }
                members.insert(n.key.as_str());
                batch.push(j);
                next += 1;
            }
            pos = next;
            let g = Globals {
                vars: &var_values,
                locals: &local_values,
                resources: &resource_values,
                declared: &declared,
                poisoned: &poisoned,
                stack_name: &stack_name,
                stack_dir: dir_str,
                context: Context::Full,
            };
            let results = evaluate_batch(&batch, &nodes, &g, &declared, hooks, dir);
            for (j, outcome, problems) in results {
                diags.extend(problems);
                let n = &nodes[j];
                let (kind, name) = n.key.split_once('.').unwrap_or(("", ""));
                match outcome {
                    Some((value, list)) => {
                        resource_values
                            .entry(kind.to_string())
                            .or_default()
                            .insert(name.to_string(), value);
                        instances.push((n.order, list));
                    }
                    None => {
                        poisoned.insert(n.key.clone());
                    }
                }
            }
            continue;
        }
        pos += 1;
        // Anything this node needs that failed makes it fail silently.
        if node.refs.iter().any(|r| poisoned.contains(&r.key())) && node.kind != NodeKind::Output {
            poisoned.insert(node.key.clone());
            continue;
        }
        match node.kind {
            NodeKind::Var => {
                let name = &node.key[4..];
                let Some(value) = var_values.get(name).cloned() else {
                    continue;
                };
                let g = Globals {
                    vars: &var_values,
                    locals: &local_values,
                    resources: &resource_values,
                    declared: &declared,
                    poisoned: &poisoned,
                    stack_name: &stack_name,
                    stack_dir: dir_str,
                    context: Context::Full,
                };
                let failed = node
                    .block
                    .is_some_and(|b| validate(b, name, &value, &g, diags));
                if failed {
                    var_values.remove(name);
                    poisoned.insert(node.key.clone());
                }
            }
            NodeKind::Local => {
                let g = Globals {
                    vars: &var_values,
                    locals: &local_values,
                    resources: &resource_values,
                    declared: &declared,
                    poisoned: &poisoned,
                    stack_name: &stack_name,
                    stack_dir: dir_str,
                    context: Context::Full,
                };
                let mut ev = Evaluator::new(&g);
                let result = node.local.map(|e| ev.eval(e, &Scope::default()));
                match result {
                    Some(Ok(v)) => {
                        local_values.insert(node.key[6..].to_string(), v.with_key_span(node.span));
                    }
                    Some(Err(e)) => {
                        if let EvalError::Diag(d) = e {
                            diags.push(*d);
                        }
                        poisoned.insert(node.key.clone());
                    }
                    None => {}
                }
            }
            // Evaluated in batches above.
            NodeKind::Resource => {}
            NodeKind::Output => {}
        }
    }

    // ---- outputs, stack settings, providers ------------------------------------------------
    let g = Globals {
        vars: &var_values,
        locals: &local_values,
        resources: &resource_values,
        declared: &declared,
        poisoned: &poisoned,
        stack_name: &stack_name,
        stack_dir: dir,
        context: Context::Full,
    };
    let mut output_values = BTreeMap::new();
    for (b, name) in &outputs {
        check_names(
            &b.body,
            &format!("output \"{name}\""),
            &["value", "description", "sensitive", "depends_on"],
            &[],
            diags,
        );
        diags.extend(body::duplicate_attributes(&b.body));
        if poisoned.contains(&format!("output.{name}")) {
            continue;
        }
        let mut ev = Evaluator::new(&g);
        let Some(value_attr) = attribute(&b.body, "value") else {
            diags.push(
                Diagnostic::error(
                    code::MISSING_ATTRIBUTE,
                    format!("output `{name}` has no `value`"),
                )
                .at(b.labels.first().map_or(b.ty.span, |l| l.span))
                .with_help("add `value = …`"),
            );
            continue;
        };
        let value = match ev.eval(&value_attr.expr, &Scope::default()) {
            Ok(v) => v,
            Err(e) => {
                if let EvalError::Diag(d) = e {
                    diags.push(*d);
                }
                continue;
            }
        };
        let description = attribute(&b.body, "description")
            .and_then(|a| ev.eval(&a.expr, &Scope::default()).ok())
            .and_then(|v| v.as_str().map(str::to_string));
        let sensitive_decl =
            attribute(&b.body, "sensitive").map(|a| ev.eval(&a.expr, &Scope::default()));
        let sensitive = match sensitive_decl {
            Some(Ok(v)) => match v.as_bool() {
                Some(b) => b,
                None => {
                    diags.push(
                        Diagnostic::error(code::TYPE, "`sensitive` must be true or false")
                            .at(v.span),
                    );
                    false
                }
            },
            Some(Err(EvalError::Diag(d))) => {
                diags.push(*d);
                false
            }
            _ => false,
        };
        let sensitive = sensitive || value.contains_sensitive();
        output_values.insert(
            name.clone(),
            Output {
                value: value.mark_sensitive(sensitive),
                description,
                sensitive,
                span: b.span,
            },
        );
    }

    let mut settings = StackSettings {
        name: stack_name.clone(),
        provider: None,
        labels: BTreeMap::new(),
        span: stack_block.map(|b| b.span),
    };
    if let Some(b) = stack_block {
        check_names(
            &b.body,
            "the `stack` block",
            &["provider", "labels"],
            &[],
            diags,
        );
        diags.extend(body::duplicate_attributes(&b.body));
        let mut ev = Evaluator::new(&g);
        if let Some(a) = attribute(&b.body, "provider") {
            match ev.eval(&a.expr, &Scope::default()) {
                Ok(v) => match v.as_str() {
                    Some(p @ ("native" | "docker" | "swarm")) => {
                        settings.provider = Some((p.to_string(), v.span))
                    }
                    _ => diags.push(
                        Diagnostic::error(
                            code::TYPE,
                            format!("unknown provider {}", super::expr::describe(&v)),
                        )
                        .at(v.span)
                        .with_help("the providers are \"native\", \"docker\" and \"swarm\"")
                        .did_you_mean(v.as_str().unwrap_or(""), ["native", "docker", "swarm"]),
                    ),
                },
                Err(EvalError::Diag(d)) => diags.push(*d),
                Err(EvalError::Silent) => {}
            }
        }
        if let Some(a) = attribute(&b.body, "labels") {
            match ev.eval(&a.expr, &Scope::default()) {
                Ok(v) => match v.as_map() {
                    Some(m) => {
                        for (k, x) in m.iter() {
                            match x.to_template_string() {
                                Some(s) => {
                                    settings.labels.insert(k.clone(), s);
                                }
                                None => diags.push(
                                    Diagnostic::error(
                                        code::TYPE,
                                        format!(
                                            "label `{k}` must be a string, found {}",
                                            x.type_name()
                                        ),
                                    )
                                    .at(x.span),
                                ),
                            }
                        }
                    }
                    None => diags.push(
                        Diagnostic::error(
                            code::TYPE,
                            format!("`labels` must be a map of strings, found {}", v.type_name()),
                        )
                        .at(v.span)
                        .with_help("write labels = { key = \"value\" }"),
                    ),
                },
                Err(EvalError::Diag(d)) => diags.push(*d),
                Err(EvalError::Silent) => {}
            }
        }
    }

    let mut provider_blocks = BTreeMap::new();
    for (b, name) in &providers {
        let mut ev = Evaluator::new(&g);
        if let Some(v) = eval_body(&mut ev, &b.body, &Scope::default(), &[], b.span, diags) {
            provider_blocks.insert(
                name.clone(),
                ProviderBlock {
                    name: name.clone(),
                    body: v,
                    span: b.span,
                },
            );
        }
    }

    instances.sort_by_key(|(o, _)| *o);
    Config {
        sources,
        dir: dir.to_path_buf(),
        stack: settings,
        variables: var_values,
        variable_decls: var_decls,
        locals: local_values,
        outputs: output_values,
        providers: provider_blocks,
        resources: instances.into_iter().flat_map(|(_, l)| l).collect(),
    }
}

type Evaluated = Option<(Value, Vec<Resource>)>;

/// Evaluates resources that do not refer to one another; on several threads when there are
/// many. Results come back in the batch's order, each with its own diagnostics.
fn evaluate_batch(
    batch: &[usize],
    nodes: &[Node<'_>],
    g: &Globals<'_>,
    declared: &HashSet<String>,
    hooks: &dyn ResourceHooks,
    dir: &Path,
) -> Vec<(usize, Evaluated, Vec<Diagnostic>)> {
    let one = |j: usize| -> (usize, Evaluated, Vec<Diagnostic>) {
        let n = &nodes[j];
        let mut problems = Vec::new();
        // Anything this resource needs that failed makes it fail silently.
        if n.refs.iter().any(|r| g.poisoned.contains(&r.key())) {
            return (j, None, problems);
        }
        let Some(b) = n.block else {
            return (j, None, problems);
        };
        let (kind, name) = n.key.split_once('.').unwrap_or(("", ""));
        let out = expand_resource(
            b,
            kind,
            name,
            g.stack_name,
            g,
            declared,
            hooks,
            dir,
            &mut problems,
        );
        (j, out, problems)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads <= 1 || batch.len() < 512 {
        return batch.iter().map(|&j| one(j)).collect();
    }
    let chunk = batch.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = batch
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|&j| one(j)).collect::<Vec<_>>()))
            .collect();
        let mut all = Vec::with_capacity(batch.len());
        for (h, part) in handles.into_iter().zip(batch.chunks(chunk)) {
            match h.join() {
                Ok(results) => all.extend(results),
                // A panic on a worker is a bug; evaluate that part again here so nothing is lost.
                Err(_) => all.extend(part.iter().map(|&j| one(j))),
            }
        }
        all
    })
}

fn collect_body_refs(body: &crate::ast::Body, out: &mut Vec<Reference>) {
    for item in &body.items {
        match item {
            Item::Attribute(a) => refs::collect(&a.expr, out),
            Item::Block(b) => collect_body_refs(&b.body, out),
        }
    }
}

fn cycle_diagnostic(
    graph: &DiGraph<usize, Span>,
    scc: &[NodeIndex],
    nodes: &[Node<'_>],
) -> Diagnostic {
    let members: HashSet<NodeIndex> = scc.iter().copied().collect();
    // Walk in-component edges from the first node until a node repeats: that is one cycle.
    let start = scc
        .iter()
        .copied()
        .min_by_key(|n| nodes[graph[*n]].span)
        .unwrap_or(scc[0]);
    let mut path: Vec<(NodeIndex, Span)> = Vec::new();
    let mut visited: HashSet<NodeIndex> = HashSet::new();
    let mut at = start;
    while visited.insert(at) {
        let Some(edge) = graph
            .edges(at)
            .filter(|e| members.contains(&petgraph::visit::EdgeRef::target(e)))
            .min_by_key(|e| *e.weight())
        else {
            break;
        };
        path.push((at, *edge.weight()));
        at = petgraph::visit::EdgeRef::target(&edge);
    }
    // Trim the lead-in before the repeated node.
    if let Some(pos) = path.iter().position(|(n, _)| *n == at) {
        path.drain(..pos);
    }
    let name = |n: NodeIndex| nodes[graph[n]].key.clone();
    let mut chain: Vec<String> = path.iter().map(|(n, _)| name(*n)).collect();
    if let Some(first) = chain.first().cloned() {
        chain.push(first);
    }
    let mut d = Diagnostic::error(
        code::CYCLE,
        format!("dependency cycle: {}", chain.join(" → ")),
    );
    for (i, (n, span)) in path.iter().enumerate() {
        let next = path
            .get(i + 1)
            .map_or_else(|| name(path[0].0), |(m, _)| name(*m));
        let msg = format!("{} refers to {next}", name(*n));
        if i == 0 {
            d = d.at(*span).with_label(msg);
        } else {
            d = d.and_label(*span, msg);
        }
    }
    d.with_help(
        "break the cycle: one of these values must not depend, directly or indirectly, on itself",
    )
}

/// Runs a variable's validations. Returns true when one failed.
fn validate(
    block: &Block,
    name: &str,
    value: &Value,
    g: &Globals<'_>,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let mut failed = false;
    for v in blocks(&block.body, "validation") {
        let (Some(cond), Some(msg)) = (
            attribute(&v.body, "condition"),
            attribute(&v.body, "error_message"),
        ) else {
            continue;
        };
        let mut vars = g.vars.clone();
        vars.insert(name.to_string(), value.clone());
        let g2 = Globals {
            vars: &vars,
            locals: g.locals,
            resources: g.resources,
            declared: g.declared,
            poisoned: g.poisoned,
            stack_name: g.stack_name,
            stack_dir: g.stack_dir,
            context: Context::Full,
        };
        let mut ev = Evaluator::new(&g2);
        match ev.eval(&cond.expr, &Scope::default()) {
            Ok(c) if c.is_unknown() => {}
            Ok(c) => match c.as_bool() {
                Some(true) => {}
                Some(false) => {
                    let message = match ev.eval(&msg.expr, &Scope::default()) {
                        // A message built from a sensitive value would print it.
                        Ok(m) if m.contains_sensitive() => "(sensitive)".to_string(),
                        Ok(m) => m
                            .to_template_string()
                            .unwrap_or_else(|| "the value is invalid".to_string()),
                        Err(_) => "the value is invalid".to_string(),
                    };
                    let shown = if value.contains_sensitive() {
                        "(sensitive)".to_string()
                    } else {
                        value.to_hcl(true)
                    };
                    let at = if value.span == Span::default() {
                        block.ty.span
                    } else {
                        value.span
                    };
                    diags.push(
                        Diagnostic::error(
                            code::VARIABLE,
                            format!("invalid value for variable `{name}`: {message}"),
                        )
                        .at(at)
                        .with_label(format!(
                            "the value is {}",
                            shown.lines().next().unwrap_or("")
                        ))
                        .and_label(cond.expr.span, "this condition is false")
                        .with_help("change the value so the condition holds"),
                    );
                    failed = true;
                }
                None => {
                    diags.push(
                        Diagnostic::error(
                            code::TYPE,
                            format!(
                                "a validation condition must be true or false, found {}",
                                c.type_name()
                            ),
                        )
                        .at(cond.expr.span)
                        .with_help("write a comparison, like `var.x > 0`"),
                    );
                    failed = true;
                }
            },
            Err(EvalError::Diag(d)) => {
                diags.push(*d);
                failed = true;
            }
            Err(EvalError::Silent) => failed = true,
        }
    }
    failed
}

/// Valid for a `for_each` key: it becomes part of runtime names.
fn valid_name_fragment(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 63
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && k.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

#[allow(clippy::too_many_arguments)]
fn expand_resource(
    b: &Block,
    kind: &str,
    name: &str,
    stack_name: &str,
    g: &Globals<'_>,
    declared: &HashSet<String>,
    hooks: &dyn ResourceHooks,
    dir: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Value, Vec<Resource>)> {
    let mut ev = Evaluator::new(g);
    let root = Scope::default();
    let count_attr = attribute(&b.body, "count");
    let each_attr = attribute(&b.body, "for_each");
    if let (Some(_), Some(e)) = (count_attr, each_attr) {
        diags.push(
            Diagnostic::error(
                code::TYPE,
                "a resource cannot have both `count` and `for_each`",
            )
            .at(e.name.span)
            .with_help("keep one of them"),
        );
        return None;
    }
    let label_span = b.labels.first().map_or(b.ty.span, |l| l.span);
    // The instances to make: key and the scope to evaluate each in.
    let mut keys: Vec<(InstanceKey, Scope)> = Vec::new();
    let mut shape = 0u8; // 0 single, 1 count, 2 for_each
    if let Some(c) = count_attr {
        shape = 1;
        let v = match ev.eval(&c.expr, &root) {
            Ok(v) => v,
            Err(e) => return fail(diags, e),
        };
        let n = match v.as_number() {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 10_000.0 => n as usize,
            _ => {
                diags.push(
                    Diagnostic::error(
                        code::TYPE,
                        format!(
                            "`count` must be a whole number from 0 to 10000, found {}",
                            super::expr::describe(&v)
                        ),
                    )
                    .at(v.span)
                    .with_help("write count = 3, or an expression that gives a whole number"),
                );
                return None;
            }
        };
        for i in 0..n {
            let mut m = Map::new();
            m.insert("index".into(), Value::number(i as f64, c.expr.span));
            keys.push((
                InstanceKey::Index(i),
                root.with("count", Value::object(m, c.expr.span)),
            ));
        }
    } else if let Some(fe) = each_attr {
        shape = 2;
        let v = match ev.eval(&fe.expr, &root) {
            Ok(v) => v,
            Err(e) => return fail(diags, e),
        };
        // Keys become addresses and runtime names, which are never secret.
        if v.contains_sensitive() {
            diags.push(
                Diagnostic::error(code::TYPE, "`for_each` cannot use a sensitive value")
                    .at(fe.expr.span)
                    .with_help("its keys become resource addresses and names, which are shown everywhere; iterate over something that is not sensitive"),
            );
            return None;
        }
        let pairs: Vec<(String, Value)> = if let Some(m) = v.as_map() {
            m.iter().map(|(k, x)| (k.clone(), x.clone())).collect()
        } else if let Some(items) = v.as_seq() {
            let mut out = Vec::new();
            for x in items {
                match x.as_str() {
                    Some(s) => out.push((s.to_string(), x.clone())),
                    None => {
                        diags.push(
                            Diagnostic::error(
                                code::TYPE,
                                format!(
                                    "`for_each` over a set needs strings, found {}",
                                    super::expr::describe(x)
                                ),
                            )
                            .at(fe.expr.span)
                            .with_help("use a set of strings, or a map keyed by name"),
                        );
                        return None;
                    }
                }
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out.dedup_by(|a, b| a.0 == b.0);
            out
        } else {
            diags.push(
                Diagnostic::error(
                    code::TYPE,
                    format!(
                        "`for_each` needs a map or a set of strings, found {}",
                        super::expr::describe(&v)
                    ),
                )
                .at(v.span)
                .with_help("write for_each = toset([\"a\", \"b\"]) or a map { a = …, b = … }"),
            );
            return None;
        };
        for (k, x) in pairs {
            if !valid_name_fragment(&k) {
                diags.push(
                    Diagnostic::error(code::TYPE, format!("the `for_each` key {} cannot be part of a name", crate::value::quote(&k)))
                        .at(fe.expr.span)
                        .with_help("keys must start with a letter or digit and hold only letters, digits, `_`, `-` and `.` (at most 63)"),
                );
                return None;
            }
            let mut m = Map::new();
            m.insert("key".into(), Value::string(k.as_str(), fe.expr.span));
            m.insert("value".into(), x);
            keys.push((
                InstanceKey::Key(k),
                root.with("each", Value::object(m, fe.expr.span)),
            ));
        }
    } else {
        keys.push((InstanceKey::None, root));
    }

    // Dependencies, declared once per block.
    let mut deps: Vec<Dependency> = Vec::new();
    let mut body_refs = Vec::new();
    for item in &b.body.items {
        match item {
            Item::Attribute(a) if a.name.name == "depends_on" => {}
            Item::Block(l) if l.ty.name == "lifecycle" => {}
            Item::Attribute(a) => refs::collect(&a.expr, &mut body_refs),
            Item::Block(nb) => collect_body_refs(&nb.body, &mut body_refs),
        }
    }
    for r in body_refs {
        if RESOURCE_KINDS.contains(&r.root.as_str()) && !deps.iter().any(|d| d.address == r.key()) {
            deps.push(Dependency {
                address: r.key(),
                span: r.span,
                kind: DependencyKind::Reference,
            });
        }
    }
    let mut ok = true;
    let mut meta = Map::new();
    if let Some(d) = attribute(&b.body, "depends_on") {
        let mut listed = Vec::new();
        for (addr, span) in static_addresses(&d.expr, "depends_on", declared, diags, &mut ok) {
            listed.push(Value::string(addr.as_str(), span));
            deps.push(Dependency {
                address: addr,
                span,
                kind: DependencyKind::DependsOn,
            });
        }
        meta.insert("depends_on".into(), Value::tuple(listed, d.expr.span));
    }
    let mut lifecycle = Lifecycle::default();
    let lifecycles: Vec<&Block> = blocks(&b.body, "lifecycle").collect();
    if lifecycles.len() > 1 {
        diags.push(
            Diagnostic::error(
                code::DUPLICATE,
                "a resource has at most one `lifecycle` block",
            )
            .at(lifecycles[1].ty.span)
            .with_help("merge them"),
        );
        ok = false;
    }
    if let Some(l) = lifecycles.first() {
        // The fields as written, for `stackc config`.
        let mut written = Map::new();
        check_names(
            &l.body,
            "the `lifecycle` block",
            &[
                "prevent_destroy",
                "create_before_destroy",
                "ignore_changes",
                "replace_triggered_by",
            ],
            &[],
            diags,
        );
        diags.extend(body::duplicate_attributes(&l.body));
        for (field, target) in [("prevent_destroy", 0), ("create_before_destroy", 1)] {
            if let Some(a) = attribute(&l.body, field) {
                match ev.eval(&a.expr, &Scope::default()) {
                    Ok(v) => match v.as_bool() {
                        Some(x) => {
                            if target == 0 {
                                lifecycle.prevent_destroy = x;
                            } else {
                                lifecycle.create_before_destroy = x;
                            }
                            written.insert(field.to_string(), Value::bool(x, v.span));
                        }
                        None => {
                            diags.push(
                                Diagnostic::error(
                                    code::TYPE,
                                    format!(
                                        "`{field}` must be true or false, found {}",
                                        super::expr::describe(&v)
                                    ),
                                )
                                .at(v.span),
                            );
                            ok = false;
                        }
                    },
                    Err(e) => {
                        fail::<()>(diags, e);
                        ok = false;
                    }
                }
            }
        }
        if let Some(a) = attribute(&l.body, "ignore_changes") {
            match ignore_paths(&a.expr, &mut ev) {
                Ok(paths) => {
                    let listed = paths
                        .iter()
                        .map(|(p, sp)| Value::string(p.as_str(), *sp))
                        .collect();
                    written.insert("ignore_changes".into(), Value::tuple(listed, a.expr.span));
                    lifecycle.ignore_changes = paths.into_iter().map(|(p, _)| p).collect();
                }
                Err(d) => {
                    diags.push(d);
                    ok = false;
                }
            }
        }
        if let Some(a) = attribute(&l.body, "replace_triggered_by") {
            for (addr, span) in
                static_addresses(&a.expr, "replace_triggered_by", declared, diags, &mut ok)
            {
                deps.push(Dependency {
                    address: addr.clone(),
                    span,
                    kind: DependencyKind::ReplaceTriggeredBy,
                });
                lifecycle.replace_triggered_by.push((addr, span));
            }
            let listed = lifecycle
                .replace_triggered_by
                .iter()
                .map(|(addr, span)| Value::string(addr.as_str(), *span))
                .collect();
            written.insert(
                "replace_triggered_by".into(),
                Value::tuple(listed, a.expr.span),
            );
        }
        meta.insert("lifecycle".into(), Value::object(written, l.span));
    }

    let mut list = Vec::with_capacity(keys.len());
    let mut readable: Vec<(InstanceKey, Value)> = Vec::with_capacity(keys.len());
    for (key, scope) in keys {
        let body = match eval_body(&mut ev, &b.body, &scope, META_ARGUMENTS, b.span, diags) {
            Some(v) => v,
            None => {
                ok = false;
                continue;
            }
        };
        let address = format!("{kind}.{name}{}", key.address_suffix());
        let runtime_name = match body
            .as_map()
            .and_then(|m| m.get("name"))
            .and_then(|v| v.as_str())
        {
            Some(n) => n.to_string(),
            None => format!("{stack_name}-{name}{}", key.name_suffix()),
        };
        let mut attrs: Map = body.as_map().cloned().unwrap_or_default();
        attrs.insert(
            "name".into(),
            Value::string(runtime_name.as_str(), label_span),
        );
        attrs.insert(
            "address".into(),
            Value::string(address.as_str(), label_span),
        );
        for (k, v) in hooks.computed(kind, &body, dir) {
            attrs.entry(k).or_insert(v);
        }
        let value = Value::new(
            ValueKind::Resource(Arc::new(ResourceValue {
                address: address.clone(),
                attrs,
            })),
            label_span,
        );
        readable.push((key.clone(), value));
        list.push(Resource {
            kind: kind.to_string(),
            name: name.to_string(),
            address,
            key,
            runtime_name,
            body,
            block_span: b.span,
            label_span,
            depends_on: deps.clone(),
            lifecycle: lifecycle.clone(),
            meta: meta.clone(),
        });
    }
    if !ok {
        return None;
    }
    let value = match shape {
        0 => readable
            .pop()
            .map(|(_, v)| v)
            .unwrap_or_else(|| Value::null(label_span)),
        1 => Value::tuple(readable.into_iter().map(|(_, v)| v).collect(), label_span),
        _ => Value::object(
            readable
                .into_iter()
                .map(|(k, v)| match k {
                    InstanceKey::Key(s) => (s, v),
                    other => (other.address_suffix(), v),
                })
                .collect(),
            label_span,
        ),
    };
    Some((value, list))
}

fn fail<T>(diags: &mut Vec<Diagnostic>, e: EvalError) -> Option<T> {
    if let EvalError::Diag(d) = e {
        diags.push(*d);
    }
    None
}

/// The resource addresses listed in `depends_on` or `replace_triggered_by`: written as
/// references (`container.db`, `service.api`), read without evaluating them.
fn static_addresses(
    expr: &Expr,
    what: &str,
    declared: &HashSet<String>,
    diags: &mut Vec<Diagnostic>,
    ok: &mut bool,
) -> Vec<(String, Span)> {
    let ExprKind::Tuple(items) = &expr.kind else {
        diags.push(
            Diagnostic::error(
                code::TYPE,
                format!("`{what}` must be a list of resource references"),
            )
            .at(expr.span)
            .with_help(format!("write {what} = [container.db, service.api]")),
        );
        *ok = false;
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let mut e = item;
        // `container.web[0]` names the block `container.web`.
        while let ExprKind::Index { base, .. } = &e.kind {
            e = base;
        }
        let addr = match &e.kind {
            ExprKind::GetAttr { base, name } => match &base.kind {
                ExprKind::Variable(root) if RESOURCE_KINDS.contains(&root.name.as_str()) => {
                    Some(format!("{}.{}", root.name, name.name))
                }
                _ => None,
            },
            _ => None,
        };
        match addr {
            Some(a) if declared.contains(&a) => out.push((a, item.span)),
            Some(a) => {
                let (kind, nm) = a.split_once('.').unwrap_or(("", ""));
                let names: Vec<&str> = declared
                    .iter()
                    .filter_map(|d| d.strip_prefix(kind).and_then(|r| r.strip_prefix('.')))
                    .collect();
                diags.push(
                    Diagnostic::error(
                        code::UNDEFINED,
                        format!("no {kind} named `{nm}` is declared"),
                    )
                    .at(item.span)
                    .with_help(format!("`{what}` lists resources of this stack"))
                    .did_you_mean(nm, names),
                );
                *ok = false;
            }
            None => {
                diags.push(
                    Diagnostic::error(
                        code::TYPE,
                        format!("`{what}` takes resource references like container.db"),
                    )
                    .at(item.span)
                    .with_help("write the resource's kind and name without quotes"),
                );
                *ok = false;
            }
        }
    }
    out
}

/// `ignore_changes = [env, resources.memory, "labels"]`: attribute paths, bare or quoted.
fn ignore_paths(expr: &Expr, ev: &mut Evaluator<'_>) -> Result<Vec<(String, Span)>, Diagnostic> {
    fn path(e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Variable(id) => Some(id.name.clone()),
            ExprKind::GetAttr { base, name } => Some(format!("{}.{}", path(base)?, name.name)),
            _ => None,
        }
    }
    let ExprKind::Tuple(items) = &expr.kind else {
        return Err(Diagnostic::error(
            code::TYPE,
            "`ignore_changes` must be a list of attribute names",
        )
        .at(expr.span)
        .with_help("write ignore_changes = [env, resources.memory]"));
    };
    let mut out = Vec::new();
    for item in items {
        if let Some(p) = path(item) {
            out.push((p, item.span));
            continue;
        }
        match ev.eval(item, &Scope::default()) {
            Ok(v) if v.as_str().is_some() => {
                out.push((v.as_str().unwrap_or_default().to_string(), item.span))
            }
            _ => {
                return Err(Diagnostic::error(
                    code::TYPE,
                    "`ignore_changes` entries are attribute names",
                )
                .at(item.span)
                .with_help("write the attribute's name, like env or resources.memory"))
            }
        }
    }
    Ok(out)
}
