//! The plan against the in-memory provider: every change kind, drift, orphans, cascades and
//! the round trip plan → apply → plan-is-empty.

use super::*;
use crate::apply::{apply, ApplyOptions};
use crate::memory::MemoryProvider;
use crate::model::{decode, Hooks};
use stackc_lang::eval::{evaluate_sources, VarInputs};
use std::path::PathBuf;
use std::sync::Arc;

const KEY: [u8; 32] = [7; 32];

struct Fixture {
    dir: tempfile::TempDir,
    provider: Arc<MemoryProvider>,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            provider: Arc::new(MemoryProvider::new()),
        }
    }

    fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    fn stack(&self, text: &str) -> (DesiredStack, ResourceGraph) {
        let mut sources = stackc_lang::Sources::new();
        let id = sources.add("main.stack.hcl", "main.stack.hcl", text);
        let (config, diags) = evaluate_sources(
            sources,
            &[id],
            self.dir.path(),
            &VarInputs::default(),
            &Hooks,
        );
        assert!(diags.is_empty(), "{diags:#?}");
        let (stack, diags) = decode(&config);
        assert!(diags.is_empty(), "{diags:#?}");
        let graph = ResourceGraph::build(&stack).unwrap();
        (stack, graph)
    }

    async fn plan_with(&self, text: &str, options: &PlanOptions) -> Plan {
        let (stack, graph) = self.stack(text);
        let observed = self.provider.observe(&stack.name).await.unwrap();
        build(PlanInput {
            provider: &*self.provider,
            stack: &stack,
            graph: &graph,
            observed,
            key: &KEY,
            stack_dir: self.dir.path(),
            options,
        })
    }

    async fn plan(&self, text: &str) -> Plan {
        self.plan_with(text, &PlanOptions::default()).await
    }

    async fn apply(&self, plan: &Plan) {
        let graph = plan.executor_graph().unwrap();
        let (tx, _rx) = tokio::sync::mpsc::channel(1024);
        let summary = apply(
            Arc::clone(&self.provider),
            &graph,
            plan.executor_actions(),
            &ApplyOptions::default(),
            &tx,
        )
        .await
        .unwrap();
        assert!(summary.is_success(), "{summary:#?}");
    }

    /// Plans and applies `text`, then checks that planning again changes nothing.
    async fn converge(&self, text: &str) -> Plan {
        let plan = self.plan(text).await;
        self.apply(&plan).await;
        let again = self.plan(text).await;
        assert!(again.is_empty(), "perpetual diff: {:#?}", actions(&again));
        plan
    }
}

/// `(address, action)` of every action that does something.
fn actions(plan: &Plan) -> Vec<(String, PlanAction)> {
    plan.actions
        .iter()
        .filter(|a| a.action != PlanAction::Noop)
        .map(|a| (a.address.clone(), a.action))
        .collect()
}

fn action<'p>(plan: &'p Plan, address: &str) -> &'p PlannedAction {
    plan.actions
        .iter()
        .find(|a| a.address == address)
        .unwrap_or_else(|| panic!("no action for {address}"))
}

const WEB: &str = r#"
stack "shop" {}
network "backend" {}
volume "data" {}
container "web" {
  image    = "busybox"
  networks = [network.backend]
  env      = { MODE = "prod" }
  resources {
    memory = "256MiB"
  }
  mount {
    source = volume.data
    target = "/data"
  }
}
"#;

#[tokio::test]
async fn a_new_stack_is_created_in_order_and_then_nothing_changes() {
    let f = Fixture::new();
    let plan = f.converge(WEB).await;
    assert_eq!(
        actions(&plan),
        [
            ("network.backend".to_string(), PlanAction::Create),
            ("volume.data".to_string(), PlanAction::Create),
            ("container.web".to_string(), PlanAction::Create),
        ]
    );
    assert_eq!(plan.summary().add, 3);
    let web = f.provider.object("container.web").unwrap();
    assert_eq!(
        web.state,
        ObjectState::Running,
        "created containers are started"
    );
}

#[tokio::test]
async fn an_update_kind_attribute_is_changed_in_place_and_shown_as_written() {
    let f = Fixture::new();
    f.converge(WEB).await;
    let plan = f.plan(&WEB.replace("256MiB", "512MiB")).await;
    assert_eq!(
        actions(&plan),
        [("container.web".to_string(), PlanAction::Update)]
    );
    let web = action(&plan, "container.web");
    assert_eq!(web.changes.len(), 1, "{:#?}", web.changes);
    let c = &web.changes[0];
    assert_eq!(c.path, "resources.memory");
    assert_eq!(c.before, Some(Value::from("256MiB")));
    assert_eq!(c.after, Some(Value::from("512MiB")));
    assert!(!c.forces_replacement);
    f.apply(&plan).await;
    assert!(f.plan(&WEB.replace("256MiB", "512MiB")).await.is_empty());
}

