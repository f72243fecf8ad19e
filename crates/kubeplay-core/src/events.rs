//! Kubernetes Events (`kubectl get events`, the Events section of `kubectl describe`).
//!
//! Like client-go's event recorder, repeats of the same (source, object, type, reason, message)
//! are aggregated into one Event whose `count` and `lastTimestamp` advance
//! (`EventCorrelator`/`eventLogger`). The log is capped (the API server's `--event-ttl` of 1 h
//! plays this role in a real cluster): the oldest events are dropped first, so a 150,000-pod
//! benchmark does not keep a million events alive.
use crate::clock::{Ms, EPOCH_UNIX_S};

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

/// The aggregation-key hash: eight bytes per step (a 64×64→128-bit multiply whose halves are
/// xored, as foldhash/wyhash mix), fed as a stream so a field given in pieces hashes like
/// its concatenation. It replaced byte-serial FNV-1a, whose multiply per byte made hashing
/// the ~200 bytes of an occurrence a few percent of a 150,000-pod run. The key is never
/// shown or stored outside the log; like FNV's, two different occurrences share one only
/// with probability ~2^-64, so aggregation is unchanged.
struct KeyHasher {
    h: u64,
    /// Bytes not yet mixed, little-endian in the low `n` bytes.
    buf: u64,
    n: u32,
}

impl KeyHasher {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;

    fn new() -> Self {
        KeyHasher {
            h: 0x243f_6a88_85a3_08d3,
            buf: 0,
            n: 0,
        }
    }

    #[inline]
    fn mix(&mut self, w: u64) {
        let m = u128::from(self.h ^ w) * u128::from(Self::K);
        self.h = (m as u64) ^ ((m >> 64) as u64);
    }

    #[inline]
    fn write(&mut self, mut bytes: &[u8]) {
        if self.n > 0 {
            while self.n < 8 {
                let Some((&b, rest)) = bytes.split_first() else {
                    return;
                };
                self.buf |= u64::from(b) << (8 * self.n);
                self.n += 1;
                bytes = rest;
            }
            let w = self.buf;
            self.mix(w);
            self.buf = 0;
            self.n = 0;
        }
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        // Nothing is pending here: the tail becomes the pending word in one load.
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.buf = u64::from_le_bytes(w);
            self.n = rest.len() as u32;
        }
    }

    /// Ends a field: its pending bytes with their count (so each field's tail is one word
    /// and the next field starts on a word boundary, not byte by byte).
    #[inline]
    fn end_field(&mut self) {
        let last = self.buf ^ (u64::from(self.n) << 56);
        self.mix(last);
        self.buf = 0;
        self.n = 0;
    }

    fn finish(mut self) -> u64 {
        // One more round so the last field reaches every bit.
        self.mix(Self::K);
        self.h
    }
}

/// Aggregation key → event id: a linear-probing table of 8-byte slots, each holding 32 bits
/// of the key (the tag) and 32 bits of the id; a tag match is a candidate that the caller
/// verifies against the full key kept with the event in the log.
///
/// It replaced a `BTreeMap<u64, u64>` (three walks of a 10,000-entry tree per new event,
/// whose nodes the rest of a 150,000-pod run keeps evicting from cache), then a table of
/// (key, id) pairs at most half full: 512 KB for a 10,000-event log, so the lookup and the
/// removal of the evicted key were each a cache miss. Slots of half the size, up to three
/// quarters full, make that 128 KB. The table is never iterated, so its slot order (which
/// does depend on the keys) cannot leak into behaviour; with the caller's check on the full
/// key, lookups mean exactly what the map's did.
#[derive(Debug, Clone, Default)]
struct KeyTable {
    /// (tag, id mod `ID_MOD`); an id of `EMPTY` marks an empty slot. Length 0 or a power of
    /// two (at most 2^32, so a home fits the tag's 32-bit hash).
    slots: Vec<(u32, u32)>,
    len: usize,
}

