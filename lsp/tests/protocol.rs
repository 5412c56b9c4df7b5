//! The server driven through real JSON-RPC messages over an in-memory connection:
//! initialize, didOpen/didChange (diagnostics), hover, completion, definition, references,
//! formatting, document symbols, shutdown.

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

struct Client {
    conn: Connection,
    server: Option<std::thread::JoinHandle<()>>,
    next: i32,
}

impl Client {
    fn start() -> Client {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || {
            stackc_lsp::run(server).expect("the server runs");
        });
        let mut c = Client {
            conn: client,
            server: Some(handle),
            next: 1,
        };
        let r = c.request(
            "initialize",
            json!({"capabilities": {}, "processId": null, "rootUri": null}),
        );
        assert!(r["capabilities"]["hoverProvider"].as_bool().unwrap());
        c.notify("initialized", json!({}));
        c
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Message::Notification(Notification::new(
                method.into(),
                params,
            )))
            .unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = RequestId::from(self.next);
        self.next += 1;
        self.conn
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.into(),
                params,
            )))
            .unwrap();
        loop {
            match self
                .conn
                .receiver
                .recv_timeout(Duration::from_secs(20))
                .unwrap()
            {
                Message::Response(Response {
                    id: rid,
                    result,
                    error,
                }) if rid == id => {
                    assert!(error.is_none(), "{error:?}");
                    return result.unwrap_or(Value::Null);
                }
                _ => continue,
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&self, uri: &str) -> Vec<Value> {
        loop {
            match self
                .conn
                .receiver
                .recv_timeout(Duration::from_secs(20))
                .unwrap()
            {
                Message::Notification(n)
                    if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri =>
                {
                    return n.params["diagnostics"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                }
                _ => continue,
            }
        }
    }

    /// Every diagnostics notification until the server has been quiet for a while: the
    /// latest list per file.
    fn settled(&self) -> std::collections::BTreeMap<String, Vec<Value>> {
        let mut out = std::collections::BTreeMap::new();
        while let Ok(m) = self.conn.receiver.recv_timeout(Duration::from_millis(800)) {
            if let Message::Notification(n) = m {
                if n.method == "textDocument/publishDiagnostics" {
                    out.insert(
                        n.params["uri"].as_str().unwrap_or_default().to_string(),
                        n.params["diagnostics"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default(),
                    );
                }
            }
        }
        out
    }

    fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "stackc", "version": 1, "text": text}}),
        );
    }

    fn change(&self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        if let Some(h) = self.server.take() {
            let _ = h.join();
        }
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

const MAIN: &str = r#"stack "shop" {}

variable "port" {
  type        = number
  default     = 8080
  description = "the published port"
}

locals {
  greeting = "héllo 😀 ${var.port}"
}

network "backend" {}

container "web" {
  image    = "busybox"
  networks = [network.backend]
  env      = { GREETING = local.greeting }
  restart  = "always"
}
"#;

#[test]
fn diagnostics_match_validate_across_files_with_non_ascii_text() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.stack.hcl");
    let other = dir.path().join("other.stack.hcl");
    std::fs::write(&main, MAIN).unwrap();
    std::fs::write(&other, "container \"api\" {\n  image = \"busybox\"\n}\n").unwrap();
    let c = Client::start();
    c.open(&uri(&main), MAIN);
    assert!(c.diagnostics(&uri(&main)).is_empty());

    // An undefined reference after non-ASCII text on the same line: the range counts UTF-16.
    let broken = MAIN.replace("${var.port}", "${var.prot}");
    c.change(&uri(&main), 2, &broken);
    let d = c.diagnostics(&uri(&main));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "stackc::undefined");
    let line = broken.lines().position(|l| l.contains("var.prot")).unwrap() as u64;
    let text_line = broken.lines().nth(line as usize).unwrap();
    let byte = text_line.find("var.prot").unwrap();
    let utf16 = text_line[..byte].encode_utf16().count() as u64;
    assert_eq!(d[0]["range"]["start"]["line"], line);
    assert_eq!(d[0]["range"]["start"]["character"], utf16);
    assert!(d[0]["message"].as_str().unwrap().contains("help:"));

    // A problem in the other file of the stack is published for that file.
    let dup = MAIN.replace("container \"web\"", "container \"api\"");
    c.change(&uri(&main), 3, &dup);
    let latest = c.settled();
    let in_other = &latest[&uri(&other)];
    let in_main = &latest[&uri(&main)];
    assert!(
        !in_other.is_empty() || !in_main.is_empty(),
        "the duplicate is reported: {latest:?}"
    );
    let all: Vec<&Value> = in_other.iter().chain(in_main.iter()).collect();
    assert!(
        all.iter().any(|d| d["code"] == "stackc::duplicate"),
        "{all:?}"
    );
}

