//! The scheduler cache: per-node aggregates kept incrementally as pods are bound and removed,
//! so a scheduling cycle is one cheap pass over nodes (upstream `internal/cache` + `NodeInfo`).
//! Besides upstream's `Requested`/`NonZeroRequested`/`UsedPorts`/`ImageStates`, it keeps two
//! indexes upstream recomputes every cycle: pods grouped by (namespace, labels) per node, and
//! per label-group counts per zone. Both only make PodTopologySpread's counting cheap; the
//! counts are exactly the ones `countPodsMatchSelector` would produce.

use std::cell::Cell;
use std::collections::BTreeMap;

use crate::strtable::StrTable;

use super::types::{
    normalized_image_name, HostPort, Labels, NodeSpec, PodInfo, Resources, TaintEffect,
    LABEL_HOSTNAME, LABEL_REGION, LABEL_ZONE,
};

/// A node plus what is bound to it.
#[derive(Clone, Debug)]
pub struct NodeState {
    /// The node as last reported.
    pub spec: NodeSpec,
    /// Σ actual requests of pods on the node (including terminating ones).
    pub requested: Resources,
    /// Σ non-zero cpu requests (LeastAllocated).
    pub non_zero_milli_cpu: i64,
    /// Σ non-zero memory requests.
    pub non_zero_memory: i64,
    /// Pods on the node (including terminating ones).
    pub pod_count: i64,
    /// Host ports in use.
    pub used_ports: Vec<HostPort>,
    /// (label group, non-terminating pods in it), sorted by group.
    pub(crate) groups: Vec<(u32, u32)>,
    /// Interned `topology.kubernetes.io/zone` value.
    pub(crate) zone: Option<u32>,
    /// Has the `kubernetes.io/hostname` label.
    pub(crate) has_hostname: bool,
    /// (image id, size) sorted by id.
    pub(crate) images: Vec<(u32, i64)>,
    /// Has at least one PreferNoSchedule taint (fast path of the taint score).
    pub(crate) has_prefer_taints: bool,
    /// Has at least one NoSchedule/NoExecute taint (fast path of the taint filter).
    pub(crate) has_hard_taints: bool,
}

/// The per-node numbers a scheduling pass reads, packed into one cache line or two so a pass
/// over thousands of nodes touches only this array (the full [`NodeState`] is read only when
/// a flag says the node has taints, ports, extended resources, images or several pod groups).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
pub(crate) struct Hot {
    pub alloc_cpu: i64,
    pub alloc_mem: i64,
    pub alloc_pods: i64,
    pub req_cpu: i64,
    pub req_mem: i64,
    pub nz_cpu: i64,
    pub nz_mem: i64,
    pub pods: i64,
    /// `u64::MAX / alloc_cpu` (0 when 0): see [`super::score::div_by`].
    pub inv_cpu: u64,
    /// `u64::MAX / alloc_mem`.
    pub inv_mem: u64,
    /// `alloc_cpu · alloc_mem` when it fits in u64, else 0 (BalancedAllocation's denominator).
    pub pq: u64,
    /// `u64::MAX / pq`.
    pub inv_pq: u64,
    /// Interned zone, `NO_ZONE` when unlabelled.
    pub zone: u32,
    /// The node's only label group (`NO_GROUP` when none; see `F_MORE_GROUPS`).
    pub g0: u32,
    /// Non-terminating pods in `g0`.
    pub c0: u32,
    pub flags: u32,
}

/// The part of a node's [`Hot`] numbers the scoring passes read, copied for each feasible
/// node while filtering (which loads that cache line anyway): the passes after it then read
/// 16 bytes a node, in filter order, instead of reloading two scattered cache lines per node
/// for each of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Brief {
    pub zone: u32,
    pub g0: u32,
    pub c0: u32,
    pub flags: u32,
}

impl Hot {
    /// This node's [`Brief`].
    #[inline]
    pub(crate) fn brief(&self) -> Brief {
        Brief {
            zone: self.zone,
            g0: self.g0,
            c0: self.c0,
            flags: self.flags,
        }
    }
}

/// What filtering reads of a node before anything else, kept in scheduling order
/// ([`Cache::rows`]): a filtering pass walks these 40-byte rows in sequence instead of
/// loading the scattered 128-byte [`Hot`] entries of the same nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Row {
    /// `alloc_cpu − req_cpu`.
    pub free_cpu: i64,
    /// `alloc_mem − req_mem`.
    pub free_mem: i64,
    /// `pods < alloc_pods`.
    pub pods_fit: bool,
    /// Zone, label group and flags.
    pub brief: Brief,
}

