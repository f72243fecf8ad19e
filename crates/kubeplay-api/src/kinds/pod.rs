//! `Pod` (v1) and the pod-spec pieces that workloads embed: containers, ports, env, resources,
//! probes, tolerations, node selection, affinity and topology spread. Fields the simulator does
//! not act on (volumes, security contexts…) are kept as raw JSON so they still round-trip and are
//! not reported as unknown. The raw fields are boxed (8 bytes when unset instead of 32): they
//! are almost always unset, and 28 of them inline made every pod some 600 bytes larger.
//! The policy-like strings that defaulting and admission fill with fixed values
//! (`restartPolicy`, `dnsPolicy`, `schedulerName`, the service account, `preemptionPolicy`)
//! are `Cow<'static, str>`: a default is a borrowed constant, so the 150,000 pods of a
//! ReplicaSet copy a pointer instead of allocating six strings each. Values read from YAML
//! are owned, as before.
use crate::{
    intstr::IntOrString,
    meta::{Condition, ObjectMeta, Raw},
    quantity::Quantity,
    selector::{LabelSelector, Labels},
    shared::Shared,
};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A Pod (`v1`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pod {
    /// `v1` (a `Cow`, like the policy strings below: borrowed from a constant when the engine
    /// creates the pod).
    #[serde(default)]
    pub api_version: Cow<'static, str>,
    /// `Pod`.
    #[serde(default)]
    pub kind: Cow<'static, str>,
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Desired state.
    #[serde(default)]
    pub spec: PodSpec,
    /// Observed state, filled by the engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<PodStatus>,
}

/// `PodTemplateSpec`: what a workload stamps its pods from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodTemplateSpec {
    /// Labels/annotations given to each pod.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Pod spec.
    #[serde(default)]
    pub spec: PodSpec,
}

/// `PodSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    /// Application containers (at least one).
    #[serde(default)]
    pub containers: Shared<Vec<Container>>,
    /// Init containers, run in order before the app containers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_containers: Vec<Container>,
    /// Ephemeral debug containers (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_containers: Option<Box<Raw>>,
    /// Volumes (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Box<Raw>>,
    /// `Always` (default), `OnFailure` or `Never`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<Cow<'static, str>>,
    /// Seconds between SIGTERM and SIGKILL on deletion; default 30.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
    /// Deadline for the pod's run time, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
    /// `ClusterFirst` (default), `Default`, `ClusterFirstWithHostNet`, `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_policy: Option<Cow<'static, str>>,
    /// DNS configuration (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_config: Option<Box<Raw>>,
    /// Node labels the pod requires (equality only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<Labels>,
    /// Service account name; `default` is filled by admission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<Cow<'static, str>>,
    /// Deprecated alias of `serviceAccountName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account: Option<Cow<'static, str>>,
    /// Whether to mount the service account token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automount_service_account_token: Option<bool>,
    /// Node the pod is bound to (set by the scheduler, or by the user to bypass it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    /// Use the node's network namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_network: Option<bool>,
    /// Use the node's PID namespace.
    #[serde(rename = "hostPID", skip_serializing_if = "Option::is_none")]
    pub host_pid: Option<bool>,
    /// Use the node's IPC namespace.
    #[serde(rename = "hostIPC", skip_serializing_if = "Option::is_none")]
    pub host_ipc: Option<bool>,
    /// Share one process namespace between containers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_process_namespace: Option<bool>,
    /// Pod security context (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_context: Option<Box<Raw>>,
    /// Image pull secrets (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Box<Raw>>,
    /// Hostname inside the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Subdomain (with a headless Service gives a DNS name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    /// Node and pod (anti-)affinity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Scheduler to use; default `default-scheduler`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduler_name: Option<Cow<'static, str>>,
    /// Tolerations of node taints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Shared<Vec<Toleration>>>,
    /// Extra /etc/hosts entries (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_aliases: Option<Box<Raw>>,
    /// PriorityClass name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
    /// Resolved priority (admission sets 0 without a class).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// Readiness gates (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness_gates: Option<Box<Raw>>,
    /// RuntimeClass name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_class_name: Option<String>,
    /// Inject service environment variables; default true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_service_links: Option<bool>,
    /// `PreemptLowerPriority` or `Never`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preemption_policy: Option<Cow<'static, str>>,
    /// RuntimeClass overhead (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overhead: Option<Box<Raw>>,
    /// Topology spread constraints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topology_spread_constraints: Option<Vec<TopologySpreadConstraint>>,
    /// Use the FQDN as hostname.
    #[serde(rename = "setHostnameAsFQDN", skip_serializing_if = "Option::is_none")]
    pub set_hostname_as_fqdn: Option<bool>,
    /// OS of the pod (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<Box<Raw>>,
    /// User namespaces switch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_users: Option<bool>,
    /// Scheduling gates (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduling_gates: Option<Box<Raw>>,
    /// Dynamic resource claims (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_claims: Option<Box<Raw>>,
    /// Pod-level resources (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Box<Raw>>,
    /// Hostname override (alpha, kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname_override: Option<String>,
}

