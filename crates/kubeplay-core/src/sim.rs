//! [`Sim`]: all state of one simulated cluster, the event loop, and the public API.
//!
//! One seed in; integer virtual time; one event queue ordered by (time, seq). `step` pops one
//! event and dispatches it to the kubelet, the scheduler glue or a controller; controllers are
//! level-triggered (they look at the store, not at the reason they were woken) and every write
//! goes through `Sim` methods that bump resourceVersion and record a trace line (house style
//! R4–R6). After every step, tests and debug builds run the invariant checks.
use crate::api::{Kind, Object, ObjectMeta, Pod};
use crate::clock::{rfc3339, Ms};
use crate::events::{Event, EventLog, Occurrence};
use crate::kubelet::KAct;
use crate::placement::{SchedQueue, SchedulingDecision};
use crate::queue::EventQueue;
use crate::rng::SimRng;
use crate::store::{Key, PodHandle, Store};
use crate::trace::{Trace, TraceEvent};
use crate::workqueue::{ControllerId, WorkQueue};

/// Tunables of a sim (defaults documented per field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// Keep every trace event (true) or only the running hash (benchmarks). Default true.
    pub keep_trace: bool,
    /// Distinct Kubernetes Events kept (oldest dropped first). Default 20,000.
    pub events_max: usize,
    /// Run the invariant checks after every step. Default: on in debug builds.
    pub check_invariants: bool,
    /// Upper bound of steps in one `run_until` call. Default 100,000,000.
    pub steps_max: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            keep_trace: true,
            events_max: 20_000,
            check_invariants: cfg!(debug_assertions),
            steps_max: 100_000_000,
        }
    }
}

/// Deletion propagation (`--cascade=background|foreground|orphan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    /// Delete the owner now; the garbage collector deletes dependents afterwards (default).
    #[default]
    Background,
    /// Delete dependents first; the owner stays (with a deletionTimestamp) until they are gone.
    Foreground,
    /// Delete the owner only; dependents lose their ownerReference and live on.
    Orphan,
}

/// What `apply` did to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyAction {
    /// The object did not exist.
    Created,
    /// The object existed and changed.
    Configured,
    /// The object existed and nothing changed.
    Unchanged,
}

/// Per-object result of [`Sim::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOutcome {
    /// Kind of the object.
    pub kind: Kind,
    /// Namespace (None for cluster-scoped kinds).
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// What happened, or the API server's error message.
    pub result: Result<ApplyAction, String>,
}

/// `run_until` gave up after `steps_max` steps without reaching its target time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stalled {
    /// Virtual time reached.
    pub now_ms: Ms,
    /// Events still pending.
    pub pending: usize,
}

impl std::fmt::Display for Stalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "simulation stalled at t={}ms with {} events pending",
            self.now_ms, self.pending
        )
    }
}

/// Something scheduled on the event queue.
#[derive(Debug, Clone)]
pub(crate) enum Ev {
    /// Reconcile request from the work queue.
    Work(ControllerId, Key),
    /// The scheduler drains its active queue.
    ScheduleCycle,
    /// An unschedulable pod's back-off expired (pod, attempt number).
    SchedRetry(Key, u32),
    /// A kubelet timer for a pod (pod, pod epoch, action, the pod's store slot as a lookup
    /// hint).
    Kubelet(Key, u32, KAct, u32),
    /// A node's kubelet renews its lease (node, kubelet epoch).
    Heartbeat(String, u32),
    /// The garbage collector looks at the dependents of an owner uid.
    Gc(String),
    /// A timer set through [`Sim::schedule_hook`] for another subsystem.
    Hook(Hook),
}

/// Timers other subsystems (network, failures) can set on the sim's queue; the sim hands them
/// back through [`Sim::take_due_hooks`]-style dispatch in `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hook {
    /// The network subsystem's timer with its own id.
    Network(u64),
    /// The failures subsystem's timer with its own id.
    Failures(u64),
}

/// Spare pod keys whose strings are overwritten to copy another key: a pod arms several
/// kubelet timers, each with its own copy of the key, and a fired timer's key gives its
/// buffers to a later one (pod names share a length, so the copy seldom allocates). Only
/// capacity is reused: a copy equals `key.clone()`.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyPool {
    spare: Vec<Key>,
}

