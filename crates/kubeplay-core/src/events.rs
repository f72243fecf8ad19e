//! Kubernetes Events (`kubectl get events`, the Events section of `kubectl describe`).
//!
//! Like client-go's event recorder, repeats of the same (source, object, type, reason, message)
//! are aggregated into one Event whose `count` and `lastTimestamp` advance
//! (`EventCorrelator`/`eventLogger`). The log is capped (the API server's `--event-ttl` of 1 h
//! plays this role in a real cluster): the oldest events are dropped first, so a 150,000-pod
//! benchmark does not keep a million events alive.
use crate::clock::Ms;
use crate::hash::Fnv64;
use std::collections::{BTreeMap, VecDeque};

/// One Kubernetes Event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Generated name `<object>.<16 hex>` as client-go does (`%v.%x` of the object and time).
    pub name: String,
    /// Namespace of the involved object (`default` for cluster-scoped ones, as kubelet does).
    pub namespace: String,
    /// Kind of the involved object.
    pub involved_kind: &'static str,
    /// Name of the involved object.
    pub involved_name: String,
    /// UID of the involved object.
    pub involved_uid: String,
    /// For container events: `spec.containers{name}`.
    pub field_path: Option<String>,
    /// `Normal` or `Warning`.
    pub type_: &'static str,
    /// CamelCase reason (`Scheduled`, `BackOff`).
    pub reason: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Reporting component (`default-scheduler`, `kubelet`, `replicaset-controller`, …).
    pub source_component: &'static str,
    /// Reporting host (the node for kubelet events).
    pub source_host: Option<String>,
    /// How many times this event was seen.
    pub count: u32,
    /// First occurrence.
    pub first_ms: Ms,
    /// Last occurrence.
    pub last_ms: Ms,
}

/// Capped, aggregated event log.
#[derive(Debug, Clone)]
pub struct EventLog {
    /// (aggregation key, event) in creation order. Ids are handed out in that order and the
    /// oldest is dropped first, so the log holds the ids `next_id - len + 1 ..= next_id` and
    /// an id finds its event by offset (no per-event tree node).
    order: VecDeque<(u64, Event)>,
    by_key: BTreeMap<u64, u64>,
    next_id: u64,
    max: usize,
}

impl EventLog {
    /// A log keeping at most `max` distinct events.
    pub fn new(max: usize) -> Self {
        EventLog {
            order: VecDeque::new(),
            by_key: BTreeMap::new(),
            next_id: 0,
            max: max.max(1),
        }
    }

    fn key(e: &Event) -> u64 {
        let mut h = Fnv64::default();
        for part in [
            e.source_component,
            e.source_host.as_deref().unwrap_or(""),
            e.involved_kind,
            &e.namespace,
            &e.involved_name,
            &e.involved_uid,
            e.field_path.as_deref().unwrap_or(""),
            e.type_,
            e.reason,
            &e.message,
        ] {
            h.write(part.as_bytes());
            h.write(&[0]);
        }
        h.0
    }

    /// The kept event with this id.
    fn by_id_mut(&mut self, id: u64) -> Option<&mut Event> {
        let first = self.next_id + 1 - self.order.len() as u64;
        let i = usize::try_from(id.checked_sub(first)?).ok()?;
        self.order.get_mut(i).map(|(_, e)| e)
    }

    /// Record an occurrence; returns true if it was aggregated into an existing event.
    pub fn record(&mut self, mut e: Event) -> bool {
        let k = Self::key(&e);
        if let Some(&id) = self.by_key.get(&k) {
            if let Some(old) = self.by_id_mut(id) {
                old.count += 1;
                old.last_ms = e.last_ms;
                return true;
            }
        }
        self.next_id += 1;
        let id = self.next_id;
        e.name = format!("{}.{:016x}", e.involved_name, (k ^ id).rotate_left(17));
        self.by_key.insert(k, id);
        self.order.push_back((k, e));
        while self.order.len() > self.max {
            if let Some((old_key, _)) = self.order.pop_front() {
                self.by_key.remove(&old_key);
            }
        }
        false
    }

    /// Events in creation order (oldest first).
    pub fn iter(&self) -> impl Iterator<Item = &Event> {
        self.order.iter().map(|(_, e)| e)
    }

    /// Number of distinct events kept.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no event is kept.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(msg: &str, t: Ms) -> Event {
        Event {
            name: String::new(),
            namespace: "default".into(),
            involved_kind: "Pod",
            involved_name: "p".into(),
            involved_uid: "u".into(),
            field_path: None,
            type_: "Warning",
            reason: "BackOff",
            message: msg.into(),
            source_component: "kubelet",
            source_host: Some("n1".into()),
            count: 1,
            first_ms: t,
            last_ms: t,
        }
    }

    #[test]
    fn repeats_aggregate_and_the_log_is_capped() {
        let mut log = EventLog::new(2);
        assert!(!log.record(ev("a", 1)));
        assert!(log.record(ev("a", 5)));
        let first: Vec<_> = log.iter().collect();
        assert_eq!(
            (first[0].count, first[0].first_ms, first[0].last_ms),
            (2, 1, 5)
        );
        log.record(ev("b", 6));
        log.record(ev("c", 7));
        let msgs: Vec<_> = log.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs, vec!["b", "c"]);
    }
}
