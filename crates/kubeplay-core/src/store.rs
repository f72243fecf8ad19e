//! The object store: every object of the cluster, its bookkeeping, and derived indexes.
//!
//! Only [`crate::Sim`] writes to it (house style R6); controllers read it. Objects are the
//! kubeplay-api types so kubectl can print them as they are; next to each object the store keeps
//! integer bookkeeping the decisions run on (creation time in ms, the kubelet's runtime state),
//! because re-parsing RFC 3339 strings in a 150,000-pod loop would be both slow and lossy.
//!
//! Indexes (pods by node, children by owner uid, per-controller pod counts, node requests) are
//! updated in the same functions that mutate objects, so they cannot drift: every pod change
//! goes through [`Store::update_pod`], which removes the pod's old contributions and adds the
//! new ones around the caller's edit.
use crate::api::{Deployment, InstanceGroup, Kind, Namespace, Node, Pod, ReplicaSet, Service};
use crate::childset::{ChildSet, KeySet, Name};
use crate::chunked::ChunkedVec;
use crate::clock::Ms;
use crate::kubelet::{PodPhase, PodRt};
use crate::node::NodeRt;
use crate::strtable::{NameMap, StrTable};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

/// `(namespace, name)`; cluster-scoped objects use an empty namespace.
pub type Key = (String, String);

/// Reference to any stored object.
pub type ObjRef = (Kind, Key);

/// An object plus the store's bookkeeping about it.
#[derive(Debug, Clone)]
pub struct Rec<T> {
    /// The object as the API would return it.
    pub obj: T,
    /// Virtual time of creation.
    pub created_ms: Ms,
    /// Virtual time deletion was requested (graceful deletion / foreground GC), if any.
    pub deleting_ms: Option<Ms>,
}

/// A pod and the kubelet's view of it.
#[derive(Debug, Clone)]
pub struct PodRec {
    /// The pod object; `status` is rendered from `rt` on every change.
    pub pod: Pod,
    /// Runtime state the kubelet and controllers decide on.
    pub rt: PodRt,
    /// The scheduler's last decision for the pod (placement.rs; read by the UI).
    pub decision: Option<Box<crate::placement::SchedulingDecision>>,
}

/// A node and its runtime (kubelet, image cache, IPAM, aggregated requests).
#[derive(Debug, Clone)]
pub struct NodeRec {
    /// The node object.
    pub node: Node,
    /// Runtime state.
    pub rt: NodeRt,
}

/// A Deployment condition with integer times (rendered into `status.conditions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DCond {
    /// `Progressing`, `Available`, `ReplicaFailure`.
    pub type_: &'static str,
    /// `True`, `False`, `Unknown`.
    pub status: &'static str,
    /// Reason.
    pub reason: &'static str,
    /// Message.
    pub message: String,
    /// `lastUpdateTime`.
    pub update_ms: Ms,
    /// `lastTransitionTime`.
    pub transition_ms: Ms,
}

/// Deployment bookkeeping the controller needs as integers.
#[derive(Debug, Clone, Default)]
pub struct DeployRt {
    /// Conditions, in the order upstream appends them.
    pub conds: Vec<DCond>,
}

/// Pod counts per controller owner, maintained incrementally (ReplicaSet status at scale).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PodCounts {
    /// Active pods (not terminal, not terminating): upstream `FilterActivePods`.
    pub active: u32,
    /// Active pods whose Ready condition is True.
    pub ready: u32,
    /// Pods with a deletion timestamp that are not terminal (`terminatingReplicas`).
    pub terminating: u32,
}

/// Summed requests of the pods bound to a node (what NodeResourcesFit compares).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Requested {
    /// CPU in millicores.
    pub cpu_milli: i64,
    /// Memory in bytes.
    pub memory_bytes: i64,
    /// Number of pods.
    pub pods: i64,
}

/// A pod's place in the [`PodMap`] (slot and generation), taken by [`PodMap::handle`]. The
/// per-step status flush reaches each changed pod through one, where a lookup by key would
/// compare the pod's name and namespace twice over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PodHandle {
    slot: u32,
    gen: u32,
}

impl PodHandle {
    /// Names no pod (edits through it look the pod up by key).
    pub const NONE: PodHandle = PodHandle {
        slot: u32::MAX,
        gen: 0,
    };
}

/// Pods by key, sorted like a `BTreeMap<Key, PodRec>`, with O(1) repeat lookups.
///
/// The records live in a slab, each with its key, and the ordered map holds slot numbers by
/// namespace, then by name as a [`Name`] (compared as integers: see `childset`); nesting keeps
/// the `Key` order while a step of the large inner tree compares names only. One event touches the
/// same pod many times in a row (kubelet step, status edit, watchers, status flush); each
/// lookup of a 150,000-entry string-keyed tree costs dozens of string comparisons, so the
/// slot of the last pod looked up is remembered and a repeat lookup is two string compares.
/// Other lookups go through a hash index of the slots (`by_hash`), verified against the
/// record's own name; the tree is only walked to insert and remove (it keeps the order) and,
/// for lookups, while some record is stored under a key it does not name. Slot reuse never
/// shows: iteration follows the key order, as before.
#[derive(Debug, Clone)]
pub struct PodMap {
    index: BTreeMap<String, BTreeMap<Name, u32>>,
    /// Number of records.
    len: usize,
    /// (hash of the stored key, slot), linear probing, at most half full; slot `u32::MAX`
    /// marks an empty entry. Never iterated.
    by_hash: Vec<(u64, u32)>,
    /// Records stored under a key they do not name (lookups then use the tree).
    foreign: usize,
    /// (key, record): iteration hands out the key from here.
    /// In chunks: growing it never copies the records (see `chunked`).
    slab: ChunkedVec<Option<(Key, PodRec)>>,
    /// Per slot: the record names the key it is stored under (always, unless a caller stored
    /// a pod under another key); only such slots may serve a lookup without the tree.
    self_named: Vec<bool>,
    free: Vec<u32>,
    /// Per slot: bumped when its record is removed, so a [`PodHandle`] taken before names a
    /// record only while the slot still holds that same record (see [`PodMap::handle`]).
    gens: Vec<u32>,
    /// Slot of the last lookup or hint (`u32::MAX`: none); trusted only through `slot_holds`.
    last: Cell<u32>,
    /// (slot, generation it had, previous entry of the same slot or `u32::MAX`, key) of the
    /// records removed since [`PodMap::forget_retired`]: a retired [`PodHandle`] still names
    /// its key ([`PodMap::key_of`]), so queues of handles need no copy of each key. The key
    /// moves here from the slab (no copy); chained per slot through `retired_head`.
    retired: Vec<(u32, u32, u32, Key)>,
    /// Per slot: index in `retired` of its latest entry (`u32::MAX`: none).
    retired_head: Vec<u32>,
}

