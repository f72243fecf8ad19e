//! The flat snapshot the page draws from (style.md R12): plain data copied out of the
//! simulator once per frame that changed something. The canvas and the text panels read only
//! this; they never hold the simulator.

/// What a pod looks like right now (one visual state per Kubernetes-visible phase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodState {
    /// Not scheduled yet.
    Pending,
    /// Scheduled; image being pulled.
    Pulling,
    /// Container starting.
    Starting,
    /// Running but not ready.
    Running,
    /// Running and ready.
    Ready,
    /// Being deleted (grace period).
    Terminating,
    /// CrashLoopBackOff.
    CrashLoop,
    /// Evicted / Failed.
    Evicted,
    /// Completed.
    Succeeded,
}

impl PodState {
    /// Short human label (also used in the accessible summary).
    pub fn label(self) -> &'static str {
        match self {
            PodState::Pending => "Pending",
            PodState::Pulling => "ContainerCreating",
            PodState::Starting => "Starting",
            PodState::Running => "Running",
            PodState::Ready => "Running",
            PodState::Terminating => "Terminating",
            PodState::CrashLoop => "CrashLoopBackOff",
            PodState::Evicted => "Evicted",
            PodState::Succeeded => "Completed",
        }
    }
    /// One-letter marker drawn on large tiles (so state never relies on colour alone).
    pub fn glyph(self) -> &'static str {
        match self {
            PodState::Pending => "?",
            PodState::Pulling => "↓",
            PodState::Starting => "…",
            PodState::Running => "r",
            PodState::Ready => "",
            PodState::Terminating => "×",
            PodState::CrashLoop => "!",
            PodState::Evicted => "E",
            PodState::Succeeded => "✓",
        }
    }
}

/// Node condition as drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeState {
    /// Instance booting, kubelet not registered yet.
    Provisioning,
    /// Ready.
    Ready,
    /// NotReady / Unknown (kubelet stopped, instance gone).
    NotReady,
    /// Instance terminating.
    Terminating,
}

/// A node.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeView {
    /// Node name.
    pub name: String,
    /// Instance group (kops) it belongs to; empty when none.
    pub group: String,
    /// Condition.
    pub state: NodeState,
    /// `spec.unschedulable`.
    pub cordoned: bool,
    /// Taints as `key=value:Effect`.
    pub taints: Vec<String>,
    /// Allocatable CPU, millicores.
    pub cpu_m: u64,
    /// Allocatable memory, bytes.
    pub mem_b: u64,
    /// Sum of pod CPU requests, millicores.
    pub cpu_req_m: u64,
    /// Sum of pod memory requests, bytes.
    pub mem_req_b: u64,
    /// True for control-plane nodes.
    pub control_plane: bool,
}

/// A pod.
#[derive(Debug, Clone, PartialEq)]
pub struct PodView {
    /// `namespace/name` is unique; the name alone is shown.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Owning controller (`Deployment/x`, `ReplicaSet/y`), used for colour.
    pub owner: String,
    /// Node it is bound to.
    pub node: Option<String>,
    /// Visual state.
    pub state: PodState,
    /// Container restarts.
    pub restarts: u32,
}

/// A Service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceView {
    /// Name.
    pub name: String,
    /// `ClusterIP`, `NodePort`, `LoadBalancer`.
    pub kind: String,
    /// External address once the LB has one.
    pub external: Option<String>,
    /// Names of ready endpoint pods.
    pub endpoints: Vec<String>,
}

/// One request in flight, for the dots along LB → node → pod.
#[derive(Debug, Clone, PartialEq)]
pub struct Flight {
    /// Unique id (monotonic).
    pub id: u64,
    /// Service it entered.
    pub service: String,
    /// Node it went through.
    pub node: String,
    /// Pod that answered.
    pub pod: String,
    /// Whether it succeeded.
    pub ok: bool,
}

/// Everything drawn in one frame.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct View {
    /// Virtual time, ms.
    pub now_ms: u64,
    /// Changes whenever anything but `now_ms` changes (the renderer's layout cache key).
    pub version: u64,
    /// Nodes, in a stable order.
    pub nodes: Vec<NodeView>,
    /// Pods, in a stable order.
    pub pods: Vec<PodView>,
    /// Services.
    pub services: Vec<ServiceView>,
    /// Requests started since the previous snapshot.
    pub flights: Vec<Flight>,
}

