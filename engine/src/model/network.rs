//! `network`: a bridge (or, on swarm, overlay) network (LANGUAGE.md §5 network).

use super::check::Check;
use super::domain::{Cidr, Ip};
use serde::{Deserialize, Serialize};
use stackc_lang::diag::code;
use std::collections::BTreeMap;

/// `network.driver`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkDriver {
    #[default]
    Bridge,
    /// Swarm only.
    Overlay,
}

/// A `network` block. Every attribute forces replacement.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "network")]
pub struct NetworkSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<NetworkDriver>,
    /// Allocated by the provider when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<Cidr>,
    /// The first host of the subnet when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Ip>,
    /// No route outside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl NetworkSpec {
    pub fn driver(&self) -> NetworkDriver {
        self.driver.unwrap_or_default()
    }

    pub fn is_internal(&self) -> bool {
        self.internal.unwrap_or(false)
    }

    pub(crate) fn check(&self, cx: &mut Check<'_>) {
        match (&self.subnet, &self.gateway) {
            (None, Some(_)) => cx.error(
                code::MISSING_ATTRIBUTE,
                "gateway",
                "`gateway` needs `subnet`",
                "set `subnet` too, or leave both to the provider",
            ),
            (Some(subnet), Some(gateway)) => {
                let net = subnet.net();
                if !net.contains(&gateway.addr())
                    || gateway.addr() == net.network()
                    || (net.prefix_len() < net.max_prefix_len().saturating_sub(1)
                        && gateway.addr() == net.broadcast()
                        && matches!(net, ipnet::IpNet::V4(_)))
                {
                    let subnet_span = cx.span("subnet");
                    let d = cx.diagnostic(
                        code::TYPE,
                        "gateway",
                        format!("gateway {gateway} is not a host address of subnet {subnet}"),
                        "choose an address inside the subnet, or leave `gateway` unset for the first host",
                    );
                    cx.push(d.and_label(subnet_span, "the subnet"));
                }
            }
            _ => {}
        }
    }
}