/// Ids are stored modulo 2^32 − 1, leaving `u32::MAX` free to mark empty slots. The log holds
/// consecutive ids, fewer than 2^32 − 1 of them (that many events would need terabytes), so
/// the residue names one of them (see [`KeyTable::full_id`]).
const ID_MOD: u64 = u32::MAX as u64;
const EMPTY: u32 = u32::MAX;

impl KeyTable {
    /// The 32 key bits a slot keeps.
    fn tag(key: u64) -> u32 {
        key as u32
    }

    /// An id as a slot stores it.
    fn short_id(id: u64) -> u32 {
        (id % ID_MOD) as u32
    }

    /// The full id of a stored `short` one, given the newest id handed out (every stored id
    /// lies in the `ID_MOD` ids up to it).
    fn full_id(short: u32, newest: u64) -> u64 {
        let back = (u64::from(Self::short_id(newest)) + ID_MOD - u64::from(short)) % ID_MOD;
        newest.wrapping_sub(back)
    }

    /// Home slot of a tag (Fibonacci hashing: the high bits of a multiply mix every tag bit).
    /// From the tag alone, so moving an entry on removal needs no full key.
    fn home(&self, tag: u32) -> usize {
        let bits = self.slots.len().trailing_zeros();
        if bits == 0 {
            return 0;
        }
        (tag.wrapping_mul(0x9e37_79b9) >> (32 - bits)) as usize
    }

    /// The id stored under `key`: the first slot of its probe run whose tag matches and whose
    /// id `is_key` confirms (`is_key` gets the full id; see [`KeyTable::full_id`]).
    fn get(&self, key: u64, newest: u64, mut is_key: impl FnMut(u64) -> bool) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        let tag = Self::tag(key);
        let mask = self.slots.len() - 1;
        let mut i = self.home(tag);
        loop {
            let (t, short) = self.slots[i];
            if short == EMPTY {
                return None;
            }
            if t == tag {
                let id = Self::full_id(short, newest);
                if is_key(id) {
                    return Some(id);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Insert a key known to be absent.
    fn insert(&mut self, key: u64, id: u64) {
        // At most three quarters full: probe runs stay within a cache line or two.
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            let grown = vec![(0, EMPTY); (self.slots.len() * 2).max(16)];
            let old = std::mem::replace(&mut self.slots, grown);
            self.len = 0;
            for (t, short) in old.into_iter().filter(|s| s.1 != EMPTY) {
                self.put(t, short);
            }
        }
        self.put(Self::tag(key), Self::short_id(id));
    }

    /// Store a slot's content at the end of its tag's probe run.
    fn put(&mut self, tag: u32, short: u32) {
        let mask = self.slots.len() - 1;
        let mut i = self.home(tag);
        while self.slots[i].1 != EMPTY {
            i = (i + 1) & mask;
        }
        self.slots[i] = (tag, short);
        self.len += 1;
    }

    /// Remove the entry of `key` and `id`, if present (backward-shift deletion: no
    /// tombstones). The id alone finds it, no check of the full key needed.
    fn remove(&mut self, key: u64, id: u64) {
        if self.len == 0 {
            return;
        }
        let tag = Self::tag(key);
        let short = Self::short_id(id);
        let mask = self.slots.len() - 1;
        let mut hole = self.home(tag);
        loop {
            let s = self.slots[hole];
            if s.1 == EMPTY {
                return;
            }
            if s == (tag, short) {
                break;
            }
            hole = (hole + 1) & mask;
        }
        self.len -= 1;
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let (t, s) = self.slots[j];
            if s == EMPTY {
                break;
            }
            // Move the entry back if the hole lies on its probe path (home ..= j).
            let home = self.home(t);
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.slots[hole] = (t, s);
                hole = j;
            }
        }
        self.slots[hole] = (0, EMPTY);
    }
}

