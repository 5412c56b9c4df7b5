use super::*;
use crate::model::container::{OnUnhealthy, Protocol, RestartPolicy};
use crate::model::domain::with_secrets_revealed;
use crate::model::refs::MountSource;
use crate::model::service::UpdateOrder;
use crate::model::NetworkMode;
use stackc_lang::diag::Severity;
use stackc_lang::eval::Resource;
use stackc_lang::source::FileId;
use stackc_lang::value::{Map, ResourceValue, SeqKind};

/// Builds values with distinct, increasing spans, so tests can check where diagnostics point.
struct B {
    pos: usize,
}

impl B {
    fn new() -> B {
        B { pos: 0 }
    }

    fn span(&mut self, len: usize) -> Span {
        let s = Span::new(FileId(0), self.pos, self.pos + len);
        self.pos += len + 1;
        s
    }

    fn s(&mut self, text: &str) -> Value {
        let sp = self.span(text.len() + 2);
        Value::string(text, sp)
    }

    fn n(&mut self, x: f64) -> Value {
        let sp = self.span(3);
        Value::number(x, sp)
    }

    fn b(&mut self, x: bool) -> Value {
        let sp = self.span(4);
        Value::bool(x, sp)
    }

    fn r(&mut self, address: &str) -> Value {
        let sp = self.span(address.len());
        Value::new(
            ValueKind::Resource(Arc::new(ResourceValue {
                address: address.to_string(),
                attrs: Map::new(),
            })),
            sp,
        )
    }

    fn list(&mut self, items: Vec<Value>) -> Value {
        let sp = self.span(2);
        Value::tuple(items, sp)
    }

    fn strings(&mut self, items: &[&str]) -> Value {
        let items = items.iter().map(|s| self.s(s)).collect();
        self.list(items)
    }

    fn obj(&mut self, entries: Vec<(&str, Value)>) -> Value {
        let sp = self.span(2);
        let map: Map = entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        Value::object(map, sp)
    }

    /// A block body; each entry's key span is just before its value.
    fn block(&mut self, entries: Vec<(&str, Value)>) -> Value {
        let start = self.pos;
        let map: Map = entries
            .into_iter()
            .map(|(k, v)| {
                let ks = Span::new(FileId(0), v.span.start as usize, v.span.start as usize + 1);
                (k.to_string(), v.with_key_span(ks))
            })
            .collect();
        let sp = Span::new(FileId(0), start.saturating_sub(1), self.pos);
        self.pos += 1;
        Value::new(ValueKind::Map(MapKind::Block, Arc::new(map)), sp)
    }

    fn blocks(&mut self, items: Vec<Value>) -> Value {
        let sp = items
            .iter()
            .map(|v| v.span)
            .reduce(Span::to)
            .unwrap_or_default();
        Value::seq(SeqKind::Blocks, items, sp)
    }
}

fn resource(kind: &str, name: &str, body: Value) -> Resource {
    Resource {
        kind: kind.to_string(),
        name: name.to_string(),
        address: format!("{kind}.{name}"),
        key: InstanceKey::None,
        runtime_name: format!("shop-{name}"),
        block_span: body.span,
        label_span: body.span,
        body,
        depends_on: Vec::new(),
        lifecycle: Lifecycle::default(),
        meta: Default::default(),
    }
}

fn config(resources: Vec<Resource>) -> Config {
    let mut c = Config::default();
    c.stack.name = "shop".into();
    c.resources = resources;
    c
}

