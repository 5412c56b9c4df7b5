//! `stackc logs ADDR`: a container's output (a service's from all replicas, each line
//! prefixed with its replica).

use super::session::{self, Files};
use crate::cli::{LogsArgs, Options};
use crate::output::fail;
use futures::StreamExt;
use stackc_engine::provider::{LogOptions, LogStream, Provider};
use std::io::Write;

pub fn run(options: &Options, args: &LogsArgs) -> u8 {
    let session = match session::open(options, Files::Disk, None, "stackc logs") {
        Ok(s) => s,
        Err(code) => return code,
    };
    let runtime = &session.runtime;
    let observed = match runtime.block_on(session.provider.observe(&session.stack.name)) {
        Ok(o) => o,
        Err(e) => return fail(&format!("cannot observe the runtime: {e}"), None),
    };
    let targets: Vec<_> = observed
        .into_iter()
        .filter(|o| super::names(&args.address, &o.address))
        .collect();
    if targets.is_empty() {
        return fail(
            &format!("`{}` was not found in the runtime", args.address),
            Some("`stackc status` lists the stack's resources and their addresses"),
        );
    }
    let prefix = targets.len() > 1;
    let log_options = LogOptions {
        follow: args.follow,
        tail: args.tail,
        since: args.since,
    };
    let provider = &session.provider;
    let result: Result<(), String> = runtime.block_on(async {
        let mut streams = Vec::new();
        for o in &targets {
            let lines = provider
                .logs(o, &log_options)
                .await
                .map_err(|e| format!("cannot read the logs of `{}`: {e}", o.address))?;
            let address = o.address.clone();
            streams.push(lines.map(move |l| (address.clone(), l)).boxed());
        }
        let mut all = futures::stream::select_all(streams);
        let stdout = std::io::stdout();
        while let Some((address, line)) = all.next().await {
            let line = line.map_err(|e| format!("reading the logs of `{address}`: {e}"))?;
            let mut text = String::new();
            if prefix {
                text.push_str(&format!("{address} | "));
            }
            if args.timestamps {
                if let Some(t) = &line.timestamp {
                    text.push_str(t);
                    text.push(' ');
                }
            }
            text.push_str(&line.text);
            text.push('\n');
            let written = match line.stream {
                LogStream::Stdout => stdout.lock().write_all(text.as_bytes()),
                LogStream::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
            };
            if written.is_err() {
                // The reader went away (`| head`): stop quietly.
                return Ok(());
            }
        }
        Ok(())
    });
    match result {
        Ok(()) => 0,
        Err(e) => fail(&e, None),
    }
}
