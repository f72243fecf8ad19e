//! The event queue: one total order over everything that will happen, by (time, seq).
//!
//! `seq` is a global counter assigned at push time, so events due at the same millisecond run
//! in the order they were scheduled (FIFO) on every platform (house style R4). The payload never
//! takes part in the ordering.
use crate::clock::Ms;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

#[derive(Clone)]
struct Entry<E> {
    at_ms: Ms,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at_ms, self.seq) == (other.at_ms, other.seq)
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at_ms, self.seq).cmp(&(other.at_ms, other.seq))
    }
}

/// Min-queue of events ordered by `(at_ms, seq)`.
#[derive(Clone)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry<E>>>,
    seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedule `event` at `at_ms`.
    pub fn push(&mut self, at_ms: Ms, event: E) {
        self.seq += 1;
        self.heap.push(Reverse(Entry {
            at_ms,
            seq: self.seq,
            event,
        }));
    }

    /// Time of the earliest event.
    pub fn peek_ms(&self) -> Option<Ms> {
        self.heap.peek().map(|r| r.0.at_ms)
    }

    /// Remove and return the earliest event.
    pub fn pop(&mut self) -> Option<(Ms, E)> {
        self.heap.pop().map(|Reverse(e)| (e.at_ms, e.event))
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
}