/// One kept event as the log stores it: its six strings back to back in one buffer (one
/// allocation to reuse, one run of cache lines to write), its name as the nanoseconds it ends
/// in. The previous layout, an [`Event`] of seven separate strings in a `VecDeque`, cost every
/// new event two moves of the 264-byte entry (out of the ring and back in) and a cache miss on
/// each of the evicted event's strings, which the rest of a 150,000-pod run had long pushed
/// out of cache.
#[derive(Debug, Clone)]
struct Slot {
    /// The aggregation key (see [`EventLog::key_of`]).
    key: u64,
    /// `involved_name`, `namespace`, `involved_uid`, `field_path`, `source_host` and
    /// `message`, in that order, without separators.
    text: String,
    /// Where each of the first five fields ends in `text` (the message runs to the end).
    ends: [usize; 5],
    /// Whether `field_path` / `source_host` are present (an absent one is empty in `text`).
    has_field_path: bool,
    has_source_host: bool,
    involved_kind: &'static str,
    type_: &'static str,
    reason: &'static str,
    source_component: &'static str,
    /// Unix nanoseconds the name ends in (see [`EventLog::name_nanos`]).
    nanos: u64,
    count: u32,
    first_ms: Ms,
    last_ms: Ms,
}

impl Slot {
    /// Field `i` of `text` (0 `involved_name` … 5 `message`).
    fn field(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let end = self.ends.get(i).copied().unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or_default()
    }

    /// The public form: what the log used to keep.
    fn event(&self) -> Event {
        let involved_name = self.field(0);
        let mut name = String::with_capacity(involved_name.len() + 17);
        name.push_str(involved_name);
        name.push('.');
        push_hex(&mut name, self.nanos);
        Event {
            name,
            namespace: self.field(1).to_string(),
            involved_kind: self.involved_kind,
            involved_name: involved_name.to_string(),
            involved_uid: self.field(2).to_string(),
            field_path: self.has_field_path.then(|| self.field(3).to_string()),
            type_: self.type_,
            reason: self.reason,
            message: self.field(5).to_string(),
            source_component: self.source_component,
            source_host: self.has_source_host.then(|| self.field(4).to_string()),
            count: self.count,
            first_ms: self.first_ms,
            last_ms: self.last_ms,
        }
    }
}

/// Capped, aggregated event log.
#[derive(Debug, Clone)]
pub struct EventLog {
    /// A ring of kept events: oldest at `head` (0 until the ring is full), wrapping around.
    /// Ids are handed out in creation order and the oldest is overwritten first, so the log
    /// holds the ids `next_id - len + 1 ..= next_id` and an id finds its slot by offset (no
    /// per-event tree node). A new event is written into the evicted one's slot in place.
    slots: Vec<Slot>,
    head: usize,
    by_key: KeyTable,
    next_id: u64,
    max: usize,
    /// (virtual ms of the newest event, events created before it in that ms): the
    /// sub-millisecond part of its name.
    ms_seq: Option<(Ms, u64)>,
    /// Where an occurrence's text is assembled before the log knows whether it aggregates
    /// (then the text is only hashed) or becomes a new event (then the buffer moves into its
    /// slot and the evicted event's buffer takes its place).
    scratch: String,
    /// The kept events in their public form, built on the first read after a change:
    /// readers (kubectl, tests) borrow [`Event`]s while recording, the hot path, never builds
    /// one.
    view: std::sync::OnceLock<Vec<Event>>,
}

