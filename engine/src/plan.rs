//! observe → diff → plan (ARCHITECTURE.md "The flow of one apply", decisions 2–4).
//!
//! [`build`] compares the desired stack with what the provider observed and decides, per
//! instance, one [`PlanAction`] with the field [`Change`]s and the reasons behind it. The
//! [`Plan`] is data: it serialises for `plan --out` (with everything `apply` needs, so a
//! saved plan applies without the files) and carries a [`fingerprint`] of the observed state,
//! so a saved plan whose world has moved is refused. Rendering lives in the CLI.

mod diff;
pub(crate) mod objects;
mod service;

pub use diff::{flatten, Change, SENSITIVE};
pub use objects::{desired_objects, AppliedRecord, RecordedRef};

use crate::apply::{Action, Operation};
use crate::graph::{EdgeKind, Node, ResourceGraph};
use crate::model::{ChangeKind, DesiredStack, ResourceKind};
use crate::provider::{DesiredObject, ObjectState, ObservedObject, Provider};
use crate::service::Rollout;
use diff::DesiredSide;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The version of the saved-plan format and of `plan --json`.
pub const FORMAT_VERSION: &str = "1";

/// What happens to one instance. Each action carries its glyph, as Terraform's do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanAction {
    Noop,
    Create,
    Update,
    Replace,
    Delete,
    /// Start a stopped (or never started) container.
    Start,
}

impl PlanAction {
    /// The glyph in front of the block in a rendered plan.
    pub fn glyph(self) -> &'static str {
        match self {
            PlanAction::Noop => " ",
            PlanAction::Create => "+",
            PlanAction::Update | PlanAction::Start => "~",
            PlanAction::Replace => "-/+",
            PlanAction::Delete => "-",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PlanAction::Noop => "noop",
            PlanAction::Create => "create",
            PlanAction::Update => "update",
            PlanAction::Replace => "replace",
            PlanAction::Delete => "delete",
            PlanAction::Start => "start",
        }
    }
}

/// The decision for one instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedAction {
    pub address: String,
    pub kind: ResourceKind,
    pub runtime_name: String,
    pub action: PlanAction,
    /// Why, in words: "`image` forces replacement", "stopped outside stackc (exit 137 at
    /// 10:02:11)".
    pub reasons: Vec<String>,
    pub changes: Vec<Change>,
    /// What was found that the last apply did not leave there, whether or not it leads to an
    /// action (a restarted container is drift with nothing to do).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<String>,
    /// A volume that is no longer in the stack but keeps its data: why it stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
    /// Dependants wait until this container is running and healthy (`depends_on`).
    #[serde(default)]
    pub wait_ready: bool,
    /// Attribute paths whose values are sensitive, for rendering.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive_paths: Vec<String>,
    /// For create, update and replace: what to make.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired: Option<DesiredObject>,
    /// For update, replace, delete and start: what is there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<ObservedObject>,
    /// For a service: its replicas and how they roll; the executor's whole action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<Rollout>,
    /// What the plan says in place of "will be updated in place": "will be rolled: 3
    /// replicas, 1 at a time, start-first".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
}

