//! `stackc logs`: the container's output from Docker's log driver, split into lines with
//! their timestamps.

use crate::{DockerError, DockerProvider};
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptions;
use futures::StreamExt;
use stackc_engine::provider::{
    LogLine, LogLines, LogOptions, LogStream, ObservedObject, ProviderError,
};

pub(crate) fn logs(p: &DockerProvider, object: &ObservedObject, options: &LogOptions) -> LogLines {
    let since = options
        .since
        .and_then(|d| {
            std::time::SystemTime::now()
                .checked_sub(d)?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
        })
        .map_or(0, |t| t.as_secs() as i32);
    let stream = p.docker.logs(
        &object.id,
        Some(LogsOptions {
            follow: options.follow,
            stdout: true,
            stderr: true,
            timestamps: true,
            since,
            tail: options
                .tail
                .map_or_else(|| "all".to_string(), |n| n.to_string()),
            ..Default::default()
        }),
    );
    let address = object.address.clone();
    stream
        .flat_map(move |chunk| {
            let lines: Vec<Result<LogLine, ProviderError>> = match chunk {
                Ok(output) => {
                    let (stream, bytes) = match output {
                        LogOutput::StdErr { message } => (LogStream::Stderr, message),
                        LogOutput::StdOut { message }
                        | LogOutput::Console { message }
                        | LogOutput::StdIn { message } => (LogStream::Stdout, message),
                    };
                    String::from_utf8_lossy(&bytes)
                        .lines()
                        .map(|line| Ok(split(stream, line)))
                        .collect()
                }
                // A container removed meanwhile is NotFound, like everywhere else.
                Err(e) => vec![Err(DockerError::from(e).into_provider(&address))],
            };
            futures::stream::iter(lines)
        })
        .boxed()
}

/// `2026-11-22T10:02:11.123456789Z hello` → the time and the text.
fn split(stream: LogStream, line: &str) -> LogLine {
    match line.split_once(' ') {
        Some((t, rest)) if t.len() > 20 && t.as_bytes()[4] == b'-' && t.ends_with('Z') => LogLine {
            stream,
            timestamp: Some(t.to_string()),
            text: rest.to_string(),
        },
        _ => LogLine {
            stream,
            timestamp: None,
            text: line.to_string(),
        },
    }
}
