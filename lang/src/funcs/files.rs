//! File functions: `file`, `fileexists`, `filesha256` and `templatefile`.
//!
//! A relative path is resolved against the stack directory and must stay inside it: a stack is a
//! unit that can be copied or checked out elsewhere, and a file it reads from `../` (or through a
//! symbolic link pointing out) would silently make it depend on its surroundings — and would let
//! a stack someone else wrote read any file of the machine that plans it. Absolute paths are
//! taken as given, because writing one is an explicit choice.
//!
//! The bytes read here are also part of resources' desired specs (LANGUAGE.md §4), so reading is
//! exact: no newline or byte-order-mark normalisation.

use super::{Args, FuncCtx, FuncError};
use crate::value::{is_identifier, Value};
use sha2::Digest as _;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

/// The absolute form of `p` for messages, without resolving symbolic links.
fn shown(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

fn outside(a: &Args, ctx: &FuncCtx, raw: &str, how: &str) -> FuncError {
    a.err(
        0,
        format!(
            "{}: the path {} {how} outside the stack directory",
            a.fname(),
            a.show(raw)
        ),
    )
    .with_help(format!(
        "relative paths are resolved against the stack directory ({}) and must stay inside it; \
             use an absolute path to read a file elsewhere",
        shown(ctx.stack_dir)
    ))
}

/// Resolves the path argument: absolute paths as given, relative ones against the stack
/// directory, refusing any that leave it lexically (`..`) or through a symbolic link.
fn resolve(a: &Args, ctx: &FuncCtx) -> Result<PathBuf, FuncError> {
    let raw = a.str(0)?;
    if raw.is_empty() {
        return Err(a
            .err(0, format!("{}: the path is empty", a.fname()))
            .with_help("give a path relative to the stack directory, like \"./config/app.conf\""));
    }
    let path = Path::new(&*raw);
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    // `"${path.stack}/cgi/get"`, Terraform's idiom, names the same file as `"cgi/get"`:
    // `path.stack` is the stack directory as given (`-C examples/app`), relative to where
    // stackc runs, while a relative path here is relative to the stack directory.
    let given = ctx.stack_dir.strip_prefix(".").unwrap_or(ctx.stack_dir);
    let path = match path.strip_prefix(".").unwrap_or(path).strip_prefix(given) {
        Ok(rest) if given.is_relative() && given.components().next().is_some() => rest,
        _ => path,
    };
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::Normal(part) => parts.push(part),
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err(outside(a, ctx, &raw, "leads"));
                }
            }
            // A drive or root on its own (`C:x`, `\x` on Windows): not a plain relative path.
            Component::RootDir | Component::Prefix(_) => {
                return Err(outside(a, ctx, &raw, "leads"))
            }
        }
    }
    let joined = ctx.stack_dir.join(parts.iter().collect::<PathBuf>());
    // Symbolic links: the nearest existing ancestor of the path (the path itself when it
    // exists) must resolve to somewhere inside the resolved stack directory.
    if let Ok(base) = ctx.stack_dir.canonicalize() {
        let mut current = Some(joined.as_path());
        while let Some(p) = current {
            if let Ok(real) = p.canonicalize() {
                if !real.starts_with(&base) {
                    return Err(outside(
                        a,
                        ctx,
                        &raw,
                        &format!(
                            "resolves through a symbolic link to {}, which is",
                            real.display()
                        ),
                    ));
                }
                break;
            }
            current = p.parent();
        }
    }
    Ok(joined)
}

/// Reads the file at the path argument, with messages that name the full path.
fn read(a: &Args, ctx: &FuncCtx) -> Result<(PathBuf, Vec<u8>), FuncError> {
    let path = resolve(a, ctx)?;
    if path.is_dir() {
        return Err(a
            .err(
                0,
                format!("{}: {} is a directory, not a file", a.fname(), shown(&path)),
            )
            .with_help("give the path of a file"));
    }
    match std::fs::read(&path) {
        Ok(bytes) => Ok((path, bytes)),
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Err(a
            .err(
                0,
                format!("{}: no file exists at {}", a.fname(), shown(&path)),
            )
            .with_help(format!(
                "relative paths are resolved against the stack directory ({}); the file must exist \
                 when the stack is planned",
                shown(ctx.stack_dir)
            ))),
        Err(e) => Err(a
            .err(
                0,
                format!("{}: cannot read {}: {e}", a.fname(), shown(&path)),
            )
            .with_help("check the file's permissions")),
    }
}

fn utf8(a: &Args, path: &Path, bytes: Vec<u8>) -> Result<String, FuncError> {
    String::from_utf8(bytes).map_err(|_| {
        a.err(
            0,
            format!("{}: {} is not valid UTF-8 text", a.fname(), shown(path)),
        )
        .with_help(
            "file() and templatefile() read text; for binary content use filesha256(path) to \
                 track it, or mount the file into the container by path",
        )
    })
}

pub(super) fn file(a: &Args, ctx: &FuncCtx) -> Result<Value, FuncError> {
    let (path, bytes) = read(a, ctx)?;
    Ok(a.string(utf8(a, &path, bytes)?))
}

