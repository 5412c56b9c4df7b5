//! The server loop: JSON-RPC over stdio with lsp-server. Changes are debounced: diagnostics
//! for a stack are computed once the documents have been quiet for a moment, then published
//! for every file of the stack.

use crate::analysis::{self, Documents, Stack};
use crate::positions::LineIndex;
use crate::{completion, hover, navigation, symbols};
use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, References,
    Request as _,
};
use lsp_types::{
    CompletionOptions, CompletionResponse, DocumentSymbolResponse, GotoDefinitionResponse, Hover,
    HoverContents, HoverProviderCapability, InitializeParams, Location, MarkupContent, MarkupKind,
    OneOf, Position, PublishDiagnosticsParams, Range, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Url,
};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

/// How long documents must be quiet before diagnostics are computed.
const DEBOUNCE: Duration = Duration::from_millis(150);

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("the language server's connection failed: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    #[error("the language server could not {0}: {1}")]
    Io(&'static str, String),
}

/// Serves on stdin/stdout until the client shuts the server down.
pub fn run_stdio() -> Result<(), ServerError> {
    let (connection, io_threads) = Connection::stdio();
    run(connection)?;
    io_threads
        .join()
        .map_err(|e| ServerError::Io("finish its input and output", e.to_string()))
}

/// Serves on `connection` (tests use an in-memory one).
pub fn run(connection: Connection) -> Result<(), ServerError> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "\"".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(capabilities)
        .map_err(|e| ServerError::Io("describe its capabilities", e.to_string()))?;
    let params = connection.initialize(caps)?;
    let _params: Option<InitializeParams> = serde_json::from_value(params).ok();
    let mut server = Server {
        docs: Documents::default(),
        pending: BTreeSet::new(),
        connection: &connection,
    };
    server.main_loop()
}

struct Server<'c> {
    docs: Documents,
    /// Stack directories whose diagnostics are due.
    pending: BTreeSet<PathBuf>,
    connection: &'c Connection,
}

