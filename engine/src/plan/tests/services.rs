//! Services against the in-memory provider: created, scaled, rolled in either order, rolled
//! back or paused on a failing template, healed and destroyed.

use super::*;
use crate::apply::{Outcome, Summary};
use crate::memory::Op;
use crate::provider::Health;

fn api(env: &str, replicas: u32, order: &str) -> String {
    format!(
        r#"
stack "shop" {{}}
service "api" {{
  image    = "busybox"
  networks = []
  replicas = {replicas}
  env      = {{ VERSION = "{env}" }}
  update {{
    order   = "{order}"
    monitor = "0s"
  }}
}}
"#
    )
}

impl Fixture {
    /// Applies `plan` and returns the summary, successful or not.
    async fn apply_summary(&self, plan: &Plan) -> Summary {
        let graph = plan.executor_graph().unwrap();
        let (tx, _rx) = tokio::sync::mpsc::channel(1024);
        apply(
            Arc::clone(&self.provider),
            &graph,
            plan.executor_actions(),
            &ApplyOptions {
                ready_timeout: std::time::Duration::from_secs(2),
                ..ApplyOptions::default()
            },
            &tx,
        )
        .await
        .unwrap()
    }

    /// `(runtime name, spec hash)` of every replica, sorted.
    fn replicas(&self) -> Vec<(String, String)> {
        let mut out: Vec<_> = self
            .provider
            .objects()
            .into_iter()
            .filter(|o| crate::service::parse_replica(&o.address).is_some())
            .map(|o| (o.runtime_name, o.spec_hash.unwrap_or_default()))
            .collect();
        out.sort();
        out
    }

    fn replica_names(&self) -> Vec<String> {
        self.replicas().into_iter().map(|(n, _)| n).collect()
    }
}

fn template_hash(plan: &Plan) -> String {
    action(plan, "service.api")
        .rollout
        .as_ref()
        .unwrap()
        .template
        .spec_hash
        .clone()
}

fn failure(summary: &Summary) -> String {
    match &summary.results["service.api"].outcome {
        Outcome::Failed(e) => e.to_string(),
        other => panic!("the rollout did not fail: {other:?}"),
    }
}

#[tokio::test]
async fn a_service_is_created_rolled_and_scaled() {
    let f = Fixture::new();
    let plan = f.converge(&api("1", 3, "start-first")).await;
    let a = action(&plan, "service.api");
    assert_eq!(a.action, PlanAction::Create);
    assert_eq!(a.headline.as_deref(), Some("will be created: 3 replicas"));
    assert_eq!(
        f.replica_names(),
        ["shop-api-1", "shop-api-2", "shop-api-3"]
    );

    // A new template rolls every replica, each made beside the old one first.
    let plan = f.plan(&api("2", 3, "start-first")).await;
    let a = action(&plan, "service.api");
    assert_eq!(a.action, PlanAction::Update);
    assert_eq!(
        a.headline.as_deref(),
        Some("will be rolled: 3 replicas, 1 at a time, start-first")
    );
    assert!(
        a.changes.iter().any(|c| c.path == "env.VERSION"),
        "{:?}",
        a.changes
    );
    let new = template_hash(&plan);
    f.apply(&plan).await;
    assert!(f.plan(&api("2", 3, "start-first")).await.is_empty());
    let replicas = f.replicas();
    assert_eq!(replicas.len(), 3);
    assert!(replicas.iter().all(|(_, h)| *h == new), "{replicas:?}");
    let renames = f
        .provider
        .calls()
        .iter()
        .filter(|c| c.op == Op::Rename && c.phase == crate::memory::Phase::End)
        .count();
    assert_eq!(renames, 3, "each old replica stepped aside once");

    // Scaling changes only the count: up adds the next indexes, down removes the highest.
    let plan = f.plan(&api("2", 5, "start-first")).await;
    assert_eq!(
        action(&plan, "service.api").headline.as_deref(),
        Some("will be scaled from 3 to 5 replicas")
    );
    f.apply(&plan).await;
    assert_eq!(f.replica_names().len(), 5);
    assert!(f.replicas().iter().all(|(_, h)| *h == new));
    f.converge(&api("2", 1, "start-first")).await;
    assert_eq!(f.replica_names(), ["shop-api-1"]);
}

