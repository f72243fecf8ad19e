//! Invariant checkers that live outside the system under test (TigerBeetle's state checker):
//! they read the simulator's store and the network model after every script line and name
//! the first broken promise.
//!
//! Core's [`kubeplay_core::invariants::check`] covers capacity, bindings to missing nodes,
//! readiness vs phase and owner references; this module adds what a user would call a broken
//! cluster: pods left on a NotReady node past their toleration, endpoints naming pods that are
//! not ready or not selected, status fields that disagree with the pods, rollouts that surge
//! or drop below what the strategy allows, and time running backwards. Checks that depend on
//! controllers catching up (status, availability) are only made where the controllers have
//! had time to react, so a finding is a bug and not a lag.
use kubeplay_api::IntOrString;
use kubeplay_core::kubelet::PodPhase;
use kubeplay_core::network::Network;
use kubeplay_core::store::{Key, PodRec, Store};
use kubeplay_core::Sim;
use std::collections::BTreeMap;

/// Slack after a pod's eviction instant before it must be terminating: the taint manager
/// runs inside the node lifecycle pass (every 5 s) and `timeAdded` has second precision.
const EVICTION_SLACK_MS: u64 = 10_000;
/// From a kubelet stopping to its node being NotReady/Unknown: the last heartbeat's age
/// (≤ 10 s), the 50 s `--node-monitor-grace-period` of v1.34 and one 5 s monitor tick.
const NOT_READY_AFTER_MS: u64 = 65_000;
/// Per node queued in a zone's NoExecute tainter: `--node-eviction-rate` 0.1 nodes/s.
const TAINT_INTERVAL_MS: u64 = 10_000;
/// Per node in a partially disrupted zone above `--large-cluster-size-threshold` (50 nodes):
/// `--secondary-node-eviction-rate` 0.01 nodes/s.
const SECONDARY_TAINT_INTERVAL_MS: u64 = 100_000;
/// Slack on top of the tainting bound (monitor and tainting pass cadence, checks between lines).
const TAINT_SLACK_MS: u64 = 15_000;
/// `--large-cluster-size-threshold`.
const LARGE_CLUSTER_SIZE: usize = 50;
/// Pod GC (`gcCheckPeriod` 20 s, `quarantineTime` 40 s, pkg/controller/podgc): a pod bound
/// to a deleted node is force-deleted at most 60 s after the deletion (+1 s for the check).
const ORPHAN_BOUND_MS: u64 = 61_000;
/// NoExecute taint keys of the node lifecycle controller.
const NOT_READY_TAINTS: [&str; 2] = [
    "node.kubernetes.io/not-ready",
    "node.kubernetes.io/unreachable",
];

/// Memory the checker keeps between lines (first time a node was seen NotReady, last
/// observed replicas per Deployment, the clock).
#[derive(Debug, Default)]
pub struct Checker {
    last_now_ms: u64,
    trace_seen: usize,
    not_ready_since: BTreeMap<String, u64>,
    /// Zone key → first check since which the zone's NoExecute tainter has been allowed to
    /// run (not every zone fully disrupted, and not a small partially disrupted zone).
    tainting_since: BTreeMap<String, u64>,
    /// Node name → when its Node object was deleted (from the trace).
    deleted_nodes: BTreeMap<String, u64>,
    /// (node, taint key) → first check that saw a NoExecute taint without `timeAdded`.
    taint_seen: BTreeMap<(String, String), u64>,
    /// (spec.replicas, template image+requests rendered) at the previous check.
    last_spec: BTreeMap<Key, (i32, String)>,
    /// Deployments whose replicas or template changed at this check, or were ever paused,
    /// scaled or faulted (then the strict availability bound does not hold).
    unstable: BTreeMap<Key, u64>,
    /// Deployments that were fully available at some check (availability is promised only
    /// from then on).
    was_available: BTreeMap<Key, bool>,
    /// uid of the Deployment last seen under each name: a delete and re-create under the same
    /// name is a new object whose history starts over.
    uids: BTreeMap<Key, String>,
}