/// Whether `rec` is the pod named `key` (namespace as the store keys it).
fn names_key(rec: &PodRec, key: &Key) -> bool {
    let m = &rec.pod.metadata;
    m.name == key.1 && m.namespace.as_deref().unwrap_or("default") == key.0
}

impl Default for PodMap {
    fn default() -> Self {
        PodMap {
            index: BTreeMap::new(),
            len: 0,
            by_hash: Vec::new(),
            foreign: 0,
            slab: ChunkedVec::new(),
            self_named: Vec::new(),
            free: Vec::new(),
            gens: Vec::new(),
            last: Cell::new(u32::MAX),
            retired: Vec::new(),
            retired_head: Vec::new(),
        }
    }
}

impl PodMap {
    /// Whether slot `i` holds the pod stored under `key`, decided without the tree: a live
    /// self-named record naming `key` is the one stored under it (keys are unique).
    fn slot_holds(&self, i: u32, key: &Key) -> bool {
        self.self_named.get(i as usize) == Some(&true)
            && matches!(self.slab.get(i as usize), Some(Some((_, rec))) if names_key(rec, key))
    }

    fn slot_of(&self, key: &Key) -> Option<u32> {
        let l = self.last.get();
        if self.slot_holds(l, key) {
            return Some(l);
        }
        let i = if self.foreign == 0 {
            // Every record is in `by_hash` under its own name: a miss there is a miss.
            self.hashed_slot(key)?
        } else {
            *self.index.get(key.0.as_str())?.get(&Name::new(&key.1))?
        };
        self.last.set(i);
        Some(i)
    }

    fn key_hash(key: &Key) -> u64 {
        crate::strtable::hash(&key.0).rotate_left(17) ^ crate::strtable::hash(&key.1)
    }

    fn home(&self, h: u64) -> usize {
        let bits = self.by_hash.len().trailing_zeros();
        (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
    }

    /// The slot a self-named record stored under `key` occupies, through the hash index.
    fn hashed_slot(&self, key: &Key) -> Option<u32> {
        if self.by_hash.is_empty() {
            return None;
        }
        let h = Self::key_hash(key);
        let mask = self.by_hash.len() - 1;
        let mut i = self.home(h);
        loop {
            let (eh, slot) = self.by_hash[i];
            if slot == u32::MAX {
                return None;
            }
            if eh == h && self.slot_holds(slot, key) {
                return Some(slot);
            }
            i = (i + 1) & mask;
        }
    }

    fn hash_insert(&mut self, h: u64, slot: u32) {
        let live = self.len;
        if live * 2 > self.by_hash.len() {
            let n = (self.by_hash.len() * 2).max(16);
            let old = std::mem::replace(&mut self.by_hash, vec![(0, u32::MAX); n]);
            for (eh, s) in old.into_iter().filter(|e| e.1 != u32::MAX) {
                self.hash_place(eh, s);
            }
        }
        self.hash_place(h, slot);
    }

    fn hash_place(&mut self, h: u64, slot: u32) {
        let mask = self.by_hash.len() - 1;
        let mut i = self.home(h);
        while self.by_hash[i].1 != u32::MAX {
            i = (i + 1) & mask;
        }
        self.by_hash[i] = (h, slot);
    }

    /// Remove the entry (h, slot) (backward-shift deletion: no tombstones).
    fn hash_remove(&mut self, h: u64, slot: u32) {
        if self.by_hash.is_empty() {
            return;
        }
        let mask = self.by_hash.len() - 1;
        let mut hole = self.home(h);
        loop {
            let e = self.by_hash[hole];
            if e.1 == u32::MAX {
                return;
            }
            if e == (h, slot) {
                break;
            }
            hole = (hole + 1) & mask;
        }
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let (eh, s) = self.by_hash[j];
            if s == u32::MAX {
                break;
            }
            let home = self.home(eh);
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.by_hash[hole] = (eh, s);
                hole = j;
            }
        }
        self.by_hash[hole] = (0, u32::MAX);
    }

    /// The slot of a pod, to pass back later as [`PodMap::hint`].
    pub fn slot(&self, key: &Key) -> Option<u32> {
        self.slot_of(key)
    }

    /// A handle on the pod stored under `key`: later edits through it
    /// ([`Store::update_pod_at`]) reach the record without comparing names, for as long as
    /// the record stays in its slot under that key (removal, including the remove and
    /// re-insert of [`Store::update_pod_meta`], bumps the slot's generation and retires it).
    pub fn handle(&self, key: &Key) -> PodHandle {
        match self.slot_of(key) {
            Some(i) => PodHandle {
                slot: i,
                gen: self.gens[i as usize],
            },
            None => PodHandle::NONE,
        }
    }

    /// The record `h` was taken on, if it is still there.
    fn get_mut_at(&mut self, h: PodHandle) -> Option<&mut PodRec> {
        let i = h.slot as usize;
        if self.gens.get(i) != Some(&h.gen) {
            return None;
        }
        self.last.set(h.slot);
        self.slab.get_mut(i)?.as_mut().map(|(_, r)| r)
    }

    /// A slot remembered from an earlier lookup: when it still holds `key` the next lookup of
    /// `key` skips the tree (timers carry their pod's slot; stale slots are just ignored).
    pub fn hint(&self, key: &Key, slot: u32) {
        if self.slot_holds(slot, key) {
            self.last.set(slot);
        }
    }

    /// One pod.
    pub fn get(&self, key: &Key) -> Option<&PodRec> {
        let i = self.slot_of(key)?;
        self.slab[i as usize].as_ref().map(|(_, r)| r)
    }

    /// [`PodMap::get`] and [`PodMap::slot`] in one lookup (the kubelet arms a timer with
    /// both, several times per pod).
    pub fn get_with_slot(&self, key: &Key) -> Option<(u32, &PodRec)> {
        let i = self.slot_of(key)?;
        self.slab[i as usize].as_ref().map(|(_, r)| (i, r))
    }

    fn get_mut(&mut self, key: &Key) -> Option<&mut PodRec> {
        let i = self.slot_of(key)?;
        self.slab[i as usize].as_mut().map(|(_, r)| r)
    }

    /// Whether a pod with this key exists.
    pub fn contains_key(&self, key: &Key) -> bool {
        self.slot_of(key).is_some()
    }

    fn insert(&mut self, key: Key, rec: PodRec) -> Option<PodRec> {
        let named = names_key(&rec, &key);
        let h = Self::key_hash(&key);
        // One walk of the tree: `entry` finds the place whether or not the key is there.
        // Look up before inserting: no String allocated for a known namespace.
        let names = match self.index.get_mut(key.0.as_str()) {
            Some(names) => names,
            None => self.index.entry(key.0.clone()).or_default(),
        };
        let vacant = match names.entry(Name::new(&key.1)) {
            std::collections::btree_map::Entry::Occupied(e) => {
                let i = *e.get() as usize;
                if self.self_named[i] != named {
                    if named {
                        self.foreign -= 1;
                    } else {
                        self.foreign += 1;
                    }
                }
                self.self_named[i] = named;
                // The stored key equals `key` (same entry of the map): only the record moves.
                return self.slab[i]
                    .as_mut()
                    .map(|(_, r)| std::mem::replace(r, rec));
            }
            std::collections::btree_map::Entry::Vacant(v) => v,
        };
        if !named {
            self.foreign += 1;
        }
        let i = match self.free.pop() {
            Some(i) => {
                self.slab[i as usize] = Some((key, rec));
                self.self_named[i as usize] = named;
                i
            }
            None => {
                self.slab.push(Some((key, rec)));
                self.self_named.push(named);
                self.gens.push(0);
                self.retired_head.push(u32::MAX);
                (self.slab.len() - 1) as u32
            }
        };
        vacant.insert(i);
        self.len += 1;
        self.hash_insert(h, i);
        None
    }

    fn remove(&mut self, key: &Key) -> Option<PodRec> {
        let names = self.index.get_mut(key.0.as_str())?;
        let i = names.remove(&Name::new(&key.1))?;
        if names.is_empty() {
            self.index.remove(key.0.as_str());
        }
        self.len -= 1;
        if self.last.get() == i {
            self.last.set(u32::MAX);
        }
        self.hash_remove(Self::key_hash(key), i);
        if !self.self_named[i as usize] {
            self.foreign -= 1;
        }
        let gen = self.gens[i as usize];
        self.gens[i as usize] = gen.wrapping_add(1);
        self.free.push(i);
        let (k, r) = self.slab[i as usize].take()?;
        let prev = std::mem::replace(
            &mut self.retired_head[i as usize],
            self.retired.len() as u32,
        );
        self.retired.push((i, gen, prev, k));
        Some(r)
    }

    /// The key the pod `h` was taken on is (or, once removed, was) stored under; `None` for
    /// [`PodHandle::NONE`] or a handle retired before the last [`PodMap::forget_retired`].
    pub fn key_of(&self, h: PodHandle) -> Option<&Key> {
        let i = h.slot as usize;
        if self.gens.get(i) == Some(&h.gen) {
            return self.slab.get(i)?.as_ref().map(|(k, _)| k);
        }
        let mut j = *self.retired_head.get(i)?;
        while let Some((_, gen, prev, k)) = self.retired.get(j as usize) {
            if *gen == h.gen {
                return Some(k);
            }
            j = *prev;
        }
        None
    }

    /// Drop the keys of removed records: handles taken before no longer name a key.
    pub fn forget_retired(&mut self) {
        for (i, ..) in self.retired.drain(..) {
            self.retired_head[i as usize] = u32::MAX;
        }
    }

    /// Number of pods.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no pods.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// (key, pod) sorted by key.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Key, &PodRec)> + '_ {
        self.index
            .values()
            .flat_map(BTreeMap::values)
            .filter_map(|&i| {
                let (k, r) = self.slab.get(i as usize)?.as_ref()?;
                Some((k, r))
            })
    }

    /// Keys, sorted.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// Pods sorted by key.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &PodRec> + '_ {
        self.iter().map(|(_, r)| r)
    }
}

