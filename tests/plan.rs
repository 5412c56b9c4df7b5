//! The plan corpus: `testdata/plan/<case>/`, rendered plans checked as insta snapshots.
//!
//! A case holds `desired.stack.hcl`, and optionally `applied.stack.hcl` (applied first, to
//! the in-memory provider) and `drift.json` (changes made "outside stackc" afterwards: a list
//! of `{"address", "state"?, "finished_at"?, "live"?, "remove"?}`). The snapshot holds the
//! human rendering and the `--json` document of the plan of `desired.stack.hcl`.
//!
//! Run with `INSTA_UPDATE=always` to rewrite snapshots, then review them by hand.

use stackc::render;
use stackc_engine::apply::{apply, ApplyOptions};
use stackc_engine::graph::ResourceGraph;
use stackc_engine::memory::MemoryProvider;
use stackc_engine::model::{decode, DesiredStack, Hooks};
use stackc_engine::plan::{self, Plan, PlanInput, PlanOptions};
use stackc_engine::provider::{ObjectState, Provider};
use stackc_lang::eval::{load, LoadOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const KEY: [u8; 32] = [3; 32];

fn stack(dir: &Path, file: &str) -> (DesiredStack, ResourceGraph) {
    let (config, diags) = load(
        &LoadOptions {
            dir: dir.to_path_buf(),
            file: Some(dir.join(file)),
            vars: Default::default(),
        },
        &Hooks,
    );
    assert!(!diags.has_errors(), "{}: {diags:#?}", dir.display());
    let (stack, diags) = decode(&config);
    assert!(!diags.has_errors(), "{}: {diags:#?}", dir.display());
    let graph = ResourceGraph::build(&stack).unwrap();
    (stack, graph)
}

async fn plan_of(provider: &MemoryProvider, dir: &Path, file: &str, options: &PlanOptions) -> Plan {
    let (stack, graph) = stack(dir, file);
    let observed = provider.observe(&stack.name).await.unwrap();
    plan::build(PlanInput {
        provider,
        stack: &stack,
        graph: &graph,
        observed,
        key: &KEY,
        stack_dir: dir,
        options,
    })
}

async fn check(dir: &Path) -> String {
    let provider = Arc::new(MemoryProvider::new());
    let mut options = PlanOptions::default();
    if dir.join("applied.stack.hcl").exists() {
        let first = plan_of(&provider, dir, "applied.stack.hcl", &options).await;
        let (tx, _rx) = tokio::sync::mpsc::channel(1024);
        let summary = apply(
            Arc::clone(&provider),
            &first.executor_graph().unwrap(),
            first.executor_actions(),
            &ApplyOptions::default(),
            &tx,
        )
        .await
        .unwrap();
        assert!(summary.is_success(), "{summary:#?}");
        options.previously_applied = first.actions.iter().map(|a| a.address.clone()).collect();
    }
    if let Ok(text) = std::fs::read_to_string(dir.join("drift.json")) {
        let changes: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        for c in changes {
            let address = c["address"].as_str().unwrap();
            let mut o = provider.object(address).unwrap();
            if c["remove"].as_bool() == Some(true) {
                provider.delete(&o).await.unwrap();
                continue;
            }
            if let Some(state) = c.get("state") {
                o.state = serde_json::from_value::<ObjectState>(state.clone()).unwrap();
            }
            if let Some(t) = c["finished_at"].as_str() {
                o.finished_at = Some(t.to_string());
            }
            if let Some(n) = c["restarts"].as_u64() {
                o.restarts = n as u32;
            }
            if let Some(live) = c["live"].as_object() {
                for (k, v) in live {
                    o.live.insert(k.clone(), v.clone());
                }
            }
            provider.insert(o);
        }
    }
    let options = match std::fs::read_to_string(dir.join("options.json")) {
        Ok(text) => {
            let o: serde_json::Value = serde_json::from_str(&text).unwrap();
            PlanOptions {
                destroy: o["destroy"].as_bool().unwrap_or(false),
                purge_volumes: o["purge_volumes"].as_bool().unwrap_or(false),
                refresh_only: o["refresh_only"].as_bool().unwrap_or(false),
                targets: o["targets"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                ..options
            }
        }
        Err(_) => options,
    };
    let plan = plan_of(&provider, dir, "desired.stack.hcl", &options).await;
    format!(
        "{}\n---- json ----\n{}\n",
        render::plan::human(&plan, false),
        render::plan::json(&plan)
    )
}

#[tokio::test]
async fn plans() {
    let root = PathBuf::from("testdata/plan");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases under {}", root.display());
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let rendered = check(&case).await;
        insta::assert_snapshot!(format!("plan__{name}"), rendered);
    }
}