#[test]
fn hover_completion_navigation_formatting_and_symbols() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.stack.hcl");
    std::fs::write(&main, MAIN).unwrap();
    let u = uri(&main);
    let mut c = Client::start();
    c.open(&u, MAIN);
    let line_of = |s: &str| MAIN.lines().position(|l| l.contains(s)).unwrap() as u32;

    // Hover: an attribute from the schema, a variable's value, a function.
    let h = c.request("textDocument/hover", at(&u, line_of("restart  ="), 3));
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**restart**"), "{text}");
    let h = c.request("textDocument/hover", at(&u, line_of("${var.port}"), 31));
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("variable `port`") && text.contains("8080"),
        "{text}"
    );

    // Completion: attributes not yet set, resource names, enumeration values.
    let edited = MAIN.replace("  restart  = \"always\"\n", "  restart  = \"always\"\n  \n");
    c.change(&u, 2, &edited);
    let line = edited.lines().position(|l| l == "  ").unwrap() as u32;
    let items = c.request("textDocument/completion", at(&u, line, 2));
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"command") && labels.contains(&"resources"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"image"),
        "image is set already: {labels:?}"
    );
    let refs = edited.replace("networks = [network.backend]", "networks = [network.]");
    c.change(&u, 3, &refs);
    let l = refs.lines().position(|l| l.contains("[network.]")).unwrap() as u32;
    let col = refs
        .lines()
        .nth(l as usize)
        .unwrap()
        .find("network.]")
        .unwrap() as u32
        + 8;
    let items = c.request("textDocument/completion", at(&u, l, col));
    assert_eq!(items[0]["label"], "backend");
    let enums = refs.replace("restart  = \"always\"", "restart  = \"");
    c.change(&u, 4, &enums);
    let l = enums
        .lines()
        .position(|l| l.contains("restart  = \""))
        .unwrap() as u32;
    let items = c.request("textDocument/completion", at(&u, l, 14));
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"on-failure"), "{labels:?}");
    c.change(&u, 5, MAIN);

    // Definition and references of a variable.
    let d = c.request(
        "textDocument/definition",
        at(&u, line_of("${var.port}"), 31),
    );
    assert_eq!(d[0]["range"]["start"]["line"], line_of("variable \"port\""));
    let r = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": {"line": line_of("variable \"port\""), "character": 11}, "context": {"includeDeclaration": true}}),
    );
    assert_eq!(r.as_array().unwrap().len(), 2);

    // Formatting: the formatter's canonical text.
    c.change(
        &u,
        6,
        "stack \"shop\" {}\ncontainer \"web\" {\nimage=\"busybox\"\n}\n",
    );
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": u}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(
        edits[0]["newText"],
        "stack \"shop\" {}\n\ncontainer \"web\" {\n  image = \"busybox\"\n}\n"
    );

    // Symbols: the outline of the blocks.
    c.change(&u, 7, MAIN);
    let s = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let names: Vec<&str> = s
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "stack \"shop\"",
            "variable \"port\"",
            "locals",
            "network \"backend\"",
            "container \"web\""
        ]
    );
}

#[test]
fn half_typed_and_malformed_documents_never_crash_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.stack.hcl");
    let u = uri(&main);
    let mut c = Client::start();
    c.open(&u, "");
    // Every prefix of a real file, and a few pathological texts, each asked every question.
    let mut texts: Vec<String> = (0..MAIN.len())
        .filter(|i| MAIN.is_char_boundary(*i))
        .step_by(7)
        .map(|i| MAIN[..i].to_string())
        .collect();
    texts.extend([
        "{{{{".into(),
        "}}}}".into(),
        "\"".into(),
        "container \"".into(),
        "a = ${".into(),
        "\u{feff}x".into(),
    ]);
    // The invalid half of the language corpus, and a sample of the fuzz corpus.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata");
    for (dir, min) in [("lang/invalid", 100), ("fuzz-sample", 300)] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_none_or(|x| x == "hcl"))
            .collect();
        files.sort();
        assert!(files.len() >= min, "{dir} has its cases");
        texts.extend(
            files
                .iter()
                .filter_map(|p| std::fs::read(p).ok())
                .map(|b| String::from_utf8_lossy(&b).into_owned()),
        );
    }
    for (v, t) in texts.iter().enumerate() {
        c.change(&u, v as i32 + 2, t);
        let lines = t.lines().count() as u32;
        for line in [0, lines / 2, lines] {
            for ch in [0, 3, 200] {
                c.request("textDocument/hover", at(&u, line, ch));
                c.request("textDocument/completion", at(&u, line, ch));
                c.request("textDocument/definition", at(&u, line, ch));
            }
        }
        c.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": u}, "options": {"tabSize": 2, "insertSpaces": true}}),
        );
        c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": u}}),
        );
    }
}
