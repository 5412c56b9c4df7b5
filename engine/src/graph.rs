//! The dependency graph of resource *instances* (ARCHITECTURE.md "The flow of one apply").
//!
//! The language records dependencies per instance but names their targets by *block*
//! (`image.app`), because `count`/`for_each` decide only at evaluation time how many instances
//! a block has. Here a block address is expanded to every instance of that block, so the
//! executor can order work per instance. An edge goes from the dependant to its dependency
//! (`container.web → image.app`), as in `depends_on`.
//!
//! The language already rejects cycles between resources, but the executor would wait forever
//! on one, so [`ResourceGraph::from_nodes`] checks again and names the cycle.

use crate::model::DesiredStack;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use stackc_lang::eval::DependencyKind;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

/// Why one instance depends on another.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// An expression in the body refers to it.
    Reference,
    /// Listed in `depends_on`.
    DependsOn,
    /// Listed in `lifecycle.replace_triggered_by`.
    ReplaceTriggeredBy,
}

impl EdgeKind {
    /// The attribute that made the edge, as a user writes it; `None` for plain references,
    /// which need no explanation in a picture.
    pub fn label(self) -> Option<&'static str> {
        match self {
            EdgeKind::Reference => None,
            EdgeKind::DependsOn => Some("depends_on"),
            EdgeKind::ReplaceTriggeredBy => Some("replace_triggered_by"),
        }
    }
}

impl From<DependencyKind> for EdgeKind {
    fn from(k: DependencyKind) -> EdgeKind {
        match k {
            DependencyKind::Reference => EdgeKind::Reference,
            DependencyKind::DependsOn => EdgeKind::DependsOn,
            DependencyKind::ReplaceTriggeredBy => EdgeKind::ReplaceTriggeredBy,
        }
    }
}

/// One instance and what it depends on, the input of [`ResourceGraph::from_nodes`]. Targets
/// are block addresses (`image.app`, expanded to every instance) or instance addresses
/// (`image.app[0]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub address: String,
    pub depends_on: Vec<(String, EdgeKind)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// The addresses along the cycle, the first repeated at the end.
    #[error("dependency cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    #[error("resource instance `{0}` is declared twice")]
    DuplicateInstance(String),
}

/// A directed acyclic graph of resource instances; edges point from dependant to dependency
/// and carry every reason for the dependency (a body may both refer to a block and list it in
/// `depends_on`).
#[derive(Clone, Debug)]
pub struct ResourceGraph {
    name: String,
    graph: DiGraph<String, Vec<EdgeKind>>,
    index: HashMap<String, NodeIndex>,
    /// Dependencies first; among independent instances, the order of the files.
    order: Vec<NodeIndex>,
}

impl ResourceGraph {
    /// The graph of every instance of `stack`.
    pub fn build(stack: &DesiredStack) -> Result<ResourceGraph, GraphError> {
        let nodes = stack.resources.iter().map(|r| Node {
            address: r.address.clone(),
            depends_on: r
                .depends_on
                .iter()
                .map(|d| (d.address.clone(), d.kind.into()))
                .collect(),
        });
        ResourceGraph::from_nodes(&stack.name, nodes)
    }

