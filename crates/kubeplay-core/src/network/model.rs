//! What the network layer sees of the cluster: small, flat views of Services, Pods and Nodes.
//!
//! The network model does not read the object store directly. The Sim adapter
//! ([`super::sim`]) flattens the store into a [`ClusterView`] after every change, and the
//! model is a pure function of the sequence of views it was given and the virtual times at
//! which it got them. That keeps this module testable without a Sim and keeps the store's
//! representation free to change.

use super::ip::Ip;
use std::collections::BTreeMap;

/// Virtual milliseconds (the Sim's clock).
pub type Ms = u64;

/// Labels and selectors: ordered maps, so iteration is deterministic.
pub type Labels = BTreeMap<String, String>;

/// L4 protocol of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// TCP (the default).
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl Protocol {
    /// Upstream spelling: `TCP`, `UDP`, `SCTP`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    /// Parses the upstream spelling (case-sensitive, as the API server is).
    pub fn parse(s: &str) -> Option<Protocol> {
        match s {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

/// `targetPort`: a number, or the name of a container port resolved per pod.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TargetPort {
    /// `targetPort: 8080`.
    Number(u16),
    /// `targetPort: http`.
    Name(String),
}

/// One entry of `spec.ports`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePortSpec {
    /// `name` (may be empty when the Service has a single port).
    pub name: String,
    /// `protocol` (defaulted to TCP).
    pub protocol: Protocol,
    /// `port`, the port on the ClusterIP and on the load balancer.
    pub port: u16,
    /// `targetPort` (defaulted to `port`).
    pub target_port: TargetPort,
    /// `nodePort` as the user wrote it; `None` = allocate one (NodePort / LoadBalancer).
    pub node_port: Option<u16>,
}

/// `spec.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ServiceType {
    /// `ClusterIP` (the default).
    ClusterIp,
    /// `NodePort`.
    NodePort,
    /// `LoadBalancer`.
    LoadBalancer,
    /// `ExternalName`: a DNS alias, no proxying and no endpoints.
    ExternalName,
}

impl ServiceType {
    /// Upstream spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::ClusterIp => "ClusterIP",
            ServiceType::NodePort => "NodePort",
            ServiceType::LoadBalancer => "LoadBalancer",
            ServiceType::ExternalName => "ExternalName",
        }
    }

    /// Whether the type gets NodePorts (`NodePort` and `LoadBalancer`).
    pub fn has_node_ports(self) -> bool {
        matches!(self, ServiceType::NodePort | ServiceType::LoadBalancer)
    }
}

/// `spec.externalTrafficPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum TrafficPolicy {
    /// `Cluster` (default): any node forwards to any endpoint, source NAT'd.
    #[default]
    Cluster,
    /// `Local`: a node only forwards to its own endpoints, source preserved.
    Local,
}

/// The parts of a Service spec the network needs, already defaulted (semantics §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSpec {
    /// `spec.type`.
    pub type_: ServiceType,
    /// `spec.selector`; `None` (or empty) = no controller-managed endpoints.
    pub selector: Option<Labels>,
    /// `spec.ports`.
    pub ports: Vec<ServicePortSpec>,
    /// `spec.clusterIP` as written: `None` = allocate, `Some("None")` = headless.
    pub cluster_ip: Option<String>,
    /// `sessionAffinity: ClientIP` with its `timeoutSeconds` (default 10800); `None` = `None`.
    pub session_affinity_timeout_s: Option<u32>,
    /// `spec.externalTrafficPolicy`.
    pub external_traffic_policy: TrafficPolicy,
    /// `spec.publishNotReadyAddresses`.
    pub publish_not_ready_addresses: bool,
    /// `spec.healthCheckNodePort` as written (only meaningful for LoadBalancer + Local).
    pub health_check_node_port: Option<u16>,
}

impl Default for ServiceSpec {
    fn default() -> Self {
        ServiceSpec {
            type_: ServiceType::ClusterIp,
            selector: None,
            ports: Vec::new(),
            cluster_ip: None,
            session_affinity_timeout_s: None,
            external_traffic_policy: TrafficPolicy::Cluster,
            publish_not_ready_addresses: false,
            health_check_node_port: None,
        }
    }
}

