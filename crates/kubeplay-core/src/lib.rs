//! kubeplay's deterministic cluster simulator.
//!
//! One seed in, integer virtual time, a single event queue ordered by (time, seq): the same
//! seed and the same inputs give a byte-identical trace natively and in the browser.
#![deny(clippy::disallowed_types, clippy::disallowed_methods)]

pub mod clock;
pub mod events;
pub mod hash;
pub mod names;
pub mod queue;
pub mod rng;
pub mod trace;
pub mod workqueue;

/// Version of the simulator, shown in the page header and `kubeplay --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod controllers;
pub mod network;
pub mod scheduler;