/// A node is healthy when its kubelet runs on a live instance and it reports Ready.
fn node_ready(sim: &Sim, name: &str) -> bool {
    sim.store().nodes.get(name).is_some_and(|n| {
        n.rt.kubelet_running
            && !n.rt.terminated
            && n.node.status.as_ref().is_some_and(|s| {
                s.conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "True")
            })
    })
}

fn terminating(p: &PodRec) -> bool {
    p.pod.metadata.deletion_timestamp.is_some() || p.rt.deleting_ms.is_some()
}

fn active(p: &PodRec) -> bool {
    !terminating(p) && !matches!(p.rt.phase, PodPhase::Succeeded | PodPhase::Failed)
}

/// `Toleration.ToleratesTaint` (k8s.io/api core/v1 toleration.go), on API types.
fn tolerates(t: &kubeplay_api::kinds::pod::Toleration, taint: &kubeplay_api::Taint) -> bool {
    if t.effect
        .as_deref()
        .is_some_and(|e| !e.is_empty() && e != taint.effect)
    {
        return false;
    }
    if t.key
        .as_deref()
        .is_some_and(|k| !k.is_empty() && k != taint.key)
    {
        return false;
    }
    match t.operator.as_deref() {
        Some("Exists") => true,
        _ => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
    }
}

/// When the taint manager must have evicted a pod from NoExecute `taints` that appeared at
/// `since`: `processPodOnNode` (pkg/controller/tainteviction/taint_eviction.go) deletes at
/// once when a taint is not tolerated (`GetMatchingTolerations` takes the first matching
/// toleration per taint), never when `getMinTolerationTime` finds no tolerationSeconds, and
/// otherwise at `since` + the smallest tolerationSeconds (≤ 0 → at once).
fn eviction_due_ms(p: &PodRec, taints: &[&kubeplay_api::Taint], since: u64) -> Option<u64> {
    let tols: Vec<&kubeplay_api::kinds::pod::Toleration> =
        p.pod.spec.tolerations.iter().flatten().collect();
    let mut min_s: Option<i64> = None;
    for taint in taints {
        let Some(used) = tols.iter().find(|t| tolerates(t, taint)) else {
            return Some(since);
        };
        if let Some(secs) = used.toleration_seconds {
            min_s = Some(min_s.map_or(secs, |m| m.min(secs)));
        }
    }
    let secs = u64::try_from(min_s?.max(0)).unwrap_or(0);
    Some(since + secs * 1000)
}

/// `utilnode.GetZoneKey`: region and zone labels, as the node lifecycle controller groups.
fn zone_key(n: &kubeplay_api::Node) -> String {
    let l = &n.metadata.labels;
    let get = |k: &str| l.get(k).map_or("", String::as_str);
    format!(
        "{}:\u{0}:{}",
        get("topology.kubernetes.io/region"),
        get("topology.kubernetes.io/zone")
    )
}

/// The Ready condition as the controllers wrote it (what `ComputeZoneState` counts).
fn ready_condition_true(n: &kubeplay_api::Node) -> bool {
    n.status.as_ref().is_some_and(|s| {
        s.conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True")
    })
}

/// Pods owned (through a ReplicaSet) by the Deployment with uid `uid`.
fn deployment_pods<'a>(s: &'a Store, uid: &'a str) -> impl Iterator<Item = &'a PodRec> + 'a {
    let rs_uids: Vec<String> = s
        .replicasets
        .values()
        .filter(|r| kubeplay_core::store::controller_uid(&r.obj.metadata) == Some(uid))
        .filter_map(|r| r.obj.metadata.uid.clone())
        .collect();
    s.pods().values().filter(move |p| {
        kubeplay_core::store::controller_uid(&p.pod.metadata)
            .is_some_and(|u| rs_uids.iter().any(|r| r == u))
    })
}

