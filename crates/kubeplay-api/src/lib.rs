//! Kubernetes API types and the manifest loader for kubeplay.
//!
//! Everything the user types enters through [`load`]: multi-document YAML becomes typed
//! objects plus diagnostics with line:column. Pure: no IO, no clock, no randomness, so it
//! builds for `wasm32-unknown-unknown` and natively alike.
#![deny(clippy::disallowed_types, clippy::disallowed_methods)]

mod load;

pub use load::{load, Document, Loaded};
