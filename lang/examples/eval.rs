use stackc_lang::eval::{load, LoadOptions, NoHooks};
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let opts = LoadOptions {
        dir: dir.into(),
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let (config, diags) = load(&opts, &NoHooks);
    let el = t.elapsed();
    let list = diags.into_sorted();
    print!(
        "{}",
        stackc_lang::diag::render::render_human(&config.sources, &list, false)
    );
    if std::env::args().nth(2).is_some() {
        for r in &config.resources {
            println!(
                "{} = {}",
                r.address,
                serde_json::to_string(&r.body.to_json(true)).unwrap()
            );
        }
        for (k, v) in &config.locals {
            println!(
                "local.{k} = {}",
                serde_json::to_string(&v.to_json(true)).unwrap()
            );
        }
        for (k, v) in &config.outputs {
            println!(
                "output.{k} = {}",
                serde_json::to_string(&v.value.to_json(true)).unwrap()
            );
        }
    }
    eprintln!(
        "resources={} diags={} time={:?}",
        config.resources.len(),
        list.len(),
        el
    );
}