fn errors(d: &Diagnostics) -> Vec<Diagnostic> {
    d.sorted()
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

fn only_error(d: &Diagnostics) -> Diagnostic {
    let e = errors(d);
    assert_eq!(e.len(), 1, "{e:#?}");
    e[0].clone()
}

fn full_stack() -> Config {
    let mut b = B::new();
    let image_body = {
        let r = b.s("redis:7-alpine");
        let p = b.s("always");
        b.block(vec![("ref", r), ("pull", p)])
    };
    let app_body = {
        let ctx = b.s("./app");
        let args = {
            let v = b.s("1.2");
            b.obj(vec![("VERSION", v)])
        };
        let build = b.block(vec![("context", ctx), ("args", args)]);
        let build = b.blocks(vec![build]);
        let cmd = b.strings(&["serve"]);
        let config = b.block(vec![("cmd", cmd)]);
        let config = b.blocks(vec![config]);
        b.block(vec![("build", build), ("config", config)])
    };
    let net_body = {
        let subnet = b.s("10.89.0.0/24");
        let gw = b.s("10.89.0.1");
        let internal = b.b(true);
        b.block(vec![
            ("subnet", subnet),
            ("gateway", gw),
            ("internal", internal),
        ])
    };
    let vol_body = b.block(vec![]);
    let quota_body = {
        let cpus = b.n(4.0);
        let memory = b.s("2GiB");
        let containers = b.n(20.0);
        let dc = b.n(0.5);
        let dm = b.s("256MiB");
        let d = b.block(vec![("cpus", dc), ("memory", dm)]);
        let d = b.blocks(vec![d]);
        b.block(vec![
            ("cpus", cpus),
            ("memory", memory),
            ("containers", containers),
            ("default", d),
        ])
    };
    let web_body = {
        let image = b.r("image.app");
        let env = {
            let v = b.s("hunter2").mark_sensitive(true);
            let plain = b.s("x");
            b.obj(vec![("PASSWORD", v), ("PLAIN", plain)])
        };
        let networks = {
            let n = b.r("network.backend");
            b.list(vec![n])
        };
        let port = {
            let c = b.n(80.0);
            let h = b.n(8080.0);
            let ip = b.s("127.0.0.1");
            b.block(vec![("container", c), ("host", h), ("host_ip", ip)])
        };
        let port2 = {
            let c = b.n(53.0);
            let p = b.s("udp");
            b.block(vec![("container", c), ("protocol", p)])
        };
        let ports = b.blocks(vec![port, port2]);
        let mount = {
            let src = b.r("volume.data");
            let t = b.s("/data");
            b.block(vec![("source", src), ("target", t)])
        };
        let mount2 = {
            let src = b.s("./conf");
            let t = b.s("/etc/app");
            let ro = b.b(true);
            b.block(vec![("source", src), ("target", t), ("readonly", ro)])
        };
        let mounts = b.blocks(vec![mount, mount2]);
        let resources = {
            let m = b.s("512MiB");
            let c = b.s("500m");
            b.block(vec![("memory", m), ("cpus", c)])
        };
        let resources = b.blocks(vec![resources]);
        let quota = b.r("quota.team");
        let restart = b.s("on-failure");
        let max = b.n(3.0);
        let health = {
            let http = b.s("http://127.0.0.1:80/health");
            let interval = b.s("5s");
            b.block(vec![("http", http), ("interval", interval)])
        };
        let health = b.blocks(vec![health]);
        let caps = b.strings(&["CAP_NET_RAW", "sys_ptrace"]);
        let secret = {
            let t = b.s("/run/secrets/db");
            let v = b.s("s3cret");
            b.block(vec![("target", t), ("value", v)])
        };
        let secrets = b.blocks(vec![secret]);
        let stop = b.s("1m30s");
        b.block(vec![
            ("image", image),
            ("env", env),
            ("networks", networks),
            ("port", ports),
            ("mount", mounts),
            ("resources", resources),
            ("quota", quota),
            ("restart", restart),
            ("max_restarts", max),
            ("health", health),
            ("cap_drop", caps),
            ("secret", secrets),
            ("stop_timeout", stop),
        ])
    };
    let cache_body = {
        let image = b.s("memcached:1");
        b.block(vec![("image", image)])
    };
    let api_body = {
        let image = b.r("image.app");
        let replicas = b.n(3.0);
        let quota = b.r("quota.team");
        let update = {
            let order = b.s("start-first");
            let par = b.n(2.0);
            b.block(vec![("order", order), ("parallelism", par)])
        };
        let update = b.blocks(vec![update]);
        let res = {
            let m = b.s("128MiB");
            b.block(vec![("memory", m)])
        };
        let res = b.blocks(vec![res]);
        b.block(vec![
            ("image", image),
            ("replicas", replicas),
            ("quota", quota),
            ("update", update),
            ("resources", res),
        ])
    };
    config(vec![
        resource("image", "redis", image_body),
        resource("image", "app", app_body),
        resource("network", "backend", net_body),
        resource("volume", "data", vol_body),
        resource("quota", "team", quota_body),
        resource("container", "web", web_body),
        resource("container", "cache", cache_body),
        resource("service", "api", api_body),
    ])
}

#[test]
fn decodes_every_kind() {
    let (stack, diags) = decode(&full_stack());
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(stack.name, "shop");
    let addresses: Vec<&str> = stack.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        vec![
            "network.default",
            "image.redis",
            "image.app",
            "network.backend",
            "volume.data",
            "quota.team",
            "container.web",
            "container.cache",
            "service.api"
        ]
    );

    let ResourceSpec::Image(redis) = &stack.get("image.redis").unwrap().spec else {
        panic!()
    };
    assert_eq!(redis.reference.as_deref(), Some("redis:7-alpine"));
    assert_eq!(redis.pull_policy(), crate::model::image::PullPolicy::Always);
    let ResourceSpec::Image(app) = &stack.get("image.app").unwrap().spec else {
        panic!()
    };
    let build = app.build.as_ref().unwrap();
    assert_eq!(
        (build.context.as_str(), build.dockerfile()),
        ("./app", "Dockerfile")
    );
    assert_eq!(
        app.config.as_ref().unwrap().cmd,
        Some(vec!["serve".to_string()])
    );

    let ResourceSpec::Network(net) = &stack.get("network.backend").unwrap().spec else {
        panic!()
    };
    assert_eq!(net.subnet.as_ref().unwrap().as_str(), "10.89.0.0/24");
    assert!(net.is_internal());

    let web = stack.get("container.web").unwrap();
    let c = web.spec.container().unwrap();
    assert_eq!(c.image.resource().unwrap().address(), "image.app");
    assert_eq!(c.network_addresses(), vec!["network.backend".to_string()]);
    assert_eq!(c.ports.len(), 2);
    assert_eq!(c.ports[0].host_port(), 8080);
    assert_eq!(c.ports[1].host_port(), 53);
    assert_eq!(c.ports[1].protocol(), Protocol::Udp);
    assert!(matches!(&c.mounts[0].source, MountSource::Volume(v) if v.address() == "volume.data"));
    assert!(matches!(&c.mounts[1].source, MountSource::Path(p) if p.as_str() == "./conf"));
    assert_eq!(c.restart_policy(), RestartPolicy::OnFailure);
    assert_eq!(c.on_unhealthy(), OnUnhealthy::Restart);
    assert_eq!(c.stop_timeout(), std::time::Duration::from_secs(90));
    assert_eq!(c.stop_signal().name(), "SIGTERM");
    let caps: Vec<&str> = c
        .cap_drop
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.name())
        .collect();
    assert_eq!(caps, vec!["NET_RAW", "SYS_PTRACE"]);
    assert_eq!(c.secrets[0].value.expose(), "s3cret");
    assert_eq!(c.secrets[0].mode().bits(), 0o400);
    assert_eq!(
        web.sensitive_paths,
        vec!["env.PASSWORD".to_string(), "secret.0.value".to_string()]
    );
    assert!(web.is_sensitive("env.PASSWORD"));
    assert!(!web.is_sensitive("env.PLAIN"));
    assert!(!web.depends_on.iter().any(|d| d.address == DEFAULT_NETWORK));

    // The default network: implicit, and an edge from its user.
    let default = stack.get(DEFAULT_NETWORK).unwrap();
    assert!(default.implicit);
    assert_eq!(default.runtime_name, "shop-default");
    let cache = stack.get("container.cache").unwrap();
    assert!(cache
        .depends_on
        .iter()
        .any(|d| d.address == DEFAULT_NETWORK));
    assert!(
        matches!(&cache.spec.container().unwrap().image, ImageUse::Registry(r) if r == "memcached:1")
    );

    let ResourceSpec::Service(api) = &stack.get("service.api").unwrap().spec else {
        panic!()
    };
    assert_eq!(api.replicas(), 3);
    assert_eq!(api.update().order(), UpdateOrder::StartFirst);
    assert_eq!((api.surge(), api.peak_replicas()), (2, 5));
    assert!(api.template.uses_default_network());
}

