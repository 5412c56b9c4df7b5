use super::*;
use std::collections::BTreeMap;

fn temp() -> (tempfile::TempDir, StackState) {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::new(dir.path()).stack("shop").unwrap();
    (dir, state)
}

#[test]
fn the_key_is_made_once_private_and_kept() {
    let (_d, s) = temp();
    let k1 = s.key().unwrap();
    let k2 = s.key().unwrap();
    assert_eq!(k1, k2);
    let mode = fs::metadata(s.dir().join("key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    fs::write(s.dir().join("key"), b"short").unwrap();
    assert!(matches!(s.key(), Err(StateError::Damaged { .. })));
}

#[test]
fn a_second_writer_is_refused_with_the_holder() {
    let (_d, s) = temp();
    let held = s.lock(LockMode::Exclusive, "stackc apply").unwrap();
    let err = s.lock(LockMode::Exclusive, "stackc apply").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "stack `shop` is locked by pid {} (stackc apply, since ",
            std::process::id()
        )),
        "{msg}"
    );
    assert!(s.lock(LockMode::Shared, "stackc plan").is_err());
    drop(held);
    let r1 = s.lock(LockMode::Shared, "stackc plan").unwrap();
    let r2 = s.lock(LockMode::Shared, "stackc plan").unwrap();
    let err = s.lock(LockMode::Exclusive, "stackc apply").unwrap_err();
    assert!(err.to_string().contains("stackc plan"), "{err}");
    drop((r1, r2));
    s.lock(LockMode::Exclusive, "stackc apply").unwrap();
}

#[test]
fn revisions_are_numbered_and_keep_their_files() {
    let (_d, s) = temp();
    assert!(s.history().unwrap().is_empty());
    let rev = |cmd: &str| Revision {
        number: 0,
        applied_at: "2026-11-22T10:00:00Z".into(),
        command: cmd.into(),
        source: "/srv/shop".into(),
        summary: RevisionSummary::default(),
        outputs: BTreeMap::from([("url".into(), serde_json::json!("http://x"))]),
        files: Vec::new(),
        resources: vec!["container.web".into()],
    };
    let files = vec![RevisionFile {
        name: "sub/main.stack.hcl".into(),
        text: "stack \"shop\" {}\n".into(),
    }];
    assert_eq!(s.record(rev("apply"), &files).unwrap(), 1);
    assert_eq!(s.record(rev("rollback 1"), &files).unwrap(), 2);
    let all = s.history().unwrap();
    assert_eq!(all.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
    let (r, f) = s.revision(1).unwrap();
    assert_eq!(r.command, "apply");
    assert_eq!(f, files);
    assert!(matches!(s.revision(9), Err(StateError::NoRevision(9))));
    let bad = vec![RevisionFile {
        name: "../escape".into(),
        text: String::new(),
    }];
    assert!(s.record(rev("apply"), &bad).is_err());
}
