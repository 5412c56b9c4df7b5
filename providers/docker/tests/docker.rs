//! The Docker provider against a real Docker Engine. `scripts/docker-up` installs and starts
//! one when needed; if it cannot, these tests fail — they never skip.
//!
//! Every test works in its own stack (a unique name), and a [`Stack`] guard removes whatever
//! carries that stack's label when the test ends, passed or not.

use futures::StreamExt;
use stackc_engine::model::provider::DockerSettings;
use stackc_engine::model::ResourceKind;
use stackc_engine::plan::desired_objects;
use stackc_engine::provider::{
    DesiredObject, ExecIo, ExecRequest, Health, LogOptions, LogStream, ObjectState, ObservedObject,
    Progress, Provider, ProviderError, LABEL_ADDRESS, LABEL_APPLIED, LABEL_SPEC_HASH, LABEL_STACK,
};
use stackc_lang::eval::VarInputs;
use stackc_provider_docker::DockerProvider;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

fn docker_up() {
    static UP: Once = Once::new();
    UP.call_once(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/docker-up");
        let status = Command::new(&script)
            .status()
            .unwrap_or_else(|e| panic!("{} cannot run: {e}", script.display()));
        assert!(
            status.success(),
            "Docker could not be started by scripts/docker-up"
        );
    });
}