impl View {
    /// The accessible one-paragraph summary (`data-testid="cluster-summary"`).
    pub fn summary(&self) -> String {
        use std::collections::BTreeMap;
        let ready = self
            .nodes
            .iter()
            .filter(|n| n.state == NodeState::Ready)
            .count();
        let mut s = format!("{} nodes ({} Ready", self.nodes.len(), ready);
        let not_ready = self
            .nodes
            .iter()
            .filter(|n| n.state == NodeState::NotReady)
            .count();
        if not_ready > 0 {
            s.push_str(&format!(", {not_ready} NotReady"));
        }
        let prov = self
            .nodes
            .iter()
            .filter(|n| n.state == NodeState::Provisioning)
            .count();
        if prov > 0 {
            s.push_str(&format!(", {prov} provisioning"));
        }
        let cordoned = self.nodes.iter().filter(|n| n.cordoned).count();
        if cordoned > 0 {
            s.push_str(&format!(", {cordoned} cordoned"));
        }
        s.push_str("). ");
        let mut by: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &self.pods {
            *by.entry(p.state.label()).or_default() += 1;
        }
        s.push_str(&format!("{} pods", self.pods.len()));
        if !by.is_empty() {
            let parts: Vec<String> = by.iter().map(|(k, v)| format!("{v} {k}")).collect();
            s.push_str(&format!(": {}", parts.join(", ")));
        }
        s.push('.');
        for svc in &self.services {
            s.push_str(&format!(
                " Service {} ({}{}): {} ready endpoint(s).",
                svc.name,
                svc.kind,
                svc.external
                    .as_deref()
                    .map(|e| format!(" {e}"))
                    .unwrap_or_default(),
                svc.endpoints.len()
            ));
        }
        s
    }
}

/// Something on the canvas that can be hovered and selected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjRef {
    /// A node by name.
    Node(String),
    /// A pod by name.
    Pod(String),
    /// A Service by name.
    Service(String),
    /// The control plane.
    ControlPlane,
}

impl ObjRef {
    /// `kind/name` as kubectl writes it.
    pub fn kubectl_ref(&self) -> String {
        match self {
            ObjRef::Node(n) => format!("node/{n}"),
            ObjRef::Pod(n) => format!("pod/{n}"),
            ObjRef::Service(n) => format!("service/{n}"),
            ObjRef::ControlPlane => "control-plane".into(),
        }
    }
}

/// A line of `kubectl get events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// Virtual time, ms.
    pub t_ms: u64,
    /// `Normal` or `Warning`.
    pub kind: String,
    /// Reason, e.g. `Scheduled`.
    pub reason: String,
    /// `kind/name`.
    pub object: String,
    /// Message.
    pub message: String,
}

/// A synthetic cluster of `nodes` nodes and `pods` pods whose states churn with `now_ms`
/// (the benchmark page's load; deterministic: a pure function of its arguments).
pub fn synthetic(nodes: usize, pods: usize, now_ms: u64) -> View {
    let mut v = View {
        now_ms,
        version: now_ms / 1000 + 1,
        ..View::default()
    };
    let nodes = nodes.max(1);
    for i in 0..nodes {
        v.nodes.push(NodeView {
            name: format!("node-{i:03}"),
            group: format!("nodes-{}", ["a", "b", "c"][i % 3]),
            state: match (i as u64 + now_ms / 20_000) % 97 {
                0 => NodeState::NotReady,
                1 => NodeState::Terminating,
                2 => NodeState::Provisioning,
                _ => NodeState::Ready,
            },
            cordoned: i % 53 == 7,
            taints: vec![],
            cpu_m: 8000,
            mem_b: 32 << 30,
            cpu_req_m: (i as u64 * 577 + now_ms / 100) % 8000,
            mem_req_b: ((i as u64 * 7919 + now_ms / 50) % 32) << 30,
            control_plane: false,
        });
    }
    let states = [
        PodState::Ready,
        PodState::Ready,
        PodState::Ready,
        PodState::Ready,
        PodState::Running,
        PodState::Starting,
        PodState::Pulling,
        PodState::Terminating,
        PodState::CrashLoop,
        PodState::Evicted,
        PodState::Succeeded,
    ];
    for j in 0..pods {
        let epoch = now_ms / 3_000;
        let h = (j as u64).wrapping_mul(2_654_435_761) ^ epoch.wrapping_mul(40_503);
        let st = if h.is_multiple_of(11) {
            states[(h / 11 % 11) as usize]
        } else {
            PodState::Ready
        };
        v.pods.push(PodView {
            name: format!("pod-{j:05}"),
            namespace: "default".into(),
            owner: format!("ReplicaSet/app-{}", j % 23),
            node: if j % 997 == 5 {
                None
            } else {
                Some(format!("node-{:03}", j % nodes))
            },
            state: if j % 997 == 5 { PodState::Pending } else { st },
            restarts: 0,
        });
    }
    v.services.push(ServiceView {
        name: "bench-lb".into(),
        kind: "LoadBalancer".into(),
        external: Some("203.0.113.10".into()),
        endpoints: vec![],
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_by_phase() {
        let mut v = View::default();
        v.nodes.push(NodeView {
            name: "n1".into(),
            group: "nodes".into(),
            state: NodeState::Ready,
            cordoned: false,
            taints: vec![],
            cpu_m: 2000,
            mem_b: 4 << 30,
            cpu_req_m: 0,
            mem_req_b: 0,
            control_plane: false,
        });
        for st in [PodState::Ready, PodState::Ready, PodState::Pending] {
            v.pods.push(PodView {
                name: "p".into(),
                namespace: "default".into(),
                owner: String::new(),
                node: None,
                state: st,
                restarts: 0,
            });
        }
        assert_eq!(
            v.summary(),
            "1 nodes (1 Ready). 3 pods: 1 Pending, 2 Running."
        );
    }
}
