//! 100 containers created and started from scratch, 16 at a time (as `apply` would with
//! `--parallelism 16`), then observed and removed: a figure for docs/performance.md. Run as
//! root with `cargo bench -p stackc-provider-native --bench hundred`.

#[path = "../tests/common/mod.rs"]
mod common;
use common::*;
use serde_json::json;
use stackc_engine::provider::Provider;
use std::time::Instant;

fn main() {
    // `cargo bench` passes `--bench`; this is one measurement, not a criterion suite.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(a_hundred_containers());
}

async fn a_hundred_containers() {
    let env = env("hundred");
    let img = env.busybox_image().await;
    let specs: Vec<_> = (0..100)
        .map(|i| {
            env.container(
                &format!("c{i}"),
                &img,
                json!({ "command": ["sleep", "1000"], "init": true, "stop_timeout": "1s" }),
                &[],
            )
        })
        .collect();
    let t = Instant::now();
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
    let runs = specs.iter().map(|d| {
        let sem = sem.clone();
        let provider = &env.provider;
        async move {
            let _permit = sem.acquire().await.unwrap();
            let o = provider.create(d, &Default::default()).await.unwrap();
            provider.start(&o).await.unwrap();
        }
    });
    futures::future::join_all(runs).await;
    let up = t.elapsed();
    let t = Instant::now();
    let objects = env.provider.observe(&env.stack).await.unwrap();
    let observed = t.elapsed();
    assert_eq!(objects.len(), 101);
    println!(
        "100 containers created and started in {up:?}; observe of 101 objects in {observed:?}"
    );
    env.clean().await;
}
