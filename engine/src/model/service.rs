//! `service`: a replicated container with a stable name, load balancing and rolling updates
//! (LANGUAGE.md §5 service).
//!
//! A service block holds every `container` attribute (the replica template) plus `replicas` and
//! `update`. It decodes as one flat block: [`ServiceSpec`]'s `Deserialize` takes `replicas` and
//! `update` out of the block and hands the rest to [`ContainerSpec`]'s, so unknown attributes,
//! missing ones and type errors are reported exactly as for a container.

use super::check::Check;
use super::container::ContainerSpec;
use super::domain::Duration;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use stackc_lang::diag::code;
use std::fmt;

/// `update.order`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpdateOrder {
    #[default]
    StopFirst,
    StartFirst,
}

/// `update.failure_action`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureAction {
    #[default]
    Rollback,
    Pause,
    Continue,
}

/// The `update` block: how a changed template rolls over the replicas.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename = "update")]
pub struct UpdateSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<UpdateOrder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<Duration>,
    /// How long a new replica must stay healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_action: Option<FailureAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_failure_ratio: Option<f64>,
}

impl UpdateSpec {
    pub fn parallelism(&self) -> u32 {
        self.parallelism.unwrap_or(1)
    }
    pub fn order(&self) -> UpdateOrder {
        self.order.unwrap_or_default()
    }
    pub fn delay(&self) -> std::time::Duration {
        self.delay.as_ref().map(Duration::get).unwrap_or_default()
    }
    pub fn monitor(&self) -> std::time::Duration {
        self.monitor
            .as_ref()
            .map(Duration::get)
            .unwrap_or(std::time::Duration::from_secs(5))
    }
    pub fn failure_action(&self) -> FailureAction {
        self.failure_action.unwrap_or_default()
    }
    pub fn max_failure_ratio(&self) -> f64 {
        self.max_failure_ratio.unwrap_or(0.0)
    }
}

/// A `service` block: the replica template and the service's own attributes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceSpec {
    #[serde(flatten)]
    pub template: ContainerSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateSpec>,
}

/// The attributes and blocks of a service: the container's, then `replicas` and `update`.
pub const SERVICE_FIELDS: &[&str] = &[
    "image",
    "command",
    "entrypoint",
    "env",
    "workdir",
    "user",
    "hostname",
    "networks",
    "network_mode",
    "aliases",
    "port",
    "mount",
    "tmpfs",
    "resources",
    "quota",
    "restart",
    "max_restarts",
    "health",
    "read_only",
    "cap_add",
    "cap_drop",
    "privileged",
    "ulimits",
    "sysctls",
    "init",
    "stop_signal",
    "stop_timeout",
    "labels",
    "file",
    "secret",
    "oneshot",
    "name",
    "replicas",
    "update",
];

impl ServiceSpec {
    pub fn replicas(&self) -> u32 {
        self.replicas.unwrap_or(1)
    }

    pub fn update(&self) -> UpdateSpec {
        self.update.clone().unwrap_or_default()
    }

    /// Extra replicas alive during a `start-first` rolling update (admission counts them).
    pub fn surge(&self) -> u32 {
        let u = self.update();
        match u.order() {
            UpdateOrder::StartFirst => u.parallelism().min(self.replicas()),
            UpdateOrder::StopFirst => 0,
        }
    }

    /// The most replicas that run at once: `replicas` plus the surge.
    pub fn peak_replicas(&self) -> u32 {
        self.replicas().saturating_add(self.surge())
    }

    pub(crate) fn check(&self, cx: &mut Check<'_>) {
        self.template.check(cx, true);
        if let Some(u) = &self.update {
            if u.parallelism == Some(0) {
                cx.error(
                    code::TYPE,
                    "update.parallelism",
                    "`parallelism` must be at least 1",
                    "it is how many replicas are replaced at a time",
                );
            }
            if let Some(r) = u.max_failure_ratio {
                if !(0.0..=1.0).contains(&r) {
                    cx.error(
                        code::TYPE,
                        "update.max_failure_ratio",
                        format!(
                            "`max_failure_ratio` must be from 0 to 1, found {}",
                            stackc_lang::value::format_number(r)
                        ),
                        "it is the share of replicas allowed to fail during an update",
                    );
                }
            }
        }
    }
}

impl<'de> Deserialize<'de> for ServiceSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct("service", SERVICE_FIELDS, ServiceVisitor)
    }
}

struct ServiceVisitor;

impl<'de> Visitor<'de> for ServiceVisitor {
    type Value = ServiceSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a service block")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ServiceSpec, A::Error> {
        let mut own = Own::default();
        let template = ContainerSpec::deserialize(de::value::MapAccessDeserializer::new(Split {
            inner: map,
            own: &mut own,
        }))?;
        Ok(ServiceSpec {
            template,
            replicas: own.replicas,
            update: own.update,
        })
    }
}

/// The service's own attributes, taken out of the block.
#[derive(Default)]
struct Own {
    replicas: Option<u32>,
    update: Option<UpdateSpec>,
}

/// The block's entries without `replicas` and `update`, which are decoded on the way.
struct Split<'o, A> {
    inner: A,
    own: &'o mut Own,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Split<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.inner.next_key::<String>()? else {
                return Ok(None);
            };
            match key.as_str() {
                "replicas" => self.own.replicas = self.inner.next_value()?,
                "update" => self.own.update = self.inner.next_value()?,
                _ => {
                    let key: de::value::StringDeserializer<A::Error> = key.into_deserializer();
                    return seed.deserialize(key).map(Some);
                }
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.inner.next_value_seed(seed)
    }
}
