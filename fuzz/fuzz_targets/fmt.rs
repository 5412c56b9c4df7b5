//! The formatter never panics, and what it formats stays formatted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackc_lang::{fmt, FileId};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(once) = fmt::format_source(FileId(0), text) {
        let twice = fmt::format_source(FileId(0), &once);
        assert_eq!(twice.as_deref(), Ok(once.as_str()), "formatting is not idempotent");
    }
});
