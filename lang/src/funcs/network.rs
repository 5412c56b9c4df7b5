//! Network functions: `cidrsubnet`, `cidrhost` and `cidrnetmask`, for IPv4 and IPv6.
//!
//! Addresses are computed as 128-bit integers so that IPv6 prefixes of any length work. As in
//! Terraform, a prefix with host bits set (`10.1.2.3/16`) means its network (`10.1.0.0/16`).

use super::{Args, FuncError};
use crate::value::Value;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The prefix argument: the network, its prefix length and its address width (32 or 128).
fn prefix(a: &Args) -> Result<(IpNet, u32, u32), FuncError> {
    let text = a.str(0)?;
    let net: IpNet = text.trim().parse().map_err(|e| {
        a.err(
            0,
            format!(
                "{}: {} is not a valid CIDR prefix: {e}",
                a.fname(),
                a.show(&text)
            ),
        )
        .with_help("write an address and a prefix length, like \"10.0.0.0/16\" or \"fd00::/64\"")
    })?;
    let net = net.trunc();
    let bits = match net {
        IpNet::V4(_) => 32,
        IpNet::V6(_) => 128,
    };
    Ok((net, u32::from(net.prefix_len()), bits))
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn from_u128(n: u128, bits: u32) -> IpAddr {
    if bits == 32 {
        IpAddr::V4(Ipv4Addr::from(n as u32))
    } else {
        IpAddr::V6(Ipv6Addr::from(n))
    }
}

/// 2^n as a u128, or `None` when it does not fit (n = 128).
fn pow2(n: u32) -> Option<u128> {
    1u128.checked_shl(n)
}

pub(super) fn cidrsubnet(a: &Args) -> Result<Value, FuncError> {
    let (net, len, bits) = prefix(a)?;
    let newbits = a.int(1)?;
    let netnum = a.int(2)?;
    if newbits < 0 {
        return Err(a.err(
            1,
            format!("cidrsubnet(): newbits must not be negative ({newbits})"),
        ));
    }
    if i64::from(len) + newbits > i64::from(bits) {
        return Err(a
            .err(1, format!("cidrsubnet(): insufficient address space to extend prefix of {len} by {newbits}"))
            .with_help(format!("an IPv{} prefix is at most {bits} bits long", if bits == 32 { 4 } else { 6 })));
    }
    let newbits = newbits as u32;
    if netnum < 0 || pow2(newbits).is_some_and(|max| netnum as u128 >= max) {
        return Err(a
            .err(2, format!("cidrsubnet(): a prefix extension of {newbits} bits does not accommodate a subnet numbered {netnum}"))
            .with_help(format!(
                "netnum must be between 0 and {}",
                pow2(newbits).map_or_else(|| "2^128 - 1".to_string(), |m| (m - 1).to_string())
            )));
    }
    let new_len = len + newbits;
    let shifted = (netnum as u128).checked_shl(bits - new_len).unwrap_or(0);
    let addr = from_u128(to_u128(net.network()) | shifted, bits);
    Ok(a.string(format!("{addr}/{new_len}")))
}

pub(super) fn cidrhost(a: &Args) -> Result<Value, FuncError> {
    let (net, len, bits) = prefix(a)?;
    let hostnum = a.int(1)?;
    let size = pow2(bits - len); // None: the whole IPv6 space
    let offset = if hostnum >= 0 {
        let h = hostnum as u128;
        size.is_none_or(|s| h < s).then_some(h)
    } else {
        let back = u128::from(hostnum.unsigned_abs());
        match size {
            Some(s) => (back <= s).then(|| s - back),
            None => Some(u128::MAX - (back - 1)),
        }
    };
    let Some(offset) = offset else {
        return Err(a
            .err(
                1,
                format!(
                    "cidrhost(): a prefix of {len} does not accommodate a host numbered {hostnum}"
                ),
            )
            .with_help(match size {
                Some(s) => format!(
                    "host numbers run from 0 to {} (or -{s} to -1, counting from the end)",
                    s - 1
                ),
                None => "use a smaller host number".to_string(),
            }));
    };
    let addr = from_u128(to_u128(net.network()).wrapping_add(offset), bits);
    Ok(a.string(addr.to_string()))
}

pub(super) fn cidrnetmask(a: &Args) -> Result<Value, FuncError> {
    let (net, _, _) = prefix(a)?;
    match net {
        IpNet::V4(v4) => Ok(a.string(v4.netmask().to_string())),
        IpNet::V6(_) => Err(a
            .err(0, "cidrnetmask(): IPv6 networks have no netmask")
            .with_help(
                "netmasks exist only for IPv4; an IPv6 network is described by its prefix length",
            )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn cidrsubnet_v4_and_v6() {
        let cases: &[(&str, f64, f64, &str)] = &[
            ("172.16.0.0/12", 4.0, 2.0, "172.18.0.0/16"),
            ("10.1.2.0/24", 4.0, 15.0, "10.1.2.240/28"),
            ("10.1.2.3/16", 8.0, 5.0, "10.1.5.0/24"),
            ("10.0.0.0/8", 0.0, 0.0, "10.0.0.0/8"),
            ("0.0.0.0/0", 32.0, 1.0, "0.0.0.1/32"),
            (
                "fd00:fd12:3456:7890::/56",
                16.0,
                162.0,
                "fd00:fd12:3456:7800:a200::/72",
            ),
            ("2001:db8::/32", 32.0, 1.0, "2001:db8:0:1::/64"),
            ("::/0", 128.0, 1.0, "::1/128"),
        ];
        for (p, newbits, netnum, want) in cases {
            assert_eq!(
                ok("cidrsubnet", &[s(p), n(*newbits), n(*netnum)]),
                s(want),
                "{p} {newbits} {netnum}"
            );
        }
        let e = fails(
            "cidrsubnet",
            &[s("10.0.0.0/30"), n(4.0), n(0.0)],
            "insufficient address space",
        );
        assert_eq!(e.arg, Some(1));
        assert_eq!(
            fails(
                "cidrsubnet",
                &[s("10.0.0.0/24"), n(2.0), n(4.0)],
                "does not accommodate"
            )
            .arg,
            Some(2)
        );
        fails(
            "cidrsubnet",
            &[s("10.0.0.0/24"), n(2.0), n(-1.0)],
            "does not accommodate",
        );
        fails(
            "cidrsubnet",
            &[s("10.0.0.0/24"), n(-1.0), n(0.0)],
            "negative",
        );
        fails(
            "cidrsubnet",
            &[s("10.0.0.0/24"), n(1.5), n(0.0)],
            "whole number",
        );
        let e = fails(
            "cidrsubnet",
            &[s("10.0.0.0"), n(1.0), n(0.0)],
            "not a valid CIDR prefix",
        );
        assert!(e.help.is_some());
        fails(
            "cidrsubnet",
            &[s("300.0.0.0/8"), n(1.0), n(0.0)],
            "not a valid CIDR prefix",
        );
        fails(
            "cidrsubnet",
            &[s("10.0.0.0/33"), n(1.0), n(0.0)],
            "not a valid CIDR prefix",
        );
    }

    #[test]
    fn cidrhost_counts_from_both_ends() {
        let cases: &[(&str, f64, &str)] = &[
            ("10.12.112.0/20", 16.0, "10.12.112.16"),
            ("10.12.112.0/20", 268.0, "10.12.113.12"),
            ("10.12.112.0/20", -1.0, "10.12.127.255"),
            ("10.12.112.0/20", -4096.0, "10.12.112.0"),
            ("192.168.1.5/32", 0.0, "192.168.1.5"),
            (
                "fd00:fd12:3456:7890:00a2::/72",
                34.0,
                "fd00:fd12:3456:7890::22",
            ),
            ("fd00::/64", -1.0, "fd00::ffff:ffff:ffff:ffff"),
            ("::/0", -1.0, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("::/0", 5.0, "::5"),
        ];
        for (p, h, want) in cases {
            assert_eq!(ok("cidrhost", &[s(p), n(*h)]), s(want), "{p} {h}");
        }
        let e = fails(
            "cidrhost",
            &[s("10.0.0.0/24"), n(256.0)],
            "does not accommodate a host numbered 256",
        );
        assert_eq!(e.arg, Some(1));
        assert!(e.help.is_some());
        fails(
            "cidrhost",
            &[s("10.0.0.0/24"), n(-257.0)],
            "does not accommodate",
        );
        fails(
            "cidrhost",
            &[s("10.0.0.0/32"), n(1.0)],
            "does not accommodate",
        );
        fails("cidrhost", &[s("nope"), n(1.0)], "not a valid CIDR prefix");
    }

    #[test]
    fn cidrnetmask_is_ipv4_only() {
        assert_eq!(ok("cidrnetmask", &[s("172.16.0.0/12")]), s("255.240.0.0"));
        assert_eq!(ok("cidrnetmask", &[s("10.0.0.0/32")]), s("255.255.255.255"));
        assert_eq!(ok("cidrnetmask", &[s("0.0.0.0/0")]), s("0.0.0.0"));
        let e = fails(
            "cidrnetmask",
            &[s("fd00::/64")],
            "IPv6 networks have no netmask",
        );
        assert!(e.help.is_some());
        fails("cidrnetmask", &[s("10.0.0.0")], "not a valid CIDR prefix");
    }
}