/// A Recreate Deployment that upstream leaves as it is for good: `syncDeployment` routes every
/// sync to `sync` while `isScalingEvent` holds (an active ReplicaSet's desired-replicas
/// annotation differs from spec.replicas), and `scale` (pkg/controller/deployment/sync.go)
/// changes nothing when `FindActiveOrLatest` finds several active ReplicaSets, the new one is
/// not saturated (`IsSaturated`) and the strategy is not RollingUpdate, the only case that
/// scales proportionally. Nothing then updates the annotations, so neither `rolloutRecreate`
/// nor a scale ever runs: e.g. a RollingUpdate rollout interrupted by a switch to Recreate
/// together with a replicas change (swarm seed 33). Liveness is not promised for it.
fn recreate_wedged(s: &Store, d: &kubeplay_api::Deployment) -> bool {
    use kubeplay_core::controllers::deployment::{template_without_hash, DESIRED_REPLICAS};
    let recreate = d.spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) == Some("Recreate");
    let Some(uid) = d.metadata.uid.as_deref() else {
        return false;
    };
    if !recreate || d.spec.paused == Some(true) {
        return false;
    }
    let replicas = d.spec.replicas.unwrap_or(1);
    let want = template_without_hash(&d.spec.template);
    let owned: Vec<&kubeplay_api::ReplicaSet> = s
        .replicasets
        .values()
        .map(|r| &r.obj)
        .filter(|r| kubeplay_core::store::controller_uid(&r.metadata) == Some(uid))
        .collect();
    let desired = |r: &kubeplay_api::ReplicaSet| {
        r.metadata
            .annotations
            .get(DESIRED_REPLICAS)
            .and_then(|v| v.parse::<i32>().ok())
    };
    let active: Vec<&&kubeplay_api::ReplicaSet> = owned
        .iter()
        .filter(|r| r.spec.replicas.unwrap_or(1) > 0)
        .collect();
    let scaling_event = active
        .iter()
        .any(|r| desired(r).is_some_and(|v| v != replicas));
    let saturated = owned
        .iter()
        .find(|r| template_without_hash(&r.spec.template) == want)
        .is_some_and(|r| {
            r.spec.replicas.unwrap_or(1) == replicas
                && desired(r) == Some(replicas)
                && r.status.as_ref().and_then(|st| st.available_replicas) == Some(replicas)
        });
    scaling_event && active.len() >= 2 && !saturated
}

fn strategy_bounds(d: &kubeplay_api::Deployment, replicas: i32) -> Option<(i32, i32)> {
    let st = d.spec.strategy.as_ref();
    if st.and_then(|s| s.type_.as_deref()) == Some("Recreate") {
        return None;
    }
    let ru = st.and_then(|s| s.rolling_update.as_ref());
    let pct = IntOrString::String("25%".into());
    let surge = ru
        .and_then(|r| r.max_surge.clone())
        .unwrap_or_else(|| pct.clone());
    let unavail = ru.and_then(|r| r.max_unavailable.clone()).unwrap_or(pct);
    let s = surge.scaled_value(replicas, true)?;
    let mut u = unavail.scaled_value(replicas, false)?;
    if s == 0 && u == 0 {
        u = 1;
    }
    Some((s, u))
}

impl Checker {
    /// Mark a deployment as disturbed by a fault (crashes, node loss): its availability
    /// floor is not promised until it has been fully available again.
    pub fn disturb_all(&mut self) {
        for v in self.was_available.values_mut() {
            *v = false;
        }
    }

