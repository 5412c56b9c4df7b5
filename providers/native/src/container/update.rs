//! `update`: the attributes that change in place — limits (written to the live cgroup),
//! restart policy and stop settings (read by the shim when it needs them) — and the new
//! labels and applied record.

use super::create::{limits_of, observed};
use super::record;
use crate::cgroup::Cgroups;
use crate::error::{NativeError, Result};
use crate::store::{Meta, Store};
use stackc_engine::model::ResourceSpec;
use stackc_engine::provider::{DesiredObject, ObservedObject};

pub fn update(
    store: &Store,
    cgroups: &Cgroups,
    id: &str,
    desired: &DesiredObject,
) -> Result<ObservedObject> {
    let ResourceSpec::Container(c) = &desired.spec else {
        return Err(NativeError::Unsupported("not a container".into()));
    };
    let mut record = record::load(store, id)?;
    let created_at = record.meta.created_at.clone();
    record.meta = Meta {
        created_at,
        ..Meta::of(desired)
    };
    record.run.limits = limits_of(c);
    record.run.restart = c.restart_policy();
    record.run.max_restarts = c.max_restarts;
    record.run.stop_signal = c.stop_signal().number();
    record.run.stop_timeout_ms = c.stop_timeout().as_millis() as u64;
    record::save(store, &record)?;
    if cgroups.exists(&record.run.cgroup) {
        cgroups.apply(&record.run.cgroup, &record.run.limits)?;
    }
    let state = record::load_state(&store.container(id))?;
    let mut o = observed(&record, &state);
    o.live = super::observe::live(&record, cgroups);
    Ok(o)
}
