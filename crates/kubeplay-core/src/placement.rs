//! Scheduler glue: the scheduling queue, binding, FailedScheduling, retries.
//!
//! The filter/score/select logic is the scheduler module's (pure functions over a cache); this
//! file owns when pods are tried: an active FIFO drained once per millisecond it is non-empty,
//! and an unschedulable set whose pods come back after their back-off (1 s doubling to 10 s,
//! `podInitialBackoffSeconds`/`podMaxBackoffSeconds`) when the cluster changes (a node added or
//! changed, a pod removed), or at the latest after 5 minutes
//! (`podMaxInUnschedulablePodsDuration`).
//!
//! A pod's last decision lives on its store record ([`crate::store::PodRec::decision`]): it is
//! written on every attempt, and a side map keyed by name cost a string-keyed tree walk per
//! bind (150,000 of them in the 5,000-node benchmark) for a value read only by the UI.
//!
//! Every cluster change queues a retry per unschedulable pod (as upstream moves them all).
//! When a pod already has such a retry queued for the same attempt and time, and no
//! `ScheduleCycle` has been queued since, the new one is not queued: it would run right after
//! the earlier one with nothing in between able to make the pod unschedulable again, so it
//! could only find the pod gone from the set and do nothing. Node additions in bulk (200
//! nodes × thousands of Pending pods) queued one such no-op per pod per node. Only the count
//! of internal queue events ([`Sim::steps`]) differs; every decision, event and trace is the
//! same.
use crate::clock::{Ms, MINUTE_MS, SECOND_MS};
use crate::sim::{Emit, Ev, Sim};
use crate::store::Key;
use std::collections::{BTreeMap, VecDeque};

/// Most scheduling attempts in one `ScheduleCycle` event (see [`Sim::schedule_cycle`]).
pub const SCHEDULE_BATCH_MAX: usize = 64;

/// Clusters up to this many nodes keep per-node verdicts and scores for every decision.
pub const EXPLAIN_NODES_MAX: usize = 100;

/// What the scheduler decided for a pod, kept for the UI ("why this node / why Pending").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulingDecision {
    /// When the attempt happened.
    pub at_ms: Ms,
    /// Chosen node, if any.
    pub node: Option<String>,
    /// The event message (`Successfully assigned …` or the `0/N nodes are available: …` text).
    pub message: String,
    /// The scheduler's full result: per-node verdicts and plugin scores (`nodes` is filled
    /// for clusters of up to [`EXPLAIN_NODES_MAX`] nodes). None when the user set nodeName.
    pub detail: Option<crate::scheduler::Decision>,
}

/// Scheduler queues.
#[derive(Debug, Default, Clone)]
pub struct SchedQueue {
    /// Pods waiting for a scheduling attempt, FIFO, each with its store slot as a lookup hint.
    pub active: VecDeque<(Key, u32)>,
    /// A `ScheduleCycle` is already on the event queue.
    pub armed: bool,
    /// Unschedulable pods: attempts so far, time of the last attempt, and the cluster-change
    /// retry already queued for this attempt, if any.
    pub unschedulable: BTreeMap<Key, Unschedulable>,
    /// Number of `ScheduleCycle` events queued so far (tells whether one may run between two
    /// retries queued at the same time).
    pub cycles_queued: u64,
    /// Failed attempts of pods taken out of `unschedulable` for another try. Upstream keeps
    /// the count on the pod's `QueuedPodInfo.Attempts` across queue moves, so the back-off
    /// of the next failure keeps doubling; dropped when the pod binds or is deleted.
    pub tried: BTreeMap<Key, u32>,
    /// The last PodInfo built for an attempt, reused for the next pod of its template.
    pub(crate) pod_info: crate::schedwire::PodInfoMemo,
}

/// An unschedulable pod's entry in [`SchedQueue::unschedulable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unschedulable {
    /// Failed attempts so far.
    pub attempts: u32,
    /// Time of the last attempt.
    pub last_ms: Ms,
    /// A cluster-change retry queued for this attempt: its time and
    /// [`SchedQueue::cycles_queued`] when it was queued.
    pub retry_queued: Option<(Ms, u64)>,
}

