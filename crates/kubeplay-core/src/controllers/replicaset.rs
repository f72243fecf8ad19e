//! The ReplicaSet controller (`pkg/controller/replicaset/replica_set.go`).
//!
//! `syncReplicaSet`: claim pods (adopt matching orphans), `manageReplicas` toward
//! `spec.replicas` — creating at most `burstReplicas` (500) per sync in slow-start batches, and
//! deleting by the upstream ranking (`getPodsToDelete`, `ActivePodsWithRanks`) — then update
//! status. Active-pod counts come from the store's incremental per-owner index instead of a
//! list-and-filter, which is what makes 150,000-replica ReplicaSets cheap; the ranking still
//! looks at the pods themselves when it must choose victims.
use crate::api::OwnerReference;
use crate::clock::{Ms, SECOND_MS};
use crate::kubelet::PodPhase;
use crate::sim::Sim;
use crate::store::{controller_uid, Key, PodRec};
use crate::workqueue::ControllerId;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// `burstReplicas`: most pods created or deleted in one sync.
pub const BURST_REPLICAS: usize = 500;

/// `controller.kubernetes.io/pod-deletion-cost`.
pub const DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

/// What the ranking looks at for one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedPod {
    /// Pod name (final tie-break for determinism; upstream's sort is unstable).
    pub name: String,
    /// UID (LogarithmicScaleDown tie-break).
    pub uid: String,
    /// Bound to a node.
    pub assigned: bool,
    /// Phase.
    pub phase: PodPhase,
    /// Ready condition.
    pub ready: bool,
    /// Ready's last transition (when ready).
    pub ready_since_ms: Option<Ms>,
    /// Deletion cost annotation.
    pub cost: i32,
    /// Related active pods on the same node.
    pub rank: u32,
    /// Max container restarts.
    pub restarts: u32,
    /// Creation time.
    pub created_ms: Ms,
}

fn phase_rank(p: PodPhase) -> u8 {
    match p {
        PodPhase::Pending => 0,
        PodPhase::Unknown => 1,
        PodPhase::Running => 2,
        _ => 3,
    }
}

/// `floor(log2(now − t))` with t in ns, as LogarithmicScaleDown's `getPodsRankedByRelatedPods`
/// buckets (`podRankedByLog`): durations compared by their power-of-two bucket.
fn log_bucket(now: Ms, t: Ms) -> i64 {
    let d_ns = u128::from(now.saturating_sub(t)) * 1_000_000;
    if d_ns == 0 {
        -1
    } else {
        i64::from(127 - d_ns.leading_zeros())
    }
}

