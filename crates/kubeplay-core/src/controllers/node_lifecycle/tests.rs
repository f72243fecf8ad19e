//! Timelines of issue 6 derived from the upstream rules (5 s monitor ticks, strict `>` on the
//! 50 s grace, lease renewals every 10 s, 300 s default tolerations), on a tiny harness that
//! plays the API server and the kubelets.

use super::*;

const HEARTBEAT_MS: Ms = 10_000;

struct Harness {
    nl: NodeLifecycle,
    nodes: Vec<NodeView>,
    /// Kubelet running per node.
    running: Vec<bool>,
    pods: Vec<PodView>,
    now: Ms,
    log: Vec<(Ms, Action)>,
    deleted: Vec<(Ms, String)>,
}

fn pod(name: &str, node: &str, tolerations: Vec<Toleration>) -> PodView {
    PodView {
        namespace: "default".into(),
        name: name.into(),
        node: node.into(),
        tolerations,
        ready: true,
        terminating: false,
    }
}

fn defaults() -> Vec<Toleration> {
    let mut t = Vec::new();
    add_default_tolerations(&mut t);
    t
}

impl Harness {
    fn new(nodes: &[(&str, &str)]) -> Self {
        Harness {
            nl: NodeLifecycle::new(),
            nodes: nodes
                .iter()
                .map(|(n, z)| NodeView {
                    name: n.to_string(),
                    zone: z.to_string(),
                    heartbeat_ms: Some(0),
                    kubelet_ready: Some(Status::True),
                    memory_pressure: false,
                    disk_pressure: false,
                    pid_pressure: false,
                    network_unavailable: false,
                    unschedulable: false,
                    taints: Vec::new(),
                })
                .collect(),
            running: vec![true; nodes.len()],
            pods: Vec::new(),
            now: 0,
            log: Vec::new(),
            deleted: Vec::new(),
        }
    }

    fn idx(&self, node: &str) -> usize {
        self.nodes
            .iter()
            .position(|n| n.name == node)
            .expect("node")
    }

    fn stop(&mut self, node: &str) {
        let i = self.idx(node);
        self.running[i] = false;
    }

    fn start(&mut self, node: &str) {
        let i = self.idx(node);
        self.running[i] = true;
        self.nodes[i].heartbeat_ms = Some(self.now);
        self.nodes[i].kubelet_ready = Some(Status::True);
    }

    /// Advance to `until`, stepping through heartbeats and controller wake-ups in time order
    /// (at equal times heartbeats land first).
    fn run_until(&mut self, until: Ms) {
        for _ in 0..1_000_000 {
            let next_hb = (self.now / HEARTBEAT_MS + 1) * HEARTBEAT_MS;
            let wake = self.nl.next_wakeup_ms().max(self.now);
            let t = next_hb.min(wake);
            if t > until {
                self.now = until;
                return;
            }
            self.now = t;
            if t == next_hb {
                for (i, n) in self.nodes.iter_mut().enumerate() {
                    if self.running[i] {
                        n.heartbeat_ms = Some(t);
                        n.kubelet_ready = Some(Status::True);
                    }
                }
            }
            if t >= self.nl.next_wakeup_ms() {
                let actions = self.nl.reconcile(t, &self.nodes, &self.pods);
                self.apply(actions);
            }
        }
        panic!("harness did not reach {until}");
    }

    fn apply(&mut self, actions: Vec<Action>) {
        for a in actions {
            match &a {
                Action::SetTaints { node, taints } => {
                    let i = self.idx(node);
                    self.nodes[i].taints = taints.clone();
                }
                Action::MarkPodNotReady { name, .. } => {
                    if let Some(p) = self.pods.iter_mut().find(|p| p.name == *name) {
                        p.ready = false;
                    }
                }
                Action::DeletePod { name, .. } => {
                    self.deleted.push((self.now, name.clone()));
                    self.pods.retain(|p| p.name != *name);
                }
                _ => {}
            }
            self.log.push((self.now, a));
        }
    }

    fn events(&self, reason: &str) -> Vec<(Ms, String, String)> {
        self.log
            .iter()
            .filter_map(|(t, a)| match a {
                Action::Event {
                    reason: r,
                    name,
                    message,
                    ..
                } if *r == reason => Some((*t, name.clone(), message.clone())),
                _ => None,
            })
            .collect()
    }

