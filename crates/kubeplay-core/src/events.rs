//! Kubernetes Events (`kubectl get events`, the Events section of `kubectl describe`).
//!
//! Like client-go's event recorder, repeats of the same (source, object, type, reason, message)
//! are aggregated into one Event whose `count` and `lastTimestamp` advance
//! (`EventCorrelator`/`eventLogger`). The log is capped (the API server's `--event-ttl` of 1 h
//! plays this role in a real cluster): the oldest events are dropped first, so a 150,000-pod
//! benchmark does not keep a million events alive.
use crate::clock::{Ms, EPOCH_UNIX_S};
use crate::hash::Fnv64;
use std::collections::{BTreeMap, VecDeque};

/// One Kubernetes Event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Generated name `<object>.<hex Unix nanoseconds of creation>`, as client-go's
    /// `makeEvent` does (`fmt.Sprintf("%v.%x", ref.Name, t.UnixNano())`), so the API server's
    /// name order lists one object's events in time order.
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
    /// (virtual ms of the newest event, events created before it in that ms): the
    /// sub-millisecond part of its name.
    ms_seq: Option<(Ms, u64)>,
}

impl EventLog {
    /// A log keeping at most `max` distinct events.
    pub fn new(max: usize) -> Self {
        EventLog {
            order: VecDeque::new(),
            by_key: BTreeMap::new(),
            next_id: 0,
            max: max.max(1),
            ms_seq: None,
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

    /// client-go's `makeEvent` (k8s.io/client-go/tools/record/event.go) names an Event
    /// `fmt.Sprintf("%v.%x", ref.Name, t.UnixNano())`: lowercase hex, no padding, of its
    /// creation time. Our clock has millisecond resolution, so many events share one virtual
    /// ms where real ones would differ by nanoseconds; the n-th event created in a ms gets n ns
    /// added, keeping names unique and in recording order within the ms (as a real clock
    /// would). Past a million events in one ms the offset wraps rather than spill into the next
    /// ms.
    fn name_for(&mut self, involved_name: &str, first_ms: Ms) -> String {
        let seq = match self.ms_seq {
            Some((ms, n)) if ms == first_ms => n + 1,
            _ => 0,
        };
        self.ms_seq = Some((first_ms, seq));
        let nanos = (EPOCH_UNIX_S * 1000 + first_ms) * 1_000_000 + seq % 1_000_000;
        format!("{involved_name}.{nanos:x}")
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
        e.name = self.name_for(&e.involved_name, e.first_ms);
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
        ev_of("p", msg, t)
    }

    fn ev_of(object: &str, msg: &str, t: Ms) -> Event {
        Event {
            name: String::new(),
            namespace: "default".into(),
            involved_kind: "Pod",
            involved_name: object.into(),
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

    #[test]
    fn names_are_object_dot_hex_unix_nanos_and_sort_in_time_order() {
        let mut log = EventLog::new(100);
        // Recorded interleaved across objects and out of name order; two of `b` share a ms.
        log.record(ev_of("b", "1", 5_000));
        log.record(ev_of("a", "1", 5_000));
        log.record(ev_of("b", "2", 5_000));
        log.record(ev_of("b", "3", 7));
        log.record(ev_of("a", "2", 61_000));
        log.record(ev_of("b", "4", 61_000));
        let names: Vec<&str> = log.iter().map(|e| e.name.as_str()).collect();
        // 2026-01-01T00:00:05Z in Unix ns is 1767225605000000000 = 0x1886725317fff200.
        assert_eq!(names[0], format!("b.{:x}", 1_767_225_605_000_000_000u64));
        assert_eq!(names[0], "b.1886725317fff200");
        // Same object, same virtual ms: unique, in recording order (1 ns apart after `a`'s).
        assert_eq!(names[2], format!("b.{:x}", 1_767_225_605_000_000_002u64));
        // A new ms restarts the sub-millisecond sequence.
        assert_eq!(names[3], format!("b.{:x}", 1_767_225_600_007_000_000u64));
        // API order (by name) groups by object and, within one, is time order.
        let mut by_name: Vec<&Event> = log.iter().collect();
        by_name.sort_by(|x, y| x.name.cmp(&y.name));
        let listed: Vec<(&str, &str)> = by_name
            .iter()
            .map(|e| (e.involved_name.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            listed,
            vec![
                ("a", "1"),
                ("a", "2"),
                ("b", "3"),
                ("b", "1"),
                ("b", "2"),
                ("b", "4")
            ]
        );
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
    }

    #[test]
    fn many_events_in_one_ms_keep_unique_ordered_names() {
        let mut log = EventLog::new(1_000);
        for i in 0..1_000 {
            log.record(ev(&i.to_string(), 42));
        }
        let names: Vec<&str> = log.iter().map(|e| e.name.as_str()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
    }
}
