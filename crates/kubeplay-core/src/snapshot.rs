//! A flat, render-ready view of the cluster for the UI: nodes with capacity and usage, pods
//! with their node, phase, readiness and owner. Small structs in sorted vectors, rebuilt on
//! demand, so the renderer never walks the store.
use crate::kubelet::{CState, PodPhase};
use crate::sim::Sim;
use crate::store::PodRec;

/// One node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeView {
    /// Name.
    pub name: String,
    /// Ready condition is True (kubelet posting status).
    pub ready: bool,
    /// Kubelet process running.
    pub kubelet_running: bool,
    /// Instance terminated.
    pub terminated: bool,
    /// Cordoned.
    pub unschedulable: bool,
    /// Carries the control-plane role label.
    pub control_plane: bool,
    /// `topology.kubernetes.io/zone`.
    pub zone: String,
    /// `kops.k8s.io/instancegroup`.
    pub instance_group: String,
    /// Internal IP.
    pub ip: String,
    /// Allocatable CPU, millicores.
    pub alloc_cpu_milli: i64,
    /// Allocatable memory, bytes.
    pub alloc_memory_bytes: i64,
    /// Allocatable pods.
    pub alloc_pods: i64,
    /// Requested CPU, millicores.
    pub requested_cpu_milli: i64,
    /// Requested memory, bytes.
    pub requested_memory_bytes: i64,
    /// Pods bound.
    pub pods: i64,
}

/// One pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodView {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Bound node.
    pub node: Option<String>,
    /// Phase.
    pub phase: &'static str,
    /// kubectl's STATUS column (`ContainerCreating`, `CrashLoopBackOff`, `Terminating`, …).
    pub status: String,
    /// Ready condition.
    pub ready: bool,
    /// Ready containers.
    pub ready_containers: usize,
    /// Containers.
    pub containers: usize,
    /// Total restarts.
    pub restarts: u32,
    /// Controller owner as `Kind/name`.
    pub owner: Option<String>,
    /// Deployment the pod belongs to (through its ReplicaSet), if any.
    pub deployment: Option<String>,
    /// Pod IP.
    pub ip: Option<String>,
    /// Being deleted.
    pub terminating: bool,
}

/// Everything the renderer needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// Virtual time.
    pub now_ms: u64,
    /// Nodes, sorted by name.
    pub nodes: Vec<NodeView>,
    /// Pods, sorted by namespace and name.
    pub pods: Vec<PodView>,
}

/// kubectl's STATUS column (`printPod` in kubectl's printers): the phase, overridden by a
/// waiting/terminated container reason, then `Terminating` for pods being deleted.
pub fn status_column(rec: &PodRec) -> String {
    let mut reason = rec.rt.phase.as_str().to_string();
    if rec.rt.node.is_none() {
        reason = "Pending".into();
    }
    let mut has_running = false;
    for c in rec.rt.containers.iter().rev() {
        match &c.state {
            CState::Waiting { reason: r, .. } if rec.rt.start_ms.is_some() => {
                reason = r.to_string()
            }
            CState::Terminated(t) => reason = t.reason.to_string(),
            CState::Running { .. } => has_running = true,
            _ => {}
        }
    }
    if reason == "Completed" && has_running {
        reason = if rec.rt.ready { "Running" } else { "NotReady" }.into();
    }
    if rec.rt.deleting_ms.is_some() {
        reason = "Terminating".into();
    }
    reason
}

impl Sim {
    /// Build the flat view.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            now_ms: self.now,
            nodes: self.node_views(),
            pods: self.pod_views(),
        }
    }

    /// The nodes part of [`Sim::snapshot`], sorted by name.
    pub fn node_views(&self) -> Vec<NodeView> {
        self.store
            .nodes
            .iter()
            .map(|(name, n)| {
                let r = self.store.requested_on(name);
                let l = &n.node.metadata.labels;
                let ready = n.node.status.as_ref().is_some_and(|s| {
                    s.conditions
                        .iter()
                        .any(|c| c.type_ == "Ready" && c.status == "True")
                });
                NodeView {
                    name: name.clone(),
                    ready,
                    kubelet_running: n.rt.kubelet_running,
                    terminated: n.rt.terminated,
                    unschedulable: n.node.spec.unschedulable == Some(true),
                    control_plane: l.contains_key("node-role.kubernetes.io/control-plane"),
                    zone: l
                        .get("topology.kubernetes.io/zone")
                        .cloned()
                        .unwrap_or_default(),
                    instance_group: l
                        .get("kops.k8s.io/instancegroup")
                        .cloned()
                        .unwrap_or_default(),
                    ip: crate::node::ip_string(n.rt.ip),
                    alloc_cpu_milli: n.rt.alloc_cpu_milli,
                    alloc_memory_bytes: n.rt.alloc_memory_bytes,
                    alloc_pods: n.rt.alloc_pods,
                    requested_cpu_milli: r.cpu_milli,
                    requested_memory_bytes: r.memory_bytes,
                    pods: r.pods,
                }
            })
            .collect()
    }

    /// The pods part of [`Sim::snapshot`], sorted by namespace and name.
    pub fn pod_views(&self) -> Vec<PodView> {
        self.store
            .pods()
            .iter()
            .map(|(k, rec)| {
                let owner = rec.pod.metadata.controller_of();
                let deployment = owner
                    .filter(|o| o.kind == "ReplicaSet")
                    .and_then(|o| self.store.replicaset_deployment(&k.0, &o.name))
                    .map(str::to_string);
                PodView {
                    namespace: k.0.clone(),
                    name: k.1.clone(),
                    node: rec.rt.node.clone(),
                    phase: rec.rt.phase.as_str(),
                    status: status_column(rec),
                    ready: rec.rt.ready,
                    ready_containers: rec.rt.containers.iter().filter(|c| c.ready).count(),
                    containers: rec.rt.containers.len(),
                    restarts: rec.rt.containers.iter().map(|c| c.restart_count).sum(),
                    owner: owner.map(|o| format!("{}/{}", o.kind, o.name)),
                    deployment,
                    ip: rec.rt.ip.map(crate::node::ip_string),
                    terminating: rec.rt.deleting_ms.is_some(),
                }
            })
            .collect()
    }

    /// Pods in phase Running and Ready (handy for tests and the UI header).
    pub fn running_ready_pods(&self) -> usize {
        self.store
            .pods()
            .values()
            .filter(|r| r.rt.phase == PodPhase::Running && r.rt.ready)
            .count()
    }
}