impl<'a> IntoIterator for &'a PodMap {
    type Item = (&'a Key, &'a PodRec);
    type IntoIter = Box<dyn Iterator<Item = (&'a Key, &'a PodRec)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// All objects of the cluster.
#[derive(Debug, Default, Clone)]
pub struct Store {
    rv: u64,
    /// Namespaces by name.
    pub namespaces: BTreeMap<String, Rec<Namespace>>,
    /// Nodes by name (listed in name order; looked up by hash, see [`NameMap`]).
    pub nodes: NameMap<NodeRec>,
    /// kops instance groups.
    pub instance_groups: BTreeMap<Key, Rec<InstanceGroup>>,
    /// Deployments.
    pub deployments: BTreeMap<Key, (Rec<Deployment>, DeployRt)>,
    /// ReplicaSets.
    pub replicasets: BTreeMap<Key, Rec<ReplicaSet>>,
    /// Pods (private: mutate through the pod functions so indexes stay right).
    pods: PodMap,
    /// Services (the network engineer's controllers read and write them through Sim).
    pub services: BTreeMap<Key, Rec<Service>>,
    // Point-lookup indexes are hash tables (see `strtable`); `children` stays a tree: it has
    // one entry per owner, and `children_of` lists them.
    pods_by_node: StrTable<KeySet>,
    children: BTreeMap<String, ChildSet>,
    uids: StrTable<ObjRef>,
    counts: StrTable<PodCounts>,
    requested: StrTable<Requested>,
    orphans: BTreeSet<Key>,
    /// Node name -> `nodes[name].rt.kubelet_running`, for every node: every kubelet timer
    /// asks whether its node's kubelet runs, and a search of the 5,000-node tree (long shared
    /// name prefixes, then a cold ~1 KB record) cost ~3% of a large run. Kept by
    /// [`Store::node_changed`]; checked by [`Store::check_indexes`].
    kubelets: StrTable<bool>,
    /// Keys of the pods written since the network last looked (off until it asks).
    pod_journal: Option<PodJournal>,
}

/// The pods written since a consumer last drained the journal: the network's view follows
/// the store by re-reading only these, instead of flattening every pod after every event.
///
/// Consecutive writes of one pod are noted once; other repeats are left to the consumer.
/// Bounded: past [`PodJournal::cap`] entries it gives up and says so (`complete: false`),
/// and the consumer reads everything once. `token` ties the journal to the consumer that
/// drained it last, so a store restored from a clone (or a consumer paired with another
/// store) is noticed and resynced in full rather than trusted.
#[derive(Debug, Clone, Default)]
struct PodJournal {
    keys: Vec<Key>,
    complete: bool,
    token: u64,
}

impl PodJournal {
    /// Entries kept before the journal gives up: enough for a burst of events between
    /// two drains, small next to the pods themselves.
    fn cap(pods: usize) -> usize {
        4 * pods + 4_096
    }
}

/// What [`Store::take_pod_changes`] hands out.
#[derive(Debug, Clone, Default)]
pub struct PodChanges {
    /// Pods written since the previous take (unordered, may repeat); meaningless when
    /// `complete` is false.
    pub keys: Vec<Key>,
    /// Whether `keys` covers every write since the previous take.
    pub complete: bool,
    /// The token the previous take left (0: none).
    pub since: u64,
    /// The token this take leaves, to compare with `since` next time.
    pub token: u64,
}

/// Journal tokens: unique per take within the process, so two drains never share one.
static JOURNAL_TOKENS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// What a pod contributes to the indexes that change with its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Contrib {
    bound: bool,
    terminal: bool,
    deleting: bool,
    ready: bool,
    cpu: i64,
    mem: i64,
}