impl KeyPool {
    /// Keys kept at most (the pool only bridges a fired timer and the next ones it arms).
    const MAX: usize = 64;

    /// A copy of `key`, in a spare key's buffers when there is one.
    pub(crate) fn copy(&mut self, key: &Key) -> Key {
        match self.spare.pop() {
            Some(mut k) => {
                k.0.clone_from(&key.0);
                k.1.clone_from(&key.1);
                k
            }
            None => key.clone(),
        }
    }

    /// Keep `key`'s buffers for a later [`KeyPool::copy`].
    pub(crate) fn give(&mut self, key: Key) {
        if self.spare.len() < Self::MAX {
            self.spare.push(key);
        }
    }
}

/// The simulated cluster.
#[derive(Clone)]
pub struct Sim {
    pub(crate) seed: u64,
    pub(crate) now: Ms,
    pub(crate) rng: SimRng,
    pub(crate) store: Store,
    pub(crate) queue: EventQueue<Ev>,
    pub(crate) work: WorkQueue,
    pub(crate) trace: Trace,
    pub(crate) events: EventLog,
    pub(crate) config: SimConfig,
    pub(crate) sched: SchedQueue,
    pub(crate) node_seq: u32,
    pub(crate) fired_hooks: Vec<Hook>,
    pub(crate) scheduler: crate::scheduler::Scheduler,
    /// Pods changed in this step, awaiting a new resourceVersion. Handles only: a handle
    /// retired meanwhile still names its key (`PodMap::key_of`) until the lists are drained.
    pub(crate) dirty_pods: Vec<PodHandle>,
    /// Pods whose resourceVersion moved but whose `status` awaits rendering.
    pub(crate) stale_pods: Vec<PodHandle>,
    /// Keys of fired kubelet timers, reused for the next timers' keys.
    pub(crate) kubelet_keys: KeyPool,
    steps: u64,
    stopwatch: Stopwatch,
}

/// Wall time spent in the scheduler, for benchmarks only: the caller lends a clock
/// ([`Sim::set_stopwatch`]) because the core reads none itself. The readings are summed into
/// a statistic and never reach a decision, the trace or any output of the simulation, so
/// determinism holds with or without one.
#[derive(Clone, Copy, Default)]
struct Stopwatch {
    /// Monotonic nanoseconds from the caller (a benchmark's `Instant`), if lent.
    clock: Option<fn() -> u64>,
    /// Nanoseconds spent in scheduling cycles (filter, score, bind) so far.
    scheduler_ns: u64,
}

/// `namespace/name` or `name`.
pub(crate) fn key_str(key: &Key) -> String {
    if key.0.is_empty() {
        key.1.clone()
    } else {
        format!("{}/{}", key.0, key.1)
    }
}

/// Displays a key as [`key_str`] renders it, without allocating. The pieces go straight to
/// the writer (the trace hashes two of these lines per pod; a nested `write!` with two
/// `Display` arguments was most of their formatting cost). Like `write!`, this ignores
/// width and precision.
pub(crate) struct KeyFmt<'a>(pub &'a Key);

impl std::fmt::Display for KeyFmt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.0 .0.is_empty() {
            f.write_str(&self.0 .0)?;
            f.write_str("/")?;
        }
        f.write_str(&self.0 .1)
    }
}

/// Arguments of one Kubernetes Event, all borrowed: the log copies what a new event needs
/// into the strings of the event it evicts, and a repeat needs no copy at all, so a caller
/// allocates nothing (the message is formatted straight into the log's buffer).
pub(crate) struct Emit<'a> {
    pub kind: &'static str,
    pub meta: &'a ObjectMeta,
    pub field_path: Option<&'a str>,
    pub warning: bool,
    pub reason: &'static str,
    pub message: std::fmt::Arguments<'a>,
    pub component: &'static str,
    pub host: Option<&'a str>,
}

/// [`Sim::emit`] on the log alone, so a caller can pass metadata borrowed from the store
/// instead of cloning an identity copy first.
pub(crate) fn record_event(events: &mut EventLog, now: Ms, e: Emit<'_>) {
    events.record_occurrence(
        &Occurrence {
            namespace: e.meta.namespace.as_deref().unwrap_or("default"),
            involved_kind: e.kind,
            involved_name: &e.meta.name,
            involved_uid: e.meta.uid.as_deref().unwrap_or_default(),
            field_path: e.field_path.map(|p| [p, "", ""]),
            type_: if e.warning { "Warning" } else { "Normal" },
            reason: e.reason,
            source_component: e.component,
            source_host: e.host,
            at_ms: now,
        },
        e.message,
    );
}

