//! Controllers: level-triggered reconcilers woken through the work queue.
//!
//! Each `sync_*` looks at the store as it is (not at why it was woken) and issues the writes
//! that move the cluster toward the spec, through `Sim` methods that record every change.
//! The workload ones (ReplicaSet, Deployment) run on the sim directly; the failure-and-healing
//! ones (node lifecycle and taint-based eviction, pod GC, kops instance groups with the cloud
//! node lifecycle controller) are pure state machines: the sim feeds them the API view and
//! applies the writes they return.
pub mod deployment;
pub mod failures;
pub mod instance_group;
pub mod node_lifecycle;
pub mod pod_gc;
pub mod replicaset;
pub mod util;