#[tokio::test]
async fn a_failing_template_is_rolled_back() {
    let f = Fixture::new();
    f.converge(&api("1", 3, "start-first")).await;
    let before = f.replicas();

    let plan = f.plan(&api("broken", 3, "start-first")).await;
    f.provider.set_health_of_spec(
        &template_hash(&plan),
        Health::Unhealthy {
            reason: "exit 1".into(),
        },
    );
    let summary = f.apply_summary(&plan).await;
    let error = failure(&summary);
    assert!(error.contains("rolled back"), "{error}");
    assert!(error.contains("shop-api-1"), "{error}");
    // The old replicas kept their names and template throughout.
    assert_eq!(f.replicas(), before);
}

#[tokio::test]
async fn stop_first_rolls_back_what_it_replaced() {
    let f = Fixture::new();
    f.converge(&api("1", 2, "stop-first")).await;
    let before = f.replicas();
    let plan = f.plan(&api("broken", 2, "stop-first")).await;
    f.provider.set_health_of_spec(
        &template_hash(&plan),
        Health::Unhealthy {
            reason: "exit 1".into(),
        },
    );
    let error = failure(&f.apply_summary(&plan).await);
    assert!(error.contains("rolled back"), "{error}");
    assert_eq!(f.replicas(), before);
    assert!(f.plan(&api("1", 2, "stop-first")).await.is_empty());
}

#[tokio::test]
async fn pause_stops_where_the_failure_happened() {
    let f = Fixture::new();
    let text = |v: &str| {
        api(v, 3, "stop-first").replace(
            "monitor = \"0s\"",
            "monitor = \"0s\"\n    failure_action = \"pause\"",
        )
    };
    f.converge(&text("1")).await;
    let old = f.replicas()[0].1.clone();
    let plan = f.plan(&text("broken")).await;
    let new = template_hash(&plan);
    f.provider.set_health_of_spec(
        &new,
        Health::Unhealthy {
            reason: "exit 1".into(),
        },
    );
    let error = failure(&f.apply_summary(&plan).await);
    assert!(error.contains("paused after 0/3"), "{error}");
    let hashes: Vec<String> = f.replicas().into_iter().map(|(_, h)| h).collect();
    assert_eq!(hashes, [new, old.clone(), old]);
}

#[tokio::test]
async fn stopped_replicas_are_started_and_destroy_removes_them_all() {
    let f = Fixture::new();
    let text = api("1", 2, "start-first");
    f.converge(&text).await;
    let mut second = f.provider.object("service.api#2").unwrap();
    second.state = ObjectState::Stopped {
        exit_code: Some(137),
    };
    f.provider.insert(second);

    let plan = f.plan(&text).await;
    let a = action(&plan, "service.api");
    assert_eq!(a.action, PlanAction::Start);
    assert_eq!(a.headline.as_deref(), Some("will start 1 stopped replica"));
    assert!(
        a.drift[0].contains("`shop-api-2` stopped outside stackc (exit 137"),
        "{:?}",
        a.drift
    );
    f.apply(&plan).await;
    assert!(f.plan(&text).await.is_empty());

    let plan = f
        .plan_with(
            &text,
            &PlanOptions {
                destroy: true,
                ..PlanOptions::default()
            },
        )
        .await;
    assert_eq!(action(&plan, "service.api").action, PlanAction::Delete);
    f.apply(&plan).await;
    assert!(f.replicas().is_empty());
}

#[tokio::test]
async fn published_ports_reach_only_serving_replicas() {
    let f = Fixture::new();
    let text = |v: &str, n: u32| {
        api(v, n, "start-first").replace(
            "  replicas",
            "  port {\n    host      = 18080\n    container = 80\n  }\n  replicas",
        )
    };
    f.converge(&text("1", 2)).await;
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        f.provider.pool("service.api"),
        Some(names(&["shop-api-1", "shop-api-2"]))
    );

    // A failing template never joins; the old replicas serve throughout and after.
    let plan = f.plan(&text("broken", 2)).await;
    f.provider.set_health_of_spec(
        &template_hash(&plan),
        Health::Unhealthy {
            reason: "exit 1".into(),
        },
    );
    let error = failure(&f.apply_summary(&plan).await);
    assert!(error.contains("rolled back"), "{error}");
    assert_eq!(
        f.provider.pool("service.api"),
        Some(names(&["shop-api-1", "shop-api-2"]))
    );

    // A good one rolls in; scaling down takes the highest replica out first.
    f.converge(&text("2", 2)).await;
    assert_eq!(
        f.provider.pool("service.api"),
        Some(names(&["shop-api-1", "shop-api-2"]))
    );
    f.converge(&text("2", 1)).await;
    assert_eq!(f.provider.pool("service.api"), Some(names(&["shop-api-1"])));

    let plan = f
        .plan_with(
            &text("2", 1),
            &PlanOptions {
                destroy: true,
                ..PlanOptions::default()
            },
        )
        .await;
    f.apply(&plan).await;
    assert_eq!(f.provider.pool("service.api"), None);
}