impl PlannedAction {
    /// True when the value at `path` must not be shown.
    pub fn is_sensitive(&self, path: &str) -> bool {
        (path.starts_with("secret.") && path.ends_with(".value"))
            || self.sensitive_paths.iter().any(|p| {
                path == p
                    || path
                        .strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
    }

    /// The executor's action, or `None` for a noop.
    pub fn to_action(&self) -> Option<Action> {
        if let Some(rollout) = &self.rollout {
            return (self.action != PlanAction::Noop).then(|| Action {
                address: self.address.clone(),
                operation: Operation::Rollout(Box::new(rollout.clone())),
                wait_ready: self.wait_ready,
            });
        }
        let operation = match (self.action, &self.desired, &self.current) {
            (PlanAction::Create, Some(d), _) => Operation::Create(Box::new(d.clone())),
            (PlanAction::Update, Some(d), Some(c)) => Operation::Update {
                current: Box::new(c.clone()),
                desired: Box::new(d.clone()),
            },
            (PlanAction::Replace, Some(d), Some(c)) => Operation::Replace {
                current: Box::new(c.clone()),
                desired: Box::new(d.clone()),
            },
            (PlanAction::Delete, _, Some(c)) => Operation::Delete(Box::new(c.clone())),
            (PlanAction::Start, _, Some(c)) => Operation::Start(Box::new(c.clone())),
            _ => return None,
        };
        Some(Action {
            address: self.address.clone(),
            operation,
            wait_ready: self.wait_ready,
        })
    }
}

/// How many of each action, as the plan's last line says them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub add: usize,
    pub change: usize,
    pub replace: usize,
    pub destroy: usize,
    pub start: usize,
}

impl PlanSummary {
    pub fn is_empty(&self) -> bool {
        *self == PlanSummary::default()
    }
}

/// A whole plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: String,
    pub stack: String,
    pub provider: String,
    /// Of the observed state the plan assumed ([`fingerprint`]).
    pub fingerprint: String,
    /// Every instance, desired or found, in the order of the graph.
    pub actions: Vec<PlannedAction>,
    /// The dependency graph the executor walks (desired instances and orphans).
    pub graph: Vec<GraphNode>,
    #[serde(default)]
    pub refresh_only: bool,
    #[serde(default)]
    pub destroy: bool,
}

/// One node of the saved graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphNode {
    pub address: String,
    pub depends_on: Vec<(String, EdgeKind)>,
}

impl Plan {
    pub fn summary(&self) -> PlanSummary {
        let mut s = PlanSummary::default();
        for a in &self.actions {
            match a.action {
                PlanAction::Create => s.add += 1,
                PlanAction::Update => s.change += 1,
                PlanAction::Replace => s.replace += 1,
                PlanAction::Delete => s.destroy += 1,
                PlanAction::Start => s.start += 1,
                PlanAction::Noop => {}
            }
        }
        s
    }

    /// True when applying would change nothing.
    pub fn is_empty(&self) -> bool {
        self.summary().is_empty()
    }

    /// True when something was found that the stack did not leave there.
    pub fn has_drift(&self) -> bool {
        self.actions.iter().any(|a| !a.drift.is_empty())
    }

    /// The executor's actions.
    pub fn executor_actions(&self) -> Vec<Action> {
        self.actions
            .iter()
            .filter_map(PlannedAction::to_action)
            .collect()
    }

    /// The executor's graph.
    pub fn executor_graph(&self) -> Result<ResourceGraph, crate::graph::GraphError> {
        ResourceGraph::from_nodes(
            &self.stack,
            self.graph.iter().map(|n| Node {
                address: n.address.clone(),
                depends_on: n.depends_on.clone(),
            }),
        )
    }
}

/// What to plan.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// `--target`: only these addresses (block or instance) and what they depend on.
    pub targets: Vec<String>,
    /// `--refresh-only`: report drift, change nothing.
    pub refresh_only: bool,
    /// `destroy`: remove everything (or the targets).
    pub destroy: bool,
    /// `destroy --purge-volumes`: volumes go too.
    pub purge_volumes: bool,
    /// Addresses the last apply left in place, so that one that is gone now is reported as
    /// removed outside stackc rather than as new.
    pub previously_applied: BTreeSet<String>,
}

/// Everything [`build`] reads.
pub struct PlanInput<'a, P: Provider> {
    pub provider: &'a P,
    pub stack: &'a DesiredStack,
    pub graph: &'a ResourceGraph,
    pub observed: Vec<ObservedObject>,
    pub key: &'a [u8; 32],
    pub stack_dir: &'a Path,
    pub options: &'a PlanOptions,
}

/// A fingerprint of the observed state: each object's identity, spec hash, state and live
/// attributes. Restart counts and times are left out, so that a container in a restart loop
/// does not make every saved plan stale.
pub fn fingerprint(observed: &[ObservedObject]) -> String {
    let mut rows: Vec<Value> = observed
        .iter()
        .map(|o| serde_json::json!([o.address, o.id, o.spec_hash, state_word(&o.state), o.live]))
        .collect();
    rows.sort_by_key(|r| r.to_string());
    hex::encode(Sha256::digest(Value::Array(rows).to_string().as_bytes()))
}

