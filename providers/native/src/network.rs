//! Networks: a Linux bridge per `network`, with its subnet's first address on the bridge, an
//! address record (IPAM) in `networks/<name>.json`, and its outward rules in an nftables
//! table of its own (`ip stackc_n<hash>`: masquerade of what leaves the subnet, unless the
//! network is `internal`). A container joins through a veth pair whose inner end is `eth<n>`
//! in the container's network namespace (see `container::netns`).
//!
//! Links and addresses are made with iproute2's `ip` and rules with `nft`, each call small
//! and named in [`crate::netcmd`]; moving to rtnetlink is the next step (docs/providers/
//! native.md, "Networks").

use crate::error::{NativeError, Result};
use crate::netcmd;
use crate::store::{self, check_name, read_json, write_json, Meta, Store};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use stackc_engine::model::{ResourceKind, ResourceSpec};
use stackc_engine::provider::{DesiredObject, ObservedObject};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;

/// Where subnets are allocated from when a network names none: /24s of this /16.
const POOL: [u8; 2] = [10, 89];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkRecord {
    #[serde(flatten)]
    pub meta: Meta,
    pub bridge: String,
    /// The network address of the subnet and its prefix length.
    pub subnet: Ipv4Addr,
    pub prefix: u8,
    pub gateway: Ipv4Addr,
    pub internal: bool,
    /// Container id → its address on this network.
    #[serde(default)]
    pub allocations: BTreeMap<String, Ipv4Addr>,
}

impl NetworkRecord {
    pub fn cidr(&self) -> String {
        format!("{}/{}", self.subnet, self.prefix)
    }

    fn contains(&self, ip: Ipv4Addr) -> bool {
        let mask = prefix_mask(self.prefix);
        u32::from(ip) & mask == u32::from(self.subnet) & mask
    }
}

fn prefix_mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

fn path(store: &Store, name: &str) -> PathBuf {
    store.networks().join(format!("{name}.json"))
}

/// `sk` + 10 hex digits: unique per network, within the kernel's 15 characters.
pub fn bridge_name(runtime_name: &str) -> String {
    let h = hex::encode(sha2::Sha256::digest(runtime_name.as_bytes()));
    format!("sk{}", &h[..10])
}

/// The nft table of a network's rules.
pub fn table_name(runtime_name: &str) -> String {
    let h = hex::encode(sha2::Sha256::digest(runtime_name.as_bytes()));
    format!("stackc_n{}", &h[..10])
}

pub fn load(store: &Store, name: &str) -> Result<NetworkRecord> {
    check_name(name)?;
    read_json(&path(store, name))?
        .ok_or_else(|| NativeError::NotFound(format!("the network {name}")))
}

pub fn save(store: &Store, record: &NetworkRecord) -> Result<()> {
    write_json(&path(store, &record.meta.runtime_name), record)
}

pub fn all(store: &Store) -> Result<Vec<NetworkRecord>> {
    let dir = store.networks();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .map_err(NativeError::io(&dir))?
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "json") {
            if let Some(r) = read_json::<NetworkRecord>(&entry.path())? {
                out.push(r);
            }
        }
    }
    Ok(out)
}

pub fn create(store: &Store, desired: &DesiredObject) -> Result<ObservedObject> {
    let ResourceSpec::Network(spec) = &desired.spec else {
        return Err(NativeError::Unsupported("not a network".into()));
    };
    check_name(&desired.runtime_name)?;
    let _lock = store.lock()?;
    let existing = all(store)?;
    if existing
        .iter()
        .any(|n| n.meta.runtime_name == desired.runtime_name)
    {
        return Err(NativeError::AlreadyExists(format!(
            "the network {}",
            desired.runtime_name
        )));
    }
    let (subnet, prefix) = match &spec.subnet {
        Some(cidr) => match cidr.net() {
            ipnet::IpNet::V4(n) => (n.network(), n.prefix_len()),
            ipnet::IpNet::V6(_) => {
                return Err(NativeError::Unsupported(
                    "the native provider has IPv4 networks only".into(),
                ))
            }
        },
        None => (free_subnet(&existing)?, 24),
    };
    let gateway = match spec.gateway.as_ref().map(|g| g.addr()) {
        Some(std::net::IpAddr::V4(g)) => g,
        Some(_) => {
            return Err(NativeError::Unsupported(
                "the native provider has IPv4 networks only".into(),
            ))
        }
        None => Ipv4Addr::from(u32::from(subnet) + 1),
    };
    let record = NetworkRecord {
        meta: Meta::of(desired),
        bridge: bridge_name(&desired.runtime_name),
        subnet,
        prefix,
        gateway,
        internal: spec.internal.unwrap_or(false),
        allocations: BTreeMap::new(),
    };
    // The record first: a crash after it leaves something `delete` can find and remove.
    save(store, &record)?;
    if let Err(e) = make(&record) {
        let _ = unmake(&record);
        let _ = store::remove_file(&path(store, &record.meta.runtime_name));
        return Err(e);
    }
    Ok(record
        .meta
        .observed(ResourceKind::Network, &desired.runtime_name))
}

