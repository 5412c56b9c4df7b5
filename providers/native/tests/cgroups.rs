//! The cgroup interface against the kernel: v1 (this machine's hierarchies) and v2 (the
//! unified hierarchy, where one is mounted), and quotas as parent groups. They fail when not
//! root.

mod common;
use common::*;
use serde_json::json;
use stackc_engine::model::ResourceKind;
use stackc_engine::provider::{ObjectState, Provider};
use stackc_provider_native::cgroup::{Cgroups, Limits};
use std::path::Path;

fn exercise(cg: &Cgroups, rel: &str) {
    cg.create(rel).unwrap();
    assert!(cg.exists(rel));
    let limits = Limits {
        memory: 64 << 20,
        pids: 33,
        cpus: 500_000_000,
        ..Limits::default()
    };
    cg.apply(rel, &limits).unwrap();
    let mut child = std::process::Command::new("/bin/busybox")
        .args(["sleep", "30"])
        .spawn()
        .unwrap();
    cg.add(rel, child.id() as i32).unwrap();
    assert_eq!(cg.procs(rel), [child.id() as i32]);
    let read = cg.read(rel, &limits).unwrap();
    if !cg.is_v2() {
        assert_eq!(read, limits);
    }
    cg.kill_all(rel);
    let _ = child.wait();
    assert!(cg.procs(rel).is_empty());
    cg.remove(rel).unwrap();
    assert!(!cg.exists(rel));
}

#[test]
fn v1_or_v2_as_detected() {
    let cg = Cgroups::detect().unwrap();
    exercise(&cg, &format!("stackc/cgtest{}/leaf", std::process::id()));
}

/// The machine's unified (v2) hierarchy, when one is mounted.
fn unified() -> Option<Cgroups> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
    let root = mounts
        .lines()
        .find(|l| l.split_whitespace().nth(2) == Some("cgroup2"))
        .and_then(|l| l.split_whitespace().nth(1))?
        .to_string();
    Some(Cgroups::v2_at(Path::new(&root)))
}

#[test]
fn v2_where_a_unified_hierarchy_is_mounted() {
    let Some(cg) = unified() else { return };
    exercise(
        &cg,
        &format!("stackc/cgtest-v2-{}/leaf", std::process::id()),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quota_is_a_parent_group_of_its_members() {
    let env = env("quota");
    let img = env.busybox_image().await;
    let q = env.desired(
        ResourceKind::Quota,
        "team",
        json!({ "memory": "96MiB", "pids": 50 }),
        &[],
    );
    env.provider.create(&q, &Default::default()).await.unwrap();
    let c = env.container("c", &img, json!({ "command": ["sleep", "30"], "stop_timeout": "100ms", "quota": "quota.team", "resources": { "memory": "32MiB", "pids": 10 } }), &[&q]);
    let o = env.run(&c).await;
    env.wait_for(&o.address, "running", |o| o.state == ObjectState::Running)
        .await;
    let cg = Cgroups::detect().unwrap();
    let quota_rel = format!("stackc/{}/quota-{}-team", env.stack, env.stack);
    let member_rel = format!("{quota_rel}/{}", o.id);
    assert_eq!(cg.procs(&member_rel).len(), 1);
    if !cg.is_v2() {
        // Only the standard devices may be opened (any node may be made).
        let list =
            std::fs::read_to_string(format!("/sys/fs/cgroup/devices/{member_rel}/devices.list"))
                .unwrap();
        let mut rules: Vec<&str> = list.lines().collect();
        rules.sort_unstable();
        assert_eq!(
            rules,
            [
                "b *:* m",
                "c *:* m",
                "c 136:* rwm",
                "c 1:3 rwm",
                "c 1:5 rwm",
                "c 1:7 rwm",
                "c 1:8 rwm",
                "c 1:9 rwm",
                "c 5:0 rwm",
                "c 5:1 rwm",
                "c 5:2 rwm"
            ]
        );
    }
    let quota_limits = cg.read(&quota_rel, &Limits::default()).unwrap();
    assert_eq!((quota_limits.memory, quota_limits.pids), (96 << 20, 50));
    env.clean().await;
}

/// A container whose cgroup is on the unified hierarchy (on a hybrid machine it has no
/// controllers, so no limit applies; what is checked is the v2 path: born in its cgroup by
/// `clone3`, its own cgroup namespace and a read-only `/sys/fs/cgroup` of its own).
#[tokio::test(flavor = "multi_thread")]
async fn containers_on_the_unified_hierarchy() {
    let Some(cg) = unified() else { return };
    let env = env_with("v2", Some(cg.clone()));
    let img = env.busybox_image().await;
    let script = "cat /proc/self/cgroup | grep '^0::'; ls /sys/fs/cgroup/cgroup.procs; touch /sys/fs/cgroup/x 2>/dev/null || echo cgroupfs=readonly; sleep 30";
    let c = env.container(
        "c",
        &img,
        json!({ "command": ["sh", "-c", script], "stop_timeout": "100ms" }),
        &[],
    );
    let o = env.run(&c).await;
    let o = env
        .wait_for(&o.address, "running", |o| o.state == ObjectState::Running)
        .await;
    let rel = format!("stackc/{}/{}", env.stack, o.id);
    assert!(
        !cg.procs(&rel).is_empty(),
        "the container is in its v2 group"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let logs = env.logs(&o).await;
    assert_eq!(
        logs,
        ["0::/", "/sys/fs/cgroup/cgroup.procs", "cgroupfs=readonly"],
        "{logs:#?}"
    );
    env.clean().await;
}