/// A container between two runs of a restart loop counts as running, so the loop does not
/// make every saved plan stale.
fn state_word(s: &ObjectState) -> &'static str {
    match s {
        ObjectState::Restarting => ObjectState::Running.word(),
        other => other.word(),
    }
}

/// Decides what to do with every instance.
pub fn build<P: Provider>(input: PlanInput<'_, P>) -> Plan {
    let PlanInput {
        provider,
        stack,
        graph,
        observed,
        key,
        stack_dir,
        options,
    } = input;
    let fingerprint = fingerprint(&observed);
    let desired = desired_objects(stack, key, stack_dir);

    // A service's replicas are planned with their service, not one by one.
    let mut replicas: BTreeMap<String, Vec<ObservedObject>> = BTreeMap::new();
    let observed: Vec<ObservedObject> = observed
        .into_iter()
        .filter_map(|o| match crate::service::parse_replica(&o.address) {
            Some((service, _))
                if stack
                    .get(service)
                    .is_some_and(|r| r.kind == ResourceKind::Service) =>
            {
                replicas.entry(service.to_string()).or_default().push(o);
                None
            }
            _ => Some(o),
        })
        .collect();

    // Objects by address; a second object with one address (left by a crashed apply under
    // another name) is an orphan of its own.
    let mut found: BTreeMap<String, ObservedObject> = BTreeMap::new();
    let mut extra: Vec<ObservedObject> = Vec::new();
    for o in observed {
        if found.contains_key(&o.address) {
            extra.push(o);
        } else {
            found.insert(o.address.clone(), o);
        }
    }

    let targeted = targeted_set(graph, &options.targets, &found);
    let is_targeted = |a: &str| targeted.as_ref().is_none_or(|t| t.contains(a));

    let mut actions: Vec<PlannedAction> = Vec::new();
    let mut decided: BTreeMap<String, PlanAction> = BTreeMap::new();
    // Instances others wait for with `depends_on`.
    let awaited: BTreeSet<String> = stack
        .resources
        .iter()
        .flat_map(|r| r.depends_on.iter())
        .filter(|d| d.kind == stackc_lang::eval::DependencyKind::DependsOn)
        .map(|d| d.address.clone())
        .collect();

    for address in graph.topological_order() {
        let (Some(r), Some(d)) = (stack.get(address), desired.get(address)) else {
            continue;
        };
        if r.kind == ResourceKind::Service {
            let current = replicas.remove(address).unwrap_or_default();
            if !is_targeted(address) || (options.destroy && current.is_empty()) {
                continue;
            }
            let mut a = service::decide(provider, r, d, current, key, options);
            if !options.destroy {
                cascade(&mut a, r, graph, &decided);
                service::roll_if_replaced(&mut a);
            }
            if options.refresh_only {
                a.action = PlanAction::Noop;
            }
            decided.insert(address.to_string(), a.action);
            actions.push(a);
            continue;
        }
        let current = found.remove(address);
        if !is_targeted(address) {
            continue;
        }
        let mut a = if options.destroy {
            match current {
                Some(c) => delete_action(c, options.purge_volumes),
                None => continue,
            }
        } else {
            decide(provider, r, d, current, key, options)
        };
        if !options.destroy {
            cascade(&mut a, r, graph, &decided);
        }
        a.wait_ready = r.kind == ResourceKind::Container
            && (awaited.contains(address) || awaited.contains(block(address)));
        if options.refresh_only {
            a.action = PlanAction::Noop;
        }
        decided.insert(address.to_string(), a.action);
        actions.push(a);
    }

    // What is in the runtime but not in the stack: removed, except volumes' data.
    let orphans: Vec<ObservedObject> = found.into_values().chain(extra).collect();
    let mut graph_nodes: Vec<GraphNode> = graph
        .topological_order()
        .iter()
        .map(|a| GraphNode {
            address: a.to_string(),
            depends_on: graph
                .dependencies(a)
                .into_iter()
                .map(|dep| {
                    let kind = graph
                        .edge_kinds(a, dep)
                        .and_then(|k| k.first().copied())
                        .unwrap_or(EdgeKind::Reference);
                    (dep.to_string(), kind)
                })
                .collect(),
        })
        .collect();
    let mut orphan_actions = Vec::new();
    for (i, o) in orphans.into_iter().enumerate() {
        let address = if graph.contains(&o.address) || decided.contains_key(&o.address) {
            // A duplicate of an instance the stack has: a distinct address for the executor.
            format!("{}#{}", o.address, i)
        } else {
            o.address.clone()
        };
        if !is_targeted(&o.address) {
            continue;
        }
        let mut a = delete_action(o, options.purge_volumes);
        a.address = address;
        if !options.destroy && a.action == PlanAction::Delete {
            a.reasons = vec!["no longer in the stack".to_string()];
        }
        if options.refresh_only {
            a.action = PlanAction::Noop;
        }
        orphan_actions.push(a);
    }
    // Orphans have no edges of their own: order them by kind, so containers go before the
    // networks, volumes and images they may use.
    for a in &orphan_actions {
        let depends_on = if a.kind.runs() {
            orphan_actions
                .iter()
                .chain(actions.iter())
                .filter(|b| !b.kind.runs())
                .map(|b| (b.address.clone(), EdgeKind::Reference))
                .collect()
        } else {
            Vec::new()
        };
        graph_nodes.push(GraphNode {
            address: a.address.clone(),
            depends_on,
        });
    }
    actions.extend(orphan_actions);
    if options.destroy {
        // Shown in the order they run: dependants first.
        actions.reverse();
    }

    Plan {
        format_version: FORMAT_VERSION.to_string(),
        stack: stack.name.clone(),
        provider: provider.name().to_string(),
        fingerprint,
        actions,
        graph: graph_nodes,
        refresh_only: options.refresh_only,
        destroy: options.destroy,
    }
}