    /// The graph of instances given directly: for a saved plan, for instances that exist
    /// only in the runtime, and for tests. A target naming no instance is ignored: it is a
    /// block with `count = 0`, whose absence needs no ordering.
    pub fn from_nodes(
        name: &str,
        nodes: impl IntoIterator<Item = Node>,
    ) -> Result<ResourceGraph, GraphError> {
        let nodes: Vec<Node> = nodes.into_iter().collect();
        let mut graph = DiGraph::with_capacity(nodes.len(), nodes.len());
        let mut index = HashMap::with_capacity(nodes.len());
        let mut blocks: HashMap<&str, Vec<NodeIndex>> = HashMap::new();
        for n in &nodes {
            if index.contains_key(&n.address) {
                return Err(GraphError::DuplicateInstance(n.address.clone()));
            }
            let ix = graph.add_node(n.address.clone());
            index.insert(n.address.clone(), ix);
            blocks
                .entry(block_address(&n.address))
                .or_default()
                .push(ix);
        }
        for n in &nodes {
            let from = index[&n.address];
            // Merge the reasons per target so that each pair has one edge.
            let mut targets: BTreeMap<NodeIndex, Vec<EdgeKind>> = BTreeMap::new();
            for (target, kind) in &n.depends_on {
                let found = match blocks.get(target.as_str()) {
                    Some(ixs) => ixs.as_slice(),
                    None => index.get(target).map(std::slice::from_ref).unwrap_or(&[]),
                };
                for &to in found {
                    let kinds = targets.entry(to).or_default();
                    if !kinds.contains(kind) {
                        kinds.push(*kind);
                        kinds.sort();
                    }
                }
            }
            for (to, kinds) in targets {
                graph.add_edge(from, to, kinds);
            }
        }
        let order = topological(&graph)?;
        Ok(ResourceGraph {
            name: name.to_string(),
            graph,
            index,
            order,
        })
    }

    /// The stack's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    pub fn contains(&self, address: &str) -> bool {
        self.index.contains_key(address)
    }

    /// The underlying petgraph graph, for algorithms this type does not offer.
    pub fn graph(&self) -> &DiGraph<String, Vec<EdgeKind>> {
        &self.graph
    }

    /// What `address` depends on directly, sorted; empty for an unknown address.
    pub fn dependencies(&self, address: &str) -> Vec<&str> {
        self.neighbours(address, Direction::Outgoing)
    }

    /// What depends directly on `address`, sorted; empty for an unknown address.
    pub fn dependants(&self, address: &str) -> Vec<&str> {
        self.neighbours(address, Direction::Incoming)
    }

    /// Why `from` depends on `to`, if it does directly.
    pub fn edge_kinds(&self, from: &str, to: &str) -> Option<&[EdgeKind]> {
        let e = self
            .graph
            .find_edge(*self.index.get(from)?, *self.index.get(to)?)?;
        Some(self.graph[e].as_slice())
    }

    /// Every instance, dependencies before their dependants; independent instances keep the
    /// order of the files, so the output is stable.
    pub fn topological_order(&self) -> Vec<&str> {
        self.order.iter().map(|&i| self.graph[i].as_str()).collect()
    }

    /// One line per instance, in [`topological_order`](Self::topological_order), with its
    /// direct dependencies: `container.web <- image.app, network.default`. A dependency that
    /// is not a plain reference says why: `container.app <- container.db (depends_on)`.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for &ix in &self.order {
            out.push_str(&self.graph[ix]);
            let deps = self.sorted_edges(ix);
            if !deps.is_empty() {
                out.push_str(" <- ");
                let parts: Vec<String> = deps
                    .iter()
                    .map(|(to, kinds)| match labels(kinds) {
                        Some(l) => format!("{to} ({l})"),
                        None => to.to_string(),
                    })
                    .collect();
                out.push_str(&parts.join(", "));
            }
            out.push('\n');
        }
        out
    }

    /// A Graphviz digraph (`stackc graph --format dot | dot -Tsvg`). Names are quoted, since
    /// instance addresses hold `.`, `[` and `"`; edges that are not plain references are
    /// labelled with the attribute that made them.
    pub fn render_dot(&self) -> String {
        let mut out = format!("digraph {} {{\n", dot_quote(&self.name));
        out.push_str("  node [shape = box];\n");
        for &ix in &self.order {
            let _ = writeln!(out, "  {};", dot_quote(&self.graph[ix]));
        }
        for &ix in &self.order {
            for (to, kinds) in self.sorted_edges(ix) {
                let from = dot_quote(&self.graph[ix]);
                let _ = match labels(kinds) {
                    Some(l) => writeln!(
                        out,
                        "  {from} -> {} [label = {}];",
                        dot_quote(to),
                        dot_quote(&l)
                    ),
                    None => writeln!(out, "  {from} -> {};", dot_quote(to)),
                };
            }
        }
        out.push_str("}\n");
        out
    }

    fn neighbours(&self, address: &str, dir: Direction) -> Vec<&str> {
        let Some(&ix) = self.index.get(address) else {
            return Vec::new();
        };
        let mut v: Vec<&str> = self
            .graph
            .neighbors_directed(ix, dir)
            .map(|n| self.graph[n].as_str())
            .collect();
        v.sort_unstable();
        v
    }

    /// The outgoing edges of `ix`, sorted by target address.
    fn sorted_edges(&self, ix: NodeIndex) -> Vec<(&str, &[EdgeKind])> {
        let mut v: Vec<(&str, &[EdgeKind])> = self
            .graph
            .edges(ix)
            .map(|e| (self.graph[e.target()].as_str(), e.weight().as_slice()))
            .collect();
        v.sort_unstable_by(|a, b| a.0.cmp(b.0));
        v
    }
}

