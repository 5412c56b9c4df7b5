//! Services (LANGUAGE.md §5 `service`): a service is a set of replicas of one container
//! template, `<stack>-<name>-<n>` with n from 1. The engine owns what a service means —
//! which replicas exist, how a new template rolls over them, what a failure undoes — and a
//! provider only creates, starts, renames, removes and reports the health of containers, so
//! every provider gets services the same way (ARCHITECTURE.md decision 5: "a service rollout
//! is one node whose action is the whole rolling update").
//!
//! A replica is a container object whose address is the service's with `#n` appended
//! (`service.api#2`): `#` cannot appear in an instance address of the language, so replicas
//! never collide with resources, and `observe` finds them by their labels like any object.

use crate::model::service::UpdateSpec;
use crate::model::{ResourceKind, ResourceSpec};
use crate::plan::objects::AppliedRecord;
use crate::provider::{DesiredObject, ObservedObject, LABEL_SPEC_HASH};
use serde::{Deserialize, Serialize};

/// The label every replica carries, naming its service's address.
pub const LABEL_SERVICE: &str = "io.stackc.service";

/// The address of replica `index` of the service at `service`.
pub fn replica_address(service: &str, index: u32) -> String {
    format!("{service}#{index}")
}

/// `service.api#2` → (`service.api`, 2); `None` for any other address.
pub fn parse_replica(address: &str) -> Option<(&str, u32)> {
    let (service, index) = address.rsplit_once('#')?;
    let index: u32 = index.parse().ok().filter(|i| *i > 0)?;
    match crate::model::refs::split_address(service) {
        Some((ResourceKind::Service, _, _)) => Some((service, index)),
        _ => None,
    }
}

/// The kind of the object at `address`: a replica is a container; any other address names
/// its kind first (`network.backend`).
pub fn object_kind(address: &str) -> Option<ResourceKind> {
    if parse_replica(address).is_some() {
        return Some(ResourceKind::Container);
    }
    crate::model::refs::split_address(address).map(|(kind, _, _)| kind)
}

/// The desired object of replica `index` of `service` (the service's own desired object,
/// whose hash and applied record are its template's): a container named
/// `<service's runtime name>-<index>` that answers to the service's name on its networks.
pub fn replica(service: &DesiredObject, index: u32) -> DesiredObject {
    let mut template = match &service.spec {
        ResourceSpec::Service(s) => s.template.clone(),
        ResourceSpec::Container(c) => c.clone(),
        // Only services have replicas; anything else is handed over unchanged.
        _ => return service.clone(),
    };
    let name = crate::model::refs::split_address(&service.address)
        .map(|(_, name, _)| name.to_string())
        .unwrap_or_default();
    // The service publishes its ports once, over its ready replicas (`Provider::balance`);
    // a replica publishing them too would fight its siblings for the host port.
    template.ports.clear();
    // The service's name reaches every replica, `<name>-<n>` this one (LANGUAGE.md §5).
    let aliases = template.aliases.get_or_insert_with(Vec::new);
    if !name.is_empty() {
        for alias in [name.clone(), format!("{name}-{index}")] {
            if !aliases.contains(&alias) {
                aliases.push(alias);
            }
        }
    }
    let address = replica_address(&service.address, index);
    let mut labels = service.labels.clone();
    labels.insert(crate::provider::LABEL_ADDRESS.to_string(), address.clone());
    labels.insert(LABEL_SERVICE.to_string(), service.address.clone());
    DesiredObject {
        address,
        kind: ResourceKind::Container,
        runtime_name: format!("{}-{index}", service.runtime_name),
        spec: ResourceSpec::Container(template),
        spec_hash: service.spec_hash.clone(),
        labels,
        applied: service.applied.clone(),
        references: service.references.clone(),
        stack_dir: service.stack_dir.clone(),
    }
}

