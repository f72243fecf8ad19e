//! Node lifecycle controller and taint-based eviction (kube-controller-manager v1.34), as a
//! pure state machine: the sim hands it what the API server holds (nodes with their last
//! heartbeat, pods with their tolerations) at the times it asks to be woken, and gets back the
//! writes a real controller would make ([`Action`]).
//!
//! Upstream pieces and where they live here:
//! * `monitorNodeHealth` / `tryUpdateNodeHealth` (node_lifecycle_controller.go): every
//!   `--node-monitor-period` (5 s) a node whose heartbeat the controller has not seen change for
//!   more than `--node-monitor-grace-period` (50 s; 60 s startup grace before the first Ready)
//!   gets Ready/MemoryPressure/DiskPressure/PIDPressure = Unknown, `NodeNotReady` is recorded
//!   and its pods are marked not ready (`MarkPodsNotReady`).
//! * `doNoScheduleTaintingPass`: condition → `NoSchedule` taints, at once.
//! * `processTaintBaseEviction` + `doNoExecuteTaintingPass` (every 100 ms): NotReady/Unreachable
//!   → `NoExecute` taints through a per-zone `RateLimitedTimedQueue` with a token bucket of
//!   burst one whose rate follows the zone state (`handleDisruption`, `ComputeZoneState`), with
//!   the "every zone fully disrupted → remove all NoExecute taints, stop evicting" rule.
//! * `tainteviction.Controller.processPodOnNode` / `getMinTolerationTime`: a pod that does not
//!   tolerate a `NoExecute` taint is deleted at once, otherwise after the smallest matching
//!   `tolerationSeconds` counted from when the taint was seen; `TaintManagerEviction` events.
//!
//! Wiring (one timer): keep a `NodeLifecycle` in the sim; at time 0 and whenever the timer
//! fires, build a [`NodeView`] per Node (zone key = region + zone labels, `heartbeat_ms` = the
//! lease's last renewal, `kubelet_ready` = what the kubelet posts) and a [`PodView`] per bound
//! pod, call [`NodeLifecycle::reconcile`], apply the [`Action`]s in order (conditions, taints,
//! pod Ready=False so endpoints drop them at once, events, graceful deletes) and re-arm the
//! timer at [`NodeLifecycle::next_wakeup_ms`]. Differences from upstream's event-driven
//! informers: a recovered node's taints go at the next 5 s tick rather than on the kubelet's
//! status write, and a cordon's `unschedulable` taint likewise (the scheduler itself reads
//! `spec.unschedulable`, so placement is unaffected).

use std::collections::BTreeMap;

use crate::scheduler::types::{Taint, TaintEffect, Toleration};

/// Milliseconds of virtual time.
pub type Ms = u64;

/// `node.kubernetes.io/not-ready`.
pub const TAINT_NOT_READY: &str = "node.kubernetes.io/not-ready";
/// `node.kubernetes.io/unreachable`.
pub const TAINT_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// `node.kubernetes.io/memory-pressure`.
pub const TAINT_MEMORY_PRESSURE: &str = "node.kubernetes.io/memory-pressure";
/// `node.kubernetes.io/disk-pressure`.
pub const TAINT_DISK_PRESSURE: &str = "node.kubernetes.io/disk-pressure";
/// `node.kubernetes.io/pid-pressure`.
pub const TAINT_PID_PRESSURE: &str = "node.kubernetes.io/pid-pressure";
/// `node.kubernetes.io/network-unavailable`.
pub const TAINT_NETWORK_UNAVAILABLE: &str = "node.kubernetes.io/network-unavailable";
/// `node.kubernetes.io/unschedulable`.
pub const TAINT_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

/// Keys the NoSchedule pass owns (`nodeConditionToTaintKeyStatusMap` + unschedulable).
const NO_SCHEDULE_KEYS: [&str; 7] = [
    TAINT_NOT_READY,
    TAINT_UNREACHABLE,
    TAINT_MEMORY_PRESSURE,
    TAINT_DISK_PRESSURE,
    TAINT_PID_PRESSURE,
    TAINT_NETWORK_UNAVAILABLE,
    TAINT_UNSCHEDULABLE,
];

