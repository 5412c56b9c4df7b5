//! Container logs: JSON lines in `log.json` (Docker's json-file shape: `log`, `stream`,
//! `time`), written by the shim and rotated to `log.json.1` when they pass a size; read back
//! for `stackc logs` with tail, since and follow.

use crate::error::{NativeError, Result};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use stackc_engine::provider::{LogLine, LogLines, LogOptions, LogStream, ProviderError};
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A line longer than this is written in pieces, so a program that never prints a newline
/// cannot grow the shim's memory.
const MAX_LINE: usize = 16 * 1024;

#[derive(Serialize, Deserialize)]
struct Entry {
    log: String,
    stream: String,
    time: String,
}

pub fn path(dir: &Path) -> PathBuf {
    dir.join("log.json")
}

fn rotated(dir: &Path) -> PathBuf {
    dir.join("log.json.1")
}

/// The shim's writer.
pub struct LogWriter {
    dir: PathBuf,
    file: File,
    size: u64,
    max: u64,
    partial: [Vec<u8>; 2],
}

impl LogWriter {
    pub fn open(dir: &Path, max: u64) -> Result<LogWriter> {
        let p = path(dir);
        let file = File::options()
            .create(true)
            .append(true)
            .open(&p)
            .map_err(NativeError::io(&p))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(LogWriter {
            dir: dir.to_path_buf(),
            file,
            size,
            max: max.max(4096),
            partial: [Vec::new(), Vec::new()],
        })
    }

    /// Appends output of `stream`; complete lines are written at once, the rest kept.
    pub fn write(&mut self, stream: LogStream, bytes: &[u8]) {
        let i = stream as usize;
        let mut buf = std::mem::take(&mut self.partial[i]);
        buf.extend_from_slice(bytes);
        let mut start = 0;
        while let Some(nl) = buf[start..].iter().position(|b| *b == b'\n') {
            self.line(stream, &buf[start..start + nl]);
            start += nl + 1;
        }
        let mut rest = buf.split_off(start);
        while rest.len() >= MAX_LINE {
            let tail = rest.split_off(MAX_LINE);
            self.line(stream, &rest);
            rest = tail;
        }
        self.partial[i] = rest;
    }

    /// Writes what is left of unfinished lines (the process ended).
    pub fn flush(&mut self) {
        for stream in [LogStream::Stdout, LogStream::Stderr] {
            let rest = std::mem::take(&mut self.partial[stream as usize]);
            if !rest.is_empty() {
                self.line(stream, &rest);
            }
        }
    }

    /// A line of the runtime's own (a start failure), on stderr.
    pub fn note(&mut self, text: &str) {
        self.line(LogStream::Stderr, text.as_bytes());
    }

    fn line(&mut self, stream: LogStream, text: &[u8]) {
        let entry = Entry {
            log: String::from_utf8_lossy(text).into_owned(),
            stream: match stream {
                LogStream::Stdout => "stdout".into(),
                LogStream::Stderr => "stderr".into(),
            },
            time: crate::store::now(),
        };
        let Ok(mut json) = serde_json::to_vec(&entry) else {
            return;
        };
        json.push(b'\n');
        if self.size + json.len() as u64 > self.max {
            self.rotate();
        }
        // A full disk loses log lines, never the container.
        if self.file.write_all(&json).is_ok() {
            self.size += json.len() as u64;
        }
    }

    fn rotate(&mut self) {
        let current = path(&self.dir);
        if std::fs::rename(&current, rotated(&self.dir)).is_ok() {
            if let Ok(f) = File::options().create(true).append(true).open(&current) {
                self.file = f;
                self.size = 0;
            }
        }
    }
}

fn parse(line: &str) -> Option<LogLine> {
    let e: Entry = serde_json::from_str(line).ok()?;
    Some(LogLine {
        stream: if e.stream == "stderr" {
            LogStream::Stderr
        } else {
            LogStream::Stdout
        },
        timestamp: Some(e.time),
        text: e.log,
    })
}

fn read_lines(path: &Path) -> Vec<LogLine> {
    let Ok(f) = File::open(path) else {
        return Vec::new();
    };
    BufReader::new(f)
        .lines()
        .map_while(std::io::Result::ok)
        .filter_map(|l| parse(&l))
        .collect()
}

/// The container's logs, oldest first; with `follow`, new lines until `dir` is removed.
pub fn read(dir: &Path, options: &LogOptions) -> LogLines {
    let mut lines = read_lines(&rotated(dir));
    lines.extend(read_lines(&path(dir)));
    if let Some(since) = options.since {
        let cutoff = jiff::Timestamp::now()
            .checked_sub(jiff::SignedDuration::try_from(since).unwrap_or(jiff::SignedDuration::MAX))
            .unwrap_or(jiff::Timestamp::MIN);
        lines.retain(|l| {
            l.timestamp
                .as_deref()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .is_none_or(|t| t >= cutoff)
        });
    }
    if let Some(n) = options.tail {
        lines.drain(..lines.len().saturating_sub(n));
    }
    let past = futures::stream::iter(lines.into_iter().map(Ok::<_, ProviderError>));
    if !options.follow {
        return past.boxed();
    }
    let offset = std::fs::metadata(path(dir)).map(|m| m.len()).unwrap_or(0);
    let follow = futures::stream::unfold(
        (
            dir.to_path_buf(),
            offset,
            String::new(),
            Vec::<LogLine>::new(),
        ),
        |(dir, mut offset, mut partial, mut pending)| async move {
            loop {
                if let Some(line) = pending.pop() {
                    return Some((Ok(line), (dir, offset, partial, pending)));
                }
                if !dir.is_dir() {
                    return None;
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                let p = path(&dir);
                let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
                if len < offset {
                    // Rotated: the new file starts from the beginning.
                    offset = 0;
                    partial.clear();
                }
                if len == offset {
                    continue;
                }
                let Ok(mut f) = File::open(&p) else { continue };
                if f.seek(SeekFrom::Start(offset)).is_err() {
                    continue;
                }
                let mut text = String::new();
                let Ok(n) = std::io::Read::read_to_string(&mut f, &mut text) else {
                    continue;
                };
                offset += n as u64;
                partial.push_str(&text);
                let mut fresh: Vec<LogLine> = Vec::new();
                while let Some(nl) = partial.find('\n') {
                    let line: String = partial.drain(..=nl).collect();
                    fresh.extend(parse(line.trim_end()));
                }
                fresh.reverse();
                pending = fresh;
            }
        },
    );
    past.chain(follow).boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_rotate_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = LogWriter::open(dir.path(), 4096).unwrap();
        w.write(LogStream::Stdout, b"one\ntw");
        w.write(LogStream::Stderr, b"err\n");
        w.write(LogStream::Stdout, b"o\n");
        w.flush();
        let lines = read_lines(&path(dir.path()));
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["one", "err", "two"]);
        assert_eq!(lines[1].stream, LogStream::Stderr);
        for i in 0..200 {
            w.write(LogStream::Stdout, format!("line {i}\n").as_bytes());
        }
        assert!(rotated(dir.path()).exists());
        assert!(std::fs::metadata(path(dir.path())).unwrap().len() <= 4096);
    }
}
