//! Planning a service: one decision for all of its replicas (see [`crate::service`]).

use super::{clock, decide as decide_object, planned, PlanAction, PlanOptions, PlannedAction};
use crate::model::{DesiredResource, ResourceKind, ResourceSpec};
use crate::provider::{DesiredObject, ObjectState, ObservedObject, Provider};
use crate::service::{self, Rollout};

/// The decision for a service, from its replicas found in the runtime.
pub(super) fn decide<P: Provider>(
    provider: &P,
    r: &DesiredResource,
    d: &DesiredObject,
    mut current: Vec<ObservedObject>,
    key: &[u8; 32],
    options: &PlanOptions,
) -> PlannedAction {
    let (replicas, update) = match &r.spec {
        ResourceSpec::Service(s) => (
            s.replicas.unwrap_or(1),
            s.update.clone().unwrap_or_default(),
        ),
        _ => (1, Default::default()),
    };
    current.sort_by_key(|o| (Rollout::index_of(o), o.id.clone()));
    let mut a = planned(&r.address, r.kind, &r.runtime_name, PlanAction::Noop);
    a.desired = Some(d.clone());
    a.sensitive_paths = r.sensitive_paths.clone();
    let mut rollout = Rollout {
        template: d.clone(),
        replicas,
        update,
        current,
        force: false,
    };

    if options.destroy {
        rollout.replicas = 0;
        a.action = PlanAction::Delete;
        a.headline = Some(format!(
            "will be destroyed: {} replica{}",
            rollout.current.len(),
            plural(rollout.current.len())
        ));
        a.rollout = Some(rollout);
        return a;
    }
    if rollout.current.is_empty() {
        if replicas > 0 {
            a.action = PlanAction::Create;
            a.headline = Some(format!(
                "will be created: {replicas} replica{}",
                plural(replicas as usize)
            ));
            if options.previously_applied.contains(&r.address) {
                let what = format!(
                    "removed outside stackc: no replica of `{}` was found",
                    r.address
                );
                a.drift.push(what.clone());
                a.reasons.push(what);
            }
        }
        a.rollout = Some(rollout);
        return a;
    }

    // The template's changes, shown against one replica made from the old one.
    if let Some(sample) = rollout.stale().next().cloned() {
        let view = template_view(r);
        let index = Rollout::index_of(&sample).unwrap_or(1);
        let inner = decide_object(
            provider,
            &view,
            &service::replica(d, index),
            Some(sample),
            key,
            options,
        );
        // Every replica is made anew by the roll, so no single change "forces" anything.
        a.changes = inner
            .changes
            .into_iter()
            .map(|mut c| {
                c.forces_replacement = false;
                c
            })
            .collect();
    }

    let found = rollout
        .current
        .iter()
        .filter_map(Rollout::index_of)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if found != replicas as usize {
        a.changes.push(super::diff::Change {
            path: "replicas".to_string(),
            before: Some(found.into()),
            after: Some(replicas.into()),
            forces_replacement: false,
        });
    }

    // Replicas that are not running, or were restarted, are drift.
    let mut down = 0;
    for o in &rollout.current {
        let name = &o.runtime_name;
        match &o.state {
            ObjectState::Stopped { exit_code } => {
                down += 1;
                let mut what = format!("replica `{name}` stopped outside stackc");
                let mut detail = Vec::new();
                if let Some(code) = exit_code {
                    detail.push(format!("exit {code}"));
                }
                if let Some(t) = &o.finished_at {
                    detail.push(format!("at {}", clock(t)));
                }
                if !detail.is_empty() {
                    what = format!("{what} ({})", detail.join(" "));
                }
                a.drift.push(what);
            }
            ObjectState::Created => {
                down += 1;
                a.drift
                    .push(format!("replica `{name}` created but never started"));
            }
            _ => {}
        }
        if o.restarts > 0 {
            a.drift.push(format!(
                "replica `{name}` restarted {} time{} by the runtime",
                o.restarts,
                plural(o.restarts as usize)
            ));
        }
    }
    let duplicates = rollout.current.len() - found;
    if duplicates > 0 {
        a.drift.push(format!(
            "{duplicates} replica{} left aside by an interrupted rollout",
            plural(duplicates)
        ));
    }

    a.headline = rollout.describe();
    a.action = if a.headline.is_some() || duplicates > 0 {
        PlanAction::Update
    } else if down > 0 {
        a.headline = Some(format!("will start {down} stopped replica{}", plural(down)));
        PlanAction::Start
    } else {
        PlanAction::Noop
    };
    if a.action == PlanAction::Update && a.headline.is_none() {
        a.headline = Some("will tidy its replicas".to_string());
    }
    a.rollout = Some(rollout);
    a
}

/// A change of what the service refers to (`replace_triggered_by`, a replaced network)
/// rolls it instead of replacing every replica at once.
pub(super) fn roll_if_replaced(a: &mut PlannedAction) {
    if a.action != PlanAction::Replace {
        return;
    }
    let Some(rollout) = a.rollout.as_mut() else {
        return;
    };
    rollout.force = true;
    a.action = PlanAction::Update;
    a.headline = rollout.describe();
}

/// The service seen as its replica template: a container resource.
fn template_view(r: &DesiredResource) -> DesiredResource {
    let mut view = r.clone();
    view.kind = ResourceKind::Container;
    if let ResourceSpec::Service(s) = &r.spec {
        view.spec = ResourceSpec::Container(s.template.clone());
    }
    view
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