async fn provider() -> DockerProvider {
    docker_up();
    DockerProvider::connect(&DockerSettings::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `docker …`, its standard output; panics with its error output when it fails.
fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A test's stack: a unique name, a directory, and the removal of everything labelled with
/// the name when it goes (through the docker CLI, which works in `Drop` and after a panic).
struct Stack {
    name: String,
    dir: tempfile::TempDir,
}

impl Stack {
    fn new(what: &str) -> Stack {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "t{}-{what}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        Stack {
            name,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The desired objects of `text` (`STACK` stands for the stack's name), by address.
    fn objects(&self, text: &str) -> BTreeMap<String, DesiredObject> {
        let text = text.replace("STACK", &self.name);
        let mut sources = stackc_lang::Sources::new();
        let id = sources.add("main.stack.hcl", self.path().join("main.stack.hcl"), &text);
        let loaded = stackc_engine::load::load_sources(
            sources,
            &[id],
            self.path(),
            &VarInputs::default(),
            Some("docker"),
        );
        assert!(
            !loaded.diagnostics.has_errors(),
            "{:#?}",
            loaded.diagnostics
        );
        desired_objects(&loaded.stack, &[9; 32], self.path())
    }

    fn filter(&self) -> String {
        format!("label={LABEL_STACK}={}", self.name)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let filter = self.filter();
        let ids = |args: &[&str]| -> Vec<String> {
            Command::new("docker")
                .args(args)
                .output()
                .map(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let remove = |cmd: &[&str], ids: Vec<String>| {
            if !ids.is_empty() {
                let _ = Command::new("docker").args(cmd).args(&ids).output();
            }
        };
        remove(&["rm", "-f"], ids(&["ps", "-aq", "--filter", &filter]));
        remove(
            &["network", "rm"],
            ids(&["network", "ls", "-q", "--filter", &filter]),
        );
        remove(
            &["volume", "rm", "-f"],
            ids(&["volume", "ls", "-q", "--filter", &filter]),
        );
        remove(
            &["image", "rm", "-f"],
            ids(&["image", "ls", "-aq", "--filter", &filter]),
        );
    }
}

fn find<'a>(observed: &'a [ObservedObject], address: &str) -> &'a ObservedObject {
    observed
        .iter()
        .find(|o| o.address == address)
        .unwrap_or_else(|| panic!("{address} not observed: {observed:#?}"))
}

/// Creates the objects at `addresses`, in that order.
async fn create_all(
    p: &DockerProvider,
    desired: &BTreeMap<String, DesiredObject>,
    addresses: &[&str],
) -> BTreeMap<String, ObservedObject> {
    let mut made = BTreeMap::new();
    for a in addresses {
        let o = p
            .create(&desired[*a], &Progress::none())
            .await
            .unwrap_or_else(|e| panic!("creating {a}: {e}"));
        made.insert(a.to_string(), o);
    }
    made
}

/// Removes everything observed in the stack through the provider, containers first.
async fn delete_all(p: &DockerProvider, stack: &str) {
    let mut all = p.observe(stack).await.unwrap();
    all.sort_by_key(|o| o.kind != ResourceKind::Container);
    for o in all {
        p.delete(&o)
            .await
            .unwrap_or_else(|e| panic!("deleting {}: {e}", o.address));
    }
}

const BUSYBOX_IMAGE: &str = r#"
image "busybox" {
  from_host = ["/bin/busybox"]
  config {
    entrypoint = ["/bin/busybox"]
  }
}
"#;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

#[tokio::test]
async fn a_daemon_that_is_not_there_gets_one_clear_error() {
    let err = match DockerProvider::connect(&DockerSettings {
        host: Some("unix:///nonexistent/docker.sock".into()),
    })
    .await
    {
        Ok(_) => panic!("connected to nothing"),
        Err(e) => e,
    };
    let text = err.to_string();
    assert!(
        text.starts_with("cannot reach the Docker daemon at unix:///nonexistent/docker.sock: "),
        "{text}"
    );
    assert!(text.contains("is dockerd running?"), "{text}");
    assert!(text.contains("scripts/docker-up"), "{text}");
    // The engine's form names the address once.
    let ProviderError::Unavailable(m) = ProviderError::from(err) else {
        panic!("not unavailable");
    };
    assert_eq!(m.matches("/nonexistent/docker.sock").count(), 1, "{m}");

    // A socket that exists but where nobody listens.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dead.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    let host = format!("unix://{}", path.display());
    let err = match DockerProvider::connect(&DockerSettings {
        host: Some(host.clone()),
    })
    .await
    {
        Ok(_) => panic!("connected to a dead socket"),
        Err(e) => e.to_string(),
    };
    eprintln!("{err}");
    assert!(
        err.starts_with(&format!("cannot reach the Docker daemon at {host}: ")),
        "{err}"
    );
}

#[tokio::test]
async fn from_host_images_are_labelled_observed_and_deterministic() {
    let p = provider().await;
    let text = format!("stack \"STACK\" {{}}\n{BUSYBOX_IMAGE}");
    let a = Stack::new("img");
    let desired = a.objects(&text);
    let made = create_all(&p, &desired, &["image.busybox"]).await;
    let observed = p.observe(&a.name).await.unwrap();
    assert_eq!(observed.len(), 1, "{observed:#?}");
    let image = find(&observed, "image.busybox");
    let d = &desired["image.busybox"];
    assert_eq!(image.id, made["image.busybox"].id);
    assert_eq!(image.kind, ResourceKind::Image);
    assert_eq!(image.runtime_name, format!("{}-busybox", a.name));
    assert_eq!(image.spec_hash.as_deref(), Some(d.spec_hash.as_str()));
    assert_eq!(image.applied.as_deref(), Some(d.applied.as_str()));
    assert_eq!(image.labels[LABEL_ADDRESS], "image.busybox");
    let tag = format!("{}:{}", image.runtime_name, &d.spec_hash[..12]);
    let layers = docker(&["image", "inspect", "-f", "{{json .RootFS.Layers}}", &tag]);
    let entrypoint = docker(&[
        "image",
        "inspect",
        "-f",
        "{{json .Config.Entrypoint}}",
        &tag,
    ]);
    assert_eq!(entrypoint, r#"["/bin/busybox"]"#);
    // The image runs: the executable is where it was on the host.
    assert_eq!(docker(&["run", "--rm", &tag, "echo", "it runs"]), "it runs");

    delete_all(&p, &a.name).await;
    assert!(p.observe(&a.name).await.unwrap().is_empty());
    assert!(Command::new("docker")
        .args(["image", "inspect", &tag])
        .output()
        .map(|o| !o.status.success())
        .unwrap());

    // The same inputs in another stack make the same layer, byte for byte.
    let b = Stack::new("img");
    let desired = b.objects(&text);
    create_all(&p, &desired, &["image.busybox"]).await;
    let tag = format!(
        "{}-busybox:{}",
        b.name,
        &desired["image.busybox"].spec_hash[..12]
    );
    assert_eq!(
        docker(&["image", "inspect", "-f", "{{json .RootFS.Layers}}", &tag]),
        layers
    );
}

#[tokio::test]
async fn image_files_and_config_are_taken_literally() {
    let p = provider().await;
    let s = Stack::new("cfg");
    std::fs::create_dir_all(s.path().join("site/sub")).unwrap();
    std::fs::write(s.path().join("site/sub/index.html"), "v1").unwrap();
    std::fs::write(s.path().join("extra.txt"), "extra").unwrap();
    let desired = s.objects(
        r#"
stack "STACK" {}

image "site" {
  dir   = "./site"
  files = { "/etc/with space/extra.txt" = "./extra.txt" }
  config {
    env     = { LITERAL = "$HOME \"quoted\" back\\slash" }
    workdir = "/srv/$dir"
    cmd     = ["serve", "$NOT_EXPANDED"]
  }
}
"#,
    );
    create_all(&p, &desired, &["image.site"]).await;
    let tag = format!("{}-site:{}", s.name, &desired["image.site"].spec_hash[..12]);
    let config = docker(&["image", "inspect", "-f", "{{json .Config}}", &tag]);
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert!(
        config["Env"]
            .as_array()
            .unwrap()
            .contains(&r#"LITERAL=$HOME "quoted" back\slash"#.into()),
        "{config}"
    );
    assert_eq!(config["WorkingDir"], "/srv/$dir");
    assert_eq!(config["Cmd"], serde_json::json!(["serve", "$NOT_EXPANDED"]));
    assert_eq!(config["Labels"][LABEL_ADDRESS], "image.site");
    // Both the directory and the extra file are in the image.
    let container = docker(&["create", &tag]);
    let listing = Command::new("docker")
        .args(["export", &container])
        .output()
        .unwrap();
    docker(&["rm", &container]);
    let mut archive = tar::Archive::new(listing.stdout.as_slice());
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(names.contains(&"sub/index.html".to_string()), "{names:?}");
    assert!(
        names.contains(&"etc/with space/extra.txt".to_string()),
        "{names:?}"
    );
    delete_all(&p, &s.name).await;
}

#[tokio::test]
async fn builds_honour_dockerignore_and_report_the_daemons_error() {
    let p = provider().await;
    let s = Stack::new("build");
    let ctx = s.path().join("ctx");
    std::fs::create_dir_all(ctx.join("logs")).unwrap();
    std::fs::copy("/bin/busybox", ctx.join("busybox")).unwrap();
    std::fs::write(ctx.join("logs/debug.log"), "noise").unwrap();
    std::fs::write(ctx.join("keep.txt"), "kept").unwrap();
    std::fs::write(ctx.join(".dockerignore"), "logs\n*.tmp\n").unwrap();
    std::fs::write(ctx.join("x.tmp"), "tmp").unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM scratch\nCOPY . /ctx/\nENTRYPOINT [\"/ctx/busybox\"]\n",
    )
    .unwrap();
    std::fs::write(s.path().join("extra.txt"), "extra").unwrap();
    let desired = s.objects(
        r#"
stack "STACK" {}

image "built" {
  build {
    context = "./ctx"
  }
  files = { "/extra.txt" = "./extra.txt" }
}
"#,
    );
    create_all(&p, &desired, &["image.built"]).await;
    let tag = format!(
        "{}-built:{}",
        s.name,
        &desired["image.built"].spec_hash[..12]
    );
    let listing = docker(&["run", "--rm", &tag, "ls", "-a", "/ctx", "/extra.txt"]);
    assert!(listing.contains("keep.txt"), "{listing}");
    assert!(listing.contains("/extra.txt"), "{listing}");
    assert!(!listing.contains("logs"), "{listing}");
    assert!(!listing.contains("x.tmp"), "{listing}");
    // The user's build under the wrapper is untagged, and goes with it.
    delete_all(&p, &s.name).await;
    assert!(docker(&["image", "ls", "-aq", "--filter", &s.filter()]).is_empty());

    std::fs::write(ctx.join("Dockerfile"), "FROM scratch\nRUN /no/such/shell\n").unwrap();
    let desired = s.objects(
        "stack \"STACK\" {}\nimage \"broken\" {\n  build {\n    context = \"./ctx\"\n  }\n}\n",
    );
    let err = p
        .create(&desired["image.broken"], &Progress::none())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("RUN /no/such/shell"), "{err}");
    assert!(err.contains("no such file or directory"), "{err}");
}

fn web_stack(memory: &str, port: u16) -> String {
    format!(
        r#"
stack "STACK" {{}}
{BUSYBOX_IMAGE}
network "backend" {{}}

volume "data" {{}}

container "web" {{
  image    = image.busybox
  command  = ["sh", "-c", "echo hello-from-web; echo oops >&2; exec httpd -f -p 80 -h /data"]
  networks = [network.backend]
  aliases  = ["www"]
  env      = {{ GREETING = "hi there" }}
  restart  = "unless-stopped"
  stop_timeout = "2s"
  labels   = {{ team = "web" }}

  port {{
    host      = {port}
    container = 80
    host_ip   = "127.0.0.1"
  }}

  mount {{
    source = volume.data
    target = "/data"
  }}

  file {{
    target  = "/data/index.html"
    content = "<h1>stackc</h1>\n"
  }}

  secret {{
    target = "/run/secrets/token"
    value  = "s3cret"
  }}

  resources {{
    memory = "{memory}"
    cpus   = 0.5
    pids   = 64
  }}

  health {{
    tcp      = 80
    interval = "1s"
  }}
}}
"#
    )
}

#[tokio::test]
async fn a_container_is_made_observed_served_logged_execd_updated_and_removed() {
    let p = provider().await;
    let s = Stack::new("web");
    let port = free_port();
    let desired = s.objects(&web_stack("64MiB", port));
    let made = create_all(
        &p,
        &desired,
        &[
            "image.busybox",
            "network.backend",
            "volume.data",
            "container.web",
        ],
    )
    .await;
    assert_eq!(made["container.web"].state, ObjectState::Created);

    let observed = p.observe(&s.name).await.unwrap();
    assert_eq!(observed.len(), 4, "{observed:#?}");
    let web = find(&observed, "container.web").clone();
    let d = &desired["container.web"];
    assert_eq!(web.state, ObjectState::Created);
    assert_eq!(web.id, made["container.web"].id);
    assert_eq!(web.runtime_name, format!("{}-web", s.name));
    for (k, v) in &d.labels {
        assert_eq!(web.labels.get(k), Some(v), "label {k}");
    }
    assert_eq!(web.labels["team"], "web");
    assert_eq!(web.labels[LABEL_SPEC_HASH], d.spec_hash);
    assert_eq!(web.labels[LABEL_APPLIED], d.applied);
    assert!(!d.applied.contains("s3cret"), "the record keeps no secret");
    assert_eq!(web.applied.as_deref(), Some(d.applied.as_str()));
    assert_eq!(web.live, p.expected_live(d), "live attributes round-trip");
    for kind in [ResourceKind::Network, ResourceKind::Volume] {
        assert!(observed.iter().any(|o| o.kind == kind), "{kind}");
    }

    p.start(&web).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match p.health(&web).await.unwrap() {
            Health::Healthy => break,
            other => assert!(Instant::now() < deadline, "never healthy: {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let running = find(&p.observe(&s.name).await.unwrap(), "container.web").clone();
    assert_eq!(running.state, ObjectState::Running);
    assert!(running.started_at.is_some());

    // The published port answers with the uploaded file.
    let body = Command::new("busybox")
        .args([
            "wget",
            "-q",
            "-O",
            "-",
            &format!("http://127.0.0.1:{port}/index.html"),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&body.stdout), "<h1>stackc</h1>\n");
    // The alias answers on the network.
    let net = format!("{}-backend", s.name);
    let tag = format!(
        "{}-busybox:{}",
        s.name,
        &desired["image.busybox"].spec_hash[..12]
    );
    let fetched = docker(&[
        "run",
        "--rm",
        "--network",
        &net,
        &tag,
        "wget",
        "-q",
        "-O",
        "-",
        "http://www/",
    ]);
    assert_eq!(fetched, "<h1>stackc</h1>");

    // Logs, split by stream, with the daemon's timestamps.
    let lines: Vec<_> = p
        .logs(&web, &LogOptions::default())
        .await
        .unwrap()
        .collect()
        .await;
    let lines: Vec<_> = lines.into_iter().map(Result::unwrap).collect();
    let hello = lines
        .iter()
        .find(|l| l.text == "hello-from-web")
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(hello.stream, LogStream::Stdout);
    assert!(
        hello.timestamp.as_deref().is_some_and(|t| t.ends_with('Z')),
        "{hello:?}"
    );
    assert!(lines
        .iter()
        .any(|l| l.text == "oops" && l.stream == LogStream::Stderr));
    let tail: Vec<_> = p
        .logs(
            &web,
            &LogOptions {
                tail: Some(1),
                ..LogOptions::default()
            },
        )
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(tail.len(), 1, "{tail:?}");

    // Exec: environment, stdin, output, the secret, and the exit code.
    let (out_w, mut out_r) = tokio::io::duplex(4096);
    let (err_w, mut err_r) = tokio::io::duplex(4096);
    let code = p
        .exec(
            &web,
            &ExecRequest {
                command: vec![
                    "/bin/busybox".into(),
                    "sh".into(),
                    "-c".into(),
                    "echo $GREETING; cat; cat /run/secrets/token; echo to-err >&2; exit 3".into(),
                ],
                tty: false,
                interactive: true,
            },
            ExecIo {
                stdin: Some(Box::new(&b"from-stdin\n"[..])),
                stdout: Box::new(out_w),
                stderr: Box::new(err_w),
            },
        )
        .await
        .unwrap();
    assert_eq!(code, 3);
    let mut out = String::new();
    out_r.read_to_string(&mut out).await.unwrap();
    assert_eq!(out, "hi there\nfrom-stdin\ns3cret");
    let mut err = String::new();
    err_r.read_to_string(&mut err).await.unwrap();
    assert_eq!(err, "to-err\n");

    // An update in place: the same container, new limits.
    let bigger = s.objects(&web_stack("128MiB", port));
    let updated = p
        .update(&web, &bigger["container.web"], &Progress::none())
        .await
        .unwrap();
    assert_eq!(updated.id, web.id);
    assert_eq!(updated.state, ObjectState::Running);
    assert_eq!(updated.live, p.expected_live(&bigger["container.web"]));
    assert_eq!(updated.live["resources.memory"], 128u64 << 20);

    // `docker update` and `docker stop` behind the provider's back are observed.
    docker(&[
        "update",
        "--memory",
        "96m",
        "--memory-swap",
        "192m",
        "--restart",
        "on-failure:2",
        &web.runtime_name,
    ]);
    docker(&["stop", "-t", "1", &web.runtime_name]);
    let observed = p.observe(&s.name).await.unwrap();
    let stopped = find(&observed, "container.web");
    assert!(
        matches!(stopped.state, ObjectState::Stopped { exit_code: Some(_) }),
        "{:?}",
        stopped.state
    );
    assert_eq!(stopped.live["resources.memory"], 96u64 << 20);
    assert_eq!(stopped.live["resources.memory_swap"], 192u64 << 20);
    assert_eq!(stopped.live["restart"], "on-failure");
    assert_eq!(stopped.live["max_restarts"], 2);
    assert!(stopped.finished_at.is_some());
    assert!(matches!(
        p.health(stopped).await.unwrap(),
        Health::Unhealthy { .. }
    ));

    // Deleting the container keeps its volume; deleting the volume and network removes them.
    p.delete(stopped).await.unwrap();
    assert_eq!(
        p.delete(stopped).await,
        Err(ProviderError::NotFound("container.web".into()))
    );
    let rest = p.observe(&s.name).await.unwrap();
    assert!(rest.iter().all(|o| o.kind != ResourceKind::Container));
    let volume = find(&rest, "volume.data");
    assert_eq!(
        docker(&["volume", "inspect", "-f", "{{.Name}}", &volume.id]),
        volume.runtime_name
    );
    delete_all(&p, &s.name).await;
    assert!(p.observe(&s.name).await.unwrap().is_empty());
    assert!(docker(&["network", "ls", "-q", "--filter", &s.filter()]).is_empty());
    assert!(docker(&["volume", "ls", "-q", "--filter", &s.filter()]).is_empty());
}

fn limits_stack(resources: &str, restart: &str) -> String {
    format!(
        r#"
stack "STACK" {{}}
{BUSYBOX_IMAGE}
container "c" {{
  image    = image.busybox
  command  = ["sleep", "3600"]
  networks = []
  init     = true
  stop_timeout = "1s"
  {restart}
  {resources}
}}
"#
    )
}

const EVERY_LIMIT: &str = r#"
  resources {
    cpus        = 0.25
    memory      = "48MiB"
    memory_swap = "96MiB"
    pids        = 32
    cpu_shares  = 512
    cpuset      = "0"
    io_weight   = 300
  }
"#;

/// A freshly made container observes exactly as `expected_live` says, with no limits, with
/// every limit, and after updates that set and lift them.
#[tokio::test]
async fn live_attributes_round_trip() {
    let p = provider().await;
    let s = Stack::new("live");
    let cases = [
        ("", ""),
        ("", "restart = \"always\""),
        (EVERY_LIMIT, "restart = \"on-failure\"\n  max_restarts = 3"),
        (
            "resources {\n    memory = \"32MiB\"\n  }",
            "restart = \"unless-stopped\"",
        ),
    ];
    let objects = |(resources, restart): &(&str, &str)| {
        s.objects(&limits_stack(resources, restart))["container.c"].clone()
    };
    let first = s.objects(&limits_stack(cases[0].0, cases[0].1));
    create_all(&p, &first, &["image.busybox"]).await;

    // Made fresh.
    for case in &cases {
        let d = objects(case);
        let made = p.create(&d, &Progress::none()).await.unwrap();
        let observed = find(&p.observe(&s.name).await.unwrap(), "container.c").clone();
        assert_eq!(observed.live, p.expected_live(&d), "made with {case:?}");
        p.delete(&made).await.unwrap();
    }

    // Updated from one case to the next, running: in place, or made anew where Docker
    // cannot lift a limit (every limit → only memory).
    let d = objects(&cases[0]);
    let made = p.create(&d, &Progress::none()).await.unwrap();
    p.start(&made).await.unwrap();
    for case in cases.iter().skip(1).chain(cases.iter().rev().skip(1)) {
        let d = objects(case);
        let current = find(&p.observe(&s.name).await.unwrap(), "container.c").clone();
        let updated = p.update(&current, &d, &Progress::none()).await.unwrap();
        assert_eq!(updated.live, p.expected_live(&d), "updated to {case:?}");
        assert_eq!(updated.state, ObjectState::Running, "updated to {case:?}");
        let observed = find(&p.observe(&s.name).await.unwrap(), "container.c").clone();
        assert_eq!(observed.live, updated.live, "observed after {case:?}");
    }
    delete_all(&p, &s.name).await;
}

#[tokio::test]
async fn an_image_a_foreign_container_uses_is_not_forced_away() {
    let p = provider().await;
    let s = Stack::new("used");
    let desired = s.objects(&format!("stack \"STACK\" {{}}\n{BUSYBOX_IMAGE}"));
    let image = create_all(&p, &desired, &["image.busybox"]).await["image.busybox"].clone();
    let tag = format!(
        "{}-busybox:{}",
        s.name,
        &desired["image.busybox"].spec_hash[..12]
    );
    let foreign = docker(&["create", &tag, "true"]);
    // It inherited the image's labels, stack and address included, yet is not the stack's.
    let observed = p.observe(&s.name).await.unwrap();
    assert_eq!(observed.len(), 1, "{observed:#?}");
    let err = p.delete(&image).await.unwrap_err().to_string();
    assert!(err.contains("outside the stack"), "{err}");
    assert!(docker(&["image", "inspect", "-f", "{{.Id}}", &tag]).starts_with("sha256:"));
    docker(&["rm", &foreign]);
    p.delete(&image).await.unwrap();
    assert!(p.observe(&s.name).await.unwrap().is_empty());
}

#[tokio::test]
async fn taken_names_are_refused() {
    let p = provider().await;
    let s = Stack::new("taken");
    let desired = s.objects(
        r#"
stack "STACK" {}
network "n" {}
volume "v" {}
"#,
    );
    let made = create_all(&p, &desired, &["network.n"]).await;
    let again = p
        .create(&desired["network.n"], &Progress::none())
        .await
        .unwrap_err();
    assert!(matches!(again, ProviderError::AlreadyExists(_)), "{again}");
    let networks = docker(&["network", "ls", "-q", "--filter", &s.filter()]);
    assert_eq!(networks.lines().count(), 1, "one network of the name");
    // A volume of the name that is not the stack's is not adopted.
    let name = desired["volume.v"].runtime_name.clone();
    docker(&["volume", "create", "--label", &s.filter()[6..], &name]);
    let taken = p
        .create(&desired["volume.v"], &Progress::none())
        .await
        .unwrap_err();
    assert!(matches!(taken, ProviderError::AlreadyExists(_)), "{taken}");
    p.delete(&made["network.n"]).await.unwrap();
}
