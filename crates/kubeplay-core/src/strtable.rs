//! [`StrTable`]: a string-keyed map for point lookups only, for the store's large indexes.
//!
//! The store's uid index and per-node indexes are looked up and updated several times per pod
//! event; as `BTreeMap<String, _>` each of those is a walk of a 150,000- or 5,000-entry tree
//! comparing strings that share long prefixes (`ip-172-20-…`), a tenth of a large run. Those
//! indexes are never iterated in a way that reaches behaviour, so they can be hash tables.
//!
//! Determinism (house style R3): the hash is a fixed function of the key bytes (no per-process
//! seed, same result natively and in wasm32), and the table offers no iteration except
//! [`StrTable::sorted`], which sorts by key, so its internal slot order never leaks. Equality
//! and `Debug` go through the sorted view as well.
//!
//! [`NameMap`] is the ordered map built on it, for the store's nodes: listed in name order
//! like a `BTreeMap<String, _>`, but a lookup by name is a hash probe and one string
//! comparison instead of a walk of the 5,000-node tree (each of its ~20 steps a `memcmp` of
//! names sharing the `ip-172-20-` prefix); the kubelet looks its node up several times per
//! pod.
use std::fmt;

/// Open-addressing (linear probing) map from `String` to `V`, at most half full.
#[derive(Clone)]
pub struct StrTable<V> {
    /// Length 0 or a power of two.
    /// (hash of the key, key, value): the stored hash lets a probe skip an entry without
    /// comparing strings (keys of one index often share their length and a long prefix),
    /// and lets growth and removal place entries without hashing them again.
    slots: Vec<Option<(u64, String, V)>>,
    len: usize,
}

impl<V> Default for StrTable<V> {
    fn default() -> Self {
        StrTable {
            slots: Vec::new(),
            len: 0,
        }
    }
}

/// A platform-stable hash of a string: 8 little-endian bytes per multiply, then a final mix.
pub fn hash(s: &str) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let b = s.as_bytes();
    let mut h: u64 = (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
    }
    h ^= h >> 32;
    h.wrapping_mul(K)
}

impl<V> StrTable<V> {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    fn home(&self, h: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (h >> (64 - bits)) as usize
    }

    /// Slot holding `key` (whose hash is `h`), or the empty slot ending its probe run. Table
    /// must be non-empty.
    fn find_hashed(&self, h: u64, key: &str) -> (usize, bool) {
        let mask = self.slots.len() - 1;
        let mut i = self.home(h);
        loop {
            match &self.slots[i] {
                None => return (i, false),
                Some((eh, k, _)) if *eh == h && k == key => return (i, true),
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    /// [`StrTable::find_hashed`] hashing `key`.
    fn find(&self, key: &str) -> (usize, bool) {
        self.find_hashed(hash(key), key)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        if self.len == 0 {
            return None;
        }
        match self.find(key) {
            (i, true) => self.slots[i].as_ref().map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// The value of `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        if self.len == 0 {
            return None;
        }
        match self.find(key) {
            (i, true) => self.slots[i].as_mut().map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn grow_for_one_more(&mut self) {
        if (self.len + 1) * 2 <= self.slots.len() {
            return;
        }
        let n = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, (0..n).map(|_| None).collect());
        for (h, k, v) in old.into_iter().flatten() {
            let (i, _) = self.find_hashed(h, &k);
            self.slots[i] = Some((h, k, v));
        }
    }

    /// Insert or replace; returns the previous value.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        self.grow_for_one_more();
        let h = hash(&key);
        let (i, found) = self.find_hashed(h, &key);
        if found {
            return self.slots[i]
                .as_mut()
                .map(|(_, _, v)| std::mem::replace(v, value));
        }
        self.slots[i] = Some((h, key, value));
        self.len += 1;
        None
    }

    /// The value of `key`, inserting `make()` first when absent (the key is only allocated
    /// then).
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        self.grow_for_one_more();
        let h = hash(key);
        let (i, found) = self.find_hashed(h, key);
        if !found {
            self.slots[i] = Some((h, key.to_string(), make()));
            self.len += 1;
        }
        match &mut self.slots[i] {
            Some((_, _, v)) => v,
            None => unreachable!("slot just filled"),
        }
    }

    /// Remove `key`; returns its value (backward-shift deletion: no tombstones).
    pub fn remove(&mut self, key: &str) -> Option<V> {
        if self.len == 0 {
            return None;
        }
        let (mut hole, found) = self.find(key);
        if !found {
            return None;
        }
        let out = self.slots[hole].take().map(|(_, _, v)| v);
        self.len -= 1;
        let mask = self.slots.len() - 1;
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let home = match &self.slots[j] {
                None => break,
                Some((h, _, _)) => self.home(*h),
            };
            // Move the entry back if the hole lies on its probe path (home ..= j).
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.slots[hole] = self.slots[j].take();
                hole = j;
            }
        }
        out
    }

