use super::*;
use crate::graph::{EdgeKind, Node};
use crate::memory::{Call, MemoryProvider, Op, Phase};
use crate::model::{NetworkSpec, ResourceKind, ResourceSpec};
use crate::provider::ObjectState;
use proptest::prelude::*;
use std::collections::BTreeSet;

fn desired(address: &str) -> DesiredObject {
    DesiredObject {
        address: address.to_string(),
        kind: ResourceKind::Network,
        runtime_name: format!("t-{address}"),
        spec: ResourceSpec::Network(NetworkSpec::default()),
        spec_hash: "h1".into(),
        labels: BTreeMap::new(),
        applied: "{}".into(),
        references: BTreeMap::new(),
        stack_dir: std::path::PathBuf::from("."),
    }
}

fn observed(address: &str) -> ObservedObject {
    ObservedObject {
        address: address.to_string(),
        kind: ResourceKind::Network,
        id: format!("id-{address}"),
        runtime_name: format!("t-{address}"),
        spec_hash: Some("h0".into()),
        state: ObjectState::Present,
        labels: BTreeMap::new(),
        ..ObservedObject::default()
    }
}

/// A graph from `(address, dependencies)` pairs.
fn graph(nodes: &[(&str, &[&str])]) -> ResourceGraph {
    ResourceGraph::from_nodes(
        "t",
        nodes.iter().map(|(a, deps)| Node {
            address: a.to_string(),
            depends_on: deps
                .iter()
                .map(|d| (d.to_string(), EdgeKind::Reference))
                .collect(),
        }),
    )
    .unwrap()
}

fn creates(addresses: &[&str]) -> Vec<Action> {
    addresses
        .iter()
        .map(|a| Action::create(desired(a)))
        .collect()
}

/// Deletions of objects the provider has.
fn deletes(p: &MemoryProvider, addresses: &[&str]) -> Vec<Action> {
    addresses
        .iter()
        .map(|a| {
            p.insert(observed(a));
            Action::delete(observed(a))
        })
        .collect()
}

async fn run(
    p: &Arc<MemoryProvider>,
    g: &ResourceGraph,
    actions: Vec<Action>,
    parallelism: usize,
) -> (Summary, Vec<Event>) {
    let (tx, mut rx) = mpsc::channel(16);
    let collect = tokio::spawn(async move {
        let mut v = Vec::new();
        while let Some(e) = rx.recv().await {
            v.push(e);
        }
        v
    });
    let summary = apply(
        Arc::clone(p),
        g,
        actions,
        &ApplyOptions {
            parallelism,
            ..ApplyOptions::default()
        },
        &tx,
    )
    .await
    .unwrap();
    drop(tx);
    (summary, collect.await.unwrap())
}

/// Where in the call log `address`'s call began or ended.
fn at(calls: &[Call], address: &str, phase: Phase) -> Option<usize> {
    calls
        .iter()
        .position(|c| c.address == address && c.phase == phase)
}

fn ends_before_begins(calls: &[Call], first: &str, then: &str) -> bool {
    match (at(calls, first, Phase::End), at(calls, then, Phase::Begin)) {
        (Some(e), Some(b)) => e < b,
        _ => false,
    }
}

#[tokio::test]
async fn dependencies_finish_before_dependants_start() {
    let g = graph(&[
        ("image.app", &[]),
        ("network.n", &[]),
        ("container.db", &["network.n"]),
        ("container.web", &["image.app", "network.n", "container.db"]),
    ]);
    let p = Arc::new(MemoryProvider::new());
    p.set_delay(Op::Create, Duration::from_millis(5));
    p.set_address_delay("network.n", Duration::from_millis(20));
    let all = ["image.app", "network.n", "container.db", "container.web"];
    let (summary, events) = run(&p, &g, creates(&all), 4).await;
    assert!(summary.is_success(), "{summary:#?}");
    let calls = p.calls();
    assert!(ends_before_begins(&calls, "network.n", "container.db"));
    assert!(ends_before_begins(&calls, "container.db", "container.web"));
    assert!(ends_before_begins(&calls, "image.app", "container.web"));
    // image.app and network.n are independent: both began before either ended.
    assert_eq!(calls[0].phase, Phase::Begin);
    assert_eq!(calls[1].phase, Phase::Begin);
    assert_eq!(events.len(), 8);
    assert!(
        matches!(&events[0], Event::Started { address, action: ActionKind::Create } if address == "image.app")
    );
    assert!(p.object("container.web").is_some());
}