/// Back-off after `attempts` failed attempts: 1 s doubling, capped at 10 s.
pub fn sched_backoff_ms(attempts: u32) -> Ms {
    let shift = attempts.saturating_sub(1).min(4);
    (SECOND_MS << shift).min(10 * SECOND_MS)
}

impl Sim {
    /// Put a pod on the active queue.
    pub(crate) fn sched_enqueue(&mut self, key: &Key) {
        let slot = self.store.pods().slot(key).unwrap_or(u32::MAX);
        self.sched.active.push_back((key.clone(), slot));
        if !self.sched.armed {
            self.sched.armed = true;
            self.sched.cycles_queued += 1;
            self.queue.push(self.now, Ev::ScheduleCycle);
        }
    }

    /// Something changed that may make unschedulable pods fit: move them back after their
    /// back-off (upstream `MoveAllToActiveOrBackoffQueue`).
    /// A retry identical to one still queued is skipped (see the module docs).
    pub(crate) fn sched_cluster_changed(&mut self) {
        let cycles = self.sched.cycles_queued;
        for (key, u) in self.sched.unschedulable.iter_mut() {
            let at = (u.last_ms + sched_backoff_ms(u.attempts)).max(self.now);
            if u.retry_queued == Some((at, cycles)) {
                continue;
            }
            u.retry_queued = Some((at, cycles));
            self.queue.push(at, Ev::SchedRetry(key.clone(), u.attempts));
        }
    }

    /// A queued retry came due: the pod goes back to the active queue if it is still
    /// unschedulable from the same attempt (a later failure queued its own retries).
    pub(crate) fn sched_retry(&mut self, key: &Key, attempts: u32) {
        if self
            .sched
            .unschedulable
            .get(key)
            .is_some_and(|u| u.attempts == attempts)
        {
            self.sched.unschedulable.remove(key);
            self.sched.tried.insert(key.clone(), attempts);
            self.sched_enqueue(key);
        }
    }

    /// Take pods off the active queue, one attempt each: the whole queue, or the first
    /// [`SCHEDULE_BATCH_MAX`] of it with another cycle queued right behind for the rest.
    ///
    /// Upstream `ScheduleOne` takes one pod per cycle; here every attempt of a cycle happens
    /// at the same virtual millisecond, so how many go in one event changes no decision. The
    /// cap keeps one event's work bounded: 200 nodes joining under 5,000 Pending pods was one
    /// event of a third of a second, a frame the playground could not split.
    pub(crate) fn schedule_cycle(&mut self) {
        self.sched.armed = false;
        let n = self.sched.active.len().min(SCHEDULE_BATCH_MAX);
        if self.sched.active.len() > n {
            self.sched.armed = true;
            self.sched.cycles_queued += 1;
            self.queue.push(self.now, Ev::ScheduleCycle);
        }
        for _ in 0..n {
            let Some((key, slot)) = self.sched.active.pop_front() else {
                break;
            };
            self.store.pods().hint(&key, slot);
            let Some(rec) = self.store.pod(&key) else {
                continue;
            };
            if rec.rt.node.is_some() || rec.rt.deleting_ms.is_some() {
                continue;
            }
            self.schedule_one(&key);
        }
    }

    fn schedule_one(&mut self, key: &Key) {
        let (result, verdicts, info) = self.place(key);
        match result {
            Ok(node) => self.bind_with(key, node, verdicts, info),
            Err(message) => {
                if let Some(info) = info {
                    self.sched_pod_info_done(info);
                }
                // upstream `calculateBackoffDuration` reads `QueuedPodInfo.Attempts`, which
                // counts every attempt of the pod, not only those since its last move.
                let before = self.sched.tried.remove(key);
                let attempts = before
                    .or_else(|| self.sched.unschedulable.get(key).map(|u| u.attempts))
                    .unwrap_or(0)
                    + 1;
                self.sched.unschedulable.insert(
                    key.clone(),
                    Unschedulable {
                        attempts,
                        last_ms: self.now,
                        retry_queued: None,
                    },
                );
                self.queue.push(
                    self.now + 5 * MINUTE_MS,
                    Ev::SchedRetry(key.clone(), attempts),
                );
                let decision = Box::new(SchedulingDecision {
                    at_ms: self.now,
                    node: None,
                    message: message.clone(),
                    detail: verdicts,
                });
                let msg = message.clone();
                self.pod_update(key, |rec, _| {
                    rec.rt.unschedulable = Some(msg);
                    rec.decision = Some(decision);
                });
                if let Some(rec) = self.store.pod(key) {
                    let meta = Sim::ident(&rec.pod.metadata);
                    self.emit(Emit {
                        kind: "Pod",
                        meta: &meta,
                        field_path: None,
                        warning: true,
                        reason: "FailedScheduling",
                        message: format_args!("{message}"),
                        component: "default-scheduler",
                        host: None,
                    });
                }
                self.tr_key(
                    "Pod",
                    key,
                    "FailedScheduling",
                    format_args!("attempt={attempts}"),
                );
            }
        }
    }

