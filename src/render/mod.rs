//! Rendering of engine results for people and programs; no logic lives here.

pub mod plan;
pub mod progress;
