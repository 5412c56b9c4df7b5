//! Quotas: a record and a parent cgroup `stackc/<stack>/quota-<name>` holding the aggregate
//! limits, under which every member container's own group sits, so the kernel enforces the
//! ceiling over all of them together.

use crate::cgroup::{self, Cgroups, Limits};
use crate::error::{NativeError, Result};
use crate::store::{self, check_name, read_json, write_json, Meta, Store};
use serde::{Deserialize, Serialize};
use stackc_engine::model::{ResourceKind, ResourceSpec};
use stackc_engine::provider::{DesiredObject, ObservedObject};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaRecord {
    #[serde(flatten)]
    pub meta: Meta,
    pub cgroup: String,
    pub limits: Limits,
}

fn limits(desired: &DesiredObject) -> Result<Limits> {
    let ResourceSpec::Quota(q) = &desired.spec else {
        return Err(NativeError::Unsupported("not a quota".into()));
    };
    Ok(Limits {
        cpus: q.cpus.as_ref().map_or(0, |c| c.nanos()),
        memory: q.memory.as_ref().map_or(0, |m| m.bytes()),
        pids: q.pids.unwrap_or(0),
        ..Limits::default()
    })
}

pub fn create(store: &Store, cgroups: &Cgroups, desired: &DesiredObject) -> Result<ObservedObject> {
    check_name(&desired.runtime_name)?;
    let record = QuotaRecord {
        meta: Meta::of(desired),
        cgroup: cgroup::quota_path(desired.stack(), &desired.runtime_name),
        limits: limits(desired)?,
    };
    cgroups.create(&record.cgroup)?;
    cgroups.apply(&record.cgroup, &record.limits)?;
    write_json(&store.quota_record(&desired.runtime_name), &record)?;
    Ok(record
        .meta
        .observed(ResourceKind::Quota, &desired.runtime_name))
}

pub fn update(store: &Store, cgroups: &Cgroups, desired: &DesiredObject) -> Result<ObservedObject> {
    let path = store.quota_record(&desired.runtime_name);
    let mut record: QuotaRecord =
        read_json(&path)?.ok_or_else(|| NativeError::NotFound(desired.runtime_name.clone()))?;
    record.meta = Meta {
        created_at: record.meta.created_at.clone(),
        ..Meta::of(desired)
    };
    record.limits = limits(desired)?;
    cgroups.create(&record.cgroup)?;
    cgroups.apply(&record.cgroup, &record.limits)?;
    write_json(&path, &record)?;
    Ok(record
        .meta
        .observed(ResourceKind::Quota, &desired.runtime_name))
}

pub fn observe(store: &Store, stack: &str) -> Result<Vec<ObservedObject>> {
    let dir = store.quotas();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .map_err(NativeError::io(&dir))?
        .flatten()
    {
        if let Some(r) = read_json::<QuotaRecord>(&entry.path())? {
            if r.meta.stack() == stack {
                let name = r.meta.runtime_name.clone();
                out.push(r.meta.observed(ResourceKind::Quota, &name));
            }
        }
    }
    Ok(out)
}

pub fn delete(store: &Store, cgroups: &Cgroups, object: &ObservedObject) -> Result<()> {
    let path = store.quota_record(&object.runtime_name);
    let record: QuotaRecord =
        read_json(&path)?.ok_or_else(|| NativeError::NotFound(object.runtime_name.clone()))?;
    cgroups.remove(&record.cgroup)?;
    store::remove_file(&path)
}
