//! A container's place on its networks, made at `create` and kept until `delete`: a named
//! network namespace (`/run/netns/stackc-<id>`, which outlives the container's processes, so
//! its addresses stay through restarts), one veth pair per network (`eth0`, `eth1`… inside,
//! on the network's bridge outside), an address from each network's record, the default
//! route through the first network's gateway; `/etc/hosts` listing the container and every
//! container of its networks; and its `port` blocks as DNAT rules in an nft table of its own.
//! The shim joins the namespace instead of making a new one.

use crate::error::{NativeError, Result};
use crate::netcmd;
use crate::network::{self, NetworkRecord};
use crate::store::Store;
use sha2::Digest;
use stackc_engine::model::container::{ContainerSpec, Protocol};
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::PathBuf;

/// The namespace's name for container `id`.
pub fn name(id: &str) -> String {
    format!("stackc-{id}")
}

pub fn path(id: &str) -> PathBuf {
    netcmd::netns_path(&name(id))
}

fn short(id: &str, what: &str) -> String {
    let h = hex::encode(sha2::Sha256::digest(format!("{what}/{id}").as_bytes()));
    h[..10].to_string()
}

/// One attachment of a container.
pub struct Attachment {
    pub network: NetworkRecord,
    pub address: Ipv4Addr,
}

/// Makes the namespace and attaches it to `networks` (runtime names, first = default
/// route). On failure, what was made is undone.
pub fn make(store: &Store, id: &str, networks: &[String]) -> Result<Vec<Attachment>> {
    let made = attach(store, id, networks);
    if made.is_err() {
        let _ = remove(store, id);
    }
    made
}

fn attach(store: &Store, id: &str, networks: &[String]) -> Result<Vec<Attachment>> {
    let ns = name(id);
    let mut out = Vec::new();
    {
        let _lock = store.lock()?;
        for net in networks {
            let (record, address) = network::allocate(store, net, id)?;
            out.push(Attachment {
                network: record,
                address,
            });
        }
    }
    // Two `ip` processes in all: the host side, then the inside of the namespace.
    let mut host = vec![format!("netns add {ns}")];
    let mut inside = vec!["link set lo up".to_string()];
    for (n, a) in out.iter().enumerate() {
        let outer = format!("vk{}", short(id, &format!("{n}")));
        host.push(format!(
            "link add {outer} type veth peer name eth{n} netns {ns}"
        ));
        host.push(format!("link set {outer} master {} up", a.network.bridge));
        inside.push(format!("link set eth{n} address {}", mac_of(a.address)));
        inside.push(format!(
            "addr add {}/{} dev eth{n}",
            a.address, a.network.prefix
        ));
        inside.push(format!("link set eth{n} up"));
    }
    // An `internal` network has no way out, so no default route through it.
    if let Some(first) = out.first().filter(|a| !a.network.internal) {
        inside.push(format!("route add default via {}", first.network.gateway));
    }
    netcmd::batch(None, &host)?;
    netcmd::batch(Some(&ns), &inside)?;
    Ok(out)
}

/// The MAC address of the interface holding `ip`: `02:42` and the address's four bytes, as
/// Docker does. An address handed out again (a replica's successor) keeps its MAC, so the
/// neighbour entries the host and other containers still hold for it stay right; with a
/// random MAC they would send to the removed container's interface until they expire.
pub fn mac_of(ip: Ipv4Addr) -> String {
    let [a, b, c, d] = ip.octets();
    format!("02:42:{a:02x}:{b:02x}:{c:02x}:{d:02x}")
}

/// Removes the namespace (and with it the veths), the port rules and the addresses.
pub fn remove(store: &Store, id: &str) -> Result<()> {
    use crate::container::record::{self, NetMode};
    if let Ok(r) = record::load(store, id) {
        if let NetMode::Bridge(b) = &r.run.network {
            for (_, ip) in &b.addresses {
                netcmd::conntrack_forget(*ip);
            }
        }
    }
    let table = format!("stackc_p{}", short(id, "ports"));
    let _ = netcmd::nft(&format!("add table ip {table}\ndelete table ip {table}\n"));
    netcmd::netns_del(&name(id))?;
    let _lock = store.lock()?;
    network::release(store, id)
}

