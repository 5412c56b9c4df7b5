//! Hashing functions: `sha256`, `md5` and `uuidv5`.
//!
//! Hashes are of the UTF-8 bytes of the string and are written in lower-case hexadecimal, as in
//! Terraform, so values computed by either tool agree.

use super::{Args, FuncError};
use crate::value::Value;
use sha2::Digest as _;

pub(super) fn sha256(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    Ok(a.string(hex::encode(sha2::Sha256::digest(s.as_bytes()))))
}

pub(super) fn md5(a: &Args) -> Result<Value, FuncError> {
    let s = a.str(0)?;
    Ok(a.string(hex::encode(md5::Md5::digest(s.as_bytes()))))
}

pub(super) fn uuidv5(a: &Args) -> Result<Value, FuncError> {
    let ns = a.str(0)?;
    let name = a.str(1)?;
    let namespace = match &*ns {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => uuid::Uuid::parse_str(other).map_err(|_| {
            a.err(0, format!("uuidv5(): the namespace {} is neither a known namespace nor a UUID", a.show(other)))
                .with_help("use \"dns\", \"url\", \"oid\", \"x500\", or a UUID like \"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"")
        })?,
    };
    Ok(a.string(uuid::Uuid::new_v5(&namespace, name.as_bytes()).to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn sha256_and_md5() {
        assert_eq!(
            ok("sha256", &[s("hello world")]),
            s("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        );
        assert_eq!(
            ok("sha256", &[s("")]),
            s("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(
            ok("md5", &[s("hello world")]),
            s("5eb63bbbe01eeed093cb22bb8f5acdc3")
        );
        assert_eq!(ok("md5", &[n(1.0)]), s("c4ca4238a0b923820dcc509a6f75849b"));
        fails("sha256", &[tup(vec![])], "must be a string");
        fails("md5", &[null()], "must not be null");
    }

    #[test]
    fn uuidv5_namespaces() {
        assert_eq!(
            ok("uuidv5", &[s("dns"), s("www.terraform.io")]),
            s("a5008fae-b28c-5ba5-96cd-82b4c53552d6")
        );
        assert_eq!(
            ok("uuidv5", &[s("url"), s("https://www.terraform.io/")]),
            s("9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5")
        );
        assert_eq!(
            ok("uuidv5", &[s("oid"), s("1.3.6.1.4")]),
            s("af9d40a5-7a36-5c07-b23a-851cd99fbfa5")
        );
        assert_eq!(
            ok("uuidv5", &[s("x500"), s("CN=Example,C=GB")]),
            s("84e09961-4aa4-57f8-95b7-03edb1073253")
        );
        assert_eq!(
            ok(
                "uuidv5",
                &[
                    s("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
                    s("www.terraform.io")
                ]
            ),
            s("a5008fae-b28c-5ba5-96cd-82b4c53552d6")
        );
        let e = fails(
            "uuidv5",
            &[s("tada"), s("x")],
            "neither a known namespace nor a UUID",
        );
        assert_eq!(e.arg, Some(0));
        assert!(e.help.is_some());
    }
}