#[test]
fn quota_members_and_their_limits() {
    let (stack, _) = decode(&full_stack());
    let members = stack.quota_members("quota.team");
    assert_eq!(members.len(), 2);
    let ResourceSpec::Quota(quota) = &stack.get("quota.team").unwrap().spec else {
        panic!()
    };
    let ceiling = quota.ceiling();
    assert_eq!(ceiling.cpu_nanos, Some(4_000_000_000));
    assert_eq!(ceiling.memory_bytes, Some(2 << 30));
    assert_eq!(ceiling.containers, Some(20));
    assert_eq!(ceiling.pids, None);

    let web = &members[0];
    assert_eq!(web.resource.address, "container.web");
    let l = quota.effective(&web.limits);
    assert_eq!(
        (l.cpu_nanos(), l.memory_bytes()),
        (Some(500_000_000), Some(512 << 20))
    );
    assert_eq!((web.replicas, web.surge), (1, 0));

    let api = &members[1];
    let l = quota.effective(&api.limits);
    // Its own memory, the quota's default CPU.
    assert_eq!(
        (l.cpu_nanos(), l.memory_bytes()),
        (Some(500_000_000), Some(128 << 20))
    );
    assert_eq!((api.replicas, api.surge), (3, 2));
}

#[test]
fn specs_serialise_as_written_and_hide_secrets() {
    let (stack, _) = decode(&full_stack());
    let web = &stack.get("container.web").unwrap().spec;
    let json = serde_json::to_value(web).unwrap();
    assert_eq!(json["resources"]["memory"], "512MiB");
    assert_eq!(json["resources"]["cpus"], "500m");
    assert_eq!(json["image"], "image.app");
    assert_eq!(json["networks"][0], "network.backend");
    assert_eq!(json["secret"][0]["value"], "(sensitive)");
    assert_eq!(json["stop_timeout"], "1m30s");
    assert!(
        json.get("command").is_none(),
        "unset attributes are left out"
    );

    let revealed = with_secrets_revealed(|| serde_json::to_value(web).unwrap());
    assert_eq!(revealed["secret"][0]["value"], "s3cret");
    let back = ResourceSpec::from_json(ResourceKind::Container, revealed).unwrap();
    assert_eq!(&back, web);

    let api = &stack.get("service.api").unwrap().spec;
    let json = serde_json::to_value(api).unwrap();
    assert_eq!(json["replicas"], 3);
    assert_eq!(json["update"]["order"], "start-first");
    assert_eq!(json["image"], "image.app");
    let back = ResourceSpec::from_json(ResourceKind::Service, json).unwrap();
    assert_eq!(&back, api);
}

