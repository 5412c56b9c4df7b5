//! Helpers for tests that run real containers: a store in a temporary directory, desired
//! objects built from JSON specs, a busybox rootfs, and a cleanup check.
#![allow(dead_code)]

use serde_json::{json, Value};
use stackc_engine::model::{ResourceKind, ResourceSpec};
use stackc_engine::provider::{DesiredObject, LogOptions, ObservedObject, Provider, Referenced};
use stackc_provider_native::{NativeConfig, NativeProvider, ShimCommand};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub struct Env {
    pub provider: NativeProvider,
    pub root: tempfile::TempDir,
    pub stack_dir: tempfile::TempDir,
    pub stack: String,
}

/// A provider over a fresh store, with this crate's shim binary.
pub fn env(stack: &str) -> Env {
    env_with(stack, None)
}

/// [`env`] on given cgroup hierarchies.
pub fn env_with(stack: &str, cgroups: Option<stackc_provider_native::cgroup::Cgroups>) -> Env {
    let root = tempfile::Builder::new()
        .prefix("stackc-native-test")
        .tempdir()
        .unwrap();
    let stack_dir = tempfile::tempdir().unwrap();
    let provider = NativeProvider::new(NativeConfig {
        root: root.path().to_path_buf(),
        shim: ShimCommand {
            program: PathBuf::from(env!("CARGO_BIN_EXE_stackc-native-shim")),
            args: Vec::new(),
        },
        cgroups,
    })
    .unwrap();
    Env {
        provider,
        root,
        stack_dir,
        // Unique per run, so that what a crashed earlier run left cannot fail this one.
        stack: format!("{stack}{}", std::process::id()),
    }
}

impl Drop for Env {
    /// After a failed test: stops the shims this test started and unmounts its secrets, so
    /// nothing outlives the test (a passing test has cleaned up already).
    fn drop(&mut self) {
        let containers = self.root.path().join("containers");
        let Ok(entries) = std::fs::read_dir(&containers) else {
            return;
        };
        for e in entries.flatten() {
            if let Ok(bytes) = std::fs::read(e.path().join("state.json")) {
                if let Ok(state) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                    if let Some(pid) = state["shim_pid"].as_i64().filter(|p| *p > 0) {
                        let _ = nix::sys::signal::kill(
                            nix::unistd::Pid::from_raw(pid as i32),
                            nix::sys::signal::Signal::SIGKILL,
                        );
                    }
                }
            }
            let _ =
                nix::mount::umount2(&e.path().join("secrets"), nix::mount::MntFlags::MNT_DETACH);
            if let Ok(bytes) = std::fs::read(e.path().join("record.json")) {
                if let Ok(record) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                    let cgroups = match record["run"]["cgroup_v2_root"].as_str() {
                        Some(root) => Ok(stackc_provider_native::cgroup::Cgroups::v2_at(
                            Path::new(root),
                        )),
                        None => stackc_provider_native::cgroup::Cgroups::detect(),
                    };
                    if let (Some(cg), Ok(cgroups)) = (record["run"]["cgroup"].as_str(), cgroups) {
                        cgroups.kill_all(cg);
                        let _ = cgroups.remove(cg);
                    }
                }
            }
        }
    }
}

fn hash(v: &Value) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(v.to_string().as_bytes()))
}

impl Env {
    pub fn desired(
        &self,
        kind: ResourceKind,
        name: &str,
        spec: Value,
        refs: &[&DesiredObject],
    ) -> DesiredObject {
        let address = format!("{kind}.{name}");
        let spec_hash = hash(&json!([
            spec,
            refs.iter().map(|r| r.spec_hash.clone()).collect::<Vec<_>>()
        ]));
        DesiredObject {
            address: address.clone(),
            kind,
            runtime_name: format!("{}-{name}", self.stack),
            spec: ResourceSpec::from_json(kind, spec.clone()).unwrap(),
            labels: DesiredObject::labels_for(&self.stack, &address, &spec_hash),
            spec_hash,
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
            stack_dir: self.stack_dir.path().to_path_buf(),
        }
    }

    /// A `dir` image holding busybox and a link per applet.
    pub async fn busybox_image(&self) -> DesiredObject {
        let rootfs = self.stack_dir.path().join("rootfs");
        make_busybox_rootfs(&rootfs);
        let img = self.desired(ResourceKind::Image, "bb", json!({ "dir": "./rootfs" }), &[]);
        self.provider
            .create(&img, &Default::default())
            .await
            .unwrap();
        img
    }