    /// Check every safety invariant. `calm` says no faults happened: then rollouts must
    /// keep at least `replicas - maxUnavailable` pods ready.
    pub fn safety(&mut self, sim: &Sim, net: &Network, calm: bool) -> Result<(), String> {
        kubeplay_core::invariants::check(sim).map_err(|e| format!("core invariant: {e}"))?;
        let now = sim.now_ms();
        if now < self.last_now_ms {
            return Err(format!(
                "time went back: {} ms after {} ms",
                now, self.last_now_ms
            ));
        }
        self.last_now_ms = now;
        let trace = sim.trace();
        let from = self.trace_seen.min(trace.len()).saturating_sub(1);
        for e in &trace[from..] {
            if e.kind == "Node" && e.what == "Deleted" {
                self.deleted_nodes.insert(e.object.clone(), e.at_ms);
            }
        }
        for w in trace[from..].windows(2) {
            if w[1].at_ms < w[0].at_ms {
                return Err(format!(
                    "trace time went back: {} after {}",
                    w[1].render(),
                    w[0].render()
                ));
            }
        }
        if trace.last().is_some_and(|e| e.at_ms > now) {
            return Err("trace event in the future".into());
        }
        self.trace_seen = trace.len();
        let s = sim.store();
        self.check_not_ready(sim, s, now)?;
        check_endpoints(s, net)?;
        self.check_rollouts(s, now, calm)?;
        Ok(())
    }

    /// Taint-based eviction, modelled on upstream rather than on a fixed delay: a NotReady
    /// node gets its NoExecute taint through a per-zone rate-limited queue
    /// (`doNoExecuteTaintingPass`, pkg/controller/nodelifecycle/node_lifecycle_controller.go)
    /// whose rate `handleDisruption`/`setLimiterInZone` set from `ComputeZoneState`: 0.1
    /// nodes/s normally, 0 in a partially disrupted zone of at most 50 nodes, and no taints at
    /// all while every zone is fully disrupted. Pods then leave at taint time + toleration.
    fn check_not_ready(&mut self, sim: &Sim, s: &Store, now: u64) -> Result<(), String> {
        self.not_ready_since.retain(|n, _| s.nodes.contains_key(n));
        for name in s.nodes.keys() {
            if node_ready(sim, name) {
                self.not_ready_since.remove(name);
            } else {
                self.not_ready_since.entry(name.clone()).or_insert(now);
            }
        }
        self.check_tainting(s, now)?;
        self.taint_seen.retain(|(n, k), _| {
            s.nodes.get(n).is_some_and(|r| {
                r.node
                    .spec
                    .taints
                    .iter()
                    .any(|t| t.key == *k && t.effect == "NoExecute")
            })
        });
        self.deleted_nodes.retain(|n, _| !s.nodes.contains_key(n));
        for (k, p) in s.pods() {
            let Some(node) = &p.rt.node else { continue };
            let Some(n) = s.nodes.get(node) else {
                // Bound to a deleted node: pod GC's window, terminating or not.
                if let Some(at) = self.deleted_nodes.get(node) {
                    if now > at + ORPHAN_BOUND_MS {
                        return Err(format!(
                            "pod {}/{} still bound to node {node} {} s after the Node was deleted (pod GC deletes within 60 s)",
                            k.0,
                            k.1,
                            (now - at) / 1000
                        ));
                    }
                }
                continue;
            };
            if terminating(p) || !active(p) {
                continue;
            }
            let taints: Vec<&kubeplay_api::Taint> = n
                .node
                .spec
                .taints
                .iter()
                .filter(|t| t.effect == "NoExecute")
                .collect();
            let mut added: Option<u64> = None;
            for t in &taints {
                let at = t
                    .time_added
                    .as_deref()
                    .and_then(kubeplay_kubectl::duration::parse_rfc3339_ms)
                    .and_then(|unix| u64::try_from(unix).ok())
                    .and_then(|unix| unix.checked_sub(kubeplay_core::clock::EPOCH_UNIX_S * 1000))
                    .unwrap_or_else(|| {
                        *self
                            .taint_seen
                            .entry((node.clone(), t.key.clone()))
                            .or_insert(now)
                    });
                added = Some(added.map_or(at, |a| a.min(at)));
            }
            let Some(added) = added else { continue };
            // The taint manager sees a pod bound after the taint when it is bound.
            let since = added.max(p.rt.scheduled_ms.unwrap_or(p.rt.created_ms));
            let Some(due) = eviction_due_ms(p, &taints, since) else {
                continue;
            };
            if now > due + EVICTION_SLACK_MS {
                return Err(format!(
                    "pod {}/{} still bound to node {node} {} s after its NoExecute taint (evictable from {} s)",
                    k.0,
                    k.1,
                    (now - since) / 1000,
                    (due - since) / 1000
                ));
            }
        }
        Ok(())
    }

