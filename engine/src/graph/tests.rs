use super::*;
use crate::model::{decode, DesiredStack, Hooks};
use stackc_lang::eval::{evaluate_sources, VarInputs};

/// Evaluates and decodes `text` as the stack `shop`, which must be valid.
fn stack(text: &str) -> DesiredStack {
    let mut sources = stackc_lang::Sources::new();
    let id = sources.add("main.stack.hcl", "main.stack.hcl", text);
    let (config, diags) = evaluate_sources(
        sources,
        &[id],
        std::path::Path::new("/tmp/shop"),
        &VarInputs::default(),
        &Hooks,
    );
    assert!(diags.is_empty(), "{diags:#?}");
    let (stack, diags) = decode(&config);
    assert!(diags.is_empty(), "{diags:#?}");
    stack
}

const SHOP: &str = r#"
image "app" {
  ref = "app:1"
}
network "backend" {}
container "db" {
  image    = "postgres:16"
  networks = [network.backend]
}
container "web" {
  count      = 2
  image      = image.app
  networks   = [network.backend]
  depends_on = [container.db]
}
container "proxy" {
  image = "nginx"
  env   = { UPSTREAM = container.web[0].name }
  lifecycle {
    replace_triggered_by = [image.app]
  }
}
"#;

fn node(address: &str, deps: &[&str]) -> Node {
    Node {
        address: address.to_string(),
        depends_on: deps
            .iter()
            .map(|d| (d.to_string(), EdgeKind::Reference))
            .collect(),
    }
}

#[test]
fn expands_block_addresses_to_every_instance() {
    let g = ResourceGraph::build(&stack(SHOP)).unwrap();
    assert_eq!(
        g.dependencies("container.proxy"),
        vec![
            "container.web[0]",
            "container.web[1]",
            "image.app",
            "network.default"
        ]
    );
    assert_eq!(
        g.dependants("container.web[1]"),
        vec!["container.proxy"],
        "a reference to one instance still orders after the whole block"
    );
    assert_eq!(
        g.dependencies("container.web[0]"),
        vec!["container.db", "image.app", "network.backend"]
    );
    assert_eq!(
        g.dependants("image.app"),
        vec!["container.proxy", "container.web[0]", "container.web[1]"]
    );
    assert!(g.dependencies("container.nope").is_empty());
}

#[test]
fn keeps_every_reason_for_an_edge() {
    let g = ResourceGraph::build(&stack(SHOP)).unwrap();
    assert_eq!(
        g.edge_kinds("container.web[0]", "container.db"),
        Some(&[EdgeKind::DependsOn][..])
    );
    assert_eq!(
        g.edge_kinds("container.proxy", "image.app"),
        Some(&[EdgeKind::ReplaceTriggeredBy][..])
    );
    assert_eq!(
        g.edge_kinds("container.web[0]", "image.app"),
        Some(&[EdgeKind::Reference][..])
    );
    assert_eq!(g.edge_kinds("image.app", "container.web[0]"), None);
    let both = ResourceGraph::from_nodes(
        "t",
        [
            node("image.a", &[]),
            Node {
                address: "container.b".into(),
                depends_on: vec![
                    ("image.a".into(), EdgeKind::DependsOn),
                    ("image.a".into(), EdgeKind::Reference),
                    ("image.a".into(), EdgeKind::DependsOn),
                ],
            },
        ],
    )
    .unwrap();
    assert_eq!(both.graph().edge_count(), 1);
    assert_eq!(
        both.edge_kinds("container.b", "image.a"),
        Some(&[EdgeKind::Reference, EdgeKind::DependsOn][..])
    );
}

#[test]
fn orders_dependencies_first_and_files_otherwise() {
    let g = ResourceGraph::build(&stack(SHOP)).unwrap();
    assert_eq!(
        g.topological_order(),
        vec![
            "network.default",
            "image.app",
            "network.backend",
            "container.db",
            "container.web[0]",
            "container.web[1]",
            "container.proxy",
        ]
    );
    assert_eq!(g.len(), 7);
    assert_eq!(g.name(), "shop");
}