impl Contrib {
    fn of(rec: &PodRec) -> Contrib {
        Contrib {
            bound: rec.rt.node.is_some(),
            terminal: matches!(rec.rt.phase, PodPhase::Succeeded | PodPhase::Failed),
            deleting: rec.rt.deleting_ms.is_some(),
            ready: rec.rt.ready,
            cpu: rec.rt.cpu_milli,
            mem: rec.rt.memory_bytes,
        }
    }
}

fn owners_hash(meta: &crate::api::ObjectMeta) -> u64 {
    let mut h = crate::hash::Fnv64::default();
    for o in &meta.owner_references {
        h.write(o.uid.as_bytes());
        h.write(&[u8::from(o.controller == Some(true))]);
    }
    h.0
}

/// Requests of a pod as the scheduler computes them (`computePodResourceRequest`): the sum over
/// app containers, raised to the largest init container.
pub fn pod_requests(pod: &Pod) -> (i64, i64) {
    let sum = |f: fn(&crate::api::Container) -> i64, v: &[crate::api::Container]| -> i64 {
        v.iter().map(f).sum()
    };
    let max = |f: fn(&crate::api::Container) -> i64, v: &[crate::api::Container]| -> i64 {
        v.iter().map(f).max().unwrap_or(0)
    };
    let cpu = |c: &crate::api::Container| c.resources.cpu_request_millis();
    let mem = |c: &crate::api::Container| c.resources.memory_request_bytes();
    let s = &pod.spec;
    (
        sum(cpu, &s.containers).max(max(cpu, &s.init_containers)),
        sum(mem, &s.containers).max(max(mem, &s.init_containers)),
    )
}

/// The controller owner's uid of an object (`metav1.GetControllerOf`).
pub fn controller_uid(meta: &crate::api::ObjectMeta) -> Option<&str> {
    meta.owner_references
        .iter()
        .find(|r| r.controller == Some(true))
        .map(|r| r.uid.as_str())
}

/// The indexes a pod's status contributes to, borrowed apart from the pod map, so
/// [`Store::update_pod_at`] can index an edited pod while it still holds the record (no copy
/// of its node name and owner uid, twice per pod).
struct Contribs<'a> {
    pods_by_node: &'a mut StrTable<KeySet>,
    requested: &'a mut StrTable<Requested>,
    counts: &'a mut StrTable<PodCounts>,
}

impl Contrib {
    /// What this state adds to its node's requests: CPU, memory (bound, not terminal).
    fn node_share(self) -> Option<(i64, i64)> {
        (self.bound && !self.terminal).then_some((self.cpu, self.mem))
    }

    /// What this state adds to its owner's counts: active, ready, terminating.
    fn owner_share(self) -> (u32, u32, u32) {
        match (self.terminal, self.deleting) {
            (false, false) => (1, u32::from(self.ready), 0),
            (false, true) => (0, 0, 1),
            (true, _) => (0, 0, 0),
        }
    }
}

impl Contribs<'_> {
    /// [`Contribs::apply`] of `before` removed then `after` added, for one pod edit (same
    /// node and owner), in one lookup per index whose share changed: a bind changes only
    /// the node's entries and a readiness flip only the owner's count, where the remove/add
    /// pair looked both tables up twice. The entries end as the pair leaves them (an entry
    /// that reaches zero goes; the shares are exact, so a remove-then-add through zero
    /// leaves what adding the difference leaves).
    fn change(
        &mut self,
        key: &Key,
        node: Option<&str>,
        owner: Option<&str>,
        before: Contrib,
        after: Contrib,
    ) {
        if let Some(node) = node {
            if before.bound && !after.bound {
                if let Some(s) = self.pods_by_node.get_mut(node) {
                    s.remove(&key.0, &key.1);
                    if s.is_empty() {
                        self.pods_by_node.remove(node);
                    }
                }
            } else if after.bound && !before.bound {
                self.pods_by_node
                    .get_or_insert_with(node, KeySet::default)
                    .insert(&key.0, &key.1);
            }
            let (b, a) = (before.node_share(), after.node_share());
            if b != a {
                let r = self.requested.get_or_insert_with(node, Requested::default);
                for (share, sign) in [(a, 1), (b, -1)] {
                    if let Some((cpu, mem)) = share {
                        r.cpu_milli += sign * cpu;
                        r.memory_bytes += sign * mem;
                        r.pods += sign;
                    }
                }
                if r.pods == 0 {
                    self.requested.remove(node);
                }
            }
        }
        if let Some(owner) = owner {
            let (b, a) = (before.owner_share(), after.owner_share());
            if b != a {
                let cnt = self.counts.get_or_insert_with(owner, PodCounts::default);
                // Added before subtracting: no intermediate underflow.
                cnt.active = cnt.active + a.0 - b.0;
                cnt.ready = cnt.ready + a.1 - b.1;
                cnt.terminating = cnt.terminating + a.2 - b.2;
                if *cnt == PodCounts::default() {
                    self.counts.remove(owner);
                }
            }
        }
    }

    /// Node membership, node requests and owner counts of one pod state.
    fn apply(
        &mut self,
        key: &Key,
        node: Option<&str>,
        owner: Option<&str>,
        c: Contrib,
        add: bool,
        node_set: bool,
    ) {
        if let (Some(node), true) = (node, c.bound) {
            if node_set {
                if add {
                    self.pods_by_node
                        .get_or_insert_with(node, KeySet::default)
                        .insert(&key.0, &key.1);
                } else if let Some(s) = self.pods_by_node.get_mut(node) {
                    s.remove(&key.0, &key.1);
                    if s.is_empty() {
                        self.pods_by_node.remove(node);
                    }
                }
            }
            if !c.terminal {
                let sign = if add { 1 } else { -1 };
                let r = self.requested.get_or_insert_with(node, Requested::default);
                r.cpu_milli += sign * c.cpu;
                r.memory_bytes += sign * c.mem;
                r.pods += sign;
                if r.pods == 0 {
                    self.requested.remove(node);
                }
            }
        }
        if let Some(owner) = owner {
            let cnt = self.counts.get_or_insert_with(owner, PodCounts::default);
            let delta = |v: &mut u32| {
                if add {
                    *v += 1
                } else {
                    *v -= 1
                }
            };
            if !c.terminal && !c.deleting {
                delta(&mut cnt.active);
                if c.ready {
                    delta(&mut cnt.ready);
                }
            } else if !c.terminal {
                delta(&mut cnt.terminating);
            }
            if *cnt == PodCounts::default() {
                self.counts.remove(owner);
            }
        }
    }
}

