//! Observing containers: records of the stack, their state as the shim wrote it (a dead shim
//! means a stopped container), and the live attributes read back from the cgroup.

use super::create::observed;
use super::record::{self, ContainerRecord};
use crate::cgroup::Cgroups;
use crate::error::Result;
use crate::store::Store;
use stackc_engine::model::live;
use stackc_engine::provider::{Health, ObservedObject};
use std::collections::BTreeMap;

pub fn observe(store: &Store, cgroups: &Cgroups, stack: &str) -> Result<Vec<ObservedObject>> {
    let mut out = Vec::new();
    for r in record::all(store)? {
        if r.meta.stack() != stack {
            continue;
        }
        let state = record::load_state(&store.container(&r.id))?;
        let mut o = observed(&r, &state);
        o.live = live(&r, cgroups);
        out.push(o);
    }
    Ok(out)
}

/// The live attributes, in `model::live`'s forms: limits from the cgroup while it exists,
/// from the record otherwise.
pub fn live(r: &ContainerRecord, cgroups: &Cgroups) -> BTreeMap<String, serde_json::Value> {
    let l = cgroups
        .read(&r.run.cgroup, &r.run.limits)
        .unwrap_or_else(|| r.run.limits.clone());
    BTreeMap::from([
        (live::CPUS.to_string(), l.cpus.into()),
        (live::MEMORY.to_string(), l.memory.into()),
        (live::MEMORY_SWAP.to_string(), l.memory_swap.into()),
        (live::PIDS.to_string(), l.pids.into()),
        (live::CPU_SHARES.to_string(), l.cpu_shares.into()),
        (live::CPUSET.to_string(), l.cpuset.into()),
        (live::IO_WEIGHT.to_string(), l.io_weight.into()),
        (
            live::RESTART.to_string(),
            live::restart_word(r.run.restart).into(),
        ),
        (
            live::MAX_RESTARTS.to_string(),
            r.run.max_restarts.unwrap_or(0).into(),
        ),
    ])
}

/// The health of a container, from its state.
pub fn health(store: &Store, id: &str) -> Result<Health> {
    let r = record::load(store, id)?;
    let state = record::load_state(&store.container(id))?;
    // As observe sees it: a live shim that has not yet recorded the run counts as running.
    let running = observed(&r, &state).state == stackc_engine::provider::ObjectState::Running;
    if !running {
        let reason = match (state.status, state.exit_code, &state.error) {
            (_, _, Some(e)) => format!("not running: {e}"),
            (record::Status::Created, _, _) => "not started".to_string(),
            (record::Status::Restarting, _, _) if state.shim_alive() => "restarting".to_string(),
            (_, Some(code), _) => format!("not running (exit {code})"),
            _ => "not running".to_string(),
        };
        return Ok(Health::Unhealthy { reason });
    }
    if r.run.health.is_none() {
        return Ok(Health::None);
    }
    Ok(match state.health {
        None => Health::Starting,
        Some(h) => match h.status {
            record::HealthStatus::Starting => Health::Starting,
            record::HealthStatus::Healthy => Health::Healthy,
            record::HealthStatus::Unhealthy => Health::Unhealthy {
                reason: format!("its health check fails: {}", h.last),
            },
        },
    })
}