impl Sim {
    /// A sim on the default cluster (a tainted control-plane node and 3 × t3.medium workers).
    pub fn new(seed: u64) -> Sim {
        Sim::with_config(seed, SimConfig::default(), Vec::new())
    }

    /// A sim whose cluster comes from `objects`: if they hold Nodes or InstanceGroups those
    /// define the cluster (replacing the default), and every object is then applied.
    pub fn with_cluster(seed: u64, objects: Vec<Object>) -> Sim {
        Sim::with_config(seed, SimConfig::default(), objects)
    }

    /// Like [`Sim::with_cluster`] with explicit tunables.
    pub fn with_config(seed: u64, config: SimConfig, objects: Vec<Object>) -> Sim {
        let mut trace = Trace::new();
        trace.set_keep(config.keep_trace);
        let mut sim = Sim {
            seed,
            now: 0,
            rng: SimRng::new(seed),
            store: Store::default(),
            queue: EventQueue::default(),
            work: WorkQueue::default(),
            trace,
            events: EventLog::new(config.events_max),
            config,
            sched: SchedQueue::default(),
            node_seq: 0,
            fired_hooks: Vec::new(),
            scheduler: crate::scheduler::Scheduler::new(),
            dirty_pods: Vec::new(),
            stale_pods: Vec::new(),
            kubelet_keys: KeyPool::default(),
            steps: 0,
            stopwatch: Stopwatch::default(),
        };
        sim.bootstrap(objects);
        sim
    }

    /// The seed this sim was built from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Current virtual time in ms.
    pub fn now_ms(&self) -> Ms {
        self.now
    }

    /// Time of the next pending event.
    pub fn next_event_ms(&self) -> Option<Ms> {
        self.queue.peek_ms()
    }

    /// Number of events processed so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Lend the sim a monotonic clock in nanoseconds (benchmarks): from then on the wall
    /// time of every scheduling cycle is summed into [`Sim::scheduler_wall_ns`]. Only that
    /// statistic reads it; the simulation runs the same with or without.
    pub fn set_stopwatch(&mut self, clock: fn() -> u64) {
        self.stopwatch.clock = Some(clock);
    }

    /// Wall nanoseconds spent in scheduling cycles (filter, score, bind: kube-scheduler's
    /// share of the work) since [`Sim::set_stopwatch`]; 0 without a stopwatch.
    pub fn scheduler_wall_ns(&self) -> u64 {
        self.stopwatch.scheduler_ns
    }

    /// Read access to the store (indexes included) for other subsystems.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Process the next event. Returns false when nothing is pending.
    pub fn step(&mut self) -> bool {
        let more = self.step_inner();
        self.flush_pod_status();
        more
    }

    /// One event, without re-rendering pod status (done once per public call instead: the
    /// status objects are only read between calls).
    fn step_inner(&mut self) -> bool {
        let Some((at, ev)) = self.queue.pop() else {
            return false;
        };
        assert!(at >= self.now, "event queue went back in time");
        self.now = at;
        self.steps += 1;
        self.dispatch(ev);
        if self.config.check_invariants {
            if let Err(e) = crate::invariants::check(self) {
                panic!(
                    "invariant violated at t={}ms seed={}: {e}",
                    self.now, self.seed
                );
            }
        }
        true
    }

    /// Run every event due up to and including `t_ms`, then set the clock to `t_ms`.
    pub fn run_until(&mut self, t_ms: Ms) -> Result<(), Stalled> {
        let mut n = 0u64;
        while self.queue.peek_ms().is_some_and(|t| t <= t_ms) {
            if n >= self.config.steps_max {
                self.render_stale_pods();
                return Err(Stalled {
                    now_ms: self.now,
                    pending: self.queue.len(),
                });
            }
            // As `step`, but status objects are rendered once at the end: nothing reads them
            // inside the loop, and a pod changing in several steps is rendered once.
            self.step_inner();
            self.stamp_dirty_pods();
            n += 1;
        }
        self.render_stale_pods();
        self.now = self.now.max(t_ms);
        Ok(())
    }