fn block(address: &str) -> &str {
    address.split('[').next().unwrap_or(address)
}

/// With `--target`: the targeted instances (a block address names all of its instances)
/// and everything they depend on, transitively; `None` without targets.
fn targeted_set(
    graph: &ResourceGraph,
    targets: &[String],
    found: &BTreeMap<String, ObservedObject>,
) -> Option<BTreeSet<String>> {
    if targets.is_empty() {
        return None;
    }
    let matches = |a: &str, t: &str| a == t || block(a) == t;
    let mut out = BTreeSet::new();
    let mut todo: Vec<String> = graph
        .topological_order()
        .into_iter()
        .map(str::to_string)
        .chain(found.keys().cloned())
        .filter(|a| targets.iter().any(|t| matches(a, t)))
        .collect();
    while let Some(a) = todo.pop() {
        if out.insert(a.clone()) {
            todo.extend(graph.dependencies(&a).into_iter().map(str::to_string));
        }
    }
    Some(out)
}

fn planned(
    address: &str,
    kind: ResourceKind,
    runtime_name: &str,
    action: PlanAction,
) -> PlannedAction {
    PlannedAction {
        address: address.to_string(),
        kind,
        runtime_name: runtime_name.to_string(),
        action,
        reasons: Vec::new(),
        changes: Vec::new(),
        drift: Vec::new(),
        kept: None,
        wait_ready: false,
        sensitive_paths: Vec::new(),
        desired: None,
        current: None,
        rollout: None,
        headline: None,
    }
}

/// Removing an object; a volume keeps its data unless volumes are purged.
fn delete_action(o: ObservedObject, purge_volumes: bool) -> PlannedAction {
    let mut a = planned(&o.address, o.kind, &o.runtime_name, PlanAction::Delete);
    if o.kind == ResourceKind::Volume && !purge_volumes {
        a.action = PlanAction::Noop;
        a.kept = Some("holds data".to_string());
    }
    a.current = Some(o);
    a
}