#[tokio::test]
async fn a_replica_left_aside_by_an_interrupted_rollout_is_tidied() {
    let f = Fixture::new();
    let text = api("1", 2, "start-first");
    f.converge(&text).await;
    // A rollout killed between renaming the old replica and removing it leaves two objects
    // for one index: the old one under its aside name, and its successor.
    let mut aside = f.provider.object("service.api#1").unwrap();
    aside.id = "left-aside".into();
    aside.runtime_name = "shop-api-1-old".into();
    f.provider.insert(aside);

    let plan = f.plan(&text).await;
    let a = action(&plan, "service.api");
    assert_eq!(a.action, PlanAction::Update, "{a:#?}");
    assert!(
        a.drift
            .iter()
            .any(|d| d.contains("1 replica left aside by an interrupted rollout")),
        "{:?}",
        a.drift
    );
    f.apply(&plan).await;
    assert_eq!(f.replica_names(), ["shop-api-1", "shop-api-2"]);
    assert!(f.plan(&text).await.is_empty());
}

#[tokio::test]
async fn a_trigger_rolls_the_service_instead_of_replacing_it() {
    let f = Fixture::new();
    let text = |v: &str| {
        format!(
            r#"
stack "shop" {{}}
container "config" {{
  image    = "busybox"
  networks = []
  env      = {{ V = "{v}" }}
}}
service "api" {{
  image    = "busybox"
  networks = []
  replicas = 2
  lifecycle {{
    replace_triggered_by = [container.config]
  }}
  update {{
    order   = "start-first"
    monitor = "0s"
  }}
}}
"#
        )
    };
    f.converge(&text("1")).await;
    let before: Vec<String> = ["service.api#1", "service.api#2"]
        .iter()
        .map(|a| f.provider.object(a).unwrap().id)
        .collect();
    let plan = f.plan(&text("2")).await;
    let a = action(&plan, "service.api");
    assert_eq!(a.action, PlanAction::Update, "{a:#?}");
    assert_eq!(
        a.headline.as_deref(),
        Some("will be rolled: 2 replicas, 1 at a time, start-first")
    );
    f.apply(&plan).await;
    let after: Vec<String> = ["service.api#1", "service.api#2"]
        .iter()
        .map(|a| f.provider.object(a).unwrap().id)
        .collect();
    assert!(
        before.iter().all(|b| !after.contains(b)),
        "every replica made anew: {before:?} {after:?}"
    );
    assert_eq!(f.replica_names(), ["shop-api-1", "shop-api-2"]);
}

#[tokio::test]
async fn a_quotas_defaults_become_the_limits_of_members_that_set_none() {
    let f = Fixture::new();
    let text = r#"
stack "shop" {}
quota "team" {
  memory = "1GiB"
  pids   = 100
  default {
    memory = "64MiB"
    pids   = 10
  }
}
container "a" {
  image    = "busybox"
  networks = []
  quota    = quota.team
}
service "api" {
  image    = "busybox"
  networks = []
  replicas = 2
  quota    = quota.team
  resources {
    memory = "128MiB"
  }
}
"#;
    let (stack, _) = f.stack(text);
    let limits = |address: &str| {
        let r = stack.get(address).unwrap();
        r.spec.container().unwrap().resources.clone().unwrap()
    };
    let a = limits("container.a");
    assert_eq!(a.memory.map(|m| m.bytes()), Some(64 << 20));
    assert_eq!(a.pids, Some(10));
    // A limit of its own wins; the rest comes from the default.
    let api = limits("service.api");
    assert_eq!(api.memory.map(|m| m.bytes()), Some(128 << 20));
    assert_eq!(api.pids, Some(10));
    // What runs is what the plan shows, and it converges.
    let plan = f.converge(text).await;
    let created = action(&plan, "container.a");
    let memory = created
        .desired
        .as_ref()
        .unwrap()
        .spec
        .container()
        .unwrap()
        .resources
        .clone()
        .unwrap()
        .memory;
    assert_eq!(memory.map(|m| m.bytes()), Some(64 << 20));
}