    /// Run for `d_ms` more milliseconds.
    pub fn run_for(&mut self, d_ms: Ms) -> Result<(), Stalled> {
        self.run_until(self.now + d_ms)
    }

    fn dispatch(&mut self, ev: Ev) {
        match ev {
            Ev::Work(c, key) => {
                if self.work.take(c, &key.0, &key.1, self.now) {
                    match c {
                        ControllerId::ReplicaSet => self.sync_replicaset(&key),
                        ControllerId::Deployment => self.sync_deployment(&key),
                        ControllerId::GarbageCollector => {}
                    }
                }
            }
            Ev::ScheduleCycle => match self.stopwatch.clock {
                None => self.schedule_cycle(),
                Some(clock) => {
                    let t0 = clock();
                    self.schedule_cycle();
                    self.stopwatch.scheduler_ns += clock().saturating_sub(t0);
                }
            },
            Ev::SchedRetry(key, attempt) => self.sched_retry(&key, attempt),
            Ev::Kubelet(key, epoch, act, slot) => {
                self.store.pods().hint(&key, slot);
                self.kubelet(&key, epoch, act);
                self.kubelet_keys.give(key);
            }
            Ev::Heartbeat(node, epoch) => self.heartbeat(&node, epoch),
            Ev::Gc(uid) => self.gc_owner(&uid),
            Ev::Hook(h) => self.fired_hooks.push(h),
        }
    }

    /// Re-render `status` (and resourceVersion) of the pods changed in this step, once each.
    pub(crate) fn flush_pod_status(&mut self) {
        self.stamp_dirty_pods();
        self.render_stale_pods();
    }

    /// The resourceVersion part of [`Sim::flush_pod_status`]: one new version per pod changed
    /// in this step, in change order (versions are observable, so they advance per step).
    fn stamp_dirty_pods(&mut self) {
        // Drained in place: the list keeps its capacity for the next step.
        let mut dirty = std::mem::take(&mut self.dirty_pods);
        for h in dirty.drain(..) {
            let rv = self.store.next_rv_num();
            let newly_stale = self.store.update_pod_handle(h, |rec| {
                rec.rt.status_dirty = false;
                // Written over the previous version's digits (same text as `next_rv`).
                crate::kubelet::put_u64(&mut rec.pod.metadata.resource_version, rv);
                !std::mem::replace(&mut rec.rt.status_stale, true)
            });
            if newly_stale == Some(true) {
                self.stale_pods.push(h);
            }
        }
        self.dirty_pods = dirty;
    }

    /// The status part of [`Sim::flush_pod_status`]. `render_status` is a pure function of the
    /// pod and its runtime, and every runtime edit marks the pod dirty, so rendering after
    /// the last change gives what rendering after every change would have left.
    fn render_stale_pods(&mut self) {
        let mut stale = std::mem::take(&mut self.stale_pods);
        let mut memo = crate::kubelet::RenderMemo::default();
        for h in stale.drain(..) {
            self.store.update_pod_handle(h, |rec| {
                if std::mem::replace(&mut rec.rt.status_stale, false) {
                    // Rendered over the previous status, reusing its strings; the result is
                    // what a fresh render gives (checked in debug builds).
                    let mut st = rec.pod.status.take().unwrap_or_default();
                    crate::kubelet::render_status_memo(&rec.pod, &rec.rt, &mut st, &mut memo);
                    debug_assert_eq!(st, crate::kubelet::render_status(&rec.pod, &rec.rt));
                    rec.pod.status = Some(st);
                }
            });
        }
        self.stale_pods = stale;
        if self.dirty_pods.is_empty() {
            // No handle is kept any more: the keys of removed pods can go.
            self.store.forget_retired_pods();
        }
    }

    /// Schedule a timer for another subsystem; when it fires it is queued in
    /// [`Sim::take_fired_hooks`].
    pub fn schedule_hook(&mut self, at_ms: Ms, hook: Hook) {
        self.queue.push(at_ms.max(self.now), Ev::Hook(hook));
    }

    /// Hooks that fired since the last call, in firing order.
    pub fn take_fired_hooks(&mut self) -> Vec<Hook> {
        std::mem::take(&mut self.fired_hooks)
    }

