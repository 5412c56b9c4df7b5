//! The applied-revision history: after each apply, the stack's files as they were applied,
//! with the outcome and the outputs, so that `stackc history` lists them, `stackc output`
//! shows the last outputs and `stackc rollback N` re-applies revision N.
//!
//! A revision is written into a temporary directory and renamed into place, so a crash
//! never leaves half a revision.

use super::{write_atomic, StackState, StateError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path};

/// One applied revision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub number: u64,
    /// RFC 3339.
    pub applied_at: String,
    /// What applied it: `apply`, `rollback 3`, `watch`.
    pub command: String,
    /// Where the files came from: a directory, or a git commit in watch mode.
    pub source: String,
    pub summary: RevisionSummary,
    /// Outputs after the apply; sensitive ones are stored as `"(sensitive)"`.
    pub outputs: BTreeMap<String, serde_json::Value>,
    /// The stack's files, relative to the stack directory.
    pub files: Vec<String>,
    /// The instance addresses in the runtime after the apply, so that one missing later is
    /// reported as removed outside stackc.
    #[serde(default)]
    pub resources: Vec<String>,
}

/// What an apply did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionSummary {
    pub added: usize,
    pub changed: usize,
    pub replaced: usize,
    pub destroyed: usize,
    pub failed: usize,
}

impl RevisionSummary {
    pub fn is_success(&self) -> bool {
        self.failed == 0
    }

    /// What an apply of `plan` did, from its summary.
    pub fn of(plan: &crate::plan::Plan, summary: &crate::apply::Summary) -> RevisionSummary {
        use crate::apply::Outcome;
        use crate::plan::PlanAction;
        let mut counts = RevisionSummary::default();
        for (address, r) in &summary.results {
            match &r.outcome {
                Outcome::Failed(_) => counts.failed += 1,
                Outcome::Skipped { .. } => {}
                Outcome::Succeeded => {
                    let planned = plan.actions.iter().find(|a| &a.address == address);
                    match planned.map(|a| a.action) {
                        Some(PlanAction::Create) => counts.added += 1,
                        Some(PlanAction::Update | PlanAction::Start) => counts.changed += 1,
                        Some(PlanAction::Replace) => counts.replaced += 1,
                        Some(PlanAction::Delete) => counts.destroyed += 1,
                        _ => {}
                    }
                }
            }
        }
        counts
    }
}

/// A file of a revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevisionFile {
    /// Relative to the stack directory.
    pub name: String,
    pub text: String,
}

impl StackState {
    fn history_dir(&self) -> std::path::PathBuf {
        self.dir.join("history")
    }

    /// Every revision, oldest first. Damaged entries are skipped: the history is a record
    /// for the user, never a reason to refuse an apply.
    pub fn history(&self) -> Result<Vec<Revision>, StateError> {
        let dir = self.history_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StateError::io("read", &dir)(e)),
        };
        let mut out: Vec<Revision> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().parse::<u64>().is_ok())
            .filter_map(|e| read_revision(&e.path()).ok())
            .collect();
        out.sort_by_key(|r| r.number);
        Ok(out)
    }

    /// The newest revision, if any.
    pub fn last_revision(&self) -> Result<Option<Revision>, StateError> {
        Ok(self.history()?.pop())
    }

    /// Revision `number` with its files.
    pub fn revision(&self, number: u64) -> Result<(Revision, Vec<RevisionFile>), StateError> {
        let dir = self.history_dir().join(number.to_string());
        if !dir.is_dir() {
            return Err(StateError::NoRevision(number));
        }
        let revision = read_revision(&dir)?;
        let mut files = Vec::with_capacity(revision.files.len());
        for name in &revision.files {
            let path = dir.join("files").join(name);
            let text = fs::read_to_string(&path).map_err(StateError::io("read", &path))?;
            files.push(RevisionFile {
                name: name.clone(),
                text,
            });
        }
        Ok((revision, files))
    }

    /// Records a revision; its number is one more than the newest one's. Returns the number.
    pub fn record(
        &self,
        mut revision: Revision,
        files: &[RevisionFile],
    ) -> Result<u64, StateError> {
        let history = self.history_dir();
        fs::create_dir_all(&history).map_err(StateError::io("create", &history))?;
        revision.number = self.history()?.last().map_or(1, |r| r.number + 1);
        revision.files = files.iter().map(|f| f.name.clone()).collect();
        let tmp = history.join(format!(".tmp-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        for f in files {
            if !is_plain_relative(&f.name) {
                return Err(StateError::Damaged {
                    path: tmp.join(&f.name),
                    reason: "a stack file name must be relative and stay inside the stack".into(),
                });
            }
            let path = tmp.join("files").join(&f.name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(StateError::io("create", parent))?;
            }
            write_atomic(&path, f.text.as_bytes(), 0o600)?;
        }
        fs::create_dir_all(&tmp).map_err(StateError::io("create", &tmp))?;
        let json = serde_json::to_vec_pretty(&revision).map_err(|e| StateError::Damaged {
            path: tmp.join("revision.json"),
            reason: e.to_string(),
        })?;
        write_atomic(&tmp.join("revision.json"), &json, 0o600)?;
        let dest = history.join(revision.number.to_string());
        fs::rename(&tmp, &dest).map_err(StateError::io("rename into place", &dest))?;
        Ok(revision.number)
    }
}

fn read_revision(dir: &Path) -> Result<Revision, StateError> {
    let path = dir.join("revision.json");
    let bytes = fs::read(&path).map_err(StateError::io("read", &path))?;
    serde_json::from_slice(&bytes).map_err(|e| StateError::Damaged {
        path,
        reason: e.to_string(),
    })
}

fn is_plain_relative(name: &str) -> bool {
    let p = Path::new(name);
    !name.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}
