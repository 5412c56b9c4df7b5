//! Rendering of diagnostics: miette's graphical report for people, Terraform's
//! `validate -json` shape for tools.

use super::{Diagnostic, Severity};
use crate::source::{Sources, Span};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde_json::{json, Value as Json};
use std::fmt;

/// A diagnostic bound to its source text, so that miette can draw it.
struct Report {
    diag: Diagnostic,
    source: Option<NamedSource<String>>,
    /// Labels in other files than the primary one, rendered as related reports.
    related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report {}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.related.is_empty() && self.source.is_some() && self.diag.code.is_empty() {
            return None;
        }
        Some(Box::new(self.diag.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = self.diag.help.as_deref();
        let detail = self.diag.detail.as_deref();
        match (detail, help) {
            (None, None) => None,
            (Some(d), None) => Some(Box::new(d)),
            (None, Some(h)) => Some(Box::new(h)),
            (Some(d), Some(h)) => Some(Box::new(format!("{h}\n{d}"))),
        }
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.diag.span?;
        self.source.as_ref()?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            self.diag.label.clone(),
            source_span(span),
        )];
        for l in &self.diag.labels {
            if l.span.file == span.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(l.message.clone()),
                    source_span(l.span),
                ));
            }
        }
        Some(Box::new(labels.into_iter()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

fn report(sources: &Sources, d: &Diagnostic) -> Report {
    let source = d.span.and_then(|s| {
        let f = sources.get(s.file)?;
        Some(NamedSource::new(f.name.clone(), f.text.to_string()).with_language("hcl"))
    });
    let mut related = Vec::new();
    if let Some(primary) = d.span {
        for l in &d.labels {
            if l.span.file != primary.file {
                let sub = Diagnostic {
                    severity: d.severity,
                    code: "",
                    message: l.message.clone(),
                    span: Some(l.span),
                    label: Some(l.message.clone()),
                    labels: Vec::new(),
                    detail: None,
                    help: None,
                };
                related.push(report(sources, &sub));
            }
        }
    }
    Report {
        diag: d.clone(),
        source,
        related,
    }
}

/// Renders diagnostics for a terminal (with colours when `color` is true), 100 columns wide.
pub fn render_human(sources: &Sources, diags: &[Diagnostic], color: bool) -> String {
    render_human_width(sources, diags, color, 100)
}

/// [`render_human`] at a given width. Tests use a very wide one, so that where a line breaks
/// never depends on the length of a path in a message.
pub fn render_human_width(
    sources: &Sources,
    diags: &[Diagnostic],
    color: bool,
    width: usize,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_context_lines(1);
    let mut out = String::new();
    for d in diags {
        let r = report(sources, d);
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&format!("{}: {}\n", d.code, d.message));
        }
        out.push('\n');
    }
    out
}

/// A plain, stable one-line-per-diagnostic form: `file:line:col: code: message`.
pub fn render_short(sources: &Sources, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        match d.span {
            Some(s) => {
                let p = sources.start(s);
                out.push_str(&format!(
                    "{}:{}:{}: {}: {}\n",
                    sources.name(s.file),
                    p.line,
                    p.column,
                    d.code,
                    d.message
                ));
            }
            None => out.push_str(&format!("{}: {}\n", d.code, d.message)),
        }
    }
    out
}

fn range_json(sources: &Sources, span: Span) -> Json {
    let start = sources.start(span);
    let end = sources.end(span);
    json!({
        "filename": sources.name(span.file),
        "start": {"line": start.line, "column": start.column, "byte": start.byte},
        "end": {"line": end.line, "column": end.column, "byte": end.byte},
    })
}

/// One diagnostic in Terraform's `validate -json` shape plus stackc's `code`, `help` and labels.
pub fn diagnostic_json(sources: &Sources, d: &Diagnostic) -> Json {
    let mut obj = serde_json::Map::new();
    obj.insert("severity".into(), json!(d.severity));
    obj.insert("code".into(), json!(d.code));
    obj.insert("summary".into(), json!(d.message));
    obj.insert(
        "detail".into(),
        json!(d
            .detail
            .clone()
            .or_else(|| d.label.clone())
            .unwrap_or_default()),
    );
    obj.insert("help".into(), json!(d.help.clone().unwrap_or_default()));
    if let Some(s) = d.span {
        obj.insert("range".into(), range_json(sources, s));
    }
    let labels: Vec<Json> = d
        .labels
        .iter()
        .map(|l| json!({"message": l.message, "range": range_json(sources, l.span)}))
        .collect();
    obj.insert("labels".into(), Json::Array(labels));
    Json::Object(obj)
}

/// The whole `stackc validate --format json` document.
pub fn validate_json(sources: &Sources, diags: &[Diagnostic]) -> Json {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    json!({
        "format_version": "1.0",
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": warnings,
        "diagnostics": diags.iter().map(|d| diagnostic_json(sources, d)).collect::<Vec<_>>(),
    })
}