/// `Container`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// DNS-1123 label, unique in the pod.
    #[serde(default)]
    pub name: String,
    /// Image reference (`nginx:1.25`). Required for app containers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// `Always`, `IfNotPresent` or `Never`; defaulted from the image tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// Entrypoint override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// Arguments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Working directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Exposed ports (informational, but named ports resolve Service targetPorts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    /// Environment from ConfigMaps/Secrets (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env_from: Option<Box<Raw>>,
    /// Resource requests and limits.
    #[serde(default, skip_serializing_if = "ResourceRequirements::is_empty")]
    pub resources: ResourceRequirements,
    /// In-place resize policy (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resize_policy: Option<Box<Raw>>,
    /// Volume mounts (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Box<Raw>>,
    /// Block devices (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_devices: Option<Box<Raw>>,
    /// Liveness probe: failing restarts the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    /// Readiness probe: failing removes the pod from Service endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    /// Startup probe: holds the other probes until it succeeds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    /// Lifecycle hooks (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Box<Raw>>,
    /// Default `/dev/termination-log`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_message_path: Option<String>,
    /// Default `File`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_message_policy: Option<String>,
    /// Container security context (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_context: Option<Box<Raw>>,
    /// Keep stdin open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stdin: Option<bool>,
    /// Close stdin after the first attach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stdin_once: Option<bool>,
    /// Allocate a TTY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Init containers only: `Always` makes a native sidecar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
    /// Per-exit-code restart rules (alpha, kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy_rules: Option<Box<Raw>>,
}

/// `ContainerPort`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    /// IANA_SVC_NAME, referable from a Service `targetPort`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Port number, 1..=65535.
    #[serde(default)]
    pub container_port: i32,
    /// Port on the node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i32>,
    /// Host IP to bind the host port to.
    #[serde(rename = "hostIP", skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    /// `TCP` (default), `UDP` or `SCTP`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// `EnvVar`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    /// Variable name.
    #[serde(default)]
    pub name: String,
    /// Literal value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Value from a field, resource, ConfigMap or Secret (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_from: Option<Box<Raw>>,
}

/// `ResourceRequirements`: resource name (`cpu`, `memory`, …) → quantity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRequirements {
    /// Upper bounds.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, Quantity>,
    /// What the scheduler reserves.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, Quantity>,
    /// Dynamic resource claims (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Box<Raw>>,
}

impl ResourceRequirements {
    /// True when nothing is set (then the field is omitted on output, like upstream `{}`).
    pub fn is_empty(&self) -> bool {
        self.limits.is_empty() && self.requests.is_empty() && self.claims.is_none()
    }