    /// Queue a reconcile of `key` by controller `c` after `delay_ms`.
    pub(crate) fn enqueue(&mut self, c: ControllerId, key: &Key, delay_ms: Ms) {
        let at = self.now + delay_ms;
        if self.work.add(c, &key.0, &key.1, at) {
            self.queue.push(at, Ev::Work(c, key.clone()));
        }
    }

    /// Record one trace line.
    pub(crate) fn tr(
        &mut self,
        kind: &'static str,
        object: String,
        what: &'static str,
        detail: String,
    ) {
        self.trace.record(TraceEvent {
            at_ms: self.now,
            kind,
            object,
            what,
            detail,
        });
    }

    /// [`Sim::tr`] for an object by key, with the detail as format arguments (no strings are
    /// built when the trace only keeps its hash).
    pub(crate) fn tr_key(
        &mut self,
        kind: &'static str,
        key: &Key,
        what: &'static str,
        detail: std::fmt::Arguments<'_>,
    ) {
        self.trace
            .record_key(self.now, kind, &key.0, &key.1, what, detail);
    }

    /// Record a Kubernetes Event.
    /// Identity-only copy of object metadata (what an Event's involvedObject needs).
    pub(crate) fn ident(m: &ObjectMeta) -> ObjectMeta {
        ObjectMeta {
            name: m.name.clone(),
            namespace: m.namespace.clone(),
            uid: m.uid.clone(),
            ..ObjectMeta::default()
        }
    }

    pub(crate) fn emit(&mut self, e: Emit<'_>) {
        record_event(&mut self.events, self.now, e);
    }

    /// Fill the identity fields the API server sets on create.
    pub(crate) fn stamp_new(&mut self, meta: &mut ObjectMeta, namespaced: bool) {
        if namespaced && meta.namespace.is_none() {
            meta.namespace = Some("default".into());
        }
        meta.uid = Some(crate::names::uid(&mut self.rng));
        meta.resource_version = Some(self.store.next_rv());
        // From the stack bytes: `rfc3339` collects them one char at a time (one call per pod).
        meta.creation_timestamp = Some(match crate::clock::rfc3339_bytes(self.now) {
            Some(b) => String::from_utf8_lossy(&b).into_owned(),
            None => rfc3339(self.now),
        });
        meta.generation = Some(1);
    }