impl Row {
    fn of(h: &Hot) -> Row {
        Row {
            free_cpu: h.alloc_cpu - h.req_cpu,
            free_mem: h.alloc_mem - h.req_mem,
            pods_fit: h.pods < h.alloc_pods,
            brief: h.brief(),
        }
    }
}

pub(crate) const NO_ZONE: u32 = u32::MAX;
pub(crate) const NO_GROUP: u32 = u32::MAX;
pub(crate) const F_UNSCHEDULABLE: u32 = 1;
pub(crate) const F_HARD_TAINTS: u32 = 2;
pub(crate) const F_PREFER_TAINTS: u32 = 4;
pub(crate) const F_PORTS: u32 = 8;
pub(crate) const F_MORE_GROUPS: u32 = 16;
pub(crate) const F_HOSTNAME: u32 = 32;
pub(crate) const F_IMAGES: u32 = 64;
pub(crate) const F_SCALARS: u32 = 128;

impl Hot {
    fn of(st: &NodeState) -> Hot {
        let a = &st.spec.allocatable;
        let flag = |b: bool, f: u32| if b { f } else { 0 };
        let (g0, c0) = st.groups.first().copied().unwrap_or((NO_GROUP, 0));
        let inv = |d: i64| {
            u64::try_from(d)
                .ok()
                .and_then(|d| u64::MAX.checked_div(d))
                .unwrap_or(0)
        };
        let pq = if a.milli_cpu > 0 && a.memory > 0 {
            (a.milli_cpu as u64)
                .checked_mul(a.memory as u64)
                .unwrap_or(0)
        } else {
            0
        };
        Hot {
            inv_cpu: inv(a.milli_cpu),
            inv_mem: inv(a.memory),
            pq,
            inv_pq: u64::MAX.checked_div(pq).unwrap_or(0),
            alloc_cpu: a.milli_cpu,
            alloc_mem: a.memory,
            alloc_pods: st.spec.allocatable_pods,
            req_cpu: st.requested.milli_cpu,
            req_mem: st.requested.memory,
            nz_cpu: st.non_zero_milli_cpu,
            nz_mem: st.non_zero_memory,
            pods: st.pod_count,
            zone: st.zone.unwrap_or(NO_ZONE),
            g0,
            c0,
            flags: flag(st.spec.unschedulable, F_UNSCHEDULABLE)
                | flag(st.has_hard_taints, F_HARD_TAINTS)
                | flag(st.has_prefer_taints, F_PREFER_TAINTS)
                | flag(!st.used_ports.is_empty(), F_PORTS)
                | flag(st.groups.len() > 1, F_MORE_GROUPS)
                | flag(st.has_hostname, F_HOSTNAME)
                | flag(!st.images.is_empty(), F_IMAGES)
                | flag(
                    !a.scalars.is_empty() || !st.requested.scalars.is_empty(),
                    F_SCALARS,
                ),
        }
    }
}

/// The resource scores of the last pod shape scored on a node (see [`Cache::fit_scores`]):
/// the shape's id (0: nothing memoised), NodeResourcesFit (LeastAllocated) and
/// BalancedAllocation. Separate cells, so reading one is one load (copying a whole struct out
/// of a `Cell` and comparing its parts stalled on store forwarding).
#[derive(Clone, Debug, Default)]
pub(crate) struct FitMemo {
    shape_id: Cell<u64>,
    least: Cell<i64>,
    balanced: Cell<i64>,
}

/// A bound pod in [`Cache`]'s pod index. Kept to 56 bytes (the index holds one per pod,
/// 150,000 in the 5,000-node benchmark, in a table at most half full that doubles as it
/// grows): the usual pod requests only cpu and memory and uses no host port, so the rest of
/// its requests and its ports sit behind a box, present only when not empty. It was 104
/// bytes inline, and each new table page is memory the kernel clears.
#[derive(Clone, Debug)]
struct PodEntry {
    /// The node's slot.
    node: u32,
    group: u32,
    terminating: bool,
    /// The pod's cpu and memory requests (all of its requests when `extra` is None).
    milli_cpu: i64,
    memory: i64,
    non_zero_milli_cpu: i64,
    non_zero_memory: i64,
    extra: Option<Box<PodExtra>>,
}

