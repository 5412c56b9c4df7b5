//! `stackc exec`: a command in the running container, attached to the caller's input and
//! output; the result is the command's exit code.

use crate::{DockerError, DockerProvider};
use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use futures::StreamExt;
use stackc_engine::provider::{ExecIo, ExecRequest, ObservedObject};
use tokio::io::AsyncWriteExt;

pub(crate) async fn exec(
    p: &DockerProvider,
    object: &ObservedObject,
    request: &ExecRequest,
    io: ExecIo,
) -> Result<i32, DockerError> {
    let made = p
        .docker
        .create_exec(
            &object.id,
            CreateExecOptions {
                attach_stdin: Some(request.interactive),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                tty: Some(request.tty),
                cmd: Some(request.command.clone()),
                ..Default::default()
            },
        )
        .await?;
    let started = p
        .docker
        .start_exec(
            &made.id,
            Some(StartExecOptions {
                detach: false,
                tty: request.tty,
                output_capacity: None,
            }),
        )
        .await?;
    let ExecIo {
        stdin,
        mut stdout,
        mut stderr,
    } = io;
    if let StartExecResults::Attached {
        mut output,
        mut input,
    } = started
    {
        // Input goes only to a command that asked for it (`-i`); Docker did not attach it
        // otherwise.
        let pump = stdin.filter(|_| request.interactive).map(|mut stdin| {
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut stdin, &mut input).await;
                let _ = input.shutdown().await;
            })
        });
        while let Some(chunk) = output.next().await {
            let written = match chunk? {
                LogOutput::StdErr { message } => stderr.write_all(&message).await,
                LogOutput::StdOut { message } | LogOutput::Console { message } => {
                    stdout.write_all(&message).await
                }
                LogOutput::StdIn { .. } => Ok(()),
            };
            if written.is_err() {
                break;
            }
        }
        let _ = stdout.flush().await;
        let _ = stderr.flush().await;
        if let Some(pump) = pump {
            pump.abort();
        }
    }
    // The output ends when the process closes it, which can come a moment before the
    // daemon records the exit code.
    for _ in 0..50 {
        let inspected = p.docker.inspect_exec(&made.id).await?;
        if inspected.running != Some(true) {
            if let Some(code) = inspected.exit_code {
                return Ok(i32::try_from(code).unwrap_or(1));
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Err(DockerError::failed(
        format!("exec in {}", object.runtime_name),
        "the daemon did not report the command's exit code",
    ))
}
