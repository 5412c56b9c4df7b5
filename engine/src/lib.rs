//! stackc engine: the resource model (typed specs decoded from the language's values),
//! admission, the dependency graph of instances, the `Provider` trait (with an in-memory
//! provider for tests) and the apply executor; observe → diff → plan come next.

pub mod admission;
pub mod apply;
pub mod graph;
pub mod load;
pub mod memory;
pub mod model;
pub mod plan;
pub mod provider;
pub mod service;
pub mod state;
pub mod watch;
