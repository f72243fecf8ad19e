//! kubeplay's deterministic cluster simulator.
//!
//! One seed in, integer virtual time, a single event queue ordered by (time, seq): the same
//! seed and the same inputs give a byte-identical trace natively and in the browser.
//!
//! ```
//! use kubeplay_core::Sim;
//! let mut sim = Sim::new(42);                      // control plane + 3 × t3.medium
//! let text = include_str!("../../../static/examples/hello-world.yaml");
//! let objects = kubeplay_api::load(text).into_objects();
//! sim.apply(objects);
//! sim.run_until(60_000).unwrap();                  // one virtual minute
//! assert_eq!(sim.running_ready_pods(), 2);
//! println!("trace hash {:016x}", sim.trace_hash());
//! ```
//!
//! Layout: [`sim`] (state, loop, public API), [`ops`] (apply/delete, GC, nodes, chaos),
//! [`kubelet`] and [`app`] (what runs on nodes), [`placement`] (scheduler glue),
//! [`controllers`] (ReplicaSet, Deployment), [`store`], [`trace`], [`events`], [`snapshot`],
//! [`invariants`].
#![deny(clippy::disallowed_types, clippy::disallowed_methods)]
#![deny(missing_docs)]

pub mod api;
pub mod app;
pub mod caps;
pub mod childset;
mod chunked;
pub mod clock;
pub mod controllers;
mod digits;
pub mod events;
pub mod hash;
pub mod invariants;
pub mod kubelet;
pub mod lifecycle;
pub mod names;
pub mod node;
pub mod ops;
pub mod placement;
pub mod pods;
pub mod queue;
pub mod rng;
pub mod scheduler;
pub mod schedwire;
pub mod sim;
pub mod snapshot;
pub mod store;
pub mod strtable;
pub mod trace;
pub mod workqueue;

pub use events::Event;
pub use kubelet::HttpFailure;
pub use placement::SchedulingDecision;
pub use sim::{ApplyAction, ApplyOutcome, Hook, Propagation, Sim, SimConfig, Stalled};
pub use snapshot::{NodeView, PodView, Snapshot};
pub use trace::TraceEvent;

/// Version of the simulator, shown in the page header and `kubeplay --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub mod network;
