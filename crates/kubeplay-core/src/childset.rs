//! [`ChildSet`]: the objects one owner uid has, in [`ObjRef`] order, for the store's
//! owner index.
//!
//! A ReplicaSet of 150,000 replicas has 150,000 children, and every pod created adds one. As a
//! `BTreeSet<ObjRef>` each insert walks the tree comparing whole `(kind, (namespace, name))`
//! tuples: two string comparisons a step, the first of them between equal namespaces, plus a
//! copy of the namespace per entry. Nesting by kind, then namespace, then name keeps the same
//! order (tuples compare field by field) while a step of the large inner tree compares names
//! only and the namespace is stored once.
use crate::api::Kind;
use crate::store::ObjRef;
use std::collections::{BTreeMap, BTreeSet};

/// Children of one owner, iterated in `ObjRef` order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildSet {
    by_kind: BTreeMap<Kind, BTreeMap<String, BTreeSet<String>>>,
}

impl ChildSet {
    /// Add `r` (no-op when present).
    pub fn insert(&mut self, r: &ObjRef) {
        let (kind, (ns, name)) = r;
        let by_ns = self.by_kind.entry(*kind).or_default();
        // Look up before inserting: no namespace String allocated for a known namespace.
        let names = match by_ns.get_mut(ns.as_str()) {
            Some(names) => names,
            None => by_ns.entry(ns.clone()).or_default(),
        };
        if !names.contains(name.as_str()) {
            names.insert(name.clone());
        }
    }

    /// Remove `r` (no-op when absent); empty levels go with it.
    pub fn remove(&mut self, r: &ObjRef) {
        let (kind, (ns, name)) = r;
        let Some(by_ns) = self.by_kind.get_mut(kind) else {
            return;
        };
        if let Some(names) = by_ns.get_mut(ns.as_str()) {
            names.remove(name.as_str());
            if names.is_empty() {
                by_ns.remove(ns.as_str());
            }
        }
        if by_ns.is_empty() {
            self.by_kind.remove(kind);
        }
    }

    /// No children.
    pub fn is_empty(&self) -> bool {
        self.by_kind.is_empty()
    }

    /// The children in `ObjRef` order (kind, namespace, name).
    pub fn iter(&self) -> impl Iterator<Item = ObjRef> + '_ {
        self.by_kind.iter().flat_map(|(kind, by_ns)| {
            by_ns.iter().flat_map(move |(ns, names)| {
                names
                    .iter()
                    .map(move |name| (*kind, (ns.clone(), name.clone())))
            })
        })
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
