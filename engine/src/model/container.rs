//! `container` (and the replica template of a `service`): LANGUAGE.md §5 container.

use super::check::Check;
use super::domain::{AbsolutePath, Capability, Cpu, Duration, FileMode, Ip, Secret, Signal, Size};
use super::quota::Limits;
use super::refs::{ImageUse, MountSource, NetworkKind, NetworkMode, QuotaKind, Ref};
use serde::{Deserialize, Serialize};
use stackc_lang::diag::code;
use std::collections::BTreeMap;

/// `restart`: what to do when the process exits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestartPolicy {
    #[default]
    No,
    Always,
    OnFailure,
    UnlessStopped,
}

/// `port.protocol`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
}

impl Protocol {
    pub fn as_str(&self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
}

/// `health.on_unhealthy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnUnhealthy {
    Restart,
    Ignore,
}

/// A `container` block. Attributes that are not set are `None` (or empty for repeated blocks):
/// defaults come from the accessors, so the spec says what the user wrote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "container")]
pub struct ContainerSpec {
    pub image: ImageUse,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<AbsolutePath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// `None`: the stack's `default` network; `Some([])`: loopback only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<Vec<Ref<NetworkKind>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<NetworkMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
    #[serde(rename = "port", default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortSpec>,
    #[serde(rename = "mount", default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<MountSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tmpfs: Vec<TmpfsSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Ref<QuotaKind>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<RestartPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_restarts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_add: Option<Vec<Capability>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_drop: Option<Vec<Capability>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ulimits: Option<BTreeMap<String, i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sysctls: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<Signal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_timeout: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(rename = "file", default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileSpec>,
    #[serde(rename = "secret", default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SecretSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oneshot: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A `port` block: a published port.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename = "port")]
pub struct PortSpec {
    /// The host port; the container port when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<u16>,
    pub container: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// The host address to listen on; every address when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<Ip>,
}

impl PortSpec {
    pub fn host_port(&self) -> u16 {
        self.host.unwrap_or(self.container)
    }

    pub fn protocol(&self) -> Protocol {
        self.protocol.unwrap_or_default()
    }

    /// The host address; `0.0.0.0` (every address) when unset.
    pub fn host_ip(&self) -> std::net::IpAddr {
        self.host_ip
            .as_ref()
            .map(Ip::addr)
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }
}

/// A `mount` block: a volume or a host path mounted into the container.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename = "mount")]
pub struct MountSpec {
    pub source: MountSource,
    pub target: AbsolutePath,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readonly: Option<bool>,
}

/// A `tmpfs` block.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename = "tmpfs")]
pub struct TmpfsSpec {
    pub target: AbsolutePath,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
}

/// The `resources` block: limits, changed in place.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename = "resources")]
pub struct ResourcesSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<Cpu>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Size>,
    /// Memory plus swap (Docker's meaning); at least `memory`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_swap: Option<Size>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_shares: Option<u64>,
    /// CPUs the container may run on: `"0-3,6"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpuset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_weight: Option<u16>,
}

/// The `health` block.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename = "health")]
pub struct HealthSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_period: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_unhealthy: Option<OnUnhealthy>,
}

/// How a health check probes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe<'a> {
    Exec(&'a [String]),
    Http(&'a str),
    Tcp(u16),
}

impl HealthSpec {
    /// Every probe that is set (after a successful decode, exactly one).
    pub fn probes(&self) -> Vec<(&'static str, Probe<'_>)> {
        let mut out = Vec::with_capacity(1);
        if let Some(e) = &self.exec {
            out.push(("exec", Probe::Exec(e)));
        }
        if let Some(h) = &self.http {
            out.push(("http", Probe::Http(h)));
        }
        if let Some(t) = self.tcp {
            out.push(("tcp", Probe::Tcp(t)));
        }
        out
    }

    pub fn probe(&self) -> Option<Probe<'_>> {
        self.probes().into_iter().next().map(|(_, p)| p)
    }
}

/// A `file` block: a read-only file placed in the container at start.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename = "file")]
pub struct FileSpec {
    pub target: AbsolutePath,
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<FileMode>,
}

impl FileSpec {
    pub fn mode(&self) -> FileMode {
        self.mode
            .clone()
            .unwrap_or_else(|| FileMode::from_bits(0o644))
    }
}