#[test]
fn an_image_has_exactly_one_source() {
    let mut b = B::new();
    let none = b.block(vec![]);
    let r = b.s("redis:7");
    let d = b.s("./rootfs");
    let two = b.block(vec![("ref", r), ("dir", d)]);
    let (stack, diags) = decode(&config(vec![
        resource("image", "none", none.clone()),
        resource("image", "two", two),
    ]));
    let e = errors(&diags);
    assert_eq!(e.len(), 2, "{e:#?}");
    assert_eq!(e[0].code, code::MISSING_ATTRIBUTE);
    assert_eq!(e[0].message, "image \"none\" has no source");
    assert_eq!(e[0].span, Some(none.span));
    assert_eq!(e[1].code, code::TYPE);
    assert_eq!(e[1].message, "image \"two\" has both `ref` and `dir`");
    assert!(e[1].help.as_deref().unwrap().contains("exactly one source"));
    assert_eq!(e[1].labels.len(), 1);
    // Checked resources are kept.
    assert_eq!(stack.resources.len(), 2);
}

#[test]
fn every_resource_reports_its_problems() {
    let mut b = B::new();
    let web = {
        let image = b.r("network.x");
        let imag = b.s("x");
        b.block(vec![("image", image), ("imagee", imag)])
    };
    let db = {
        let p = b.b(true);
        b.block(vec![("privileged", p)])
    };
    let cache = {
        let image = b.s("redis");
        let restart = b.s("allways");
        let res = {
            let m = b.s("1 GB");
            b.block(vec![("memory", m)])
        };
        let res = b.blocks(vec![res]);
        let mount = {
            let s = b.s("data");
            let t = b.s("/data");
            b.block(vec![("source", s), ("target", t)])
        };
        let mount = b.blocks(vec![mount]);
        b.block(vec![
            ("image", image),
            ("restart", restart),
            ("resources", res),
            ("mount", mount),
        ])
    };
    let (stack, diags) = decode(&config(vec![
        resource("container", "web", web),
        resource("container", "db", db.clone()),
        resource("container", "cache", cache),
    ]));
    assert!(stack.resources.is_empty());
    let e = errors(&diags);
    let summary: Vec<(&str, &str)> = e.iter().map(|d| (d.code, d.message.as_str())).collect();
    assert_eq!(
        summary,
        vec![
            (code::TYPE, "expected an image reference like image.web, found network.x"),
            (code::UNKNOWN_ATTRIBUTE, "container \"web\" has no attribute `imagee`"),
            (code::MISSING_ATTRIBUTE, "container \"db\" is missing the required attribute `image`"),
            (code::TYPE, "invalid value \"allways\": expected one of \"no\", \"always\", \"on-failure\" or \"unless-stopped\""),
            (code::TYPE, "invalid size \"1 GB\""),
            (code::TYPE, "relative path \"data\" must start with ./"),
        ],
        "{e:#?}"
    );
    assert_eq!(e[1].help.as_deref(), Some("did you mean `image`?"));
    assert_eq!(e[2].span, Some(db.span));
    assert!(e[3]
        .help
        .as_deref()
        .unwrap()
        .starts_with("did you mean `always`?"));
    assert!(e[4].help.as_deref().unwrap().contains("KiB"));
    assert!(e[5].help.as_deref().unwrap().contains("\"./data\""));
    assert!(e[5].help.as_deref().unwrap().contains("volume.data"));
}

