//! Admission: plan-time checks that look across resources (LANGUAGE.md §5 and §7): quotas
//! (`stackc::quota::unbounded`, `stackc::quota::exceeded`), collisions of published ports,
//! runtime names and subnets (`stackc::conflict`), and features the selected provider cannot
//! realise (`stackc::unsupported`). `stackc validate` runs it too, so no provider is contacted.

use crate::model::{find, DesiredResource, DesiredStack, QuotaMember, ResourceSpec};
use stackc_lang::diag::{code, Diagnostic};
use stackc_lang::eval::Config;
use stackc_lang::Span;
use std::collections::HashMap;
use std::net::IpAddr;

/// Runs every admission check. `cli_provider` is `--provider`, which overrides the stack's.
pub fn check(
    config: &Config,
    desired: &DesiredStack,
    cli_provider: Option<&str>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    quotas(desired, &mut out);
    ports(desired, &mut out);
    names(desired, &mut out);
    subnets(desired, &mut out);
    let provider = cli_provider
        .map(str::to_string)
        .or_else(|| config.stack.provider.as_ref().map(|(p, _)| p.clone()))
        .unwrap_or_else(|| "native".to_string());
    unsupported(desired, &provider, &mut out);
    ignore_changes(config, &mut out);
    out
}

/// `lifecycle.ignore_changes` names attributes of the resource's own schema.
fn ignore_changes(config: &Config, out: &mut Vec<Diagnostic>) {
    for r in &config.resources {
        let Some(schema) = crate::model::schema(&r.kind) else {
            continue;
        };
        let Some(paths) = r
            .meta
            .get("lifecycle")
            .and_then(|l| l.as_map())
            .and_then(|l| l.get("ignore_changes"))
            .and_then(|v| v.as_seq())
        else {
            continue;
        };
        for p in paths {
            let Some(path) = p.as_str() else { continue };
            let first = path.split(['.', '[']).next().unwrap_or(path);
            if schema.field(first).is_none() {
                out.push(
                    Diagnostic::error(code::UNKNOWN_ATTRIBUTE, format!("{} has no attribute `{first}` to ignore", r.kind))
                        .at(p.span)
                        .with_label("not an attribute")
                        .with_help("`ignore_changes` lists attributes of this resource, like env or resources.memory")
                        .did_you_mean(first, schema.names()),
                );
            }
        }
    }
}

/// The span of an attribute inside a resource's body, else the resource's label.
fn span_of(r: &DesiredResource, path: &str) -> Span {
    find(&r.body, path).map_or(r.label_span, |v| {
        if v.span == Span::default() {
            r.label_span
        } else {
            v.span
        }
    })
}

/// A dimension a quota can constrain.
struct Dimension {
    name: &'static str,
    unit: fn(u128) -> String,
}

fn cpus(n: u128) -> String {
    let c = n as f64 / 1e9;
    format!("{} CPU{}", trim(c), if c == 1.0 { "" } else { "s" })
}

