//! A service's published ports, balanced by the kernel: nftables DNAT rules that spread new
//! connections round-robin (`numgen inc`) over the addresses of the service's ready replicas
//! on their Docker network. Conntrack keeps each connection on the replica it started on, so
//! a replica taken out of the map is drained: it gets no new connections, and the ones it has
//! run on until it is stopped (with its `stop_timeout`).
//!
//! The rules live in a table of stackc's own per stack (`ip stackc_<hash>`), one pair of
//! chains per service (prerouting for other hosts, output for the host itself, 127.0.0.1
//! included), replaced whole at each change by one `nft -f` transaction, so a reader never
//! sees half a map. No maintained crate manages nftables rulesets beyond running `nft`, so
//! this writes nft's own language to it.

use crate::error::DockerError;
use crate::DockerProvider;
use sha2::Digest;
use stackc_engine::model::container::Protocol;
use stackc_engine::provider::{DesiredObject, ObservedObject};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::IpAddr;
use std::process::{Command, Stdio};

/// Publishes `service`'s ports over `backends`; with none, withdraws them (and the table,
/// when no other service of the stack is published).
pub(crate) async fn balance(
    p: &DockerProvider,
    service: &DesiredObject,
    backends: &[ObservedObject],
) -> Result<(), DockerError> {
    let stack = service.stack().to_string();
    let table = table_name(&stack);
    let chain = chain_name(&service.address);
    let Some(template) = service.spec.container() else {
        return Ok(());
    };
    let mut addresses = Vec::new();
    let mut bridges = Vec::new();
    for b in backends {
        let c = p.docker.inspect_container(&b.id, None).await?;
        let networks = c
            .network_settings
            .and_then(|n| n.networks)
            .unwrap_or_default();
        // The first network with an address; the service's networks all reach the host.
        let found = networks.iter().find_map(|(_, n)| {
            let ip: IpAddr = n.ip_address.as_deref()?.parse().ok()?;
            Some((ip, n.network_id.clone().unwrap_or_default()))
        });
        let Some((ip, network)) = found else {
            return Err(DockerError::Balance(format!(
                "`{}` has no address on a network, so its service's ports cannot reach it",
                b.runtime_name
            )));
        };
        addresses.push(ip);
        if !network.is_empty() && !bridges.contains(&network) {
            bridges.push(network);
        }
    }
    if addresses.is_empty() {
        let mut script = format!("add table ip {table}\n");
        for hook in ["pre", "out"] {
            let _ = writeln!(script, "add chain ip {table} {chain}_{hook}");
            let _ = writeln!(script, "flush chain ip {table} {chain}_{hook}");
            let _ = writeln!(script, "delete chain ip {table} {chain}_{hook}");
        }
        nft(&script)?;
        remove_table_if_unused(&table)?;
        return Ok(());
    }
    // Traffic the host sends to 127.0.0.1 leaves through the bridge after DNAT: the bridge
    // must route loopback sources, and they are masqueraded so replies find their way back
    // (Docker does the same for its own ports without the userland proxy).
    for network in &bridges {
        let n = p.docker.inspect_network(network, None).await?;
        let name = n
            .options
            .and_then(|o| o.get("com.docker.network.bridge.name").cloned())
            .unwrap_or_else(|| format!("br-{}", &network[..network.len().min(12)]));
        route_localnet(&name)?;
    }
    let mut script = format!(
        "add table ip {table}\n\
         add chain ip {table} loopback_post {{ type nat hook postrouting priority 110 ; }}\n\
         flush chain ip {table} loopback_post\n\
         add rule ip {table} loopback_post ip saddr 127.0.0.0/8 oifname != \"lo\" masquerade\n"
    );
    for (hook, kind) in [("pre", "prerouting"), ("out", "output")] {
        let _ = writeln!(
            script,
            "add chain ip {table} {chain}_{hook} {{ type nat hook {kind} priority -110 ; }}"
        );
        let _ = writeln!(script, "flush chain ip {table} {chain}_{hook}");
        for port in &template.ports {
            let proto = match port.protocol() {
                Protocol::Tcp => "tcp",
                Protocol::Udp => "udp",
            };
            let daddr = match port.host_ip() {
                ip if ip.is_unspecified() => "fib daddr type local".to_string(),
                ip => format!("ip daddr {ip}"),
            };
            let map: Vec<String> = addresses
                .iter()
                .enumerate()
                .map(|(i, ip)| format!("{i} : {ip}"))
                .collect();
            let _ = writeln!(
                script,
                "add rule ip {table} {chain}_{hook} {daddr} {proto} dport {} dnat to numgen inc mod {} map {{ {} }} : {}",
                port.host_port(),
                addresses.len(),
                map.join(", "),
                port.container
            );
        }
    }
    nft(&script)
}

/// `stackc_<12 hex>`: nft names allow letters, digits and `_`, stack names more.
fn table_name(stack: &str) -> String {
    format!(
        "stackc_{}",
        &hex::encode(sha2::Sha256::digest(stack.as_bytes()))[..12]
    )
}

fn chain_name(address: &str) -> String {
    format!(
        "svc_{}",
        &hex::encode(sha2::Sha256::digest(address.as_bytes()))[..12]
    )
}

/// Runs an nft script as one transaction.
fn nft(script: &str) -> Result<(), DockerError> {
    let mut child = Command::new("nft")
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            DockerError::Balance(format!(
                "cannot run `nft` to publish a service's ports ({e}); install nftables"
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(script.as_bytes())
            .map_err(|e| DockerError::Balance(format!("cannot talk to `nft`: {e}")))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| DockerError::Balance(format!("`nft` did not finish: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(DockerError::Balance(format!(
            "nft refused the service's port rules: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Deletes the stack's table once no service chain is left in it.
fn remove_table_if_unused(table: &str) -> Result<(), DockerError> {
    let out = Command::new("nft")
        .args(["list", "table", "ip", table])
        .output()
        .map_err(|e| DockerError::Balance(format!("cannot run `nft`: {e}")))?;
    let listing = String::from_utf8_lossy(&out.stdout);
    if !listing.contains("chain svc_") {
        nft(&format!("delete table ip {table}\n"))?;
    }
    Ok(())
}

/// `net.ipv4.conf.<bridge>.route_localnet = 1`.
fn route_localnet(bridge: &str) -> Result<(), DockerError> {
    if bridge.contains('/') || bridge.contains("..") {
        return Err(DockerError::Balance(format!(
            "`{bridge}` is not an interface name"
        )));
    }
    let path = format!("/proc/sys/net/ipv4/conf/{bridge}/route_localnet");
    std::fs::write(&path, "1").map_err(|e| {
        DockerError::Balance(format!(
            "cannot let {bridge} carry traffic to 127.0.0.1 ({path}: {e}); the Docker daemon \
             must be local for a service's ports"
        ))
    })
}