#[tokio::test]
async fn a_replace_kind_attribute_replaces_and_names_the_field() {
    let f = Fixture::new();
    f.converge(WEB).await;
    let plan = f.plan(&WEB.replace("\"prod\"", "\"dev\"")).await;
    assert_eq!(
        actions(&plan),
        [("container.web".to_string(), PlanAction::Replace)]
    );
    let web = action(&plan, "container.web");
    assert_eq!(web.reasons, ["`env.MODE` forces replacement"]);
    assert_eq!(web.changes[0].before, Some(Value::from("prod")));
    f.apply(&plan).await;
    assert!(f.plan(&WEB.replace("\"prod\"", "\"dev\"")).await.is_empty());
}

#[tokio::test]
async fn equal_values_in_other_spellings_are_no_change() {
    let f = Fixture::new();
    f.converge(WEB).await;
    let plan = f.plan(&WEB.replace("\"256MiB\"", "268435456")).await;
    assert!(plan.is_empty(), "{:#?}", actions(&plan));
}

#[tokio::test]
async fn new_image_content_replaces_the_containers_that_use_it() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.dir().join("site")).unwrap();
    std::fs::write(f.dir().join("site/index.html"), "v1").unwrap();
    let text = r#"
stack "shop" {}
image "site" {
  dir = "./site"
}
container "web" {
  image = image.site
}
"#;
    f.converge(text).await;
    std::fs::write(f.dir().join("site/index.html"), "v2").unwrap();
    let plan = f.plan(text).await;
    assert_eq!(
        actions(&plan),
        [
            ("image.site".to_string(), PlanAction::Replace),
            ("container.web".to_string(), PlanAction::Replace),
        ]
    );
    let web = action(&plan, "container.web");
    let image = web.changes.iter().find(|c| c.path == "image").unwrap();
    assert!(image.forces_replacement);
    assert_ne!(image.before, image.after);
    assert!(image
        .after
        .as_ref()
        .unwrap()
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    f.apply(&plan).await;
    assert!(f.plan(text).await.is_empty());
}

#[tokio::test]
async fn drift_is_shown_with_what_was_seen_and_healed() {
    let f = Fixture::new();
    f.converge(WEB).await;

    // Stopped behind stackc's back.
    let mut web = f.provider.object("container.web").unwrap();
    web.state = ObjectState::Stopped {
        exit_code: Some(137),
    };
    web.finished_at = Some("2026-11-22T10:02:11Z".into());
    f.provider.insert(web.clone());
    let plan = f.plan(WEB).await;
    assert_eq!(
        actions(&plan),
        [("container.web".to_string(), PlanAction::Start)]
    );
    let drift = &action(&plan, "container.web").drift;
    assert_eq!(drift.len(), 1);
    assert!(
        drift[0].starts_with("stopped outside stackc (exit 137 at "),
        "{drift:?}"
    );
    f.apply(&plan).await;
    assert!(f.plan(WEB).await.is_empty());

    // `docker update` behind stackc's back.
    let mut web = f.provider.object("container.web").unwrap();
    web.live
        .insert(crate::model::live::MEMORY.into(), Value::from(1u64 << 30));
    f.provider.insert(web);
    let plan = f.plan(WEB).await;
    assert_eq!(
        actions(&plan),
        [("container.web".to_string(), PlanAction::Update)]
    );
    let a = action(&plan, "container.web");
    assert_eq!(
        a.drift,
        ["resources.memory was changed outside stackc: it is 1GiB, the stack says 256MiB"]
    );
    f.apply(&plan).await;
    assert!(f.plan(WEB).await.is_empty());
}

#[tokio::test]
async fn a_removed_object_is_made_again_and_what_uses_it_replaced() {
    let f = Fixture::new();
    f.converge(WEB).await;
    let net = f.provider.object("network.backend").unwrap();
    f.provider.delete(&net).await.unwrap();
    let options = PlanOptions {
        previously_applied: ["network.backend".to_string()].into(),
        ..PlanOptions::default()
    };
    let plan = f.plan_with(WEB, &options).await;
    assert_eq!(
        actions(&plan),
        [
            ("network.backend".to_string(), PlanAction::Create),
            ("container.web".to_string(), PlanAction::Replace),
        ]
    );
    assert!(action(&plan, "network.backend").drift[0].starts_with("removed outside stackc"));
    assert_eq!(
        action(&plan, "container.web").reasons,
        ["`network.backend` is created anew"]
    );
    f.apply(&plan).await;
    assert!(f.plan(WEB).await.is_empty());
}