    /// Every node NotReady long enough, in a zone whose tainter runs, carries a not-ready or
    /// unreachable NoExecute taint.
    fn check_tainting(&mut self, s: &Store, now: u64) -> Result<(), String> {
        // ComputeZoneState per zone: (ready, not ready).
        let mut zones: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for n in s.nodes.values() {
            let z = zones.entry(zone_key(&n.node)).or_insert((0, 0));
            if ready_condition_true(&n.node) {
                z.0 += 1;
            } else {
                z.1 += 1;
            }
        }
        let full = |(r, nr): (usize, usize)| r == 0 && nr > 0;
        // Partial: notReady > 2 and notReady/total ≥ 0.55 (--unhealthy-zone-threshold).
        let partial =
            |(r, nr): (usize, usize)| !full((r, nr)) && nr > 2 && 100 * nr >= 55 * (r + nr);
        let all_full = zones.values().all(|z| full(*z));
        let mut interval: BTreeMap<String, u64> = BTreeMap::new();
        for (zk, z) in &zones {
            let rate = if all_full {
                None
            } else if partial(*z) {
                (z.0 + z.1 > LARGE_CLUSTER_SIZE).then_some(SECONDARY_TAINT_INTERVAL_MS)
            } else {
                Some(TAINT_INTERVAL_MS)
            };
            match rate {
                Some(i) => {
                    interval.insert(zk.clone(), i);
                    self.tainting_since.entry(zk.clone()).or_insert(now);
                }
                None => {
                    self.tainting_since.remove(zk);
                }
            }
        }
        self.tainting_since.retain(|z, _| zones.contains_key(z));
        for (name, since) in &self.not_ready_since {
            let Some(n) = s.nodes.get(name) else { continue };
            let zk = zone_key(&n.node);
            let (Some(&every), Some(&open)) = (interval.get(&zk), self.tainting_since.get(&zk))
            else {
                continue;
            };
            let queued = u64::try_from(zones.get(&zk).map_or(0, |z| z.1)).unwrap_or(0);
            // A kubelet that posted since (a stop, start and stop again) restarts the clock.
            let since = (*since).max(n.rt.last_heartbeat_ms);
            let due = (since + NOT_READY_AFTER_MS).max(open) + every * queued + TAINT_SLACK_MS;
            let tainted = n
                .node
                .spec
                .taints
                .iter()
                .any(|t| t.effect == "NoExecute" && NOT_READY_TAINTS.contains(&t.key.as_str()));
            if now > due && !tainted {
                return Err(format!(
                    "node {name} NotReady for {} s without a NoExecute not-ready/unreachable taint",
                    (now - since) / 1000
                ));
            }
        }
        Ok(())
    }

