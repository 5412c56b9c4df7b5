//! Images: `from_host` closures, `docker save` and OCI archives with whiteouts, digests
//! checked, `files` and `config`, layers shared and collected. They need root and fail without it.

mod common;
use common::*;
use serde_json::json;
use sha2::Digest;
use stackc_engine::model::ResourceKind;
use stackc_engine::provider::{ObjectState, Provider};
use std::io::Write;
use std::path::Path;

fn stopped(o: &stackc_engine::provider::ObservedObject) -> bool {
    matches!(o.state, ObjectState::Stopped { .. })
}

/// A tar stream of entries: (path, Some(content) for a file | None for a directory,
/// Some(link) for a symlink).
/// One archive entry: path, file content (`None`: a directory), symlink target.
type Entry<'a> = (&'a str, Option<&'a [u8]>, Option<&'a str>);

fn tar_of(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, content, link) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        match (content, link) {
            (_, Some(target)) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                b.append_link(&mut h, path, target).unwrap();
            }
            (Some(data), None) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o755);
                h.set_size(data.len() as u64);
                b.append_data(&mut h, path, *data).unwrap();
            }
            (None, None) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                b.append_data(&mut h, path, std::io::empty()).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Two layers: the second deletes `a/gone` (a whiteout) and replaces `d/` (opaque).
fn layers(busybox: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let one = tar_of(&[
        ("bin", None, None),
        ("bin/busybox", Some(busybox), None),
        ("bin/sh", None, Some("busybox")),
        ("bin/ls", None, Some("busybox")),
        ("bin/cat", None, Some("busybox")),
        ("a", None, None),
        ("a/keep", Some(b"keep"), None),
        ("a/gone", Some(b"gone"), None),
        ("d", None, None),
        ("d/old", Some(b"old"), None),
    ]);
    let two = tar_of(&[
        ("a/.wh.gone", Some(b""), None),
        ("d/.wh..wh..opq", Some(b""), None),
        ("d/new", Some(b"new"), None),
    ]);
    (one, two)
}

fn image_config(diff_ids: &[String]) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "config": { "Env": ["FROM_IMAGE=yes"], "Cmd": ["sh", "-c", "ls /a /d; echo $FROM_IMAGE"], "WorkingDir": "/a" },
        "rootfs": { "type": "layers", "diff_ids": diff_ids.iter().map(|d| format!("sha256:{d}")).collect::<Vec<_>>() },
    }))
    .unwrap()
}

fn docker_save(path: &Path) {
    let busybox = std::fs::read("/bin/busybox").unwrap();
    let (one, two) = layers(&busybox);
    let config = image_config(&[sha(&one), sha(&two)]);
    let config_name = format!("{}.json", sha(&config));
    let manifest = json!([{ "Config": config_name, "RepoTags": ["test:1"], "Layers": ["l1/layer.tar", "l2/layer.tar"] }]);
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let outer = tar_of(&[
        ("manifest.json", Some(&manifest), None),
        (&config_name, Some(&config), None),
        ("l1", None, None),
        ("l1/layer.tar", Some(&one), None),
        ("l2", None, None),
        ("l2/layer.tar", Some(&two), None),
    ]);
    std::fs::write(path, outer).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn oci_layout(path: &Path, corrupt: bool) {
    let busybox = std::fs::read("/bin/busybox").unwrap();
    let (one, two) = layers(&busybox);
    let config = image_config(&[sha(&one), sha(&two)]);
    let (g1, g2) = (gzip(&one), gzip(&two));
    let layer = |b: &[u8]| json!({ "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": format!("sha256:{}", sha(b)), "size": b.len() });
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{}", sha(&config)), "size": config.len() },
        "layers": [layer(&g1), layer(&g2)],
    }))
    .unwrap();
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "manifests": [{ "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{}", sha(&manifest)), "size": manifest.len(), "platform": { "architecture": "amd64", "os": "linux" } }],
    }))
    .unwrap();
    let mut g2_stored = g2.clone();
    if corrupt {
        let n = g2_stored.len();
        g2_stored[n - 10] ^= 0xff;
    }
    let blob = |b: &[u8]| format!("blobs/sha256/{}", sha(b));
    let (bm, bc, b1, b2) = (blob(&manifest), blob(&config), blob(&g1), blob(&g2));
    let outer = tar_of(&[
        (
            "oci-layout",
            Some(br#"{"imageLayoutVersion":"1.0.0"}"#),
            None,
        ),
        ("index.json", Some(&index), None),
        ("blobs", None, None),
        ("blobs/sha256", None, None),
        (&bm, Some(&manifest), None),
        (&bc, Some(&config), None),
        (&b1, Some(&g1), None),
        (&b2, Some(&g2_stored), None),
    ]);
    std::fs::write(path, gzip(&outer)).unwrap();
}