/// The decision for one desired instance, before cascades.
fn decide<P: Provider>(
    provider: &P,
    r: &crate::model::DesiredResource,
    d: &DesiredObject,
    current: Option<ObservedObject>,
    key: &[u8; 32],
    options: &PlanOptions,
) -> PlannedAction {
    let mut a = planned(&r.address, r.kind, &r.runtime_name, PlanAction::Noop);
    a.desired = Some(d.clone());
    a.sensitive_paths = r.sensitive_paths.clone();
    let Some(c) = current else {
        a.action = PlanAction::Create;
        if options.previously_applied.contains(&r.address) {
            let what = format!(
                "removed outside stackc: no {} `{}` was found",
                r.kind, r.runtime_name
            );
            a.drift.push(what.clone());
            a.reasons.push(what);
        }
        return a;
    };

    let schema = r.kind.schema();
    let replaces = |path: &str| {
        schema.change_kind(path) == ChangeKind::Replace || provider.forces_replacement(r.kind, path)
    };
    let unchanged = c.spec_hash.as_deref() == Some(d.spec_hash.as_str());
    let mut changes = Vec::new();
    if !unchanged {
        let record: AppliedRecord = serde_json::from_str(&d.applied).unwrap_or(AppliedRecord {
            spec: Value::Null,
            refs: BTreeMap::new(),
            digest: None,
        });
        let side = DesiredSide {
            kind: r.kind,
            spec: &r.spec,
            refs: &record.refs,
            digest: record.digest.as_deref(),
            key,
            sensitive: &|p: &str| r.is_sensitive(p),
            ignore: &r.lifecycle.ignore_changes,
            replaces: &replaces,
        };
        match c
            .applied
            .as_deref()
            .map(|applied| diff::changes(&side, applied))
        {
            Some(Ok(found)) => changes = found,
            Some(Err(diff::Unreadable(why))) => {
                a.action = PlanAction::Replace;
                a.reasons.push(format!(
                    "the object cannot be compared with the stack: {why}"
                ));
            }
            None => {
                a.action = PlanAction::Replace;
                a.reasons.push(
                    "the object has no record of the spec it was made from (made by another \
                     tool or an older stackc)"
                        .to_string(),
                );
            }
        }
    }

    // Live attributes: compared with what the runtime reports.
    let expected = provider.expected_live(d);
    let written = flatten(&serde_json::to_value(&r.spec).unwrap_or(Value::Null));
    let recorded = c
        .applied
        .as_deref()
        .and_then(|a| serde_json::from_str::<AppliedRecord>(a).ok())
        .map(|a| flatten(&a.spec))
        .unwrap_or_default();
    for (k, want) in &expected {
        let Some(have) = c.live.get(k) else { continue };
        // When the spec changed, a live attribute the user never set only follows from the
        // ones they did (Docker's swap of twice the memory): not a change of its own.
        let derived = !unchanged && !written.contains_key(k) && !recorded.contains_key(k);
        if have == want
            || derived
            || r.lifecycle
                .ignore_changes
                .iter()
                .any(|i| k == i || k.starts_with(&format!("{i}.")))
        {
            continue;
        }
        let before = crate::model::live::display(k, have);
        let after = crate::model::live::display(k, want);
        if unchanged {
            a.drift.push(format!(
                "{k} was changed outside stackc: it is {before}, the stack says {after}"
            ));
        }
        changes.push(Change {
            path: k.clone(),
            before: crate::model::live::shown(k, have),
            after: written
                .get(k)
                .cloned()
                .or_else(|| crate::model::live::shown(k, want)),
            forces_replacement: replaces(k),
        });
    }

    if changes.iter().any(|ch| ch.forces_replacement) {
        a.action = PlanAction::Replace;
        for ch in changes.iter().filter(|ch| ch.forces_replacement) {
            a.reasons.push(format!("`{}` forces replacement", ch.path));
        }
    } else if !changes.is_empty() && a.action == PlanAction::Noop {
        a.action = PlanAction::Update;
    }
    a.changes = changes;
    if r.kind == ResourceKind::Volume && a.action == PlanAction::Replace {
        // Replacing a volume would drop its data; only `destroy --purge-volumes` may.
        a.action = PlanAction::Noop;
        a.kept = Some(
            "holds data: a volume is not replaced; remove it with `stackc destroy              --purge-volumes --target` to make it anew"
                .to_string(),
        );
    }

    if r.kind.runs() && matches!(a.action, PlanAction::Noop | PlanAction::Update) {
        start_if_down(&mut a, &c, r);
    }
    if c.restarts > 0 && r.kind.runs() {
        a.drift.push(format!(
            "restarted {} time{} by the runtime{}",
            c.restarts,
            if c.restarts == 1 { "" } else { "s" },
            c.started_at
                .as_deref()
                .map(|t| format!(" (last start {})", clock(t)))
                .unwrap_or_default()
        ));
    }
    a.current = Some(c);
    a
}