    pub fn container(
        &self,
        name: &str,
        image: &DesiredObject,
        mut spec: Value,
        refs: &[&DesiredObject],
    ) -> DesiredObject {
        spec["image"] = json!(image.address);
        if spec.get("networks").is_none() && spec.get("network_mode").is_none() {
            spec["networks"] = json!([]);
        }
        let mut all: Vec<&DesiredObject> = vec![image];
        all.extend(refs);
        self.desired(ResourceKind::Container, name, spec, &all)
    }

    pub async fn run(&self, d: &DesiredObject) -> ObservedObject {
        let o = self.provider.create(d, &Default::default()).await.unwrap();
        self.provider.start(&o).await.unwrap();
        o
    }

    /// The container's object as observed now.
    pub async fn observe(&self, address: &str) -> Option<ObservedObject> {
        self.provider
            .observe(&self.stack)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.address == address)
    }

    /// Waits until `f` holds of the observed object.
    pub async fn wait_for(
        &self,
        address: &str,
        what: &str,
        f: impl Fn(&ObservedObject) -> bool,
    ) -> ObservedObject {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(o) = self.observe(address).await {
                if f(&o) {
                    return o;
                }
                if Instant::now() > deadline {
                    panic!("{address}: timed out waiting for {what}; last seen {o:?}");
                }
            } else if Instant::now() > deadline {
                panic!("{address}: gone while waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn logs(&self, o: &ObservedObject) -> Vec<String> {
        use futures::StreamExt;
        let lines = self.provider.logs(o, &LogOptions::default()).await.unwrap();
        lines
            .filter_map(|l| async { l.ok().map(|l| l.text) })
            .collect()
            .await
    }

    /// Deletes every object of the stack and checks that nothing is left: no mount under the
    /// root, no cgroup of the stack, no container directory, no layer.
    pub async fn clean(&self) {
        let objects = self.provider.observe(&self.stack).await.unwrap();
        for kind in [
            ResourceKind::Container,
            ResourceKind::Quota,
            ResourceKind::Image,
            ResourceKind::Volume,
        ] {
            for o in objects.iter().filter(|o| o.kind == kind) {
                self.provider.delete(o).await.unwrap();
            }
        }
        assert_clean(self.root.path(), &self.stack);
    }
}

pub fn assert_clean(root: &Path, stack: &str) {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap();
    let root_s = root.display().to_string();
    assert!(
        !mounts.contains(&root_s),
        "mounts left under {root_s}:\n{mounts}"
    );
    for hierarchy in std::fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
        let p = hierarchy.path().join("stackc").join(stack);
        assert!(!p.exists(), "cgroup left: {}", p.display());
    }
    let unified = std::path::Path::new("/sys/fs/cgroup/stackc").join(stack);
    assert!(!unified.exists(), "cgroup left: {}", unified.display());
    let containers: Vec<_> = std::fs::read_dir(root.join("containers"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != "by-name")
        .collect();
    assert!(
        containers.is_empty(),
        "container directories left: {containers:?}"
    );
    let names: Vec<_> = std::fs::read_dir(root.join("containers/by-name"))
        .unwrap()
        .flatten()
        .collect();
    assert!(names.is_empty(), "names left: {names:?}");
    let layers: Vec<_> = std::fs::read_dir(root.join("layers"))
        .unwrap()
        .flatten()
        .collect();
    assert!(layers.is_empty(), "layers left: {layers:?}");
}

/// A root filesystem of busybox and its applet links.
pub fn make_busybox_rootfs(dir: &Path) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for d in ["etc", "tmp", "proc", "sys", "dev"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    std::fs::copy("/bin/busybox", bin.join("busybox")).unwrap();
    let list = std::process::Command::new("/bin/busybox")
        .arg("--list")
        .output()
        .unwrap();
    for applet in String::from_utf8_lossy(&list.stdout).lines() {
        if applet != "busybox" {
            let _ = std::os::unix::fs::symlink("busybox", bin.join(applet));
        }
    }
    std::fs::write(dir.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\napp:x:1000:1000::/tmp:/bin/sh\n").unwrap();
    std::fs::write(
        dir.join("etc/group"),
        "root:x:0:\nnogroup:x:65534:\napp:x:1000:\n",
    )
    .unwrap();
}
