//! The formatter (`stackc fmt`): fixtures in `testdata/fmt`, idempotence, preservation of the
//! syntax tree, and many generated variations.
//!
//! Each fixture is a pair `NAME.in.stack.hcl` → `NAME.out.stack.hcl`. To (re)write the expected
//! outputs after an intended style change, run with `STACKC_BLESS=1` and review the diff.

use stackc_lang::ast::*;
use stackc_lang::fmt::format_source;
use stackc_lang::parser::parse_file;
use stackc_lang::source::{FileId, Span};
use std::path::{Path, PathBuf};

const FILE: FileId = FileId(0);

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/fmt")
}

/// Every fixture: (name, input, expected output if present).
fn fixtures() -> Vec<(String, String, Option<String>)> {
    let dir = fixtures_dir();
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(name) = file_name.strip_suffix(".in.stack.hcl") else {
            continue;
        };
        let input = std::fs::read_to_string(&path).expect("fixture input");
        let expected = std::fs::read_to_string(dir.join(format!("{name}.out.stack.hcl"))).ok();
        out.push((name.to_string(), input, expected));
    }
    out.sort();
    out
}

/// Formats, or panics with the diagnostics.
fn fmt(name: &str, text: &str) -> String {
    match format_source(FILE, text) {
        Ok(s) => s,
        Err(d) => panic!("{name}: format failed: {d:#?}"),
    }
}

