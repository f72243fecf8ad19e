//! [`KeySet`] and [`ChildSet`]: sets of store keys nested by namespace (and kind), for the
//! store's pods-by-node and owner indexes.
//!
//! A ReplicaSet of 150,000 replicas has 150,000 children, and every pod created adds one. As a
//! `BTreeSet<ObjRef>` each insert walks the tree comparing whole `(kind, (namespace, name))`
//! tuples: two string comparisons a step, the first of them between equal namespaces, plus a
//! copy of the namespace per entry. Nesting by kind, then namespace, then name keeps the same
//! order (tuples compare field by field) while a step of the large inner tree compares names
//! only and the namespace is stored once. Pods by node (`BTreeSet<Key>` per node, one insert
//! per binding) get the same treatment.
//!
//! The names themselves are [`Name`]s: a pod name of up to 32 bytes lives inside the tree
//! entry as four big-endian words, so a step of the walk compares integers in the node it
//! already loaded, instead of calling `memcmp` on two heap strings (the 150,000 names of one
//! ReplicaSet share a prefix like `big-5d8f7c9b4-`, and each entry's string was a cache miss
//! of its own), and inserting a name allocates nothing.
use crate::api::Kind;
use crate::store::{Key, ObjRef};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Bytes a [`Name`] keeps inline.
const INLINE: usize = 32;

/// A string for ordered sets, ordered exactly as `str` (byte-wise), kept inline when short.
#[derive(Clone, PartialEq, Eq)]
pub struct Name(Repr);

/// The representation is canonical (inline exactly when the string fits), so equal strings
/// have equal representations and the derived equality agrees with [`Name::cmp`].
#[derive(Clone, PartialEq, Eq)]
enum Repr {
    /// The bytes as big-endian words, zero-padded, and the length. Padded words compare like
    /// the bytes up to the shorter string's end; past it the shorter side reads zeros, which
    /// sort first or tie, and a tie means one string is a prefix of the other: the length
    /// then decides, as `str` ordering does.
    Inline([u64; INLINE / 8], u8),
    /// Longer strings.
    Heap(Box<str>),
}

impl Name {
    /// `s` as a name (allocates only past [`INLINE`] bytes).
    #[inline]
    pub fn new(s: &str) -> Name {
        let b = s.as_bytes();
        if b.len() > INLINE {
            return Name(Repr::Heap(s.into()));
        }
        let mut buf = [0u8; INLINE];
        buf[..b.len()].copy_from_slice(b);
        let mut words = [0u64; INLINE / 8];
        for (w, c) in words.iter_mut().zip(buf.chunks_exact(8)) {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            *w = u64::from_be_bytes(a);
        }
        Name(Repr::Inline(words, b.len() as u8))
    }

    /// The bytes, handed to `f` (inline ones are unpacked on the stack).
    fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match &self.0 {
            Repr::Inline(words, len) => {
                let mut buf = [0u8; INLINE];
                for (c, w) in buf.chunks_exact_mut(8).zip(words) {
                    c.copy_from_slice(&w.to_be_bytes());
                }
                f(&buf[..usize::from(*len)])
            }
            Repr::Heap(s) => f(s.as_bytes()),
        }
    }

    /// The string, as an owned `String`.
    pub fn to_str_owned(&self) -> String {
        match &self.0 {
            Repr::Heap(s) => s.to_string(),
            // The bytes came from a `str`, whole: they are valid UTF-8.
            Repr::Inline(..) => self.with_bytes(|b| String::from_utf8_lossy(b).into_owned()),
        }
    }
}

impl Ord for Name {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // The common case stays small enough to inline into the tree's search loop.
        if let (Repr::Inline(a, la), Repr::Inline(b, lb)) = (&self.0, &other.0) {
            return a.cmp(b).then(la.cmp(lb));
        }
        self.cmp_bytes(other)
    }
}

impl Name {
    /// Byte-wise comparison, for a name held on the heap.
    #[inline(never)]
    fn cmp_bytes(&self, other: &Self) -> Ordering {
        self.with_bytes(|a| other.with_bytes(|b| a.cmp(b)))
    }
}

impl PartialOrd for Name {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_str_owned(), f)
    }
}

/// Keys `(namespace, name)`, iterated in `Key` order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    by_ns: BTreeMap<String, BTreeSet<Name>>,
}

impl KeySet {
    /// Add `(ns, name)` (no-op when present).
    pub fn insert(&mut self, ns: &str, name: &str) {
        // Look up before inserting: no String allocated for a known namespace.
        let names = match self.by_ns.get_mut(ns) {
            Some(names) => names,
            None => self.by_ns.entry(ns.to_string()).or_default(),
        };
        names.insert(Name::new(name));
    }

    /// Remove `(ns, name)` (no-op when absent); an emptied namespace goes with it.
    pub fn remove(&mut self, ns: &str, name: &str) {
        if let Some(names) = self.by_ns.get_mut(ns) {
            names.remove(&Name::new(name));
            if names.is_empty() {
                self.by_ns.remove(ns);
            }
        }
    }

