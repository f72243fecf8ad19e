//! `Node` (v1): capacity, allocatable, taints and labels, so users can model or import a cluster.
use crate::{
    meta::{Condition, ObjectMeta, Raw},
    quantity::Quantity,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A Node (cluster-scoped).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// `v1`.
    #[serde(default)]
    pub api_version: String,
    /// `Node`.
    #[serde(default)]
    pub kind: String,
    /// Metadata (no namespace).
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Desired state.
    #[serde(default)]
    pub spec: NodeSpec,
    /// Capacity, allocatable and conditions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<NodeStatus>,
}

/// `NodeSpec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSpec {
    /// Cordoned: no new pods are scheduled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unschedulable: Option<bool>,
    /// Taints repelling pods without a matching toleration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<Taint>,
    /// Pod IP range.
    #[serde(rename = "podCIDR", skip_serializing_if = "Option::is_none")]
    pub pod_cidr: Option<String>,
    /// Pod IP ranges.
    #[serde(rename = "podCIDRs", skip_serializing_if = "Option::is_none")]
    pub pod_cidrs: Option<Vec<String>>,
    /// Cloud provider id (`aws:///eu-west-1a/i-…`).
    #[serde(rename = "providerID", skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// Deprecated external id.
    #[serde(rename = "externalID", skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Deprecated dynamic kubelet config (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_source: Option<Raw>,
}

/// `Taint`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Taint {
    /// Key.
    #[serde(default)]
    pub key: String,
    /// Value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    #[serde(default)]
    pub effect: String,
    /// When a NoExecute taint was added (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_added: Option<String>,
}

/// `NodeStatus`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    /// Total resources (`cpu`, `memory`, `pods`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capacity: BTreeMap<String, Quantity>,
    /// Resources available to pods; defaults to capacity.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub allocatable: BTreeMap<String, Quantity>,
    /// Deprecated node phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// `Ready`, `MemoryPressure`, `DiskPressure`, `PIDPressure`, `NetworkUnavailable`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// `InternalIP`, `ExternalIP`, `Hostname`…
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<NodeAddress>,
    /// Kubelet endpoint (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daemon_endpoints: Option<Raw>,
    /// OS, kernel, kubelet versions (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_info: Option<Raw>,
    /// Images present on the node (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<Raw>,
    /// Volumes in use (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes_in_use: Option<Raw>,
    /// Volumes attached (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes_attached: Option<Raw>,
    /// Kubelet config status (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Raw>,
    /// Runtime handlers (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_handlers: Option<Raw>,
    /// Node features (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<Raw>,
}

/// `NodeAddress`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeAddress {
    /// `InternalIP`, `ExternalIP`, `Hostname`, `InternalDNS`, `ExternalDNS`.
    #[serde(default, rename = "type")]
    pub type_: String,
    /// The address.
    #[serde(default)]
    pub address: String,
}
