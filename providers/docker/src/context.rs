//! Build contexts, assembled in memory as tar archives.
//!
//! Entries written from the spec (the `from_host` files, image `files`, the Dockerfile) are
//! dated 0, owned by root, and come with explicit entries for their parent directories, so
//! that the same inputs always make the same layer: `COPY` keeps what the archive says, and a
//! directory it had to invent would be dated now.

use crate::DockerError;
use std::collections::BTreeSet;
use std::path::Path;

pub(crate) struct Context {
    builder: tar::Builder<Vec<u8>>,
    dirs: BTreeSet<String>,
}

impl Context {
    pub(crate) fn new() -> Context {
        let mut builder = tar::Builder::new(Vec::new());
        // Symbolic links stay links, as in the directory.
        builder.follow_symlinks(false);
        Context {
            builder,
            dirs: BTreeSet::new(),
        }
    }

    fn header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(size);
        header.set_mode(mode & 0o7777);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_cksum();
        header
    }

    /// The entries of `name`'s parent directories that are not in the archive yet.
    fn parents(&mut self, name: &str) -> Result<(), DockerError> {
        let mut prefix = String::new();
        let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            prefix.push_str(part);
            prefix.push('/');
            if self.dirs.insert(prefix.clone()) {
                let mut header = Self::header(tar::EntryType::Directory, 0, 0o755);
                self.builder
                    .append_data(&mut header, &prefix, std::io::empty())
                    .map_err(DockerError::io(Path::new(&prefix)))?;
            }
        }
        Ok(())
    }

    /// A file with `bytes` at `name` (relative to the context).
    pub(crate) fn add_file(
        &mut self,
        name: &str,
        bytes: &[u8],
        mode: u32,
    ) -> Result<(), DockerError> {
        let name = name.trim_start_matches('/');
        self.parents(name)?;
        let mut header = Self::header(tar::EntryType::Regular, bytes.len() as u64, mode);
        self.builder
            .append_data(&mut header, name, bytes)
            .map_err(DockerError::io(Path::new(name)))
    }

    /// The directory `dir`, as it is on disk (times and modes kept, so Docker's build cache
    /// can tell an unchanged context), under `prefix` (empty: the context's root), leaving
    /// out what `ignore` excludes. Entries are added in name order, so the archive does
    /// not depend on the order the file system lists them.
    pub(crate) fn add_dir(
        &mut self,
        prefix: &str,
        dir: &Path,
        ignore: &Ignore,
    ) -> Result<(), DockerError> {
        if !dir.is_dir() {
            return Err(DockerError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            });
        }
        if !prefix.is_empty() {
            self.builder
                .append_path_with_name(dir, prefix)
                .map_err(DockerError::io(dir))?;
        }
        self.walk(prefix, dir, "", ignore)
    }

    fn walk(
        &mut self,
        prefix: &str,
        dir: &Path,
        relative: &str,
        ignore: &Ignore,
    ) -> Result<(), DockerError> {
        let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)
            .map_err(DockerError::io(dir))?
            .collect::<Result<_, _>>()
            .map_err(DockerError::io(dir))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(DockerError::failed(
                    entry.path().display().to_string(),
                    "the name is not UTF-8, which a build context cannot hold",
                ));
            };
            let rel = if relative.is_empty() {
                name.to_string()
            } else {
                format!("{relative}/{name}")
            };
            let path = entry.path();
            let is_dir = entry.file_type().map_err(DockerError::io(&path))?.is_dir();
            if !ignore.excludes(&rel) {
                let in_archive = if prefix.is_empty() {
                    rel.clone()
                } else {
                    format!("{prefix}/{rel}")
                };
                self.builder
                    .append_path_with_name(&path, &in_archive)
                    .map_err(DockerError::io(&path))?;
            }
            // An excluded directory may still hold a re-included file (`!docs/README.md`).
            if is_dir && (!ignore.excludes(&rel) || ignore.has_exceptions()) {
                self.walk(prefix, &path, &rel, ignore)?;
            }
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<Vec<u8>, DockerError> {
        self.builder
            .into_inner()
            .map_err(DockerError::io(Path::new("build context")))
    }
}

/// `.dockerignore`, as the docker CLI reads it: one pattern a line, `#` comments, `!` to
/// re-include; `*`, `?`, `[…]` within a path component and `**` across them; a pattern that
/// matches a directory excludes what is below it; the last matching pattern decides.
#[derive(Debug, Default)]
pub(crate) struct Ignore {
    patterns: Vec<(bool, Vec<char>)>,
}