#[test]
fn default_network_declared_or_not_used() {
    let mut b = B::new();
    let net = b.block(vec![]);
    let web = {
        let image = b.s("nginx");
        b.block(vec![("image", image)])
    };
    let lo = {
        let image = b.s("nginx");
        let n = b.list(vec![]);
        b.block(vec![("image", image), ("networks", n)])
    };
    let host = {
        let image = b.s("nginx");
        let m = b.s("host");
        b.block(vec![("image", image), ("network_mode", m)])
    };
    let (stack, diags) = decode(&config(vec![
        resource("network", "default", net),
        resource("container", "web", web),
        resource("container", "lo", lo.clone()),
        resource("container", "host", host.clone()),
    ]));
    assert!(diags.is_empty(), "{diags:#?}");
    assert!(!stack.resources.iter().any(|r| r.implicit));
    let web = stack.get("container.web").unwrap();
    assert!(web.depends_on.iter().any(|d| d.address == DEFAULT_NETWORK));
    for a in ["container.lo", "container.host"] {
        assert!(stack.get(a).unwrap().depends_on.is_empty());
    }
    assert_eq!(
        stack
            .get("container.host")
            .unwrap()
            .spec
            .container()
            .unwrap()
            .network_mode(),
        NetworkMode::Host
    );

    let (stack, _) = decode(&config(vec![
        resource("container", "lo", lo),
        resource("container", "host", host),
    ]));
    assert!(stack.get(DEFAULT_NETWORK).is_none());
}