/// A `secret` block: held on a tmpfs; its value is always sensitive.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename = "secret")]
pub struct SecretSpec {
    pub target: AbsolutePath,
    pub value: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<FileMode>,
}

impl SecretSpec {
    pub fn mode(&self) -> FileMode {
        self.mode
            .clone()
            .unwrap_or_else(|| FileMode::from_bits(0o400))
    }
}

/// Sysctls that are namespaced (settable per container), as Docker allows them.
const NAMESPACED_SYSCTLS: &[&str] = &[
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

impl ContainerSpec {
    /// A container of this image with nothing else set.
    pub fn new(image: ImageUse) -> ContainerSpec {
        ContainerSpec {
            image,
            command: None,
            entrypoint: None,
            env: None,
            workdir: None,
            user: None,
            hostname: None,
            networks: None,
            network_mode: None,
            aliases: None,
            ports: Vec::new(),
            mounts: Vec::new(),
            tmpfs: Vec::new(),
            resources: None,
            quota: None,
            restart: None,
            max_restarts: None,
            health: None,
            read_only: None,
            cap_add: None,
            cap_drop: None,
            privileged: None,
            ulimits: None,
            sysctls: None,
            init: None,
            stop_signal: None,
            stop_timeout: None,
            labels: None,
            files: Vec::new(),
            secrets: Vec::new(),
            oneshot: None,
            name: None,
        }
    }

    pub fn network_mode(&self) -> NetworkMode {
        self.network_mode.clone().unwrap_or_default()
    }

    /// True when the container joins the stack's `default` network: bridge mode and no
    /// `networks` attribute.
    pub fn uses_default_network(&self) -> bool {
        self.networks.is_none() && self.network_mode() == NetworkMode::Bridge
    }

    /// The networks joined in bridge mode: `networks`, or `network.default`.
    pub fn network_addresses(&self) -> Vec<String> {
        match (&self.networks, self.network_mode()) {
            (_, NetworkMode::Host | NetworkMode::None | NetworkMode::Container(_)) => Vec::new(),
            (Some(n), NetworkMode::Bridge) => n.iter().map(|r| r.address().to_string()).collect(),
            (None, NetworkMode::Bridge) => vec!["network.default".to_string()],
        }
    }

    pub fn restart_policy(&self) -> RestartPolicy {
        self.restart.unwrap_or_default()
    }

    /// `on_unhealthy`: `restart` by default when `restart` is not `"no"`.
    pub fn on_unhealthy(&self) -> OnUnhealthy {
        match self.health.as_ref().and_then(|h| h.on_unhealthy) {
            Some(o) => o,
            None if self.restart_policy() == RestartPolicy::No => OnUnhealthy::Ignore,
            None => OnUnhealthy::Restart,
        }
    }

    pub fn stop_signal(&self) -> Signal {
        self.stop_signal.clone().unwrap_or_else(Signal::term)
    }

    pub fn stop_timeout(&self) -> std::time::Duration {
        self.stop_timeout
            .as_ref()
            .map(Duration::get)
            .unwrap_or(std::time::Duration::from_secs(10))
    }

    pub fn is_oneshot(&self) -> bool {
        self.oneshot.unwrap_or(false)
    }

    /// The container's own limits (its `resources` block), before a quota's defaults.
    pub fn limits(&self) -> Limits {
        match &self.resources {
            Some(r) => Limits {
                cpus: r.cpus.clone(),
                memory: r.memory.clone(),
                pids: r.pids,
            },
            None => Limits::default(),
        }
    }

    pub(crate) fn check(&self, cx: &mut Check<'_>, service: bool) {
        self.check_network(cx);
        if let Some(h) = &self.health {
            check_health(h, cx);
        }
        if let (Some(_), policy) = (self.max_restarts, self.restart_policy()) {
            if policy != RestartPolicy::OnFailure {
                cx.error(
                    code::TYPE,
                    "max_restarts",
                    "`max_restarts` applies only to restart = \"on-failure\"",
                    "set restart = \"on-failure\", or remove `max_restarts`",
                );
            }
        }
        if let Some(r) = &self.resources {
            check_resources(r, cx);
        }
        for (i, p) in self.ports.iter().enumerate() {
            if p.container == 0 {
                cx.error(
                    code::TYPE,
                    &format!("port.{i}.container"),
                    "port 0 cannot be published",
                    "ports go from 1 to 65535",
                );
            }
            if p.host == Some(0) {
                cx.error(
                    code::TYPE,
                    &format!("port.{i}.host"),
                    "host port 0 cannot be published",
                    "leave `host` unset to publish on the container's port number",
                );
            }
        }
        if let Some(sysctls) = &self.sysctls {
            for key in sysctls.keys() {
                let namespaced = NAMESPACED_SYSCTLS.contains(&key.as_str())
                    || key.starts_with("fs.mqueue.")
                    || key.starts_with("net.");
                if !namespaced {
                    cx.error_at_entry_key(
                        code::TYPE,
                        "sysctls",
                        key,
                        format!("sysctl `{key}` is not namespaced"),
                        "only namespaced sysctls can be set per container: net.*, fs.mqueue.*, \
                         kernel.msg*, kernel.sem and kernel.shm*",
                    );
                } else if key.starts_with("net.") && self.network_mode() == NetworkMode::Host {
                    cx.error_at_entry_key(
                        code::TYPE,
                        "sysctls",
                        key,
                        format!("sysctl `{key}` cannot be set with network_mode = \"host\""),
                        "the host's network namespace is shared; set it on the host instead",
                    );
                }
            }
        }
        self.check_targets(cx);
        if service && self.is_oneshot() {
            cx.error(
                code::TYPE,
                "oneshot",
                "a service cannot be `oneshot`",
                "use a container for a task that runs to completion",
            );
        }
    }

    fn check_network(&self, cx: &mut Check<'_>) {
        let mode = self.network_mode();
        if mode == NetworkMode::Bridge {
            return;
        }
        let shown = match &mode {
            NetworkMode::Container(r) => r.address().to_string(),
            other => format!("\"{other}\""),
        };
        let mut conflicts: Vec<(String, &str)> = Vec::new();
        if self.networks.is_some() {
            conflicts.push(("networks".into(), "networks"));
        }
        if self.aliases.is_some() {
            conflicts.push(("aliases".into(), "aliases"));
        }
        for i in 0..self.ports.len() {
            conflicts.push((format!("port.{i}"), "port"));
        }
        if matches!(mode, NetworkMode::Container(_)) && self.hostname.is_some() {
            conflicts.push(("hostname".into(), "hostname"));
        }
        for (path, name) in conflicts {
            cx.error_at_key(
                code::TYPE,
                &path,
                format!("`{name}` cannot be used with network_mode = {shown}"),
                match name {
                    "port" => "publish the ports on the container whose network is shared, or use network_mode = \"bridge\"".to_string(),
                    _ => format!("remove `{name}`, or use network_mode = \"bridge\""),
                },
            );
        }
    }

    /// Two mounts, tmpfs, files or secrets at the same path.
    fn check_targets(&self, cx: &mut Check<'_>) {
        let mut seen: BTreeMap<&str, String> = BTreeMap::new();
        let targets = self
            .mounts
            .iter()
            .enumerate()
            .map(|(i, m)| (m.target.as_str(), format!("mount.{i}.target")))
            .chain(
                self.tmpfs
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (t.target.as_str(), format!("tmpfs.{i}.target"))),
            )
            .chain(
                self.files
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.target.as_str(), format!("file.{i}.target"))),
            )
            .chain(
                self.secrets
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.target.as_str(), format!("secret.{i}.target"))),
            );
        for (target, path) in targets {
            let key = target.trim_end_matches('/');
            if let Some(first) = seen.get(key) {
                let first_span = cx.span(first);
                let d = cx.diagnostic(
                    code::DUPLICATE,
                    &path,
                    format!("two mounts at {target}"),
                    "each mount, tmpfs, file and secret needs its own target path",
                );
                cx.push(d.and_label(first_span, "first used here"));
            } else {
                seen.insert(key, path);
            }
        }
    }
}

