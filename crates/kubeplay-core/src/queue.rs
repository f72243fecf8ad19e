//! The event queue: one total order over everything that will happen, by (time, seq).
//!
//! `seq` is a global counter assigned at push time, so events due at the same millisecond run
//! in the order they were scheduled (FIFO) on every platform (house style R4). The payload never
//! takes part in the ordering.
use crate::clock::Ms;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// A heap entry: the ordering key and where the payload waits. Only these 24 bytes move
/// while the heap sifts (a 150,000-pod run keeps ~150,000 events pending; with the payload
/// inline an entry was 88 bytes and popping, which walks the heap from root to leaf, missed
/// the cache at every level).
#[derive(Clone, Copy)]
struct Entry {
    at_ms: Ms,
    seq: u64,
    slot: u32,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.at_ms, self.seq) == (other.at_ms, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at_ms, self.seq).cmp(&(other.at_ms, other.seq))
    }
}

/// Min-queue of events ordered by `(at_ms, seq)`.
///
/// `(at_ms, seq)` is unique per event, so the pop order is fully determined by the keys: where
/// a payload is stored cannot change it.
#[derive(Clone)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry>>,
    /// Payloads by slot (None: free). Slots are reused last-freed first, so the slot a step
    /// pops is usually the one its next push fills, still in cache.
    slots: Vec<Option<E>>,
    free: Vec<u32>,
    seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedule `event` at `at_ms`.
    pub fn push(&mut self, at_ms: Ms, event: E) {
        self.seq += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(event);
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).expect("fewer than 2^32 pending events");
                self.slots.push(Some(event));
                slot
            }
        };
        self.heap.push(Reverse(Entry {
            at_ms,
            seq: self.seq,
            slot,
        }));
    }

    /// Time of the earliest event.
    pub fn peek_ms(&self) -> Option<Ms> {
        self.heap.peek().map(|r| r.0.at_ms)
    }

    /// Remove and return the earliest event.
    pub fn pop(&mut self) -> Option<(Ms, E)> {
        let Reverse(e) = self.heap.pop()?;
        let event = self.slots[e.slot as usize]
            .take()
            .expect("a queued entry's slot holds its event");
        self.free.push(e.slot);
        Some((e.at_ms, event))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_pop_by_time_then_fifo() {
        let mut q = EventQueue::default();
        q.push(10, "b");
        q.push(5, "a");
        q.push(10, "c");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(5, "a"), (10, "b"), (10, "c")]);
    }

    /// The slot-backed queue against the plain version (a sorted list of (time, seq, event)),
    /// through interleaved pushes and pops with many equal times and reused slots.
    #[test]
    fn pops_like_a_sorted_list() {
        let mut q = EventQueue::default();
        let mut model: Vec<(Ms, u64, u64)> = Vec::new();
        let (mut x, mut seq, mut now): (u64, u64, Ms) = (7, 0, 0);
        for i in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x % 5 < 3 || model.is_empty() {
                let at = now + x % 40;
                seq += 1;
                q.push(at, i);
                model.push((at, seq, i));
            } else {
                model.sort_unstable();
                let (at, _, ev) = model.remove(0);
                assert_eq!(q.pop(), Some((at, ev)), "pop {i}");
                now = at;
            }
            assert_eq!(q.len(), model.len());
            assert_eq!(q.peek_ms(), model.iter().map(|m| m.0).min());
        }
        model.sort_unstable();
        for (at, _, ev) in model {
            assert_eq!(q.pop(), Some((at, ev)));
        }
        assert!(q.is_empty() && q.pop().is_none());
    }
}