/// What a [`PodEntry`] keeps only when non-empty: the pod's full requests (ephemeral
/// storage or extended resources) and its host ports.
#[derive(Clone, Debug)]
struct PodExtra {
    requests: Resources,
    ports: Vec<HostPort>,
}

impl PodEntry {
    fn node(&self) -> usize {
        self.node as usize
    }

    fn ports(&self) -> &[HostPort] {
        self.extra.as_ref().map_or(&[], |x| x.ports.as_slice())
    }
}

/// Incrementally maintained cluster view for the scheduler. The core calls
/// [`Cache::upsert_node`], [`Cache::remove_node`], [`Cache::add_pod`], [`Cache::remove_pod`]
/// and [`Cache::set_pod_terminating`] as the store changes.
#[derive(Clone, Debug, Default)]
pub struct Cache {
    slots: Vec<Option<NodeState>>,
    hot: Vec<Hot>,
    /// Per slot, cleared whenever its `hot` entry is rewritten: replicas share their requests,
    /// and between two of them only the node they went to changes, so scoring the next one
    /// on the other ~500 candidate nodes repeats the same two divisions per node.
    fit_memo: Vec<FitMemo>,
    /// The pod shape (non-zero cpu and memory, actual cpu and memory requests) `fit_memo` ids
    /// refer to, and its id; a new shape takes the next id, so older entries stop matching.
    fit_shape: Cell<([i64; 4], u64)>,
    free: Vec<usize>,
    /// Node slots by [`name_hash`] of the node name (a u64 compare per tree step; every bind
    /// looks its node up).
    by_name: BTreeMap<u64, Vec<usize>>,
    /// The slot the scheduler chose last ([`Cache::hint_slot`]): the bind that follows names
    /// it, and one name compare there saves the walk of `by_name`. Only a hint: a wrong or
    /// stale one costs that compare.
    hint: Cell<usize>,
    /// Zone-interleaved node order (`nodeTree.list`), recomputed when the node set changes.
    order: Vec<usize>,
    /// [`Row`] of each node in `order`, kept in step with `hot` by `refresh`.
    rows: Vec<Row>,
    /// Position in `order` of each slot (`usize::MAX`: not in it).
    pos: Vec<usize>,
    /// `nodeTree`: zone keys in first-seen order, each with its nodes in insertion order.
    tree: Vec<(String, Vec<usize>)>,
    zone_ids: BTreeMap<String, u32>,
    /// Label groups by namespace then labels (nested so a lookup borrows instead of building
    /// a key: it runs on every bind).
    groups: BTreeMap<String, BTreeMap<Labels, u32>>,
    group_list: Vec<(String, Labels)>,
    ns_groups: BTreeMap<String, Vec<u32>>,
    /// Label groups by label key then value, ascending (groups are only ever added): the
    /// candidates for a selector requiring `key In (values)`, so matching a selector against
    /// thousands of groups (1,000 Deployments) looks at the few that carry its label.
    label_index: BTreeMap<String, BTreeMap<String, Vec<u32>>>,
    /// [group][zone] = non-terminating pods of the group on nodes of the zone.
    group_zone_counts: Vec<Vec<u32>>,
    pub(super) image_ids: BTreeMap<String, u32>,
    image_num_nodes: Vec<u32>,
    /// Pods by namespace, then by name in a [`StrTable`] (point lookups; the only walk over
    /// it, in `remove_node`, goes through its sorted view). A tree of 150,000 replicas keyed
    /// by name, even by a hash of it, cost a walk of cold tree nodes per bind.
    pods: BTreeMap<String, StrTable<PodEntry>>,
}

/// The key of a pod name in [`Cache`]'s pod index (FNV-1a: the same on every platform; a
/// collision only puts two names in one bucket).
fn name_hash(name: &str) -> u64 {
    crate::hash::fnv1a64(name.as_bytes())
}

/// `utilnode.GetZoneKey`: region and zone joined the way upstream's nodeTree keys zones.
fn zone_key(labels: &Labels) -> String {
    let region = labels.get(LABEL_REGION).map_or("", String::as_str);
    let zone = labels.get(LABEL_ZONE).map_or("", String::as_str);
    if region.is_empty() && zone.is_empty() {
        return String::new();
    }
    format!("{region}:\x00:{zone}")
}