    /// Kubernetes Events, oldest first.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.events.iter()
    }

    /// Events about one object (kind, namespace, name), oldest first.
    pub fn events_for<'a>(
        &'a self,
        kind: &'a str,
        namespace: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| {
            e.involved_kind == kind && e.involved_name == name && e.namespace == namespace
        })
    }

    /// The trace events kept so far.
    pub fn trace(&self) -> &[TraceEvent] {
        self.trace.events()
    }

    /// Number of trace events recorded (including ones not kept).
    pub fn trace_len(&self) -> u64 {
        self.trace.count()
    }

    /// Stable FNV-1a 64 hash of the rendered trace.
    pub fn trace_hash(&self) -> u64 {
        self.trace.hash()
    }

    /// All pods, sorted by namespace then name.
    pub fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.store.pods().values().map(|r| &r.pod)
    }

    /// One pod.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<&Pod> {
        self.store
            .pod(&(namespace.to_string(), name.to_string()))
            .map(|r| &r.pod)
    }

    /// Nodes, sorted by name.
    pub fn nodes(&self) -> impl Iterator<Item = &crate::api::Node> {
        self.store.nodes.values().map(|r| &r.node)
    }

    /// Deployments, sorted.
    pub fn deployments(&self) -> impl Iterator<Item = &crate::api::Deployment> {
        self.store.deployments.values().map(|(r, _)| &r.obj)
    }

    /// ReplicaSets, sorted.
    pub fn replicasets(&self) -> impl Iterator<Item = &crate::api::ReplicaSet> {
        self.store.replicasets.values().map(|r| &r.obj)
    }

    /// Services, sorted.
    pub fn services(&self) -> impl Iterator<Item = &crate::api::Service> {
        self.store.services.values().map(|r| &r.obj)
    }

    /// Namespaces, sorted.
    pub fn namespaces(&self) -> impl Iterator<Item = &crate::api::Namespace> {
        self.store.namespaces.values().map(|r| &r.obj)
    }

    /// kops InstanceGroups, sorted.
    pub fn instance_groups(&self) -> impl Iterator<Item = &crate::api::InstanceGroup> {
        self.store.instance_groups.values().map(|r| &r.obj)
    }

    /// Every object, cloned, sorted by kind (api `Kind` order) then namespace and name.
    pub fn objects(&self) -> Vec<Object> {
        let mut out: Vec<Object> = Vec::new();
        for k in Kind::ALL {
            out.extend(self.objects_of(k));
        }
        out
    }

    /// Objects of one kind, cloned, sorted.
    pub fn objects_of(&self, kind: Kind) -> Vec<Object> {
        match kind {
            Kind::Namespace => self.namespaces().cloned().map(Object::Namespace).collect(),
            Kind::Node => self.nodes().cloned().map(Object::Node).collect(),
            Kind::InstanceGroup => self
                .instance_groups()
                .cloned()
                .map(Object::InstanceGroup)
                .collect(),
            Kind::Deployment => self
                .deployments()
                .cloned()
                .map(Object::Deployment)
                .collect(),
            Kind::ReplicaSet => self
                .replicasets()
                .cloned()
                .map(Object::ReplicaSet)
                .collect(),
            Kind::Pod => self.pods().cloned().map(Object::Pod).collect(),
            Kind::Service => self.services().cloned().map(Object::Service).collect(),
        }
    }

    /// One object by kind, namespace (ignored for cluster-scoped kinds) and name.
    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<Object> {
        let key = if kind.namespaced() {
            (namespace.to_string(), name.to_string())
        } else {
            (String::new(), name.to_string())
        };
        let s = &self.store;
        Some(match kind {
            Kind::Namespace => Object::Namespace(s.namespaces.get(name)?.obj.clone()),
            Kind::Node => Object::Node(s.nodes.get(name)?.node.clone()),
            Kind::InstanceGroup => Object::InstanceGroup(s.instance_groups.get(&key)?.obj.clone()),
            Kind::Deployment => Object::Deployment(s.deployments.get(&key)?.0.obj.clone()),
            Kind::ReplicaSet => Object::ReplicaSet(s.replicasets.get(&key)?.obj.clone()),
            Kind::Pod => Object::Pod(s.pod(&key)?.pod.clone()),
            Kind::Service => Object::Service(s.services.get(&key)?.obj.clone()),
        })
    }

    /// The scheduler's last decision for a pod ("why this node / why Pending").
    pub fn scheduling_decision(&self, namespace: &str, name: &str) -> Option<&SchedulingDecision> {
        self.store
            .pod(&(namespace.to_string(), name.to_string()))?
            .decision
            .as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `KeyFmt` renders exactly what `key_str` builds, with and without a namespace.
    #[test]
    fn key_fmt_matches_key_str() {
        for (ns, name) in [
            ("default", "web-x"),
            ("", "node-1"),
            ("kube-system", ""),
            ("", ""),
        ] {
            let key: Key = (ns.to_string(), name.to_string());
            assert_eq!(KeyFmt(&key).to_string(), key_str(&key));
            assert_eq!(
                format!("<{}>", KeyFmt(&key)),
                format!("<{}>", key_str(&key))
            );
        }
    }

    /// A pooled copy equals the plain clone whatever the spare key held before (longer,
    /// shorter, empty), and the pool stays bounded.
    #[test]
    fn key_pool_copies_equal_clones() {
        let mut pool = KeyPool::default();
        let names = [
            "web-7d4b9c-x2x9z",
            "a",
            "",
            "kube-system-very-long-pod-name-0123456789",
        ];
        for (i, n) in names.iter().cycle().take(40).enumerate() {
            let key: Key = (
                ["default", "kube-system", ""][i % 3].to_string(),
                n.to_string(),
            );
            let copy = pool.copy(&key);
            assert_eq!(copy, key.clone(), "copy {i}");
            if i % 4 != 3 {
                pool.give(copy);
            }
        }
        for i in 0..200 {
            pool.give((format!("ns{i}"), format!("p{i}")));
        }
        assert_eq!(pool.spare.len(), KeyPool::MAX);
        assert_eq!(
            pool.copy(&("x".into(), "y".into())),
            ("x".into(), "y".into())
        );
    }
}
