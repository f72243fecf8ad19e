//! Issue 6 scenarios on the real Sim, with the failure controllers driven next to it
//! ([`Failures::run_until`]), pinned seeds.
use kubeplay_core::controllers::failures::Failures;
use kubeplay_core::Sim;

const HELLO: &str = include_str!("../../../static/examples/hello-world.yaml");

fn hello_sim(seed: u64) -> Sim {
    let mut sim = Sim::new(seed);
    let out = sim.apply(kubeplay_api::load(HELLO).into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "seed={seed} {out:?}");
    sim
}

fn running_ready(sim: &Sim) -> Vec<(String, String)> {
    sim.snapshot()
        .pods
        .into_iter()
        .filter(|p| p.ready && !p.terminating)
        .map(|p| (p.name, p.node.unwrap_or_default()))
        .collect()
}

fn ready_condition(sim: &Sim, node: &str) -> Option<String> {
    sim.nodes()
        .find(|n| n.metadata.name == node)?
        .status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.status.clone())
}

fn event_times(sim: &Sim, reason: &str) -> usize {
    sim.events().filter(|e| e.reason == reason).count()
}

/// The seed's climax: terminate the instance running one of the hello-world pods. The other
/// pod keeps serving, the node goes Unknown, the cloud controller deletes it, the lost pod is
/// recreated on a survivor and kops brings the node count back to 3 workers.
#[test]
fn terminated_instance_is_replaced_by_kops() {
    let seed = 11;
    let mut sim = hello_sim(seed);
    let mut f = Failures::new();
    f.run_until(&mut sim, 60_000).expect("runs");
    let pods = running_ready(&sim);
    assert_eq!(pods.len(), 2, "seed={seed}");
    let nodes_before = sim.nodes().count();
    let victim_node = pods[0].1.clone();
    let survivor = pods[1].0.clone();
    sim.terminate_node(&victim_node).expect("terminate");
    f.run_until(&mut sim, 100_000).expect("runs");
    assert!(
        running_ready(&sim).iter().any(|(p, _)| *p == survivor),
        "the other pod still serves"
    );
    f.run_until(&mut sim, 400_000).expect("runs");
    assert!(
        sim.nodes().all(|n| n.metadata.name != victim_node),
        "seed={seed} node deleted"
    );
    assert_eq!(
        sim.nodes().count(),
        nodes_before,
        "seed={seed} kops replaced the instance"
    );
    let pods = running_ready(&sim);
    assert_eq!(pods.len(), 2, "seed={seed} {pods:?}");
    assert!(pods.iter().all(|(_, n)| *n != victim_node));
    assert!(event_times(&sim, "NodeNotReady") >= 1);
    assert_eq!(event_times(&sim, "DeletingNode"), 1);
}

/// A stopped kubelet: Unknown after the grace period, eviction ~300 s later, replacement Running
/// elsewhere; the node itself stays (its instance is fine).
#[test]
fn stopped_kubelet_pods_are_evicted_after_300s() {
    let seed = 12;
    let mut sim = hello_sim(seed);
    let mut f = Failures::new();
    f.run_until(&mut sim, 60_000).expect("runs");
    let node = running_ready(&sim)[0].1.clone();
    sim.stop_kubelet(&node).expect("stop");
    f.run_until(&mut sim, 100_000).expect("runs");
    assert_eq!(
        ready_condition(&sim, &node).as_deref(),
        Some("True"),
        "still within grace"
    );
    f.run_until(&mut sim, 130_000).expect("runs");
    assert_eq!(ready_condition(&sim, &node).as_deref(), Some("Unknown"));
    f.run_until(&mut sim, 380_000).expect("runs");
    assert_eq!(
        event_times(&sim, "TaintManagerEviction"),
        0,
        "not before 300 s"
    );
    f.run_until(&mut sim, 520_000).expect("runs");
    assert_eq!(event_times(&sim, "TaintManagerEviction"), 1, "seed={seed}");
    let pods = running_ready(&sim);
    assert_eq!(pods.len(), 2, "seed={seed} {pods:?}");
    assert!(pods.iter().all(|(_, n)| *n != node));
}

/// The kubelet comes back before the 300 s: taints go, nothing is evicted.
#[test]
fn kubelet_recovery_cancels_eviction() {
    let seed = 13;
    let mut sim = hello_sim(seed);
    let mut f = Failures::new();
    f.run_until(&mut sim, 60_000).expect("runs");
    let node = running_ready(&sim)[0].1.clone();
    sim.stop_kubelet(&node).expect("stop");
    f.run_until(&mut sim, 200_000).expect("runs");
    assert_eq!(ready_condition(&sim, &node).as_deref(), Some("Unknown"));
    sim.start_kubelet(&node).expect("start");
    f.run_until(&mut sim, 700_000).expect("runs");
    assert_eq!(ready_condition(&sim, &node).as_deref(), Some("True"));
    let taints = &sim
        .nodes()
        .find(|n| n.metadata.name == node)
        .expect("node")
        .spec
        .taints;
    assert!(
        taints
            .iter()
            .all(|t| !t.key.starts_with("node.kubernetes.io/")),
        "{taints:?}"
    );
    let deletions = sim
        .events()
        .filter(|e| e.reason == "TaintManagerEviction" && e.message.starts_with("Marking"))
        .count();
    assert_eq!(deletions, 0);
}

