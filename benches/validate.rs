//! `validate` of a generated 10,000-resource stack, beside hcl-rs merely parsing the same text.
//!
//! Run: `cargo bench --bench validate`. With `STACKC_BENCH_WRITE=DIR` the stack is written to
//! DIR and the bench exits, so `scripts/bench-memory` can measure the binary on the same input.

use criterion::{criterion_group, Criterion, Throughput};

/// The same allocator as the `stackc` binary, so the figures are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::hint::black_box;
use std::path::Path;

/// About 300 bytes per resource: a realistic mix of references, function calls, nested blocks
/// and literals.
pub fn generate(resources: usize) -> String {
    let mut out = String::with_capacity(resources * 320);
    out.push_str(
        r#"stack "bench" {}

variable "tag" {
  type    = string
  default = "v1"
}

locals {
  env = { LOG_LEVEL = "info", REGION = "eu" }
}

network "backend" {}

image "app" {
  ref = "registry.local/app:${var.tag}"
}
"#,
    );
    for i in 0..resources.saturating_sub(3) {
        let port = 8000 + i % 1000;
        out.push_str(&format!(
            r#"
container "c{i}" {{
  image    = image.app
  command  = ["/bin/server", "--port", "{port}"]
  env      = merge(local.env, {{ INDEX = "{i}" }})
  networks = [network.backend]
  restart  = "on-failure"
  resources {{
    cpus   = 0.25
    memory = "64MiB"
  }}
  labels = {{ team = "t{t}" }}
}}
"#,
            t = i % 7
        ));
    }
    out
}

fn bench(c: &mut Criterion) {
    let text = generate(10_000);
    let dir = tempdir();
    let file = dir.join("main.stack.hcl");
    if let Err(e) = std::fs::write(&file, &text) {
        eprintln!("cannot write {}: {e}", file.display());
        return;
    }
    let mut group = c.benchmark_group("10k-resources");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.bench_function(
        "stackc validate (read, parse, evaluate, decode, admission)",
        |b| {
            b.iter(|| {
                let options = stackc::cli::parse_from([
                    "stackc",
                    "-C",
                    &dir.display().to_string(),
                    "validate",
                ])
                .expect("arguments parse");
                let (_, _, diags) = stackc::commands::load_stack_with_env(&options, &[]);
                assert!(!diags.has_errors());
                black_box(diags);
            })
        },
    );
    let mut sources = stackc_lang::Sources::new();
    let id = sources.add("main.stack.hcl", &file, &text);
    group.bench_function("stackc parse + evaluate", |b| {
        b.iter(|| {
            let (config, diags) = stackc_lang::eval::evaluate_sources(
                sources.clone(),
                &[id],
                &dir,
                &stackc_lang::eval::VarInputs::default(),
                &stackc_engine::model::Hooks,
            );
            assert!(!diags.has_errors());
            black_box(config)
        })
    });
    group.bench_function("stackc parse only (pest, all cores)", |b| {
        b.iter(|| {
            black_box(stackc_lang::parser::parse_file_parallel(
                stackc_lang::FileId(0),
                &text,
                8,
            ))
        })
    });
    group.bench_function("stackc parse only (pest, one core)", |b| {
        b.iter(|| {
            black_box(stackc_lang::parser::parse_file(
                stackc_lang::FileId(0),
                &text,
            ))
        })
    });
    group.bench_function("hcl-rs parse only", |b| {
        b.iter(|| black_box(hcl::parse(&text).expect("hcl-rs parses the stack")))
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("stackc-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

criterion_group!(benches, bench);

fn main() {
    if let Some(dir) = std::env::var_os("STACKC_BENCH_WRITE") {
        let dir = Path::new(&dir);
        let _ = std::fs::create_dir_all(dir);
        let path = dir.join("main.stack.hcl");
        match std::fs::write(&path, generate(10_000)) {
            Ok(()) => println!("{}", path.display()),
            Err(e) => {
                eprintln!("cannot write {}: {e}", path.display());
                std::process::exit(1);
            }
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
