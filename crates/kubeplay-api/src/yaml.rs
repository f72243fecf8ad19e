//! YAML in and out: a span-aware reader (every node keeps its line:column) and a writer that
//! prints JSON values the way `kubectl get -o yaml` does.
pub mod de;
pub mod emit;
pub mod json;
pub mod resolve;
pub mod tree;