    fn unknown_at(&self) -> Vec<(Ms, String)> {
        self.log
            .iter()
            .filter_map(|(t, a)| match a {
                Action::ConditionsUnknown {
                    node,
                    reason,
                    message,
                } => {
                    assert_eq!(*reason, "NodeStatusUnknown");
                    assert_eq!(*message, "Kubelet stopped posting node status.");
                    Some((*t, node.clone()))
                }
                _ => None,
            })
            .collect()
    }

    fn taint_keys(&self, node: &str) -> Vec<String> {
        let i = self.idx(node);
        let mut v: Vec<String> = self.nodes[i]
            .taints
            .iter()
            .map(|t| format!("{}:{}", t.key, t.effect.as_str()))
            .collect();
        v.sort();
        v
    }
}

fn three_nodes() -> Harness {
    let mut h = Harness::new(&[("a", ""), ("b", ""), ("c", "")]);
    h.pods = vec![pod("web-1", "b", defaults()), pod("web-2", "a", defaults())];
    h
}

/// Kubelet stops at 62 s: its last lease renewal (60 s) is seen at the 60 s tick, so the node
/// goes Unknown at the first tick strictly after 60 + 50 = 110 s, i.e. 115 s; the unreachable
/// taints land at once (0.1/s bucket starts full) and the pod is evicted 300 s later.
#[test]
fn kubelet_stop_unknown_then_eviction_after_300s() {
    let mut h = three_nodes();
    h.run_until(62_000);
    h.stop("b");
    h.run_until(114_999);
    assert!(h.unknown_at().is_empty());
    h.run_until(115_000);
    assert_eq!(h.unknown_at(), [(115_000, "b".to_string())]);
    assert_eq!(
        h.events("NodeNotReady"),
        [
            (
                115_000,
                "b".to_string(),
                "Node b status is now: NodeNotReady".to_string()
            ),
            (
                115_000,
                "web-1".to_string(),
                "Node is not ready".to_string()
            ),
        ]
    );
    assert!(
        !h.pods
            .iter()
            .find(|p| p.name == "web-1")
            .expect("pod")
            .ready
    );
    assert_eq!(
        h.taint_keys("b"),
        [
            "node.kubernetes.io/unreachable:NoExecute",
            "node.kubernetes.io/unreachable:NoSchedule"
        ]
    );
    h.run_until(414_999);
    assert!(h.deleted.is_empty());
    h.run_until(500_000);
    assert_eq!(h.deleted, [(415_000, "web-1".to_string())]);
    assert_eq!(
        h.events("TaintManagerEviction"),
        [(
            415_000,
            "web-1".to_string(),
            "Marking for deletion Pod default/web-1".to_string()
        )]
    );
}

/// The kubelet comes back at 200 s (after that instant's tick), before the 300 s run out: the
/// controller sees the fresh heartbeat at the 205 s tick, removes the taints and cancels the
/// pending eviction (with its event); nothing is deleted.
#[test]
fn recovery_before_eviction_cancels_it() {
    let mut h = three_nodes();
    h.run_until(62_000);
    h.stop("b");
    h.run_until(200_000);
    h.start("b");
    h.run_until(205_000);
    assert!(h.taint_keys("b").is_empty());
    assert_eq!(
        h.events("TaintManagerEviction"),
        [(
            205_000,
            "web-1".to_string(),
            "Cancelling deletion of Pod default/web-1".to_string()
        )]
    );
    h.run_until(900_000);
    assert!(h.deleted.is_empty());
}

/// tolerationSeconds 60 on unreachable: evicted 60 s after the taint.
#[test]
fn pod_tolerating_unreachable_for_60s() {
    let mut h = three_nodes();
    let mut t = vec![Toleration::exists(
        TAINT_UNREACHABLE,
        Some(TaintEffect::NoExecute),
        Some(60),
    )];
    add_default_tolerations(&mut t);
    h.pods.push(pod("short", "b", t));
    h.run_until(62_000);
    h.stop("b");
    h.run_until(600_000);
    assert_eq!(
        h.deleted,
        [
            (175_000, "short".to_string()),
            (415_000, "web-1".to_string())
        ]
    );
}