    /// Bind a pod to a node (the scheduler's Bind, or `spec.nodeName` set by the user).
    pub(crate) fn bind(
        &mut self,
        key: &Key,
        node: &str,
        verdicts: Option<crate::scheduler::Decision>,
    ) {
        self.bind_with(key, node.to_string(), verdicts, None);
    }

    /// [`Sim::bind`] reusing the scheduling cycle's `PodInfo` (built before the bind, so only
    /// its `node_name` differs from what [`Sim::pod_info_of`] would build after it, and
    /// [`crate::scheduler::Cache::add_pod`] does not read that).
    fn bind_with(
        &mut self,
        key: &Key,
        n: String,
        verdicts: Option<crate::scheduler::Decision>,
        info: Option<crate::scheduler::PodInfo>,
    ) {
        self.sched.unschedulable.remove(key);
        self.sched.tried.remove(key);
        let node = n.as_str();
        // Sized up front: `format!` guesses from the literal pieces and grows once more.
        const ASSIGNED: &str = "Successfully assigned ";
        let mut message =
            String::with_capacity(ASSIGNED.len() + key.0.len() + key.1.len() + node.len() + 5);
        message.push_str(ASSIGNED);
        message.push_str(&key.0);
        message.push('/');
        message.push_str(&key.1);
        message.push_str(" to ");
        message.push_str(node);
        // The trace line and the scheduler cache first, while `node` still borrows `n`, which
        // then moves into the pod: neither reads what `pod_update` writes (the trace and the
        // event log are separate; `add_pod` reads no nodeName), so the order is as good as
        // after it, and saves a copy of the name.
        self.tr_key("Pod", key, "Scheduled", format_args!("node={node}"));
        match info {
            Some(info) => {
                if self.store.pod(key).is_some() {
                    self.scheduler.cache.add_pod(node, &info);
                }
                self.sched_pod_info_done(info);
            }
            None => {
                if let Some(info) = self.pod_info_of(key) {
                    self.scheduler.cache.add_pod(node, &info);
                }
            }
        }
        let decision = Box::new(SchedulingDecision {
            at_ms: self.now,
            node: Some(n.clone()),
            message,
            detail: verdicts,
        });
        self.pod_update(key, |rec, now| {
            rec.pod.spec.node_name = Some(n.clone());
            rec.rt.node = Some(n);
            rec.rt.scheduled_ms = Some(now);
            rec.rt.unschedulable = None;
            rec.decision = Some(decision);
        });
        if let Some(rec) = self.store.pod(key) {
            // The event's message is the decision's, just stored with the pod (no copy).
            let message = rec.decision.as_ref().map_or("", |d| d.message.as_str());
            crate::sim::record_event(
                &mut self.events,
                self.now,
                Emit {
                    kind: "Pod",
                    meta: &rec.pod.metadata,
                    field_path: None,
                    warning: false,
                    reason: "Scheduled",
                    message: format_args!("{message}"),
                    component: "default-scheduler",
                    host: None,
                },
            );
        }
        self.kubelet_pod_bound(key);
    }

