//! The resource model: typed specs for every resource kind of LANGUAGE.md §5, decoded from the
//! evaluator's values with serde ([`stackc_lang::de`]), and the schema table that says how each
//! attribute changes ([`mod@schema`]).
//!
//! Specs hold what the user wrote: unset attributes are `None` (repeated blocks empty) and
//! defaults come from accessor methods, so `config` can print attributes as written and the diff
//! can tell "unset" from "set to the default". Domain strings (durations, sizes, CPUs, CIDRs…)
//! keep their text and their parsed value ([`domain`]).
//!
//! [`decode`] turns a whole [`Config`] into a [`DesiredStack`], reporting every problem of every
//! resource at once.

pub(crate) mod check;
pub mod container;
mod decode;
pub mod domain;
pub(crate) mod hooks;
pub mod image;
pub mod live;
pub mod network;
pub mod provider;
pub mod quota;
pub mod refs;
pub mod schema;
pub mod service;
pub mod volume;

pub use container::ContainerSpec;
pub use decode::{decode, decode_resource};
pub use domain::{Cpu, Duration, Size};
pub use hooks::Hooks;
pub use image::ImageSpec;
pub use network::NetworkSpec;
pub use provider::ProviderSettings;
pub use quota::{Limits, QuotaSpec};
pub use refs::{ImageUse, MountSource, NetworkMode, Ref};
pub use schema::{schema, ChangeKind, KindSchema};
pub use service::ServiceSpec;
pub use volume::VolumeSpec;

use serde::{Deserialize, Serialize};
#[allow(unused_imports)] // for doc links
use stackc_lang::eval::Config;
use stackc_lang::eval::{Dependency, InstanceKey, Lifecycle};
use stackc_lang::source::Span;
use stackc_lang::value::{SeqKind, Value, ValueKind};
use std::collections::BTreeMap;
use std::fmt;

/// The resource kinds, in the order of LANGUAGE.md §4.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    Image,
    #[default]
    Container,
    Network,
    Volume,
    Quota,
    Service,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 6] = [
        ResourceKind::Image,
        ResourceKind::Container,
        ResourceKind::Network,
        ResourceKind::Volume,
        ResourceKind::Quota,
        ResourceKind::Service,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Image => "image",
            ResourceKind::Container => "container",
            ResourceKind::Network => "network",
            ResourceKind::Volume => "volume",
            ResourceKind::Quota => "quota",
            ResourceKind::Service => "service",
        }
    }

    pub fn parse(s: &str) -> Option<ResourceKind> {
        ResourceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// An address for examples in messages: `image.web`, `network.backend`.
    pub fn example(self) -> &'static str {
        match self {
            ResourceKind::Image => "image.web",
            ResourceKind::Container => "container.db",
            ResourceKind::Network => "network.backend",
            ResourceKind::Volume => "volume.data",
            ResourceKind::Quota => "quota.team",
            ResourceKind::Service => "service.api",
        }
    }

    /// `an image reference like image.web`
    pub fn reference_like(self) -> String {
        let article = if self == ResourceKind::Image {
            "an"
        } else {
            "a"
        };
        format!("{article} {self} reference like {}", self.example())
    }

    /// Objects of this kind run a process (containers, services' replicas): they are
    /// started once made, and can be found stopped.
    pub fn runs(self) -> bool {
        matches!(self, ResourceKind::Container | ResourceKind::Service)
    }

    pub fn schema(self) -> &'static KindSchema {
        // Every kind has a table; `schema::tests` checks it.
        let all = schema::kinds();
        all.iter().find(|k| k.kind == self).unwrap_or(&all[0])
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decoded resource spec.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ResourceSpec {
    Image(ImageSpec),
    Container(ContainerSpec),
    Network(NetworkSpec),
    Volume(VolumeSpec),
    Quota(QuotaSpec),
    Service(ServiceSpec),
}

impl ResourceSpec {
    pub fn kind(&self) -> ResourceKind {
        match self {
            ResourceSpec::Image(_) => ResourceKind::Image,
            ResourceSpec::Container(_) => ResourceKind::Container,
            ResourceSpec::Network(_) => ResourceKind::Network,
            ResourceSpec::Volume(_) => ResourceKind::Volume,
            ResourceSpec::Quota(_) => ResourceKind::Quota,
            ResourceSpec::Service(_) => ResourceKind::Service,
        }
    }

    /// The container spec of a container, or the replica template of a service.
    pub fn container(&self) -> Option<&ContainerSpec> {
        match self {
            ResourceSpec::Container(c) => Some(c),
            ResourceSpec::Service(s) => Some(&s.template),
            _ => None,
        }
    }

    /// The `name` attribute, when set.
    pub fn name_override(&self) -> Option<&str> {
        match self {
            ResourceSpec::Image(s) => s.name.as_deref(),
            ResourceSpec::Container(s) => s.name.as_deref(),
            ResourceSpec::Network(s) => s.name.as_deref(),
            ResourceSpec::Volume(s) => s.name.as_deref(),
            ResourceSpec::Quota(s) => s.name.as_deref(),
            ResourceSpec::Service(s) => s.template.name.as_deref(),
        }
    }

    /// Decodes a spec of `kind` from JSON written by serialising one (a saved plan). Secrets
    /// must have been serialised inside
    /// [`with_secrets_revealed`](domain::with_secrets_revealed).
    pub fn from_json(
        kind: ResourceKind,
        json: serde_json::Value,
    ) -> serde_json::Result<ResourceSpec> {
        Ok(match kind {
            ResourceKind::Image => ResourceSpec::Image(serde_json::from_value(json)?),
            ResourceKind::Container => ResourceSpec::Container(serde_json::from_value(json)?),
            ResourceKind::Network => ResourceSpec::Network(serde_json::from_value(json)?),
            ResourceKind::Volume => ResourceSpec::Volume(serde_json::from_value(json)?),
            ResourceKind::Quota => ResourceSpec::Quota(serde_json::from_value(json)?),
            ResourceKind::Service => ResourceSpec::Service(serde_json::from_value(json)?),
        })
    }
}