    fn check_rollouts(&mut self, s: &Store, now: u64, calm: bool) -> Result<(), String> {
        for (key, (rec, _)) in &s.deployments {
            let d = &rec.obj;
            let Some(uid) = d.metadata.uid.as_deref() else {
                continue;
            };
            if d.metadata.deletion_timestamp.is_some() {
                continue;
            }
            if self.uids.get(key).map(String::as_str) != Some(uid) {
                self.uids.insert(key.clone(), uid.to_string());
                self.last_spec.remove(key);
                self.unstable.remove(key);
                self.was_available.remove(key);
            }
            let replicas = d.spec.replicas.unwrap_or(1);
            let spec_sig = (replicas, format!("{:?}", d.spec.template));
            let changed = self.last_spec.get(key) != Some(&spec_sig);
            let replicas_changed = self.last_spec.get(key).is_none_or(|(r, _)| *r != replicas);
            self.last_spec.insert(key.clone(), spec_sig);
            if replicas_changed {
                self.unstable.insert(key.clone(), now);
            }
            let pods: Vec<&PodRec> = deployment_pods(s, uid).collect();
            let live = pods.iter().filter(|p| active(p)).count();
            let ready = pods.iter().filter(|p| active(p) && p.rt.ready).count();
            let paused = d.spec.paused == Some(true);
            let Some((surge, unavail)) = strategy_bounds(d, replicas) else {
                continue;
            };
            // maxSurge: never more pods than replicas + surge once a scale has been absorbed
            // (one settle second after a replicas change the controller has acted).
            let stable =
                self.unstable.get(key).is_some_and(|t| now > *t + 1000) && !replicas_changed;
            if stable && !paused && live > usize::try_from(replicas + surge).unwrap_or(0) {
                return Err(format!(
                    "deployment {}/{} has {live} live pods, above replicas {replicas} + maxSurge {surge}",
                    key.0, key.1
                ));
            }
            let fully = ready >= usize::try_from(replicas).unwrap_or(0)
                && live == usize::try_from(replicas).unwrap_or(0);
            let was = self.was_available.entry(key.clone()).or_insert(false);
            if calm && stable && *was && !changed && !paused {
                // Only pure template rollouts of a fully available deployment promise the floor.
                let floor = usize::try_from((replicas - unavail).max(0)).unwrap_or(0);
                if ready < floor {
                    return Err(format!(
                        "deployment {}/{} has {ready} ready pods, below replicas {replicas} - maxUnavailable {unavail}",
                        key.0, key.1
                    ));
                }
            }
            if fully {
                *was = true;
            } else if replicas_changed || paused {
                *was = false;
            }
        }
        Ok(())
    }

    /// Status of ReplicaSets and Deployments equals what their pods say. Only meaningful when
    /// the controllers have settled (after the liveness wait).
    pub fn status_matches_pods(&self, sim: &Sim) -> Result<(), String> {
        let s = sim.store();
        for (key, rs) in &s.replicasets {
            let Some(uid) = rs.obj.metadata.uid.as_deref() else {
                continue;
            };
            let pods: Vec<&PodRec> = s
                .pods()
                .values()
                .filter(|p| kubeplay_core::store::controller_uid(&p.pod.metadata) == Some(uid))
                .collect();
            let live = pods.iter().filter(|p| active(p)).count();
            let ready = pods.iter().filter(|p| active(p) && p.rt.ready).count();
            let st = rs.obj.status.clone().unwrap_or_default();
            let got = (
                usize::try_from(st.replicas).unwrap_or(0),
                usize::try_from(st.ready_replicas.unwrap_or(0)).unwrap_or(0),
            );
            if got != (live, ready) {
                return Err(format!(
                    "replicaset {}/{} status replicas/ready {}/{} but pods say {live}/{ready}",
                    key.0, key.1, got.0, got.1
                ));
            }
        }
        for (key, (rec, _)) in &s.deployments {
            let d = &rec.obj;
            let Some(uid) = d.metadata.uid.as_deref() else {
                continue;
            };
            let pods: Vec<&PodRec> = deployment_pods(s, uid).collect();
            let live = pods.iter().filter(|p| active(p)).count();
            let ready = pods.iter().filter(|p| active(p) && p.rt.ready).count();
            let st = d.status.clone().unwrap_or_default();
            let got = (
                usize::try_from(st.replicas.unwrap_or(0)).unwrap_or(0),
                usize::try_from(st.ready_replicas.unwrap_or(0)).unwrap_or(0),
            );
            if got != (live, ready) {
                return Err(format!(
                    "deployment {}/{} status replicas/ready {}/{} but pods say {live}/{ready}",
                    key.0, key.1, got.0, got.1
                ));
            }
        }
        Ok(())
    }

