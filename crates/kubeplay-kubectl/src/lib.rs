//! kubeplay's command layer: the kubectl subset, `sim` verbs and scenario scripts, shared by
//! the CLI and the browser terminal. Pure: commands in, text out; no IO, no clock, builds for
//! `wasm32-unknown-unknown`.
//!
//! A line is tokenized like a shell ([`token`]), classified by [`command::parse_line`] (which
//! alone decides the kubectl error texts for unknown commands and flags, via [`flags`]), then
//! run by a [`Session`] against the simulator. Output is built from objects as JSON by the
//! printers — [`printers`] (`get` tables), [`describe`], [`json`], [`yaml`], [`jsonpath`]
//! (also custom-columns and `--sort-by`) — and aligned by a port of Go's [`tabwriter`], so
//! columns, spacing and ages ([`duration`]) match kubectl v1.34.
//!
//! Everything that runs commands against the simulator sits behind the `engine` feature (on by
//! default), so the pure grammar and printers build on their own.
#![deny(clippy::disallowed_types, clippy::disallowed_methods)]

#[cfg(feature = "engine")]
mod apply;
#[cfg(feature = "engine")]
mod cluster;
pub mod command;
#[cfg(feature = "engine")]
mod complete;
pub mod describe;
pub mod duration;
pub mod explain;
pub mod flags;
#[cfg(feature = "engine")]
mod get;
pub mod help;
#[cfg(feature = "engine")]
mod info;
pub mod json;
pub mod jsonpath;
#[cfg(feature = "engine")]
mod kubeconfig;
#[cfg(feature = "engine")]
mod kubectl;
#[cfg(feature = "engine")]
mod mutate;
pub mod printers;
pub mod quantity;
pub mod resource;
pub mod selector;
#[cfg(feature = "engine")]
mod session;
#[cfg(feature = "engine")]
mod simverbs;
pub mod tabwriter;
pub mod token;
#[cfg(feature = "engine")]
mod traffic;
pub mod yaml;

#[cfg(feature = "engine")]
pub use session::{
    CommandOutput, FileSource, MemFiles, NoFiles, ScriptFailure, ScriptOutput, Session,
};
