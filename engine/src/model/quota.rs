//! `quota`: an aggregate ceiling over a group of containers and service replicas (LANGUAGE.md §5
//! quota), and the per-member [`Limits`] that admission sums.

use super::domain::{Cpu, Size};
use serde::{Deserialize, Serialize};

/// A `quota` block. Every attribute is changed in place.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "quota")]
pub struct QuotaSpec {
    /// Ceiling on the sum of member CPU limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<Cpu>,
    /// Ceiling on the sum of member memory limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Size>,
    /// Ceiling on the sum of member pid limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids: Option<u64>,
    /// Ceiling on the number of member containers (each replica counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containers: Option<u64>,
    /// Limits given to members that set none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<QuotaDefaults>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The `default` block of a quota.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "default")]
pub struct QuotaDefaults {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<Cpu>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Size>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids: Option<u64>,
}

/// The limits of one container (or one replica) in the dimensions a quota constrains.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    pub cpus: Option<Cpu>,
    pub memory: Option<Size>,
    pub pids: Option<u64>,
}

impl Limits {
    /// These limits, with `defaults` filling the dimensions that are unset.
    pub fn or(&self, defaults: &Limits) -> Limits {
        Limits {
            cpus: self.cpus.clone().or_else(|| defaults.cpus.clone()),
            memory: self.memory.clone().or_else(|| defaults.memory.clone()),
            pids: self.pids.or(defaults.pids),
        }
    }

    /// CPU limit in nano-CPUs.
    pub fn cpu_nanos(&self) -> Option<u64> {
        self.cpus.as_ref().map(Cpu::nanos)
    }

    pub fn memory_bytes(&self) -> Option<u64> {
        self.memory.as_ref().map(Size::bytes)
    }
}

/// A quota's ceilings, as numbers (`None`: the dimension is not constrained).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ceiling {
    pub cpu_nanos: Option<u64>,
    pub memory_bytes: Option<u64>,
    pub pids: Option<u64>,
    pub containers: Option<u64>,
}

impl QuotaSpec {
    /// The limits given to members that set none.
    pub fn default_limits(&self) -> Limits {
        match &self.default {
            Some(d) => Limits {
                cpus: d.cpus.clone(),
                memory: d.memory.clone(),
                pids: d.pids,
            },
            None => Limits::default(),
        }
    }

    pub fn ceiling(&self) -> Ceiling {
        Ceiling {
            cpu_nanos: self.cpus.as_ref().map(Cpu::nanos),
            memory_bytes: self.memory.as_ref().map(Size::bytes),
            pids: self.pids,
            containers: self.containers,
        }
    }

    /// A member's effective limits: its own, else this quota's defaults.
    pub fn effective(&self, own: &Limits) -> Limits {
        own.or(&self.default_limits())
    }
}