impl Store {
    /// Notes a pod write in the journal, if one is kept.
    #[inline]
    fn note_pod(&mut self, key: &Key) {
        Self::note_pod_in(&mut self.pod_journal, self.pods.len(), key);
    }

    /// [`Store::note_pod`] on the journal alone (`pods`: the number of pods), for callers
    /// holding a borrow of the pod map.
    fn note_pod_in(journal: &mut Option<PodJournal>, pods: usize, key: &Key) {
        let Some(j) = journal else {
            return;
        };
        if j.keys.last() == Some(key) || !j.complete {
            return;
        }
        if j.keys.len() >= PodJournal::cap(pods) {
            j.keys = Vec::new();
            j.complete = false;
            return;
        }
        j.keys.push(key.clone());
    }

    /// Drains the pod journal (starting it on the first call, which is never `complete`).
    pub fn take_pod_changes(&mut self) -> PodChanges {
        let token = JOURNAL_TOKENS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let j = self.pod_journal.get_or_insert_with(PodJournal::default);
        let out = PodChanges {
            keys: std::mem::take(&mut j.keys),
            complete: j.complete,
            since: j.token,
            token,
        };
        j.complete = true;
        j.token = token;
        out
    }

    /// Next resourceVersion (a global counter, as etcd's revision).
    pub fn next_rv(&mut self) -> String {
        self.next_rv_num().to_string()
    }

    /// [`Store::next_rv`] as a number (the caller writes the digits into a reused buffer).
    pub fn next_rv_num(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    /// The last resourceVersion handed out.
    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    /// Look an object up by uid.
    pub fn by_uid(&self, uid: &str) -> Option<&ObjRef> {
        self.uids.get(uid)
    }

    /// Objects that list `uid` in their ownerReferences, in `ObjRef` order.
    pub fn children_of(&self, uid: &str) -> impl Iterator<Item = ObjRef> + '_ {
        self.children.get(uid).into_iter().flat_map(ChildSet::iter)
    }

    /// The Deployment controlling ReplicaSet `ns/name` (its controller owner reference of
    /// kind Deployment), if any.
    pub fn replicaset_deployment(&self, ns: &str, name: &str) -> Option<&str> {
        self.replicasets
            .get(&(ns.to_string(), name.to_string()))?
            .obj
            .metadata
            .owner_references
            .iter()
            .find(|o| o.controller == Some(true) && o.kind == "Deployment")
            .map(|o| o.name.as_str())
    }

    /// Pod counts of a controller (ReplicaSet) by its uid.
    pub fn counts_of(&self, uid: &str) -> PodCounts {
        self.counts.get(uid).copied().unwrap_or_default()
    }

    /// Requests bound to a node.
    pub fn requested_on(&self, node: &str) -> Requested {
        self.requested.get(node).copied().unwrap_or_default()
    }