/// Publishes the container's `port` blocks to `address` on `bridge`: DNAT for traffic from
/// other hosts and from the host itself (127.0.0.1 included, with loopback sources
/// masqueraded so that replies find their way back).
pub fn publish(id: &str, c: &ContainerSpec, address: Ipv4Addr, bridge: &str) -> Result<()> {
    if c.ports.is_empty() {
        return Ok(());
    }
    netcmd::route_localnet(bridge)?;
    let table = format!("stackc_p{}", short(id, "ports"));
    let mut script = format!(
        "add table ip {table}\n\
         add chain ip {table} pre {{ type nat hook prerouting priority -110 ; }}\n\
         add chain ip {table} out {{ type nat hook output priority -110 ; }}\n\
         add chain ip {table} post {{ type nat hook postrouting priority 110 ; }}\n\
         add rule ip {table} post ip saddr 127.0.0.0/8 ip daddr {address} masquerade\n"
    );
    for p in &c.ports {
        let proto = match p.protocol() {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        };
        let daddr = match p.host_ip() {
            ip if ip.is_unspecified() => "fib daddr type local".to_string(),
            ip => format!("ip daddr {ip}"),
        };
        for chain in ["pre", "out"] {
            let _ = writeln!(
                script,
                "add rule ip {table} {chain} {daddr} {proto} dport {} dnat to {address}:{}",
                p.host_port(),
                p.container
            );
        }
    }
    netcmd::nft(&script)
}

/// `/etc/hosts` of a container: localhost, then every container of the stack on a network
/// it shares, by address: runtime name, block name and aliases.
pub fn hosts_file(entries: &[(Ipv4Addr, Vec<String>)]) -> String {
    let mut out = String::from("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    for (ip, names) in entries {
        let _ = writeln!(out, "{ip}\t{}", names.join(" "));
    }
    out
}

