//! kubeplay's deterministic cluster simulator.
//!
//! One seed in, integer virtual time, a single event queue ordered by (time, seq): the same
//! seed and the same inputs give a byte-identical trace natively and in the browser.
#![deny(clippy::disallowed_types, clippy::disallowed_methods)]

/// Version of the simulator, shown in the page header and `kubeplay --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod scheduler;
pub mod network;