    /// Entries sorted by key (the only iteration: slot order never shows).
    pub fn sorted(&self) -> Vec<(&str, &V)> {
        let mut v: Vec<(&str, &V)> = self
            .slots
            .iter()
            .flatten()
            .map(|(_, k, v)| (k.as_str(), v))
            .collect();
        v.sort_unstable_by(|a, b| a.0.cmp(b.0));
        v
    }
}

impl<V: PartialEq> PartialEq for StrTable<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.sorted() == other.sorted()
    }
}

impl<V: Eq> Eq for StrTable<V> {}

impl<V: fmt::Debug> fmt::Debug for StrTable<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.sorted()).finish()
    }
}

/// A map from names to `V` with hashed point lookups and name-ordered iteration: the same
/// answers and the same order as a `BTreeMap<String, V>` (checked against one in
/// `name_map_behaves_like_a_btreemap`).
///
/// Entries live in slots (a removed entry's slot goes to the next insert); `index` finds a
/// name's slot and `order` lists the slots sorted by name, kept sorted on insert and remove
/// (rare next to lookups: nodes come and go by the handful).
#[derive(Clone)]
pub struct NameMap<V> {
    slots: Vec<Option<(String, V)>>,
    free: Vec<u32>,
    index: StrTable<u32>,
    order: Vec<u32>,
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap {
            slots: Vec::new(),
            free: Vec::new(),
            index: StrTable::new(),
            order: Vec::new(),
        }
    }
}

impl<V> NameMap<V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    fn entry(&self, slot: u32) -> &(String, V) {
        match &self.slots[slot as usize] {
            Some(e) => e,
            None => unreachable!("indexed slot is live"),
        }
    }

    /// The value of `name`.
    #[inline]
    pub fn get(&self, name: &str) -> Option<&V> {
        let i = *self.index.get(name)?;
        self.slots[i as usize].as_ref().map(|(_, v)| v)
    }

    /// The value of `name`, mutably.
    #[inline]
    pub fn get_mut(&mut self, name: &str) -> Option<&mut V> {
        let i = *self.index.get(name)?;
        self.slots[i as usize].as_mut().map(|(_, v)| v)
    }

    /// Whether `name` is present.
    pub fn contains_key(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// Where `name` would sit in `order` (`Ok`: it is there).
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.order
            .binary_search_by(|&i| self.entry(i).0.as_str().cmp(name))
    }

    /// Insert or replace; returns the previous value (the stored name is kept, as
    /// `BTreeMap::insert` keeps its key).
    pub fn insert(&mut self, name: String, value: V) -> Option<V> {
        if let Some(&i) = self.index.get(&name) {
            return self.slots[i as usize]
                .as_mut()
                .map(|(_, v)| std::mem::replace(v, value));
        }
        let pos = match self.position(&name) {
            Ok(_) => unreachable!("an ordered name is indexed"),
            Err(pos) => pos,
        };
        let slot = match self.free.pop() {
            Some(i) => i,
            None => {
                self.slots.push(None);
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 names")
            }
        };
        self.order.insert(pos, slot);
        self.index.insert(name.clone(), slot);
        self.slots[slot as usize] = Some((name, value));
        None
    }

    /// Remove `name`; returns its value.
    pub fn remove(&mut self, name: &str) -> Option<V> {
        let i = self.index.remove(name)?;
        if let Ok(pos) = self.position(name) {
            self.order.remove(pos);
        }
        self.free.push(i);
        self.slots[i as usize].take().map(|(_, v)| v)
    }

    /// Entries in name order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&String, &V)> + ExactSizeIterator {
        self.order.iter().map(|&i| {
            let (k, v) = self.entry(i);
            (k, v)
        })
    }

    /// Entries in name order, values mutably.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&String, &mut V)> {
        // One borrow per slot, handed out in name order (each slot is listed once).
        let mut live: Vec<Option<&mut (String, V)>> =
            self.slots.iter_mut().map(Option::as_mut).collect();
        self.order
            .iter()
            .map(move |&i| match live[i as usize].take() {
                Some((k, v)) => (&*k, v),
                None => unreachable!("each ordered slot is live and listed once"),
            })
    }

    /// Names in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.iter().map(|(k, _)| k)
    }

    /// Values in name order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.iter().map(|(_, v)| v)
    }

    /// Values in name order, mutably.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.iter_mut().map(|(_, v)| v)
    }
}