/// `ActivePodsWithRanks.Less(i, j)` with LogarithmicScaleDown (on by default): true when `a`
/// should be deleted before `b`. `Equal` means upstream would consider them equal (our final
/// name tie-break is applied by [`rank_for_deletion`]).
pub fn deletion_order(a: &RankedPod, b: &RankedPod, now: Ms) -> Ordering {
    // 1. unassigned < assigned
    if a.assigned != b.assigned {
        return if !a.assigned {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    // 2. Pending < Unknown < Running
    if phase_rank(a.phase) != phase_rank(b.phase) {
        return phase_rank(a.phase).cmp(&phase_rank(b.phase));
    }
    // 3. not ready < ready
    if a.ready != b.ready {
        return if !a.ready {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    // 4. lower deletion cost first
    if a.cost != b.cost {
        return a.cost.cmp(&b.cost);
    }
    // 5. doubled-up (higher rank) first
    if a.rank != b.rank {
        return b.rank.cmp(&a.rank);
    }
    // 6. both ready: ready for a shorter time first (log buckets, zero time first)
    if a.ready && b.ready {
        match (a.ready_since_ms, b.ready_since_ms) {
            (Some(x), Some(y)) => {
                let (bx, by) = (log_bucket(now, x), log_bucket(now, y));
                if bx != by {
                    return bx.cmp(&by);
                }
            }
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (None, None) => {}
        }
    }
    // 7. more restarts first
    if a.restarts != b.restarts {
        return b.restarts.cmp(&a.restarts);
    }
    // 8. newer first (log buckets)
    let (ca, cb) = (log_bucket(now, a.created_ms), log_bucket(now, b.created_ms));
    if ca != cb {
        return ca.cmp(&cb);
    }
    // LogarithmicScaleDown: ties in a bucket broken by UID
    a.uid.cmp(&b.uid)
}

/// Sort pods into deletion order (first = delete first), with name as the last tie-break.
pub fn rank_for_deletion(pods: &mut [RankedPod], now: Ms) {
    pods.sort_by(|a, b| deletion_order(a, b, now).then_with(|| a.name.cmp(&b.name)));
}

/// `getPodsToDelete(filtered, related, diff)`: when diff < len, rank; otherwise take all.
pub fn pods_to_delete(mut pods: Vec<RankedPod>, diff: usize, now: Ms) -> Vec<RankedPod> {
    if diff < pods.len() {
        rank_for_deletion(&mut pods, now);
    }
    pods.truncate(diff);
    pods
}

/// `IsPodActive`: not terminal and not being deleted.
pub fn is_active(rec: &PodRec) -> bool {
    !matches!(rec.rt.phase, PodPhase::Succeeded | PodPhase::Failed) && rec.rt.deleting_ms.is_none()
}

fn ranked(rec: &PodRec, rank: u32) -> RankedPod {
    RankedPod {
        name: rec.pod.metadata.name.clone(),
        uid: rec.pod.metadata.uid.clone().unwrap_or_default(),
        assigned: rec.rt.node.is_some(),
        phase: rec.rt.phase,
        ready: rec.rt.ready,
        ready_since_ms: if rec.rt.ready {
            rec.rt.ready_change_ms
        } else {
            None
        },
        cost: rec
            .pod
            .metadata
            .annotations
            .get(DELETION_COST)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        rank,
        restarts: rec.rt.max_restarts(),
        created_ms: rec.rt.created_ms,
    }
}

impl Sim {
    /// Pod keys controlled by an owner uid.
    pub(crate) fn owned_pods(&self, uid: &str) -> Vec<Key> {
        self.store
            .children_of(uid)
            .filter(|(k, _)| *k == crate::api::Kind::Pod)
            .map(|(_, key)| key)
            .filter(|k| {
                self.store
                    .pod(k)
                    .is_some_and(|r| controller_uid(&r.pod.metadata) == Some(uid))
            })
            .collect()
    }

    /// syncReplicaSet.
    pub(crate) fn sync_replicaset(&mut self, key: &Key) {
        let Some(rec) = self.store.replicasets.get(key) else {
            return;
        };
        let rs = rec.obj.clone();
        let deleting = rec.deleting_ms.is_some();
        let uid = rs.metadata.uid.clone().unwrap_or_default();
        let ns = key.0.clone();
        if !deleting {
            self.adopt_orphan_pods(key, &rs);
        }
        let counts = self.store.counts_of(&uid);
        let want = rs.spec.replicas.unwrap_or(1).max(0) as usize;
        let have = counts.active as usize;
        if !deleting && have < want {
            let n = (want - have).min(BURST_REPLICAS);
            let owner = OwnerReference {
                api_version: "apps/v1".into(),
                kind: "ReplicaSet".into(),
                name: key.1.clone(),
                uid: uid.clone(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            };
            let prefix = format!("{}-", key.1);
            // slowStartBatch(1, 2, 4, …): every create succeeds in the sim, so the batches
            // only shape the order of events; a real failure would stop the remaining batches.
            let mut created = 0;
            let mut batch = 1usize;
            while created < n {
                let size = batch.min(n - created);
                for _ in 0..size {
                    let pod =
                        self.pod_from_template(&ns, &prefix, &rs.spec.template, owner.clone());
                    // The message borrows the name from the key `create_pod` returns.
                    let pod_key = self.create_pod(pod);
                    self.controller_event(
                        "ReplicaSet",
                        &rs.metadata,
                        false,
                        "SuccessfulCreate",
                        format_args!("Created pod: {}", pod_key.1),
                        "replicaset-controller",
                    );
                }
                created += size;
                batch *= 2;
            }
            if want - have > n {
                self.enqueue(ControllerId::ReplicaSet, key, 1);
            }
        } else if !deleting && have > want {
            let diff = (have - want).min(BURST_REPLICAS);
            let victims = self.choose_victims(&uid, &rs, diff);
            for v in victims {
                let pk = (ns.clone(), v.name.clone());
                self.delete_pod(&pk, None);
                self.controller_event(
                    "ReplicaSet",
                    &rs.metadata,
                    false,
                    "SuccessfulDelete",
                    format_args!("Deleted pod: {}", v.name),
                    "replicaset-controller",
                );
            }
        }
        self.update_rs_status(key);
    }

    fn choose_victims(
        &self,
        uid: &str,
        rs: &crate::api::ReplicaSet,
        diff: usize,
    ) -> Vec<RankedPod> {
        // related pods: active pods of every RS with the same controller owner (the whole
        // Deployment), counted per node.
        let owner = controller_uid(&rs.metadata).map(str::to_string);
        let mut related_uids = vec![uid.to_string()];
        if let Some(o) = &owner {
            related_uids = self
                .store
                .children_of(o)
                .filter(|(k, _)| *k == crate::api::Kind::ReplicaSet)
                .filter_map(|(_, k)| self.store.replicasets.get(&k))
                .filter_map(|r| r.obj.metadata.uid.clone())
                .collect();
        }
        let mut per_node: BTreeMap<String, u32> = BTreeMap::new();
        for ru in &related_uids {
            for k in self.owned_pods(ru) {
                if let Some(r) = self.store.pod(&k) {
                    if is_active(r) {
                        if let Some(n) = &r.rt.node {
                            *per_node.entry(n.clone()).or_default() += 1;
                        }
                    }
                }
            }
        }
        let pods: Vec<RankedPod> = self
            .owned_pods(uid)
            .iter()
            .filter_map(|k| self.store.pod(k))
            .filter(|r| is_active(r))
            .map(|r| {
                let rank =
                    r.rt.node
                        .as_ref()
                        .and_then(|n| per_node.get(n))
                        .copied()
                        .unwrap_or(0);
                ranked(r, rank)
            })
            .collect();
        pods_to_delete(pods, diff, self.now)
    }

    fn adopt_orphan_pods(&mut self, key: &Key, rs: &crate::api::ReplicaSet) {
        let Some(sel) = rs.spec.selector.clone() else {
            return;
        };
        let orphans: Vec<Key> = self
            .store
            .orphan_pods_in(&key.0)
            .filter_map(|k| self.store.pod(k).map(|r| (k, r)))
            .filter(|(_, r)| is_active(r) && sel.matches(&r.pod.metadata.labels))
            .map(|(k, _)| k.clone())
            .take(BURST_REPLICAS)
            .collect();
        let uid = rs.metadata.uid.clone().unwrap_or_default();
        for pk in orphans {
            let owner = OwnerReference {
                api_version: "apps/v1".into(),
                kind: "ReplicaSet".into(),
                name: key.1.clone(),
                uid: uid.clone(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            };
            self.pod_update_meta(&pk, |rec, _| rec.pod.metadata.owner_references.push(owner));
            self.tr_key(
                "Pod",
                &pk,
                "Adopted",
                format_args!("owner=ReplicaSet/{}", key.1),
            );
        }
    }

    /// Recompute and write RS status; wake the owning Deployment when it changed.
    pub(crate) fn update_rs_status(&mut self, key: &Key) {
        let Some(rec) = self.store.replicasets.get(key) else {
            return;
        };
        let uid = rec.obj.metadata.uid.clone().unwrap_or_default();
        let min_ready =
            Ms::from(rec.obj.spec.min_ready_seconds.unwrap_or(0).max(0) as u32) * SECOND_MS;
        let gen = rec.obj.metadata.generation;
        let old_status = rec.obj.status.clone();
        let owner = rec
            .obj
            .metadata
            .owner_references
            .iter()
            .find(|o| o.controller == Some(true) && o.kind == "Deployment")
            .map(|o| o.name.clone());
        let c = self.store.counts_of(&uid);
        let (available, next_check) = if min_ready == 0 {
            (c.ready, None)
        } else {
            let mut avail = 0;
            let mut next: Option<Ms> = None;
            for k in self.owned_pods(&uid) {
                if let Some(r) = self.store.pod(&k) {
                    if is_active(r) && r.rt.ready {
                        let since = r.rt.ready_change_ms.unwrap_or(0);
                        if since + min_ready <= self.now {
                            avail += 1;
                        } else {
                            let t = since + min_ready;
                            next = Some(next.map_or(t, |n: Ms| n.min(t)));
                        }
                    }
                }
            }
            (avail, next)
        };
        if let Some(t) = next_check {
            let delay = t - self.now;
            self.enqueue(ControllerId::ReplicaSet, key, delay);
        }
        let status = crate::api::ReplicaSetStatus {
            replicas: c.active as i32,
            fully_labeled_replicas: Some(c.active as i32),
            ready_replicas: Some(c.ready as i32),
            available_replicas: Some(available as i32),
            terminating_replicas: None,
            observed_generation: gen,
            conditions: Vec::new(),
        };
        if old_status.as_ref() == Some(&status) {
            return;
        }
        let rv = self.store.next_rv();
        if let Some(r) = self.store.replicasets.get_mut(key) {
            r.obj.status = Some(status);
            r.obj.metadata.resource_version = Some(rv);
        }
        self.tr_key(
            "ReplicaSet",
            key,
            "Status",
            format_args!(
                "replicas={} ready={} available={available}",
                c.active, c.ready
            ),
        );
        if let Some(d) = owner {
            self.enqueue(ControllerId::Deployment, &(key.0.clone(), d), 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Ms = 3_600_000;

    fn pod(name: &str, assigned: bool, phase: PodPhase, ready: bool) -> RankedPod {
        RankedPod {
            name: name.into(),
            uid: name.into(),
            assigned,
            phase,
            ready,
            ready_since_ms: None,
            cost: 0,
            rank: 0,
            restarts: 0,
            created_ms: 0,
        }
    }

    /// upstream `replica_set_test.go` `TestGetPodsToDelete`: U, SP, NR, R1, R2.
    #[test]
    fn golden_get_pods_to_delete() {
        let now = 10 * HOUR;
        let u = pod("u", false, PodPhase::Pending, false);
        let sp = pod("sp", true, PodPhase::Pending, false);
        let nr = pod("nr", true, PodPhase::Running, false);
        let r1 = RankedPod {
            rank: 1,
            ..pod("r1", true, PodPhase::Running, true)
        };
        let names = |v: Vec<RankedPod>| v.into_iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(
            names(pods_to_delete(vec![], 0, now)),
            Vec::<String>::new(),
            "R1c"
        );
        assert_eq!(
            names(pods_to_delete(vec![nr.clone(), r1.clone()], 2, now)),
            ["nr", "r1"],
            "R2c"
        );
        assert_eq!(
            names(pods_to_delete(vec![r1.clone(), nr.clone()], 1, now)),
            ["nr"],
            "R3c"
        );
        assert_eq!(
            names(pods_to_delete(vec![sp.clone(), u.clone()], 1, now)),
            ["u"],
            "R4c"
        );
        let nr2 = RankedPod {
            name: "nr2".into(),
            uid: "nr2".into(),
            ..nr.clone()
        };
        assert_eq!(
            names(pods_to_delete(vec![r1.clone(), nr.clone(), nr2], 2, now)),
            ["nr", "nr2"],
            "R5c"
        );
        // R6c: related [R1, R2, R2]: node-2 holds 2 related pods.
        let r2 = RankedPod {
            rank: 2,
            ..pod("r2", true, PodPhase::Running, true)
        };
        assert_eq!(
            names(pods_to_delete(vec![r1.clone(), r2.clone()], 1, now)),
            ["r2"],
            "R6c"
        );
        assert_eq!(
            names(pods_to_delete(vec![sp.clone(), nr.clone()], 1, now)),
            ["sp"],
            "R7c"
        );
        let r2b = RankedPod { rank: 1, ..r2 };
        assert_eq!(
            names(pods_to_delete(vec![r1, r2b, nr, sp, u], 3, now)),
            ["u", "sp", "nr"],
            "R8c"
        );
    }

    /// upstream `controller_utils_test.go` `TestSortingActivePodsWithRanks` (selected rows).
    #[test]
    fn golden_sorting_active_pods_with_ranks() {
        let now = 1000 * HOUR;
        let ready = |name: &str, rank: u32, since: Option<Ms>| RankedPod {
            rank,
            ready_since_ms: since,
            created_ms: 0,
            ..pod(name, true, PodPhase::Running, true)
        };
        let less = |a: &RankedPod, b: &RankedPod| deletion_order(a, b, now) == Ordering::Less;
        let unscheduled = |rank| RankedPod {
            rank,
            ..pod("u", false, PodPhase::Pending, false)
        };
        let sched_pending = |rank| RankedPod {
            rank,
            ..pod("sp", true, PodPhase::Pending, false)
        };
        assert!(less(&unscheduled(1), &sched_pending(2)));
        assert!(less(&unscheduled(2), &sched_pending(1)));
        let unknown = |rank| RankedPod {
            rank,
            ..pod("uk", true, PodPhase::Unknown, false)
        };
        assert!(less(&sched_pending(1), &unknown(2)));
        let running_nr = |rank| RankedPod {
            rank,
            ..pod("nr", true, PodPhase::Running, false)
        };
        assert!(less(&unknown(1), &running_nr(2)));
        assert!(less(&running_nr(1), &ready("nolt", 1, None)));
        assert!(less(&ready("nolt", 1, None), &ready("now", 1, Some(now))));
        assert!(less(&ready("now", 2, Some(now)), &ready("nolt", 1, None)));
        let month = 30 * 24 * HOUR;
        assert!(less(
            &ready("now", 1, Some(now)),
            &ready("then", 1, Some(now - month))
        ));
        assert!(less(
            &ready("now", 2, Some(now)),
            &ready("then", 1, Some(now - month))
        ));
        let restarts = RankedPod {
            restarts: 9001,
            ..ready("hr", 1, Some(now))
        };
        assert!(less(&restarts, &ready("now", 1, Some(now))));
        assert!(less(
            &ready("now", 2, Some(now)),
            &RankedPod {
                restarts: 9001,
                ..ready("hr", 1, Some(now))
            }
        ));
        let created_then = RankedPod {
            created_ms: now - month,
            ..ready("ct", 1, Some(now))
        };
        let created_now = RankedPod {
            created_ms: now,
            ..ready("cn", 1, Some(now))
        };
        assert!(less(&created_now, &created_then));
        assert!(less(
            &RankedPod {
                rank: 2,
                ..created_then.clone()
            },
            &RankedPod {
                rank: 1,
                ..created_now
            }
        ));
        let low = RankedPod {
            cost: 10,
            ..ready("low", 2, Some(now))
        };
        let high = RankedPod {
            cost: 100,
            ..ready("high", 1, Some(now))
        };
        assert!(less(&low, &high));
        let r2h = ready("r2h", 1, Some(now - 2 * HOUR));
        let r5h = ready("r5h", 1, Some(now - 5 * HOUR));
        assert!(less(&r2h, &r5h));
        // Equal under upstream's rules (same log2 bucket; ties by UID only): 5h vs 8h.
        let a = RankedPod {
            uid: "x".into(),
            ..ready("a", 1, Some(now - 5 * HOUR))
        };
        let b = RankedPod {
            uid: "x".into(),
            ..ready("b", 1, Some(now - 8 * HOUR))
        };
        assert_eq!(deletion_order(&a, &b, now), Ordering::Equal);
    }

    /// Derived scale-down example of the semantics doc §3: RS 4→1 deletes p4, p3, p2.
    #[test]
    fn scale_down_example_deletes_unassigned_then_pending_then_newer() {
        let now = 10 * HOUR;
        let p1 = RankedPod {
            rank: 2,
            ready_since_ms: Some(now - 5 * HOUR),
            created_ms: now - 6 * HOUR,
            ..pod("p1", true, PodPhase::Running, true)
        };
        let p2 = RankedPod {
            rank: 2,
            ready_since_ms: Some(now - HOUR / 2),
            created_ms: now - HOUR,
            ..pod("p2", true, PodPhase::Running, true)
        };
        let p3 = pod("p3", true, PodPhase::Pending, false);
        let p4 = pod("p4", false, PodPhase::Pending, false);
        let out: Vec<_> = pods_to_delete(vec![p1, p2, p3, p4], 3, now)
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(out, ["p4", "p3", "p2"]);
    }
}