#[test]
fn renders_text() {
    let g = ResourceGraph::build(&stack(SHOP)).unwrap();
    assert_eq!(
        g.render_text(),
        "\
network.default
image.app
network.backend
container.db <- network.backend
container.web[0] <- container.db (depends_on), image.app, network.backend
container.web[1] <- container.db (depends_on), image.app, network.backend
container.proxy <- container.web[0], container.web[1], image.app (replace_triggered_by), network.default
"
    );
}

#[test]
fn renders_dot() {
    let g = ResourceGraph::build(&stack(SHOP)).unwrap();
    assert_eq!(
        g.render_dot(),
        r#"digraph "shop" {
  node [shape = box];
  "network.default";
  "image.app";
  "network.backend";
  "container.db";
  "container.web[0]";
  "container.web[1]";
  "container.proxy";
  "container.db" -> "network.backend";
  "container.web[0]" -> "container.db" [label = "depends_on"];
  "container.web[0]" -> "image.app";
  "container.web[0]" -> "network.backend";
  "container.web[1]" -> "container.db" [label = "depends_on"];
  "container.web[1]" -> "image.app";
  "container.web[1]" -> "network.backend";
  "container.proxy" -> "container.web[0]";
  "container.proxy" -> "container.web[1]";
  "container.proxy" -> "image.app" [label = "replace_triggered_by"];
  "container.proxy" -> "network.default";
}
"#
    );
}

#[test]
fn quotes_for_each_keys_in_dot() {
    let g = stack(
        r#"
network "n" {
  for_each = toset(["a", "b.c"])
}
"#,
    );
    let dot = ResourceGraph::build(&g).unwrap().render_dot();
    assert!(dot.contains(r#"  "network.n[\"a\"]";"#), "{dot}");
    assert!(dot.contains(r#"  "network.n[\"b.c\"]";"#), "{dot}");
}

#[test]
fn count_zero_leaves_no_edge() {
    let g = ResourceGraph::from_nodes(
        "t",
        [node("container.a", &["image.gone"]), node("image.b", &[])],
    )
    .unwrap();
    assert!(g.dependencies("container.a").is_empty());
}

#[test]
fn instance_addresses_are_accepted_as_targets() {
    let g = ResourceGraph::from_nodes(
        "t",
        [
            node("image.a[0]", &[]),
            node("image.a[1]", &[]),
            node("container.b", &["image.a[1]"]),
        ],
    )
    .unwrap();
    assert_eq!(g.dependencies("container.b"), vec!["image.a[1]"]);
}

#[test]
fn reports_a_cycle() {
    let err = ResourceGraph::from_nodes(
        "t",
        [
            node("image.z", &[]),
            node("container.a", &["container.c", "image.z"]),
            node("container.b", &["container.a"]),
            node("container.c", &["container.b"]),
            node("container.d", &["container.a"]),
        ],
    )
    .unwrap_err();
    assert_eq!(
        err,
        GraphError::Cycle(vec![
            "container.a".into(),
            "container.c".into(),
            "container.b".into(),
            "container.a".into(),
        ])
    );
    assert_eq!(
        err.to_string(),
        "dependency cycle: container.a -> container.c -> container.b -> container.a"
    );
}

#[test]
fn reports_a_cycle_reached_from_outside_it() {
    // `container.d` is unordered only because it depends on the cycle.
    let err = ResourceGraph::from_nodes(
        "t",
        [
            node("container.d", &["container.a"]),
            node("container.a", &["container.b"]),
            node("container.b", &["container.a"]),
        ],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "dependency cycle: container.a -> container.b -> container.a"
    );
}

#[test]
fn reports_siblings_depending_on_their_own_block() {
    let err =
        ResourceGraph::from_nodes("t", [node("container.a[0]", &["container.a"])]).unwrap_err();
    assert_eq!(
        err,
        GraphError::Cycle(vec!["container.a[0]".into(), "container.a[0]".into()])
    );
}

#[test]
fn refuses_duplicate_instances() {
    let err =
        ResourceGraph::from_nodes("t", [node("image.a", &[]), node("image.a", &[])]).unwrap_err();
    assert_eq!(err, GraphError::DuplicateInstance("image.a".into()));
}
