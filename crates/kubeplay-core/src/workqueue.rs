//! The reconcile work queue: one slot per (controller, key); the earliest request wins.
//!
//! Mirrors client-go's deduplicating workqueue and kube-runtime's `schedule_message` (house
//! style R4): asking twice to reconcile the same object does one reconcile, at the earlier
//! time. The reason for a request is deliberately not stored, so reconcilers stay level-
//! triggered and idempotent.
use crate::clock::Ms;
use std::collections::BTreeMap;

/// Which controller a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ControllerId {
    /// Deployment controller.
    Deployment,
    /// ReplicaSet controller.
    ReplicaSet,
    /// Garbage collector.
    GarbageCollector,
}

/// Pending reconcile requests, keyed by controller, namespace and name (nested so a lookup
/// borrows `&str`s and allocates nothing when the request is already queued).
#[derive(Debug, Default, Clone)]
pub struct WorkQueue {
    due: BTreeMap<ControllerId, BTreeMap<String, BTreeMap<String, Ms>>>,
    len: usize,
}

impl WorkQueue {
    /// Request a reconcile of `namespace/name` at `at_ms`. Returns true when this request is
    /// the one that will run (no earlier request was pending), so the caller schedules a
    /// wake-up for it.
    pub fn add(&mut self, c: ControllerId, namespace: &str, name: &str, at_ms: Ms) -> bool {
        let by_ns = self.due.entry(c).or_default();
        if let Some(names) = by_ns.get_mut(namespace) {
            if let Some(t) = names.get_mut(name) {
                if *t <= at_ms {
                    return false;
                }
                *t = at_ms;
                return true;
            }
        }
        by_ns
            .entry(namespace.to_string())
            .or_default()
            .insert(name.to_string(), at_ms);
        self.len += 1;
        true
    }

    /// Take the request for `namespace/name` if it is due at `now_ms` (a wake-up for a
    /// request that was since moved earlier, or already served, finds nothing).
    pub fn take(&mut self, c: ControllerId, namespace: &str, name: &str, now_ms: Ms) -> bool {
        let Some(names) = self.due.get_mut(&c).and_then(|m| m.get_mut(namespace)) else {
            return false;
        };
        match names.get(name) {
            Some(t) if *t <= now_ms => {
                names.remove(name);
                self.len -= 1;
                true
            }
            _ => false,
        }
    }

    /// Number of pending requests.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no request is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_prefer_earlier_requeue() {
        let mut w = WorkQueue::default();
        assert!(w.add(ControllerId::ReplicaSet, "default", "a", 100));
        assert!(!w.add(ControllerId::ReplicaSet, "default", "a", 200));
        assert!(w.add(ControllerId::ReplicaSet, "default", "a", 50));
        assert!(!w.take(ControllerId::ReplicaSet, "default", "a", 40));
        assert!(w.take(ControllerId::ReplicaSet, "default", "a", 50));
        assert!(!w.take(ControllerId::ReplicaSet, "default", "a", 100));
        assert!(w.is_empty());
    }
}
