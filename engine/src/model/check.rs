//! Checks made after decoding, which need more than one attribute or the decoded values (an
//! image's single source, a health check's single probe, conflicting network settings…). They
//! report at the attributes' spans, found in the block's evaluated body.

use super::find;
use stackc_lang::diag::Diagnostic;
use stackc_lang::source::Span;
use stackc_lang::value::Value;

/// The checks of one resource block.
pub(crate) struct Check<'a> {
    body: &'a Value,
    /// How the block is named in messages: `container "web"`.
    pub what: String,
    diags: Vec<Diagnostic>,
}

impl<'a> Check<'a> {
    pub fn new(body: &'a Value, what: String) -> Check<'a> {
        Check {
            body,
            what,
            diags: Vec::new(),
        }
    }

    /// The span of the value at `path` (see [`find`]); the block's when there is none.
    pub fn span(&self, path: &str) -> Span {
        find(self.body, path).map_or(self.body.span, |v| v.span)
    }

    /// The span of the name of the attribute or block at `path`.
    pub fn key_span(&self, path: &str) -> Span {
        find(self.body, path).map_or(self.body.span, key_span)
    }

    pub fn diagnostic(
        &self,
        code: &'static str,
        path: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(code, message)
            .at(self.span(path))
            .with_help(help)
    }

    pub fn error(
        &mut self,
        code: &'static str,
        path: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = self.diagnostic(code, path, message, help);
        self.push(d);
    }

    /// An error at the name of the attribute or block at `path`.
    pub fn error_at_key(
        &mut self,
        code: &'static str,
        path: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::error(code, message)
            .at(self.key_span(path))
            .with_help(help);
        self.push(d);
    }

    /// An error at the key `key` of the map at `map_path` (keys may contain dots).
    pub fn error_at_entry_key(
        &mut self,
        code: &'static str,
        map_path: &str,
        key: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let span = find(self.body, map_path)
            .and_then(Value::as_map)
            .and_then(|m| m.get(key))
            .map_or_else(|| self.span(map_path), key_span);
        let d = Diagnostic::error(code, message).at(span).with_help(help);
        self.push(d);
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diags
    }
}

fn key_span(v: &Value) -> Span {
    if v.key_span == Span::default() {
        v.span
    } else {
        v.key_span
    }
}
