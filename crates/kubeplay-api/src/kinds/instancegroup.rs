//! kops `InstanceGroup` (`kops.k8s.io/v1alpha2`): a group of machines of one type whose size the
//! simulator keeps between `minSize` and `maxSize`, replacing nodes that die — how the seed
//! article's cluster heals a killed EC2 instance. Cloud-specific fields are kept raw.
use crate::{
    meta::{ObjectMeta, Raw},
    selector::Labels,
};
use serde::{Deserialize, Serialize};

/// A kops InstanceGroup.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceGroup {
    /// `kops.k8s.io/v1alpha2`.
    #[serde(default)]
    pub api_version: String,
    /// `InstanceGroup`.
    #[serde(default)]
    pub kind: String,
    /// Metadata; kops puts the cluster name in the `kops.k8s.io/cluster` label.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Desired state.
    #[serde(default)]
    pub spec: InstanceGroupSpec,
}

/// `InstanceGroupSpec` (the fields the simulator uses, plus common kops fields kept raw).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceGroupSpec {
    /// `Node`, `ControlPlane` (`Master` before kops 1.26), `APIServer` or `Bastion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Machine image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Cloud machine type (`t3.medium`); decides node capacity in the simulator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_type: Option<String>,
    /// Minimum number of machines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_size: Option<i32>,
    /// Maximum number of machines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_size: Option<i32>,
    /// Labels given to every node of the group.
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub node_labels: Labels,
    /// Cloud tags.
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub cloud_labels: Labels,
    /// Taints in kubectl syntax, `key=value:Effect`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<String>,
    /// Subnets (each usually one zone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    /// Availability zones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
    /// Root volume size in GB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_volume_size: Option<i32>,
    /// Root volume type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_volume_type: Option<String>,
    /// Spot max price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_price: Option<String>,
    /// Mixed instances policy (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mixed_instances_policy: Option<Raw>,
    /// Associate a public IP.
    #[serde(rename = "associatePublicIp", skip_serializing_if = "Option::is_none")]
    pub associate_public_ip: Option<bool>,
    /// Extra security groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_security_groups: Option<Vec<String>>,
    /// Extra user data (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_user_data: Option<Raw>,
    /// Kubelet overrides (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubelet: Option<Raw>,
    /// Instance metadata options (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_metadata: Option<Raw>,
    /// Detailed monitoring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detailed_instance_monitoring: Option<bool>,
    /// Suspended autoscaling processes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend_processes: Option<Vec<String>>,
    /// Rolling update settings (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rolling_update: Option<Raw>,
    /// Manager (`CloudGroup` or `Karpenter`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// Extra IAM settings (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iam: Option<Raw>,
}