/// The host's `/etc/resolv.conf` without loopback resolvers (unreachable from inside).
pub fn resolv_conf() -> String {
    let host = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    host.lines()
        .filter(|l| {
            !l.trim_start().starts_with("nameserver")
                || !l
                    .split_whitespace()
                    .nth(1)
                    .is_some_and(|a| a.starts_with("127.") || a == "::1")
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Writes `text` into `path` in place (same inode), so that a bind mount of it sees the new
/// content, as Docker does for `/etc/hosts`.
pub fn rewrite_in_place(path: &std::path::Path, text: &str) -> Result<()> {
    use std::io::Write;
    // Never created here: a file that is gone belongs to a container being deleted.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .map_err(NativeError::io(path))?;
    f.write_all(text.as_bytes()).map_err(NativeError::io(path))
}

/// The name a container answers to besides its runtime name: its block's (`container.web`
/// → `web`), or `<service>-<n>` for a service's replica (`service.api#2` → `api-2`); none
/// for an instance of `count`/`for_each`, whose block name is shared.
pub fn block_name(address: &str) -> Option<String> {
    if let Some((service, n)) = stackc_engine::service::parse_replica(address) {
        let name = service.split_once('.')?.1;
        return (!name.contains('[')).then(|| format!("{name}-{n}"));
    }
    let name = address.split_once('.')?.1;
    (!name.contains('[')).then(|| name.to_string())
}

/// Rewrites the `/etc/hosts` of every container on a bridge network: itself and every
/// container sharing one of its networks, by address and names.
pub fn refresh_hosts(store: &Store) -> Result<()> {
    use crate::container::record::{self, NetMode};
    // One refresh at a time: concurrent creates and deletes each refresh every file.
    let _lock = store.lock()?;
    let records = record::all(store)?;
    let attached: Vec<(&record::ContainerRecord, &record::BridgeAttachments)> = records
        .iter()
        .filter_map(|r| match &r.run.network {
            NetMode::Bridge(b) => Some((r, b)),
            _ => None,
        })
        .collect();
    for (r, mine) in &attached {
        let mut entries: Vec<(Ipv4Addr, Vec<String>)> = Vec::new();
        for (_, theirs) in &attached {
            // Their address on the first network we share.
            let shared = mine.addresses.iter().find_map(|(net, _)| {
                theirs
                    .addresses
                    .iter()
                    .find(|(n, _)| n == net)
                    .map(|(_, ip)| *ip)
            });
            if let Some(ip) = shared {
                entries.push((ip, theirs.names.clone()));
            }
        }
        entries.sort();
        let path = store.container(&r.id).join("hosts");
        match rewrite_in_place(&path, &hosts_file(&entries)) {
            // A container being deleted meanwhile: nothing to keep current.
            Err(NativeError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

/// A service's published ports over `backends` (its ready replicas, by container id): DNAT
/// rules in an nft table of the service's own that pick a replica round-robin (`numgen
/// inc`); conntrack keeps a connection on its replica, so one taken out is drained. With no
/// backends the table goes. The same design as the Docker provider's (its `balance.rs`).
pub fn balance(
    store: &Store,
    service: &stackc_engine::provider::DesiredObject,
    backends: &[String],
) -> Result<()> {
    use crate::container::record::{self, NetMode};
    let table = format!(
        "stackc_s{}",
        short(
            &format!("{}/{}", service.stack(), service.address),
            "service"
        )
    );
    let drop_table = format!("add table ip {table}\ndelete table ip {table}\n");
    let Some(template) = service.spec.container() else {
        return Ok(());
    };
    let mut addresses = Vec::new();
    for id in backends {
        let r = record::load(store, id)?;
        let NetMode::Bridge(b) = &r.run.network else {
            return Err(NativeError::Unsupported(format!(
                "`{}` is on no bridge network, so its service's ports cannot reach it",
                r.meta.runtime_name
            )));
        };
        let Some((net, ip)) = b.addresses.first() else {
            continue;
        };
        netcmd::route_localnet(&network::load(store, net)?.bridge)?;
        addresses.push(*ip);
    }
    if addresses.is_empty() || template.ports.is_empty() {
        return netcmd::nft(&drop_table);
    }
    let map: Vec<String> = addresses
        .iter()
        .enumerate()
        .map(|(i, ip)| format!("{i} : {ip}"))
        .collect();
    let mut script = format!(
        "{drop_table}add table ip {table}\n\
         add chain ip {table} pre {{ type nat hook prerouting priority -110 ; }}\n\
         add chain ip {table} out {{ type nat hook output priority -110 ; }}\n\
         add chain ip {table} post {{ type nat hook postrouting priority 110 ; }}\n\
         add rule ip {table} post ip saddr 127.0.0.0/8 oifname != \"lo\" masquerade\n"
    );
    for p in &template.ports {
        let proto = match p.protocol() {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        };
        let daddr = match p.host_ip() {
            ip if ip.is_unspecified() => "fib daddr type local".to_string(),
            ip => format!("ip daddr {ip}"),
        };
        for chain in ["pre", "out"] {
            let _ = writeln!(
                script,
                "add rule ip {table} {chain} {daddr} {proto} dport {} dnat to numgen inc mod {} map {{ {} }} : {}",
                p.host_port(),
                addresses.len(),
                map.join(", "),
                p.container
            );
        }
    }
    netcmd::nft(&script)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_follow_addresses() {
        assert_eq!(mac_of(Ipv4Addr::new(10, 89, 0, 5)), "02:42:0a:59:00:05");
    }

    #[test]
    fn block_names() {
        assert_eq!(block_name("container.web").as_deref(), Some("web"));
        assert_eq!(block_name("service.api#2").as_deref(), Some("api-2"));
        assert_eq!(block_name("container.web[0]"), None);
    }

    #[test]
    fn hosts_and_resolv() {
        let text = hosts_file(&[(
            Ipv4Addr::new(10, 89, 0, 2),
            vec!["s-web".into(), "web".into()],
        )]);
        assert!(text.contains("10.89.0.2\ts-web web\n"));
        assert!(text.starts_with("127.0.0.1\tlocalhost\n"));
    }
}