    /// One kube-scheduler cycle for the pod (scheduler module), with per-node verdicts kept
    /// for small clusters (the UI's "why this node / why Pending").
    #[allow(clippy::type_complexity)]
    fn place(
        &mut self,
        key: &Key,
    ) -> (
        Result<String, String>,
        Option<crate::scheduler::Decision>,
        Option<crate::scheduler::PodInfo>,
    ) {
        let Some(info) = self.sched_pod_info(key) else {
            return (Err("pod vanished".into()), None, None);
        };
        let explain = self.store.nodes.len() <= EXPLAIN_NODES_MAX;
        let d = self.scheduler.schedule(
            &info,
            self.rng.stream(crate::rng::Stream::Scheduler),
            explain,
        );
        match &d.node {
            Some(n) => (Ok(n.clone()), Some(d), Some(info)),
            None => (
                Err(d
                    .message
                    .clone()
                    .unwrap_or_else(|| "no nodes available to schedule pods".into())),
                Some(d),
                Some(info),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::Sim;

    /// One small node, 30 replicas of 100m: 11 stay Pending.
    fn pending_sim() -> Sim {
        let yaml = "apiVersion: v1\nkind: Node\nmetadata:\n  name: small\n  labels:\n    node.kubernetes.io/instance-type: t3.small\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 30\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.25\n        resources:\n          requests:\n            cpu: 100m\n";
        let mut sim = Sim::with_cluster(17, kubeplay_api::load(yaml).into_objects());
        sim.run_until(30_000).unwrap();
        assert_eq!(sim.sched.unschedulable.len(), 11);
        sim
    }

    /// Upstream `TestBackoffPod`/`calculateBackoffDuration`: with the cluster changing all
    /// the time, a pod that keeps failing is tried again after 1, 2, 4, 8, then 10 s (the
    /// attempt count survives the pod's moves between the queues).
    #[test]
    fn back_off_doubles_from_1s_to_10s_across_retries() {
        let mut sim = pending_sim();
        let key = sim.sched.unschedulable.keys().next().cloned().unwrap();
        let mut last = sim.sched.unschedulable[&key];
        let mut gaps = Vec::new();
        for _ in 0..40_000 {
            if gaps.len() == 7 {
                break;
            }
            sim.sched_cluster_changed();
            sim.step();
            if let Some(u) = sim.sched.unschedulable.get(&key).copied() {
                if u.attempts != last.attempts {
                    assert_eq!(u.attempts, last.attempts + 1);
                    gaps.push(u.last_ms - last.last_ms);
                    last = u;
                }
            }
        }
        // The first gap runs from the pod's first attempt to the first change we made.
        gaps.remove(0);
        let first = usize::try_from(last.attempts).unwrap() - gaps.len();
        let want: Vec<u64> = (first..first + gaps.len())
            .map(|a| super::sched_backoff_ms(u32::try_from(a).unwrap()))
            .collect();
        assert_eq!(gaps, want, "retry gaps after attempts {first}..");
        assert_eq!(&gaps[gaps.len() - 2..], &[10_000, 10_000]);
    }

    #[test]
    fn a_cluster_change_queues_one_retry_per_pending_pod_until_it_runs() {
        let mut sim = pending_sim();
        let q0 = sim.queue.len();
        sim.sched_cluster_changed();
        let q1 = sim.queue.len();
        assert_eq!(q1 - q0, 11, "one retry per unschedulable pod");
        // Another change before those ran: each would only follow the queued one and find
        // its pod already moved, so nothing is queued.
        sim.sched_cluster_changed();
        assert_eq!(sim.queue.len(), q1);
        // Once they ran (the pods were tried and failed again) a change queues new ones.
        sim.run_for(2_000).unwrap();
        assert_eq!(sim.sched.unschedulable.len(), 11);
        assert!(sim
            .sched
            .unschedulable
            .values()
            .all(|u| u.retry_queued.is_none()));
        let q2 = sim.queue.len();
        sim.sched_cluster_changed();
        assert_eq!(sim.queue.len() - q2, 11);
    }

    #[test]
    fn a_retry_is_queued_again_when_a_schedule_cycle_was_queued_in_between() {
        let mut sim = pending_sim();
        sim.sched_cluster_changed();
        let q1 = sim.queue.len();
        // A cycle queued between two changes may fail a pod again before the second retry
        // runs, and then that retry does move it: it must stay queued.
        let key = sim.sched.unschedulable.keys().next().cloned().unwrap();
        assert!(!sim.sched.armed);
        sim.sched_enqueue(&key);
        let q2 = sim.queue.len();
        assert_eq!(q2 - q1, 1, "the ScheduleCycle");
        sim.sched_cluster_changed();
        assert_eq!(sim.queue.len() - q2, 11);
    }
}
