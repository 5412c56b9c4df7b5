//! Container start latency: `create` + `start` of a container from an image already in the
//! store, until its command has exec'd (`start` returns when the shim reports the exec), and
//! `runc run -d` of the same root filesystem in the same run, for comparison. Needs root:
//! `cargo bench -p stackc-provider-native --bench start`.

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use stackc_engine::model::{ResourceKind, ResourceSpec};
use stackc_engine::provider::{DesiredObject, Provider, Referenced};
use stackc_provider_native::{NativeConfig, NativeProvider, ShimCommand};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn rootfs(dir: &Path) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for d in ["etc", "tmp", "proc", "sys", "dev"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    std::fs::copy("/bin/busybox", bin.join("busybox")).unwrap();
    for applet in ["sh", "true", "sleep"] {
        std::os::unix::fs::symlink("busybox", bin.join(applet)).unwrap();
    }
}

fn desired(
    stack_dir: &Path,
    kind: ResourceKind,
    name: &str,
    spec: serde_json::Value,
    refs: &[&DesiredObject],
) -> DesiredObject {
    let address = format!("{kind}.{name}");
    let hash = format!("{:064x}", name.len());
    DesiredObject {
        address: address.clone(),
        kind,
        runtime_name: format!("bench-{name}"),
        spec: ResourceSpec::from_json(kind, spec.clone()).unwrap(),
        labels: DesiredObject::labels_for("bench", &address, &hash),
        spec_hash: hash,
        applied: spec.to_string(),
        references: refs
            .iter()
            .map(|r| {
                (
                    r.address.clone(),
                    Referenced {
                        kind: r.kind,
                        runtime_name: r.runtime_name.clone(),
                        spec: r.spec.clone(),
                        digest: None,
                        spec_hash: r.spec_hash.clone(),
                    },
                )
            })
            .collect::<BTreeMap<_, _>>(),
        stack_dir: stack_dir.to_path_buf(),
    }
}

/// Create + start on `provider`; on a bridge network of its own when `network` is set (the
/// difference from the plain case is what attaching costs: the namespace, the veth, the
/// address and the route, all made at create).
fn native(
    c: &mut Criterion,
    name: &str,
    cgroups: Option<stackc_provider_native::cgroup::Cgroups>,
    network: bool,
) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let root = tempfile::tempdir().unwrap();
    let stack = tempfile::tempdir().unwrap();
    rootfs(&stack.path().join("rootfs"));
    let provider = NativeProvider::new(NativeConfig {
        root: root.path().to_path_buf(),
        shim: ShimCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_stackc-native-shim")),
            args: Vec::new(),
        },
        cgroups,
    })
    .unwrap();
    let image = desired(
        stack.path(),
        ResourceKind::Image,
        "img",
        json!({ "dir": "./rootfs" }),
        &[],
    );
    rt.block_on(provider.create(&image, &Default::default()))
        .unwrap();
    let net = desired(
        stack.path(),
        ResourceKind::Network,
        "net",
        json!({ "subnet": "10.89.250.0/24" }),
        &[],
    );
    let container = if network {
        rt.block_on(provider.create(&net, &Default::default()))
            .unwrap();
        desired(
            stack.path(),
            ResourceKind::Container,
            "c",
            json!({ "image": "image.img", "command": ["/bin/true"], "networks": ["network.net"], "stop_timeout": "1s" }),
            &[&image, &net],
        )
    } else {
        desired(
            stack.path(),
            ResourceKind::Container,
            "c",
            json!({ "image": "image.img", "command": ["/bin/true"], "networks": [], "stop_timeout": "1s" }),
            &[&image],
        )
    };
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                let o = rt
                    .block_on(provider.create(&container, &Default::default()))
                    .unwrap();
                rt.block_on(provider.start(&o)).unwrap();
                total += t.elapsed();
                rt.block_on(provider.delete(&o)).unwrap();
            }
            total
        })
    });
    if network {
        let found = rt.block_on(provider.observe("bench")).unwrap();
        if let Some(n) = found.iter().find(|o| o.kind == ResourceKind::Network) {
            rt.block_on(provider.delete(n)).unwrap();
        }
    }
}

fn runc(c: &mut Criterion) {
    // The comparison is the point of the figure: without runc the benchmark fails.
    assert!(
        Command::new("runc").arg("--version").output().is_ok(),
        "runc is not installed: run providers/native/scripts/registry-up (apt-get install runc)"
    );
    let bundle = tempfile::tempdir().unwrap();
    rootfs(&bundle.path().join("rootfs"));
    let spec = Command::new("runc")
        .arg("spec")
        .current_dir(bundle.path())
        .status()
        .unwrap();
    assert!(spec.success());
    let path = bundle.path().join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    config["process"]["terminal"] = json!(false);
    config["process"]["args"] = json!(["/bin/true"]);
    config["root"]["readonly"] = json!(false);
    std::fs::write(&path, serde_json::to_vec(&config).unwrap()).unwrap();
    let mut n = 0u64;
    c.bench_function("runc run -d (same rootfs)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                let id = format!("stackc-bench-{}-{n}", std::process::id());
                let t = Instant::now();
                let ok = Command::new("runc")
                    .args(["run", "-d", &id])
                    .current_dir(bundle.path())
                    .status()
                    .unwrap();
                total += t.elapsed();
                assert!(ok.success());
                let _ = Command::new("runc").args(["delete", "-f", &id]).status();
            }
            total
        })
    });
}

fn benches(c: &mut Criterion) {
    assert!(
        nix::unistd::geteuid().is_root(),
        "the start benchmark makes namespaces and cgroups: run it as root"
    );
    native(c, "native create+start (until exec)", None, false);
    native(
        c,
        "native create+start on a bridge network (until exec)",
        None,
        true,
    );
    // The v2 path too, where a unified hierarchy is mounted (on a hybrid machine it has no
    // controllers: the same work, minus the limits).
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    if let Some(root) = mounts
        .lines()
        .find(|l| l.split_whitespace().nth(2) == Some("cgroup2"))
        .and_then(|l| l.split_whitespace().nth(1))
    {
        let v2 = stackc_provider_native::cgroup::Cgroups::v2_at(Path::new(root));
        if !stackc_provider_native::cgroup::Cgroups::detect().is_ok_and(|d| d == v2) {
            native(
                c,
                "native create+start, cgroups v2 (until exec)",
                Some(v2),
                false,
            );
        }
    }
    runc(c);
}

criterion_group! {
    name = start;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(8));
    targets = benches
}
criterion_main!(start);
