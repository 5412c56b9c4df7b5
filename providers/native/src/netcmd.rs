//! Every change the native runtime makes to the host's network, one small named function
//! each: links and addresses through iproute2's `ip`, rules through `nft` (one transaction per
//! script) and, where Docker's `FORWARD` policy would drop a bridge's traffic, `iptables`.
//! Shelling out keeps each step what an administrator would type; rtnetlink is the planned
//! replacement for the `ip` calls (docs/providers/native.md, "Networks").

use crate::error::{NativeError, Result};
use std::io::Write as _;
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};

/// Runs `program args…`; `tolerated` are stderr fragments that mean "already so".
fn run(program: &str, args: &[&str], tolerated: &[&str]) -> Result<()> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            NativeError::failed(
                format!("running {program}"),
                format!("{e} (the native provider's networks need iproute2 and nftables)"),
            )
        })?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    if tolerated.iter().any(|t| stderr.contains(t)) {
        return Ok(());
    }
    Err(NativeError::failed(
        format!("{program} {}", args.join(" ")),
        stderr.trim().to_string(),
    ))
}

fn ip(netns: Option<&str>, args: &[&str], tolerated: &[&str]) -> Result<()> {
    let mut full = Vec::with_capacity(args.len() + 2);
    if let Some(ns) = netns {
        full.extend(["-n", ns]);
    }
    full.extend_from_slice(args);
    run("ip", &full, tolerated)
}

/// Several `ip` commands in one process (`ip -batch`), in `netns` when given: a container's
/// attachment is a handful of them, and each process costs more than its netlink calls.
pub fn batch(netns: Option<&str>, lines: &[String]) -> Result<()> {
    let mut args = Vec::new();
    if let Some(ns) = netns {
        args.extend(["-n", ns]);
    }
    args.extend(["-batch", "-"]);
    let mut child = Command::new("ip")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| NativeError::failed("running ip", format!("{e}; install iproute2")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(lines.join("\n").as_bytes())
            .map_err(|e| NativeError::failed("talking to ip", e.to_string()))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| NativeError::failed("waiting for ip", e.to_string()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(NativeError::failed(
            format!("ip -batch ({})", lines.join("; ")),
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ))
    }
}

pub fn bridge_add(name: &str) -> Result<()> {
    ip(
        None,
        &["link", "add", "name", name, "type", "bridge"],
        &["File exists"],
    )
}

pub fn link_del(name: &str) -> Result<()> {
    ip(None, &["link", "del", name], &["Cannot find device"])
}

pub fn link_up(name: &str, netns: Option<&str>) -> Result<()> {
    ip(netns, &["link", "set", name, "up"], &[])
}

pub fn addr_add(dev: &str, addr: Ipv4Addr, prefix: u8, netns: Option<&str>) -> Result<()> {
    let cidr = format!("{addr}/{prefix}");
    ip(netns, &["addr", "add", &cidr, "dev", dev], &["File exists"])
}

/// Removes the namespace (its interfaces go with it, and their host ends with them).
pub fn netns_del(name: &str) -> Result<()> {
    ip(None, &["netns", "del", name], &["No such file"])
}

/// Forgets the kernel's connection tracking entries of connections answered by `addr` (a
/// removed container's): a later connection from the same client address and port would
/// otherwise be sent on to the address that no longer answers, as kube-proxy also knows.
/// Without the `conntrack` tool this is skipped (entries then age out by themselves).
pub fn conntrack_forget(addr: Ipv4Addr) {
    let ip = addr.to_string();
    // Exit status 1 means "nothing to delete"; any failure here is harmless.
    let _ = Command::new("conntrack")
        .args(["-D", "-r", &ip])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Where `ip netns add` keeps a named namespace (a bind mount that outlives its processes).
pub fn netns_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new("/run/netns").join(name)
}

pub fn enable_forwarding() -> Result<()> {
    sysctl("/proc/sys/net/ipv4/ip_forward", "1")
}

/// Lets the host's own traffic to 127.0.0.1 leave through `bridge` after DNAT.
pub fn route_localnet(bridge: &str) -> Result<()> {
    sysctl(
        &format!("/proc/sys/net/ipv4/conf/{bridge}/route_localnet"),
        "1",
    )
}

fn sysctl(path: &str, value: &str) -> Result<()> {
    std::fs::write(path, value)
        .map_err(|e| NativeError::failed(format!("setting {path} to {value}"), e.to_string()))
}

/// Runs an nft script as one transaction.
pub fn nft(script: &str) -> Result<()> {
    let mut child = Command::new("nft")
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| NativeError::failed("running nft", format!("{e}; install nftables")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(script.as_bytes())
            .map_err(|e| NativeError::failed("talking to nft", e.to_string()))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| NativeError::failed("waiting for nft", e.to_string()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(NativeError::failed(
            "nft",
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ))
    }
}

/// With Docker on the host, its `FORWARD` policy is DROP (and `br_netfilter` makes even
/// traffic within one bridge pass it): the bridge's traffic is accepted in `DOCKER-USER`
/// (or `FORWARD` without Docker) — within the bridge always, out of it unless `internal`.
/// `add = false` removes the rules. Without iptables there is no such policy to answer.
pub fn forward_accept(bridge: &str, internal: bool, add: bool) -> Result<()> {
    if Command::new("iptables").arg("--version").output().is_err() {
        return Ok(());
    }
    let chain = if run("iptables", &["-n", "-L", "DOCKER-USER"], &[]).is_ok() {
        "DOCKER-USER"
    } else {
        "FORWARD"
    };
    let mut rules: Vec<Vec<&str>> = vec![vec!["-i", bridge, "-o", bridge]];
    if !internal {
        rules.push(vec!["-i", bridge]);
        rules.push(vec![
            "-o",
            bridge,
            "-m",
            "conntrack",
            "--ctstate",
            "RELATED,ESTABLISHED,DNAT",
        ]);
    }
    for rule in rules {
        let mut check = vec!["-C", chain];
        check.extend(&rule);
        check.extend(["-j", "ACCEPT"]);
        let present = run("iptables", &check, &[]).is_ok();
        if add && !present {
            let mut insert = vec!["-I", chain];
            insert.extend(&rule);
            insert.extend(["-j", "ACCEPT"]);
            run("iptables", &insert, &[])?;
        } else if !add && present {
            let mut delete = vec!["-D", chain];
            delete.extend(&rule);
            delete.extend(["-j", "ACCEPT"]);
            run("iptables", &delete, &[])?;
        }
    }
    Ok(())
}

/// Every IPv4 network the host routes to directly or through a gateway (from
/// `/proc/net/route`), the default route left out: a subnet given to a new network must
/// overlap none of them.
pub fn host_networks() -> Result<Vec<(Ipv4Addr, u8)>> {
    let text = std::fs::read_to_string("/proc/net/route")
        .map_err(|e| NativeError::failed("reading /proc/net/route", e.to_string()))?;
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(dest), Some(mask)) = (fields.get(1), fields.get(7)) else {
            continue;
        };
        let (Ok(dest), Ok(mask)) = (u32::from_str_radix(dest, 16), u32::from_str_radix(mask, 16))
        else {
            continue;
        };
        // The kernel prints the address's bytes as a little-endian number.
        let le = |n: u32| u32::from_le_bytes(n.to_be_bytes());
        let (dest, mask) = (le(dest), le(mask));
        if mask == 0 {
            continue;
        }
        out.push((Ipv4Addr::from(dest), mask.count_ones() as u8));
    }
    Ok(out)
}