#[test]
fn network_mode_conflicts() {
    let mut b = B::new();
    let body = {
        let image = b.s("nginx");
        let m = b.r("container.db");
        let n = {
            let r = b.r("network.x");
            b.list(vec![r])
        };
        let h = b.s("web");
        let port = {
            let c = b.n(80.0);
            b.block(vec![("container", c)])
        };
        let port = b.blocks(vec![port]);
        b.block(vec![
            ("image", image),
            ("network_mode", m),
            ("networks", n),
            ("hostname", h),
            ("port", port),
        ])
    };
    let (_, diags) = decode(&config(vec![resource("container", "web", body)]));
    let msgs: Vec<String> = errors(&diags).into_iter().map(|d| d.message).collect();
    assert_eq!(
        msgs,
        vec![
            "`networks` cannot be used with network_mode = container.db",
            "`hostname` cannot be used with network_mode = container.db",
            "`port` cannot be used with network_mode = container.db",
        ]
    );

    let mut b = B::new();
    let body = {
        let image = b.s("nginx");
        let m = b.s("hots");
        b.block(vec![("image", image), ("network_mode", m)])
    };
    let (_, diags) = decode(&config(vec![resource("container", "web", body)]));
    let e = only_error(&diags);
    assert_eq!(e.message, "invalid network mode \"hots\"");
    assert!(e.help.unwrap().starts_with("did you mean \"host\"?"));

    let mut b = B::new();
    let body = {
        let image = b.s("nginx");
        let m = b.r("volume.x");
        b.block(vec![("image", image), ("network_mode", m)])
    };
    let (_, diags) = decode(&config(vec![resource("container", "web", body)]));
    assert_eq!(
        only_error(&diags).message,
        "expected \"bridge\", \"host\", \"none\" or a container reference like container.db, found volume.x"
    );
}

#[test]
fn container_checks() {
    let mut b = B::new();
    let body = {
        let image = b.s("nginx");
        let max = b.n(3.0);
        let health = {
            let e = b.strings(&["true"]);
            let t = b.n(80.0);
            b.block(vec![("exec", e), ("tcp", t)])
        };
        let health = b.blocks(vec![health]);
        let sysctls = {
            let v = b.s("1");
            let ok = b.s("1");
            b.obj(vec![("vm.swappiness", v), ("net.ipv4.ip_forward", ok)])
        };
        let mount = {
            let s = b.s("/srv");
            let t = b.s("/data");
            b.block(vec![("source", s), ("target", t)])
        };
        let mount = b.blocks(vec![mount]);
        let tmpfs = {
            let t = b.s("/data/");
            b.block(vec![("target", t)])
        };
        let tmpfs = b.blocks(vec![tmpfs]);
        let res = {
            let m = b.s("1GiB");
            let s = b.s("512MiB");
            let set = b.s("3-1");
            b.block(vec![("memory", m), ("memory_swap", s), ("cpuset", set)])
        };
        let res = b.blocks(vec![res]);
        b.block(vec![
            ("image", image),
            ("max_restarts", max),
            ("health", health),
            ("sysctls", sysctls),
            ("mount", mount),
            ("tmpfs", tmpfs),
            ("resources", res),
        ])
    };
    let (_, diags) = decode(&config(vec![resource("container", "web", body)]));
    let mut msgs: Vec<String> = errors(&diags).into_iter().map(|d| d.message).collect();
    msgs.sort();
    assert_eq!(
        msgs,
        vec![
            "`max_restarts` applies only to restart = \"on-failure\"",
            "`memory_swap` (512MiB) is less than `memory` (1GiB)",
            "invalid cpuset \"3-1\"",
            "sysctl `vm.swappiness` is not namespaced",
            "the `health` block has both `exec` and `tcp`",
            "two mounts at /data/",
        ]
    );
}