async fn run_default(
    env: &Env,
    img: &stackc_engine::provider::DesiredObject,
    name: &str,
) -> Vec<String> {
    let c = env.container(name, img, json!({}), &[]);
    let o = env.run(&c).await;
    let o = env.wait_for(&o.address, "exit", stopped).await;
    assert_eq!(
        o.state,
        ObjectState::Stopped { exit_code: Some(0) },
        "{:?}",
        env.logs(&o).await
    );
    env.logs(&o).await
}

#[tokio::test(flavor = "multi_thread")]
async fn docker_save_archives_stack_layers_with_whiteouts() {
    let env = env("save");
    docker_save(&env.stack_dir.path().join("app.tar"));
    let img = env.desired(
        ResourceKind::Image,
        "app",
        json!({ "archive": "./app.tar" }),
        &[],
    );
    env.provider
        .create(&img, &Default::default())
        .await
        .unwrap();
    let logs = run_default(&env, &img, "c").await;
    // /a: keep (gone is whited out); /d: new only (opaque); the image's env and cmd apply.
    assert_eq!(logs, ["/a:", "keep", "", "/d:", "new", "yes"], "{logs:#?}");
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn oci_archives_are_verified() {
    let env = env("oci");
    oci_layout(&env.stack_dir.path().join("good.tar.gz"), false);
    oci_layout(&env.stack_dir.path().join("bad.tar.gz"), true);
    let bad = env.desired(
        ResourceKind::Image,
        "bad",
        json!({ "archive": "./bad.tar.gz" }),
        &[],
    );
    let err = env
        .provider
        .create(&bad, &Default::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("digest") || err.contains("corrupt") || err.contains("invalid"),
        "{err}"
    );
    let img = env.desired(ResourceKind::Image, "good", json!({ "archive": "./good.tar.gz", "config": { "cmd": ["sh", "-c", "cat /a/keep; ls /d"] } }), &[]);
    env.provider
        .create(&img, &Default::default())
        .await
        .unwrap();
    let logs = run_default(&env, &img, "c").await;
    assert_eq!(logs, ["keepnew"], "{logs:#?}");
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn from_host_brings_libraries_and_files_and_config_apply() {
    let env = env("host");
    std::fs::write(env.stack_dir.path().join("hello.txt"), "from the stack\n").unwrap();
    let img = env.desired(
        ResourceKind::Image,
        "tools",
        json!({
            "from_host": ["/bin/ls", "/bin/cat"],
            "files": { "/srv/hello.txt": "./hello.txt" },
            "config": { "entrypoint": ["/bin/cat"], "cmd": ["hello.txt"], "workdir": "/srv", "env": { "A": "1" } },
        }),
        &[],
    );
    env.provider
        .create(&img, &Default::default())
        .await
        .unwrap();
    let logs = run_default(&env, &img, "c").await;
    assert_eq!(logs, ["from the stack"]);
    let c = env.container(
        "ls",
        &img,
        json!({ "entrypoint": ["/bin/ls"], "command": ["/srv"] }),
        &[],
    );
    let o = env.run(&c).await;
    let o = env.wait_for(&o.address, "exit", stopped).await;
    assert_eq!(env.logs(&o).await, ["hello.txt"]);
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn equal_content_shares_one_layer() {
    let env = env("share");
    make_busybox_rootfs(&env.stack_dir.path().join("rootfs"));
    let a = env.desired(ResourceKind::Image, "a", json!({ "dir": "./rootfs" }), &[]);
    let b = env.desired(ResourceKind::Image, "b", json!({ "dir": "./rootfs" }), &[]);
    let oa = env.provider.create(&a, &Default::default()).await.unwrap();
    let ob = env.provider.create(&b, &Default::default()).await.unwrap();
    let layers = || {
        std::fs::read_dir(env.root.path().join("layers"))
            .unwrap()
            .count()
    };
    assert_eq!(layers(), 1);
    // A container keeps its layer after its image goes.
    let c = env.container("c", &a, json!({ "command": ["true"] }), &[]);
    let oc = env.provider.create(&c, &Default::default()).await.unwrap();
    env.provider.delete(&oa).await.unwrap();
    env.provider.delete(&ob).await.unwrap();
    assert_eq!(layers(), 1);
    env.provider.delete(&oc).await.unwrap();
    assert_eq!(layers(), 0);
    env.clean().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn build_and_registry_images_are_refused_clearly() {
    let env = env("refuse");
    let b = env.desired(
        ResourceKind::Image,
        "b",
        json!({ "build": { "context": "." } }),
        &[],
    );
    let e = env
        .provider
        .create(&b, &Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(e, stackc_engine::provider::ProviderError::Unsupported(_)),
        "{e:?}"
    );
    assert!(!env
        .provider
        .capabilities()
        .supports(stackc_engine::provider::Feature::DockerfileBuild));
    env.clean().await;
}
