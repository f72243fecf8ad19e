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

/// Pending reconcile requests.
#[derive(Debug, Default, Clone)]
pub struct WorkQueue {
    due: BTreeMap<(ControllerId, String), Ms>,
}

impl WorkQueue {
    /// Request a reconcile of `key` at `at_ms`. Returns true when this request is the one that
    /// will run (no earlier request was pending), so the caller schedules a wake-up for it.
    pub fn add(&mut self, c: ControllerId, key: &str, at_ms: Ms) -> bool {
        match self.due.get_mut(&(c, key.to_string())) {
            Some(t) if *t <= at_ms => false,
            Some(t) => {
                *t = at_ms;
                true
            }
            None => {
                self.due.insert((c, key.to_string()), at_ms);
                true
            }
        }
    }

    /// Take the request for `key` if it is due at `now_ms` exactly (a wake-up for a request
    /// that was since moved earlier, or already served, finds nothing).
    pub fn take(&mut self, c: ControllerId, key: &str, now_ms: Ms) -> bool {
        let k = (c, key.to_string());
        match self.due.get(&k) {
            Some(t) if *t <= now_ms => {
                self.due.remove(&k);
                true
            }
            _ => false,
        }
    }

    /// Number of pending requests.
    pub fn len(&self) -> usize {
        self.due.len()
    }

    /// Whether no request is pending.
    pub fn is_empty(&self) -> bool {
        self.due.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_prefer_earlier_requeue() {
        let mut w = WorkQueue::default();
        assert!(w.add(ControllerId::ReplicaSet, "default/a", 100));
        assert!(!w.add(ControllerId::ReplicaSet, "default/a", 200));
        assert!(w.add(ControllerId::ReplicaSet, "default/a", 50));
        assert!(!w.take(ControllerId::ReplicaSet, "default/a", 40));
        assert!(w.take(ControllerId::ReplicaSet, "default/a", 50));
        assert!(!w.take(ControllerId::ReplicaSet, "default/a", 100));
        assert!(w.is_empty());
    }
}
