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

/// Slack on top of a NoExecute toleration before a pod must be on its way out, counted from
/// the moment the node's kubelet stopped or its instance died: the node monitor grace period
/// (50 s in v1.34) plus the last heartbeat's age (≤ 10 s) before the node is marked
/// NotReady/Unknown, then the taint manager's eviction pass and settle seconds.
const EVICTION_SLACK_MS: u64 = 120_000;
/// Upstream's DefaultTolerationSeconds admission plugin adds 300 s for not-ready/unreachable.
const DEFAULT_TOLERATION_S: u64 = 300;

/// Memory the checker keeps between lines (first time a node was seen NotReady, last
/// observed replicas per Deployment, the clock).
#[derive(Debug, Default)]
pub struct Checker {
    last_now_ms: u64,
    trace_seen: usize,
    not_ready_since: BTreeMap<String, u64>,
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

/// NoExecute toleration of a node.kubernetes.io/{not-ready,unreachable} taint, in ms (None:
/// tolerated forever).
fn not_ready_toleration_ms(p: &PodRec) -> Option<u64> {
    let mut longest: Option<u64> = None;
    for t in p.pod.spec.tolerations.iter().flatten() {
        let key_ok = match t.key.as_deref() {
            None | Some("") => t.operator.as_deref() == Some("Exists"),
            Some(k) => k == "node.kubernetes.io/not-ready" || k == "node.kubernetes.io/unreachable",
        };
        let effect_ok = matches!(t.effect.as_deref(), None | Some("" | "NoExecute"));
        if key_ok && effect_ok {
            // No tolerationSeconds: tolerated forever.
            let secs = u64::try_from(t.toleration_seconds?.max(0)).unwrap_or(0);
            longest = Some(longest.unwrap_or(0).max(secs * 1000));
        }
    }
    Some(longest.unwrap_or(DEFAULT_TOLERATION_S * 1000))
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

    fn check_not_ready(&mut self, sim: &Sim, s: &Store, now: u64) -> Result<(), String> {
        self.not_ready_since.retain(|n, _| s.nodes.contains_key(n));
        for name in s.nodes.keys() {
            if node_ready(sim, name) {
                self.not_ready_since.remove(name);
            } else {
                self.not_ready_since.entry(name.clone()).or_insert(now);
            }
        }
        for (k, p) in s.pods() {
            let Some(node) = &p.rt.node else { continue };
            let Some(since) = self.not_ready_since.get(node) else {
                continue;
            };
            if terminating(p) || !active(p) {
                continue;
            }
            if let Some(tol) = not_ready_toleration_ms(p) {
                if now > since + tol + EVICTION_SLACK_MS {
                    return Err(format!(
                        "pod {}/{} still bound to NotReady node {node} {} s after it went NotReady or its kubelet/instance died (toleration {} s)",
                        k.0,
                        k.1,
                        (now - since) / 1000,
                        tol / 1000
                    ));
                }
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