fn check_health(h: &HealthSpec, cx: &mut Check<'_>) {
    let probes = h.probes();
    match probes.as_slice() {
        [] => cx.error(
            code::MISSING_ATTRIBUTE,
            "health",
            "the `health` block has no probe",
            "set one of exec = [\"cmd\", …], http = \"http://127.0.0.1:80/health\" or tcp = 80",
        ),
        [_] => {}
        [(first, _), rest @ ..] => {
            for (name, _) in rest {
                let first_span = cx.key_span(&format!("health.{first}"));
                let d = cx.diagnostic(
                    code::TYPE,
                    &format!("health.{name}"),
                    format!("the `health` block has both `{first}` and `{name}`"),
                    "a health check has exactly one probe: exec, http or tcp",
                );
                cx.push(d.and_label(first_span, "first probe"));
            }
        }
    }
    match probes.first() {
        Some((_, Probe::Exec([]))) => cx.error(
            code::TYPE,
            "health.exec",
            "`exec` is empty",
            "give the command and its arguments, like [\"pg_isready\", \"-q\"]",
        ),
        Some((_, Probe::Http(url))) if !(url.starts_with("http://") || url.starts_with("https://")) => {
            cx.error(
                code::TYPE,
                "health.http",
                format!("`http` must be an http:// URL, found {}", stackc_lang::value::quote(url)),
                "write a URL like \"http://127.0.0.1:80/health\"; it is fetched from the container's network namespace",
            )
        }
        Some((_, Probe::Tcp(0))) => cx.error(
            code::TYPE,
            "health.tcp",
            "`tcp` must be a port from 1 to 65535",
            "give the port the container listens on, like tcp = 80",
        ),
        _ => {}
    }
    for name in ["interval", "timeout"] {
        let d = if name == "interval" {
            &h.interval
        } else {
            &h.timeout
        };
        if d.as_ref().is_some_and(|d| d.get().is_zero()) {
            cx.error(
                code::TYPE,
                &format!("health.{name}"),
                format!("`{name}` must be more than 0"),
                "write a duration like \"10s\"",
            );
        }
    }
}

