//! `stackc watch`: the reconcile loop (engine::watch) wired to a provider, signals and the
//! command line.

use super::session;
use crate::cli::{Options, WatchArgs, WatchSource};
use crate::output::fail;
use crate::providers;
use stackc_engine::load;
use stackc_engine::watch::git::{GitRef, GitSource};
use stackc_engine::watch::{self, Source, TickOutcome, WatchOptions};
use stackc_lang::eval::{LoadOptions, VarInputs};
use std::sync::Arc;

pub fn run(options: &Options, args: &WatchArgs) -> u8 {
    let state_dir = session::state_dir(options);
    let source = match &args.source {
        WatchSource::Dir(dir) => Source::Local(dir.clone()),
        WatchSource::Git {
            url,
            branch,
            tag,
            rev,
            path,
            ssh_key,
        } => {
            use sha2::Digest;
            let id = hex::encode(&sha2::Sha256::digest(url.as_bytes())[..8]);
            Source::Git(GitSource {
                url: url.clone(),
                reference: match (branch, tag, rev) {
                    (_, Some(t), _) => GitRef::Tag(t.clone()),
                    (_, _, Some(r)) => GitRef::Rev(r.clone()),
                    (b, None, None) => GitRef::Branch(b.clone()),
                },
                path: path.clone(),
                checkout: state_dir.root().join("sources").join(id),
                ssh_key: ssh_key.clone(),
            })
        }
    };
    let g = &options.global;
    let vars = VarInputs {
        cli: g.vars.clone(),
        files: g.var_files.clone(),
        env: VarInputs::env_from_process(),
    };
    // The provider: --provider, else the stack's own choice at the current revision.
    let provider_name = match &g.provider {
        Some(p) => p.clone(),
        None => match source.read(&[]) {
            Ok((_, dir)) => {
                let loaded = load::load(
                    &LoadOptions {
                        dir,
                        file: None,
                        vars: vars.clone(),
                    },
                    None,
                );
                providers::provider_name(None, &loaded.stack)
            }
            Err(e) => return fail(&format!("cannot read the source: {e}"), None),
        },
    };
    let runtime = match session::runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let stack = stackc_engine::model::DesiredStack::default();
    let provider = match runtime.block_on(providers::connect(&provider_name, &stack)) {
        Ok(p) => Arc::new(p),
        Err(e) => return fail(&e.to_string(), None),
    };
    let watch_options = WatchOptions {
        interval: args.interval,
        self_heal: args.self_heal,
        prune: args.prune,
        once: args.once,
        vars,
        cli_provider: g.provider.clone(),
        parallelism: args.parallelism,
        state_dir,
        status_addr: args.status_addr,
        notify: args.notify.clone(),
    };
    if !g.quiet {
        eprintln!(
            "stackc watch: reconciling {} with the {provider_name} provider{}",
            source.describe(),
            if args.once {
                String::from(" once")
            } else {
                format!(" every {:?}", args.interval)
            }
        );
    }
    let outcome = runtime.block_on(async move {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            wait_for_stop_signal().await;
            eprintln!("stackc watch: stopping after the current step");
            let _ = stop.send(true);
        });
        watch::run(provider, source, watch_options, stopped).await
    });
    match outcome {
        Ok(TickOutcome::Failed) if args.once => 1,
        Ok(_) => 0,
        Err(e) => fail(&e, None),
    }
}

/// SIGTERM or SIGINT.
async fn wait_for_stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
