//! The Docker provider against a real Docker Engine (`scripts/docker-up` starts one; if it
//! cannot, these tests fail — they never skip).

use futures::StreamExt;
use stackc_engine::model::provider::DockerSettings;
use stackc_engine::plan::desired_objects;
use stackc_engine::provider::{
    DesiredObject, ExecIo, ExecRequest, Health, LogOptions, ObjectState, ObservedObject, Progress,
    Provider, LABEL_ADDRESS,
};
use stackc_lang::eval::VarInputs;
use stackc_provider_docker::DockerProvider;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Once;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

fn docker_up() {
    static UP: Once = Once::new();
    UP.call_once(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/docker-up");
        let status = Command::new(&script)
            .status()
            .expect("scripts/docker-up runs");
        assert!(status.success(), "Docker could not be started");
    });
}

async fn provider() -> DockerProvider {
    docker_up();
    DockerProvider::connect(&DockerSettings::default())
        .await
        .expect("the local Docker daemon answers")
}

fn objects(dir: &Path, text: &str) -> BTreeMap<String, DesiredObject> {
    let mut sources = stackc_lang::Sources::new();
    let id = sources.add("main.stack.hcl", dir.join("main.stack.hcl"), text);
    let loaded = stackc_engine::load::load_sources(
        sources,
        &[id],
        dir,
        &VarInputs::default(),
        Some("docker"),
    );
    assert!(
        !loaded.diagnostics.has_errors(),
        "{:#?}",
        loaded.diagnostics
    );
    desired_objects(&loaded.stack, &[9; 32], dir)
}

fn find<'a>(observed: &'a [ObservedObject], address: &str) -> &'a ObservedObject {
    observed
        .iter()
        .find(|o| o.address == address)
        .unwrap_or_else(|| panic!("{address} not observed: {observed:#?}"))
}

/// Removes everything with the stack's label, whatever a test left.
async fn cleanup(p: &DockerProvider, stack: &str) {
    let mut all = p.observe(stack).await.unwrap_or_default();
    // Containers before what they use.
    all.sort_by_key(|o| o.kind != stackc_engine::model::ResourceKind::Container);
    for o in all {
        let _ = p.delete(&o).await;
    }
}

