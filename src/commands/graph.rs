//! `stackc graph`: the dependency graph of resource instances, as text or Graphviz, without
//! contacting a provider. It is the order `apply` will follow, so it explains why an action
//! waited or was skipped.

use crate::cli::{GraphFormat, Options};
use crate::output::print_diagnostics;
use stackc_engine::graph::ResourceGraph;

pub fn run(options: &Options, format: GraphFormat) -> u8 {
    match render(options, format) {
        Some(text) => {
            print!("{text}");
            0
        }
        None => 1,
    }
}

/// The graph as text, or `None` after reporting on stderr why there is none.
fn render(options: &Options, format: GraphFormat) -> Option<String> {
    let (config, desired, diags) = super::load_stack(options);
    let has_errors = diags.has_errors();
    print_diagnostics(&config.sources, &diags.into_sorted(), options.color);
    if has_errors {
        return None;
    }
    let graph = match ResourceGraph::build(&desired?) {
        Ok(g) => g,
        Err(e) => {
            // The language reports cycles first; this is the engine's own guard.
            eprintln!("error: {e}");
            return None;
        }
    };
    Some(match format {
        GraphFormat::Text => graph.render_text(),
        GraphFormat::Dot => graph.render_dot(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_from, Cmd};

    fn options(args: &[&str]) -> Options {
        let mut all = vec![
            "stackc",
            "--color",
            "never",
            "-C",
            "examples/quickstart",
            "graph",
        ];
        all.extend_from_slice(args);
        parse_from(all).unwrap()
    }

    #[test]
    fn defaults_to_text() {
        let o = options(&[]);
        assert!(matches!(
            o.command,
            Cmd::Graph {
                format: GraphFormat::Text
            }
        ));
        assert_eq!(
            render(&o, GraphFormat::Text).unwrap(),
            "\
image.busybox
network.web
volume.content
container.web <- image.busybox, network.web, volume.content
"
        );
    }

    #[test]
    fn renders_dot() {
        let o = options(&["--format", "dot"]);
        let Cmd::Graph { format } = o.command else {
            panic!("{:?}", o.command)
        };
        assert_eq!(format, GraphFormat::Dot);
        let dot = render(&o, format).unwrap();
        assert!(dot.starts_with("digraph \"quickstart\" {\n"), "{dot}");
        assert!(
            dot.contains("  \"container.web\" -> \"image.busybox\";\n"),
            "{dot}"
        );
        assert!(dot.ends_with("}\n"));
    }

    #[test]
    fn an_invalid_stack_has_no_graph() {
        let o = parse_from(["stackc", "-C", "does/not/exist", "graph"]).unwrap();
        assert_eq!(render(&o, GraphFormat::Text), None);
    }
}