/// kube-controller-manager flags, with their v1.34 defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `--node-monitor-period`.
    pub monitor_period_ms: Ms,
    /// `--node-monitor-grace-period` (50 s since v1.32).
    pub grace_period_ms: Ms,
    /// `--node-startup-grace-period`.
    pub startup_grace_period_ms: Ms,
    /// `nodeEvictionPeriod`: how often the NoExecute tainting queues are tried.
    pub eviction_period_ms: Ms,
    /// `--node-eviction-rate` in thousandths of a node per second (0.1/s).
    pub eviction_rate_milli_qps: u64,
    /// `--secondary-node-eviction-rate` (0.01/s).
    pub secondary_eviction_rate_milli_qps: u64,
    /// `--large-cluster-size-threshold`.
    pub large_cluster_size_threshold: usize,
    /// `--unhealthy-zone-threshold` in percent (0.55).
    pub unhealthy_zone_threshold_percent: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            monitor_period_ms: 5_000,
            grace_period_ms: 50_000,
            startup_grace_period_ms: 60_000,
            eviction_period_ms: 100,
            eviction_rate_milli_qps: 100,
            secondary_eviction_rate_milli_qps: 10,
            large_cluster_size_threshold: 50,
            unhealthy_zone_threshold_percent: 55,
        }
    }
}

/// A condition status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// True.
    True,
    /// False.
    False,
    /// Unknown.
    Unknown,
}

/// A node as the API server holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// Name.
    pub name: String,
    /// `utilnode.GetZoneKey` (region + zone; "" when unlabelled).
    pub zone: String,
    /// Last time the kubelet posted status or renewed its lease; `None` = never.
    pub heartbeat_ms: Option<Ms>,
    /// Ready as the kubelet last posted it (`None` before its first post).
    pub kubelet_ready: Option<Status>,
    /// MemoryPressure posted True.
    pub memory_pressure: bool,
    /// DiskPressure posted True.
    pub disk_pressure: bool,
    /// PIDPressure posted True.
    pub pid_pressure: bool,
    /// NetworkUnavailable True.
    pub network_unavailable: bool,
    /// `spec.unschedulable`.
    pub unschedulable: bool,
    /// Current taints.
    pub taints: Vec<Taint>,
}

/// A pod bound to a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodView {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `spec.nodeName`.
    pub node: String,
    /// Tolerations (with the admission defaults already added).
    pub tolerations: Vec<Toleration>,
    /// Ready condition is True.
    pub ready: bool,
    /// Already being deleted.
    pub terminating: bool,
}

