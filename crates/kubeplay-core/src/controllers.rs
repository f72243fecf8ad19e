//! Controllers: level-triggered reconcilers woken through the work queue.
//!
//! The failure-and-healing ones (node lifecycle and taint-based eviction, pod GC, kops
//! instance groups with the cloud node lifecycle controller) are pure state machines: the sim
//! feeds them the API view and applies the writes they return.
pub mod instance_group;
pub mod node_lifecycle;
pub mod pod_gc;
