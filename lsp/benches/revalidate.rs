//! Diagnostics after a change in a 10,000-resource stack (issue 8: under 300 ms): the stack is
//! ten files of 1,000 containers, one of them open in the editor and just edited; the server
//! re-loads and checks the whole stack, as it does after each debounced change.

use criterion::{criterion_group, criterion_main, Criterion};
use stackc_lsp::analysis::{self, Documents};
use std::time::Duration;

fn file(index: usize, resources: usize) -> String {
    let mut out = String::new();
    if index == 0 {
        out.push_str(
            "stack \"bench\" {}\n\nlocals {\n  env = { LOG_LEVEL = \"info\" }\n}\n\nnetwork \"backend\" {}\n",
        );
    }
    for i in 0..resources {
        let n = index * resources + i;
        out.push_str(&format!(
            "\ncontainer \"c{n}\" {{\n  image    = \"registry.local/app:v1\"\n  command  = [\"/bin/server\", \"--port\", \"{}\"]\n  env      = merge(local.env, {{ INDEX = \"{n}\" }})\n  networks = [network.backend]\n  restart  = \"on-failure\"\n  resources {{\n    cpus   = 0.25\n    memory = \"64MiB\"\n  }}\n}}\n",
            8000 + n % 1000
        ));
    }
    out
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for i in 0..10 {
        std::fs::write(dir.path().join(format!("f{i}.stack.hcl")), file(i, 1000))
            .expect("the stack is written");
    }
    let open = dir.path().join("f3.stack.hcl");
    let original = file(3, 1000);
    let mut docs = Documents::default();
    let mut flip = false;
    let mut g = c.benchmark_group("lsp");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function(
        "diagnostics after a change, 10k resources in 10 files",
        |b| {
            b.iter(|| {
                flip = !flip;
                let text = if flip {
                    original.replace("\"64MiB\"", "\"65MiB\"")
                } else {
                    original.clone()
                };
                docs.set(open.clone(), text);
                let stack = analysis::load(dir.path(), &docs);
                let diags = stack.diagnostics();
                assert!(diags.values().all(Vec::is_empty));
                diags
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