    /// CPU request in milli-cores (0 when unset).
    pub fn cpu_request_millis(&self) -> i64 {
        self.requests.get("cpu").map_or(0, Quantity::milli_value)
    }

    /// Memory request in bytes (0 when unset).
    pub fn memory_request_bytes(&self) -> i64 {
        self.requests.get("memory").map_or(0, Quantity::value)
    }
}

/// `Probe`: one handler plus timing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    /// Run a command in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecAction>,
    /// HTTP GET against the pod IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGetAction>,
    /// TCP connect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_socket: Option<TcpSocketAction>,
    /// gRPC health check (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc: Option<GrpcAction>,
    /// Seconds before the first probe; default 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<i32>,
    /// Probe timeout; default 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i32>,
    /// Interval; default 10.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i32>,
    /// Successes to count as passing; default 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<i32>,
    /// Failures to count as failing; default 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<i32>,
    /// Probe-level grace period override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
}

/// `ExecAction`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecAction {
    /// Command line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
}

/// `HTTPGetAction`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpGetAction {
    /// Path; default `/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Port number or container port name.
    #[serde(default)]
    pub port: IntOrString,
    /// Host; default the pod IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `HTTP` (default) or `HTTPS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Extra headers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http_headers: Vec<HttpHeader>,
}

/// One HTTP header of a probe.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpHeader {
    /// Header name.
    #[serde(default)]
    pub name: String,
    /// Header value.
    #[serde(default)]
    pub value: String,
}

/// `TCPSocketAction`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TcpSocketAction {
    /// Port number or container port name.
    #[serde(default)]
    pub port: IntOrString,
    /// Host; default the pod IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// `GRPCAction`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrpcAction {
    /// Port number.
    #[serde(default)]
    pub port: i32,
    /// gRPC service name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// `Toleration` of a node taint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Toleration {
    /// Taint key; empty with `Exists` tolerates everything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `Equal` (default) or `Exists` (also `Gt`/`Lt` in alpha clusters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Taint value for `Equal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule`, `NoExecute`; empty matches all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    /// For `NoExecute`: seconds the pod stays bound after the taint appears.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i64>,
}

/// `Affinity`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Affinity {
    /// Node affinity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_affinity: Option<NodeAffinity>,
    /// Pod affinity (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_affinity: Option<Box<Raw>>,
    /// Pod anti-affinity (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_anti_affinity: Option<Box<Raw>>,
}

/// `NodeAffinity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeAffinity {
    /// Hard requirement (terms are ORed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_during_scheduling_ignored_during_execution: Option<NodeSelector>,
    /// Soft preferences with weights 1..=100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred_during_scheduling_ignored_during_execution: Vec<PreferredSchedulingTerm>,
}

/// `NodeSelector`: an OR of terms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelector {
    /// Terms; a node matches if any term matches.
    #[serde(default)]
    pub node_selector_terms: Vec<NodeSelectorTerm>,
}

/// `NodeSelectorTerm`: an AND of requirements.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelectorTerm {
    /// Requirements on node labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<NodeSelectorRequirement>,
    /// Requirements on node fields (`metadata.name`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_fields: Vec<NodeSelectorRequirement>,
}

/// `NodeSelectorRequirement` (operators `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelectorRequirement {
    /// Label key.
    #[serde(default)]
    pub key: String,
    /// Operator.
    #[serde(default)]
    pub operator: String,
    /// Values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// `PreferredSchedulingTerm`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreferredSchedulingTerm {
    /// Weight 1..=100.
    #[serde(default)]
    pub weight: i32,
    /// The term.
    #[serde(default)]
    pub preference: NodeSelectorTerm,
}