#[test]
fn check() {
    let bless = std::env::var_os("STACKC_BLESS").is_some();
    let fixtures = fixtures();
    assert!(fixtures.len() >= 15, "expected at least 15 fixtures");
    let mut failures = Vec::new();
    for (name, input, expected) in &fixtures {
        let out = match format_source(FILE, input) {
            Ok(out) => out,
            Err(d) => {
                failures.push(format!("{name}: format failed: {d:#?}"));
                continue;
            }
        };
        if bless {
            let path = fixtures_dir().join(format!("{name}.out.stack.hcl"));
            std::fs::write(&path, &out).expect("write expected output");
        } else {
            match expected {
                None => failures.push(format!("{name}: missing {name}.out.stack.hcl")),
                Some(exp) if exp != &out => failures.push(format!(
                    "{name}: output differs\n--- expected\n{exp}\n--- got\n{out}\n--- diff\n{}",
                    line_diff(exp, &out)
                )),
                Some(_) => {}
            }
        }
        // Idempotence: formatting formatted text changes nothing.
        match format_source(FILE, &out) {
            Ok(again) if again == out => {}
            Ok(again) => failures.push(format!(
                "{name}: not idempotent\n--- first\n{out}\n--- second\n{again}"
            )),
            Err(d) => failures.push(format!("{name}: output does not format: {d:#?}")),
        }
        // The meaning is preserved: the same syntax tree, spans aside. CRLF inside heredocs is
        // deliberately written as LF, so compare with the input's LF form.
        let before = tree(&input.replace("\r\n", "\n"));
        let after = tree(&out);
        if before != after {
            failures.push(format!(
                "{name}: syntax tree changed\n--- before\n{before:#?}\n--- after\n{after:#?}"
            ));
        }
        // Canonical text: LF only, one final newline, no BOM.
        if out.contains('\r') || out.starts_with('\u{feff}') {
            failures.push(format!("{name}: output has CR or a BOM"));
        }
        if !out.is_empty() && (!out.ends_with('\n') || out.ends_with("\n\n")) {
            failures.push(format!("{name}: output must end with exactly one newline"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n\n")
    );
}

/// A minimal line diff for failure messages.
fn line_diff(expected: &str, got: &str) -> String {
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let mut out = String::new();
    for i in 0..e.len().max(g.len()) {
        match (e.get(i), g.get(i)) {
            (Some(a), Some(b)) if a == b => {}
            (a, b) => {
                out.push_str(&format!("{:>4} - {:?}\n     + {:?}\n", i + 1, a, b));
            }
        }
    }
    out
}

#[test]
fn unparseable_input_is_an_error() {
    for text in [
        "a = \n",
        "block {\n  a = 1 b = 2\n}\n",
        "x = [1, 2\n",
        "x = \"unterminated\n",
        "a { b = 1\n c = 2 }\n",
        "x = <<EOT\nno end\n",
    ] {
        let result = format_source(FILE, text);
        let diags = result.expect_err(text);
        assert!(!diags.is_empty(), "{text:?}: no diagnostics");
        assert!(
            diags.iter().all(|d| d.code == "stackc::syntax"),
            "{text:?}: {diags:#?}"
        );
    }
}

#[test]
fn lone_carriage_return_is_refused() {
    // A lone CR ends a comment for the grammar but not between top-level items: ambiguous.
    for text in ["# c\rx = 1\n", "x = <<EOT\r\r\nbody\r\nEOT\r\n", "a = 1\r"] {
        let diags = format_source(FILE, text).expect_err(text);
        assert!(
            diags[0].message.contains("carriage return"),
            "{text:?}: {diags:#?}"
        );
    }
}

#[test]
fn small_cases() {
    let cases: &[(&str, &str)] = &[
        ("", ""),
        ("\n\n", ""),
        ("a=1", "a = 1\n"),
        ("a = 1\n\n\n", "a = 1\n"),
        ("\u{feff}a = 1\r\n", "a = 1\n"),
        ("b {\n}\n", "b {}\n"),
        ("b { }\n", "b {}\n"),
        ("b {\n\n\n  a = 1\n\n\n}\n", "b {\n  a = 1\n}\n"),
        ("a = 1 # c\nbb = 2 # d\n", "a  = 1 # c\nbb = 2 # d\n"),
        ("x   \"y\"\t{ z = 1 }\n", "x \"y\" { z = 1 }\n"),
        ("a {}\nb {}\n", "a {}\n\nb {}\n"),
        ("a = [\n\n  1,\n\n]\n", "a = [\n  1,\n]\n"),
        ("a = [1,    2,\t3]\n", "a = [1, 2, 3]\n"),
        ("a = \"x    y\"\n", "a = \"x    y\"\n"),
        ("# only\n", "# only\n"),
        (
            "b /* c */ \"l\" # d\n{\n}\n",
            "b /* c */ \"l\" {\n  # d\n}\n",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(&fmt(input, input), expected, "input {input:?}");
    }
}

// ---- the syntax tree without spans ----------------------------------------------------------

fn tree(text: &str) -> Vec<Item> {
    let parsed = parse_file(FILE, text.trim_start_matches('\u{feff}'));
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    let mut items = parsed.file.body.items;
    items.iter_mut().for_each(item);
    items
}

fn span(s: &mut Span) {
    *s = Span::default();
}

fn ident(i: &mut Ident) {
    span(&mut i.span);
}

fn item(i: &mut Item) {
    match i {
        Item::Attribute(a) => {
            span(&mut a.span);
            ident(&mut a.name);
            expr(&mut a.expr);
        }
        Item::Block(b) => {
            span(&mut b.span);
            span(&mut b.open_brace);
            span(&mut b.close_brace);
            span(&mut b.body.span);
            ident(&mut b.ty);
            b.labels.iter_mut().for_each(|l| span(&mut l.span));
            b.body.items.iter_mut().for_each(item);
        }
    }
}

fn expr(e: &mut Expr) {
    span(&mut e.span);
    match &mut e.kind {
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) => {}
        ExprKind::Template(t) => parts(&mut t.parts),
        ExprKind::Variable(i) => ident(i),
        ExprKind::GetAttr { base, name } => {
            expr(base);
            ident(name);
        }
        ExprKind::Index { base, index } => {
            expr(base);
            expr(index);
        }
        ExprKind::Splat { base, steps, .. } => {
            expr(base);
            for s in steps {
                match s {
                    SplatStep::Attr(i) => ident(i),
                    SplatStep::Index(e) => expr(e),
                }
            }
        }
        ExprKind::Tuple(items) => items.iter_mut().for_each(expr),
        ExprKind::Object(items) => {
            for it in items {
                match &mut it.key {
                    ObjectKey::Ident(i) => ident(i),
                    ObjectKey::Expr(e) => expr(e),
                }
                expr(&mut it.value);
            }
        }
        ExprKind::Call { name, args, .. } => {
            ident(name);
            args.iter_mut().for_each(expr);
        }
        ExprKind::Unary { expr: e, .. } | ExprKind::Paren(e) => expr(e),
        ExprKind::Binary {
            op_span, lhs, rhs, ..
        } => {
            span(op_span);
            expr(lhs);
            expr(rhs);
        }
        ExprKind::Conditional {
            cond,
            then,
            otherwise,
        } => {
            expr(cond);
            expr(then);
            expr(otherwise);
        }
        ExprKind::For(f) => {
            if let Some(k) = &mut f.key_var {
                ident(k);
            }
            ident(&mut f.value_var);
            expr(&mut f.collection);
            if let Some(k) = &mut f.key {
                expr(k);
            }
            expr(&mut f.value);
            if let Some(c) = &mut f.cond {
                expr(c);
            }
        }
    }
}

fn parts(ps: &mut [TemplatePart]) {
    for p in ps {
        match p {
            TemplatePart::Literal(_, s) => span(s),
            TemplatePart::Interp(e) => expr(e),
            TemplatePart::If {
                cond,
                then,
                otherwise,
                span: s,
            } => {
                span(s);
                expr(cond);
                parts(then);
                parts(otherwise);
            }
            TemplatePart::For {
                key_var,
                value_var,
                collection,
                body,
                span: s,
            } => {
                span(s);
                if let Some(k) = key_var {
                    ident(k);
                }
                ident(value_var);
                expr(collection);
                parts(body);
            }
        }
    }
}

// ---- variations -----------------------------------------------------------------------------

/// A small deterministic random generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Re-indents every line at random, adds trailing blanks, and sometimes switches to CRLF; valid
/// for fixtures without heredocs or multi-line block comments, whose formatting must not change.
fn perturb(rng: &mut Rng, text: &str) -> String {
    let mut out = String::new();
    let crlf = rng.chance(30);
    for line in text.lines() {
        let body = line.trim_start_matches([' ', '\t']);
        if !body.is_empty() {
            out.push_str(rng.pick(&["", " ", "    ", "\t", "\t  ", "       "]));
        }
        out.push_str(body);
        out.push_str(rng.pick(&["", "", " ", "\t", "   "]));
        out.push_str(if crlf { "\r\n" } else { "\n" });
    }
    out
}

#[test]
fn perturbed_fixtures_format_the_same() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut tried = 0;
    for (name, input, _) in fixtures() {
        let expected = fmt(&name, &input);
        let opaque =
            input.contains("<<") || input.lines().any(|l| l.contains("/*") && !l.contains("*/"));
        if opaque {
            continue;
        }
        tried += 1;
        for round in 0..20 {
            let varied = perturb(&mut rng, input.trim_start_matches('\u{feff}'));
            let got = fmt(&format!("{name} variation {round}"), &varied);
            assert_eq!(got, expected, "{name} variation {round}:\n{varied}");
        }
    }
    assert!(tried >= 10);
}

/// Generates random stack files with comments (each holding a unique marker), odd spacing and
/// blank lines, multi-line expressions and heredocs.
struct Gen {
    rng: Rng,
    markers: usize,
}

impl Gen {
    fn marker(&mut self) -> String {
        self.markers += 1;
        format!("<m{}>", self.markers)
    }

    fn line_comment(&mut self) -> String {
        let m = self.marker();
        let style = self.rng.pick(&["#", "//", "# ", "//  "]);
        format!("{style}{m}")
    }

    fn block_comment(&mut self) -> String {
        let m = self.marker();
        if self.rng.chance(20) {
            format!("/* {m}\n   more */")
        } else {
            format!("/* {m} */")
        }
    }

    fn sp(&mut self) -> &'static str {
        self.rng.pick(&["", " ", " ", "  ", "\t"])
    }

    fn hsp(&mut self) -> &'static str {
        self.rng.pick(&["", " ", " ", "  ", "\t"])
    }

    fn sp1(&mut self) -> &'static str {
        self.rng.pick(&[" ", " ", "  ", "\t"])
    }

    fn indent(&mut self) -> &'static str {
        self.rng.pick(&["", "  ", "    ", "\t", "   "])
    }

    fn ident(&mut self) -> &'static str {
        self.rng.pick(&[
            "a",
            "name",
            "image",
            "x_1",
            "long-name",
            "env",
            "ports",
            "z",
        ])
    }

    fn string(&mut self) -> String {
        match self.rng.below(7) {
            5 => "\"http://x # not // a comment\"".into(),
            6 => format!("\"a ${{f(\n{}1,\n{}2)}} b\"", self.indent(), self.indent()),
            0 => "\"plain  text\"".into(),
            1 => "\"a ${var.x} b\"".into(),
            2 => "\"%{ if var.on }yes%{ else }no%{ endif }\"".into(),
            3 => "\"esc \\\" $${lit} \\\\ \"".into(),
            _ => "\"\"".into(),
        }
    }

    fn heredoc(&mut self) -> String {
        let dash = self.rng.chance(50);
        let mut s = format!("<<{}EOT\n", if dash { "-" } else { "" });
        for _ in 0..self.rng.below(4) {
            s.push_str(self.rng.pick(&["", "  ", "\t", "    "]));
            s.push_str(self.rng.pick(&[
                "text",
                "${var.x} y",
                "%{ if a }b%{ endif }",
                "# not a comment",
            ]));
            s.push_str(self.rng.pick(&["", "", "  ", "\t"]));
            s.push('\n');
        }
        s.push_str(self.rng.pick(&["", "  "]));
        s.push_str("EOT\n");
        s
    }

    /// An expression; `multi` allows line breaks (inside brackets).
    fn expr(&mut self, depth: usize, multi: bool) -> String {
        let leaf = depth > 3 || self.rng.chance(35);
        if leaf {
            return match self.rng.below(7) {
                0 => self.rng.pick(&["1", "-2", "3.5", "1e3"]).into(),
                1 => self.rng.pick(&["true", "false", "null"]).into(),
                2 => self
                    .rng
                    .pick(&["var.x", "local.a.b", "container.web[0].name", "var.l[*].id"])
                    .into(),
                3 if multi => self.heredoc(),
                _ => self.string(),
            };
        }
        match self.rng.below(6) {
            0 | 1 => self.tuple(depth, multi),
            2 | 3 => self.object(depth, multi),
            4 => {
                let n = self.rng.below(3);
                let args: Vec<String> = (0..n).map(|_| self.expr(depth + 1, multi)).collect();
                let sep = if multi && self.rng.chance(50) {
                    ",\n"
                } else {
                    ", "
                };
                format!("f({})", args.join(sep))
            }
            _ => {
                let a = self.simple();
                let b = self.simple();
                let op = self.rng.pick(&["+", "*", "==", "&&"]);
                match self.rng.below(3) {
                    0 => format!("{a}{}{op}{}{b}", self.sp1(), self.sp1()),
                    1 => format!("({a} {op} {b})"),
                    _ => format!("{a} ? {b} : {}", self.simple()),
                }
            }
        }
    }

    fn simple(&mut self) -> String {
        self.rng
            .pick(&["1", "var.a", "local.b", "f(2)", "\"s\""])
            .into()
    }

    fn tuple(&mut self, depth: usize, multi: bool) -> String {
        let n = self.rng.below(4);
        let multi = multi && self.rng.chance(60);
        let mut s = String::from("[");
        for i in 0..n {
            if multi {
                s.push('\n');
                if self.rng.chance(15) {
                    s.push('\n');
                }
                s.push_str(self.indent());
                if self.rng.chance(15) {
                    let c = self.line_comment();
                    s.push_str(&c);
                    s.push('\n');
                    s.push_str(self.indent());
                }
            } else if i > 0 {
                s.push_str(self.sp());
            }
            let e = self.expr(depth + 1, multi);
            s.push_str(&e);
            if i + 1 < n || self.rng.chance(50) {
                s.push(',');
                if multi && !e.ends_with('\n') && self.rng.chance(15) {
                    s.push(' ');
                    let c = self.line_comment();
                    s.push_str(&c);
                }
            }
        }
        if multi {
            s.push('\n');
            s.push_str(self.indent());
        }
        s.push(']');
        s
    }

    fn object(&mut self, depth: usize, multi: bool) -> String {
        let n = self.rng.below(4);
        let multi = multi && self.rng.chance(60);
        let mut s = String::from("{");
        for i in 0..n {
            if multi {
                s.push('\n');
                s.push_str(self.indent());
            } else if i > 0 {
                s.push_str(", ");
            } else {
                s.push(' ');
            }
            let key = match self.rng.below(4) {
                0 => "\"quoted-key\"".to_string(),
                1 => "(local.k)".to_string(),
                _ => self.ident().to_string(),
            };
            let sep = self.rng.pick(&["=", "=", ":"]);
            let sp1 = self.sp();
            let sp2 = self.sp();
            let value = self.expr(depth + 1, multi);
            s.push_str(&format!("{key}{sp1}{sep}{sp2}{value}"));
            if multi && !value.ends_with('\n') && self.rng.chance(20) {
                s.push(' ');
                let c = self.line_comment();
                s.push_str(&c);
            }
        }
        if multi {
            s.push('\n');
            s.push_str(self.indent());
        } else if n > 0 {
            s.push(' ');
        }
        s.push('}');
        s
    }

    fn body(&mut self, depth: usize, out: &mut String) {
        let n = self.rng.below(5);
        for _ in 0..n {
            for _ in 0..self.rng.below(3) {
                if self.rng.chance(50) {
                    out.push('\n');
                } else {
                    out.push_str(self.indent());
                    let c = if self.rng.chance(70) {
                        self.line_comment()
                    } else {
                        self.block_comment()
                    };
                    out.push_str(&c);
                    out.push('\n');
                }
            }
            out.push_str(self.indent());
            if depth < 3 && self.rng.chance(30) {
                self.block(depth + 1, out);
            } else {
                let name = self.ident();
                // Only blanks may surround `=` (the value starts on the line of the name).
                let (a, b) = (self.hsp(), self.hsp());
                let value = self.expr(0, true);
                out.push_str(&format!("{name}{a}={b}{value}"));
                if !value.ends_with('\n') && self.rng.chance(25) {
                    out.push(' ');
                    let c = self.line_comment();
                    out.push_str(&c);
                }
            }
            out.push('\n');
        }
    }

    fn block(&mut self, depth: usize, out: &mut String) {
        let ty = self.ident();
        out.push_str(ty);
        for _ in 0..self.rng.below(3) {
            out.push_str(self.sp1());
            if self.rng.chance(10) {
                let c = self.block_comment();
                out.push_str(&c);
                out.push(' ');
            }
            out.push_str(self.rng.pick(&["\"web\"", "label", "\"a b\""]));
        }
        out.push_str(self.sp1());
        if self.rng.chance(10) {
            let c = self.line_comment();
            out.push_str(&c);
            out.push('\n');
        }
        if self.rng.chance(20) {
            let name = self.ident();
            let value = self.expr(0, false);
            out.push_str(&format!("{{ {name} = {value} }}"));
            return;
        }
        out.push('{');
        if self.rng.chance(15) {
            out.push(' ');
            let c = self.line_comment();
            out.push_str(&c);
        }
        out.push('\n');
        self.body(depth, out);
        out.push_str(self.indent());
        out.push('}');
        if self.rng.chance(15) {
            out.push(' ');
            let c = self.line_comment();
            out.push_str(&c);
        }
    }
}

