//! stackc engine: the resource model (typed specs decoded from the language's values), and
//! later admission, the dependency graph, observe → diff → plan, and apply.

pub mod admission;
pub mod model;