/// A write the controller makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Set the node's Ready, MemoryPressure, DiskPressure and PIDPressure conditions to
    /// Unknown with this reason and message (`NodeStatusUnknown` / `Kubelet stopped posting
    /// node status.`, or `NodeStatusNeverUpdated` / `Kubelet never posted node status.`).
    ConditionsUnknown {
        /// Node.
        node: String,
        /// Condition reason.
        reason: &'static str,
        /// Condition message.
        message: &'static str,
    },
    /// Replace the node's taints with this list.
    SetTaints {
        /// Node.
        node: String,
        /// The whole new list.
        taints: Vec<Taint>,
    },
    /// Set the pod's Ready condition to False (`MarkPodsNotReady`).
    MarkPodNotReady {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
    },
    /// Record a Kubernetes Event.
    Event {
        /// `Node` or `Pod`.
        kind: &'static str,
        /// Namespace ("" for nodes).
        namespace: String,
        /// Object name.
        name: String,
        /// Warning (true) or Normal.
        warning: bool,
        /// Reason.
        reason: &'static str,
        /// Message.
        message: String,
    },
    /// Delete the pod gracefully (taint-based eviction).
    DeletePod {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ZoneState {
    Initial,
    Normal,
    PartialDisruption,
    FullDisruption,
}

/// `flowcontrol.NewTokenBucketRateLimiter(qps, 1)`: tokens in millionths, refilled
/// continuously (x/time/rate), starting full; qps 0 never accepts.
#[derive(Clone, Debug)]
struct Bucket {
    milli_qps: u64,
    micro_tokens: u64,
    at_ms: Ms,
}

const TOKEN: u64 = 1_000_000;

impl Bucket {
    fn new(milli_qps: u64, now: Ms) -> Self {
        Bucket {
            milli_qps,
            micro_tokens: TOKEN,
            at_ms: now,
        }
    }

    fn try_accept(&mut self, now: Ms) -> bool {
        if self.milli_qps == 0 {
            return false;
        }
        // milli_qps thousandths of a token per second = milli_qps millionths per ms.
        let add = now.saturating_sub(self.at_ms) * self.milli_qps;
        self.micro_tokens = (self.micro_tokens + add).min(TOKEN);
        self.at_ms = now;
        if self.micro_tokens >= TOKEN {
            self.micro_tokens -= TOKEN;
            true
        } else {
            false
        }
    }
}

#[derive(Clone, Debug)]
struct Zone {
    state: ZoneState,
    limiter: Bucket,
    /// `RateLimitedTimedQueue`: (process at, insertion seq, node), unique by node.
    queue: Vec<(Ms, u64, String)>,
}

impl Zone {
    /// `RateLimitedTimedQueue.SwapLimiter`: a new bucket at the new rate, drained when the
    /// old one had no token (burst 1).
    fn swap_limiter(&mut self, milli_qps: u64, now: Ms) {
        if self.limiter.milli_qps == milli_qps {
            return;
        }
        let mut new = Bucket::new(milli_qps, now);
        if milli_qps > 0 && !self.limiter.try_accept(now) {
            new.try_accept(now);
        }
        self.limiter = new;
    }
}

#[derive(Clone, Debug)]
struct Health {
    /// Controller time at which it last saw the heartbeat change (`probeTimestamp`).
    probe_ms: Ms,
    /// The heartbeat value last seen.
    heartbeat_ms: Option<Ms>,
    /// The Ready status as the API server holds it after this controller's writes.
    ready: Option<Status>,
    /// The node is Unknown because of us (until the kubelet posts again).
    marked_unknown: bool,
}

#[derive(Clone, Debug)]
struct Eviction {
    created_ms: Ms,
    fire_ms: Ms,
}

/// The controller's memory between passes.
#[derive(Clone, Debug, Default)]
pub struct NodeLifecycle {
    /// Tunables.
    pub config: Config,
    health: BTreeMap<String, Health>,
    zones: BTreeMap<String, Zone>,
    evictions: BTreeMap<(String, String), Eviction>,
    next_monitor_ms: Ms,
    next_taint_pass_ms: Ms,
    seq: u64,
}

fn taint(key: &str, effect: TaintEffect) -> Taint {
    Taint::new(key, "", effect)
}

fn has(taints: &[Taint], key: &str, effect: TaintEffect) -> bool {
    taints.iter().any(|t| t.key == key && t.effect == effect)
}

impl NodeLifecycle {
    /// A controller with the default flags.
    pub fn new() -> Self {
        NodeLifecycle::default()
    }

    /// When the controller next needs [`NodeLifecycle::reconcile`]: the next monitor tick, the
    /// next 100 ms tainting pass while a queue is non-empty, or the next due eviction.
    pub fn next_wakeup_ms(&self) -> Ms {
        let mut t = self.next_monitor_ms;
        if self.zones.values().any(|z| !z.queue.is_empty()) {
            t = t.min(self.next_taint_pass_ms);
        }
        if let Some(e) = self.evictions.values().map(|e| e.fire_ms).min() {
            t = t.min(e);
        }
        t
    }

    /// Pods with a pending taint-based eviction and when it fires.
    pub fn pending_evictions(&self) -> impl Iterator<Item = (&(String, String), Ms)> {
        self.evictions.iter().map(|(k, e)| (k, e.fire_ms))
    }

    /// Runs whatever is due at `now`: the monitor pass, the NoExecute tainting pass, the
    /// taint manager and due evictions. `nodes` and `pods` are the API server's current view.
    pub fn reconcile(&mut self, now: Ms, nodes: &[NodeView], pods: &[PodView]) -> Vec<Action> {
        let mut out = Vec::new();
        // Working copy of the taints, so the taint manager sees this pass's writes.
        let mut taints: BTreeMap<String, Vec<Taint>> = nodes
            .iter()
            .map(|n| (n.name.clone(), n.taints.clone()))
            .collect();
        if now >= self.next_monitor_ms {
            self.monitor(now, nodes, pods, &mut taints, &mut out);
            self.next_monitor_ms = now + self.config.monitor_period_ms;
        }
        if now >= self.next_taint_pass_ms {
            self.no_execute_pass(now, nodes, &mut taints, &mut out);
            self.next_taint_pass_ms = now + self.config.eviction_period_ms;
        }
        for n in nodes {
            let t = &taints[&n.name];
            if *t != n.taints {
                out.push(Action::SetTaints {
                    node: n.name.clone(),
                    taints: t.clone(),
                });
            }
        }
        self.taint_manager(now, pods, &taints, &mut out);
        out
    }

    fn ready_of(&self, node: &str) -> Option<Status> {
        self.health.get(node).and_then(|h| h.ready)
    }

    /// `monitorNodeHealth`.
    fn monitor(
        &mut self,
        now: Ms,
        nodes: &[NodeView],
        pods: &[PodView],
        taints: &mut BTreeMap<String, Vec<Taint>>,
        out: &mut Vec<Action>,
    ) {
        self.health
            .retain(|name, _| nodes.iter().any(|n| n.name == *name));
        let mut zone_conditions: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for n in nodes {
            let observed = self.observed_ready(n);
            let current = self.try_update_health(now, n, out);
            let (ready, not_ready) = zone_conditions.entry(n.zone.clone()).or_insert((0, 0));
            if current == Some(Status::True) {
                *ready += 1;
            } else {
                *not_ready += 1;
            }
            if current.is_some() && current != Some(Status::True) && observed == Some(Status::True)
            {
                // RecordNodeStatusChange + MarkPodsNotReady.
                out.push(Action::Event {
                    kind: "Node",
                    namespace: String::new(),
                    name: n.name.clone(),
                    warning: false,
                    reason: "NodeNotReady",
                    message: format!("Node {} status is now: NodeNotReady", n.name),
                });
                for p in pods.iter().filter(|p| p.node == n.name && p.ready) {
                    out.push(Action::MarkPodNotReady {
                        namespace: p.namespace.clone(),
                        name: p.name.clone(),
                    });
                    out.push(Action::Event {
                        kind: "Pod",
                        namespace: p.namespace.clone(),
                        name: p.name.clone(),
                        warning: true,
                        reason: "NodeNotReady",
                        message: "Node is not ready".to_string(),
                    });
                }
            }
            self.no_schedule_pass(n, current, taints);
            self.process_taint_based_eviction(now, n, current, taints);
        }
        self.handle_disruption(now, nodes, &zone_conditions, taints);
    }

    /// Ready as the API server holds it before this pass: our last write, or the kubelet's.
    fn observed_ready(&self, n: &NodeView) -> Option<Status> {
        match self.health.get(&n.name) {
            Some(h) if h.marked_unknown && h.heartbeat_ms == n.heartbeat_ms => {
                Some(Status::Unknown)
            }
            _ => n.kubelet_ready,
        }
    }

    /// `tryUpdateNodeHealth`: refresh the probe timestamp when the heartbeat moved; past the
    /// grace period, write Unknown.
    fn try_update_health(
        &mut self,
        now: Ms,
        n: &NodeView,
        out: &mut Vec<Action>,
    ) -> Option<Status> {
        let h = self.health.entry(n.name.clone()).or_insert(Health {
            probe_ms: now,
            heartbeat_ms: n.heartbeat_ms,
            ready: n.kubelet_ready,
            marked_unknown: false,
        });
        if h.heartbeat_ms != n.heartbeat_ms {
            h.probe_ms = now;
            h.heartbeat_ms = n.heartbeat_ms;
            h.marked_unknown = false;
        }
        if !h.marked_unknown {
            h.ready = n.kubelet_ready;
        }
        let grace = if n.kubelet_ready.is_none() {
            self.config.startup_grace_period_ms
        } else {
            self.config.grace_period_ms
        };
        if now > h.probe_ms + grace && h.ready != Some(Status::Unknown) {
            let never = n.kubelet_ready.is_none();
            out.push(Action::ConditionsUnknown {
                node: n.name.clone(),
                reason: if never {
                    "NodeStatusNeverUpdated"
                } else {
                    "NodeStatusUnknown"
                },
                message: if never {
                    "Kubelet never posted node status."
                } else {
                    "Kubelet stopped posting node status."
                },
            });
            h.ready = Some(Status::Unknown);
            h.marked_unknown = true;
        }
        h.ready
    }

    /// `doNoScheduleTaintingPass`.
    fn no_schedule_pass(
        &self,
        n: &NodeView,
        ready: Option<Status>,
        taints: &mut BTreeMap<String, Vec<Taint>>,
    ) {
        let mut want: Vec<&str> = Vec::new();
        match ready {
            Some(Status::False) => want.push(TAINT_NOT_READY),
            Some(Status::Unknown) => want.push(TAINT_UNREACHABLE),
            _ => {}
        }
        // Pressure conditions are Unknown (not True) while the node is unreachable.
        let reachable = ready != Some(Status::Unknown);
        if reachable && n.memory_pressure {
            want.push(TAINT_MEMORY_PRESSURE);
        }
        if reachable && n.disk_pressure {
            want.push(TAINT_DISK_PRESSURE);
        }
        if reachable && n.pid_pressure {
            want.push(TAINT_PID_PRESSURE);
        }
        if n.network_unavailable {
            want.push(TAINT_NETWORK_UNAVAILABLE);
        }
        if n.unschedulable {
            want.push(TAINT_UNSCHEDULABLE);
        }
        let t = taints.get_mut(&n.name).expect("every node has an entry");
        t.retain(|x| {
            x.effect != TaintEffect::NoSchedule
                || !NO_SCHEDULE_KEYS.contains(&x.key.as_str())
                || want.contains(&x.key.as_str())
        });
        for k in want {
            if !has(t, k, TaintEffect::NoSchedule) {
                t.push(taint(k, TaintEffect::NoSchedule));
            }
        }
    }

    fn zone_mut(&mut self, zone: &str, now: Ms) -> &mut Zone {
        let rate = self.config.eviction_rate_milli_qps;
        self.zones.entry(zone.to_string()).or_insert_with(|| Zone {
            state: ZoneState::Initial,
            limiter: Bucket::new(rate, now),
            queue: Vec::new(),
        })
    }

    /// `processTaintBaseEviction`.
    fn process_taint_based_eviction(
        &mut self,
        now: Ms,
        n: &NodeView,
        ready: Option<Status>,
        taints: &mut BTreeMap<String, Vec<Taint>>,
    ) {
        let t = taints.get_mut(&n.name).expect("entry");
        let swap = |t: &mut Vec<Taint>, add: &str, remove: &str| {
            t.retain(|x| !(x.key == remove && x.effect == TaintEffect::NoExecute));
            if !has(t, add, TaintEffect::NoExecute) {
                t.push(taint(add, TaintEffect::NoExecute));
            }
        };
        match ready {
            Some(Status::False) if has(t, TAINT_UNREACHABLE, TaintEffect::NoExecute) => {
                swap(t, TAINT_NOT_READY, TAINT_UNREACHABLE);
            }
            Some(Status::Unknown) if has(t, TAINT_NOT_READY, TaintEffect::NoExecute) => {
                swap(t, TAINT_UNREACHABLE, TAINT_NOT_READY);
            }
            Some(Status::False) | Some(Status::Unknown) => {
                // markNodeForTainting: RateLimitedTimedQueue.Add (unique by node).
                self.seq += 1;
                let seq = self.seq;
                let z = self.zone_mut(&n.zone, now);
                if !z.queue.iter().any(|(_, _, name)| *name == n.name) {
                    z.queue.push((now, seq, n.name.clone()));
                }
            }
            Some(Status::True) => self.mark_reachable(n, taints),
            None => {}
        }
    }

    /// `markNodeAsReachable`: drop both NoExecute taints and any queued tainting.
    fn mark_reachable(&mut self, n: &NodeView, taints: &mut BTreeMap<String, Vec<Taint>>) {
        let t = taints.get_mut(&n.name).expect("entry");
        t.retain(|x| {
            !(x.effect == TaintEffect::NoExecute
                && (x.key == TAINT_NOT_READY || x.key == TAINT_UNREACHABLE))
        });
        if let Some(z) = self.zones.get_mut(&n.zone) {
            z.queue.retain(|(_, _, name)| *name != n.name);
        }
    }

    /// `ComputeZoneState`.
    fn zone_state(&self, ready: usize, not_ready: usize) -> ZoneState {
        let total = ready + not_ready;
        if ready == 0 && not_ready > 0 {
            ZoneState::FullDisruption
        } else if not_ready > 2
            && 100 * not_ready >= self.config.unhealthy_zone_threshold_percent * total
        {
            ZoneState::PartialDisruption
        } else {
            ZoneState::Normal
        }
    }

    /// `setLimiterInZone`.
    fn limiter_rate(&self, size: usize, state: ZoneState) -> u64 {
        match state {
            ZoneState::PartialDisruption if size > self.config.large_cluster_size_threshold => {
                self.config.secondary_eviction_rate_milli_qps
            }
            ZoneState::PartialDisruption => 0,
            _ => self.config.eviction_rate_milli_qps,
        }
    }

    /// `handleDisruption`.
    fn handle_disruption(
        &mut self,
        now: Ms,
        nodes: &[NodeView],
        zone_conditions: &BTreeMap<String, (usize, usize)>,
        taints: &mut BTreeMap<String, Vec<Taint>>,
    ) {
        let mut new_states = BTreeMap::new();
        let mut all_are_full = true;
        for (zone, &(ready, not_ready)) in zone_conditions {
            let s = self.zone_state(ready, not_ready);
            if s != ZoneState::FullDisruption {
                all_are_full = false;
            }
            new_states.insert(zone.clone(), s);
            self.zone_mut(zone, now);
        }
        self.zones.retain(|z, _| zone_conditions.contains_key(z));
        let all_were_full = self
            .zones
            .values()
            .all(|z| z.state == ZoneState::FullDisruption);
        if all_are_full && all_were_full {
            return;
        }
        if all_are_full {
            // Master disruption mode: untaint everything and stop evicting.
            for n in nodes {
                self.mark_reachable(n, taints);
            }
            for z in self.zones.values_mut() {
                z.swap_limiter(0, now);
                z.state = ZoneState::FullDisruption;
            }
            return;
        }
        if all_were_full {
            // Leaving it: pretend every node just reported, reset limiters.
            for h in self.health.values_mut() {
                h.probe_ms = now;
            }
            let sizes: Vec<(String, u64, ZoneState)> = zone_conditions
                .iter()
                .map(|(z, &(r, nr))| {
                    (
                        z.clone(),
                        self.limiter_rate(r + nr, new_states[z]),
                        new_states[z],
                    )
                })
                .collect();
            for (z, rate, s) in sizes {
                let zone = self.zones.get_mut(&z).expect("zone");
                zone.swap_limiter(rate, now);
                zone.state = s;
            }
            return;
        }
        let changes: Vec<(String, u64, ZoneState)> = self
            .zones
            .iter()
            .filter(|(z, zone)| zone.state != new_states[*z])
            .map(|(z, _)| {
                let (r, nr) = zone_conditions[z];
                (
                    z.clone(),
                    self.limiter_rate(r + nr, new_states[z]),
                    new_states[z],
                )
            })
            .collect();
        for (z, rate, s) in changes {
            let zone = self.zones.get_mut(&z).expect("zone");
            zone.swap_limiter(rate, now);
            zone.state = s;
        }
    }

    /// `doNoExecuteTaintingPass`: per zone, `RateLimitedTimedQueue.Try`.
    fn no_execute_pass(
        &mut self,
        now: Ms,
        nodes: &[NodeView],
        taints: &mut BTreeMap<String, Vec<Taint>>,
        _out: &mut [Action],
    ) {
        let zone_names: Vec<String> = self.zones.keys().cloned().collect();
        for zn in zone_names {
            loop {
                let ready = {
                    let z = &self.zones[&zn];
                    let Some(head) = z.queue.iter().min().cloned() else {
                        break;
                    };
                    head
                };
                let z = self.zones.get_mut(&zn).expect("zone");
                if !z.limiter.try_accept(now) {
                    break;
                }
                if now < ready.0 {
                    break;
                }
                z.queue.retain(|e| *e != ready);
                let name = ready.2;
                if !nodes.iter().any(|n| n.name == name) {
                    continue;
                }
                let (add, remove) = match self.ready_of(&name) {
                    Some(Status::False) => (TAINT_NOT_READY, TAINT_UNREACHABLE),
                    Some(Status::Unknown) => (TAINT_UNREACHABLE, TAINT_NOT_READY),
                    _ => continue,
                };
                let t = taints.get_mut(&name).expect("entry");
                t.retain(|x| !(x.key == remove && x.effect == TaintEffect::NoExecute));
                if !has(t, add, TaintEffect::NoExecute) {
                    t.push(taint(add, TaintEffect::NoExecute));
                }
            }
        }
    }

    /// The taint eviction controller, level-triggered over the current taints.
    fn taint_manager(
        &mut self,
        now: Ms,
        pods: &[PodView],
        taints: &BTreeMap<String, Vec<Taint>>,
        out: &mut Vec<Action>,
    ) {
        let mut seen: Vec<(String, String)> = Vec::new();
        for p in pods {
            let key = (p.namespace.clone(), p.name.clone());
            if p.terminating {
                continue;
            }
            let no_execute: Vec<&Taint> = taints
                .get(&p.node)
                .map(|t| {
                    t.iter()
                        .filter(|t| t.effect == TaintEffect::NoExecute)
                        .collect()
                })
                .unwrap_or_default();
            seen.push(key.clone());
            if no_execute.is_empty() {
                self.cancel_with_event(&key, out);
                continue;
            }
            // GetMatchingTolerations: every taint needs a toleration; collect the first match.
            let mut used: Vec<&Toleration> = Vec::new();
            let mut all = true;
            for t in &no_execute {
                match p.tolerations.iter().find(|tol| tol.tolerates(t)) {
                    Some(tol) => used.push(tol),
                    None => all = false,
                }
            }
            let min_ms = if all {
                match min_toleration_ms(&used) {
                    Some(ms) => ms,
                    None => {
                        // Tolerated forever.
                        self.cancel_with_event(&key, out);
                        continue;
                    }
                }
            } else {
                0
            };
            let trigger = now + min_ms;
            if let Some(e) = self.evictions.get(&key) {
                // processPodOnNode keeps work created earlier (it cannot fire later than a new
                // one would); an untolerated taint always replaces it with "now".
                if all && e.created_ms < now {
                    continue;
                }
                if e.created_ms == now && e.fire_ms == trigger {
                    continue;
                }
                self.cancel_with_event(&key, out);
            }
            self.evictions.insert(
                key,
                Eviction {
                    created_ms: now,
                    fire_ms: trigger,
                },
            );
        }
        // Pods that went away: forget silently.
        self.evictions.retain(|k, _| seen.contains(k));
        let due: Vec<(String, String)> = self
            .evictions
            .iter()
            .filter(|(_, e)| e.fire_ms <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for (ns, name) in due {
            self.evictions.remove(&(ns.clone(), name.clone()));
            out.push(Action::Event {
                kind: "Pod",
                namespace: ns.clone(),
                name: name.clone(),
                warning: false,
                reason: "TaintManagerEviction",
                message: format!("Marking for deletion Pod {ns}/{name}"),
            });
            out.push(Action::DeletePod {
                namespace: ns,
                name,
            });
        }
    }

    /// `cancelWorkWithEvent`.
    fn cancel_with_event(&mut self, key: &(String, String), out: &mut Vec<Action>) {
        if self.evictions.remove(key).is_some() {
            out.push(Action::Event {
                kind: "Pod",
                namespace: key.0.clone(),
                name: key.1.clone(),
                warning: false,
                reason: "TaintManagerEviction",
                message: format!("Cancelling deletion of Pod {}/{}", key.0, key.1),
            });
        }
    }
}

/// `getMinTolerationTime`: the smallest `tolerationSeconds` (≤ 0 → now); `None` when every
/// used toleration is unbounded (tolerate forever).
pub fn min_toleration_ms(used: &[&Toleration]) -> Option<Ms> {
    if used.is_empty() {
        return Some(0);
    }
    let mut min: Option<i64> = None;
    for t in used {
        if let Some(s) = t.toleration_seconds {
            if s <= 0 {
                return Some(0);
            }
            min = Some(min.map_or(s, |m: i64| m.min(s)));
        }
    }
    min.map(|s| s as Ms * 1_000)
}

/// `DefaultTolerationSeconds` admission: not-ready and unreachable NoExecute for 300 s, unless
/// the pod already tolerates them (a toleration with an empty key or the same key, and an empty
/// or NoExecute effect).
pub fn add_default_tolerations(tolerations: &mut Vec<Toleration>) {
    for key in [TAINT_NOT_READY, TAINT_UNREACHABLE] {
        let covered = tolerations.iter().any(|t| {
            (t.key.is_empty() || t.key == key)
                && t.effect.is_none_or(|e| e == TaintEffect::NoExecute)
        });
        if !covered {
            tolerations.push(Toleration::exists(
                key,
                Some(TaintEffect::NoExecute),
                Some(300),
            ));
        }
    }
}

#[cfg(test)]
mod tests;