impl Ignore {
    pub(crate) fn parse(text: &str) -> Ignore {
        let patterns = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (exception, p) = match l.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, l),
                };
                let cleaned: Vec<&str> = p
                    .split('/')
                    .filter(|s| !s.is_empty() && *s != ".")
                    .collect();
                (exception, cleaned.join("/").chars().collect())
            })
            .filter(|(_, p): &(bool, Vec<char>)| !p.is_empty())
            .collect();
        Ignore { patterns }
    }

    /// The `.dockerignore` of `dir`, or nothing.
    pub(crate) fn of(dir: &Path) -> Ignore {
        std::fs::read_to_string(dir.join(".dockerignore"))
            .map(|t| Ignore::parse(&t))
            .unwrap_or_default()
    }

    fn has_exceptions(&self) -> bool {
        self.patterns.iter().any(|(exception, _)| *exception)
    }

    /// True when `path` (relative, `/`-separated) is left out.
    pub(crate) fn excludes(&self, path: &str) -> bool {
        let path: Vec<char> = path.chars().collect();
        // The path itself and each of its parents: a matched directory takes its contents.
        let candidates: Vec<&[char]> = path
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == '/')
            .map(|(i, _)| &path[..i])
            .chain(std::iter::once(path.as_slice()))
            .collect();
        let mut excluded = false;
        for (exception, pattern) in &self.patterns {
            if candidates.iter().any(|c| glob(pattern, c)) {
                excluded = !exception;
            }
        }
        excluded
    }
}

/// Shell-style matching of one path against one pattern.
fn glob(p: &[char], s: &[char]) -> bool {
    match p {
        [] => s.is_empty(),
        ['*', '*', '/', rest @ ..] => {
            // Zero or more whole directories.
            glob(rest, s)
                || s.iter()
                    .enumerate()
                    .filter(|(_, c)| **c == '/')
                    .any(|(i, _)| glob(rest, &s[i + 1..]))
        }
        ['*', '*', rest @ ..] => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        ['*', rest @ ..] => {
            let within = s.iter().position(|c| *c == '/').unwrap_or(s.len());
            (0..=within).any(|i| glob(rest, &s[i..]))
        }
        ['?', rest @ ..] => matches!(s.first(), Some(c) if *c != '/') && glob(rest, &s[1..]),
        ['[', rest @ ..] => {
            let Some(end) = rest.iter().position(|c| *c == ']') else {
                // An unclosed class is taken literally.
                return s.first() == Some(&'[') && glob(rest, &s[1..]);
            };
            let (class, after) = (&rest[..end], &rest[end + 1..]);
            let Some(&c) = s.first() else { return false };
            let (negated, class) = match class {
                ['^' | '!', more @ ..] => (true, more),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            c != '/' && hit != negated && glob(after, &s[1..])
        }
        ['\\', c, rest @ ..] => s.first() == Some(c) && glob(rest, &s[1..]),
        [c, rest @ ..] => s.first() == Some(c) && glob(rest, &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_patterns() {
        let i = Ignore::parse(
            "# comment\nnode_modules\n*.log\n**/*.tmp\n/build/\ndocs\n!docs/README.md\n[ab].txt\n",
        );
        for excluded in [
            "node_modules",
            "node_modules/x/y.js",
            "debug.log",
            "a/b/c.tmp",
            "x.tmp",
            "build/out.o",
            "docs/guide.md",
            "a.txt",
        ] {
            assert!(i.excludes(excluded), "{excluded}");
        }
        for kept in [
            "src/debug.log",
            "src/main.rs",
            "docs/README.md",
            "c.txt",
            "builder",
        ] {
            assert!(!i.excludes(kept), "{kept}");
        }
    }

    #[test]
    fn generated_entries_do_not_depend_on_the_clock() {
        let make = || {
            let mut c = Context::new();
            c.add_file("rootfs/bin/tool", b"x", 0o755).unwrap();
            c.add_file("rootfs/etc/app.conf", b"y", 0o644).unwrap();
            c.finish().unwrap()
        };
        let a = make();
        assert_eq!(a, make());
        let mut archive = tar::Archive::new(a.as_slice());
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "rootfs/",
                "rootfs/bin/",
                "rootfs/bin/tool",
                "rootfs/etc/",
                "rootfs/etc/app.conf"
            ]
        );
    }
}