/// `TopologySpreadConstraint`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopologySpreadConstraint {
    /// Allowed skew (≥ 1).
    #[serde(default)]
    pub max_skew: i32,
    /// Node label that defines the domains.
    #[serde(default)]
    pub topology_key: String,
    /// `DoNotSchedule` or `ScheduleAnyway`.
    #[serde(default)]
    pub when_unsatisfiable: String,
    /// Pods counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<LabelSelector>,
    /// Minimum number of eligible domains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_domains: Option<i32>,
    /// `Honor` (default) or `Ignore`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_affinity_policy: Option<String>,
    /// `Honor` or `Ignore` (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_taints_policy: Option<String>,
    /// Pod label keys added to the selector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_label_keys: Option<Vec<String>>,
}

/// `PodStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown` (a `Cow`: the kubelet writes a
    /// constant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<Cow<'static, str>>,
    /// `PodScheduled`, `Initialized`, `ContainersReady`, `Ready`…
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// Human-readable reason for the phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Machine-readable reason (`Evicted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Node chosen by preemption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nominated_node_name: Option<String>,
    /// IP of the node.
    #[serde(rename = "hostIP", skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    /// IP of the pod.
    #[serde(rename = "podIP", skip_serializing_if = "Option::is_none")]
    pub pod_ip: Option<String>,
    /// When the kubelet acknowledged the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// Init container states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_container_statuses: Vec<ContainerStatus>,
    /// App container states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub container_statuses: Vec<ContainerStatus>,
    /// `Guaranteed`, `Burstable` or `BestEffort` (a constant, borrowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qos_class: Option<Cow<'static, str>>,
    /// All pod IPs (kept raw).
    #[serde(rename = "podIPs", skip_serializing_if = "Option::is_none")]
    pub pod_ips: Option<Box<Raw>>,
    /// All host IPs (kept raw).
    #[serde(rename = "hostIPs", skip_serializing_if = "Option::is_none")]
    pub host_ips: Option<Box<Raw>>,
    /// Ephemeral container states (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_container_statuses: Option<Box<Raw>>,
    /// In-place resize state (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resize: Option<Box<Raw>>,
    /// Resource claim states (kept raw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_claim_statuses: Option<Box<Raw>>,
    /// Generation the kubelet last saw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// `ContainerStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    /// Container name.
    #[serde(default)]
    pub name: String,
    /// Passing its readiness probe.
    #[serde(default)]
    pub ready: bool,
    /// Restarts so far.
    #[serde(default)]
    pub restart_count: i32,
    /// Image.
    #[serde(default)]
    pub image: String,
    /// Image ID.
    #[serde(rename = "imageID", default)]
    pub image_id: String,
    /// Runtime container ID.
    #[serde(rename = "containerID", skip_serializing_if = "Option::is_none")]
    pub container_id: Option<String>,
    /// Started (startup probe passed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<bool>,
    /// Current state.
    #[serde(default)]
    pub state: ContainerState,
    /// Previous state (after a restart).
    #[serde(default, skip_serializing_if = "ContainerState::is_empty")]
    pub last_state: ContainerState,
}

/// `ContainerState`: at most one of the three is set. Each is boxed: a pod keeps two of these
/// per container (state and lastState) with usually one detail between them, and inline
/// details would make every pod's status some 800 bytes larger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerState {
    /// Waiting (`ContainerCreating`, `CrashLoopBackOff`, `ImagePullBackOff`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting: Option<Box<StateDetail>>,
    /// Running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running: Option<Box<StateDetail>>,
    /// Terminated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminated: Option<Box<StateDetail>>,
}

impl ContainerState {
    /// No state recorded.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_none() && self.running.is_none() && self.terminated.is_none()
    }
}

/// Details of a container state (the union of the three upstream structs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateDetail {
    /// Reason (`CrashLoopBackOff`, `Completed`, `Error`; the kubelet's are constants,
    /// borrowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Cow<'static, str>>,
    /// Message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Exit code (terminated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Start time (running/terminated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// End time (terminated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Signal that ended the process (terminated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    /// Runtime container ID (terminated).
    #[serde(rename = "containerID", skip_serializing_if = "Option::is_none")]
    pub container_id: Option<String>,
}