impl Cache {
    /// An empty cache.
    pub fn new() -> Self {
        Cache::default()
    }

    /// Number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.order.len()
    }

    /// Node slots in scheduling order.
    pub(crate) fn order(&self) -> &[usize] {
        &self.order
    }

    /// The node in a slot.
    pub(crate) fn slot(&self, i: usize) -> &NodeState {
        self.slots[i].as_ref().expect("order only holds live slots")
    }

    /// The hot numbers of a slot.
    #[inline]
    pub(crate) fn hot(&self, i: usize) -> &Hot {
        &self.hot[i]
    }

    /// The [`Row`]s of the nodes, in scheduling order (`rows()[j]` is `order()[j]`'s).
    #[inline]
    pub(crate) fn rows(&self) -> &[Row] {
        &self.rows
    }

    fn refresh(&mut self, i: usize) {
        let h = Hot::of(self.slot(i));
        if self.hot.len() <= i {
            self.hot.resize(i + 1, Hot::default());
            self.fit_memo.resize(i + 1, FitMemo::default());
        }
        self.hot[i] = h;
        self.fit_memo[i].shape_id.set(0);
        if let Some(&p) = self.pos.get(i) {
            if p != usize::MAX {
                self.rows[p] = Row::of(&h);
            }
        }
    }

    /// Whether every row is its node's, for tests (like store.rs `check_indexes`).
    #[cfg(test)]
    pub(crate) fn rows_match_hot(&self) -> bool {
        self.rows.len() == self.order.len()
            && self
                .order
                .iter()
                .zip(&self.rows)
                .enumerate()
                .all(|(j, (&i, r))| *r == Row::of(&self.hot[i]) && self.pos[i] == j)
            && self.pos.iter().filter(|&&p| p != usize::MAX).count() == self.order.len()
    }

    /// The id of a pod shape for [`Cache::fit_scores`] (ids start at 1 and never repeat).
    pub(crate) fn fit_shape_id(&self, shape: [i64; 4]) -> u64 {
        let (current, id) = self.fit_shape.get();
        if id != 0 && current == shape {
            return id;
        }
        self.fit_shape.set((shape, id + 1));
        id + 1
    }

    /// NodeResourcesFit (LeastAllocated) and BalancedAllocation scores of a pod on a slot,
    /// from `compute` or, when the slot's numbers have not changed since a pod with the same
    /// requests was scored on it, from the memo (both depend only on those).
    #[inline]
    pub(crate) fn fit_scores(
        &self,
        i: usize,
        shape_id: u64,
        compute: impl FnOnce(&Hot) -> (i64, i64),
    ) -> (i64, i64) {
        let memo = &self.fit_memo[i];
        if memo.shape_id.get() == shape_id {
            return (memo.least.get(), memo.balanced.get());
        }
        let (least, balanced) = compute(&self.hot[i]);
        memo.shape_id.set(shape_id);
        memo.least.set(least);
        memo.balanced.set(balanced);
        (least, balanced)
    }

    /// A node by name.
    pub fn node(&self, name: &str) -> Option<&NodeState> {
        self.slot_named(name).map(|i| self.slot(i))
    }

    /// Note the slot a bind is likely to name next (see `hint`).
    pub(crate) fn hint_slot(&self, i: usize) {
        self.hint.set(i);
    }

    /// The slot of a node by name.
    fn slot_named(&self, name: &str) -> Option<usize> {
        let h = self.hint.get();
        if self
            .slots
            .get(h)
            .and_then(Option::as_ref)
            .is_some_and(|s| s.spec.name == name)
        {
            return Some(h);
        }
        self.by_name
            .get(&name_hash(name))?
            .iter()
            .copied()
            .find(|&i| self.slot(i).spec.name == name)
    }

    /// Forgets a node's name; returns its slot.
    fn unname(&mut self, name: &str) -> Option<usize> {
        let h = name_hash(name);
        let bucket = self.by_name.get(&h)?;
        let pos = bucket
            .iter()
            .position(|&i| self.slots[i].as_ref().is_some_and(|s| s.spec.name == name))?;
        let bucket = self.by_name.get_mut(&h).expect("just found");
        let i = bucket.swap_remove(pos);
        if bucket.is_empty() {
            self.by_name.remove(&h);
        }
        Some(i)
    }

    /// Node names in scheduling (zone-interleaved) order.
    pub fn node_names(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(|&i| self.slot(i).spec.name.as_str())
    }

    /// Name of the node a pod is bound to in the cache.
    pub fn pod_node(&self, namespace: &str, name: &str) -> Option<&str> {
        let e = self.pods.get(namespace)?.get(name)?;
        Some(self.slot(e.node()).spec.name.as_str())
    }

    pub(crate) fn group(&self, g: u32) -> &(String, Labels) {
        &self.group_list[g as usize]
    }

    pub(crate) fn groups_in_namespace(&self, ns: &str) -> &[u32] {
        self.ns_groups.get(ns).map_or(&[], Vec::as_slice)
    }

    /// Label groups (any namespace) whose labels map `key` to `value`, ascending.
    pub(crate) fn groups_with_label(&self, key: &str, value: &str) -> &[u32] {
        self.label_index
            .get(key)
            .and_then(|m| m.get(value))
            .map_or(&[], Vec::as_slice)
    }

    pub(crate) fn num_groups(&self) -> usize {
        self.group_list.len()
    }

    pub(crate) fn group_zone_count(&self, g: u32, zone: u32) -> u32 {
        self.group_zone_counts[g as usize]
            .get(zone as usize)
            .copied()
            .unwrap_or(0)
    }

    pub(crate) fn num_zones(&self) -> usize {
        self.zone_ids.len()
    }

    pub(crate) fn image_id(&self, image: &str) -> Option<u32> {
        // `normalized_image_name` returns a tagged name unchanged: look that up as it is.
        if image.rfind(':') > image.rfind('/') {
            return self.image_ids.get(image).copied();
        }
        self.image_ids.get(&normalized_image_name(image)).copied()
    }

    pub(crate) fn image_num_nodes(&self, id: u32) -> u32 {
        self.image_num_nodes[id as usize]
    }

    fn intern_zone(&mut self, zone: &str) -> u32 {
        let next = self.zone_ids.len() as u32;
        *self.zone_ids.entry(zone.to_string()).or_insert(next)
    }

    fn intern_image(&mut self, image: &str) -> u32 {
        let next = self.image_ids.len() as u32;
        let id = *self.image_ids.entry(image.to_string()).or_insert(next);
        if id as usize == self.image_num_nodes.len() {
            self.image_num_nodes.push(0);
        }
        id
    }

    fn intern_group(&mut self, ns: &str, labels: &Labels) -> u32 {
        if let Some(&g) = self.groups.get(ns).and_then(|m| m.get(labels)) {
            return g;
        }
        let g = self.group_list.len() as u32;
        self.groups
            .entry(ns.to_string())
            .or_default()
            .insert(labels.clone(), g);
        for (k, v) in labels {
            let by_value = match self.label_index.get_mut(k) {
                Some(m) => m,
                None => self.label_index.entry(k.clone()).or_default(),
            };
            match by_value.get_mut(v) {
                Some(gs) => gs.push(g),
                None => {
                    by_value.insert(v.clone(), vec![g]);
                }
            }
        }
        self.group_list.push((ns.to_string(), labels.clone()));
        self.group_zone_counts.push(Vec::new());
        self.ns_groups.entry(ns.to_string()).or_default().push(g);
        g
    }

    fn bump_zone(&mut self, g: u32, zone: Option<u32>, delta: i32) {
        let Some(z) = zone else { return };
        let v = &mut self.group_zone_counts[g as usize];
        if v.len() <= z as usize {
            v.resize(z as usize + 1, 0);
        }
        v[z as usize] = v[z as usize].wrapping_add_signed(delta);
    }

    /// Adds a node or replaces its spec (pods stay bound).
    pub fn upsert_node(&mut self, spec: NodeSpec) {
        let zone = spec.labels.get(LABEL_ZONE).map(|z| self.intern_zone(z));
        let mut images: Vec<(u32, i64)> = spec
            .images
            .iter()
            .map(|im| {
                (
                    self.intern_image(&normalized_image_name(&im.name)),
                    im.size_bytes,
                )
            })
            .collect();
        images.sort();
        images.dedup_by_key(|(id, _)| *id);
        let has_prefer_taints = spec
            .taints
            .iter()
            .any(|t| t.effect == TaintEffect::PreferNoSchedule);
        let has_hard_taints = spec
            .taints
            .iter()
            .any(|t| t.effect != TaintEffect::PreferNoSchedule);
        let has_hostname = spec.labels.contains_key(LABEL_HOSTNAME);
        let key = zone_key(&spec.labels);
        if let Some(i) = self.slot_named(&spec.name) {
            let old = self.slots[i].take().expect("named slot is live");
            for (id, _) in &old.images {
                self.image_num_nodes[*id as usize] -= 1;
            }
            if old.zone != zone {
                for &(g, n) in &old.groups {
                    self.bump_zone(g, old.zone, -(n as i32));
                    self.bump_zone(g, zone, n as i32);
                }
            }
            let old_key = zone_key(&old.spec.labels);
            for (id, _) in &images {
                self.image_num_nodes[*id as usize] += 1;
            }
            self.slots[i] = Some(NodeState {
                spec,
                zone,
                images,
                has_prefer_taints,
                has_hard_taints,
                has_hostname,
                ..old
            });
            self.refresh(i);
            if old_key != key {
                // nodeTree.updateNode: remove from the old zone, append to the new one.
                self.tree_remove(&old_key, i);
                self.tree_add(key, i);
                self.rebuild_order();
            }
            return;
        }
        for (id, _) in &images {
            self.image_num_nodes[*id as usize] += 1;
        }
        let state = NodeState {
            spec,
            requested: Resources::default(),
            non_zero_milli_cpu: 0,
            non_zero_memory: 0,
            pod_count: 0,
            used_ports: Vec::new(),
            groups: Vec::new(),
            zone,
            has_hostname,
            images,
            has_prefer_taints,
            has_hard_taints,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(state);
                i
            }
            None => {
                self.slots.push(Some(state));
                self.slots.len() - 1
            }
        };
        self.by_name
            .entry(name_hash(&self.slot(i).spec.name))
            .or_default()
            .push(i);
        self.refresh(i);
        self.tree_add(key, i);
        self.rebuild_order();
    }

    /// Removes a node; pods still bound to it are dropped from the cache.
    pub fn remove_node(&mut self, name: &str) -> bool {
        let Some(i) = self.unname(name) else {
            return false;
        };
        let mut bound: Vec<(String, String)> = self
            .pods
            .iter()
            .flat_map(|(ns, m)| m.sorted().into_iter().map(move |(n, e)| (ns, n, e)))
            .filter(|(_, _, e)| e.node() == i)
            .map(|(ns, n, _)| (ns.clone(), n.to_string()))
            .collect();
        // In (namespace, name) order, as always.
        bound.sort_unstable();
        for (ns, n) in bound {
            self.remove_pod(&ns, &n);
        }
        let old = self.slots[i].take().expect("named slot is live");
        for (id, _) in &old.images {
            self.image_num_nodes[*id as usize] -= 1;
        }
        self.tree_remove(&zone_key(&old.spec.labels), i);
        self.free.push(i);
        self.rebuild_order();
        true
    }

    fn tree_add(&mut self, key: String, i: usize) {
        match self.tree.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(i),
            None => self.tree.push((key, vec![i])),
        }
    }

    fn tree_remove(&mut self, key: &str, i: usize) {
        if let Some(z) = self.tree.iter().position(|(k, _)| k == key) {
            self.tree[z].1.retain(|&x| x != i);
            if self.tree[z].1.is_empty() {
                self.tree.remove(z);
            }
        }
    }

    /// `nodeTree.list`: one node from each zone in turn.
    fn rebuild_order(&mut self) {
        self.order.clear();
        let longest = self.tree.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
        for idx in 0..longest {
            for (_, nodes) in &self.tree {
                if let Some(&n) = nodes.get(idx) {
                    self.order.push(n);
                }
            }
        }
        self.pos.clear();
        self.pos.resize(self.slots.len(), usize::MAX);
        self.rows.clear();
        for (j, &i) in self.order.iter().enumerate() {
            self.pos[i] = j;
            self.rows.push(Row::of(&self.hot[i]));
        }
    }

    /// Binds a pod to a node in the cache (upstream `AssumePod`/`AddPod`). Re-adding an already
    /// known pod moves it. Returns false when the node is unknown.
    pub fn add_pod(&mut self, node: &str, pod: &PodInfo) -> bool {
        let Some(i) = self.slot_named(node) else {
            self.remove_pod(&pod.namespace, &pod.name);
            return false;
        };
        let group = self.intern_group(&pod.namespace, &pod.labels);
        let r = &pod.requests;
        let extra = (r.ephemeral_storage != 0
            || !r.scalars.is_empty()
            || !pod.host_ports.is_empty())
        .then(|| {
            Box::new(PodExtra {
                requests: r.clone(),
                ports: pod.host_ports.clone(),
            })
        });
        let entry = PodEntry {
            node: u32::try_from(i).expect("fewer than 2^32 node slots"),
            group,
            terminating: pod.terminating,
            milli_cpu: r.milli_cpu,
            memory: r.memory,
            non_zero_milli_cpu: pod.non_zero_requests.milli_cpu,
            non_zero_memory: pod.non_zero_requests.memory,
            extra,
        };
        // A known pod's old entry is taken out of the counts before the new one goes in, the
        // order `remove_pod` then insert had.
        let m = match self.pods.get_mut(&pod.namespace) {
            Some(m) => m,
            None => self.pods.entry(pod.namespace.clone()).or_default(),
        };
        let old = match m.get_mut(&pod.name) {
            Some(e) => Some(std::mem::replace(e, entry.clone())),
            None => {
                m.insert(pod.name.clone(), entry.clone());
                None
            }
        };
        if let Some(old) = old {
            self.apply(&old, -1);
        }
        self.apply(&entry, 1);
        true
    }

    /// Forgets a pod. Returns false when it was not in the cache.
    pub fn remove_pod(&mut self, namespace: &str, name: &str) -> bool {
        let Some(m) = self.pods.get_mut(namespace) else {
            return false;
        };
        let Some(entry) = m.remove(name) else {
            return false;
        };
        if m.is_empty() {
            self.pods.remove(namespace);
        }
        self.apply(&entry, -1);
        true
    }

    /// Marks a bound pod as terminating: it keeps its resources (and its ports) until removed
    /// but no longer counts for topology spreading (`countPodsMatchSelector` skips pods with a
    /// deletionTimestamp).
    pub fn set_pod_terminating(&mut self, namespace: &str, name: &str) -> bool {
        let Some(entry) = self.pods.get_mut(namespace).and_then(|m| m.get_mut(name)) else {
            return false;
        };
        if entry.terminating {
            return true;
        }
        entry.terminating = true;
        let (node, group) = (entry.node(), entry.group);
        self.count_group(node, group, -1);
        true
    }

    fn count_group(&mut self, node: usize, g: u32, delta: i32) {
        let zone = self.slot(node).zone;
        let st = self.slots[node].as_mut().expect("live");
        match st.groups.binary_search_by_key(&g, |&(x, _)| x) {
            Ok(p) => {
                let n = &mut st.groups[p].1;
                *n = n.wrapping_add_signed(delta);
                if *n == 0 {
                    st.groups.remove(p);
                }
            }
            Err(p) => {
                assert!(delta > 0, "removing a pod from a group it is not in");
                st.groups.insert(p, (g, delta as u32));
            }
        }
        self.bump_zone(g, zone, delta);
        self.refresh(node);
    }

    fn apply(&mut self, e: &PodEntry, sign: i32) {
        {
            let st = self.slots[e.node()].as_mut().expect("live");
            // Without `extra` the requests are cpu and memory alone: `Resources::add`/`sub`
            // of them change just those two.
            if sign > 0 {
                match &e.extra {
                    Some(x) => st.requested.add(&x.requests),
                    None => {
                        st.requested.milli_cpu += e.milli_cpu;
                        st.requested.memory += e.memory;
                    }
                }
                st.used_ports.extend(e.ports().iter().cloned());
            } else {
                match &e.extra {
                    Some(x) => st.requested.sub(&x.requests),
                    None => {
                        st.requested.milli_cpu -= e.milli_cpu;
                        st.requested.memory -= e.memory;
                    }
                }
                for p in e.ports() {
                    if let Some(pos) = st.used_ports.iter().position(|u| u == p) {
                        st.used_ports.swap_remove(pos);
                    }
                }
            }
            st.non_zero_milli_cpu += i64::from(sign) * e.non_zero_milli_cpu;
            st.non_zero_memory += i64::from(sign) * e.non_zero_memory;
            st.pod_count += i64::from(sign);
        }
        if !e.terminating {
            self.count_group(e.node(), e.group, sign);
        } else {
            self.refresh(e.node());
        }
    }
}
