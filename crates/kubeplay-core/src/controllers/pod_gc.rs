//! Pod garbage collection of pods bound to nodes that no longer exist
//! (`pkg/controller/podgc/gc_controller.go`, `gcOrphaned` and `gcUnscheduledTerminating`), as a
//! pure state machine. Upstream runs every `gcCheckPeriod` (20 s); a node missing from the
//! informer is quarantined for `quarantineTime` (40 s) and only if it is still missing then are
//! its pods marked Failed (condition `DisruptionTarget`, reason `DeletionByPodGC`, message
//! `PodGC: node no longer exists`) and force-deleted. So pods of a deleted Node go 40–60 s later.

use std::collections::{BTreeMap, BTreeSet};

/// Milliseconds of virtual time.
pub type Ms = u64;

/// `gcCheckPeriod`.
pub const GC_CHECK_PERIOD_MS: Ms = 20_000;
/// `quarantineTime`.
pub const QUARANTINE_MS: Ms = 40_000;

/// A pod as pod GC sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodView {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `spec.nodeName`, if bound.
    pub node: Option<String>,
    /// Has a deletionTimestamp.
    pub terminating: bool,
}

/// Why a pod is force-deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Its node is gone: phase Failed, `DisruptionTarget` reason `DeletionByPodGC`.
    OrphanedByDeletedNode,
    /// Terminating and never scheduled.
    UnscheduledTerminating,
}

/// A force deletion (grace period 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForceDelete {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Why.
    pub reason: Reason,
}

/// The condition message PodGC writes before deleting an orphaned pod.
pub const ORPHAN_MESSAGE: &str = "PodGC: node no longer exists";

/// Pod GC's memory: when each missing node was first noticed.
#[derive(Clone, Debug, Default)]
pub struct PodGc {
    quarantine: BTreeMap<String, Ms>,
    next_run_ms: Ms,
}

impl PodGc {
    /// A fresh controller (first pass at time 0).
    pub fn new() -> Self {
        PodGc::default()
    }

    /// When [`PodGc::reconcile`] is next due.
    pub fn next_wakeup_ms(&self) -> Ms {
        self.next_run_ms
    }

    /// One `gc` pass if due at `now`.
    pub fn reconcile(
        &mut self,
        now: Ms,
        nodes: &BTreeSet<String>,
        pods: &[PodView],
    ) -> Vec<ForceDelete> {
        if now < self.next_run_ms {
            return Vec::new();
        }
        self.next_run_ms = now + GC_CHECK_PERIOD_MS;
        // gcOrphaned: quarantine newly missing nodes, forget ones that came back.
        for p in pods {
            if let Some(n) = &p.node {
                if !nodes.contains(n) {
                    self.quarantine.entry(n.clone()).or_insert(now);
                }
            }
        }
        self.quarantine.retain(|n, _| !nodes.contains(n));
        let deleted: BTreeSet<&String> = self
            .quarantine
            .iter()
            .filter(|(_, &since)| now >= since + QUARANTINE_MS)
            .map(|(n, _)| n)
            .collect();
        let mut out = Vec::new();
        for p in pods {
            let orphan = p.node.as_ref().is_some_and(|n| deleted.contains(n));
            let reason = if orphan {
                Reason::OrphanedByDeletedNode
            } else if p.node.is_none() && p.terminating {
                Reason::UnscheduledTerminating
            } else {
                continue;
            };
            out.push(ForceDelete {
                namespace: p.namespace.clone(),
                name: p.name.clone(),
                reason,
            });
        }
        // The queue items are Done: every pod of those nodes was just handed out for deletion.
        let gone: Vec<String> = deleted.into_iter().cloned().collect();
        for n in gone {
            self.quarantine.remove(&n);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, node: Option<&str>) -> PodView {
        PodView {
            namespace: "default".into(),
            name: name.into(),
            node: node.map(str::to_string),
            terminating: false,
        }
    }

    /// A node deleted at 65 s is noticed at the 80 s pass and its pods go at the 120 s pass.
    #[test]
    fn orphans_go_after_quarantine() {
        let mut gc = PodGc::new();
        let mut nodes: BTreeSet<String> = ["a".to_string(), "b".to_string()].into();
        let pods = vec![
            pod("p1", Some("b")),
            pod("p2", Some("a")),
            pod("pending", None),
        ];
        let mut deleted = Vec::new();
        let mut t = 0;
        while t <= 200_000 {
            if t >= 65_000 {
                nodes.remove("b");
            }
            if t >= gc.next_wakeup_ms() {
                for d in gc.reconcile(t, &nodes, &pods) {
                    deleted.push((t, d.name, d.reason));
                }
            }
            t += 1_000;
        }
        assert_eq!(
            deleted[0],
            (120_000, "p1".to_string(), Reason::OrphanedByDeletedNode)
        );
    }

    /// A node that comes back within the quarantine keeps its pods.
    #[test]
    fn returning_node_is_forgiven() {
        let mut gc = PodGc::new();
        let pods = vec![pod("p1", Some("b"))];
        let none = BTreeSet::new();
        let with_b: BTreeSet<String> = ["b".to_string()].into();
        assert!(gc.reconcile(0, &none, &pods).is_empty());
        assert!(gc.reconcile(20_000, &with_b, &pods).is_empty());
        assert!(gc.reconcile(40_000, &none, &pods).is_empty());
        assert!(gc.reconcile(60_000, &none, &pods).is_empty());
        assert_eq!(gc.reconcile(80_000, &none, &pods).len(), 1);
    }
}
