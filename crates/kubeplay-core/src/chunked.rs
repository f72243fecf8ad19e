//! A growable vector stored in fixed-size chunks, so that growing it never moves an element.
//!
//! The store keeps every pod record (about 1.6 KB each) in one slab. As a plain `Vec` that
//! slab doubles while a 150,000-replica Deployment scales up: each doubling copies every
//! record so far into freshly mapped memory, which the kernel must first clear. Bench (a)
//! spent ~17% of its time there (with an allocator that, unlike glibc, does not `mremap` a
//! large block in place). In chunks the records are written once and never copied; indexing
//! costs one shift and one mask more.

use std::ops::{Index, IndexMut};

/// log2 of the elements per chunk.
const SHIFT: u32 = 10;
/// Elements per chunk.
const CHUNK: usize = 1 << SHIFT;
const MASK: usize = CHUNK - 1;

/// A `Vec<T>` in chunks of [`CHUNK`] elements: push, index, len.
#[derive(Debug, Clone)]
pub struct ChunkedVec<T> {
    /// Every chunk but the last is full; none is ever reallocated (each is made with its
    /// full capacity).
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> ChunkedVec<T> {
    /// An empty vector (allocates nothing).
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Append `v` at index `len()`.
    pub fn push(&mut self, v: T) {
        if self.len & MASK == 0 {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        // The last chunk has room: it was made with CHUNK capacity and holds len % CHUNK.
        if let Some(last) = self.chunks.last_mut() {
            last.push(v);
        }
        self.len += 1;
    }

    /// The element at `i`, if `i < len()`.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i >> SHIFT)?.get(i & MASK)
    }

    /// The element at `i`, mutably, if `i < len()`.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i >> SHIFT)?.get_mut(i & MASK)
    }
}

impl<T> Index<usize> for ChunkedVec<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        &self.chunks[i >> SHIFT][i & MASK]
    }
}

impl<T> IndexMut<usize> for ChunkedVec<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i >> SHIFT][i & MASK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Push, index, get and get_mut agree with a plain `Vec` across several chunk
    /// boundaries, and growing never moves an element already stored.
    #[test]
    fn chunked_vec_matches_a_vec() {
        let mut plain: Vec<u64> = Vec::new();
        let mut chunked: ChunkedVec<u64> = ChunkedVec::new();
        assert_eq!(chunked.len(), 0);
        assert_eq!(chunked.get(0), None);
        let n = 3 * CHUNK + 17;
        let mut first_chunk_addr = None;
        for i in 0..n as u64 {
            let v = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            plain.push(v);
            chunked.push(v);
            if i == 0 {
                first_chunk_addr = Some(&chunked[0] as *const u64 as usize);
            }
            assert_eq!(chunked.len(), plain.len());
        }
        assert_eq!(
            Some(&chunked[0] as *const u64 as usize),
            first_chunk_addr,
            "an element moved while the vector grew"
        );
        for i in 0..n + 5 {
            assert_eq!(chunked.get(i), plain.get(i), "get({i})");
        }
        for i in (0..n).step_by(7) {
            chunked[i] ^= 1;
            plain[i] ^= 1;
            if let (Some(a), Some(b)) = (chunked.get_mut(i + 1), plain.get_mut(i + 1)) {
                *a += 3;
                *b += 3;
            }
        }
        assert!((0..n).map(|i| &chunked[i]).eq(plain.iter()));
        assert_eq!(chunked.get_mut(n), None);
        let copy = chunked.clone();
        assert!((0..n).map(|i| copy.get(i)).eq(plain.iter().map(Some)));
    }
}