/// One occurrence of an event, as borrowed parts: what a recorder knows before the log decides
/// whether it is a repeat. Recording from parts lets a repeat cost no allocation, and a new
/// event take over the buffer of the event the cap evicts (a 150,000-pod run records about
/// six events per pod into a log capped at a few thousand, so nearly every new event evicts
/// one).
#[derive(Debug, Clone, Copy)]
pub struct Occurrence<'a> {
    /// Namespace of the involved object.
    pub namespace: &'a str,
    /// Kind of the involved object.
    pub involved_kind: &'static str,
    /// Name of the involved object.
    pub involved_name: &'a str,
    /// UID of the involved object.
    pub involved_uid: &'a str,
    /// `fieldPath` as pieces to concatenate (`spec.containers{`, name, `}`), if any.
    pub field_path: Option<[&'a str; 3]>,
    /// `Normal` or `Warning`.
    pub type_: &'static str,
    /// Reason.
    pub reason: &'static str,
    /// Reporting component.
    pub source_component: &'static str,
    /// Reporting host.
    pub source_host: Option<&'a str>,
    /// When it happened.
    pub at_ms: Ms,
}

/// A message being recorded: text already at hand, or arguments still to format (straight
/// into the log's buffer).
enum Message<'a> {
    Str(&'a str),
    Fmt(std::fmt::Arguments<'a>),
}

/// Append `v` in lowercase hex without padding (`%x`), without a formatting pass.
fn push_hex(s: &mut String, v: u64) {
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(v & 15) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    // Char by char: ASCII digits need no UTF-8 validation of the buffer.
    for &b in &buf[i..] {
        s.push(char::from(b));
    }
}

impl EventLog {
    /// A log keeping at most `max` distinct events.
    pub fn new(max: usize) -> Self {
        EventLog {
            slots: Vec::new(),
            head: 0,
            by_key: KeyTable::default(),
            next_id: 0,
            max: max.max(1),
            ms_seq: None,
            scratch: String::new(),
            view: std::sync::OnceLock::new(),
        }
    }

    /// The aggregation key of an occurrence: [`KeyHasher`] over the four fixed fields, the
    /// assembled `text` in one run, then where its fields end. It identifies the tuple
    /// (source component, source host, kind, namespace, name, uid, field path, type, reason,
    /// message), with an absent field path or host equal to an empty one, as client-go's
    /// `getEventKey` joins them.
    fn key_of(fixed: [&str; 4], text: &str, ends: &[usize; 5]) -> u64 {
        let mut h = KeyHasher::new();
        for f in fixed {
            h.write(f.as_bytes());
            h.end_field();
        }
        h.write(text.as_bytes());
        h.end_field();
        for &e in ends {
            h.mix(e as u64);
        }
        h.finish()
    }

    /// Physical index of the kept event with this id.
    fn index_of(&self, id: u64) -> Option<usize> {
        let len = self.slots.len();
        let first = self.next_id + 1 - len as u64;
        let off = usize::try_from(id.checked_sub(first)?).ok()?;
        if off >= len {
            return None;
        }
        let i = self.head + off;
        Some(if i >= len { i - len } else { i })
    }

    /// The index of the kept event whose aggregation key is `k`: a tag match in the table,
    /// confirmed by the full key kept with the event.
    fn lookup(&self, k: u64) -> Option<usize> {
        let id = self.by_key.get(k, self.next_id, |id| {
            self.index_of(id).is_some_and(|i| self.slots[i].key == k)
        })?;
        self.index_of(id)
    }

    /// client-go's `makeEvent` (k8s.io/client-go/tools/record/event.go) names an Event
    /// `fmt.Sprintf("%v.%x", ref.Name, t.UnixNano())`: lowercase hex, no padding, of its
    /// creation time. Our clock has millisecond resolution, so many events share one virtual
    /// ms where real ones would differ by nanoseconds; the n-th event created in a ms gets n ns
    /// added, keeping names unique and in recording order within the ms (as a real clock
    /// would). Past a million events in one ms the offset wraps rather than spill into the next
    /// ms. This returns the Unix-nanosecond part of the next event's name (advancing the in-ms
    /// sequence); the name itself is built when the event is read.
    fn name_nanos(&mut self, first_ms: Ms) -> u64 {
        let seq = match self.ms_seq {
            Some((ms, n)) if ms == first_ms => n + 1,
            _ => 0,
        };
        self.ms_seq = Some((first_ms, seq));
        (EPOCH_UNIX_S * 1000 + first_ms) * 1_000_000 + seq % 1_000_000
    }

    /// Record an occurrence; returns true if it was aggregated into an existing event.
    pub fn record(&mut self, e: Event) -> bool {
        let o = Occurrence {
            namespace: &e.namespace,
            involved_kind: e.involved_kind,
            involved_name: &e.involved_name,
            involved_uid: &e.involved_uid,
            field_path: e.field_path.as_deref().map(|p| [p, "", ""]),
            type_: e.type_,
            reason: e.reason,
            source_component: e.source_component,
            source_host: e.source_host.as_deref(),
            at_ms: e.last_ms,
        };
        self.record_message(&o, Message::Str(&e.message), e.count, e.first_ms)
    }

    /// [`EventLog::record`] from borrowed parts and a message still to format; returns true if
    /// it was aggregated into an existing event. The stored event is exactly what `record`
    /// would store for the same occurrence.
    pub fn record_occurrence(
        &mut self,
        o: &Occurrence<'_>,
        message: std::fmt::Arguments<'_>,
    ) -> bool {
        let m = match message.as_str() {
            // A message without arguments needs no formatting pass.
            Some(text) => Message::Str(text),
            None => Message::Fmt(message),
        };
        self.record_message(o, m, 1, o.at_ms)
    }

    /// [`EventLog::record_occurrence`] with a message already formatted (no formatting pass:
    /// the scheduler's and controllers' messages arrive as strings).
    pub fn record_occurrence_str(&mut self, o: &Occurrence<'_>, message: &str) -> bool {
        self.record_message(o, Message::Str(message), 1, o.at_ms)
    }

    /// Shared body: the occurrence's text is assembled in the scratch buffer and hashed; a
    /// repeat bumps the kept event (`count += 1`, `last_ms = o.at_ms`), a new event (with
    /// `count`, created at `first_ms`, last seen at `o.at_ms`) takes the buffer.
    fn record_message(
        &mut self,
        o: &Occurrence<'_>,
        message: Message<'_>,
        count: u32,
        first_ms: Ms,
    ) -> bool {
        use std::fmt::Write as _;
        // Readers see the change on their next read.
        self.view.take();
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        // Room for the whole text at once (a formatted message is guessed at): growing by
        // doubling, push by push, would reallocate a few times per event while the ring fills
        // and leave buffers up to twice the text.
        let message_len = match message {
            Message::Str(m) => m.len(),
            Message::Fmt(_) => 64,
        };
        let path_len: usize = o.field_path.iter().flatten().map(|p| p.len()).sum();
        text.reserve(
            o.involved_name.len()
                + o.namespace.len()
                + o.involved_uid.len()
                + path_len
                + o.source_host.map_or(0, str::len)
                + message_len,
        );
        let mut ends = [0; 5];
        text.push_str(o.involved_name);
        ends[0] = text.len();
        text.push_str(o.namespace);
        ends[1] = text.len();
        text.push_str(o.involved_uid);
        ends[2] = text.len();
        for p in o.field_path.iter().flatten() {
            text.push_str(p);
        }
        ends[3] = text.len();
        text.push_str(o.source_host.unwrap_or_default());
        ends[4] = text.len();
        match message {
            Message::Str(m) => text.push_str(m),
            Message::Fmt(args) => {
                let _ = text.write_fmt(args);
            }
        }
        let k = Self::key_of(
            [o.source_component, o.involved_kind, o.type_, o.reason],
            &text,
            &ends,
        );
        if let Some(i) = self.lookup(k) {
            let old = &mut self.slots[i];
            old.count += 1;
            old.last_ms = o.at_ms;
            self.scratch = text;
            return true;
        }
        let evicted_id = self.next_id + 1 - self.slots.len() as u64;
        self.next_id += 1;
        let id = self.next_id;
        let nanos = self.name_nanos(first_ms);
        let slot = Slot {
            key: k,
            text,
            ends,
            has_field_path: o.field_path.is_some(),
            has_source_host: o.source_host.is_some(),
            involved_kind: o.involved_kind,
            type_: o.type_,
            reason: o.reason,
            source_component: o.source_component,
            nanos,
            count,
            first_ms,
            last_ms: o.at_ms,
        };
        // The map operations keep the old order (insert the new key, then remove the
        // evicted one).
        self.by_key.insert(k, id);
        if self.slots.len() < self.max {
            self.slots.push(slot);
            return false;
        }
        // Overwrite the oldest slot in place; its buffer becomes the next scratch.
        let old = std::mem::replace(&mut self.slots[self.head], slot);
        self.head += 1;
        if self.head == self.slots.len() {
            self.head = 0;
        }
        self.scratch = old.text;
        self.by_key.remove(old.key, evicted_id);
        false
    }

    /// Events in creation order (oldest first).
    pub fn iter(&self) -> impl Iterator<Item = &Event> {
        self.view
            .get_or_init(|| {
                let (newer, older) = self.slots.split_at(self.head);
                older.iter().chain(newer).map(Slot::event).collect()
            })
            .iter()
    }

    /// Number of distinct events kept.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no event is kept.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
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

    /// The key table against a BTreeMap model, through growth and many removals, with keys
    /// that share their tag (the low 32 bits) or their home, and ids crossing a multiple of
    /// the stored modulus.
    #[test]
    fn key_table_behaves_like_a_map() {
        for base in [0, 3 * ID_MOD - 9_000] {
            let mut t = KeyTable::default();
            let mut by_key = std::collections::BTreeMap::new();
            let mut by_id = std::collections::BTreeMap::new();
            let mut x: u64 = 1;
            for step in 1..20_000u64 {
                let newest = base + step;
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Few distinct keys (lots of hits and clustering); some differ only above
                // the tag, some only in the tag's high bits.
                let key = (x % 700) << (x % 3 * 20);
                let is_key = |id: u64| by_id.get(&id) == Some(&key);
                let got = t.get(key, newest, is_key);
                assert_eq!(got, by_key.get(&key).copied(), "step {step}");
                match got {
                    Some(id) if x.is_multiple_of(3) => {
                        t.remove(key, id);
                        by_key.remove(&key);
                        by_id.remove(&id);
                    }
                    Some(_) => {}
                    None => {
                        t.insert(key, newest);
                        by_key.insert(key, newest);
                        by_id.insert(newest, key);
                    }
                }
                assert_eq!(t.len, by_key.len());
            }
            let newest = base + 20_000;
            for (k, v) in &by_key {
                assert_eq!(t.get(*k, newest, |id| by_id.get(&id) == Some(k)), Some(*v));
                // A wrong full key is refused even though the tag matches.
                assert_eq!(t.get(*k, newest, |_| false), None);
            }
        }
        for newest in [1, ID_MOD - 1, ID_MOD, ID_MOD + 1, 5 * ID_MOD + 3] {
            for back in [0, 1, 2, 10_000] {
                let Some(id) = u64::checked_sub(newest, back) else {
                    continue;
                };
                let short = KeyTable::short_id(id);
                assert_ne!(short, EMPTY);
                assert_eq!(KeyTable::full_id(short, newest), id, "{newest} - {back}");
            }
        }
    }

    /// Recording from parts (recycling evicted events' strings) stores exactly what recording
    /// whole events does: same names, counts, times, and the same aggregation across evictions.
    #[test]
    fn occurrences_record_like_events() {
        let mut whole = EventLog::new(7);
        let mut parts = EventLog::new(7);
        let mut strs = EventLog::new(7);
        let objects = ["a", "bb", "ccc"];
        let hosts = [None, Some("n1"), Some("node-22")];
        for i in 0..400u64 {
            let name = objects[(i % 3) as usize];
            let host = hosts[(i / 5 % 3) as usize];
            let container = (i % 4 == 0).then_some("app");
            let msg = format!("m{}", i % 11);
            let at = i / 3;
            let mut e = ev_of(name, &msg, at);
            e.source_host = host.map(str::to_string);
            e.field_path = container.map(|c| format!("spec.containers{{{c}}}"));
            let a = whole.record(e);
            let o = Occurrence {
                namespace: "default",
                involved_kind: "Pod",
                involved_name: name,
                involved_uid: "u",
                field_path: container.map(|c| ["spec.containers{", c, "}"]),
                type_: "Warning",
                reason: "BackOff",
                source_component: "kubelet",
                source_host: host,
                at_ms: at,
            };
            let b = parts.record_occurrence(&o, format_args!("m{}", i % 11));
            let c = strs.record_occurrence_str(&o, &msg);
            assert_eq!(a, b, "aggregation of occurrence {i}");
            assert_eq!(a, c, "aggregation of occurrence {i} (str)");
            assert!(whole.iter().eq(parts.iter()), "log after occurrence {i}");
            assert!(
                whole.iter().eq(strs.iter()),
                "log after occurrence {i} (str)"
            );
        }
    }

    /// A field hashes the same however it is cut into pieces; different fields (or the same
    /// bytes moved across a field boundary) give different keys.
    #[test]
    fn key_hash_streams_pieces() {
        let text = "spec.containers{app-with-a-longer-name}";
        let hash = |pieces: &[&str]| {
            let mut h = KeyHasher::new();
            for p in pieces {
                h.write(p.as_bytes());
            }
            h.end_field();
            h.finish()
        };
        let whole = hash(&[text]);
        for a in 0..text.len() {
            for b in a..text.len() {
                let k = hash(&[&text[..a], &text[a..b], &text[b..]]);
                assert_eq!(k, whole, "cut at {a}, {b}");
            }
        }
        let fixed = ["kubelet", "Pod", "Normal", "Pulled"];
        let key = EventLog::key_of(fixed, text, &[5, 10, 15, 20, 25]);
        assert_ne!(EventLog::key_of(fixed, text, &[5, 10, 15, 20, 26]), key);
        assert_ne!(
            EventLog::key_of(
                ["kubele", "tPod", "Normal", "Pulled"],
                text,
                &[5, 10, 15, 20, 25]
            ),
            key
        );
        assert_eq!(EventLog::key_of(fixed, text, &[5, 10, 15, 20, 25]), key);
        let mut hex = String::new();
        push_hex(&mut hex, 0);
        push_hex(&mut hex, 1_767_225_605_000_000_000);
        assert_eq!(hex, format!("0{:x}", 1_767_225_605_000_000_000u64));
    }

    /// The plain version of the log: a list of whole events, aggregated by comparing every
    /// field (an absent field path or host equals an empty one, as in the key), the oldest
    /// dropped past the cap.
    struct PlainLog {
        events: std::collections::VecDeque<Event>,
        max: usize,
        ms_seq: Option<(Ms, u64)>,
    }

    impl PlainLog {
        fn record(&mut self, mut e: Event) -> bool {
            // The aggregation key, every field as text.
            fn key(a: &Event) -> [&str; 10] {
                [
                    a.source_component,
                    a.source_host.as_deref().unwrap_or(""),
                    a.involved_kind,
                    &a.namespace,
                    &a.involved_name,
                    &a.involved_uid,
                    a.field_path.as_deref().unwrap_or(""),
                    a.type_,
                    a.reason,
                    &a.message,
                ]
            }
            let k = key(&e);
            let same = |a: &Event| key(a) == k;
            if let Some(old) = self.events.iter_mut().find(|a| same(a)) {
                old.count += 1;
                old.last_ms = e.last_ms;
                return true;
            }
            let seq = match self.ms_seq {
                Some((ms, n)) if ms == e.first_ms => n + 1,
                _ => 0,
            };
            self.ms_seq = Some((e.first_ms, seq));
            let nanos = (EPOCH_UNIX_S * 1000 + e.first_ms) * 1_000_000 + seq % 1_000_000;
            e.name = format!("{}.{nanos:x}", e.involved_name);
            self.events.push_back(e);
            if self.events.len() > self.max {
                self.events.pop_front();
            }
            false
        }
    }

    /// The ring of one-buffer slots, its key table and its lazily built view, against the
    /// plain log: many evictions, repeats of evicted and kept events, empty and absent field
    /// paths and hosts (which aggregate with each other, as before), empty names and
    /// messages, fields whose bytes could slide across a boundary, long messages, and reads
    /// between records (a read after a repeat must see the new count).
    #[test]
    fn slots_keep_what_plain_events_do() {
        for max in [1, 2, 5, 64] {
            let mut log = EventLog::new(max);
            let mut plain = PlainLog {
                events: Default::default(),
                max,
                ms_seq: None,
            };
            let long = "x".repeat(300);
            let names = ["", "a", "ab", "web-7d9f8b6c5-abcde"];
            let paths = [None, Some(""), Some("spec.containers{app}")];
            let hosts = [None, Some(""), Some("node-17"), Some("b")];
            let messages = ["", "b", "Pulled image", long.as_str()];
            let mut x: u64 = 7;
            let mut repeats = 0;
            for i in 0..3_000u64 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Few distinct occurrences (most fields follow from a few bits), so repeats
                // of kept and of evicted events are common.
                let r = x % 64;
                let pick = |n: usize, shift: u32| (r.rotate_right(shift) as usize) % n;
                let name = names[pick(names.len(), 3)];
                let e = Event {
                    name: String::new(),
                    namespace: ["default", "", "kube-system"][pick(3, 7)].to_string(),
                    involved_kind: ["Pod", "Node"][pick(2, 11)],
                    involved_name: name.to_string(),
                    involved_uid: ["u", "", "uid-1"][pick(3, 13)].to_string(),
                    field_path: paths[pick(paths.len(), 17)].map(str::to_string),
                    type_: ["Normal", "Warning"][pick(2, 21)],
                    reason: ["Pulled", "BackOff"][pick(2, 23)],
                    message: messages[pick(messages.len(), 27)].to_string(),
                    source_component: ["kubelet", "default-scheduler"][pick(2, 31)],
                    source_host: hosts[pick(hosts.len(), 33)].map(str::to_string),
                    count: 1,
                    first_ms: i / 4,
                    last_ms: i / 4,
                };
                let want = plain.record(e.clone());
                let got = if x.is_multiple_of(3) {
                    log.record(e)
                } else {
                    let o = Occurrence {
                        namespace: &e.namespace,
                        involved_kind: e.involved_kind,
                        involved_name: &e.involved_name,
                        involved_uid: &e.involved_uid,
                        field_path: e.field_path.as_deref().map(|p| {
                            let cut = p.len() / 2;
                            [&p[..cut], "", &p[cut..]]
                        }),
                        type_: e.type_,
                        reason: e.reason,
                        source_component: e.source_component,
                        source_host: e.source_host.as_deref(),
                        at_ms: e.first_ms,
                    };
                    log.record_occurrence(&o, format_args!("{}", e.message))
                };
                assert_eq!(got, want, "aggregation at {i} (max {max})");
                repeats += usize::from(got);
                assert_eq!(log.len(), plain.events.len());
                if !x.is_multiple_of(5) {
                    assert!(log.iter().eq(plain.events.iter()), "log at {i} (max {max})");
                }
            }
            assert!(log.iter().eq(plain.events.iter()));
            assert!(log.clone().iter().eq(plain.events.iter()));
            assert!(repeats > 100, "{repeats} repeats (max {max})");
        }
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
