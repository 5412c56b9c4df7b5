//! Pulling from a registry: a local `docker-registry` (Debian's package; see
//! scripts/registry-up) started on loopback by the test, loaded by the test over the
//! distribution API, then pulled from by an image's `ref` and by a container's string image.
//! Fails, never skips, when not root or when the registry is not installed.

mod common;
use common::*;
use serde_json::json;
use sha2::Digest;
use stackc_engine::model::ResourceKind;
use stackc_engine::provider::{ObjectState, Provider};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Registry {
    child: Child,
    _dir: tempfile::TempDir,
    addr: String,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_registry() -> Option<Registry> {
    let bin = ["/usr/bin/docker-registry", "/usr/sbin/docker-registry"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let child = Command::new(bin)
        .arg("serve")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // From here the guard owns the process: it is killed and reaped on every path.
    let registry = Registry {
        child,
        _dir: dir,
        addr,
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if ureq::get(&format!("http://{}/v2/", registry.addr))
            .call()
            .is_ok()
        {
            return Some(registry);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the registry did not come up on {}", registry.addr);
}

fn sha(b: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(b))
}

fn push_blob(addr: &str, repo: &str, bytes: &[u8]) -> String {
    let digest = format!("sha256:{}", sha(bytes));
    let resp = ureq::post(&format!("http://{addr}/v2/{repo}/blobs/uploads/"))
        .send_empty()
        .unwrap();
    let location = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let url = if location.starts_with("http") {
        location
    } else {
        format!("http://{addr}{location}")
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    ureq::put(&format!("{url}{sep}digest={digest}"))
        .header("Content-Type", "application/octet-stream")
        .send(bytes)
        .unwrap();
    digest
}

/// Pushes a one-layer busybox image as an OCI manifest behind an index.
fn push_busybox(addr: &str, repo: &str, tag: &str) {
    let mut b = tar::Builder::new(Vec::new());
    let busybox = std::fs::read("/bin/busybox").unwrap();
    for (path, data, link) in [
        ("bin/busybox", Some(busybox.as_slice()), None),
        ("bin/sh", None, Some("busybox")),
        ("bin/echo", None, Some("busybox")),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        match (data, link) {
            (Some(d), _) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o755);
                h.set_size(d.len() as u64);
                b.append_data(&mut h, path, d).unwrap();
            }
            (None, Some(l)) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                b.append_link(&mut h, path, l).unwrap();
            }
            _ => unreachable!(),
        }
    }
    let layer = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&layer).unwrap();
    let gz = gz.finish().unwrap();
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux",
        "config": { "Cmd": ["echo", "pulled"], "Env": ["PATH=/bin"] },
        "rootfs": { "type": "layers", "diff_ids": [format!("sha256:{}", sha(&layer))] },
    }))
    .unwrap();
    let config_digest = push_blob(addr, repo, &config);
    let layer_digest = push_blob(addr, repo, &gz);
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len() },
        "layers": [{ "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest, "size": gz.len() }],
    }))
    .unwrap();
    let manifest_digest = format!("sha256:{}", sha(&manifest));
    ureq::put(&format!(
        "http://{addr}/v2/{repo}/manifests/{manifest_digest}"
    ))
    .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
    .send(&manifest[..])
    .unwrap();
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest.len(), "platform": { "architecture": "amd64", "os": "linux" } },
        ],
    }))
    .unwrap();
    ureq::put(&format!("http://{addr}/v2/{repo}/manifests/{tag}"))
        .header("Content-Type", "application/vnd.oci.image.index.v1+json")
        .send(&index[..])
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn images_pull_from_a_registry() {
    let registry = start_registry().expect(
        "docker-registry is not installed: run providers/native/scripts/registry-up (scripts/test does)",
    );
    push_busybox(&registry.addr, "test/bb", "1");
    let env = env("pull");
    let reference = format!("{}/test/bb:1", registry.addr);
    let img = env.desired(ResourceKind::Image, "bb", json!({ "ref": reference }), &[]);
    env.provider
        .create(&img, &Default::default())
        .await
        .unwrap();
    let c = env.container("c", &img, json!({}), &[]);
    let o = env.run(&c).await;
    let o = env
        .wait_for(&o.address, "exit", |o| {
            matches!(o.state, ObjectState::Stopped { .. })
        })
        .await;
    assert_eq!(env.logs(&o).await, ["pulled"]);
    // A container naming the image by its reference pulls it too (here: already present).
    let mut spec = json!({ "command": ["echo", "direct"], "networks": [] });
    spec["image"] = json!(reference);
    let d = env.desired(ResourceKind::Container, "d", spec, &[]);
    let o = env.run(&d).await;
    let o = env
        .wait_for(&o.address, "exit", |o| {
            matches!(o.state, ObjectState::Stopped { .. })
        })
        .await;
    assert_eq!(env.logs(&o).await, ["direct"]);
    // A missing tag says so.
    let missing = env.desired(
        ResourceKind::Image,
        "missing",
        json!({ "ref": format!("{}/test/bb:nope", registry.addr) }),
        &[],
    );
    let err = env
        .provider
        .create(&missing, &Default::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("not found"), "{err}");
    env.clean().await;
    // The pull cache is the store's too.
    let _ = std::fs::remove_dir_all(env.root.path().join("images/refs"));
}
