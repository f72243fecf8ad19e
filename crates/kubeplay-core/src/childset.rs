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
use crate::api::Kind;
use crate::store::{Key, ObjRef};
use std::collections::{BTreeMap, BTreeSet};

/// Keys `(namespace, name)`, iterated in `Key` order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    by_ns: BTreeMap<String, BTreeSet<String>>,
}

impl KeySet {
    /// Add `(ns, name)` (no-op when present).
    pub fn insert(&mut self, ns: &str, name: &str) {
        // Look up before inserting: no String allocated for a known namespace or name.
        let names = match self.by_ns.get_mut(ns) {
            Some(names) => names,
            None => self.by_ns.entry(ns.to_string()).or_default(),
        };
        if !names.contains(name) {
            names.insert(name.to_string());
        }
    }

    /// Remove `(ns, name)` (no-op when absent); an emptied namespace goes with it.
    pub fn remove(&mut self, ns: &str, name: &str) {
        if let Some(names) = self.by_ns.get_mut(ns) {
            names.remove(name);
            if names.is_empty() {
                self.by_ns.remove(ns);
            }
        }
    }

    /// No keys.
    pub fn is_empty(&self) -> bool {
        self.by_ns.is_empty()
    }

    /// The keys in `Key` order, borrowed.
    pub fn iter_parts(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.by_ns
            .iter()
            .flat_map(|(ns, names)| names.iter().map(move |n| (ns.as_str(), n.as_str())))
    }

    /// The keys in `Key` order.
    pub fn iter(&self) -> impl Iterator<Item = Key> + '_ {
        self.iter_parts()
            .map(|(ns, name)| (ns.to_string(), name.to_string()))
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
}