#[test]
fn network_gateway_checks() {
    let mut b = B::new();
    let outside = {
        let s = b.s("10.0.0.0/24");
        let g = b.s("10.0.1.1");
        b.block(vec![("subnet", s), ("gateway", g)])
    };
    let alone = {
        let g = b.s("10.0.1.1");
        b.block(vec![("gateway", g)])
    };
    let host_bits = {
        let s = b.s("10.0.0.1/24");
        b.block(vec![("subnet", s)])
    };
    let (_, diags) = decode(&config(vec![
        resource("network", "a", outside),
        resource("network", "b", alone),
        resource("network", "c", host_bits),
    ]));
    let e = errors(&diags);
    assert_eq!(e.len(), 3, "{e:#?}");
    assert_eq!(
        e[0].message,
        "gateway 10.0.1.1 is not a host address of subnet 10.0.0.0/24"
    );
    assert_eq!(e[1].code, code::MISSING_ATTRIBUTE);
    assert_eq!(e[2].help.as_deref(), Some("did you mean \"10.0.0.0/24\"?"));
}

#[test]
fn services() {
    let mut b = B::new();
    let missing = {
        let r = b.n(2.0);
        b.block(vec![("replicas", r)])
    };
    let bad = {
        let image = b.s("nginx");
        let r = b.n(-1.0);
        let one = b.b(true);
        let upd = {
            let ratio = b.n(2.0);
            let o = b.s("first");
            b.block(vec![("max_failure_ratio", ratio), ("order", o)])
        };
        let upd = b.blocks(vec![upd]);
        let x = b.n(1.0);
        b.block(vec![
            ("image", image),
            ("replicas", r),
            ("oneshot", one),
            ("update", upd),
            ("replica", x),
        ])
    };
    let good = {
        let image = b.s("nginx");
        let upd = {
            let ratio = b.n(2.0);
            b.block(vec![("max_failure_ratio", ratio)])
        };
        let upd = b.blocks(vec![upd]);
        let one = b.b(true);
        b.block(vec![("image", image), ("update", upd), ("oneshot", one)])
    };
    let (stack, diags) = decode(&config(vec![
        resource("service", "missing", missing),
        resource("service", "bad", bad),
        resource("service", "good", good),
    ]));
    let e = errors(&diags);
    let summary: Vec<(&str, &str)> = e.iter().map(|d| (d.code, d.message.as_str())).collect();
    assert_eq!(
        summary,
        vec![
            (
                code::MISSING_ATTRIBUTE,
                "service \"missing\" is missing the required attribute `image`"
            ),
            (
                code::TYPE,
                "expected a whole number of at least 0, found number -1"
            ),
            (
                code::TYPE,
                "invalid value \"first\": expected one of \"stop-first\" or \"start-first\""
            ),
            (
                code::UNKNOWN_ATTRIBUTE,
                "service \"bad\" has no attribute `replica`"
            ),
            (
                code::TYPE,
                "`max_failure_ratio` must be from 0 to 1, found 2"
            ),
            (code::TYPE, "a service cannot be `oneshot`"),
        ],
        "{e:#?}"
    );
    assert_eq!(e[3].help.as_deref(), Some("did you mean `replicas`?"));
    assert_eq!(
        stack.resources.len(),
        2,
        "the good service and the default network"
    );
}

