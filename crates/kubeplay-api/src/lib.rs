//! Kubernetes API types and the manifest loader for kubeplay.
//!
//! Everything the user types enters through [`load`]: multi-document YAML (and `kind: List`)
//! becomes typed [`Object`]s with Kubernetes field names, the defaults the API server would
//! fill (§8 of the semantics reference), and [`Diagnostic`]s with the API server's exact
//! validation messages, field paths and line:column positions. Kinds the simulator does not run
//! are listed in [`LoadResult::not_simulated`], never blocking the rest. Pure: no IO, no clock,
//! no randomness, no hash-ordered collections, so it builds for `wasm32-unknown-unknown` and
//! natively alike. Hostile input is bounded by [`Limits`].
//!
//! ```
//! let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: -1\n";
//! let result = kubeplay_api::load(text);
//! let first = &result.diagnostics[0];
//! assert_eq!(
//!     first.render(),
//!     "The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
//! );
//! assert_eq!(first.position.map(|p| (p.line, p.column)), Some((5, 13)));
//! ```
#![deny(clippy::disallowed_types, clippy::disallowed_methods)]
#![deny(missing_docs)]

mod convert;
pub mod defaults;
mod diag;
pub mod intstr;
pub mod kinds;
mod limits;
mod load;
pub mod meta;
mod object;
pub mod quantity;
pub mod selector;
pub mod shared;
pub mod validate;
pub mod yaml;

pub use diag::{Category, Diagnostic, Position, Severity, Subject};
pub use intstr::IntOrString;
pub use kinds::{
    deployment::{Deployment, DeploymentSpec, DeploymentStatus, DeploymentStrategy},
    instancegroup::{InstanceGroup, InstanceGroupSpec},
    namespace::Namespace,
    node::{Node, NodeSpec, NodeStatus, Taint},
    pod::{Container, Pod, PodSpec, PodStatus, PodTemplateSpec},
    replicaset::{ReplicaSet, ReplicaSetSpec, ReplicaSetStatus},
    service::{Service, ServicePort, ServiceSpec, ServiceStatus},
};
pub use limits::Limits;
pub use load::{load, load_with, locate, Document, LoadResult, Loaded, LoadedObject, NotSimulated};
pub use meta::{ObjectMeta, OwnerReference, LAST_APPLIED_ANNOTATION};
pub use object::{Kind, Object};
pub use quantity::Quantity;
pub use selector::{LabelSelector, Labels};
pub use shared::Shared;