pub(super) fn filesha256(a: &Args, ctx: &FuncCtx) -> Result<Value, FuncError> {
    let (_, bytes) = read(a, ctx)?;
    Ok(a.string(hex::encode(sha2::Sha256::digest(&bytes))))
}

pub(super) fn fileexists(a: &Args, ctx: &FuncCtx) -> Result<Value, FuncError> {
    let path = resolve(a, ctx)?;
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => Ok(Value::bool(true, a.span)),
        Ok(meta) if meta.is_dir() => Err(a
            .err(
                0,
                format!("fileexists(): {} is a directory, not a file", shown(&path)),
            )
            .with_help("fileexists() tests for regular files")),
        Ok(_) => Err(a
            .err(
                0,
                format!("fileexists(): {} is not a regular file", shown(&path)),
            )
            .with_help("fileexists() tests for regular files")),
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            Ok(Value::bool(false, a.span))
        }
        Err(e) => Err(a
            .err(
                0,
                format!("fileexists(): cannot check {}: {e}", shown(&path)),
            )
            .with_help("check the permissions of the directories on the path")),
    }
}

pub(super) fn templatefile(a: &Args, ctx: &FuncCtx) -> Result<Value, FuncError> {
    let vars = a.non_null(1)?;
    let Some(map) = vars.as_map() else {
        return Err(a
            .type_err(1, "an object or map of template variables")
            .with_help("for example templatefile(\"./app.conf.tpl\", { port = 8080 })"));
    };
    if let Some(bad) = map.keys().find(|k| !is_identifier(k)) {
        return Err(a
            .err(1, format!("templatefile(): invalid template variable name {}", crate::value::quote(bad)))
            .with_help("variable names start with a letter or `_`, followed by letters, digits, `_` and `-`"));
    }
    let (path, bytes) = read(a, ctx)?;
    let text = utf8(a, &path, bytes)?;
    (ctx.render_template)(&text, &path, vars).map_err(|e| {
        FuncError::call(format!(
            "templatefile(): cannot render {}: {e}",
            shown(&path)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{call, FuncCtx};
    use crate::value::Value;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh directory for one test, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let dir = std::env::temp_dir().join(format!("stackc-funcs-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(dir.join("stack/sub")).expect("create temp dir");
            std::fs::write(dir.join("stack/hello.txt"), "hello\n").expect("write");
            std::fs::write(dir.join("stack/sub/inner.txt"), "inner").expect("write");
            std::fs::write(dir.join("stack/binary.bin"), [0xff, 0xfe, 0x00]).expect("write");
            std::fs::write(dir.join("stack/app.tpl"), "port=${port}").expect("write");
            std::fs::write(dir.join("secret.txt"), "outside").expect("write");
            TempDir(dir)
        }
        fn stack(&self) -> PathBuf {
            self.0.join("stack")
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_path_built_from_path_stack_names_the_same_file() {
        // Tests run in the package directory: `src/funcs` stands for `-C src/funcs`.
        let dir = Path::new("src/funcs");
        let plain = call_in(dir, "file", &[s("files.rs")]).unwrap();
        assert_eq!(
            call_in(dir, "file", &[s("src/funcs/files.rs")]).unwrap(),
            plain
        );
        assert_eq!(
            call_in(dir, "file", &[s("./src/funcs/./files.rs")]).unwrap(),
            plain
        );
    }

    #[test]
    fn file_reads_text_relative_to_the_stack() {
        let t = TempDir::new();
        let dir = t.stack();
        assert_eq!(
            call_in(&dir, "file", &[s("hello.txt")]).unwrap(),
            s("hello\n")
        );
        assert_eq!(
            call_in(&dir, "file", &[s("./sub/../sub/inner.txt")]).unwrap(),
            s("inner")
        );
        let abs = t.0.join("secret.txt");
        assert_eq!(
            call_in(&dir, "file", &[s(abs.to_str().unwrap())]).unwrap(),
            s("outside")
        );

        let e = call_in(&dir, "file", &[s("missing.txt")]).unwrap_err();
        assert!(e.message.contains("no file exists at"), "{}", e.message);
        assert!(
            e.message
                .contains(dir.join("missing.txt").to_str().unwrap()),
            "{}",
            e.message
        );
        assert_eq!(e.arg, Some(0));
        assert!(e.help.is_some());

        let e = call_in(&dir, "file", &[s("binary.bin")]).unwrap_err();
        assert!(e.message.contains("not valid UTF-8"), "{}", e.message);
        assert!(e.help.unwrap().contains("filesha256"));

        let e = call_in(&dir, "file", &[s("sub")]).unwrap_err();
        assert!(e.message.contains("is a directory"), "{}", e.message);
        let e = call_in(&dir, "file", &[s("")]).unwrap_err();
        assert!(e.message.contains("empty"), "{}", e.message);
        let e = call_in(&dir, "file", &[s("hello.txt/x")]).unwrap_err();
        assert!(e.message.contains("no file exists"), "{}", e.message);
    }

    #[test]
    fn relative_paths_cannot_escape() {
        let t = TempDir::new();
        let dir = t.stack();
        for p in [
            "../secret.txt",
            "sub/../../secret.txt",
            "./../stack/../secret.txt",
        ] {
            for f in ["file", "fileexists", "filesha256"] {
                let e = call_in(&dir, f, &[s(p)]).unwrap_err();
                assert!(
                    e.message.contains("outside the stack directory"),
                    "{f} {p}: {}",
                    e.message
                );
                assert!(e.help.as_deref().unwrap_or("").contains("absolute path"));
            }
        }
        // `..` that stays inside is fine.
        assert!(call_in(&dir, "file", &[s("sub/../hello.txt")]).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_cannot_escape() {
        let t = TempDir::new();
        let dir = t.stack();
        std::os::unix::fs::symlink(t.0.join("secret.txt"), dir.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(&t.0, dir.join("up")).unwrap();
        std::os::unix::fs::symlink(dir.join("hello.txt"), dir.join("inside.txt")).unwrap();
        let e = call_in(&dir, "file", &[s("link.txt")]).unwrap_err();
        assert!(e.message.contains("symbolic link"), "{}", e.message);
        let e = call_in(&dir, "fileexists", &[s("up/missing.txt")]).unwrap_err();
        assert!(
            e.message.contains("outside the stack directory"),
            "{}",
            e.message
        );
        assert_eq!(
            call_in(&dir, "file", &[s("inside.txt")]).unwrap(),
            s("hello\n")
        );
    }

    #[test]
    fn fileexists_and_filesha256() {
        let t = TempDir::new();
        let dir = t.stack();
        assert_eq!(
            call_in(&dir, "fileexists", &[s("hello.txt")]).unwrap(),
            b(true)
        );
        assert_eq!(
            call_in(&dir, "fileexists", &[s("nope.txt")]).unwrap(),
            b(false)
        );
        assert_eq!(
            call_in(&dir, "fileexists", &[s("hello.txt/x")]).unwrap(),
            b(false)
        );
        let e = call_in(&dir, "fileexists", &[s("sub")]).unwrap_err();
        assert!(e.message.contains("is a directory"), "{}", e.message);

        assert_eq!(
            call_in(&dir, "filesha256", &[s("hello.txt")]).unwrap(),
            s("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
        );
        assert!(call_in(&dir, "filesha256", &[s("binary.bin")]).is_ok());
        let e = call_in(&dir, "filesha256", &[s("nope")]).unwrap_err();
        assert!(e.message.contains("no file exists"), "{}", e.message);
    }

    fn render(text: &str, path: &Path, vars: &Value) -> Result<Value, String> {
        let port = vars
            .as_map()
            .and_then(|m| m.get("port"))
            .and_then(Value::to_template_string);
        match port {
            Some(p) if path.ends_with("app.tpl") => {
                Ok(Value::string(text.replace("${port}", &p), sp()))
            }
            _ => Err("port is not set".into()),
        }
    }

    fn call_tpl(dir: &Path, args: &[Value]) -> Result<Value, super::super::FuncError> {
        let spans = vec![sp(); args.len()];
        let ctx = FuncCtx {
            stack_dir: dir,
            call_span: sp(),
            arg_spans: &spans,
            render_template: &render,
        };
        call("templatefile", args, &ctx)
    }

    #[test]
    fn templatefile_renders_with_vars() {
        let t = TempDir::new();
        let dir = t.stack();
        assert_eq!(
            call_tpl(&dir, &[s("app.tpl"), obj(&[("port", n(8080.0))])]).unwrap(),
            s("port=8080")
        );
        assert_eq!(
            call_tpl(&dir, &[s("app.tpl"), map(&[("port", s("1"))])]).unwrap(),
            s("port=1")
        );
        let e = call_tpl(&dir, &[s("app.tpl"), obj(&[])]).unwrap_err();
        assert!(
            e.message.contains("cannot render") && e.message.contains("port is not set"),
            "{}",
            e.message
        );
        let e = call_tpl(&dir, &[s("app.tpl"), strs(&["a"])]).unwrap_err();
        assert_eq!(e.arg, Some(1));
        assert!(e.message.contains("object or map"), "{}", e.message);
        let e = call_tpl(&dir, &[s("app.tpl"), null()]).unwrap_err();
        assert_eq!(e.arg, Some(1));
        let e = call_tpl(&dir, &[s("app.tpl"), obj(&[("not valid", n(1.0))])]).unwrap_err();
        assert!(
            e.message.contains("invalid template variable name"),
            "{}",
            e.message
        );
        let e = call_tpl(&dir, &[s("missing.tpl"), obj(&[])]).unwrap_err();
        assert!(e.message.contains("no file exists"), "{}", e.message);
        let e = call_tpl(&dir, &[s("../secret.txt"), obj(&[])]).unwrap_err();
        assert!(e.message.contains("outside"), "{}", e.message);
        let e = call_tpl(&dir, &[s("binary.bin"), obj(&[])]).unwrap_err();
        assert!(e.message.contains("UTF-8"), "{}", e.message);
    }
}