    /// After the faults stopped and the liveness wait: every Deployment has all its replicas
    /// Running and ready and says Available, unless a pod is Pending because the scheduler
    /// found no room (capacity does not allow).
    pub fn liveness(&self, sim: &Sim) -> Result<(), String> {
        let s = sim.store();
        for (key, (rec, _)) in &s.deployments {
            let d = &rec.obj;
            let Some(uid) = d.metadata.uid.as_deref() else {
                continue;
            };
            if d.metadata.deletion_timestamp.is_some() {
                continue;
            }
            if recreate_wedged(s, d) {
                continue;
            }
            let replicas = usize::try_from(d.spec.replicas.unwrap_or(1)).unwrap_or(0);
            let pods: Vec<&PodRec> = deployment_pods(s, uid).filter(|p| active(p)).collect();
            let unschedulable = pods
                .iter()
                .any(|p| p.rt.node.is_none() && p.rt.unschedulable.is_some());
            if unschedulable {
                continue;
            }
            let ready = pods
                .iter()
                .filter(|p| p.rt.ready && p.rt.phase == PodPhase::Running)
                .count();
            if ready != replicas || pods.len() != replicas {
                let states: Vec<String> = pods
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {:?} ready={} node={:?}",
                            p.pod.metadata.name, p.rt.phase, p.rt.ready, p.rt.node
                        )
                    })
                    .collect();
                return Err(format!(
                    "liveness: deployment {}/{} wants {replicas} replicas, has {} pods, {ready} running and ready: {states:?}",
                    key.0,
                    key.1,
                    pods.len()
                ));
            }
            let st = d.status.clone().unwrap_or_default();
            let available = st
                .conditions
                .iter()
                .any(|c| c.type_ == "Available" && c.status == "True");
            if !available {
                return Err(format!(
                    "liveness: deployment {}/{} is not Available",
                    key.0, key.1
                ));
            }
            if usize::try_from(st.updated_replicas.unwrap_or(0)).unwrap_or(0) != replicas {
                return Err(format!(
                    "liveness: deployment {}/{} has {:?} updated replicas, wants {replicas}",
                    key.0, key.1, st.updated_replicas
                ));
            }
        }
        Ok(())
    }
}

/// Endpoints list as ready only pods that exist, are selected by the Service and are ready.
fn check_endpoints(s: &Store, net: &Network) -> Result<(), String> {
    for (key, svc) in &s.services {
        let Some(ep) = net.endpoints(&key.0, &key.1) else {
            continue;
        };
        let selector = svc.obj.spec.selector.clone();
        for sub in &ep.subsets {
            for a in &sub.addresses {
                let pk = (key.0.clone(), a.pod.clone());
                let Some(p) = s.pod(&pk) else {
                    return Err(format!(
                        "endpoints {}/{} list missing pod {}",
                        key.0, key.1, a.pod
                    ));
                };
                let Some(sel) = &selector else {
                    return Err(format!(
                        "endpoints {}/{} list pod {} but the Service has no selector",
                        key.0, key.1, a.pod
                    ));
                };
                if !sel
                    .iter()
                    .all(|(k, v)| p.pod.metadata.labels.get(k) == Some(v))
                {
                    return Err(format!(
                        "endpoints {}/{} list pod {} outside the selector",
                        key.0, key.1, a.pod
                    ));
                }
                if !p.rt.ready || terminating(p) {
                    return Err(format!(
                        "endpoints {}/{} list pod {} as ready but it is {} (phase {:?})",
                        key.0,
                        key.1,
                        a.pod,
                        if terminating(p) {
                            "terminating"
                        } else {
                            "not ready"
                        },
                        p.rt.phase
                    ));
                }
            }
        }
    }
    Ok(())
}
