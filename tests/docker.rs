//! The Docker round trip of issue 3, against a real Docker Engine, through the `stackc`
//! binary: apply → empty plan → one change of each kind → drift behind stackc's back → heal →
//! destroy; a stale saved plan; the lock; a killed apply.
//!
//! `scripts/docker-up` installs and starts Docker when needed; if Docker cannot start, these
//! tests fail (they never skip).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

fn docker_up() {
    static UP: Once = Once::new();
    UP.call_once(|| {
        let status = Command::new("scripts/docker-up")
            .status()
            .expect("scripts/docker-up cannot run");
        assert!(
            status.success(),
            "Docker could not be started by scripts/docker-up"
        );
    });
}

/// A stack in a temporary directory, with its own state directory and a unique name.
struct Stack {
    dir: tempfile::TempDir,
    name: String,
}

impl Stack {
    fn new(tag: &str, text: &str) -> Stack {
        docker_up();
        let name = format!("t{}-{tag}", std::process::id());
        let dir = tempfile::tempdir().unwrap();
        let stack = Stack { dir, name };
        stack.write(text);
        stack
    }

    fn write(&self, text: &str) {
        let text = text.replace("STACK", &self.name);
        std::fs::write(self.dir.path().join("main.stack.hcl"), text).unwrap();
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_stackc"));
        c.arg("-C")
            .arg(self.path())
            .arg("--state-dir")
            .arg(self.path().join(".state"))
            .arg("--provider")
            .arg("docker")
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

    fn apply(&self) -> String {
        self.expect(&["apply", "--auto-approve"], 0)
    }

    fn assert_converged(&self) {
        let plan = self.expect(&["plan", "--detailed-exitcode"], 0);
        assert!(plan.contains("No changes."), "{plan}");
    }

    fn container(&self, name: &str) -> String {
        format!("{}-{name}", self.name)
    }

    /// IDs of the objects of `kind` (container, network, volume) with the stack's label.
    fn labelled(&self, kind: &str) -> Vec<String> {
        let filter = format!("label=io.stackc.stack={}", self.name);
        let args: Vec<&str> = match kind {
            "container" => vec!["ps", "-aq", "--filter", &filter],
            "network" => vec!["network", "ls", "-q", "--filter", &filter],
            _ => vec!["volume", "ls", "-q", "--filter", &filter],
        };
        let out = docker(&args);
        out.lines()
            .map(str::to_string)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// The nftables table of a stack's published service ports (providers/docker/src/balance.rs).
fn nft_table(stack: &str) -> String {
    use sha2::Digest;
    format!(
        "stackc_{}",
        &hex::encode(sha2::Sha256::digest(stack.as_bytes()))[..12]
    )
}

impl Drop for Stack {
    fn drop(&mut self) {
        // Leave nothing behind, whatever the test did.
        let _ = Command::new("nft")
            .args(["delete", "table", "ip", &nft_table(&self.name)])
            .stderr(Stdio::null())
            .status();
        // Quota records and groups (providers/docker/src/quota.rs).
        if let Ok(entries) = std::fs::read_dir("/var/lib/stackc/docker/quotas") {
            for e in entries.flatten() {
                if e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{}-", self.name))
                {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        for c in ["memory", "cpu", "pids"] {
            let stack = format!("/sys/fs/cgroup/{c}/stackc-docker/{}", self.name);
            if let Ok(entries) = std::fs::read_dir(&stack) {
                for e in entries.flatten().filter(|e| e.path().is_dir()) {
                    let _ = std::fs::remove_dir(e.path());
                }
            }
            let _ = std::fs::remove_dir(&stack);
        }
        let filter = format!("label=io.stackc.stack={}", self.name);
        for id in docker(&["ps", "-aq", "--filter", &filter]).lines() {
            let _ = docker_status(&["rm", "-f", id]);
        }
        for id in docker(&["network", "ls", "-q", "--filter", &filter]).lines() {
            let _ = docker_status(&["network", "rm", id]);
        }
        for id in docker(&["volume", "ls", "-q", "--filter", &filter]).lines() {
            let _ = docker_status(&["volume", "rm", "-f", id]);
        }
        for id in docker(&["image", "ls", "-q", "--filter", &filter]).lines() {
            let _ = docker_status(&["image", "rm", "-f", id]);
        }
    }
}

/// A port nothing on the host listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn docker_status(args: &[&str]) -> bool {
    Command::new("docker")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

const WEB: &str = r#"
stack "STACK" {}

image "busybox" {
  from_host = ["/bin/busybox"]
  config {
    entrypoint = ["/bin/busybox"]
  }
}

network "backend" {}

volume "data" {}

container "web" {
  image    = image.busybox
  command  = ["httpd", "-f", "-p", "80", "-h", "/data"]
  networks = [network.backend]
  env      = { MODE = "prod" }
  restart  = "unless-stopped"

  mount {
    source = volume.data
    target = "/data"
  }

  resources {
    memory = "64MiB"
    cpus   = 0.5
    pids   = 64
  }
}
"#;

#[test]
fn the_round_trip_converges_shows_each_change_and_heals_drift() {
    let s = Stack::new("rt", WEB);
    let out = s.apply();
    assert!(out.contains("Apply complete: 4 added"), "{out}");
    s.assert_converged();
    assert_eq!(s.labelled("container").len(), 1);

    // An update-kind attribute: in place.
    s.write(&WEB.replace("\"64MiB\"", "\"128MiB\""));
    let plan = s.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        plan.contains("# container.web will be updated in place"),
        "{plan}"
    );
    assert!(
        plan.contains("~ resources.memory = \"64MiB\" -> \"128MiB\""),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy."),
        "{plan}"
    );
    let id_before = s.labelled("container");
    s.apply();
    assert_eq!(
        s.labelled("container"),
        id_before,
        "updated in place, not replaced"
    );
    s.assert_converged();

    // A replace-kind attribute: replaced.
    s.write(
        &WEB.replace("\"64MiB\"", "\"128MiB\"")
            .replace("\"prod\"", "\"staging\""),
    );
    let plan = s.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        plan.contains("~ env.MODE = \"prod\" -> \"staging\" # forces replacement"),
        "{plan}"
    );
    s.apply();
    assert_ne!(s.labelled("container"), id_before);
    s.assert_converged();

    // Stopped behind stackc's back.
    assert!(docker_status(&["stop", "-t", "1", &s.container("web")]));
    let plan = s.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        plan.contains("has drifted: stopped outside stackc (exit"),
        "{plan}"
    );
    s.apply();
    s.assert_converged();

    // `docker update` behind stackc's back.
    assert!(docker_status(&[
        "update",
        "--memory",
        "96m",
        "--memory-swap",
        "192m",
        &s.container("web")
    ]));
    let plan = s.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(
        plan.contains("resources.memory was changed outside stackc: it is 96MiB"),
        "{plan}"
    );
    s.apply();
    s.assert_converged();

    // Removed behind stackc's back.
    assert!(docker_status(&["rm", "-f", &s.container("web")]));
    let plan = s.expect(&["plan", "--detailed-exitcode"], 2);
    assert!(plan.contains("removed outside stackc"), "{plan}");
    s.apply();
    s.assert_converged();

    // Destroy: no container or network left; the volume keeps its data.
    let out = s.expect(&["destroy", "--auto-approve"], 0);
    assert!(
        out.contains("volume.data will be kept: holds data"),
        "{out}"
    );
    assert!(s.labelled("container").is_empty());
    assert!(s.labelled("network").is_empty());
    assert_eq!(s.labelled("volume").len(), 1);
}

#[test]
fn a_stale_saved_plan_is_refused_and_changes_nothing() {
    let s = Stack::new("stale", WEB);
    s.apply();
    s.write(&WEB.replace("\"64MiB\"", "\"128MiB\""));
    let plan_file = s.path().join("plan.out");
    s.expect(&["plan", "--out", plan_file.to_str().unwrap()], 0);
    assert!(docker_status(&["stop", "-t", "1", &s.container("web")]));
    let out = s.run(&["apply", plan_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("saved plan is stale"), "{stderr}");
    let state = docker(&["inspect", "-f", "{{.State.Status}}", &s.container("web")]);
    assert_eq!(state.trim(), "exited", "a stale plan changed nothing");

    // A fresh saved plan applies.
    s.expect(&["plan", "--out", plan_file.to_str().unwrap()], 0);
    s.expect(&["apply", plan_file.to_str().unwrap()], 0);
    s.assert_converged();
}

/// Ten containers applied one at a time, so an apply can be caught half-way.
fn many(n: usize) -> String {
    let mut text = String::from(
        r#"
stack "STACK" {}

image "busybox" {
  from_host = ["/bin/busybox"]
  config {
    entrypoint = ["/bin/busybox"]
  }
}
"#,
    );
    for i in 0..n {
        text.push_str(&format!(
            "\ncontainer \"c{i}\" {{\n  image   = image.busybox\n  command = [\"sleep\", \"3600\"]\n  networks = []\n}}\n"
        ));
    }
    text
}

#[test]
fn a_second_apply_is_refused_and_a_killed_apply_converges_without_duplicates() {
    let s = Stack::new("kill", &many(10));
    let mut first = s
        .command(&["apply", "--auto-approve", "--parallelism", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until some containers exist, then try a second apply and kill the first.
    let deadline = Instant::now() + Duration::from_secs(60);
    while s.labelled("container").len() < 3 {
        assert!(
            Instant::now() < deadline,
            "the first apply made no progress"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = s.run(&["apply", "--auto-approve"]);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "stack `{}` is locked by pid {} (stackc apply, since ",
            s.name,
            first.id()
        )),
        "{stderr}"
    );
    first.kill().unwrap();
    let _ = first.wait();
    let made = s.labelled("container").len();
    assert!(
        made < 10,
        "the apply finished before it was killed ({made})"
    );

    s.apply();
    s.assert_converged();
    assert_eq!(s.labelled("container").len(), 10, "no duplicate, no orphan");
    let running = docker(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=io.stackc.stack={}", s.name),
    ]);
    assert_eq!(running.lines().count(), 10, "every container runs");
}

#[test]
fn status_logs_exec_and_history_work_on_a_running_stack() {
    let s = Stack::new(
        "ops",
        &WEB.replace(
            "command  = [\"httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/data\"]",
            "command  = [\"sh\", \"-c\", \"echo hello-from-web; exec httpd -f -p 80 -h /data\"]",
        ),
    );
    s.apply();
    let status = s.expect(&["status"], 0);
    assert!(status.contains("container.web"), "{status}");
    assert!(status.contains("running"), "{status}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let logs = s.expect(&["logs", "container.web"], 0);
        if logs.contains("hello-from-web") {
            break;
        }
        assert!(Instant::now() < deadline, "no log line: {logs}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = s.run(&[
        "exec",
        "container.web",
        "--",
        "/bin/busybox",
        "sh",
        "-c",
        "echo $MODE; exit 3",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "prod");
    let history = s.expect(&["history"], 0);
    assert!(history.contains("apply"), "{history}");
}

#[test]
fn ctrl_c_lets_running_actions_finish_and_exits_130() {
    let s = Stack::new("int", &many(12));
    let apply = s
        .command(&["apply", "--auto-approve", "--parallelism", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while s.labelled("container").len() < 2 {
        assert!(Instant::now() < deadline, "the apply made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = nix::unistd::Pid::from_raw(apply.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let out = apply.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(stdout.contains("Apply interrupted:"), "{stdout}");
    assert!(stderr.contains("no new actions will start"), "{stderr}");
    // What was started finished: every container made is whole, and the next apply converges.
    s.apply();
    s.assert_converged();
    assert_eq!(s.labelled("container").len(), 12);
}

#[test]
fn apply_without_a_terminal_or_auto_approve_refuses_and_changes_nothing() {
    let s = Stack::new("confirm", WEB);
    let out = s.run(&["apply"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("apply needs confirmation, and stdin is not a terminal"),
        "{stderr}"
    );
    assert!(stderr.contains("--auto-approve"), "{stderr}");
    assert!(s.labelled("container").is_empty());
}

/// Waits up to `secs` for `check`.
fn eventually(what: &str, secs: u64, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn watch_converges_heals_drift_follows_edits_and_stops_on_sigterm() {
    let s = Stack::new("watch", &many(1));
    // Its log goes to a file: a pipe nobody reads would fill up and stop the watcher.
    let log = std::fs::File::create(s.path().join("watch.log")).unwrap();
    let watcher = s
        .command(&["watch", "--interval", "1s"])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    eventually("the first apply", 60, || s.labelled("container").len() == 1);

    // Removed behind its back: healed within an interval (a new container, not the old one
    // still being removed).
    let before = s.labelled("container");
    assert!(docker_status(&["rm", "-f", &s.container("c0")]));
    eventually("the container to be healed", 30, || {
        let now = s.labelled("container");
        now.len() == 1 && now != before
    });

    // An edit is applied.
    s.write(&many(2));
    eventually("the edit to be applied", 30, || {
        s.labelled("container").len() == 2
    });

    let pid = nix::unistd::Pid::from_raw(watcher.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let out = watcher.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            s.path()
                .join(format!(".state/stacks/{}/watch.json", s.name)),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(
        status["metrics"]["applies"].as_u64().unwrap() >= 2,
        "{status}"
    );
    assert!(status["revision_applied"]
        .as_str()
        .unwrap()
        .starts_with("local:"));
}

#[test]
fn the_quickstart_answers_on_its_port() {
    docker_up();
    let state = tempfile::tempdir().unwrap();
    let port = free_port();
    let port_var = format!("port={port}");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_stackc"))
            .args([
                "-C",
                "examples/quickstart",
                "--provider",
                "docker",
                "--state-dir",
            ])
            .arg(state.path())
            .args(["--var", &port_var])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(&["apply", "--auto-approve", "--wait", "--timeout", "60s"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body = Command::new("busybox")
        .args([
            "wget",
            "-q",
            "-O",
            "-",
            &format!("http://127.0.0.1:{port}/"),
        ])
        .output()
        .unwrap();
    let destroyed = run(&["destroy", "--auto-approve", "--purge-volumes"]);
    assert_eq!(
        String::from_utf8_lossy(&body.stdout),
        "<h1>hello from quickstart</h1>\n"
    );
    assert_eq!(destroyed.status.code(), Some(0));
}

#[test]
fn rollback_re_applies_an_earlier_revision() {
    let s = Stack::new("rb", WEB);
    s.apply();
    s.write(&WEB.replace("\"prod\"", "\"staging\""));
    s.apply();
    let history = s.expect(&["history"], 0);
    assert!(
        history.contains("\n1 ") && history.contains("\n2 "),
        "{history}"
    );
    let out = s.expect(&["rollback", "1", "--auto-approve"], 0);
    assert!(
        out.contains("~ env.MODE = \"staging\" -> \"prod\""),
        "{out}"
    );
    let env = docker(&["inspect", "-f", "{{json .Config.Env}}", &s.container("web")]);
    assert!(env.contains("MODE=prod"), "{env}");
    let history = s.expect(&["history"], 0);
    assert!(history.contains("rollback 1"), "{history}");
}

#[test]
fn images_from_a_dockerfile_and_from_an_archive() {
    let s = Stack::new("img", "stack \"STACK\" {}\n");
    let ctx = s.path().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::copy("/bin/busybox", ctx.join("busybox")).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM scratch AS base\nCOPY busybox /bin/busybox\nARG GREETING\nENV GREETING=$GREETING\n",
    )
    .unwrap();
    // An archive made by `docker save` of an image built the same way.
    let tag = format!("{}-archived:1", s.name);
    assert!(docker_status(&[
        "build",
        "-q",
        "-t",
        &tag,
        ctx.to_str().unwrap()
    ]));
    let archive = s.path().join("image.tar");
    assert!(docker_status(&[
        "save",
        "-o",
        archive.to_str().unwrap(),
        &tag
    ]));
    assert!(docker_status(&["rmi", &tag]));
    s.write(
        r#"
stack "STACK" {}

image "built" {
  build {
    context = "./ctx"
    args    = { GREETING = "from-a-build" }
  }
}

image "loaded" {
  archive = "./image.tar"
  config {
    entrypoint = ["/bin/busybox"]
  }
}

container "a" {
  image    = image.built
  command  = ["/bin/busybox", "sh", "-c", "echo $GREETING; sleep 3600"]
  networks = []
}

container "b" {
  image    = image.loaded
  command  = ["sleep", "3600"]
  networks = []
}
"#,
    );
    s.apply();
    s.assert_converged();
    eventually("the build argument to show", 20, || {
        s.expect(&["logs", "container.a"], 0)
            .contains("from-a-build")
    });
    let running = docker(&["inspect", "-f", "{{.State.Running}}", &s.container("b")]);
    assert_eq!(running.trim(), "true");
    let _ = docker_status(&["rmi", "-f", &tag]);
}

const SERVICE: &str = r#"
stack "STACK" {}

variable "version" {
  default = "1"
}

variable "replicas" {
  default = 3
}

image "busybox" {
  from_host = ["/bin/busybox"]
  config {
    entrypoint = ["/bin/busybox"]
  }
}

service "api" {
  image    = image.busybox
  command  = ["sh", "-c", "echo v${var.version}; test ${var.version} != bad || exit 3; exec sleep 100000"]
  replicas = var.replicas
  init     = true
  update {
    order   = "start-first"
    monitor = "1s"
  }
}
"#;

/// `(name, image)` of the stack's running containers, sorted.
fn running(stack: &Stack) -> Vec<String> {
    let filter = format!("label=io.stackc.stack={}", stack.name);
    let mut names: Vec<String> = docker(&["ps", "--filter", &filter, "--format", "{{.Names}}"])
        .lines()
        .map(str::to_string)
        .collect();
    names.sort();
    names
}

#[test]
fn a_service_rolls_scales_and_rolls_back_a_failing_template() {
    let s = Stack::new("svc", SERVICE);
    let out = s.apply();
    assert!(out.contains("will be created: 3 replicas"), "{out}");
    let names: Vec<String> = (1..=3).map(|i| s.container(&format!("api-{i}"))).collect();
    assert_eq!(running(&s), names);
    let status = s.expect(&["status"], 0);
    assert!(status.contains("3/3 ready (rev 1)"), "{status}");

    // A new template rolls, one replica at a time, each new one beside the old.
    let plan = s.expect(&["plan", "--var", "version=2"], 0);
    assert!(
        plan.contains("# service.api will be rolled: 3 replicas, 1 at a time, start-first"),
        "{plan}"
    );
    s.expect(&["apply", "--auto-approve", "--var", "version=2"], 0);
    assert_eq!(running(&s), names);
    let logs = s.expect(&["logs", "service.api#2"], 0);
    assert!(logs.contains("v2"), "{logs}");
    let plan = s.expect(&["plan", "--detailed-exitcode", "--var", "version=2"], 0);
    assert!(plan.contains("No changes."), "{plan}");

    // A template whose replicas exit is rolled back: the old replicas keep running.
    let out = s.run(&["apply", "--auto-approve", "--var", "version=bad"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("rolled back"), "{stderr}");
    assert_eq!(running(&s), names);
    let plan = s.expect(&["plan", "--detailed-exitcode", "--var", "version=2"], 0);
    assert!(plan.contains("No changes."), "{plan}");

    // Scaling changes only the count.
    s.expect(
        &[
            "apply",
            "--auto-approve",
            "--var",
            "version=2",
            "--var",
            "replicas=5",
        ],
        0,
    );
    assert_eq!(running(&s).len(), 5);
    s.expect(
        &[
            "apply",
            "--auto-approve",
            "--var",
            "version=2",
            "--var",
            "replicas=1",
        ],
        0,
    );
    assert_eq!(running(&s), [s.container("api-1")]);
    s.expect(&["destroy", "--auto-approve"], 0);
    assert!(running(&s).is_empty());
}

const WEB_SERVICE: &str = r#"
stack "STACK" {}

variable "version" {
  default = "1"
}

variable "replicas" {
  default = 3
}

variable "check" {
  default = "/srv/index.html"
}

image "busybox" {
  from_host = ["/bin/busybox"]
  config {
    entrypoint = ["/bin/busybox"]
  }
}

service "web" {
  image    = image.busybox
  command  = ["httpd", "-f", "-p", "80", "-h", "/srv"]
  replicas = var.replicas
  init     = true
  port {
    host      = PORT
    container = 80
    host_ip   = "127.0.0.1"
  }
  file {
    target  = "/srv/index.html"
    content = "v${var.version}\n"
  }
  health {
    exec     = ["/bin/busybox", "test", "-f", var.check]
    interval = "1s"
    retries  = 1
  }
  update {
    order   = "start-first"
    monitor = "1s"
  }
}
"#;

/// A client sending HTTP requests to 127.0.0.1:`port` back to back (well over 20 a second)
/// until stopped; it counts answers by body, and failures.
struct Client {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<(std::collections::BTreeMap<String, usize>, usize)>,
}

impl Client {
    fn start(port: u16) -> Client {
        use std::io::{Read, Write};
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut seen = std::collections::BTreeMap::new();
            let mut failed = 0;
            while !flag.load(std::sync::atomic::Ordering::SeqCst) {
                let answer = (|| -> std::io::Result<String> {
                    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
                    s.set_read_timeout(Some(Duration::from_secs(2)))?;
                    s.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
                    let mut body = String::new();
                    s.read_to_string(&mut body)?;
                    Ok(body)
                })();
                match answer {
                    Ok(text)
                        if text.starts_with("HTTP/1.")
                            && text[..text.len().min(16)].contains(" 200") =>
                    {
                        let body = text.rsplit("\r\n\r\n").next().unwrap_or("").trim();
                        *seen.entry(body.to_string()).or_default() += 1;
                    }
                    _ => failed += 1,
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            (seen, failed)
        });
        Client { stop, thread }
    }

    fn finish(self) -> (std::collections::BTreeMap<String, usize>, usize) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.thread.join().unwrap()
    }
}

#[test]
fn a_service_rolls_scales_and_rolls_back_under_traffic_without_a_failed_request() {
    let port = free_port();
    let s = Stack::new("lb", &WEB_SERVICE.replace("PORT", &port.to_string()));
    s.apply();

    // A new template, with requests flowing throughout.
    let began = Instant::now();
    let client = Client::start(port);
    std::thread::sleep(Duration::from_millis(500));
    s.expect(&["apply", "--auto-approve", "--var", "version=2"], 0);
    std::thread::sleep(Duration::from_millis(500));
    let (seen, failed) = client.finish();
    let total: usize = seen.values().sum();
    let rate = total as f64 / began.elapsed().as_secs_f64();
    assert_eq!(
        failed, 0,
        "failed requests during the roll; answers: {seen:?}"
    );
    assert!(rate >= 20.0, "only {rate:.1} requests a second");
    assert!(
        seen.contains_key("v1") && seen.contains_key("v2"),
        "{seen:?}"
    );

    // A template whose health check fails is rolled back; v2 answers throughout.
    let client = Client::start(port);
    let out = s.run(&[
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
    let (seen, failed) = client.finish();
    assert_eq!(
        failed, 0,
        "failed requests during the rollback; answers: {seen:?}"
    );
    assert_eq!(seen.keys().collect::<Vec<_>>(), ["v2"], "{seen:?}");

    // Scaling 3 → 5 → 1 under traffic.
    let client = Client::start(port);
    for n in ["5", "1"] {
        s.expect(
            &[
                "apply",
                "--auto-approve",
                "--var",
                "version=2",
                "--var",
                &format!("replicas={n}"),
            ],
            0,
        );
    }
    let (seen, failed) = client.finish();
    assert_eq!(
        failed, 0,
        "failed requests while scaling; answers: {seen:?}"
    );
    assert_eq!(running(&s), [s.container("web-1")]);

    // Destroy withdraws the port and its rules.
    s.expect(&["destroy", "--auto-approve"], 0);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    let tables = Command::new("nft")
        .args(["list", "tables"])
        .output()
        .unwrap();
    let tables = String::from_utf8_lossy(&tables.stdout).to_string();
    assert!(!tables.contains(&nft_table(&s.name)), "{tables}");
}

const QUOTA: &str = r#"
stack "STACK" {}

variable "quota_memory" {
  default = "64MiB"
}

image "busybox" {
  from_host = ["/bin/busybox"]
  config {
    entrypoint = ["/bin/busybox"]
  }
}

quota "team" {
  memory = var.quota_memory
  pids   = 100
}

container "a" {
  image    = image.busybox
  command  = ["sleep", "100000"]
  init     = true
  networks = []
  quota    = quota.team
  resources {
    memory = "32MiB"
    pids   = 50
  }
}

container "b" {
  image    = image.busybox
  command  = ["sleep", "100000"]
  init     = true
  networks = []
  quota    = quota.team
  resources {
    memory = "32MiB"
    pids   = 50
  }
}
"#;

#[test]
fn a_quota_holds_its_members_total_even_when_one_limit_is_raised_by_hand() {
    let s = Stack::new("quota", QUOTA);
    s.apply();
    let group = format!(
        "/sys/fs/cgroup/memory/stackc-docker/{}/quota-{}",
        s.name,
        s.container("team")
    );
    let limit = std::fs::read_to_string(format!("{group}/memory.limit_in_bytes")).unwrap();
    assert_eq!(limit.trim(), (64u64 << 20).to_string());

    // Raised by hand far above the quota: the quota's parent group still holds.
    assert!(docker_status(&[
        "update",
        "--memory",
        "512m",
        "--memory-swap",
        "1g",
        &s.container("a")
    ]));
    let hog = Command::new("docker")
        .args(["exec", &s.container("a"), "/bin/busybox", "dd"])
        .args(["if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"])
        .output()
        .unwrap();
    assert_eq!(hog.status.code(), Some(137), "{hog:?}");

    // The quota changes in place: no member restarts.
    let started = |c: &str| docker(&["inspect", "-f", "{{.State.StartedAt}}", c]);
    let before = started(&s.container("b"));
    let plan = s.expect(&["plan", "--var", "quota_memory=96MiB"], 0);
    assert!(
        plan.contains("# quota.team will be updated in place"),
        "{plan}"
    );
    s.expect(
        &["apply", "--auto-approve", "--var", "quota_memory=96MiB"],
        0,
    );
    let limit = std::fs::read_to_string(format!("{group}/memory.limit_in_bytes")).unwrap();
    assert_eq!(limit.trim(), (96u64 << 20).to_string());
    assert_eq!(started(&s.container("b")), before);

    // Over its quota, the stack is refused before anything runs.
    let out = s.run(&["plan", "--var", "quota_memory=48MiB"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("stackc::quota::exceeded"), "{stderr}");

    s.expect(&["destroy", "--auto-approve"], 0);
    assert!(!std::path::Path::new(&group).exists());
}

#[test]
fn the_guestbook_example_serves_and_keeps_messages() {
    docker_up();
    let state = tempfile::tempdir().unwrap();
    let port = free_port();
    let port_var = format!("port={port}");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_stackc"))
            .args(["-C", "examples/guestbook", "--provider", "docker"])
            .arg("--state-dir")
            .arg(state.path())
            .args(["--var", &port_var])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(&["apply", "--auto-approve"]);
    let ok = out.status.success();
    let get = |path: &str| {
        let out = Command::new("busybox")
            .args([
                "wget",
                "-q",
                "-O",
                "-",
                &format!("http://127.0.0.1:{port}{path}"),
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let added = get("/cgi-bin/add?signed%20by%20a%20test");
    let page = get("/cgi-bin/index");
    let status = run(&["status"]);
    let destroyed = run(&["destroy", "--auto-approve", "--purge-volumes"]);
    assert!(ok, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(added.trim(), "added");
    assert!(page.contains("<li>signed by a test</li>"), "{page}");
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(status.contains("3/3 ready"), "{status}");
    assert!(status.contains("2/2 ready"), "{status}");
    assert!(destroyed.status.success());
}