#[test]
fn providers_and_quoted_image_addresses() {
    let mut b = B::new();
    let docker = {
        let h = b.s("tcp://10.0.0.1:2375");
        b.block(vec![("host", h)])
    };
    let native = {
        let r = b.s("store");
        b.block(vec![("root", r)])
    };
    let img = {
        let r = b.s("nginx");
        b.block(vec![("ref", r)])
    };
    let web = {
        let i = b.s("image.web");
        b.block(vec![("image", i)])
    };
    let mut c = config(vec![
        resource("image", "web", img),
        resource("container", "web", web),
    ]);
    for (name, body) in [("docker", docker), ("native", native)] {
        c.providers.insert(
            name.to_string(),
            stackc_lang::eval::ProviderBlock {
                name: name.to_string(),
                span: body.span,
                body,
            },
        );
    }
    let (stack, diags) = decode(&c);
    assert_eq!(
        stack.providers.get("docker"),
        Some(&ProviderSettings::Docker(DockerSettings {
            host: Some("tcp://10.0.0.1:2375".into())
        }))
    );
    let all: Vec<&Diagnostic> = diags.iter().collect();
    assert_eq!(all.len(), 2, "{all:#?}");
    let warning = all
        .iter()
        .find(|d| d.severity == Severity::Warning)
        .unwrap();
    assert_eq!(
        warning.message,
        "\"image.web\" is a registry reference, not the image block image.web"
    );
    let error = only_error(&diags);
    assert_eq!(error.message, "path \"store\" is not absolute");
}

#[test]
fn runtime_names_are_checked() {
    let mut b = B::new();
    let body = {
        let i = b.s("nginx");
        let n = b.s("my web");
        b.block(vec![("image", i), ("name", n)])
    };
    let (_, diags) = decode(&config(vec![resource("container", "web", body)]));
    assert_eq!(only_error(&diags).message, "\"my web\" is not a valid name");
}

/// Through the real evaluator: every problem is reported, at the right text.
#[test]
fn end_to_end_with_the_evaluator() {
    use stackc_lang::eval::{evaluate_sources, NoHooks, VarInputs};
    let text = r#"
variable "pw" {
  default   = "hunter2"
  sensitive = true
}
image "app" {
  ref = "app:1"
  dir = "./rootfs"
}
container "web" {
  image   = network.backend
  restart = "allways"
  comand  = ["x"]
  port {
    container = "http"
  }
  resources {
    memory = "512m"
    cpus   = var.pw
  }
  resources {
    pids = 10
  }
  helth {
    tcp = 80
  }
}
network "backend" {}
container "ok" {
  image = image.app
  env   = { PW = var.pw }
}
"#;
    let mut sources = stackc_lang::Sources::new();
    let id = sources.add("main.stack.hcl", "main.stack.hcl", text);
    let (config, diags) = evaluate_sources(
        sources,
        &[id],
        std::path::Path::new("/tmp/shop"),
        &VarInputs::default(),
        &NoHooks,
    );
    assert!(diags.is_empty(), "{diags:#?}");
    let (stack, diags) = decode(&config);
    let sorted = diags.sorted();
    let found: Vec<(&str, &str)> = sorted
        .iter()
        .map(|d| (d.code, config.sources.slice(d.span.unwrap_or_default())))
        .collect();
    assert_eq!(
        found,
        vec![
            (code::TYPE, "\"./rootfs\""),
            (code::TYPE, "network.backend"),
            (code::TYPE, "\"allways\""),
            (code::UNKNOWN_ATTRIBUTE, "comand"),
            (code::TYPE, "\"http\""),
            (code::TYPE, "\"512m\""),
            (code::TYPE, "var.pw"),
            (code::DUPLICATE, "resources"),
            (code::UNKNOWN_BLOCK, "helth"),
        ]
    );
    assert!(!sorted.iter().any(|d| d.message.contains("hunter2")));
    let ok = stack.get("container.ok").unwrap();
    assert_eq!(ok.sensitive_paths, vec!["env.PW".to_string()]);
    assert_eq!(ok.runtime_name, "shop-ok");
    assert!(ok.depends_on.iter().any(|d| d.address == "image.app"));
    assert!(ok.depends_on.iter().any(|d| d.address == DEFAULT_NETWORK));
    assert!(stack.get(DEFAULT_NETWORK).is_some_and(|n| n.implicit));
}