/// `image.app[0]` → `image.app`. Names are identifiers, so the first `[` starts the key.
fn block_address(address: &str) -> &str {
    address.split('[').next().unwrap_or(address)
}

fn labels(kinds: &[EdgeKind]) -> Option<String> {
    let l: Vec<&str> = kinds.iter().filter_map(|k| k.label()).collect();
    (!l.is_empty()).then(|| l.join(", "))
}

/// A DOT quoted string: only `"` is special inside one.
fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\\\""))
}

/// Kahn's algorithm, taking the lowest index among ready nodes, so that independent
/// instances keep their declaration order. On a cycle, reports one.
fn topological(graph: &DiGraph<String, Vec<EdgeKind>>) -> Result<Vec<NodeIndex>, GraphError> {
    let n = graph.node_count();
    let mut missing: Vec<usize> = graph
        .node_indices()
        .map(|i| graph.edges_directed(i, Direction::Outgoing).count())
        .collect();
    let mut ready: BTreeSet<NodeIndex> = graph
        .node_indices()
        .filter(|i| missing[i.index()] == 0)
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(ix) = ready.pop_first() {
        order.push(ix);
        for d in graph.neighbors_directed(ix, Direction::Incoming) {
            missing[d.index()] -= 1;
            if missing[d.index()] == 0 {
                ready.insert(d);
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    Err(GraphError::Cycle(find_cycle(graph, &missing)))
}

/// A cycle among the nodes Kahn's algorithm could not order (`missing > 0`). Every such node
/// has a dependency that is also unordered, so following those from any of them must come
/// back to a node already seen.
fn find_cycle(graph: &DiGraph<String, Vec<EdgeKind>>, missing: &[usize]) -> Vec<String> {
    let Some(start) = graph.node_indices().find(|i| missing[i.index()] > 0) else {
        return Vec::new();
    };
    let mut path: Vec<NodeIndex> = vec![start];
    let mut seen_at: HashMap<NodeIndex, usize> = HashMap::from([(start, 0)]);
    let mut ix = start;
    // The unordered dependency with the lowest index, so the report is stable.
    while let Some(next) = graph
        .neighbors_directed(ix, Direction::Outgoing)
        .filter(|d| missing[d.index()] > 0)
        .min()
    {
        if let Some(&at) = seen_at.get(&next) {
            let mut cycle: Vec<String> = path[at..].iter().map(|&i| graph[i].clone()).collect();
            cycle.push(graph[next].clone());
            return cycle;
        }
        seen_at.insert(next, path.len());
        path.push(next);
        ix = next;
    }
    // Unreachable: an unordered node always has an unordered dependency.
    path.iter().map(|&i| graph[i].clone()).collect()
}

#[cfg(test)]
mod tests;