    /// No keys.
    pub fn is_empty(&self) -> bool {
        self.by_ns.is_empty()
    }

    /// The keys in `Key` order.
    pub fn iter(&self) -> impl Iterator<Item = Key> + '_ {
        self.by_ns
            .iter()
            .flat_map(|(ns, names)| names.iter().map(move |n| (ns.clone(), n.to_str_owned())))
    }
}

/// Children of one owner, iterated in `ObjRef` order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildSet {
    by_kind: BTreeMap<Kind, KeySet>,
}

impl ChildSet {
    /// Add `r` (no-op when present).
    pub fn insert(&mut self, r: &ObjRef) {
        let (kind, (ns, name)) = r;
        self.by_kind.entry(*kind).or_default().insert(ns, name);
    }

    /// Remove `r` (no-op when absent); empty levels go with it.
    pub fn remove(&mut self, r: &ObjRef) {
        let (kind, (ns, name)) = r;
        if let Some(keys) = self.by_kind.get_mut(kind) {
            keys.remove(ns, name);
            if keys.is_empty() {
                self.by_kind.remove(kind);
            }
        }
    }

    /// No children.
    pub fn is_empty(&self) -> bool {
        self.by_kind.is_empty()
    }

    /// The children in `ObjRef` order (kind, namespace, name).
    pub fn iter(&self) -> impl Iterator<Item = ObjRef> + '_ {
        self.by_kind
            .iter()
            .flat_map(|(kind, keys)| keys.iter().map(move |k| (*kind, k)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Same contents and order as a `BTreeSet<ObjRef>` through inserts and removals.
    #[test]
    fn orders_like_a_btreeset_of_objrefs() {
        let mut set = ChildSet::default();
        let mut model: BTreeSet<ObjRef> = BTreeSet::new();
        let kinds = [Kind::Pod, Kind::ReplicaSet, Kind::Service];
        let mut x: u64 = 11;
        for _ in 0..5_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let r: ObjRef = (
                kinds[(x % 3) as usize],
                (format!("ns{}", x % 4), format!("web-{}", x % 97)),
            );
            if x.is_multiple_of(3) {
                set.remove(&r);
                model.remove(&r);
            } else {
                set.insert(&r);
                model.insert(r);
            }
            assert_eq!(set.is_empty(), model.is_empty());
        }
        let got: Vec<ObjRef> = set.iter().collect();
        let want: Vec<ObjRef> = model.into_iter().collect();
        assert_eq!(got, want);
    }

    /// [`Name`] orders and equates exactly like the strings, inline, heap-held and mixed:
    /// prefixes of each other, trailing NUL bytes, multi-byte characters, around 32 bytes.
    #[test]
    fn names_order_like_strings() {
        let mut x: u64 = 5;
        let mut words: Vec<String> = Vec::new();
        let parts = [
            "",
            "\0",
            "a",
            "big-5d8f7c9b4-",
            "é",
            "zz",
            "\u{7f}",
            "\u{ff}",
        ];
        for _ in 0..400 {
            let mut s = String::new();
            while s.len() < 40 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if x.is_multiple_of(9) {
                    break;
                }
                s.push_str(parts[(x % parts.len() as u64) as usize]);
            }
            for cut in [s.len(), 31, 32, 33] {
                if s.is_char_boundary(cut.min(s.len())) {
                    words.push(s[..cut.min(s.len())].to_string());
                }
            }
        }
        let names: Vec<Name> = words.iter().map(|w| Name::new(w)).collect();
        for (a, na) in words.iter().zip(&names) {
            assert_eq!(&na.to_str_owned(), a);
            for (b, nb) in words.iter().zip(&names) {
                assert_eq!(na.cmp(nb), a.cmp(b), "{a:?} vs {b:?}");
                assert_eq!(na == nb, a == b, "{a:?} vs {b:?}");
            }
        }
    }

    /// Long names (held on the heap) and short ones side by side keep the `BTreeSet` order.
    #[test]
    fn key_sets_with_long_names_order_like_a_btreeset() {
        let mut set = KeySet::default();
        let mut model: BTreeSet<Key> = BTreeSet::new();
        let mut x: u64 = 17;
        for _ in 0..5_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let name = match x % 3 {
                0 => format!("web-{}", x % 50),
                1 => format!("hello-world-deployment-7c9f8d6b5-{}", x % 50),
                _ => format!("hello-world-deployment-7c9f8d6{}", x % 50),
            };
            let k: Key = (format!("ns{}", x % 2), name);
            if x.is_multiple_of(4) {
                set.remove(&k.0, &k.1);
                model.remove(&k);
            } else {
                set.insert(&k.0, &k.1);
                model.insert(k);
            }
        }
        assert!(set.iter().eq(model.into_iter()));
    }
}