/// A Service as the network sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceView {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.uid`; the AWS load balancer name is derived from it, as the cloud provider does.
    pub uid: String,
    /// The defaulted spec.
    pub spec: ServiceSpec,
}

/// A container port of a pod (`spec.containers[].ports[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPortView {
    /// `name`, used to resolve named `targetPort`s.
    pub name: Option<String>,
    /// `containerPort`.
    pub port: u16,
    /// `protocol`.
    pub protocol: Protocol,
}

/// `status.phase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodPhase {
    /// Not yet running.
    Pending,
    /// At least one container running.
    Running,
    /// All containers exited 0 and will not restart.
    Succeeded,
    /// All containers terminated, at least one in failure.
    Failed,
    /// Node lost.
    Unknown,
}

/// A pod as the network sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodView {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels`.
    pub labels: Labels,
    /// `status.podIP` (set once the sandbox exists).
    pub ip: Option<Ip>,
    /// `spec.nodeName`.
    pub node: Option<String>,
    /// `status.phase`.
    pub phase: PodPhase,
    /// The `Ready` condition is `True` (readiness probe passing, or no probe and started).
    pub ready: bool,
    /// `metadata.deletionTimestamp` is set (graceful termination in progress).
    pub terminating: bool,
    /// What the app listens on, and from when: a request to a port with no entry, or before
    /// `listening_from`, is refused. A pod keeps listening during its grace period until its
    /// process exits, so a terminating pod can still answer.
    pub listeners: Vec<Listener>,
    /// The body a 200 answer carries (the Sim's app model); `None` = the built-in hello body.
    pub body: Option<String>,
    /// All container ports, in spec order.
    pub ports: Vec<ContainerPortView>,
    /// First container's image (picks the simulated app's response).
    pub image: String,
    /// First container's literal env vars, echoed by the hello-world app.
    pub env: Vec<(String, String)>,
}

/// A port a pod's app listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listener {
    /// Container port number.
    pub port: u16,
    /// Listening from this time on (`None`: not listening: container not running, or
    /// being killed).
    pub listening_from: Option<Ms>,
    /// Listening until this time (exclusive): the process got SIGTERM and closed its socket.
    pub listening_until: Option<Ms>,
    /// The app answers 503 from this time on (readiness failing), if ever.
    pub failing_from: Option<Ms>,
}

impl Listener {
    /// Whether it accepts connections at `t`.
    #[inline]
    pub fn accepts_at(&self, t: Ms) -> bool {
        self.listening_from.is_some_and(|f| t >= f) && self.listening_until.is_none_or(|u| t < u)
    }

    /// Always listening, never failing: hand-built views and tests.
    pub fn up(port: u16) -> Listener {
        Listener {
            port,
            listening_from: Some(0),
            listening_until: None,
            failing_from: None,
        }
    }
}

impl PodView {
    /// The listener on `port` if it accepts connections at `t`.
    #[inline]
    pub fn listener_at(&self, port: u16, t: Ms) -> Option<&Listener> {
        self.listeners
            .iter()
            .find(|l| l.port == port && l.accepts_at(t))
    }

    /// Whether anything of the pod accepts connections at `t`.
    pub fn accepting_at(&self, t: Ms) -> bool {
        self.listeners.iter().any(|l| l.accepts_at(t))
    }
}

/// A node as the network sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeView {
    /// `metadata.name`.
    pub name: String,
    /// The node's InternalIP.
    pub ip: Ip,
    /// The machine is up (kube-proxy and the node's network work). A dead EC2 instance is
    /// `false` even while the API still says Ready.
    pub alive: bool,
    /// The `Ready` condition as the API shows it (informational: since v1.30 the service
    /// controller no longer drops NotReady nodes from load balancers, see [`super::lb`]).
    pub ready: bool,
    /// Label `node.kubernetes.io/exclude-from-external-load-balancers` present (kops sets it on
    /// control-plane nodes).
    pub exclude_from_lb: bool,
}

/// Everything the network model reads from the cluster at one instant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterView {
    /// Nodes, any order (the model sorts by name where order matters).
    pub nodes: Vec<NodeView>,
    /// Pods, any order.
    pub pods: Vec<PodView>,
    /// Services, any order.
    pub services: Vec<ServiceView>,
}

/// `(namespace, name)` of a Service.
pub type SvcKey = (String, String);