#[test]
fn generated_files_keep_meaning_and_comments() {
    // STACKC_FMT_SEEDS=N runs more (or fewer) generated files than the default.
    let seeds: u64 = std::env::var("STACKC_FMT_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(600);
    for seed in 1..=seeds {
        let mut g = Gen {
            rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
            markers: 0,
        };
        let mut src = String::new();
        for _ in 0..1 + g.rng.below(4) {
            if g.rng.chance(70) {
                g.block(0, &mut src);
                src.push('\n');
            } else {
                g.body(0, &mut src);
            }
        }
        if g.rng.chance(10) {
            src = src.replace('\n', "\r\n");
        }
        let parsed = parse_file(FILE, &src);
        assert!(
            parsed.diagnostics.is_empty(),
            "seed {seed}: the generator wrote invalid text:\n{src}\n{:#?}",
            parsed.diagnostics
        );
        let out = fmt(&format!("seed {seed}:\n{src}"), &src);
        if std::env::var_os("STACKC_FMT_SHOW").is_some() && seed < 4 {
            eprintln!("---- seed {seed} input:\n{src}\n---- output:\n{out}");
        }
        assert_eq!(
            tree(&src.replace("\r\n", "\n")),
            tree(&out),
            "seed {seed}: tree changed\n{src}\n---\n{out}"
        );
        let again = fmt(&format!("seed {seed} (second pass)"), &out);
        if again != out {
            let _ = std::fs::write("/tmp/fmt_fail_in", &src);
        }
        assert_eq!(again, out, "seed {seed}: not idempotent\n{src}");
        for m in 1..=g.markers {
            let marker = format!("<m{m}>");
            assert_eq!(
                out.matches(&marker).count(),
                1,
                "seed {seed}: comment {marker} lost or duplicated\n{src}\n---\n{out}"
            );
        }
        if !out.is_empty() {
            assert!(out.ends_with('\n') && !out.ends_with("\n\n"), "seed {seed}");
        }
    }
}