/// No tolerationSeconds: tolerated forever, never evicted.
#[test]
fn pod_tolerating_unreachable_forever() {
    let mut h = three_nodes();
    h.pods = vec![pod(
        "forever",
        "b",
        vec![Toleration::exists(TAINT_UNREACHABLE, None, None)],
    )];
    h.run_until(62_000);
    h.stop("b");
    h.run_until(2_000_000);
    assert!(h.deleted.is_empty());
    assert!(h.events("TaintManagerEviction").is_empty());
}

/// A pod with no toleration at all is deleted as soon as the NoExecute taint lands.
#[test]
fn untolerated_pod_is_deleted_at_once() {
    let mut h = three_nodes();
    h.pods = vec![pod("bare", "b", Vec::new())];
    h.run_until(62_000);
    h.stop("b");
    h.run_until(300_000);
    assert_eq!(h.deleted, [(115_000, "bare".to_string())]);
}

/// One node, and it dies: the only zone is fully disrupted, so the controller removes
/// NoExecute taints and evicts nothing (the node still goes Unknown and NoSchedule-tainted).
#[test]
fn one_node_full_disruption_evicts_nothing() {
    let mut h = Harness::new(&[("solo", "")]);
    h.pods = vec![pod("web-1", "solo", defaults())];
    h.run_until(62_000);
    h.stop("solo");
    h.run_until(3_600_000);
    assert_eq!(h.unknown_at(), [(115_000, "solo".to_string())]);
    assert_eq!(
        h.taint_keys("solo"),
        ["node.kubernetes.io/unreachable:NoSchedule"]
    );
    assert!(h.deleted.is_empty());
}

/// Three of ten nodes in a zone die at once: the zone stays Normal (30% < 55%), and the
/// 0.1/s token bucket taints them 10 s apart.
#[test]
fn eviction_rate_limit_taints_ten_seconds_apart() {
    let names: Vec<String> = (0..10).map(|i| format!("n{i}")).collect();
    let nodes: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "z1")).collect();
    let mut h = Harness::new(&nodes);
    h.pods = (0..3)
        .map(|i| pod(&format!("p{i}"), &format!("n{i}"), Vec::new()))
        .collect();
    h.run_until(62_000);
    for i in 0..3 {
        h.stop(&format!("n{i}"));
    }
    h.run_until(300_000);
    let mut times: Vec<Ms> = h.deleted.iter().map(|(t, _)| *t).collect();
    times.sort();
    assert_eq!(times, [115_000, 125_000, 135_000]);
}

/// Six of ten nodes die: partial disruption in a small zone (≤ 50 nodes) stops tainting.
#[test]
fn partial_disruption_in_small_zone_stops_evictions() {
    let names: Vec<String> = (0..10).map(|i| format!("n{i}")).collect();
    let nodes: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "z1")).collect();
    let mut h = Harness::new(&nodes);
    h.pods = (0..6)
        .map(|i| pod(&format!("p{i}"), &format!("n{i}"), Vec::new()))
        .collect();
    h.run_until(62_000);
    for i in 0..6 {
        h.stop(&format!("n{i}"));
    }
    h.run_until(1_000_000);
    assert!(h.deleted.is_empty(), "{:?}", h.deleted);
}

/// `DefaultTolerationSeconds` does not add what the pod already tolerates.
#[test]
fn default_tolerations_respect_existing_ones() {
    let mut t = vec![Toleration::exists("", None, None)];
    add_default_tolerations(&mut t);
    assert_eq!(t.len(), 1);
    let mut t = vec![Toleration::exists(
        TAINT_UNREACHABLE,
        Some(TaintEffect::NoExecute),
        Some(60),
    )];
    add_default_tolerations(&mut t);
    assert_eq!(t.len(), 2);
    assert_eq!(t[1].key, TAINT_NOT_READY);
    assert_eq!(t[1].toleration_seconds, Some(300));
}

/// Cordoning adds the unschedulable NoSchedule taint at the next monitor pass.
#[test]
fn cordon_adds_unschedulable_taint() {
    let mut h = three_nodes();
    h.run_until(7_000);
    let i = h.idx("a");
    h.nodes[i].unschedulable = true;
    h.run_until(10_000);
    assert_eq!(
        h.taint_keys("a"),
        ["node.kubernetes.io/unschedulable:NoSchedule"]
    );
}
