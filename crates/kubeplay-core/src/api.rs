//! The kubeplay-api types the core works on, re-exported from one place.
//!
//! Keeping every `use kubeplay_api::…` path here means a reorganisation of the api crate touches
//! one file of the core.
pub use kubeplay_api::intstr::IntOrString;
pub use kubeplay_api::kinds::deployment::{
    Deployment, DeploymentSpec, DeploymentStatus, DeploymentStrategy, RollingUpdateDeployment,
};
pub use kubeplay_api::kinds::instancegroup::{InstanceGroup, InstanceGroupSpec};
pub use kubeplay_api::kinds::namespace::{Namespace, NamespaceSpec, NamespaceStatus};
pub use kubeplay_api::kinds::node::{Node, NodeAddress, NodeSpec, NodeStatus, Taint};
pub use kubeplay_api::kinds::pod::{
    Container, ContainerState, ContainerStatus, Pod, PodSpec, PodStatus, PodTemplateSpec, Probe,
    StateDetail, Toleration,
};
pub use kubeplay_api::kinds::replicaset::{ReplicaSet, ReplicaSetSpec, ReplicaSetStatus};
pub use kubeplay_api::kinds::service::Service;
pub use kubeplay_api::meta::{Condition, ObjectMeta, OwnerReference, LAST_APPLIED_ANNOTATION};
pub use kubeplay_api::quantity::Quantity;
pub use kubeplay_api::selector::{LabelSelector, Labels};
pub use kubeplay_api::{Kind, Object};