/// The bridge, its address, and the network's rules.
fn make(r: &NetworkRecord) -> Result<()> {
    netcmd::bridge_add(&r.bridge)?;
    netcmd::addr_add(&r.bridge, r.gateway, r.prefix, None)?;
    netcmd::link_up(&r.bridge, None)?;
    netcmd::enable_forwarding()?;
    let table = table_name(&r.meta.runtime_name);
    // Containers on different networks cannot reach each other, as with Docker: what
    // comes in on this bridge goes out on no other stackc bridge (a drop is final).
    let mut script = format!(
        "add table ip {table}\n\
         add chain ip {table} post {{ type nat hook postrouting priority 100 ; }}\n\
         add chain ip {table} isolate {{ type filter hook forward priority -5 ; }}\n\
         add rule ip {table} isolate iifname \"{bridge}\" oifname \"sk*\" oifname != \"{bridge}\" drop\n",
        bridge = r.bridge
    );
    if !r.internal {
        script.push_str(&format!(
            "add rule ip {table} post ip saddr {} oifname != \"{}\" masquerade\n",
            r.cidr(),
            r.bridge
        ));
    }
    netcmd::nft(&script)?;
    netcmd::forward_accept(&r.bridge, r.internal, true)
}

/// Undoes [`make`]; each step tolerates what is already gone.
fn unmake(r: &NetworkRecord) -> Result<()> {
    let _ = netcmd::forward_accept(&r.bridge, r.internal, false);
    let table = table_name(&r.meta.runtime_name);
    let _ = netcmd::nft(&format!("add table ip {table}\ndelete table ip {table}\n"));
    netcmd::link_del(&r.bridge)
}

/// A free /24 of the pool: used by no network record and overlapping no address or route of
/// the host (Docker's networks included).
fn free_subnet(existing: &[NetworkRecord]) -> Result<Ipv4Addr> {
    let taken = netcmd::host_networks()?;
    for third in 0..=255u8 {
        let candidate = Ipv4Addr::new(POOL[0], POOL[1], third, 0);
        let c = u32::from(candidate);
        let clash_record = existing.iter().any(|n| {
            n.contains(candidate) || {
                let mask = prefix_mask(24);
                u32::from(n.subnet) & mask == c
            }
        });
        let clash_host = taken.iter().any(|(net, prefix)| {
            let p = (*prefix).min(24);
            let mask = prefix_mask(p);
            u32::from(*net) & mask == c & mask
        });
        if !clash_record && !clash_host {
            return Ok(candidate);
        }
    }
    Err(NativeError::failed(
        "allocating a subnet",
        "every /24 of 10.89.0.0/16 is in use; give the network a `subnet`",
    ))
}

/// Takes a free address of `network` for the container `id` (the store lock is held by the
/// caller); an address it already holds is kept.
pub fn allocate(store: &Store, network: &str, id: &str) -> Result<(NetworkRecord, Ipv4Addr)> {
    let mut r = load(store, network)?;
    if let Some(ip) = r.allocations.get(id) {
        return Ok((r.clone(), *ip));
    }
    // An address held for a container that no longer exists (an apply killed between the
    // allocation and the container's record) is free again.
    r.allocations
        .retain(|holder, _| store.container(holder).is_dir());
    let first = u32::from(r.subnet) + 1;
    let size = 1u32 << (32 - u32::from(r.prefix.min(30)));
    let last = u32::from(r.subnet) + size - 2;
    let used: Vec<Ipv4Addr> = r.allocations.values().copied().collect();
    let ip = (first..=last)
        .map(Ipv4Addr::from)
        .find(|ip| *ip != r.gateway && !used.contains(ip))
        .ok_or_else(|| {
            NativeError::failed(
                format!("the network {network}"),
                "has no free address left; give it a larger `subnet`",
            )
        })?;
    r.allocations.insert(id.to_string(), ip);
    save(store, &r)?;
    Ok((r, ip))
}

/// Gives back every address `id` holds (the store lock is held by the caller).
pub fn release(store: &Store, id: &str) -> Result<()> {
    for mut r in all(store)? {
        if r.allocations.remove(id).is_some() {
            save(store, &r)?;
        }
    }
    Ok(())
}

pub fn observe(store: &Store, stack: &str) -> Result<Vec<ObservedObject>> {
    Ok(all(store)?
        .into_iter()
        .filter(|r| r.meta.stack() == stack)
        .map(|r| {
            let name = r.meta.runtime_name.clone();
            r.meta.observed(ResourceKind::Network, &name)
        })
        .collect())
}

pub fn delete(store: &Store, object: &ObservedObject) -> Result<()> {
    let _lock = store.lock()?;
    let r = load(store, &object.runtime_name)?;
    unmake(&r)?;
    store::remove_file(&path(store, &object.runtime_name))
}
