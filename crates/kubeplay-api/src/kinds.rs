//! The simulated kinds, one per file, and the [`Object`] enum over them.
pub mod deployment;
pub mod instancegroup;
pub mod namespace;
pub mod node;
pub mod pod;
pub mod replicaset;
pub mod service;