#[tokio::test]
async fn respects_the_parallelism_bound() {
    let g = graph(&[]);
    let names: Vec<String> = (0..12).map(|i| format!("volume.v{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    for (parallelism, expected) in [(3, 3), (1, 1), (0, 1), (50, 12)] {
        let p = Arc::new(MemoryProvider::new());
        p.set_delay(Op::Create, Duration::from_millis(10));
        let (summary, _) = run(&p, &g, creates(&names), parallelism).await;
        assert_eq!(summary.succeeded().count(), 12);
        assert_eq!(p.max_concurrent(), expected, "parallelism {parallelism}");
    }
}

#[tokio::test]
async fn a_failure_skips_its_dependants_once_and_spares_the_rest() {
    let g = graph(&[
        ("image.app", &[]),
        ("network.n", &[]),
        ("container.web", &["image.app", "network.n"]),
        ("container.proxy", &["container.web", "image.app"]),
        ("container.other", &["network.n"]),
    ]);
    let p = Arc::new(MemoryProvider::new());
    p.fail("image.app", "pull access denied");
    p.set_delay(Op::Create, Duration::from_millis(2));
    let all = [
        "image.app",
        "network.n",
        "container.web",
        "container.proxy",
        "container.other",
    ];
    let (summary, events) = run(&p, &g, creates(&all), 2).await;
    assert_eq!(
        summary.failed().collect::<Vec<_>>(),
        vec![(
            "image.app",
            &ProviderError::Runtime("pull access denied".into())
        )]
    );
    assert_eq!(
        summary.skipped().collect::<Vec<_>>(),
        vec![
            ("container.proxy", "image.app"),
            ("container.web", "image.app")
        ]
    );
    assert_eq!(
        summary.succeeded().collect::<Vec<_>>(),
        vec!["container.other", "network.n"]
    );
    let skipped: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Skipped { address, .. } => Some(address.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(skipped, vec!["container.web", "container.proxy"]);
    assert!(at(&p.calls(), "container.web", Phase::Begin).is_none());
}

#[tokio::test]
async fn ordering_and_skips_pass_through_unchanged_instances() {
    let g = graph(&[
        ("image.app", &[]),
        ("network.n", &["image.app"]),
        ("container.web", &["network.n"]),
    ]);
    let p = Arc::new(MemoryProvider::new());
    p.set_delay(Op::Create, Duration::from_millis(5));
    let (summary, _) = run(&p, &g, creates(&["image.app", "container.web"]), 4).await;
    assert!(summary.is_success());
    assert!(ends_before_begins(&p.calls(), "image.app", "container.web"));

    let p = Arc::new(MemoryProvider::new());
    p.fail("image.app", "boom");
    let (summary, _) = run(&p, &g, creates(&["image.app", "container.web"]), 4).await;
    assert_eq!(
        summary.skipped().collect::<Vec<_>>(),
        vec![("container.web", "image.app")]
    );
}

#[tokio::test]
async fn deletes_walk_the_graph_in_reverse() {
    let g = graph(&[
        ("image.app", &[]),
        ("network.n", &[]),
        ("container.web", &["image.app", "network.n"]),
        ("container.proxy", &["container.web"]),
    ]);
    let p = Arc::new(MemoryProvider::new());
    p.set_delay(Op::Delete, Duration::from_millis(3));
    let all = ["image.app", "network.n", "container.web", "container.proxy"];
    let actions = deletes(&p, &all);
    let (summary, _) = run(&p, &g, actions, 4).await;
    assert!(summary.is_success(), "{summary:#?}");
    let calls = p.calls();
    assert!(ends_before_begins(
        &calls,
        "container.proxy",
        "container.web"
    ));
    assert!(ends_before_begins(&calls, "container.web", "image.app"));
    assert!(ends_before_begins(&calls, "container.web", "network.n"));
    assert!(p.object("image.app").is_none());
}

#[tokio::test]
async fn a_failed_delete_keeps_what_its_dependants_need() {
    let g = graph(&[("network.n", &[]), ("container.web", &["network.n"])]);
    let p = Arc::new(MemoryProvider::new());
    p.fail("container.web", "device busy");
    let actions = deletes(&p, &["network.n", "container.web"]);
    let (summary, _) = run(&p, &g, actions, 4).await;
    assert_eq!(
        summary.skipped().collect::<Vec<_>>(),
        vec![("network.n", "container.web")]
    );
    assert!(p.object("network.n").is_some());
}

#[tokio::test]
async fn a_delete_does_not_wait_for_a_dependency_that_stays() {
    // container.old goes away; its network is updated and the update fails.
    let g = graph(&[("network.n", &[]), ("container.old", &["network.n"])]);
    let p = Arc::new(MemoryProvider::new());
    p.fail("network.n", "in use");
    let mut actions = deletes(&p, &["container.old"]);
    actions.push(Action::update(observed("network.n"), desired("network.n")));
    let (summary, _) = run(&p, &g, actions, 4).await;
    assert_eq!(
        summary.succeeded().collect::<Vec<_>>(),
        vec!["container.old"]
    );
    assert_eq!(summary.failed().count(), 1);
}

#[tokio::test]
async fn runs_actions_outside_the_graph_and_updates_and_starts() {
    let g = graph(&[("network.n", &[])]);
    let p = Arc::new(MemoryProvider::new());
    let mut running = observed("container.c");
    running.kind = ResourceKind::Container;
    p.insert(running.clone());
    p.insert(observed("network.n"));
    let actions = vec![
        Action::start(running),
        Action::update(observed("network.n"), desired("network.n")),
        Action::delete(observed("volume.gone")),
    ];
    let (summary, _) = run(&p, &g, actions, 2).await;
    assert_eq!(summary.results["container.c"].outcome, Outcome::Succeeded);
    assert_eq!(p.object("container.c").unwrap().state, ObjectState::Running);
    assert_eq!(p.object("network.n").unwrap().spec_hash, None);
    // Deleting what is gone already is what the delete wanted.
    assert_eq!(summary.results["volume.gone"].outcome, Outcome::Succeeded);
}

#[tokio::test]
async fn refuses_two_actions_for_one_address() {
    let g = graph(&[]);
    let (tx, _rx) = mpsc::channel(1);
    let p = Arc::new(MemoryProvider::new());
    let err = apply(
        p,
        &g,
        creates(&["image.a", "image.a"]),
        &ApplyOptions::default(),
        &tx,
    )
    .await
    .unwrap_err();
    assert_eq!(err, ApplyError::DuplicateAction("image.a".into()));
}

#[tokio::test]
async fn a_closed_event_channel_does_not_stop_the_apply() {
    let g = graph(&[("image.a", &[]), ("container.b", &["image.a"])]);
    let (tx, rx) = mpsc::channel(1);
    drop(rx);
    let p = Arc::new(MemoryProvider::new());
    let summary = apply(
        Arc::clone(&p),
        &g,
        creates(&["image.a", "container.b"]),
        &ApplyOptions::default(),
        &tx,
    )
    .await
    .unwrap();
    assert!(summary.is_success());
}

/// A random case: node `i` may depend on any `j < i`, so the graph is acyclic.
#[derive(Clone, Debug)]
struct Case {
    deps: Vec<Vec<usize>>,
    /// 0: no action, 1: create, 2: update, 3: delete.
    actions: Vec<u8>,
    fails: Vec<bool>,
    delays_ms: Vec<u64>,
    parallelism: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..12).prop_flat_map(|n| {
        (
            proptest::collection::vec(proptest::collection::vec(any::<bool>(), n), n),
            proptest::collection::vec(0u8..4, n),
            proptest::collection::vec(proptest::bool::weighted(0.2), n),
            proptest::collection::vec(0u64..3, n),
            0usize..5,
        )
            .prop_map(move |(m, actions, fails, delays_ms, parallelism)| Case {
                deps: (0..n)
                    .map(|i| (0..i).filter(|&j| m[i][j]).collect())
                    .collect(),
                actions,
                fails,
                delays_ms,
                parallelism,
            })
    })
}

fn name(i: usize) -> String {
    format!("container.n{i}")
}

/// The waits of `schedule`, written out independently: which nodes `i` waits for.
fn waits_for(c: &Case, i: usize) -> Vec<usize> {
    let deleted = |k: usize| c.actions[k] == 3;
    let n = c.deps.len();
    let mut w = Vec::new();
    for a in 0..n {
        for &b in &c.deps[a] {
            if deleted(b) && b == i {
                w.push(a);
            } else if !deleted(b) && !deleted(a) && a == i {
                w.push(b);
            }
        }
    }
    w
}

/// The failed actions that `i` waits for, directly or through other nodes.
fn failed_upstream(c: &Case, i: usize, memo: &mut Vec<Option<BTreeSet<usize>>>) -> BTreeSet<usize> {
    if let Some(s) = &memo[i] {
        return s.clone();
    }
    let mut s = BTreeSet::new();
    for w in waits_for(c, i) {
        if c.actions[w] != 0 && c.fails[w] && failed_upstream(c, w, memo).is_empty() {
            s.insert(w);
        }
        s.extend(failed_upstream(c, w, memo));
    }
    memo[i] = Some(s.clone());
    s
}

fn check(c: &Case) -> Result<(), TestCaseError> {
    let nodes: Vec<Node> = (0..c.deps.len())
        .map(|i| Node {
            address: name(i),
            depends_on: c.deps[i]
                .iter()
                .map(|&j| (name(j), EdgeKind::Reference))
                .collect(),
        })
        .collect();
    let g = ResourceGraph::from_nodes("t", nodes).unwrap();
    let p = Arc::new(MemoryProvider::new());
    let mut actions = Vec::new();
    for i in 0..c.deps.len() {
        let a = name(i);
        if c.fails[i] {
            p.fail(&a, "injected");
        }
        p.set_address_delay(&a, Duration::from_millis(c.delays_ms[i]));
        match c.actions[i] {
            1 => actions.push(Action::create(desired(&a))),
            2 => {
                p.insert(observed(&a));
                actions.push(Action::update(observed(&a), desired(&a)));
            }
            3 => {
                p.insert(observed(&a));
                actions.push(Action::delete(observed(&a)));
            }
            _ => {}
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(3)
        .enable_time()
        .build()
        .unwrap();
    let (summary, events) = rt.block_on(run(&p, &g, actions, c.parallelism));
    let calls = p.calls();
    prop_assert!(p.max_concurrent() <= c.parallelism.max(1));
    let mut memo = vec![None; c.deps.len()];
    for i in 0..c.deps.len() {
        let a = name(i);
        let result = summary.results.get(&a);
        if c.actions[i] == 0 {
            prop_assert!(result.is_none());
            continue;
        }
        let upstream = failed_upstream(c, i, &mut memo);
        let Some(ActionResult { outcome, .. }) = result else {
            return Err(TestCaseError::fail(format!("{a} has no result")));
        };
        if upstream.is_empty() {
            if c.fails[i] {
                prop_assert!(matches!(outcome, Outcome::Failed(_)), "{a}: {outcome:?}");
            } else {
                prop_assert_eq!(outcome, &Outcome::Succeeded, "{}", a);
            }
            // Everything it waits for that has an action finished before it began.
            for w in waits_for(c, i) {
                if c.actions[w] != 0 {
                    prop_assert!(
                        ends_before_begins(&calls, &name(w), &a),
                        "{} before {}",
                        name(w),
                        a
                    );
                }
            }
        } else {
            let Outcome::Skipped { cause } = outcome else {
                return Err(TestCaseError::fail(format!("{a} ran: {outcome:?}")));
            };
            prop_assert!(upstream.iter().any(|&u| &name(u) == cause), "{a}: {cause}");
            prop_assert!(at(&calls, &a, Phase::Begin).is_none());
        }
        let skips = events
            .iter()
            .filter(|e| matches!(e, Event::Skipped { address, .. } if *address == a))
            .count();
        prop_assert_eq!(skips, usize::from(!upstream.is_empty()));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_plans_keep_the_executor_invariants(c in case()) {
        check(&c)?;
    }
}
