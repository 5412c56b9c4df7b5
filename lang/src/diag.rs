//! Diagnostics: stable codes, spans, labels and help, rendered by miette or as JSON.
//!
//! Every problem found in the user's files is a [`Diagnostic`]. Many are collected at once in a
//! [`Diagnostics`] list, which sorts them by file and position and keeps at most
//! [`MAX_DIAGNOSTICS`] of them.

use crate::source::Span;

/// How many problems are reported together at most (LANGUAGE.md §7).
pub const MAX_DIAGNOSTICS: usize = 50;

/// The stable diagnostic codes of LANGUAGE.md §7. Tests and editors rely on these strings.
pub mod code {
    pub const SYNTAX: &str = "stackc::syntax";
    pub const UNKNOWN_BLOCK: &str = "stackc::unknown-block";
    pub const UNKNOWN_ATTRIBUTE: &str = "stackc::unknown-attribute";
    pub const MISSING_ATTRIBUTE: &str = "stackc::missing-attribute";
    pub const DUPLICATE: &str = "stackc::duplicate";
    pub const TYPE: &str = "stackc::type";
    pub const UNDEFINED: &str = "stackc::undefined";
    pub const CYCLE: &str = "stackc::cycle";
    pub const FUNCTION: &str = "stackc::function";
    pub const EVAL: &str = "stackc::eval";
    pub const VARIABLE: &str = "stackc::variable";
    pub const QUOTA_UNBOUNDED: &str = "stackc::quota::unbounded";
    pub const QUOTA_EXCEEDED: &str = "stackc::quota::exceeded";
    pub const CONFLICT: &str = "stackc::conflict";
    pub const UNSUPPORTED: &str = "stackc::unsupported";
    /// Files that cannot be read; not a language error but reported the same way.
    pub const IO: &str = "stackc::io";

    /// Every code, for documentation and tests.
    pub const ALL: &[&str] = &[
        SYNTAX,
        UNKNOWN_BLOCK,
        UNKNOWN_ATTRIBUTE,
        MISSING_ATTRIBUTE,
        DUPLICATE,
        TYPE,
        UNDEFINED,
        CYCLE,
        FUNCTION,
        EVAL,
        VARIABLE,
        QUOTA_UNBOUNDED,
        QUOTA_EXCEEDED,
        CONFLICT,
        UNSUPPORTED,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary span with its message.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem in the user's input.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    /// One line: what is wrong.
    pub message: String,
    /// Where. `None` for problems with no place in a file (a missing `--var` file, say).
    pub span: Option<Span>,
    /// The text shown under the primary span.
    pub label: Option<String>,
    /// Further spans, each with a message (the steps of a cycle, the members of a quota…).
    pub labels: Vec<Label>,
    /// Longer explanation (a table of quota members, say).
    pub detail: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            label: None,
            labels: Vec::new(),
            detail: None,
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn and_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Adds "did you mean `x`?" to the help when one of `candidates` is close to `word`.
    pub fn did_you_mean<'a>(
        mut self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        if let Some(best) = suggest(word, candidates) {
            let hint = format!("did you mean `{best}`?");
            self.help = Some(match self.help.take() {
                Some(h) => format!("{hint} {h}"),
                None => hint,
            });
        }
        self
    }

    fn sort_key(&self) -> (u32, u32, u32) {
        match self.span {
            Some(s) => (s.file.0, s.start, s.end),
            None => (u32::MAX, 0, 0),
        }
    }
}

/// The closest candidate to `word`, if any is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let score = strsim::jaro_winkler(&word.to_ascii_lowercase(), &c.to_ascii_lowercase());
        let distance = strsim::damerau_levenshtein(word, c);
        let close = score >= 0.8 || (distance <= 2 && word.len() > 2);
        if close && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// A list of diagnostics, kept sorted by position and capped at [`MAX_DIAGNOSTICS`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        // One report per distinct place and message: the same mistake reached twice (through two
        // instances of a `count`ed resource, say) is reported once.
        if self
            .items
            .iter()
            .any(|o| o.code == d.code && o.span == d.span && o.message == d.message)
        {
            return;
        }
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        for d in other {
            self.push(d);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The diagnostics sorted by file and position, at most [`MAX_DIAGNOSTICS`].
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut v = self.items.clone();
        v.sort_by_key(|d| d.sort_key());
        v.truncate(MAX_DIAGNOSTICS);
        v
    }

    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by_key(|d| d.sort_key());
        self.items.truncate(MAX_DIAGNOSTICS);
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_sorted().into_iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics { items: vec![d] }
    }
}

pub mod render;