impl<V> std::ops::Index<&str> for NameMap<V> {
    type Output = V;
    fn index(&self, name: &str) -> &V {
        self.get(name).expect("no entry found for name")
    }
}

impl<V> std::ops::Index<&String> for NameMap<V> {
    type Output = V;
    fn index(&self, name: &String) -> &V {
        &self[name.as_str()]
    }
}

impl<'a, V> IntoIterator for &'a NameMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = Box<dyn Iterator<Item = (&'a String, &'a V)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<V: PartialEq> PartialEq for NameMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<V: Eq> Eq for NameMap<V> {}

impl<V: fmt::Debug> fmt::Debug for NameMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// [`NameMap`] against a BTreeMap model: lookups, inserts over existing names, removals
    /// (slots reused), and every iteration in order, through many random steps.
    #[test]
    fn name_map_behaves_like_a_btreemap() {
        let mut t: NameMap<u64> = NameMap::new();
        let mut m: BTreeMap<String, u64> = BTreeMap::new();
        let mut x: u64 = 3;
        for step in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = format!("ip-172-20-{}-{}", x % 13, x % 300);
            match x % 7 {
                0 | 1 => assert_eq!(t.remove(&key), m.remove(&key)),
                2 => {
                    if let (Some(a), Some(b)) = (t.get_mut(&key), m.get_mut(&key)) {
                        *a += 1;
                        *b += 1;
                    }
                }
                3 if step % 50 == 0 => {
                    for ((k, v), (mk, mv)) in t.iter_mut().zip(m.iter_mut()) {
                        assert_eq!(k, mk);
                        *v += step;
                        *mv += step;
                    }
                }
                _ => assert_eq!(t.insert(key.clone(), step), m.insert(key.clone(), step)),
            }
            assert_eq!(t.get(&key), m.get(&key));
            assert_eq!(t.contains_key(&key), m.contains_key(&key));
            assert_eq!(t.len(), m.len());
            assert_eq!(t.is_empty(), m.is_empty());
            if step % 500 == 0 {
                assert!(t.iter().eq(m.iter()));
                assert!(t.keys().rev().eq(m.keys().rev()));
            }
        }
        assert!(t.iter().eq(m.iter()));
        assert!(t.values_mut().map(|v| *v).eq(m.values().copied()));
        assert_eq!(format!("{t:?}"), format!("{m:?}"));
        let first = m.keys().next().cloned().expect("some names left");
        assert_eq!(t[&first], m[&first]);
        assert_eq!(t[first.as_str()], m[&first]);
        assert!((&t).into_iter().eq(&m));
    }

    /// Against a BTreeMap model, through growth, clustering and many removals.
    #[test]
    fn behaves_like_a_map() {
        let mut t: StrTable<u64> = StrTable::new();
        let mut m: BTreeMap<String, u64> = BTreeMap::new();
        let mut x: u64 = 7;
        for step in 0..30_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = format!("ip-172-20-{}-{}", x % 37, x % 900);
            match x % 5 {
                0 | 1 => {
                    assert_eq!(t.remove(&key), m.remove(&key));
                }
                2 => {
                    *t.get_or_insert_with(&key, || 0) += 1;
                    *m.entry(key.clone()).or_insert(0) += 1;
                }
                _ => {
                    assert_eq!(t.insert(key.clone(), step), m.insert(key.clone(), step));
                }
            }
            assert_eq!(t.get(&key), m.get(&key));
            assert_eq!(t.len(), m.len());
        }
        let sorted: Vec<(&str, &u64)> = m.iter().map(|(k, v)| (k.as_str(), v)).collect();
        assert_eq!(t.sorted(), sorted);
    }

    #[test]
    fn hash_is_fixed() {
        // Pinned: the same on every platform and every run.
        assert_eq!(hash(""), 0);
        assert_ne!(hash("a"), hash("b"));
        assert_eq!(hash("node-1"), hash(&String::from("node-1")));
    }
}