fn path_of(uri: &Url) -> Option<PathBuf> {
    uri.to_file_path().ok()
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<(), ServerError> {
        loop {
            let msg = if self.pending.is_empty() {
                match self.connection.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(()),
                }
            } else {
                match self.connection.receiver.recv_timeout(DEBOUNCE) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => {
                        self.publish_pending();
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return Ok(()),
                }
            };
            match msg {
                Message::Request(req) => {
                    if self.connection.handle_shutdown(&req)? {
                        return Ok(());
                    }
                    let response = self.request(req);
                    self.send(Message::Response(response));
                }
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, msg: Message) {
        // The client went away: the loop ends on the next receive.
        let _ = self.connection.sender.send(msg);
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    if let Some(path) = path_of(&p.text_document.uri) {
                        self.docs.set(path.clone(), p.text_document.text);
                        self.pending.insert(analysis::stack_of(&path));
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                {
                    if let (Some(path), Some(change)) = (
                        path_of(&p.text_document.uri),
                        p.content_changes.into_iter().last(),
                    ) {
                        self.docs.set(path.clone(), change.text);
                        self.pending.insert(analysis::stack_of(&path));
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                {
                    if let Some(path) = path_of(&p.text_document.uri) {
                        self.pending.insert(analysis::stack_of(&path));
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                {
                    if let Some(path) = path_of(&p.text_document.uri) {
                        self.docs.close(&path);
                        self.pending.insert(analysis::stack_of(&path));
                    }
                }
            }
            _ => {}
        }
    }

    fn publish_pending(&mut self) {
        for dir in std::mem::take(&mut self.pending) {
            let stack = analysis::load(&dir, &self.docs);
            for (path, diagnostics) in stack.diagnostics() {
                let Ok(uri) = Url::from_file_path(&path) else {
                    continue;
                };
                let params = PublishDiagnosticsParams {
                    uri,
                    diagnostics,
                    version: None,
                };
                if let Ok(params) = serde_json::to_value(params) {
                    self.send(Message::Notification(Notification::new(
                        PublishDiagnostics::METHOD.to_string(),
                        params,
                    )));
                }
            }
        }
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            HoverRequest::METHOD => self.with_position(req, |s, stack, text, offset| {
                let value = hover::hover(stack, text, offset)?;
                let _ = s;
                serde_json::to_value(Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value,
                    }),
                    range: None,
                })
                .ok()
            }),
            Completion::METHOD => self.with_position(req, |_, stack, text, offset| {
                serde_json::to_value(CompletionResponse::Array(completion::complete(
                    stack, text, offset,
                )))
                .ok()
            }),
            GotoDefinition::METHOD => self.with_position(req, |s, stack, text, offset| {
                let symbol = navigation::symbol_at(text, offset)?;
                let locations = s.locations(stack, |t| {
                    navigation::declaration_in(t, &symbol)
                        .map(|d| vec![(d.start, d.end)])
                        .unwrap_or_default()
                });
                serde_json::to_value(GotoDefinitionResponse::Array(locations)).ok()
            }),
            References::METHOD => self.with_position(req, |s, stack, text, offset| {
                let symbol = navigation::symbol_at(text, offset)?;
                let locations = s.locations(stack, |t| {
                    let mut all = navigation::uses_in(t, &symbol);
                    all.extend(navigation::declaration_in(t, &symbol).map(|d| (d.start, d.end)));
                    all
                });
                serde_json::to_value(locations).ok()
            }),
            Formatting::METHOD => self.formatting(req),
            DocumentSymbolRequest::METHOD => {
                let params: Option<lsp_types::DocumentSymbolParams> =
                    serde_json::from_value(req.params).ok();
                params
                    .and_then(|p| path_of(&p.text_document.uri))
                    .and_then(|path| self.docs.text(&path))
                    .and_then(|text| {
                        serde_json::to_value(DocumentSymbolResponse::Nested(symbols::outline(
                            &text,
                        )))
                        .ok()
                    })
                    .map(Ok)
                    .unwrap_or(Ok(serde_json::Value::Null))
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("unknown method {}", req.method),
            )),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    /// Runs `f` on the document and stack of a text-document-position request.
    fn with_position(
        &mut self,
        req: Request,
        f: impl FnOnce(&Self, &Stack, &str, usize) -> Option<serde_json::Value>,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct At {
            text_document: lsp_types::TextDocumentIdentifier,
            position: Position,
        }
        let at: At = serde_json::from_value(req.params)
            .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
        let Some(path) = path_of(&at.text_document.uri) else {
            return Ok(serde_json::Value::Null);
        };
        let Some(text) = self.docs.text(&path) else {
            return Ok(serde_json::Value::Null);
        };
        let stack = analysis::load(&analysis::stack_of(&path), &self.docs);
        let offset = LineIndex::new(&text).offset(at.position);
        Ok(f(self, &stack, &text, offset).unwrap_or(serde_json::Value::Null))
    }

    /// Locations in every file of `stack` of the byte ranges `find` returns for its text.
    fn locations(
        &self,
        stack: &Stack,
        find: impl Fn(&str) -> Vec<(usize, usize)>,
    ) -> Vec<Location> {
        let mut out = Vec::new();
        for path in stack.files.keys() {
            let Some(text) = self.docs.text(path) else {
                continue;
            };
            let Ok(uri) = Url::from_file_path(path) else {
                continue;
            };
            let idx = LineIndex::new(&text);
            for (s, e) in find(&text) {
                out.push(Location::new(uri.clone(), idx.range(s, e)));
            }
        }
        out
    }

    fn formatting(&self, req: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        let params: lsp_types::DocumentFormattingParams = serde_json::from_value(req.params)
            .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
        let Some(path) = path_of(&params.text_document.uri) else {
            return Ok(serde_json::Value::Null);
        };
        let Some(text) = self.docs.text(&path) else {
            return Ok(serde_json::Value::Null);
        };
        // A file with syntax errors is left alone: its diagnostics say why.
        let Ok(formatted) = stackc_lang::fmt::format_source(stackc_lang::FileId::default(), &text)
        else {
            return Ok(serde_json::Value::Null);
        };
        if formatted == text {
            return Ok(serde_json::json!([]));
        }
        let idx = LineIndex::new(&text);
        let whole = Range::new(Position::new(0, 0), idx.position(text.len()));
        serde_json::to_value(vec![TextEdit::new(whole, formatted)])
            .map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }
}