#[tokio::test]
async fn objects_no_longer_in_the_stack_are_removed_but_volumes_kept() {
    let f = Fixture::new();
    f.converge(WEB).await;
    let plan = f.plan("stack \"shop\" {}\n").await;
    assert_eq!(
        actions(&plan),
        [
            ("container.web".to_string(), PlanAction::Delete),
            ("network.backend".to_string(), PlanAction::Delete),
        ]
    );
    let data = action(&plan, "volume.data");
    assert_eq!(data.action, PlanAction::Noop);
    assert_eq!(data.kept.as_deref(), Some("holds data"));
    f.apply(&plan).await;
    assert!(f.provider.object("container.web").is_none());
    assert!(f.provider.object("volume.data").is_some());
}

#[tokio::test]
async fn destroy_removes_everything_and_volumes_only_when_purged() {
    let f = Fixture::new();
    f.converge(WEB).await;
    let destroy = PlanOptions {
        destroy: true,
        ..PlanOptions::default()
    };
    let plan = f.plan_with(WEB, &destroy).await;
    assert_eq!(plan.summary().destroy, 2);
    assert_eq!(
        action(&plan, "volume.data").kept.as_deref(),
        Some("holds data")
    );
    let purge = PlanOptions {
        destroy: true,
        purge_volumes: true,
        ..PlanOptions::default()
    };
    let plan = f.plan_with(WEB, &purge).await;
    assert_eq!(plan.summary().destroy, 3);
    f.apply(&plan).await;
    assert!(f.provider.observe("shop").await.unwrap().is_empty());
}

#[tokio::test]
async fn replace_triggered_by_cascades_with_its_cause() {
    let f = Fixture::new();
    let text = |v: &str| {
        format!(
            r#"
stack "shop" {{}}
container "db" {{
  image = "postgres:{v}"
}}
container "app" {{
  image = "busybox"
  lifecycle {{
    replace_triggered_by = [container.db]
  }}
}}
"#
        )
    };
    f.converge(&text("16")).await;
    let plan = f.plan(&text("17")).await;
    assert_eq!(
        actions(&plan),
        [
            ("container.db".to_string(), PlanAction::Replace),
            ("container.app".to_string(), PlanAction::Replace),
        ]
    );
    assert_eq!(
        action(&plan, "container.app").reasons,
        ["replace_triggered_by: `container.db` changes"]
    );
}

#[tokio::test]
async fn targets_limit_the_plan_to_them_and_their_dependencies() {
    let f = Fixture::new();
    let text = r#"
stack "shop" {}
network "backend" {}
container "web" {
  image    = "busybox"
  networks = [network.backend]
}
container "other" {
  image    = "busybox"
  networks = []
}
"#;
    let options = PlanOptions {
        targets: vec!["container.web".into()],
        ..PlanOptions::default()
    };
    let plan = f.plan_with(text, &options).await;
    assert_eq!(
        actions(&plan),
        [
            ("network.backend".to_string(), PlanAction::Create),
            ("container.web".to_string(), PlanAction::Create),
        ]
    );
}

#[tokio::test]
async fn sensitive_values_never_show_and_still_change() {
    let f = Fixture::new();
    let text = |v: &str| {
        format!(
            r#"
stack "shop" {{}}
container "db" {{
  image = "postgres"
  secret {{
    target = "/run/secrets/pw"
    value  = "{v}"
  }}
}}
"#
        )
    };
    f.converge(&text("hunter2")).await;
    let web = f.provider.object("container.db").unwrap();
    assert!(
        !web.applied.unwrap().contains("hunter2"),
        "a secret in a record"
    );
    let plan = f.plan(&text("swordfish")).await;
    let db = action(&plan, "container.db");
    assert_eq!(db.action, PlanAction::Replace);
    let c = &db.changes[0];
    assert_eq!(c.path, "secret.0.value");
    assert_eq!(c.before, Some(Value::from(SENSITIVE)));
    assert_eq!(c.after, Some(Value::from(SENSITIVE)));
}

#[tokio::test]
async fn a_saved_plan_round_trips_and_its_fingerprint_follows_the_runtime() {
    let f = Fixture::new();
    let plan = f.plan(WEB).await;
    let json =
        crate::model::domain::with_secrets_revealed(|| serde_json::to_string(&plan)).unwrap();
    let back: Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plan);
    f.apply(&plan).await;
    let observed = f.provider.observe("shop").await.unwrap();
    assert_ne!(fingerprint(&observed), plan.fingerprint);
    let again = f.provider.observe("shop").await.unwrap();
    assert_eq!(fingerprint(&observed), fingerprint(&again));
}

#[test]
fn every_action_has_its_glyph() {
    assert_eq!(PlanAction::Create.glyph(), "+");
    assert_eq!(PlanAction::Update.glyph(), "~");
    assert_eq!(PlanAction::Replace.glyph(), "-/+");
    assert_eq!(PlanAction::Delete.glyph(), "-");
}

mod services;