/// A container that should run but does not is started (after its update, if it has one),
/// and the plan says what was seen.
fn start_if_down(a: &mut PlannedAction, c: &ObservedObject, r: &crate::model::DesiredResource) {
    let oneshot = r.spec.container().is_some_and(|s| s.is_oneshot());
    if a.action == PlanAction::Noop
        && matches!(c.state, ObjectState::Created | ObjectState::Stopped { .. })
        && !oneshot
    {
        a.action = PlanAction::Start;
    }
    match &c.state {
        ObjectState::Created if !oneshot => {
            let what = "created but never started (an interrupted apply?)".to_string();
            a.drift.push(what.clone());
            a.reasons.push(what);
        }
        ObjectState::Stopped { exit_code } if !oneshot => {
            let mut what = "stopped outside stackc".to_string();
            let mut detail = Vec::new();
            if let Some(code) = exit_code {
                detail.push(format!("exit {code}"));
            }
            if let Some(t) = &c.finished_at {
                detail.push(format!("at {}", clock(t)));
            }
            if !detail.is_empty() {
                what = format!("{what} ({})", detail.join(" "));
            }
            a.drift.push(what.clone());
            a.reasons.push(what);
        }
        _ => {}
    }
}

/// `2026-11-22T10:02:11.123456789Z` → `10:02:11` in local time, for plans; the text as it is
/// when it does not parse.
pub fn clock(rfc3339: &str) -> String {
    match rfc3339.parse::<jiff::Timestamp>() {
        Ok(t) => t
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%H:%M:%S")
            .to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// A replacement of something this instance refers to replaces it too (a container on a
/// replaced network must be made again), and `replace_triggered_by` replaces it when a
/// trigger changes.
fn cascade(
    a: &mut PlannedAction,
    r: &crate::model::DesiredResource,
    graph: &ResourceGraph,
    decided: &BTreeMap<String, PlanAction>,
) {
    let found = a.current.is_some() || a.rollout.as_ref().is_some_and(|r| !r.current.is_empty());
    if !found || a.action == PlanAction::Replace {
        return;
    }
    for dep in graph.dependencies(&r.address) {
        let Some(&action) = decided.get(dep) else {
            continue;
        };
        let kinds = graph.edge_kinds(&r.address, dep).unwrap_or(&[]);
        let reason =
            if kinds.contains(&EdgeKind::Reference) && matches!(action, PlanAction::Replace) {
                Some(format!("`{dep}` is replaced"))
            } else if kinds.contains(&EdgeKind::Reference)
                && action == PlanAction::Create
                && !r.kind.eq(&ResourceKind::Image)
            {
                // What it refers to is made anew (it was removed outside stackc).
                Some(format!("`{dep}` is created anew"))
            } else if kinds.contains(&EdgeKind::ReplaceTriggeredBy)
                && matches!(
                    action,
                    PlanAction::Replace | PlanAction::Update | PlanAction::Create
                )
            {
                Some(format!("replace_triggered_by: `{dep}` changes"))
            } else {
                None
            };
        if let Some(reason) = reason {
            a.action = PlanAction::Replace;
            a.reasons.push(reason);
            return;
        }
    }
}

#[cfg(test)]
mod tests;