fn check_resources(r: &ResourcesSpec, cx: &mut Check<'_>) {
    if r.pids == Some(0) {
        cx.error(
            code::TYPE,
            "resources.pids",
            "`pids` must be at least 1",
            "leave `pids` unset for no limit",
        );
    }
    if r.memory.as_ref().is_some_and(|m| m.bytes() == 0) {
        cx.error(
            code::TYPE,
            "resources.memory",
            "`memory` must be more than 0",
            "leave `memory` unset for no limit",
        );
    }
    if let (Some(m), Some(s)) = (&r.memory, &r.memory_swap) {
        if s.bytes() < m.bytes() {
            cx.error(
                code::TYPE,
                "resources.memory_swap",
                format!("`memory_swap` ({s}) is less than `memory` ({m})"),
                "`memory_swap` is memory plus swap: make it at least `memory`",
            );
        }
    }
    if r.memory_swap.is_some() && r.memory.is_none() {
        cx.error(
            code::MISSING_ATTRIBUTE,
            "resources.memory_swap",
            "`memory_swap` needs `memory`",
            "set `memory` too; `memory_swap` is memory plus swap",
        );
    }
    if let Some(s) = r.cpu_shares {
        if !(2..=262_144).contains(&s) {
            cx.error(
                code::TYPE,
                "resources.cpu_shares",
                format!("`cpu_shares` must be from 2 to 262144, found {s}"),
                "1024 is the default weight",
            );
        }
    }
    if let Some(w) = r.io_weight {
        if !(1..=10_000).contains(&w) {
            cx.error(
                code::TYPE,
                "resources.io_weight",
                format!("`io_weight` must be from 1 to 10000, found {w}"),
                "100 is the default weight",
            );
        }
    }
    if let Some(c) = &r.cpuset {
        if !valid_cpuset(c) {
            cx.error(
                code::TYPE,
                "resources.cpuset",
                format!("invalid cpuset {}", stackc_lang::value::quote(c)),
                "list CPU numbers and ranges, like \"0-3\" or \"0,2,4-7\"",
            );
        }
    }
}

/// `"0-3,5"`: comma-separated CPU numbers and ascending ranges.
fn valid_cpuset(s: &str) -> bool {
    !s.is_empty()
        && s.split(',').all(|part| {
            let mut ends = part.splitn(2, '-').map(|n| n.parse::<u32>());
            match (ends.next(), ends.next()) {
                (Some(Ok(_)), None) => true,
                (Some(Ok(a)), Some(Ok(b))) => a <= b,
                _ => false,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpusets() {
        for good in ["0", "0-3", "0,2,4-7", "12-12"] {
            assert!(valid_cpuset(good), "{good}");
        }
        for bad in ["", "a", "3-1", "0,", "-1", "1-2-3"] {
            assert!(!valid_cpuset(bad), "{bad}");
        }
    }
}