fn stack_text(stack: &str, memory: &str, port: u16) -> String {
    format!(
        r#"
stack "{stack}" {{}}

image "busybox" {{
  from_host = ["/bin/busybox"]
  config {{
    entrypoint = ["/bin/busybox"]
  }}
}}

network "backend" {{}}

volume "data" {{}}

container "web" {{
  image    = image.busybox
  command  = ["sh", "-c", "echo hello-from-web; echo oops >&2; exec httpd -f -p 80 -h /data"]
  networks = [network.backend]
  env      = {{ GREETING = "hi there" }}
  restart  = "unless-stopped"
  stop_timeout = "2s"

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
async fn a_container_stack_is_made_observed_updated_and_removed() {
    let p = provider().await;
    let stack = format!("dt{}", std::process::id());
    cleanup(&p, &stack).await;
    let dir = tempfile::tempdir().unwrap();
    let port = 20000 + (std::process::id() % 10000) as u16;
    let desired = objects(dir.path(), &stack_text(&stack, "64MiB", port));
    let progress = Progress::none();
    for address in [
        "image.busybox",
        "network.backend",
        "volume.data",
        "container.web",
    ] {
        p.create(&desired[address], &progress).await.unwrap();
    }
    let observed = p.observe(&stack).await.unwrap();
    assert_eq!(observed.len(), 4, "{observed:#?}");
    let web = find(&observed, "container.web").clone();
    assert_eq!(web.state, ObjectState::Created);
    assert_eq!(web.labels[LABEL_ADDRESS], "container.web");
    assert_eq!(
        web.applied.as_deref(),
        Some(desired["container.web"].applied.as_str())
    );
    assert_eq!(
        web.live,
        p.expected_live(&desired["container.web"]),
        "live attributes round-trip"
    );
    let image = find(&observed, "image.busybox");
    assert_eq!(
        image.spec_hash.as_deref(),
        Some(desired["image.busybox"].spec_hash.as_str())
    );

    p.start(&web).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match p.health(&web).await.unwrap() {
            Health::Healthy => break,
            other => assert!(Instant::now() < deadline, "never healthy: {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
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

    // Logs, split by stream.
    let lines: Vec<_> = p
        .logs(&web, &LogOptions::default())
        .await
        .unwrap()
        .collect()
        .await;
    let lines: Vec<_> = lines.into_iter().map(Result::unwrap).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.text == "hello-from-web" && l.timestamp.is_some()),
        "{lines:?}"
    );
    assert!(lines
        .iter()
        .any(|l| l.text == "oops" && l.stream == stackc_engine::provider::LogStream::Stderr));

    // Exec: output and exit code.
    let (out_w, mut out_r) = tokio::io::duplex(4096);
    let (err_w, _err_r) = tokio::io::duplex(4096);
    let code = p
        .exec(
            &web,
            &ExecRequest {
                command: vec![
                    "/bin/busybox".into(),
                    "sh".into(),
                    "-c".into(),
                    "echo $GREETING; exit 3".into(),
                ],
                tty: false,
                interactive: false,
            },
            ExecIo {
                stdin: None,
                stdout: Box::new(out_w),
                stderr: Box::new(err_w),
            },
        )
        .await
        .unwrap();
    assert_eq!(code, 3);
    let mut out = String::new();
    out_r.read_to_string(&mut out).await.unwrap();
    assert_eq!(out, "hi there\n");

    // An update in place: the same container, new limits.
    let bigger = objects(dir.path(), &stack_text(&stack, "128MiB", port));
    let updated = p
        .update(&web, &bigger["container.web"], &progress)
        .await
        .unwrap();
    assert_eq!(updated.id, web.id);
    assert_eq!(updated.live, p.expected_live(&bigger["container.web"]));

    // `docker update` and `docker stop` behind the provider's back are observed.
    assert!(Command::new("docker")
        .args([
            "update",
            "--memory",
            "96m",
            "--memory-swap",
            "192m",
            &web.runtime_name
        ])
        .status()
        .unwrap()
        .success());
    assert!(Command::new("docker")
        .args(["stop", "-t", "1", &web.runtime_name])
        .status()
        .unwrap()
        .success());
    let observed = p.observe(&stack).await.unwrap();
    let stopped = find(&observed, "container.web");
    assert!(
        matches!(stopped.state, ObjectState::Stopped { exit_code: Some(_) }),
        "{:?}",
        stopped.state
    );
    assert_eq!(stopped.live["resources.memory"], 96 * 1024 * 1024);
    assert!(stopped.finished_at.is_some());

    // Removal: containers, networks, images and volumes.
    cleanup(&p, &stack).await;
    assert!(p.observe(&stack).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_daemon_that_is_not_there_gets_one_clear_error() {
    let err = match DockerProvider::connect(&DockerSettings {
        host: Some("unix:///nonexistent/docker.sock".into()),
    })
    .await
    {
        Ok(_) => panic!("connected to nothing"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.starts_with("cannot reach the Docker daemon at unix:///nonexistent/docker.sock"),
        "{err}"
    );
    assert!(err.contains("Is dockerd running?"), "{err}");
}

#[tokio::test]
async fn unchanged_image_inputs_are_not_rebuilt() {
    let p = provider().await;
    let stack = format!("di{}", std::process::id());
    cleanup(&p, &stack).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("site")).unwrap();
    std::fs::write(dir.path().join("site/index.html"), "v1").unwrap();
    let text = format!("stack \"{stack}\" {{}}\nimage \"site\" {{\n  dir = \"./site\"\n}}\n");
    let a = objects(dir.path(), &text);
    let b = objects(dir.path(), &text);
    assert_eq!(
        a["image.site"].spec_hash, b["image.site"].spec_hash,
        "same inputs, same hash"
    );
    let made = p.create(&a["image.site"], &Progress::none()).await.unwrap();
    std::fs::write(dir.path().join("site/index.html"), "v2").unwrap();
    let c = objects(dir.path(), &text);
    assert_ne!(
        a["image.site"].spec_hash, c["image.site"].spec_hash,
        "new content, new hash"
    );
    let observed = p.observe(&stack).await.unwrap();
    assert_eq!(find(&observed, "image.site").id, made.id);
    cleanup(&p, &stack).await;
}