const ONE_NODE: &str = r#"
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: nodes
spec:
  role: Node
  machineType: t3.medium
  minSize: 1
  maxSize: 1
  subnets: [us-east-1a]
"#;

const TOLERANT_PODS: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: short
spec:
  tolerations:
  - key: node.kubernetes.io/unreachable
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 60
  containers:
  - name: c
    image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: forever
spec:
  tolerations:
  - key: node.kubernetes.io/unreachable
    operator: Exists
    effect: NoExecute
  containers:
  - name: c
    image: nginx:1.27
"#;

/// A one-node cluster whose node dies: full disruption, nothing is evicted.
#[test]
fn one_node_full_disruption_evicts_nothing() {
    let seed = 14;
    let cluster = kubeplay_api::load(ONE_NODE).into_objects();
    let mut sim = Sim::with_cluster(seed, cluster);
    let out = sim.apply(kubeplay_api::load(HELLO).into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    let mut f = Failures::new();
    f.run_until(&mut sim, 60_000).expect("runs");
    assert_eq!(sim.nodes().count(), 1);
    let node = sim.nodes().next().expect("node").metadata.name.clone();
    sim.stop_kubelet(&node).expect("stop");
    f.run_until(&mut sim, 1_200_000).expect("runs");
    assert_eq!(ready_condition(&sim, &node).as_deref(), Some("Unknown"));
    assert_eq!(event_times(&sim, "TaintManagerEviction"), 0, "seed={seed}");
    let taints = &sim.nodes().next().expect("node").spec.taints;
    assert!(taints.iter().all(|t| t.effect != "NoExecute"), "{taints:?}");
}

/// tolerationSeconds 60 → evicted about a minute after the taint; no tolerationSeconds →
/// never evicted.
#[test]
fn toleration_seconds_60_and_forever() {
    let seed = 15;
    let mut sim = Sim::new(seed);
    let out = sim.apply(kubeplay_api::load(TOLERANT_PODS).into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    let mut f = Failures::new();
    f.run_until(&mut sim, 60_000).expect("runs");
    let node_of = |sim: &Sim, name: &str| {
        sim.pod("default", name)
            .and_then(|p| p.spec.node_name.clone())
    };
    let a = node_of(&sim, "short").expect("short bound");
    sim.stop_kubelet(&a).expect("stop");
    let b = node_of(&sim, "forever").expect("forever bound");
    if b != a {
        sim.stop_kubelet(&b).expect("stop");
    }
    f.run_until(&mut sim, 170_000).expect("runs");
    assert!(
        sim.pod("default", "short").is_some(),
        "not before ~60 s after the taint"
    );
    f.run_until(&mut sim, 240_000).expect("runs");
    assert!(
        sim.pod("default", "short")
            .is_none_or(|p| p.metadata.deletion_timestamp.is_some()),
        "seed={seed} short evicted"
    );
    f.run_until(&mut sim, 2_000_000).expect("runs");
    assert!(sim
        .pod("default", "forever")
        .is_some_and(|p| p.metadata.deletion_timestamp.is_none()));
}

/// Ready flips to Unknown at a 5 s monitor tick, 50–60 s after the kubelet's last renewal.
#[test]
fn unknown_lands_on_a_monitor_tick_after_the_grace_period() {
    let seed = 16;
    let mut sim = hello_sim(seed);
    let mut f = Failures::new();
    f.run_until(&mut sim, 61_000).expect("runs");
    let node = running_ready(&sim)[0].1.clone();
    sim.stop_kubelet(&node).expect("stop");
    let mut flipped = None;
    for t in (62_000..=140_000).step_by(100) {
        f.run_until(&mut sim, t).expect("runs");
        if ready_condition(&sim, &node).as_deref() == Some("Unknown") {
            flipped = Some(t);
            break;
        }
    }
    let t = flipped.expect("went Unknown");
    assert_eq!(
        t % 5_000,
        0,
        "seed={seed} flipped at {t}, not on a monitor tick"
    );
    // The last renewal happened in the 10 s before the stop at 61 s.
    assert!(
        (51_000 + 50_000..=61_000 + 60_000).contains(&t),
        "seed={seed} flipped at {t}"
    );
}

const THREE_ZONES: &str = r#"
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: nodes
spec:
  role: Node
  machineType: t3.medium
  minSize: 3
  maxSize: 3
  subnets: [us-east-1a, us-east-1b, us-east-1c]
"#;

/// Losing a zone: its instances go, the ASG relaunches in the surviving zones, and the
/// Deployment's pods end up Running there.
#[test]
fn zone_outage_moves_nodes_and_pods() {
    let seed = 17;
    let mut sim = Sim::with_cluster(seed, kubeplay_api::load(THREE_ZONES).into_objects());
    let out = sim.apply(kubeplay_api::load(HELLO).into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    let mut f = Failures::new();
    f.run_until(&mut sim, 60_000).expect("runs");
    let zone_of = |sim: &Sim, node: &str| {
        sim.nodes().find(|n| n.metadata.name == node).and_then(|n| {
            n.metadata
                .labels
                .get("topology.kubernetes.io/zone")
                .cloned()
        })
    };
    let zones: Vec<Option<String>> = sim
        .nodes()
        .map(|n| zone_of(&sim, &n.metadata.name))
        .collect();
    let victim_zone = zone_of(&sim, &running_ready(&sim)[0].1).expect("zone");
    let gone = f.zone_outage(&mut sim, &victim_zone);
    assert!(!gone.is_empty(), "zones {zones:?}");
    f.run_until(&mut sim, 500_000).expect("runs");
    assert_eq!(sim.nodes().count(), 3, "seed={seed}");
    assert!(sim
        .nodes()
        .all(|n| zone_of(&sim, &n.metadata.name).as_deref() != Some(victim_zone.as_str())));
    let pods = running_ready(&sim);
    assert_eq!(pods.len(), 2, "seed={seed} {pods:?}");
}

/// Pod GC (`gcOrphaned`, pkg/controller/podgc/gc_controller.go): pods bound to a deleted Node
/// stay (bound, counted by their ReplicaSet) until the first 20 s GC pass that finds the node
/// still missing after its 40 s quarantine, so 40–60 s; only then are they replaced.
#[test]
fn pods_of_a_deleted_node_go_after_pod_gc_quarantine() {
    let seed = 16;
    let mut sim = hello_sim(seed);
    let mut f = Failures::new();
    f.run_until(&mut sim, 60_000).expect("runs");
    let pods = running_ready(&sim);
    assert_eq!(pods.len(), 2, "seed={seed}");
    let (victim, node) = pods[0].clone();
    sim.terminate_node(&node).expect("terminate");
    // Step a second at a time and note when the Node and the pod disappear.
    let (mut node_gone, mut pod_gone) = (None, None);
    while sim.now_ms() < 300_000 && pod_gone.is_none() {
        let t = sim.now_ms() + 1000;
        f.run_until(&mut sim, t).expect("runs");
        if node_gone.is_none() && sim.nodes().all(|n| n.metadata.name != node) {
            node_gone = Some(t);
            let p = sim.pod("default", &victim).expect("still there");
            assert_eq!(
                p.spec.node_name.as_deref(),
                Some(node.as_str()),
                "still bound"
            );
        }
        if sim.pod("default", &victim).is_none() {
            pod_gone = Some(t);
        }
    }
    let (deleted, gc) = (node_gone.expect("node deleted"), pod_gone.expect("pod GC"));
    let gc_trace = sim
        .trace()
        .iter()
        .find(|e| e.what == "PodGC" && e.object.ends_with(&victim))
        .expect("PodGC trace")
        .at_ms;
    // The node was deleted within the second before `deleted`; GC passes run on the 20 s grid.
    assert_eq!(gc_trace % 20_000, 0, "GC pass at {gc_trace}");
    assert!(
        gc_trace + 1000 >= deleted + 40_000 && gc_trace <= deleted + 60_000,
        "node deleted by {deleted} ms, pod GC'd at {gc_trace} ms"
    );
    assert!(gc <= gc_trace + 1000);
    // Its replacement runs on a survivor.
    f.run_until(&mut sim, gc + 60_000).expect("runs");
    let pods = running_ready(&sim);
    assert_eq!(pods.len(), 2, "seed={seed} {pods:?}");
    assert!(pods.iter().all(|(_, n)| *n != node));
}

/// `kubectl delete node` takes the same path: the pods wait out the quarantine.
#[test]
fn deleting_a_node_object_leaves_its_pods_to_pod_gc() {
    let seed = 17;
    let mut sim = hello_sim(seed);
    let mut f = Failures::new();
    f.run_until(&mut sim, 60_000).expect("runs");
    let (victim, node) = running_ready(&sim)[0].clone();
    sim.delete(
        kubeplay_api::Kind::Node,
        "",
        &node,
        kubeplay_core::Propagation::Background,
        None,
    )
    .expect("delete node");
    f.run_until(&mut sim, 119_000).expect("runs");
    assert!(
        sim.pod("default", &victim).is_some(),
        "quarantined until 120 s"
    );
    f.run_until(&mut sim, 121_000).expect("runs");
    assert!(
        sim.pod("default", &victim).is_none(),
        "gone at the 120 s pass"
    );
}