    /// Keys of the pods bound to a node, in key order.
    pub fn pods_on(&self, node: &str) -> impl Iterator<Item = Key> + '_ {
        self.pods_by_node
            .get(node)
            .into_iter()
            .flat_map(KeySet::iter)
    }

    /// Pods without a controller ownerReference in a namespace (adoption candidates).
    pub fn orphan_pods_in<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a Key> + 'a {
        let ns = namespace.to_string();
        self.orphans
            .range((ns.clone(), String::new())..)
            .take_while(move |k| k.0 == ns)
    }

    /// Register `uid` and owner edges of a non-pod object.
    pub fn index_meta(&mut self, r: ObjRef, meta: &crate::api::ObjectMeta) {
        for o in &meta.owner_references {
            // Look up before inserting: no uid String allocated for a known owner.
            if let Some(set) = self.children.get_mut(&o.uid) {
                set.insert(&r);
            } else {
                self.children.entry(o.uid.clone()).or_default().insert(&r);
            }
        }
        // Last, so `r` moves in (the two indexes are independent).
        if let Some(uid) = &meta.uid {
            self.uids.insert(uid.clone(), r);
        }
    }

    /// Remove what [`Store::index_meta`] added.
    pub fn unindex_meta(&mut self, r: &ObjRef, meta: &crate::api::ObjectMeta) {
        if let Some(uid) = &meta.uid {
            self.uids.remove(uid);
        }
        for o in &meta.owner_references {
            if let Some(set) = self.children.get_mut(&o.uid) {
                set.remove(r);
                if set.is_empty() {
                    self.children.remove(&o.uid);
                }
            }
        }
    }

    /// All pods, sorted by (namespace, name).
    pub fn pods(&self) -> &PodMap {
        &self.pods
    }

    /// One pod.
    pub fn pod(&self, key: &Key) -> Option<&PodRec> {
        self.pods.get(key)
    }

    /// The node a pod is bound to, mutably (None if the pod, its binding or the node is
    /// missing): the name is borrowed from the pod record, so the kubelet copies no name to
    /// reach the node from its pod.
    pub fn pod_node_mut(&mut self, key: &Key) -> Option<&mut NodeRec> {
        let node = self.pods.get(key)?.rt.node.as_deref()?;
        self.nodes.get_mut(node)
    }

    fn pod_index(&mut self, key: &Key, rec: &PodRec, add: bool) {
        self.pod_index_meta(key, rec, add);
        let node = rec.rt.node.as_deref();
        let owner = controller_uid(&rec.pod.metadata);
        let c = Contrib::of(rec);
        self.pod_contrib(key, node, owner, c, add, true);
    }

    /// uid, owner edges and the orphan set: they depend on metadata only.
    fn pod_index_meta(&mut self, key: &Key, rec: &PodRec, add: bool) {
        let r: ObjRef = (Kind::Pod, key.clone());
        if add {
            self.index_meta(r, &rec.pod.metadata);
        } else {
            self.unindex_meta(&r, &rec.pod.metadata);
        }
        if controller_uid(&rec.pod.metadata).is_none() {
            if add {
                self.orphans.insert(key.clone());
            } else {
                self.orphans.remove(key);
            }
        }
    }

    /// Node membership, node requests and owner counts of one pod state.
    fn pod_contrib(
        &mut self,
        key: &Key,
        node: Option<&str>,
        owner: Option<&str>,
        c: Contrib,
        add: bool,
        node_set: bool,
    ) {
        Contribs {
            pods_by_node: &mut self.pods_by_node,
            requested: &mut self.requested,
            counts: &mut self.counts,
        }
        .apply(key, node, owner, c, add, node_set);
    }

    /// Insert a new pod.
    pub fn insert_pod(&mut self, key: Key, rec: PodRec) {
        self.pod_index(&key, &rec, true);
        self.note_pod(&key);
        let old = self.pods.insert(key, rec);
        assert!(old.is_none(), "insert_pod over an existing pod");
    }

    /// Edit a pod in place; indexes follow. The closure must not change the pod's uid or
    /// ownerReferences (use [`Store::update_pod_meta`]); only the contributions that changed
    /// are re-indexed, which keeps a status update free of index churn.
    pub fn update_pod<R>(&mut self, key: &Key, f: impl FnOnce(&mut PodRec) -> R) -> Option<R> {
        self.update_pod_at(key, PodHandle::NONE, f)
    }

    /// [`Store::update_pod`] through a handle taken on the pod stored under `key` (a stale
    /// handle falls back to the lookup by key).
    pub fn update_pod_at<R>(
        &mut self,
        key: &Key,
        h: PodHandle,
        f: impl FnOnce(&mut PodRec) -> R,
    ) -> Option<R> {
        let Store {
            pods,
            pods_by_node,
            requested,
            counts,
            pod_journal,
            ..
        } = self;
        let n = pods.len();
        let rec = match pods.get_mut_at(h) {
            Some(rec) => rec,
            None => pods.get_mut(key)?,
        };
        let idx = Contribs {
            pods_by_node,
            requested,
            counts,
        };
        Some(Self::edit_pod(idx, pod_journal, n, key, rec, f))
    }

    /// [`Store::update_pod_at`] on the pod `h` names while it is live, else on the pod now
    /// stored under the key `h` was taken on (as `update_pod_at` with that key): the caller
    /// keeps the handle alone. `None` when neither is found.
    pub fn update_pod_handle<R>(
        &mut self,
        h: PodHandle,
        f: impl FnOnce(&mut PodRec) -> R,
    ) -> Option<R> {
        let n = self.pods.len();
        let live = self.pods.gens.get(h.slot as usize) == Some(&h.gen);
        if !live {
            // The record was removed (deleted, or re-inserted by `update_pod_meta`): the key
            // decides, as for a stale handle with its key. Rare, so the key is copied.
            let key = self.pods.key_of(h)?.clone();
            return self.update_pod_at(&key, PodHandle::NONE, f);
        }
        let Store {
            pods,
            pods_by_node,
            requested,
            counts,
            pod_journal,
            ..
        } = self;
        pods.last.set(h.slot);
        let (key, rec) = pods.slab.get_mut(h.slot as usize)?.as_mut()?;
        let idx = Contribs {
            pods_by_node,
            requested,
            counts,
        };
        Some(Self::edit_pod(idx, pod_journal, n, key, rec, f))
    }

    /// The body of [`Store::update_pod_at`] once the record is found.
    fn edit_pod<R>(
        mut idx: Contribs<'_>,
        journal: &mut Option<PodJournal>,
        pods: usize,
        key: &Key,
        rec: &mut PodRec,
        f: impl FnOnce(&mut PodRec) -> R,
    ) -> R {
        let before = Contrib::of(rec);
        // Checked in debug builds (every test): hashing the owner uids before and after each
        // of the ~10 edits of every pod cost ~2% of a release run's instructions.
        let owners = cfg!(debug_assertions).then(|| owners_hash(&rec.pod.metadata));
        let out = f(rec);
        let after = Contrib::of(rec);
        if let Some(owners) = owners {
            assert_eq!(
                owners,
                owners_hash(&rec.pod.metadata),
                "pod owners changed outside update_pod_meta"
            );
        }
        if before != after {
            // A pod's node only ever goes from unset to set, so the node name is the same
            // for both contributions.
            let node = rec.rt.node.as_deref();
            let owner = controller_uid(&rec.pod.metadata);
            idx.change(key, node, owner, before, after);
        }
        Self::note_pod_in(journal, pods, key);
        out
    }

    /// The pod map's [`PodMap::forget_retired`]: call once no [`PodHandle`] taken before is
    /// kept for [`Store::update_pod_handle`].
    pub fn forget_retired_pods(&mut self) {
        self.pods.forget_retired();
    }

    /// Edit a pod including its metadata (owners); everything is re-indexed.
    pub fn update_pod_meta<R>(&mut self, key: &Key, f: impl FnOnce(&mut PodRec) -> R) -> Option<R> {
        let mut rec = self.pods.remove(key)?;
        self.pod_index(key, &rec, false);
        let out = f(&mut rec);
        self.pod_index(key, &rec, true);
        self.note_pod(key);
        self.pods.insert(key.clone(), rec);
        Some(out)
    }

    /// Remove a pod for good.
    pub fn remove_pod(&mut self, key: &Key) -> Option<PodRec> {
        let rec = self.pods.remove(key)?;
        self.pod_index(key, &rec, false);
        self.note_pod(key);
        Some(rec)
    }

    /// Whether any object of `kind` named `key` exists.
    pub fn exists(&self, kind: Kind, key: &Key) -> bool {
        match kind {
            Kind::Namespace => self.namespaces.contains_key(&key.1),
            Kind::Node => self.nodes.contains_key(&key.1),
            Kind::InstanceGroup => self.instance_groups.contains_key(key),
            Kind::Deployment => self.deployments.contains_key(key),
            Kind::ReplicaSet => self.replicasets.contains_key(key),
            Kind::Pod => self.pods.contains_key(key),
            Kind::Service => self.services.contains_key(key),
        }
    }

    /// Whether node `name` exists and its kubelet runs (`nodes[name].rt.kubelet_running`),
    /// answered from the kubelet table.
    #[inline]
    pub fn kubelet_running(&self, name: &str) -> bool {
        self.kubelets.get(name).copied().unwrap_or(false)
    }

    /// Re-reads node `name`'s entry of the kubelet table from `nodes`: call after inserting or
    /// removing a node record and after starting or stopping its kubelet.
    pub fn node_changed(&mut self, name: &str) {
        match self.nodes.get(name) {
            Some(n) => {
                let running = n.rt.kubelet_running;
                *self.kubelets.get_or_insert_with(name, || running) = running;
            }
            None => {
                self.kubelets.remove(name);
            }
        }
    }

    /// Recompute every index from scratch and compare (invariant check).
    pub fn check_indexes(&self) -> Result<(), String> {
        if self.kubelets.len() != self.nodes.len()
            || self
                .nodes
                .iter()
                .any(|(name, n)| self.kubelets.get(name) != Some(&n.rt.kubelet_running))
        {
            return Err("kubelet table drifted from the nodes".into());
        }
        let mut fresh = Store::default();
        for (k, rec) in &self.pods {
            fresh.pod_index(k, rec, true);
        }
        if fresh.counts != self.counts {
            return Err("per-owner pod counts drifted from the pods".into());
        }
        if fresh.requested != self.requested {
            return Err("per-node requests drifted from the pods".into());
        }
        if fresh.orphans != self.orphans {
            return Err("orphan-pod index drifted".into());
        }
        if fresh.pods_by_node != self.pods_by_node {
            return Err("pods-by-node index drifted".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(ns: &str, name: &str) -> PodRec {
        let mut pod = Pod::default();
        pod.metadata.name = name.into();
        pod.metadata.namespace = Some(ns.into());
        let rt = PodRt::new(&pod, 0);
        PodRec {
            pod,
            rt,
            decision: None,
        }
    }

    fn key(ns: &str, name: &str) -> Key {
        (ns.to_string(), name.to_string())
    }

    /// [`PodMap::get_with_slot`] answers as `slot` and `get` do, for present and absent keys.
    #[test]
    fn get_with_slot_matches_slot_and_get() {
        let mut m = PodMap::default();
        for i in 0..50 {
            m.insert(
                key("default", &format!("p{i}")),
                rec("default", &format!("p{i}")),
            );
        }
        m.remove(&key("default", "p7"));
        for i in 0..60 {
            let k = key("default", &format!("p{i}"));
            let both = m.get_with_slot(&k);
            assert_eq!(both.map(|(s, _)| s), m.slot(&k), "{k:?}");
            assert_eq!(
                both.map(|(_, r)| r.pod.metadata.name.clone()),
                m.get(&k).map(|r| r.pod.metadata.name.clone()),
                "{k:?}"
            );
        }
    }

    /// Lookups through the hash index agree with the tree, including across slot reuse and
    /// while a record stored under a key it does not name forces the tree.
    #[test]
    fn pod_map_lookups_match_the_tree() {
        let mut m = PodMap::default();
        let mut live: BTreeSet<Key> = BTreeSet::new();
        let mut x: u64 = 3;
        for step in 0..6_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = key(
                ["default", "kube-system"][(x % 2) as usize],
                &format!("p{}", x % 500),
            );
            if x.is_multiple_of(3) {
                assert_eq!(m.remove(&k).is_some(), live.remove(&k), "step {step}");
            } else if step % 1_000 == 999 {
                // A record under a foreign key (another name): only the tree finds it.
                let f = key("default", &format!("foreign-{step}"));
                m.insert(f.clone(), rec("default", "someone-else"));
                live.insert(f.clone());
                assert!(m.get(&f).is_some());
            } else {
                let r = rec(&k.0, &k.1);
                assert_eq!(m.insert(k.clone(), r).is_some(), !live.insert(k.clone()));
            }
            assert_eq!(m.contains_key(&k), live.contains(&k), "step {step}");
            assert_eq!(
                m.get(&k).map(|r| r.pod.metadata.name.clone()),
                live.contains(&k).then(|| k.1.clone())
            );
            assert_eq!(m.len(), live.len());
            if step % 500 == 0 {
                for k in &live {
                    assert!(m.get(k).is_some());
                }
                let absent = key("default", "absent");
                assert!(m.get(&absent).is_none());
            }
        }
        assert!(m.keys().eq(live.iter()));
    }

    /// A handle names the key it was taken on, live or retired (removed, or removed and
    /// re-inserted as `update_pod_meta` does), until `forget_retired`; after that only live
    /// handles do. Checked against a plain list of (handle, key) across random edits.
    #[test]
    fn handles_name_their_keys() {
        let mut m = PodMap::default();
        let mut taken: Vec<(PodHandle, Key)> = Vec::new();
        let mut x: u64 = 11;
        for step in 0..5_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = key("default", &format!("p{}", x % 300));
            if x.is_multiple_of(3) {
                m.remove(&k);
            } else if x.is_multiple_of(5) && m.get(&k).is_some() {
                // Remove and re-insert: the old handle retires, the pod lives on.
                let r = m.remove(&k).unwrap();
                m.insert(k.clone(), r);
            } else if m.get(&k).is_none() {
                m.insert(k.clone(), rec(&k.0, &k.1));
            }
            let h = m.handle(&k);
            assert_eq!(h == PodHandle::NONE, m.get(&k).is_none());
            if h != PodHandle::NONE {
                taken.push((h, k));
            }
            for (h, k) in &taken {
                assert_eq!(m.key_of(*h), Some(k), "step {step}");
            }
            if step % 700 == 699 {
                m.forget_retired();
                let gens = m.gens.clone();
                taken.retain(|(h, _)| gens[h.slot as usize] == h.gen);
                for (h, k) in &taken {
                    assert_eq!(m.key_of(*h), Some(k));
                }
                assert!(m.retired.is_empty());
            }
        }
        assert_eq!(m.key_of(PodHandle::NONE), None);
        // A handle retired before `forget_retired` names nothing.
        let k = key("default", "gone");
        m.insert(k.clone(), rec(&k.0, &k.1));
        let h = m.handle(&k);
        m.remove(&k);
        assert_eq!(m.key_of(h), Some(&k));
        m.forget_retired();
        assert_eq!(m.key_of(h), None);
    }

    /// `update_pod_handle` edits the pod `update_pod_at` with the handle's key edits: the same
    /// pod while the handle is live, the pod now under that key once it retired, none after a
    /// delete.
    #[test]
    fn update_by_handle_matches_update_by_key() {
        let mut s = Store::default();
        let k = key("default", "web-0");
        s.insert_pod(k.clone(), rec(&k.0, &k.1));
        let h = s.pods().handle(&k);
        assert_eq!(s.update_pod_handle(h, |r| r.rt.epoch += 1), Some(()));
        assert_eq!(s.pod(&k).unwrap().rt.epoch, 1);
        // Re-inserted (as update_pod_meta does): the retired handle reaches it by key.
        s.update_pod_meta(&k, |r| r.rt.epoch += 1);
        assert_ne!(s.pods().handle(&k), h);
        assert_eq!(s.update_pod_handle(h, |r| r.rt.epoch += 1), Some(()));
        assert_eq!(s.pod(&k).unwrap().rt.epoch, 3);
        // Deleted: nothing to edit; re-created under the same name: the new pod, as by key.
        let h2 = s.pods().handle(&k);
        s.remove_pod(&k);
        assert_eq!(s.update_pod_handle(h2, |r| r.rt.epoch += 1), None);
        s.insert_pod(k.clone(), rec(&k.0, &k.1));
        assert_eq!(s.update_pod_handle(h2, |r| r.rt.epoch += 10), Some(()));
        assert_eq!(s.pod(&k).unwrap().rt.epoch, 10);
    }

    /// The kubelet table answers like the node tree (`kubelet_running` of the node, false for
    /// a missing one) across inserts, kubelet stops and starts, and removals.
    #[test]
    fn kubelet_table_matches_the_nodes() {
        let mut s = Store::default();
        let name = |i: u64| format!("ip-172-20-{}-{}.ec2.internal", i % 7, i % 40);
        let mut x: u64 = 7;
        for step in 0..3_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = name(x);
            match x % 4 {
                0 => {
                    s.nodes.remove(&n);
                }
                1 => {
                    let rt = NodeRt {
                        kubelet_running: !x.is_multiple_of(3),
                        ..NodeRt::default()
                    };
                    s.nodes.insert(
                        n.clone(),
                        NodeRec {
                            node: Node::default(),
                            rt,
                        },
                    );
                }
                _ => {
                    if let Some(r) = s.nodes.get_mut(&n) {
                        r.rt.kubelet_running = !r.rt.kubelet_running;
                    }
                }
            }
            s.node_changed(&n);
            for i in 0..40 {
                let m = name(i * 7 + x % 7);
                let plain = s.nodes.get(&m).is_some_and(|r| r.rt.kubelet_running);
                assert_eq!(s.kubelet_running(&m), plain, "step {step} node {m}");
            }
            assert_eq!(s.check_indexes(), Ok(()), "step {step}");
        }
        // A change the table was not told about is caught.
        if let Some(r) = s.nodes.values_mut().next() {
            r.rt.kubelet_running = !r.rt.kubelet_running;
        }
        assert!(s.check_indexes().is_err());
    }

    /// [`Contribs::change`] leaves the indexes exactly as the remove/add pair of
    /// [`Contribs::apply`] does, over random walks of pod states (binding, readiness,
    /// deletion, terminal phases, request changes) on a few nodes and owners.
    #[test]
    fn contrib_change_matches_remove_then_add() {
        let mut a = (StrTable::new(), StrTable::new(), StrTable::new());
        let mut b = (StrTable::new(), StrTable::new(), StrTable::new());
        let mut x: u64 = 21;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        // Pod i: its node, owner and current state.
        let mut pods: Vec<(Key, String, Option<String>, Contrib)> = Vec::new();
        for i in 0..60u64 {
            let c = Contrib {
                bound: false,
                terminal: false,
                deleting: false,
                ready: false,
                cpu: (i % 4) as i64 * 100,
                mem: (i % 3) as i64 * 1024,
            };
            let owner = (i % 5 != 0).then(|| format!("uid-{}", i % 3));
            let node = format!("node-{}", i % 4);
            pods.push((key("default", &format!("p{i}")), node, owner, c));
        }
        for (k, node, owner, c) in &pods {
            for t in [&mut a, &mut b] {
                Contribs {
                    pods_by_node: &mut t.0,
                    requested: &mut t.1,
                    counts: &mut t.2,
                }
                .apply(k, Some(node), owner.as_deref(), *c, true, false);
            }
        }
        for step in 0..20_000 {
            let r = next();
            let (k, node, owner, before) = &mut pods[(r % 60) as usize];
            let mut after = *before;
            match (r >> 8) % 6 {
                0 => after.bound = true,
                1 => after.ready = !after.ready,
                2 => after.deleting = !after.deleting,
                3 => after.terminal = (r >> 16) % 4 == 0,
                4 => after.cpu = ((r >> 16) % 5) as i64 * 50,
                _ => {}
            }
            let node_arg = (before.bound || after.bound).then_some(node.as_str());
            let node_set = before.bound != after.bound;
            let mut ia = Contribs {
                pods_by_node: &mut a.0,
                requested: &mut a.1,
                counts: &mut a.2,
            };
            ia.apply(k, node_arg, owner.as_deref(), *before, false, node_set);
            ia.apply(k, node_arg, owner.as_deref(), after, true, node_set);
            Contribs {
                pods_by_node: &mut b.0,
                requested: &mut b.1,
                counts: &mut b.2,
            }
            .change(k, node_arg, owner.as_deref(), *before, after);
            *before = after;
            assert_eq!(a.0, b.0, "pods by node, step {step}");
            assert_eq!(a.1, b.1, "requests, step {step}");
            assert_eq!(a.2, b.2, "counts, step {step}");
        }
        assert!(!a.1.is_empty() && !a.2.is_empty());
    }
}