/// One resource instance, decoded.
#[derive(Clone, Debug)]
pub struct DesiredResource {
    /// `container.web`, `container.web[0]`, `service.api["a"]`.
    pub address: String,
    pub kind: ResourceKind,
    /// The block's name label: `web`.
    pub name: String,
    pub key: InstanceKey,
    /// The object's name in the runtime: `<stack>-<name><suffix>`, or the `name` attribute.
    pub runtime_name: String,
    pub spec: ResourceSpec,
    /// References, `depends_on` and `replace_triggered_by` edges, plus the implicit edge to
    /// `network.default` for members of the default network.
    pub depends_on: Vec<Dependency>,
    pub lifecycle: Lifecycle,
    pub block_span: Span,
    pub label_span: Span,
    /// The evaluated body, for spans of attributes in later diagnostics (see [`find`]).
    pub body: Value,
    /// Attribute paths (`env.PASSWORD`, `secret.0.value`) whose values are sensitive.
    pub sensitive_paths: Vec<String>,
    /// Not declared by the user: the implicit `default` network.
    pub implicit: bool,
}

impl DesiredResource {
    /// The quota this resource counts against, if any.
    pub fn quota(&self) -> Option<&Ref<refs::QuotaKind>> {
        self.spec.container().and_then(|c| c.quota.as_ref())
    }

    /// How this resource counts against its quota, if it has one.
    pub fn quota_member(&self) -> Option<QuotaMember<'_>> {
        let container = self.spec.container()?;
        let quota = container.quota.as_ref()?;
        let (replicas, surge) = match &self.spec {
            ResourceSpec::Service(s) => (s.replicas(), s.surge()),
            _ => (1, 0),
        };
        Some(QuotaMember {
            resource: self,
            quota,
            limits: container.limits(),
            replicas,
            surge,
        })
    }

    /// True when the path's value is sensitive (it or a parent is in `sensitive_paths`).
    pub fn is_sensitive(&self, path: &str) -> bool {
        self.sensitive_paths.iter().any(|p| {
            path == p
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }
}

/// A container or service as a member of a quota: its own limits per replica, and how many
/// replicas count (a service counts `replicas` plus `surge` during a `start-first` update).
#[derive(Clone, Debug)]
pub struct QuotaMember<'a> {
    pub resource: &'a DesiredResource,
    pub quota: &'a Ref<refs::QuotaKind>,
    /// The member's own limits; the quota's defaults fill the gaps
    /// ([`QuotaSpec::effective`]).
    pub limits: Limits,
    pub replicas: u32,
    pub surge: u32,
}

/// A whole stack, decoded.
#[derive(Clone, Debug, Default)]
pub struct DesiredStack {
    pub name: String,
    /// `stack { provider = "…" }`, with its span.
    pub provider: Option<(String, Span)>,
    pub labels: BTreeMap<String, String>,
    pub providers: BTreeMap<String, ProviderSettings>,
    /// In the order of the files, the implicit `default` network first.
    pub resources: Vec<DesiredResource>,
}

impl DesiredStack {
    pub fn get(&self, address: &str) -> Option<&DesiredResource> {
        self.resources.iter().find(|r| r.address == address)
    }

    pub fn of_kind(&self, kind: ResourceKind) -> impl Iterator<Item = &DesiredResource> {
        self.resources.iter().filter(move |r| r.kind == kind)
    }

    /// The members of the quota at `quota_address` (`quota.team`).
    pub fn quota_members(&self, quota_address: &str) -> Vec<QuotaMember<'_>> {
        self.resources
            .iter()
            .filter_map(DesiredResource::quota_member)
            .filter(|m| m.quota.address() == quota_address)
            .collect()
    }
}

/// The value at `path` in a block body: dot-separated attribute names, block names and indices
/// (`health.http`, `port.1.host`). A block name without an index means its first block.
pub fn find<'v>(body: &'v Value, path: &str) -> Option<&'v Value> {
    let mut cur = body;
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        cur = match &cur.kind {
            ValueKind::Seq(kind, items) => match seg.parse::<usize>() {
                Ok(i) => items.get(i)?,
                Err(_) if *kind == SeqKind::Blocks => items.first()?.as_map()?.get(seg)?,
                Err(_) => return None,
            },
            _ => cur.as_map()?.get(seg)?,
        };
    }
    Some(cur)
}

/// The paths of the sensitive values in a body, plus every `secret` block's `value`.
pub(crate) fn sensitive_paths(body: &Value) -> Vec<String> {
    fn walk(v: &Value, path: &str, out: &mut Vec<String>) {
        if v.sensitive {
            out.push(path.to_string());
            return;
        }
        let join = |seg: &str| {
            if path.is_empty() {
                seg.to_string()
            } else {
                format!("{path}.{seg}")
            }
        };
        match &v.kind {
            ValueKind::Seq(_, items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &join(&i.to_string()), out);
                }
            }
            ValueKind::Map(_, m) => {
                for (k, item) in m.iter() {
                    walk(item, &join(k), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    // Most bodies hold nothing sensitive: skip building the paths of all their values.
    if body.contains_sensitive() {
        walk(body, "", &mut out);
    }
    if let Some(secrets) = body.as_map().and_then(|m| m.get("secret")) {
        for i in 0..secrets.as_seq().map_or(1, <[Value]>::len) {
            let p = format!("secret.{i}.value");
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
