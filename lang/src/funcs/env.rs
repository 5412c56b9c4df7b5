//! `env(name)` and `env(name, default)`: read the environment of the stackc process.
//!
//! The environment is read at plan time, so a plan depends on where it runs; a missing variable
//! without a default is therefore an error rather than a silent empty string, which would plan
//! the wrong thing without a word.

use super::{Args, FuncError};
use crate::value::Value;

pub(super) fn env(a: &Args) -> Result<Value, FuncError> {
    let name = a.str(0)?;
    if name.is_empty() || name.contains('=') || name.contains('\0') {
        return Err(a
            .err(
                0,
                format!(
                    "env(): {} is not a valid environment variable name",
                    a.show(&name)
                ),
            )
            .with_help("names are non-empty and contain neither `=` nor NUL characters"));
    }
    match std::env::var_os(&*name) {
        Some(value) => match value.into_string() {
            Ok(s) => Ok(a.string(s)),
            Err(_) => Err(a
                .err(0, format!("env(): the environment variable {name} is not valid UTF-8"))
                .with_help("set it to UTF-8 text")),
        },
        None => match a.values.get(1) {
            Some(default) => Ok(default.clone()),
            None => Err(a
                .err(0, format!("env(): the environment variable {name} is not set"))
                .with_help(format!(
                    "set {name} in the environment that runs stackc, or give a default: env(\"{name}\", \"fallback\")"
                ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn reads_the_environment() {
        // PATH is set wherever tests run; nothing here modifies the environment, so the tests
        // stay safe to run in parallel.
        let path = std::env::var("PATH").expect("PATH is set");
        assert_eq!(ok("env", &[s("PATH")]), s(&path));
        assert_eq!(ok("env", &[s("PATH"), s("fallback")]), s(&path));
    }

    #[test]
    fn missing_variables_need_a_default() {
        let name = "STACKC_TEST_SURELY_UNSET_VARIABLE_1234";
        assert_eq!(ok("env", &[s(name), s("fallback")]), s("fallback"));
        assert_eq!(ok("env", &[s(name), null()]), null());
        let e = fails("env", &[s(name)], "is not set");
        assert_eq!(e.arg, Some(0));
        assert!(e.help.unwrap().contains("give a default"));
    }

    #[test]
    fn invalid_names_are_errors() {
        fails("env", &[s("")], "not a valid environment variable name");
        fails("env", &[s("A=B")], "not a valid environment variable name");
        fails("env", &[s("A\0B")], "not a valid environment variable name");
        fails("env", &[null()], "must not be null");
    }
}