fn bytes(n: u128) -> String {
    const UNITS: [(&str, u128); 4] = [
        ("TiB", 1 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ];
    for (u, size) in UNITS {
        if n >= size {
            return format!("{}{u}", trim(n as f64 / size as f64));
        }
    }
    format!("{n} bytes")
}

fn count(n: u128) -> String {
    n.to_string()
}

fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn quotas(desired: &DesiredStack, out: &mut Vec<Diagnostic>) {
    for q in desired.resources.iter() {
        let ResourceSpec::Quota(spec) = &q.spec else {
            continue;
        };
        let ceiling = spec.ceiling();
        let members = desired.quota_members(&q.address);
        let dims: [(Dimension, Option<u64>); 4] = [
            (
                Dimension {
                    name: "cpus",
                    unit: cpus,
                },
                ceiling.cpu_nanos,
            ),
            (
                Dimension {
                    name: "memory",
                    unit: bytes,
                },
                ceiling.memory_bytes,
            ),
            (
                Dimension {
                    name: "pids",
                    unit: count,
                },
                ceiling.pids,
            ),
            (
                Dimension {
                    name: "containers",
                    unit: count,
                },
                ceiling.containers,
            ),
        ];
        for (dim, limit) in dims {
            let Some(limit) = limit else { continue };
            // Each member's share: per-replica amount × replicas counted (surge included).
            let mut shares: Vec<(&QuotaMember<'_>, u128, u32)> = Vec::new();
            for m in &members {
                let copies = m.replicas + m.surge;
                let per_copy: Option<u128> = if dim.name == "containers" {
                    Some(1)
                } else {
                    let eff = spec.effective(&m.limits);
                    match dim.name {
                        "cpus" => eff.cpus.as_ref().map(|c| c.nanos() as u128),
                        "memory" => eff.memory.as_ref().map(|s| s.bytes() as u128),
                        _ => eff.pids.map(u128::from),
                    }
                };
                match per_copy {
                    Some(amount) => shares.push((m, amount * u128::from(copies), copies)),
                    None => out.push(
                        Diagnostic::error(
                            code::QUOTA_UNBOUNDED,
                            format!("{} has no {} limit, but {} constrains {}", m.resource.address, dim.name, q.address, dim.name),
                        )
                        .at(span_of(m.resource, "quota"))
                        .with_label(format!("joins {} here", q.address))
                        .and_label(span_of(q, dim.name), format!("{} limits the total {}", q.address, dim.name))
                        .with_help(format!(
                            "give {} a `resources {{ {} = … }}` limit, or add `{} = …` to the `default` block of {}",
                            m.resource.address, dim.name, dim.name, q.address
                        )),
                    ),
                }
            }
            let total: u128 = shares.iter().map(|(_, s, _)| *s).sum();
            if total > u128::from(limit) {
                let mut table = format!("{:<32} {:>10} {:>14}\n", "member", "replicas", dim.name);
                for (m, share, copies) in &shares {
                    let replicas = if m.surge > 0 {
                        format!("{}+{} surge", m.replicas, m.surge)
                    } else {
                        copies.to_string()
                    };
                    table.push_str(&format!(
                        "{:<32} {:>10} {:>14}\n",
                        m.resource.address,
                        replicas,
                        (dim.unit)(*share)
                    ));
                }
                table.push_str(&format!(
                    "{:<32} {:>10} {:>14}\n",
                    "total",
                    "",
                    (dim.unit)(total)
                ));
                table.push_str(&format!(
                    "{:<32} {:>10} {:>14}",
                    format!("{} allows", q.address),
                    "",
                    (dim.unit)(u128::from(limit))
                ));
                let mut d = Diagnostic::error(
                    code::QUOTA_EXCEEDED,
                    format!(
                        "the members of {} need {} of {} in total, above its ceiling of {}",
                        q.address,
                        (dim.unit)(total),
                        dim.name,
                        (dim.unit)(u128::from(limit))
                    ),
                )
                .at(span_of(q, dim.name))
                .with_label(format!("ceiling: {}", (dim.unit)(u128::from(limit))))
                .with_detail(table)
                .with_help(format!(
                    "lower the members' {} limits or replicas, or raise the quota's `{}`",
                    dim.name, dim.name
                ));
                for (m, share, _) in &shares {
                    d = d.and_label(
                        span_of(m.resource, "quota"),
                        format!("{} counts {}", m.resource.address, (dim.unit)(*share)),
                    );
                }
                out.push(d);
            }
        }
    }
}

/// Two publications of the same port collide when their protocols match and their addresses
/// overlap (an unspecified address overlaps every address of its family).
fn ports(desired: &DesiredStack, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<(IpAddr, u16, &'static str, &DesiredResource, Span)> = Vec::new();
    for r in &desired.resources {
        let Some(c) = r.spec.container() else {
            continue;
        };
        for (i, p) in c.ports.iter().enumerate() {
            let ip = p.host_ip();
            let port = p.host_port();
            let proto = p.protocol().as_str();
            let span = span_of(r, &format!("port.{i}"));
            // A port from a sensitive value is not printed.
            let shown =
                if find(&r.body, &format!("port.{i}")).is_some_and(|v| v.contains_sensitive()) {
                    "(sensitive)".to_string()
                } else {
                    format!("{ip}:{port}")
                };
            let clash = seen.iter().find(|(oip, oport, oproto, _, _)| {
                *oport == port
                    && *oproto == proto
                    && (*oip == ip || oip.is_unspecified() || ip.is_unspecified())
                    && oip.is_ipv4() == ip.is_ipv4()
            });
            if let Some((_, _, _, other, other_span)) = clash {
                let same = other.address == r.address;
                out.push(
                    Diagnostic::error(code::CONFLICT, format!("{} publishes {shown}/{proto}, which {} already publishes", r.address, if same { "another instance of it" } else { other.address.as_str() }))
                        .at(span)
                        .with_label("published again here")
                        .and_label(*other_span, "first published here")
                        .with_help(if same {
                            "every instance of a counted resource publishes the same host port; use a service (one published port, load-balanced) or compute the port from count.index".to_string()
                        } else {
                            "choose another host port, or another host_ip".to_string()
                        }),
                );
            } else {
                seen.push((ip, port, proto, r, span));
            }
        }
    }
}

/// Runtime names are unique per namespace: containers and service replicas share one.
fn names(desired: &DesiredStack, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&'static str, String), (&DesiredResource, Span)> = HashMap::new();
    for r in &desired.resources {
        let (ns, names): (&'static str, Vec<String>) = match &r.spec {
            ResourceSpec::Container(_) => ("container", vec![r.runtime_name.clone()]),
            ResourceSpec::Service(s) => (
                "container",
                (1..=s.replicas())
                    .map(|n| format!("{}-{n}", r.runtime_name))
                    .collect(),
            ),
            ResourceSpec::Network(_) => ("network", vec![r.runtime_name.clone()]),
            ResourceSpec::Volume(_) => ("volume", vec![r.runtime_name.clone()]),
            _ => continue,
        };
        let span = span_of(r, "name");
        let secret = find(&r.body, "name").is_some_and(|v| v.contains_sensitive());
        for name in names {
            match seen.get(&(ns, name.clone())) {
                Some((other, other_span)) if other.address != r.address => {
                    out.push(
                        Diagnostic::error(
                            code::CONFLICT,
                            if secret {
                                format!(
                                    "{} and {} would both have the same name (sensitive)",
                                    other.address, r.address
                                )
                            } else {
                                format!(
                                    "{} and {} would both be named `{name}`",
                                    other.address, r.address
                                )
                            },
                        )
                        .at(span)
                        .with_label("this name")
                        .and_label(*other_span, "already used here")
                        .with_help("give one of them another `name`"),
                    );
                    break;
                }
                _ => {
                    seen.insert((ns, name), (r, span));
                }
            }
        }
    }
}

fn subnets(desired: &DesiredStack, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<(ipnet::IpNet, &DesiredResource)> = Vec::new();
    for r in &desired.resources {
        let ResourceSpec::Network(n) = &r.spec else {
            continue;
        };
        let Some(subnet) = &n.subnet else { continue };
        let net = subnet.net();
        if let Some((other_net, other)) = seen
            .iter()
            .find(|(o, _)| o.contains(&net.network()) || net.contains(&o.network()))
        {
            out.push(
                Diagnostic::error(code::CONFLICT, format!("the subnet {net} of {} overlaps {other_net} of {}", r.address, other.address))
                    .at(span_of(r, "subnet"))
                    .with_label("overlapping subnet")
                    .and_label(span_of(other, "subnet"), "this subnet")
                    .with_help("give each network its own, non-overlapping subnet, or leave `subnet` unset to have one allocated"),
            );
        } else {
            seen.push((net, r));
        }
    }
}

fn unsupported(desired: &DesiredStack, provider: &str, out: &mut Vec<Diagnostic>) {
    for r in &desired.resources {
        if let ResourceSpec::Network(n) = &r.spec {
            if n.driver == Some(crate::model::network::NetworkDriver::Overlay)
                && provider != "swarm"
            {
                out.push(
                    Diagnostic::error(
                        code::UNSUPPORTED,
                        format!(
                            "{} uses the overlay driver, which only the swarm provider has",
                            r.address
                        ),
                    )
                    .at(span_of(r, "driver"))
                    .with_label("`overlay` needs Docker Swarm")
                    .with_help("use driver = \"bridge\" (the default), or --provider swarm"),
                );
            }
        }
        if let ResourceSpec::Image(img) = &r.spec {
            if img.build.is_some() && provider == "native" {
                out.push(
                    Diagnostic::error(code::UNSUPPORTED, format!("{} is built from a Dockerfile, which the native provider cannot do", r.address))
                        .at(find(&r.body, "build").map_or(r.label_span, |v| v.key_span))
                        .with_label("`build` needs Docker")
                        .with_help("use --provider docker (or `stack { provider = \"docker\" }`), or build the image elsewhere and use `ref`, `archive` or `dir`"),
                );
            }
        }
    }
}

/// Resource kinds and features the connected provider lacks (ARCHITECTURE.md decision 7):
/// refused at plan time, at the block, rather than halfway through an apply.
pub fn capabilities(
    desired: &DesiredStack,
    caps: &crate::provider::Capabilities,
    provider: &str,
) -> Vec<Diagnostic> {
    use crate::provider::Feature;
    let mut out = Vec::new();
    for r in desired.resources.iter().filter(|r| !r.implicit) {
        if !caps.supports_kind(r.kind) {
            out.push(
                Diagnostic::error(
                    code::UNSUPPORTED,
                    format!("the {provider} provider cannot run {} blocks yet", r.kind),
                )
                .at(r.label_span)
                .with_label(format!("`{}` is not supported by {provider}", r.address))
                .with_help(match provider {
                    "docker" => {
                        "use the native provider (the default) for this kind, or remove the block"
                    }
                    _ => "use --provider docker for this kind, or remove the block",
                }),
            );
            continue;
        }
        if let ResourceSpec::Service(s) = &r.spec {
            // Every replica would bind the same host port; publishing once and balancing over
            // the ready replicas is the load balancer's job, which is not built yet.
            if !s.template.ports.is_empty() && !caps.supports(Feature::ServiceLoadBalancing) {
                out.push(
                    Diagnostic::error(code::UNSUPPORTED, format!("{} publishes ports, but the {provider} provider cannot balance a service's port over its replicas yet", r.address))
                        .at(find(&r.body, "port").map_or(r.label_span, |v| v.key_span))
                        .with_label("a published port of a service")
                        .with_help("reach the service by its name from containers on its networks, or publish the port from a `container` in front of it"),
                );
            }
        }
        let Some(c) = r.spec.container() else {
            continue;
        };
        if c.health.is_some() && !caps.supports(Feature::HealthChecks) {
            out.push(
                Diagnostic::error(
                    code::UNSUPPORTED,
                    format!("the {provider} provider cannot run health checks"),
                )
                .at(span_of(r, "health"))
                .with_label("needs health checks")
                .with_help("remove the `health` block, or use another provider"),
            );
        }
        if c.quota.is_some() && !caps.supports(Feature::Quotas) {
            out.push(
                Diagnostic::error(
                    code::UNSUPPORTED,
                    format!("the {provider} provider cannot enforce quotas"),
                )
                .at(span_of(r, "quota"))
                .with_label("needs aggregate cgroup limits")
                .with_help("use the native provider for quotas, or remove `quota`"),
            );
        }
    }
    if caps.supports(Feature::Quotas) && !caps.supports(Feature::QuotaEnforcement) {
        for q in desired.of_kind(crate::model::ResourceKind::Quota) {
            out.push(
                Diagnostic::warning(
                    code::UNSUPPORTED,
                    format!("{} is checked at plan time only: the {provider} provider cannot hold it at run time here", q.address),
                )
                .at(q.label_span)
                .with_label("admission only")
                .with_help("the Docker provider enforces quotas with a local daemon using the cgroupfs driver, the native provider always"),
            );
        }
    }
    out
}
