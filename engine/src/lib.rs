//! stackc engine.