/// The template an existing replica was made from, to roll back to: its applied record
/// decoded, with the references of today's template. `None` when the record is missing or
/// unreadable, or holds secrets (the record keeps only their keyed hashes, so the values
/// cannot be restored from it).
pub fn previous_template(current: &ObservedObject, today: &DesiredObject) -> Option<DesiredObject> {
    let record: AppliedRecord = serde_json::from_str(current.applied.as_deref()?).ok()?;
    let spec = ResourceSpec::from_json(ResourceKind::Container, record.spec).ok()?;
    let container = spec.container()?;
    if !container.secrets.is_empty() {
        return None;
    }
    let hash = current.spec_hash.clone()?;
    let mut labels = today.labels.clone();
    labels.insert(LABEL_SPEC_HASH.to_string(), hash.clone());
    let mut service_spec = match &today.spec {
        ResourceSpec::Service(s) => s.clone(),
        _ => return None,
    };
    service_spec.template = container.clone();
    Some(DesiredObject {
        spec: ResourceSpec::Service(service_spec),
        spec_hash: hash,
        labels,
        applied: current.applied.clone()?,
        ..today.clone()
    })
}

/// What applying a service does: bring its replicas to `replicas` copies of `template`,
/// rolling those made from another template per `update`. Saved with the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rollout {
    /// The service's desired object (its hash and applied record are the template's).
    pub template: DesiredObject,
    pub replicas: u32,
    #[serde(default)]
    pub update: UpdateSpec,
    /// The replicas found, in index order (a crashed rollout may have left two for one
    /// index: the newer one and the old one moved aside).
    pub current: Vec<ObservedObject>,
    /// Roll every replica, whatever template it was made from (`replace_triggered_by`, or a
    /// replaced network).
    #[serde(default)]
    pub force: bool,
}

impl Rollout {
    /// The index of a replica found, from its address.
    pub fn index_of(object: &ObservedObject) -> Option<u32> {
        parse_replica(&object.address).map(|(_, i)| i)
    }

    /// Replicas made from another template than today's.
    pub fn stale(&self) -> impl Iterator<Item = &ObservedObject> {
        self.current.iter().filter(move |o| {
            (self.force || o.spec_hash.as_deref() != Some(self.template.spec_hash.as_str()))
                && Rollout::index_of(o).is_some_and(|i| i <= self.replicas)
        })
    }

    /// The headline of the plan: "will be rolled: 3 replicas, 1 at a time, start-first".
    pub fn describe(&self) -> Option<String> {
        let found = self
            .current
            .iter()
            .filter_map(Rollout::index_of)
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u32;
        let rolled = self.stale().count();
        let order = match self.update.order() {
            crate::model::service::UpdateOrder::StartFirst => "start-first",
            crate::model::service::UpdateOrder::StopFirst => "stop-first",
        };
        let p = self.update.parallelism().max(1);
        let mut parts = Vec::new();
        if rolled > 0 {
            parts.push(format!(
                "will be rolled: {} replica{}, {p} at a time, {order}",
                self.replicas.min(found),
                if self.replicas.min(found) == 1 {
                    ""
                } else {
                    "s"
                }
            ));
        }
        if found != self.replicas {
            parts.push(format!(
                "{} from {found} to {} replica{}",
                if parts.is_empty() {
                    "will be scaled"
                } else {
                    "and scaled"
                },
                self.replicas,
                if self.replicas == 1 { "" } else { "s" }
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_addresses_round_trip() {
        assert_eq!(replica_address("service.api", 3), "service.api#3");
        assert_eq!(parse_replica("service.api#3"), Some(("service.api", 3)));
        assert_eq!(
            parse_replica("service.api[\"a\"]#12"),
            Some(("service.api[\"a\"]", 12))
        );
        assert_eq!(parse_replica("service.api#0"), None);
        assert_eq!(parse_replica("container.api#1"), None);
        assert_eq!(parse_replica("service.api"), None);
        assert_eq!(object_kind("service.api#1"), Some(ResourceKind::Container));
        assert_eq!(object_kind("service.api"), Some(ResourceKind::Service));
        assert_eq!(object_kind("network.n"), Some(ResourceKind::Network));
    }
}
