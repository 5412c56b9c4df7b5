//! The native runtime through the `stackc` binary, as a user runs it: `examples/hello` with
//! the default provider (restarts, logs, exec, a volume kept across `destroy`), a killed shim
//! seen as drift and healed, `build` images refused at plan time, and the error a non-root
//! user gets. These run real containers and need root; they fail, never skip, without it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `examples/hello` copied into a temporary directory, under a unique stack name, with its own
/// store root and state directory, so that runs never meet each other or the host's stacks.
struct Hello {
    dir: tempfile::TempDir,
    name: String,
}

impl Hello {
    fn new(tag: &str) -> Hello {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("t{}-{tag}", std::process::id());
        let text = std::fs::read_to_string("examples/hello/main.stack.hcl")
            .unwrap()
            .replace("stack \"hello\" {}", &format!("stack \"{name}\" {{}}"));
        std::fs::write(dir.path().join("main.stack.hcl"), text).unwrap();
        let root = dir.path().join("root");
        std::fs::write(
            dir.path().join("provider.stack.hcl"),
            format!(
                "provider \"native\" {{\n  root = \"{}\"\n}}\n",
                root.display()
            ),
        )
        .unwrap();
        Hello { dir, name }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn root(&self) -> PathBuf {
        self.path().join("root")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_stackc"));
        c.arg("-C")
            .arg(self.path())
            .arg("--state-dir")
            .arg(self.path().join(".state"))
            .arg("--color")
            .arg("never")
            .args(args)
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs and expects exit code `code`; returns stdout.
    fn expect(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(code),
            "stackc {args:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
        );
        stdout
    }

    /// Polls `args` until its stdout satisfies `ok`, for at most `secs` seconds.
    fn wait_for(&self, args: &[&str], secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let out = self.run(args);
            let stdout = String::from_utf8_lossy(&out.stdout).to_string();
            if ok(&stdout) {
                return stdout;
            }
            assert!(
                Instant::now() < deadline,
                "stackc {args:?} never satisfied the condition; last stdout:\n{stdout}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The shim pids of the stack's containers, from their state records.
    fn shim_pids(&self) -> Vec<i32> {
        let mut pids = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.root().join("containers")) else {
            return pids;
        };
        for e in entries.flatten() {
            if let Ok(bytes) = std::fs::read(e.path().join("state.json")) {
                let state: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                if let Some(pid) = state["shim_pid"].as_i64() {
                    pids.push(pid as i32);
                }
            }
        }
        pids
    }

    /// What `destroy` must leave: no container records, no mounts under the root, no cgroup
    /// of the stack in any hierarchy.
    fn assert_nothing_left(&self) {
        let containers: Vec<_> = std::fs::read_dir(self.root().join("containers"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "by-name")
            .collect();
        assert!(containers.is_empty(), "containers left: {containers:?}");
        let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
        let root = self.root().display().to_string();
        assert!(
            !mounts.contains(&root),
            "mounts left under {root}:\n{mounts}"
        );
        for hierarchy in std::fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
            let group = hierarchy.path().join("stackc").join(&self.name);
            assert!(!group.exists(), "cgroup left: {}", group.display());
        }
    }
}

impl Drop for Hello {
    /// After a failed assertion: no shim or container outlives the test.
    fn drop(&mut self) {
        let _ = self.run(&["destroy", "--auto-approve", "--purge-volumes"]);
    }
}

fn runs_logged(logs: &str) -> usize {
    logs.lines().filter(|l| l.starts_with("hello from")).count()
}

#[test]
fn hello_restarts_on_failure_logs_and_keeps_its_volume() {
    let hello = Hello::new("hello");
    // The default provider is native: no --provider here.
    hello.expect(&["apply", "--auto-approve", "--var", "lifetime=1"], 0);
    let logs = hello.wait_for(&["logs", "container.hello"], 30, |l| runs_logged(l) >= 3);
    assert!(logs.contains(&format!("hello from {}-hello, run 1", hello.name)));

    // exec runs inside the container, and sees the count the runs wrote to the volume.
    let runs: usize = hello
        .expect(
            &[
                "exec",
                "container.hello",
                "--",
                "/bin/busybox",
                "cat",
                "/data/runs",
            ],
            0,
        )
        .trim()
        .parse()
        .unwrap();
    assert!(runs >= 3, "{runs} runs counted");
    let status = hello.expect(&["status"], 0);
    assert!(status.contains("container.hello"), "{status}");

    // Restarts by the container's own policy are reported, but there is nothing to do.
    let plan = hello.expect(&["plan", "--detailed-exitcode", "--var", "lifetime=1"], 0);
    assert!(plan.contains("No changes"), "{plan}");

    // destroy keeps the volume; a new apply counts on from where the last run stopped.
    hello.expect(&["destroy", "--auto-approve"], 0);
    hello.assert_nothing_left();
    assert!(hello
        .root()
        .join("volumes")
        .join(format!("{}-data", hello.name))
        .is_dir());
    hello.expect(&["apply", "--auto-approve"], 0);
    let logs = hello.wait_for(&["logs", "container.hello"], 20, |l| runs_logged(l) >= 1);
    let first = logs.lines().find(|l| l.starts_with("hello from")).unwrap();
    let n: usize = first.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(
        n > runs,
        "the new container started at run {n}, after {runs}"
    );

    // --purge-volumes removes the data too.
    hello.expect(&["destroy", "--auto-approve", "--purge-volumes"], 0);
    hello.assert_nothing_left();
    let volumes: Vec<_> = std::fs::read_dir(hello.root().join("volumes"))
        .unwrap()
        .flatten()
        .collect();
    assert!(volumes.is_empty(), "{volumes:?}");
}

#[test]
fn a_killed_shim_is_drift_and_apply_heals_it() {
    let hello = Hello::new("shim");
    hello.expect(&["apply", "--auto-approve"], 0);
    let pids = hello.shim_pids();
    assert_eq!(pids.len(), 1, "one container, one shim: {pids:?}");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pids[0]),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();

    // The container dies with its shim; the next plan sees it and will start it again.
    let plan = hello.wait_for(&["plan", "--detailed-exitcode"], 10, |p| {
        p.contains("will be started")
    });
    assert!(plan.contains("container.hello has drifted"), "{plan}");
    hello.expect(&["apply", "--auto-approve"], 0);
    hello.expect(&["plan", "--detailed-exitcode"], 0);
    let status = hello.expect(&["status"], 0);
    let line = status
        .lines()
        .find(|l| l.starts_with("container.hello"))
        .unwrap();
    assert!(line.contains("running"), "{status}");
    let new = hello.shim_pids();
    assert_eq!(new.len(), 1);
    assert_ne!(new[0], pids[0], "a new shim supervises the container");

    hello.expect(&["destroy", "--auto-approve", "--purge-volumes"], 0);
    hello.assert_nothing_left();
}

#[test]
fn build_images_are_refused_at_plan_time() {
    let hello = Hello::new("build");
    std::fs::write(
        hello.path().join("main.stack.hcl"),
        format!(
            "stack \"{}\" {{}}\n\nimage \"app\" {{\n  build {{\n    context = \".\"\n  }}\n}}\n",
            hello.name
        ),
    )
    .unwrap();
    let out = hello.run(&["plan"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("stackc::unsupported"), "{stderr}");
    assert!(stderr.contains("image.app"), "{stderr}");
}

#[test]
fn not_root_is_told_what_is_needed() {
    let hello = Hello::new("user");
    // The stack directory must be readable by the other user.
    std::fs::set_permissions(
        hello.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let state = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        state.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_stackc"))
        .arg("-C")
        .arg(hello.path())
        .arg("--state-dir")
        .arg(state.path())
        .arg("plan")
        .stdin(Stdio::null())
        .output()
        .expect("setpriv (util-linux) runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the native provider needs root (running as uid 65534)"),
        "{stderr}"
    );
    assert!(stderr.contains("--provider docker"), "{stderr}");
}

#[test]
fn a_service_rolls_start_first_and_rolls_back_on_the_native_runtime() {
    let hello = Hello::new("svc");
    std::fs::write(
        hello.path().join("main.stack.hcl"),
        format!(
            r#"stack "{}" {{}}

variable "version" {{
  default = "1"
}}

image "busybox" {{
  from_host = ["/bin/busybox"]
  config {{
    entrypoint = ["/bin/busybox"]
  }}
}}

service "api" {{
  image    = image.busybox
  command  = ["sh", "-c", "echo v${{var.version}}; test ${{var.version}} != bad || exit 3; exec sleep 100000"]
  replicas = 2
  networks = []
  init     = true
  update {{
    order   = "start-first"
    monitor = "1s"
  }}
}}
"#,
            hello.name
        ),
    )
    .unwrap();
    hello.expect(&["apply", "--auto-approve"], 0);
    let status = hello.expect(&["status"], 0);
    assert!(status.contains("2/2 ready (rev 1)"), "{status}");

    hello.expect(&["apply", "--auto-approve", "--var", "version=2"], 0);
    let logs = hello.wait_for(&["logs", "service.api#2"], 10, |l| l.contains("v2"));
    assert!(!logs.contains("v1"), "{logs}");
    // The service's address names every replica, each line prefixed; exec picks the first.
    let all = hello.expect(&["logs", "service.api"], 0);
    assert!(all.contains("service.api#1 | v2"), "{all}");
    assert!(all.contains("service.api#2 | v2"), "{all}");
    let host = hello.expect(
        &["exec", "service.api", "--", "/bin/busybox", "hostname"],
        0,
    );
    assert_eq!(host.trim(), format!("{}-api-1", hello.name));
    let shims = hello.shim_pids();
    assert_eq!(shims.len(), 2, "the old replicas are gone: {shims:?}");

    let out = hello.run(&["apply", "--auto-approve", "--var", "version=bad"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("rolled back"), "{stderr}");
    let status = hello.expect(&["status"], 0);
    assert!(status.contains("2/2 ready (rev 2)"), "{status}");
    // The replicas that kept serving are the ones rolled in before.
    assert_eq!(hello.shim_pids().len(), 2);
    hello.expect(&["plan", "--detailed-exitcode", "--var", "version=2"], 0);

    hello.expect(&["destroy", "--auto-approve"], 0);
    hello.assert_nothing_left();
}

#[test]
fn a_quota_holds_its_members_total_on_the_native_runtime() {
    let hello = Hello::new("quota");
    let text = |memory: &str| {
        format!(
            r#"stack "{}" {{}}

image "busybox" {{
  from_host = ["/bin/busybox"]
  config {{
    entrypoint = ["/bin/busybox"]
  }}
}}

quota "team" {{
  memory = "{memory}"
  pids   = 100
}}

container "a" {{
  image    = image.busybox
  command  = ["sleep", "100000"]
  init     = true
  networks = []
  quota    = quota.team
  resources {{
    memory = "32MiB"
    pids   = 50
  }}
}}
"#,
            hello.name
        )
    };
    std::fs::write(hello.path().join("main.stack.hcl"), text("64MiB")).unwrap();
    hello.expect(&["apply", "--auto-approve"], 0);

    // The member's own limit raised by hand, far above the quota.
    let quota = format!(
        "/sys/fs/cgroup/memory/stackc/{}/quota-{}-team",
        hello.name, hello.name
    );
    let member = std::fs::read_dir(&quota)
        .unwrap()
        .flatten()
        .find(|e| e.path().is_dir())
        .expect("the member's group is below the quota's")
        .path();
    let _ = std::fs::write(member.join("memory.memsw.limit_in_bytes"), "1073741824");
    std::fs::write(member.join("memory.limit_in_bytes"), "536870912").unwrap();
    let hog = hello.run(&[
        "exec",
        "container.a",
        "--",
        "/bin/busybox",
        "dd",
        "if=/dev/zero",
        "of=/dev/null",
        "bs=100M",
        "count=1",
    ]);
    assert_eq!(
        hog.status.code(),
        Some(137),
        "the hog was not killed at the quota's total: {}",
        String::from_utf8_lossy(&hog.stderr)
    );

    // The quota's limit changes in place; the member keeps running.
    let shim = hello.shim_pids();
    std::fs::write(hello.path().join("main.stack.hcl"), text("96MiB")).unwrap();
    let plan = hello.expect(&["plan"], 0);
    assert!(
        plan.contains("# quota.team will be updated in place"),
        "{plan}"
    );
    hello.expect(&["apply", "--auto-approve"], 0);
    let limit = std::fs::read_to_string(format!("{quota}/memory.limit_in_bytes")).unwrap();
    assert_eq!(limit.trim(), (96u64 << 20).to_string());
    assert_eq!(hello.shim_pids(), shim);

    hello.expect(&["destroy", "--auto-approve"], 0);
    hello.assert_nothing_left();
}

/// A free TCP port on 127.0.0.1 now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET `path` from 127.0.0.1:`port`; the body, or `None` when nothing answers.
fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    s.write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes())
        .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    text.split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
}

/// Links on the host whose name is `name`.
fn link_exists(name: &str) -> bool {
    let out = Command::new("ip").args(["-o", "link"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).contains(&format!(": {name}:"))
        || String::from_utf8_lossy(&out.stdout).contains(&format!(": {name}@"))
}

#[test]
fn the_quickstart_runs_on_the_default_provider() {
    let hello = Hello::new("qs");
    let text = std::fs::read_to_string("examples/quickstart/main.stack.hcl")
        .unwrap()
        .replace(
            "stack \"quickstart\" {",
            &format!("stack \"{}\" {{", hello.name),
        );
    std::fs::write(hello.path().join("main.stack.hcl"), text).unwrap();
    let port = free_port();
    let port_var = format!("port={port}");
    hello.expect(
        &[
            "apply",
            "--auto-approve",
            "--wait",
            "--timeout",
            "60s",
            "--var",
            &port_var,
        ],
        0,
    );
    let body = http_get(port, "/");
    let bridge = stackc_provider_native::network::bridge_name(&format!("{}-web", hello.name));
    assert!(link_exists(&bridge), "the network's bridge {bridge}");
    hello.expect(
        &[
            "destroy",
            "--auto-approve",
            "--purge-volumes",
            "--var",
            &port_var,
        ],
        0,
    );
    assert_eq!(
        body.as_deref(),
        Some(format!("<h1>hello from {}</h1>\n", hello.name).as_str())
    );
    hello.assert_nothing_left();
    assert!(
        !link_exists(&bridge),
        "the bridge {bridge} outlived destroy"
    );
    let networks: Vec<_> = std::fs::read_dir(hello.root().join("networks"))
        .unwrap()
        .flatten()
        .collect();
    assert!(networks.is_empty(), "{networks:?}");
    assert!(http_get(port, "/").is_none(), "the port outlived destroy");
}

#[test]
fn containers_find_each_other_by_name_on_their_network_only() {
    let hello = Hello::new("net");
    let server = |name: &str, network: &str| {
        format!(
            r#"
container "{name}" {{
  image    = image.busybox
  command  = ["httpd", "-f", "-p", "80", "-h", "/srv"]
  networks = [network.{network}]
  init     = true
  file {{
    target  = "/srv/index.html"
    content = "{name}\n"
  }}
}}
"#
        )
    };
    let text = format!(
        r#"stack "{}" {{}}

image "busybox" {{
  from_host = ["/bin/busybox"]
  config {{
    entrypoint = ["/bin/busybox"]
  }}
}}

network "front" {{}}

network "back" {{}}

network "vault" {{
  internal = true
}}
{}{}{}{}"#,
        hello.name,
        server("x", "front"),
        server("y", "front"),
        server("z", "back"),
        server("w", "vault"),
    ) + r#"
container "v" {
  image    = image.busybox
  command  = ["sleep", "100000"]
  networks = [network.front, network.back]
  init     = true
}
"#;
    std::fs::write(hello.path().join("main.stack.hcl"), text).unwrap();
    hello.expect(&["apply", "--auto-approve"], 0);
    let exec = |container: &str, args: &[&str]| {
        let mut full = vec!["exec", container, "--", "/bin/busybox"];
        full.extend(args);
        hello.run(&full)
    };

    // By block name and by runtime name, on the network they share.
    let by_name = hello.wait_for(
        &[
            "exec",
            "container.y",
            "--",
            "/bin/busybox",
            "wget",
            "-q",
            "-O",
            "-",
            "http://x/",
        ],
        10,
        |o| o.contains('x'),
    );
    assert_eq!(by_name.trim(), "x");
    let runtime = format!("http://{}-x/", hello.name);
    let out = exec("container.y", &["wget", "-q", "-O", "-", &runtime]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "x");

    // Another network's container reaches neither the name nor the address.
    let hosts =
        String::from_utf8_lossy(&exec("container.y", &["cat", "/etc/hosts"]).stdout).to_string();
    let x_ip = hosts
        .lines()
        .find(|l| l.split_whitespace().any(|n| n == "x"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("x is not in y's /etc/hosts:\n{hosts}"))
        .to_string();
    let out = exec(
        "container.z",
        &["wget", "-q", "-T", "2", "-O", "-", "http://x/"],
    );
    assert!(!out.status.success(), "z resolved x");
    let out = exec(
        "container.z",
        &[
            "wget",
            "-q",
            "-T",
            "2",
            "-O",
            "-",
            &format!("http://{x_ip}/"),
        ],
    );
    assert!(!out.status.success(), "z reached x at {x_ip}");

    // An internal network has no route out.
    let routes = String::from_utf8_lossy(&exec("container.w", &["ip", "route"]).stdout).to_string();
    assert!(!routes.contains("default"), "{routes}");

    // A container on two networks has an interface on each, and reaches both.
    let links =
        String::from_utf8_lossy(&exec("container.v", &["ip", "-o", "addr"]).stdout).to_string();
    assert!(links.contains("eth0") && links.contains("eth1"), "{links}");
    let out = exec("container.v", &["wget", "-q", "-O", "-", "http://x/"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "x");
    let out = exec("container.v", &["wget", "-q", "-O", "-", "http://z/"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "z");

    hello.expect(&["destroy", "--auto-approve"], 0);
    hello.assert_nothing_left();
    let tables = Command::new("nft")
        .args(["list", "tables"])
        .output()
        .unwrap();
    let tables = String::from_utf8_lossy(&tables.stdout).to_string();
    for net in ["front", "back", "vault"] {
        let name = format!("{}-{net}", hello.name);
        let table = stackc_provider_native::network::table_name(&name);
        assert!(
            !tables.contains(&table),
            "the rules of {name} outlived destroy"
        );
        let bridge = stackc_provider_native::network::bridge_name(&name);
        assert!(
            !link_exists(&bridge),
            "the bridge of {name} outlived destroy"
        );
    }
}

#[test]
fn a_service_port_stays_up_through_a_roll_a_rollback_and_scaling() {
    let hello = Hello::new("lb");
    let port = free_port();
    let text = format!(
        r#"stack "{}" {{}}

variable "version" {{
  default = "1"
}}

variable "replicas" {{
  default = 3
}}

variable "check" {{
  default = "/srv/index.html"
}}

image "busybox" {{
  from_host = ["/bin/busybox"]
  config {{
    entrypoint = ["/bin/busybox"]
  }}
}}

service "web" {{
  image    = image.busybox
  command  = ["httpd", "-f", "-p", "80", "-h", "/srv"]
  replicas = var.replicas
  init     = true
  health {{
    exec     = ["/bin/busybox", "test", "-f", var.check]
    interval = "1s"
    retries  = 1
  }}
  port {{
    host      = {port}
    container = 80
    host_ip   = "127.0.0.1"
  }}
  file {{
    target  = "/srv/index.html"
    content = "v${{var.version}}\n"
  }}
  update {{
    order   = "start-first"
    monitor = "1s"
  }}
}}
"#,
        hello.name
    );
    std::fs::write(hello.path().join("main.stack.hcl"), text).unwrap();
    hello.expect(&["apply", "--auto-approve"], 0);
    assert_eq!(http_get(port, "/").as_deref(), Some("v1\n"));

    // Requests back to back while `step` runs; the answers by body, and the failures.
    let under_traffic = |step: &dyn Fn()| {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let client = std::thread::spawn(move || {
            let (mut answers, mut failed) = (std::collections::BTreeMap::new(), 0);
            while !flag.load(std::sync::atomic::Ordering::SeqCst) {
                match http_get(port, "/") {
                    Some(body) => *answers.entry(body).or_insert(0) += 1,
                    None => failed += 1,
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            (answers, failed)
        });
        step();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        client.join().unwrap()
    };

    // A roll.
    let (answers, failed) = under_traffic(&|| {
        hello.expect(&["apply", "--auto-approve", "--var", "version=2"], 0);
    });
    assert_eq!(failed, 0, "failed requests during the roll: {answers:?}");
    assert!(answers.contains_key("v2\n"), "{answers:?}");
    assert_eq!(http_get(port, "/").as_deref(), Some("v2\n"));

    // A template whose health check fails is rolled back; v2 answers throughout.
    let (answers, failed) = under_traffic(&|| {
        let out = hello.run(&[
            "apply",
            "--auto-approve",
            "--var",
            "version=3",
            "--var",
            "check=/nonexistent",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("rolled back"), "{stderr}");
    });
    assert_eq!(
        failed, 0,
        "failed requests during the rollback: {answers:?}"
    );
    assert_eq!(answers.keys().collect::<Vec<_>>(), ["v2\n"], "{answers:?}");

    // Scaling 3 → 5 → 1.
    let (answers, failed) = under_traffic(&|| {
        for n in ["5", "1"] {
            let replicas = format!("replicas={n}");
            hello.expect(
                &[
                    "apply",
                    "--auto-approve",
                    "--var",
                    "version=2",
                    "--var",
                    &replicas,
                ],
                0,
            );
        }
    });
    assert_eq!(failed, 0, "failed requests while scaling: {answers:?}");
    assert_eq!(hello.shim_pids().len(), 1);

    hello.expect(&["destroy", "--auto-approve", "--var", "version=2"], 0);
    hello.assert_nothing_left();
    assert!(http_get(port, "/").is_none(), "the port outlived destroy");
}

#[test]
fn the_guestbook_example_runs_on_the_default_provider() {
    let hello = Hello::new("gb");
    let text = std::fs::read_to_string("examples/guestbook/main.stack.hcl")
        .unwrap()
        .replace(
            "stack \"guestbook\" {}",
            &format!("stack \"{}\" {{}}", hello.name),
        );
    std::fs::write(hello.path().join("main.stack.hcl"), text).unwrap();
    let cgi = hello.path().join("cgi");
    std::fs::create_dir(&cgi).unwrap();
    for entry in std::fs::read_dir("examples/guestbook/cgi")
        .unwrap()
        .flatten()
    {
        std::fs::copy(entry.path(), cgi.join(entry.file_name())).unwrap();
    }
    let port = free_port();
    let port_var = format!("port={port}");
    hello.expect(&["apply", "--auto-approve", "--var", &port_var], 0);
    let added = http_get(port, "/cgi-bin/add?signed%20natively");
    let page = http_get(port, "/cgi-bin/index");
    let status = hello.expect(&["status", "--var", &port_var], 0);
    hello.expect(
        &[
            "destroy",
            "--auto-approve",
            "--purge-volumes",
            "--var",
            &port_var,
        ],
        0,
    );
    assert_eq!(added.as_deref().map(str::trim), Some("added"));
    let page = page.unwrap_or_default();
    assert!(page.contains("<li>signed natively</li>"), "{page}");
    assert!(status.contains("3/3 ready"), "{status}");
    assert!(status.contains("2/2 ready"), "{status}");
    hello.assert_nothing_left();
}

#[test]
fn an_apply_killed_during_network_setup_converges_without_duplicate_addresses() {
    let hello = Hello::new("kill");
    let mut text = format!(
        r#"stack "{}" {{}}

image "busybox" {{
  from_host = ["/bin/busybox"]
  config {{
    entrypoint = ["/bin/busybox"]
  }}
}}

network "app" {{}}
"#,
        hello.name
    );
    for i in 0..24 {
        text.push_str(&format!(
            "\ncontainer \"c{i}\" {{\n  image    = image.busybox\n  command  = [\"sleep\", \"100000\"]\n  networks = [network.app]\n  init     = true\n}}\n"
        ));
    }
    std::fs::write(hello.path().join("main.stack.hcl"), text).unwrap();

    // Killed once the network exists and containers are being attached.
    let mut child = hello
        .command(&["apply", "--auto-approve", "--parallelism", "4"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let record = hello
        .root()
        .join("networks")
        .join(format!("{}-app.json", hello.name));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let held = std::fs::read_to_string(&record)
            .map(|t| t.matches("10.89.").count())
            .unwrap_or(0);
        if held >= 4 || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let _ = child.wait();

    hello.expect(&["apply", "--auto-approve"], 0);
    hello.expect(&["plan", "--detailed-exitcode"], 0);
    let network: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    let held: Vec<String> = network["allocations"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let mut unique = held.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), held.len(), "an address given twice: {held:?}");
    assert_eq!(
        held.len(),
        24,
        "one address per container, none leaked: {held:?}"
    );

    let ids: Vec<String> = std::fs::read_dir(hello.root().join("containers"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.len() == 32)
        .collect();
    assert_eq!(
        ids.len(),
        24,
        "what the killed apply half-made is gone: {ids:?}"
    );

    hello.expect(&["destroy", "--auto-approve"], 0);
    hello.assert_nothing_left();
    let bridge = stackc_provider_native::network::bridge_name(&format!("{}-app", hello.name));
    assert!(!link_exists(&bridge), "the bridge outlived destroy");
    let namespaces = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let namespaces = String::from_utf8_lossy(&namespaces.stdout).to_string();
    for id in ids {
        assert!(
            !namespaces.contains(&id),
            "the namespace of {id} outlived destroy"
        );
    }
}

#[test]
fn logs_follow_a_running_container() {
    use std::io::{BufRead, BufReader};
    let hello = Hello::new("follow");
    hello.expect(&["apply", "--auto-approve", "--var", "lifetime=1"], 0);
    let mut child = hello
        .command(&["logs", "-f", "container.hello"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Runs restart every second or so: a follower sees new ones arrive.
    let mut runs = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while runs.len() < 3 && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            if line.starts_with("hello from") {
                runs.push(line);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(runs.len() >= 3, "followed only {runs:?}");
    hello.expect(&["destroy", "--auto-approve", "--purge-volumes"], 0);
    hello.assert_nothing_left();
}
