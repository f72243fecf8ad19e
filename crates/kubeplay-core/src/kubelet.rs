//! The kubelet model: pod sandboxes, image pulls, container starts, probes, restarts with
//! CrashLoopBackOff, graceful termination, and node lease heartbeats.
//!
//! Each pod has a level-triggered `SyncPod` (`KAct::Sync`): it looks at the pod's runtime state
//! and starts the next piece of work (sandbox, pull, start, restart after back-off, kill), the
//! way `kubelet.SyncPod` → `kuberuntime.SyncPod` does. Work that takes time (a pull, a start, a
//! probe period, an app crash) is a timer carrying the pod epoch and the container's run id, so
//! a timer that outlived its container (restart, kubelet stop) is ignored. Containers of a pod
//! start one after another, pulls first (upstream's serial `startContainer` loop).
//!
//! Timings (documented defaults, real-cluster orders of magnitude): the kubelet picks a bound
//! pod up 50 ms after binding; the sandbox (pause container + CNI) takes 800 ms; create+start
//! 300 ms; pulls per [`crate::app::pull_ms`]; the simulated server exits 500 ms after SIGTERM.
use crate::api::{Condition, ContainerState, ContainerStatus, Pod, PodStatus, StateDetail};
use crate::app::{self, Behaviour};
use crate::clock::{go_duration, rfc3339, Ms, Rfc3339Memo, SECOND_MS};
use crate::sim::{key_str, Ev, Sim};
use crate::store::Key;
use crate::workqueue::ControllerId;
use std::borrow::Cow;

/// Delay from binding to the kubelet's first sync of the pod.
pub const PICKUP_MS: Ms = 50;
/// Sandbox creation (pause container, CNI ADD).
pub const SANDBOX_MS: Ms = 800;
/// Container create + start.
pub const START_MS: Ms = 300;
/// Time the simulated server needs to exit after SIGTERM.
pub const SHUTDOWN_MS: Ms = 500;
/// Lease renewal period (`leaseDuration 40s × 0.25`).
pub const HEARTBEAT_MS: Ms = 10 * SECOND_MS;
/// Initial container restart back-off (`backOffPeriod`, pkg/kubelet/kubelet.go).
pub const BACKOFF_INITIAL_MS: Ms = 10 * SECOND_MS;
/// Maximum container restart back-off (`MaxContainerBackOff`).
pub const BACKOFF_MAX_MS: Ms = 300 * SECOND_MS;

/// Pod phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodPhase {
    /// Accepted, not all containers started.
    Pending,
    /// Bound and all containers started at least once.
    Running,
    /// All containers exited 0 and will not restart.
    Succeeded,
    /// All containers exited, at least one with failure, and will not restart.
    Failed,
    /// State unknown (node unreachable).
    Unknown,
}

impl PodPhase {
    /// API string.
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
            PodPhase::Unknown => "Unknown",
        }
    }
}

/// `spec.restartPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartPolicy {
    /// Restart on any exit.
    Always,
    /// Restart on non-zero exit.
    OnFailure,
    /// Never restart.
    Never,
}

/// How a container run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Exit code.
    pub exit_code: i32,
    /// `Completed`, `Error`, `OOMKilled`.
    pub reason: &'static str,
    /// Start of the run.
    pub started_ms: Ms,
    /// End of the run (`finishedAt`, the back-off reference time).
    pub finished_ms: Ms,
}

/// Container state (one of waiting/running/terminated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CState {
    /// Not running: `ContainerCreating`, `ErrImagePull`, `ImagePullBackOff`, `CrashLoopBackOff`.
    Waiting {
        /// Reason.
        reason: &'static str,
        /// Message, if any.
        message: Option<String>,
    },
    /// Running since.
    Running {
        /// Start of the run.
        since_ms: Ms,
    },
    /// Exited.
    Terminated(Term),
}

/// A `flowcontrol.Backoff` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Current back-off duration.
    pub backoff_ms: Ms,
    /// Time of the last `Next` (the event time it was given).
    pub last_update_ms: Ms,
}

impl Backoff {
    /// `IsInBackOffSince(id, eventTime)` of client-go `flowcontrol/backoff.go`.
    pub fn in_backoff_since(entry: Option<Backoff>, event_ms: Ms, now_ms: Ms) -> bool {
        match entry {
            None => false,
            Some(e) if Self::expired(e, event_ms) => false,
            Some(e) => now_ms.saturating_sub(event_ms) < e.backoff_ms,
        }
    }

    /// `hasExpired`: stable for twice the max since the last update.
    fn expired(e: Backoff, event_ms: Ms) -> bool {
        event_ms.saturating_sub(e.last_update_ms) > 2 * BACKOFF_MAX_MS
    }

    /// `Next(id, eventTime)`: a new or expired entry (event more than 2 × max after the last
    /// update) starts at the initial duration, otherwise the duration doubles up to the max;
    /// `lastUpdate` becomes now (the start of the new run).
    pub fn next(entry: Option<Backoff>, event_ms: Ms, now_ms: Ms, initial: Ms, max: Ms) -> Backoff {
        let backoff_ms = match entry {
            Some(e) if !Self::expired(e, event_ms) => (e.backoff_ms * 2).min(max),
            _ => initial,
        };
        Backoff {
            backoff_ms,
            last_update_ms: now_ms,
        }
    }
}

/// Probe settings with defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeCfg {
    /// `initialDelaySeconds`.
    pub initial_ms: Ms,
    /// `periodSeconds`.
    pub period_ms: Ms,
    /// `successThreshold`.
    pub success_threshold: u32,
    /// `failureThreshold`.
    pub failure_threshold: u32,
    /// Probed port (None for exec probes).
    pub port: Option<i32>,
    /// HTTP path (None for TCP/exec).
    pub path: Option<String>,
}

impl ProbeCfg {
    fn of(p: &crate::api::Probe, c: &crate::api::Container) -> ProbeCfg {
        let secs = |v: Option<i32>, d: i32| Ms::from(v.unwrap_or(d).max(0) as u32) * SECOND_MS;
        let resolve = |p: &crate::api::IntOrString| match p {
            crate::api::IntOrString::Int(n) => Some(*n),
            crate::api::IntOrString::String(name) => c
                .ports
                .iter()
                .find(|cp| cp.name.as_deref() == Some(name.as_str()))
                .map(|cp| cp.container_port),
        };
        let (port, path) = match (&p.http_get, &p.tcp_socket) {
            (Some(h), _) => (
                resolve(&h.port),
                Some(h.path.clone().unwrap_or_else(|| "/".into())),
            ),
            (None, Some(t)) => (resolve(&t.port), None),
            _ => (None, None),
        };
        ProbeCfg {
            initial_ms: secs(p.initial_delay_seconds, 0),
            period_ms: secs(p.period_seconds, 10).max(SECOND_MS),
            success_threshold: p.success_threshold.unwrap_or(1).max(1) as u32,
            failure_threshold: p.failure_threshold.unwrap_or(3).max(1) as u32,
            port,
            path,
        }
    }
}

/// Runtime state of one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerRt {
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// `imagePullPolicy` is Always (pull on every start).
    pub pull_always: bool,
    /// Current state.
    pub state: CState,
    /// Restarts so far.
    pub restart_count: u32,
    /// Readiness.
    pub ready: bool,
    /// Previous termination.
    pub last_term: Option<Term>,
    /// Crash-loop back-off entry.
    pub backoff: Option<Backoff>,
    /// Image-pull back-off entry.
    pub pull_backoff: Option<Backoff>,
    /// Time of the last failed pull (back-off reference).
    pub pull_failed_ms: Option<Ms>,
    /// Run counter: timers of earlier runs are stale.
    pub run: u32,
    /// Consecutive readiness successes / failures.
    pub readiness_streak: (u32, u32),
    /// Consecutive liveness failures.
    pub liveness_failures: u32,
    /// Readiness probe, if any.
    pub readiness: Option<ProbeCfg>,
    /// Liveness probe, if any.
    pub liveness: Option<ProbeCfg>,
    /// Ports the server listens on.
    pub ports: Vec<i32>,
    /// When the current pull began.
    pub pull_started_ms: Ms,
}

/// Runtime state of a pod (what the kubelet and controllers decide on; `status` is rendered
/// from it).
#[derive(Debug, Clone)]
pub struct PodRt {
    /// Node the pod is bound to.
    pub node: Option<String>,
    /// Phase.
    pub phase: PodPhase,
    /// CPU request (millicores), cached at creation.
    pub cpu_milli: i64,
    /// Memory request (bytes), cached at creation.
    pub memory_bytes: i64,
    /// Creation time.
    pub created_ms: Ms,
    /// Binding time (PodScheduled=True).
    pub scheduled_ms: Option<Ms>,
    /// Last FailedScheduling message (PodScheduled=False).
    pub unschedulable: Option<String>,
    /// `status.startTime`: when the kubelet accepted the pod.
    pub start_ms: Option<Ms>,
    /// Sandbox ready (PodReadyToStartContainers).
    pub sandbox_ms: Option<Ms>,
    /// Pod IP.
    pub ip: Option<u32>,
    /// Host (node) IP.
    pub host_ip: Option<u32>,
    /// Ready condition.
    pub ready: bool,
    /// Last transition of Ready (ranking and minReadySeconds use it).
    pub ready_change_ms: Option<Ms>,
    /// Graceful deletion requested at.
    pub deleting_ms: Option<Ms>,
    /// Grace period of the deletion.
    pub grace_ms: Ms,
    /// Kill in progress.
    pub killing: bool,
    /// A pull or start is in flight for this container index.
    pub busy: Option<usize>,
    /// Containers.
    pub containers: Vec<ContainerRt>,
    /// Bumped when timers must be invalidated (kubelet restart).
    pub epoch: u32,
    /// Behaviour annotations.
    pub behaviour: Behaviour,
    /// Restart policy.
    pub restart: RestartPolicy,
    /// `status` must be re-rendered at the end of the step.
    pub status_dirty: bool,
    /// resourceVersion was bumped for a change but `status` not yet re-rendered (done once
    /// when the public call returns; see [`crate::Sim::run_until`]).
    pub status_stale: bool,
    /// The node lifecycle controller set the Ready condition False (`MarkPodsNotReady`,
    /// pkg/controller/util/node/controller_utils.go) because the node stopped reporting. It
    /// holds until the kubelet posts the pod's status again (restart resync); containers keep
    /// their own ready flags, as upstream leaves containerStatuses alone.
    pub marked_not_ready: bool,
}

impl PodRt {
    /// Runtime for a newly created pod.
    pub fn new(pod: &Pod, now: Ms) -> PodRt {
        let (cpu_milli, memory_bytes) = crate::store::pod_requests(pod);
        let containers = pod
            .spec
            .containers
            .iter()
            .map(|c| {
                let image = c.image.clone().unwrap_or_default();
                // The tag matters only without a policy (admission sets one on every created
                // pod, so the split is usually skipped).
                let pull_always = match c.image_pull_policy.as_deref() {
                    Some("Always") => true,
                    Some(_) => false,
                    None => app::split_image(&image).1 == "latest",
                };
                let mut ports: Vec<i32> = c.ports.iter().map(|p| p.container_port).collect();
                if ports.is_empty() {
                    ports.push(80);
                }
                ContainerRt {
                    name: c.name.clone(),
                    image,
                    pull_always,
                    state: CState::Waiting {
                        reason: "ContainerCreating",
                        message: None,
                    },
                    restart_count: 0,
                    ready: false,
                    last_term: None,
                    backoff: None,
                    pull_backoff: None,
                    pull_failed_ms: None,
                    run: 0,
                    readiness_streak: (0, 0),
                    liveness_failures: 0,
                    readiness: c.readiness_probe.as_ref().map(|p| ProbeCfg::of(p, c)),
                    liveness: c.liveness_probe.as_ref().map(|p| ProbeCfg::of(p, c)),
                    ports,
                    pull_started_ms: 0,
                }
            })
            .collect();
        PodRt {
            node: pod.spec.node_name.clone().filter(|n| !n.is_empty()),
            phase: PodPhase::Pending,
            cpu_milli,
            memory_bytes,
            created_ms: now,
            scheduled_ms: None,
            unschedulable: None,
            start_ms: None,
            sandbox_ms: None,
            ip: None,
            host_ip: None,
            ready: false,
            ready_change_ms: None,
            deleting_ms: None,
            grace_ms: 30 * SECOND_MS,
            killing: false,
            busy: None,
            containers,
            epoch: 0,
            behaviour: Behaviour::of(pod),
            status_dirty: false,
            status_stale: false,
            marked_not_ready: false,
            restart: match pod.spec.restart_policy.as_deref() {
                Some("Never") => RestartPolicy::Never,
                Some("OnFailure") => RestartPolicy::OnFailure,
                _ => RestartPolicy::Always,
            },
        }
    }

    /// Is the app of container `i` listening at `now` (running and past its startup time)?
    pub fn listening(&self, i: usize, now: Ms) -> bool {
        match self.containers[i].state {
            CState::Running { since_ms } => {
                !self.killing && now >= since_ms + self.behaviour.startup_ms
            }
            _ => false,
        }
    }

    /// Does `/` answer 200 (listening and not yet failing readiness)?
    pub fn healthy(&self, i: usize, now: Ms) -> bool {
        let CState::Running { since_ms } = self.containers[i].state else {
            return false;
        };
        self.listening(i, now)
            && self
                .behaviour
                .fail_readiness_after_ms
                .is_none_or(|d| now < since_ms + d)
    }

    fn compute_phase(&self) -> PodPhase {
        if self.node.is_none() || self.sandbox_ms.is_none() {
            return PodPhase::Pending;
        }
        let never_started = self.containers.iter().any(|c| {
            matches!(c.state, CState::Waiting { .. })
                && c.last_term.is_none()
                && c.restart_count == 0
        });
        if never_started {
            return PodPhase::Pending;
        }
        let all_done = self.containers.iter().all(|c| match &c.state {
            CState::Terminated(t) => match self.restart {
                RestartPolicy::Always => false,
                RestartPolicy::OnFailure => t.exit_code == 0,
                RestartPolicy::Never => true,
            },
            _ => false,
        });
        if all_done {
            let ok = self
                .containers
                .iter()
                .all(|c| matches!(&c.state, CState::Terminated(t) if t.exit_code == 0));
            return if ok {
                PodPhase::Succeeded
            } else {
                PodPhase::Failed
            };
        }
        PodPhase::Running
    }

    /// Largest container restart count (ranking rule 7).
    pub fn max_restarts(&self) -> u32 {
        self.containers
            .iter()
            .map(|c| c.restart_count)
            .max()
            .unwrap_or(0)
    }
}

// Status rendering writes into the previous render field by field (`render_status_into`): a
// pod is rendered several times on its way to Running and most strings (condition types,
// timestamps, image ids) come out the same, so a field that did not change keeps its
// allocation instead of being freed and allocated again (a tenth of a 150,000-pod run went
// to that churn). Every field of every struct is written, so the result equals a fresh render
// whatever was there before; debug builds check exactly that.

/// Overwrite `s` with `v`, keeping its allocation.
fn put(s: &mut String, v: &str) {
    if s != v {
        s.clear();
        s.push_str(v);
    }
}

/// Overwrite `o` with `v`, keeping an existing allocation.
fn put_opt(o: &mut Option<String>, v: Option<&str>) {
    match (o.as_mut(), v) {
        (_, None) => *o = None,
        (Some(s), Some(v)) => put(s, v),
        (None, Some(v)) => *o = Some(v.to_string()),
    }
}

/// Overwrite `o` with the constant `v`: borrowed, nothing allocated (condition types and
/// statuses, reasons, phase and QoS class are constants; the API types hold them as `Cow`).
fn put_static(o: &mut Option<Cow<'static, str>>, v: Option<&'static str>) {
    *o = v.map(Cow::Borrowed);
}

/// Text formatted on the stack: `write!` into a `String` grows it piece by piece (an image id
/// of ~100 bytes took five reallocations on a pod's first render), and most re-renders write
/// the text that is already there. Longer text spills into a `String`.
pub(crate) struct StackText {
    buf: [u8; 128],
    len: usize,
    spill: Option<String>,
}

impl StackText {
    /// `s` (no formatting machinery).
    pub(crate) fn from_str(s: &str) -> StackText {
        use std::fmt::Write as _;
        let mut t = StackText {
            buf: [0; 128],
            len: 0,
            spill: None,
        };
        let _ = t.write_str(s);
        t
    }

    /// Format `args`.
    pub(crate) fn of(args: std::fmt::Arguments<'_>) -> StackText {
        use std::fmt::Write as _;
        let mut t = StackText::from_str("");
        let _ = t.write_fmt(args);
        t
    }

    /// Append `v` as 16 lowercase hex digits (`{v:016x}`).
    pub(crate) fn push_hex16(&mut self, v: u64) {
        use std::fmt::Write as _;
        let mut digits = [0u8; 16];
        for (k, d) in digits.iter_mut().enumerate() {
            let nibble = (v >> (60 - 4 * k)) & 15;
            *d = b"0123456789abcdef"[nibble as usize];
        }
        // Straight into the buffer when it fits (ASCII, so the text stays UTF-8); the spill
        // path takes the digits as a `str`.
        if self.spill.is_none() {
            if let Some(dst) = self.buf.get_mut(self.len..self.len + 16) {
                dst.copy_from_slice(&digits);
                self.len += 16;
                return;
            }
        }
        let _ = self.write_str(std::str::from_utf8(&digits).unwrap_or_default());
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        match &self.spill {
            Some(s) => s,
            // Only whole `&str`s are ever copied in, so the prefix is UTF-8.
            None => std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default(),
        }
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if let Some(spill) = &mut self.spill {
            spill.push_str(s);
        } else if let Some(dst) = self.buf.get_mut(self.len..self.len + s.len()) {
            dst.copy_from_slice(s.as_bytes());
            self.len += s.len();
        } else {
            let mut spill = String::with_capacity(2 * (self.len + s.len()));
            spill.push_str(self.as_str());
            spill.push_str(s);
            self.spill = Some(spill);
        }
        Ok(())
    }
}

/// Overwrite `o` with the decimal digits of `v`, keeping an existing allocation (the
/// resourceVersion every status write stamps).
pub(crate) fn put_u64(o: &mut Option<String>, v: u64) {
    let mut digits = [0u8; 20];
    let digits = crate::digits::decimal(v, &mut digits);
    // Pushed as chars (ASCII digits): no UTF-8 check, and no comparison first (a new version
    // always differs from the previous one).
    let s = o.get_or_insert_with(String::new);
    s.clear();
    s.extend(digits.iter().map(|&d| char::from(d)));
}

/// What one status flush reuses from pod to pod: timestamp texts, and the `imageID` of the
/// last image rendered (a ReplicaSet's pods share their image, and the id is a pure function
/// of it: repo, digest, hex).
#[derive(Debug, Default)]
pub struct RenderMemo {
    /// RFC 3339 texts.
    pub times: Rfc3339Memo,
    /// The image `image_id` was computed for.
    image: String,
    /// `image_id_of(image)`; empty until the first computation (a real id is never empty).
    image_id: String,
}

impl RenderMemo {
    /// [`image_id_of`]`(image)`, computed again only for a different image.
    fn image_id(&mut self, image: &str) -> &str {
        if self.image_id.is_empty() || self.image != image {
            put(&mut self.image_id, image_id_of(image).as_str());
            put(&mut self.image, image);
        }
        &self.image_id
    }
}

/// `imageID` of a running container: `<qualified repo>@sha256:<digest>` with a digest made
/// up from the image reference.
fn image_id_of(image: &str) -> StackText {
    // The hex digits are written directly (see `StackText::push_hex16`).
    let (repo, _) = app::split_image(image);
    let digest = crate::hash::fnv1a64(image.as_bytes());
    let mut t = StackText::of(format_args!("{}@sha256:", app::QualifiedFmt(repo)));
    for _ in 0..4 {
        t.push_hex16(digest);
    }
    t
}

/// Overwrite `o` with the RFC 3339 rendering of `at`.
fn put_time(o: &mut Option<String>, at: Option<Ms>, memo: &mut Rfc3339Memo) {
    match at {
        None => *o = None,
        Some(t) => match memo.text(t) {
            Some(text) => put_opt(o, Some(text)),
            None => *o = Some(rfc3339(t)),
        },
    }
}

/// Overwrite `out` with the condition `cond` used to build.
fn put_cond(
    out: &mut Condition,
    type_: &'static str,
    ok: bool,
    at: Option<Ms>,
    reason: Option<&'static str>,
    msg: Option<&str>,
    memo: &mut Rfc3339Memo,
) {
    let Condition {
        type_: t,
        status,
        last_probe_time,
        last_heartbeat_time,
        last_update_time,
        last_transition_time,
        reason: r,
        message,
        observed_generation,
    } = out;
    *t = Cow::Borrowed(type_);
    put(status, if ok { "True" } else { "False" });
    *last_probe_time = None;
    *last_heartbeat_time = None;
    *last_update_time = None;
    put_time(last_transition_time, at, memo);
    put_static(r, reason);
    put_opt(message, msg);
    *observed_generation = None;
}

/// Overwrite `out` with a state detail (`exit_code`/times from the runtime state).
fn put_detail(
    out: &mut Option<Box<StateDetail>>,
    reason: Option<&'static str>,
    message: Option<&str>,
    exit_code: Option<i32>,
    started: Option<Ms>,
    finished: Option<Ms>,
    memo: &mut Rfc3339Memo,
) {
    let StateDetail {
        reason: r,
        message: m,
        exit_code: e,
        started_at,
        finished_at,
        signal,
        container_id,
    } = &mut **out.get_or_insert_with(Box::default);
    put_static(r, reason);
    put_opt(m, message);
    *e = exit_code;
    put_time(started_at, started, memo);
    put_time(finished_at, finished, memo);
    *signal = None;
    *container_id = None;
}

fn put_term(out: &mut Option<Box<StateDetail>>, t: &Term, memo: &mut Rfc3339Memo) {
    put_detail(
        out,
        Some(t.reason),
        None,
        Some(t.exit_code),
        Some(t.started_ms),
        Some(t.finished_ms),
        memo,
    );
}

fn put_state(out: &mut ContainerState, s: &CState, memo: &mut Rfc3339Memo) {
    let ContainerState {
        waiting,
        running,
        terminated,
    } = out;
    // A state change moves the previous detail box to the new state's slot (`put_detail`
    // overwrites every field) instead of freeing one box and allocating another.
    let spare = waiting
        .take()
        .or_else(|| running.take())
        .or_else(|| terminated.take());
    match s {
        CState::Waiting { reason, message } => {
            *waiting = spare;
            put_detail(
                waiting,
                Some(reason),
                message.as_deref(),
                None,
                None,
                None,
                memo,
            );
            *running = None;
            *terminated = None;
        }
        CState::Running { since_ms } => {
            *waiting = None;
            *running = spare;
            put_detail(running, None, None, None, Some(*since_ms), None, memo);
            *terminated = None;
        }
        CState::Terminated(t) => {
            *waiting = None;
            *running = None;
            *terminated = spare;
            put_term(terminated, t, memo);
        }
    }
}

/// Make `v` hold `n` elements, keeping the existing ones (they are overwritten next). Grows
/// to exactly `n`: `push`'s amortised doubling would leave room for four 1 KiB container
/// statuses in every single-container pod.
fn resize_default<T: Default>(v: &mut Vec<T>, n: usize) {
    v.truncate(n);
    v.reserve_exact(n.saturating_sub(v.len()));
    while v.len() < n {
        v.push(T::default());
    }
}

/// `containerID`: a hash of `<pod uid>/<container>/<run>` (fed piecewise, same bytes).
fn container_hash(uid: &str, name: &str, run: u32) -> u64 {
    let mut h = crate::hash::Fnv64::default();
    h.write(uid.as_bytes());
    h.write(b"/");
    h.write(name.as_bytes());
    h.write(b"/");
    let mut digits = [0u8; 20];
    h.write(crate::digits::decimal(u64::from(run), &mut digits));
    h.0
}

fn put_container(out: &mut ContainerStatus, uid: &str, c: &ContainerRt, memo: &mut RenderMemo) {
    let ContainerStatus {
        name,
        ready,
        restart_count,
        image,
        image_id,
        container_id,
        started,
        state,
        last_state,
    } = out;
    let running = !matches!(c.state, CState::Waiting { .. });
    put(name, &c.name);
    *ready = c.ready;
    *restart_count = c.restart_count as i32;
    put(image, &c.image);
    if running {
        // These two ids are re-rendered with every status of a running container: the image
        // id comes from the flush's memo, the container id's hex digits are written directly.
        put(image_id, memo.image_id(&c.image));
        let h = container_hash(uid, &c.name, c.run);
        let mut t = StackText::from_str("containerd://");
        for v in [h, h.rotate_left(13), h, h.rotate_left(29)] {
            t.push_hex16(v);
        }
        put_opt(container_id, Some(t.as_str()));
    } else {
        image_id.clear();
        *container_id = None;
    }
    *started = Some(matches!(c.state, CState::Running { .. }));
    put_state(state, &c.state, &mut memo.times);
    match &c.last_term {
        Some(t) => {
            last_state.waiting = None;
            last_state.running = None;
            put_term(&mut last_state.terminated, t, &mut memo.times);
        }
        None => *last_state = ContainerState::default(),
    }
}

/// Render `status` from the runtime state.
pub fn render_status(pod: &Pod, rt: &PodRt) -> PodStatus {
    let mut st = PodStatus::default();
    render_status_into(pod, rt, &mut st);
    st
}

/// [`render_status`] into the previous render, reusing its allocations (see above).
pub fn render_status_into(pod: &Pod, rt: &PodRt, out: &mut PodStatus) {
    render_status_memo(pod, rt, out, &mut RenderMemo::default());
}

/// [`render_status_into`] with timestamps and image ids taken from `memo` (one memo serves a
/// whole flush).
pub fn render_status_memo(pod: &Pod, rt: &PodRt, out: &mut PodStatus, memo: &mut RenderMemo) {
    let PodStatus {
        phase,
        conditions,
        message,
        reason,
        nominated_node_name,
        host_ip,
        pod_ip,
        start_time,
        init_container_statuses,
        container_statuses,
        qos_class,
        pod_ips,
        host_ips,
        ephemeral_container_statuses,
        resize,
        resource_claim_statuses,
        observed_generation,
    } = out;
    let started = rt.node.is_some() && rt.start_ms.is_some();
    let sched = match (&rt.scheduled_ms, &rt.unschedulable) {
        (Some(_), _) | (None, Some(_)) => 1,
        _ => 0,
    };
    if conditions.capacity() == 0 && rt.scheduled_ms.is_some() {
        // A bound pod's first render has only PodScheduled, and the kubelet adds the other
        // four soon after: room for all five at once instead of growing 1 -> 5.
        conditions.reserve_exact(5);
    }
    resize_default(conditions, if started { 4 } else { 0 } + sched);
    let mut i = 0;
    if started {
        put_cond(
            &mut conditions[0],
            "PodReadyToStartContainers",
            rt.sandbox_ms.is_some(),
            rt.sandbox_ms.or(rt.start_ms),
            None,
            None,
            &mut memo.times,
        );
        put_cond(
            &mut conditions[1],
            "Initialized",
            true,
            rt.start_ms,
            None,
            None,
            &mut memo.times,
        );
        let any_not_ready = rt.containers.iter().any(|c| !c.ready);
        let mut msg: Option<String> = None;
        if any_not_ready {
            // Reuse the previous message's buffer.
            msg = conditions[2].message.take();
            let m = msg.get_or_insert_with(String::new);
            m.clear();
            const HEAD: &str = "containers with unready status: [";
            // Sized once (head, names with their separators, `]`) instead of growing.
            let names: usize = rt
                .containers
                .iter()
                .filter(|c| !c.ready)
                .map(|c| c.name.len() + 1)
                .sum();
            m.reserve(HEAD.len() + names);
            m.push_str(HEAD);
            for (n, c) in rt.containers.iter().filter(|c| !c.ready).enumerate() {
                if n > 0 {
                    m.push(' ');
                }
                m.push_str(&c.name);
            }
            m.push(']');
        }
        let reason = any_not_ready.then_some("ContainersNotReady");
        let at = rt.ready_change_ms.or(rt.start_ms);
        let (ready_cond, rest) = conditions[2..].split_at_mut(1);
        put_cond(
            &mut ready_cond[0],
            "Ready",
            rt.ready,
            at,
            reason,
            None,
            &mut memo.times,
        );
        ready_cond[0].message = msg;
        put_cond(
            &mut rest[0],
            "ContainersReady",
            rt.ready,
            at,
            reason,
            ready_cond[0].message.as_deref(),
            &mut memo.times,
        );
        i = 4;
    }
    match (&rt.scheduled_ms, &rt.unschedulable) {
        (Some(t), _) => put_cond(
            &mut conditions[i],
            "PodScheduled",
            true,
            Some(*t),
            None,
            None,
            &mut memo.times,
        ),
        (None, Some(m)) => put_cond(
            &mut conditions[i],
            "PodScheduled",
            false,
            Some(rt.created_ms),
            Some("Unschedulable"),
            Some(m),
            &mut memo.times,
        ),
        _ => {}
    }
    if rt.start_ms.is_some() {
        resize_default(container_statuses, rt.containers.len());
        let uid = pod.metadata.uid.as_deref().unwrap_or("");
        for (out, c) in container_statuses.iter_mut().zip(&rt.containers) {
            put_container(out, uid, c, memo);
        }
    } else {
        container_statuses.clear();
    }
    let guaranteed = pod.spec.containers.iter().all(|c| {
        ["cpu", "memory"].iter().all(|r| {
            c.resources.limits.contains_key(*r)
                && c.resources
                    .requests
                    .get(*r)
                    .is_none_or(|q| Some(q) == c.resources.limits.get(*r))
        })
    });
    let best_effort = pod
        .spec
        .containers
        .iter()
        .all(|c| c.resources.requests.is_empty() && c.resources.limits.is_empty());
    put_static(phase, Some(rt.phase.as_str()));
    *message = None;
    *reason = None;
    *nominated_node_name = None;
    match rt.host_ip {
        Some(ip) => put_opt(host_ip, Some(crate::node::IpFmt(ip).text().as_str())),
        None => *host_ip = None,
    }
    match rt.ip {
        Some(ip) => put_opt(pod_ip, Some(crate::node::IpFmt(ip).text().as_str())),
        None => *pod_ip = None,
    }
    put_time(start_time, rt.start_ms, &mut memo.times);
    init_container_statuses.clear();
    put_static(
        qos_class,
        Some(if best_effort {
            "BestEffort"
        } else if guaranteed {
            "Guaranteed"
        } else {
            "Burstable"
        }),
    );
    *pod_ips = None;
    *host_ips = None;
    *ephemeral_container_statuses = None;
    *resize = None;
    *resource_claim_statuses = None;
    *observed_generation = None;
}

/// The kubelet's Event occurrence about pod `rec` (container `c`'s field path, if any). All
/// of it is borrowed from the store: a repeat allocates nothing, a new event copies into the
/// strings of the one it evicts.
fn pod_occurrence<'a>(
    rec: &'a crate::store::PodRec,
    c: Option<usize>,
    warning: bool,
    reason: &'static str,
    at_ms: Ms,
) -> crate::events::Occurrence<'a> {
    let m = &rec.pod.metadata;
    crate::events::Occurrence {
        namespace: m.namespace.as_deref().unwrap_or("default"),
        involved_kind: "Pod",
        involved_name: &m.name,
        involved_uid: m.uid.as_deref().unwrap_or_default(),
        field_path: c.map(|i| ["spec.containers{", rec.rt.containers[i].name.as_str(), "}"]),
        type_: if warning { "Warning" } else { "Normal" },
        reason,
        source_component: "kubelet",
        source_host: rec.rt.node.as_deref(),
        at_ms,
    }
}

/// Kubelet timer actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KAct {
    /// SyncPod: decide and start the next piece of work.
    Sync,
    /// The sandbox is up.
    SandboxReady,
    /// A pull finished (container index, run).
    PullDone(usize, u32),
    /// A container finished starting (container index, run).
    Started(usize, u32),
    /// The app exits by itself (container index, run).
    Crash(usize, u32),
    /// A probe is due (container index, run, readiness=true / liveness=false).
    Probe(usize, u32, bool),
    /// After ImagePullBackOff's first sync: show the back-off state.
    PullBackOff(usize, u32),
    /// Termination finished: remove the pod.
    Stopped,
    /// A liveness-killed container has exited (container index, run).
    Killed(usize, u32),
}

/// [`Sim::pod_watchers`] on a pod record in hand: queue a sync of the pod's controlling
/// ReplicaSet at `now` unless one is already due.
fn wake_owner(
    work: &mut crate::workqueue::WorkQueue,
    queue: &mut crate::queue::EventQueue<Ev>,
    now: Ms,
    key: &Key,
    rec: &crate::store::PodRec,
) {
    let Some(o) = rec
        .pod
        .metadata
        .owner_references
        .iter()
        .find(|o| o.controller == Some(true) && o.kind == "ReplicaSet")
    else {
        return;
    };
    if work.add(ControllerId::ReplicaSet, &key.0, &o.name, now) {
        queue.push(
            now,
            Ev::Work(ControllerId::ReplicaSet, (key.0.clone(), o.name.clone())),
        );
    }
}

impl Sim {
    /// Arm a kubelet timer for a pod at `at`.
    pub(crate) fn kubelet_at(&mut self, key: &Key, at: Ms, act: KAct) {
        let Some((slot, rec)) = self.store.pods().get_with_slot(key) else {
            return;
        };
        let epoch = rec.rt.epoch;
        self.queue.push(
            at,
            Ev::Kubelet(self.kubelet_keys.copy(key), epoch, act, slot),
        );
    }

    /// Whether `node` exists and its kubelet runs: the store's hash table of kubelets answers
    /// without searching the node tree (this runs on most kubelet timers).
    fn kubelet_alive(&self, node: &str) -> bool {
        self.store.kubelet_running(node)
    }

    /// Apply `f` to a pod's runtime, re-render status, bump resourceVersion, and notify
    /// watchers (owner ReplicaSet, scheduler cache).
    pub(crate) fn pod_changed<R>(
        &mut self,
        key: &Key,
        f: impl FnOnce(&mut crate::kubelet::PodRt, Ms) -> R,
    ) -> Option<R> {
        self.pod_update(key, |rec, now| f(&mut rec.rt, now))
    }

    /// Like [`Sim::pod_changed`] with access to the whole record (spec, metadata; not owners).
    pub(crate) fn pod_update<R>(
        &mut self,
        key: &Key,
        f: impl FnOnce(&mut crate::store::PodRec, Ms) -> R,
    ) -> Option<R> {
        self.pod_update_inner(key, false, f)
    }

    /// Like [`Sim::pod_update`] for edits of ownerReferences.
    pub(crate) fn pod_update_meta<R>(
        &mut self,
        key: &Key,
        f: impl FnOnce(&mut crate::store::PodRec, Ms) -> R,
    ) -> Option<R> {
        self.pod_update_inner(key, true, f)
    }

    fn pod_update_inner<R>(
        &mut self,
        key: &Key,
        meta: bool,
        f: impl FnOnce(&mut crate::store::PodRec, Ms) -> R,
    ) -> Option<R> {
        let now = self.now;
        let (work, queue) = (&mut self.work, &mut self.queue);
        let edit = |rec: &mut crate::store::PodRec| {
            let out = f(rec, now);
            rec.rt.phase = if matches!(rec.rt.phase, PodPhase::Succeeded | PodPhase::Failed) {
                rec.rt.phase
            } else {
                rec.rt.compute_phase()
            };
            let ready = rec.rt.phase == PodPhase::Running
                && !rec.rt.killing
                && !rec.rt.marked_not_ready
                && rec.rt.containers.iter().all(|c| c.ready);
            if ready != rec.rt.ready {
                rec.rt.ready = ready;
                rec.rt.ready_change_ms = Some(now);
            }
            let newly_dirty = !rec.rt.status_dirty;
            rec.rt.status_dirty = true;
            // The owner is woken here, from the record in hand, rather than by
            // `pod_watchers` looking the pod up again after the edit (same wake-up: it
            // reads only the edited metadata, and the work and event queues are apart
            // from the store).
            wake_owner(work, queue, now, key, rec);
            (out, newly_dirty)
        };
        let (out, newly_dirty) = if meta {
            self.store.update_pod_meta(key, edit)?
        } else {
            self.store.update_pod(key, edit)?
        };
        if newly_dirty {
            let h = self.store.pods().handle(key);
            // The pod was just edited, so the handle names it (and later its key).
            debug_assert_ne!(h, crate::store::PodHandle::NONE);
            self.dirty_pods.push(h);
        }
        Some(out)
    }

    /// Wake whoever watches a pod: its controller (ReplicaSet).
    pub(crate) fn pod_watchers(&mut self, key: &Key) {
        // Borrow the owner name from the store while touching only the work and event
        // queues: no allocation unless a new wake-up is needed.
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        wake_owner(&mut self.work, &mut self.queue, self.now, key, rec);
    }

    fn pod_event(
        &mut self,
        key: &Key,
        c: Option<usize>,
        warning: bool,
        reason: &'static str,
        message: std::fmt::Arguments<'_>,
    ) {
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        self.events
            .record_occurrence(&pod_occurrence(rec, c, warning, reason, self.now), message);
    }

    fn pod_format(&self, key: &Key) -> String {
        let uid = self
            .store
            .pod(key)
            .and_then(|r| r.pod.metadata.uid.clone())
            .unwrap_or_default();
        format!("{}_{}({uid})", key.1, key.0)
    }

    /// Dispatch one kubelet timer.
    pub(crate) fn kubelet(&mut self, key: &Key, epoch: u32, act: KAct) {
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        if rec.rt.epoch != epoch {
            return;
        }
        let Some(node) = rec.rt.node.as_deref() else {
            return;
        };
        // SandboxReady and PullDone look the node up anyway and check its kubelet there (before
        // any effect): one search of the node table per timer instead of two.
        if !matches!(act, KAct::SandboxReady | KAct::PullDone(..)) && !self.kubelet_alive(node) {
            return;
        }
        match act {
            KAct::Sync => self.sync_pod(key),
            KAct::SandboxReady => self.sandbox_ready(key),
            KAct::PullDone(i, run) => self.pull_done(key, i, run),
            KAct::Started(i, run) => self.container_started(key, i, run),
            KAct::Crash(i, run) => self.container_exited(key, i, run, None),
            KAct::Killed(i, run) => self.container_exited(key, i, run, Some(137)),
            KAct::Probe(i, run, readiness) => self.probe(key, i, run, readiness),
            KAct::PullBackOff(i, run) => self.pull_backoff_shown(key, i, run),
            KAct::Stopped => self.pod_stopped(key),
        }
    }

    /// A pod was bound to a node: the kubelet will pick it up.
    pub(crate) fn kubelet_pod_bound(&mut self, key: &Key) {
        self.kubelet_at(key, self.now + PICKUP_MS, KAct::Sync);
    }

    /// SyncPod: the level-triggered heart of the kubelet.
    fn sync_pod(&mut self, key: &Key) {
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        let rt = &rec.rt;
        if rt.deleting_ms.is_some() {
            if !rt.killing {
                self.kill_pod(key);
            }
            return;
        }
        if matches!(rt.phase, PodPhase::Succeeded | PodPhase::Failed) {
            return;
        }
        if rt.start_ms.is_none() {
            self.pod_changed(key, |rt, now| rt.start_ms = Some(now));
            self.tr_key("Pod", key, "Accepted", format_args!(""));
            self.kubelet_at(key, self.now + SANDBOX_MS, KAct::SandboxReady);
            return;
        }
        if rt.sandbox_ms.is_none() || rt.busy.is_some() {
            return;
        }
        let n = rt.containers.len();
        for i in 0..n {
            let Some(rec) = self.store.pod(key) else {
                return;
            };
            let c = &rec.rt.containers[i];
            match &c.state {
                CState::Running { .. } => continue,
                CState::Waiting { reason, .. }
                    if *reason != "CrashLoopBackOff"
                        && c.last_term.is_none()
                        && c.restart_count == 0 =>
                {
                    self.begin_pull(key, i);
                    return;
                }
                CState::Waiting { reason, .. }
                    if *reason == "ErrImagePull" || *reason == "ImagePullBackOff" =>
                {
                    self.begin_pull(key, i);
                    return;
                }
                _ => {
                    if self.try_restart(key, i) {
                        return;
                    }
                }
            }
        }
    }

    fn sandbox_ready(&mut self, key: &Key) {
        // The store lends the pod and its node together: no copy of the node's name.
        let (ip, host_ip) = match self.store.pod_node_mut(key) {
            Some(n) if n.rt.kubelet_running => (n.rt.alloc_ip(), n.rt.ip),
            _ => return,
        };
        self.pod_changed(key, |rt, now| {
            rt.sandbox_ms = Some(now);
            rt.ip = ip;
            rt.host_ip = Some(host_ip);
        });
        match ip {
            Some(ip) => self.tr_key(
                "Pod",
                key,
                "SandboxReady",
                format_args!("ip={}", crate::node::IpFmt(ip)),
            ),
            None => self.tr_key("Pod", key, "SandboxReady", format_args!("ip=")),
        }
        self.sync_pod(key);
    }

    /// EnsureImageExists: pull (Always, or not cached) or use the cached image.
    fn begin_pull(&mut self, key: &Key, i: usize) {
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        let c = &rec.rt.containers[i];
        let (always, run) = (c.pull_always, c.run);
        // Image pull back-off (kubelet `imageBackOff`, same 10 s…300 s window).
        if let Some(failed) = c.pull_failed_ms {
            if Backoff::in_backoff_since(c.pull_backoff, failed, self.now) {
                let until = failed + c.pull_backoff.map_or(0, |b| b.backoff_ms);
                self.kubelet_at(key, until, KAct::Sync);
                return;
            }
        }
        let cached = rec
            .rt
            .node
            .as_deref()
            .and_then(|n| self.store.nodes.get(n))
            .is_some_and(|n| n.rt.images.contains(&c.image));
        let info = app::image_info(&c.image);
        // The messages borrow the image from the pod record (no copy), so the events are
        // recorded here rather than through `pod_event`.
        let now = self.now;
        if cached && !always {
            self.events.record_occurrence(
                &pod_occurrence(rec, Some(i), false, "Pulled", now),
                format_args!("Container image \"{}\" already present on machine", c.image),
            );
            self.pod_changed(key, |rt, _| rt.busy = Some(i));
            self.kubelet_at(key, self.now + START_MS, KAct::Started(i, run));
            return;
        }
        self.events.record_occurrence(
            &pod_occurrence(rec, Some(i), false, "Pulling", now),
            format_args!("Pulling image \"{}\"", c.image),
        );
        self.pod_changed(key, |rt, now| {
            rt.busy = Some(i);
            rt.containers[i].pull_started_ms = now;
        });
        if let Some(rec) = self.store.pod(key) {
            let c = &rec.rt.containers[i];
            self.trace.record_parts(
                now,
                "Pod",
                &crate::sim::KeyFmt(key),
                "Pulling",
                format_args!("container={} image={}", c.name, c.image),
            );
        }
        let ms = if info.exists {
            app::pull_ms(info, cached)
        } else {
            1_200
        };
        self.kubelet_at(key, self.now + ms, KAct::PullDone(i, run));
    }

    fn pull_done(&mut self, key: &Key, i: usize, run: u32) {
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        let c = &rec.rt.containers[i];
        if c.run != run || rec.rt.busy != Some(i) {
            return;
        }
        let Some(n) = rec.rt.node.as_deref().and_then(|n| self.store.nodes.get(n)) else {
            return;
        };
        if !n.rt.kubelet_running {
            return;
        }
        let info = app::image_info(&c.image);
        if info.exists {
            let new_image = !n.rt.images.contains(&c.image);
            self.pull_succeeded(key, i, run, info, new_image);
            return;
        }
        let image = c.image.clone();
        let cname = c.name.clone();
        {
            let q = app::qualified(&image);
            let msg = format!("Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{q}\": failed to resolve reference \"{q}\": {q}: not found");
            self.pod_event(key, Some(i), true, "Failed", format_args!("{}", msg));
            self.pod_event(
                key,
                Some(i),
                true,
                "Failed",
                format_args!("Error: ErrImagePull"),
            );
            let now = self.now;
            self.pod_changed(key, |rt, _| {
                rt.busy = None;
                let c = &mut rt.containers[i];
                c.pull_backoff = Some(Backoff::next(
                    c.pull_backoff,
                    now,
                    now,
                    BACKOFF_INITIAL_MS,
                    BACKOFF_MAX_MS,
                ));
                c.pull_failed_ms = Some(now);
                c.state = CState::Waiting {
                    reason: "ErrImagePull",
                    message: Some(msg),
                };
            });
            self.tr_key(
                "Pod",
                key,
                "ErrImagePull",
                format_args!("container={cname}"),
            );
            // The next sync (PLEG relist, ~1 s) finds the pull in back-off.
            self.kubelet_at(key, self.now + SECOND_MS, KAct::PullBackOff(i, run));
        }
    }

    /// The rest of [`Sim::pull_done`] for an image that exists: the node caches it, the
    /// container starts next.
    fn pull_succeeded(
        &mut self,
        key: &Key,
        i: usize,
        run: u32,
        info: app::ImageInfo,
        new_image: bool,
    ) {
        // Only the node's first pull of an image changes its cache (and the scheduler's view
        // of it); the names are copied for that rare write alone.
        if new_image {
            let Some(rec) = self.store.pod(key) else {
                return;
            };
            let node = rec.rt.node.as_deref().unwrap_or_default();
            let c = &rec.rt.containers[i];
            let (node, image) = (node.to_string(), c.image.clone());
            if let Some(n) = self.store.nodes.get_mut(&node) {
                n.rt.images.insert(image);
            }
            self.sched_upsert_node(&node);
        }
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        let c = &rec.rt.containers[i];
        let d = crate::clock::GoDuration(self.now.saturating_sub(c.pull_started_ms));
        self.events.record_occurrence(
            &pod_occurrence(rec, Some(i), false, "Pulled", self.now),
            format_args!(
                "Successfully pulled image \"{}\" in {d} ({d} including waiting). Image size: {} bytes.",
                c.image, info.size_bytes
            ),
        );
        self.pod_changed(key, |rt, _| rt.containers[i].pull_failed_ms = None);
        self.kubelet_at(key, self.now + START_MS, KAct::Started(i, run));
    }

    fn pull_backoff_shown(&mut self, key: &Key, i: usize, run: u32) {
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        let c = &rec.rt.containers[i];
        if c.run != run
            || !matches!(
                c.state,
                CState::Waiting {
                    reason: "ErrImagePull",
                    ..
                }
            )
        {
            return;
        }
        let image = c.image.clone();
        let cname = c.name.clone();
        let msg = format!("Back-off pulling image \"{image}\"");
        self.pod_event(key, Some(i), false, "BackOff", format_args!("{}", msg));
        self.pod_event(
            key,
            Some(i),
            true,
            "Failed",
            format_args!("Error: ImagePullBackOff"),
        );
        self.pod_changed(key, |rt, _| {
            rt.containers[i].state = CState::Waiting {
                reason: "ImagePullBackOff",
                message: Some(msg),
            }
        });
        self.tr_key(
            "Pod",
            key,
            "ImagePullBackOff",
            format_args!("container={cname}"),
        );
        self.sync_pod(key);
    }

    fn container_started(&mut self, key: &Key, i: usize, run: u32) {
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        if rec.rt.containers[i].run != run || rec.rt.busy != Some(i) {
            return;
        }
        let c = &rec.rt.containers[i];
        // Only the probes' initial delays are needed later.
        let readiness_ms = c.readiness.as_ref().map(|p| p.initial_ms);
        let liveness_ms = c.liveness.as_ref().map(|p| p.initial_ms);
        let crash = rec.rt.behaviour.crash_after_ms;
        let now = self.now;
        self.events.record_occurrence(
            &pod_occurrence(rec, Some(i), false, "Created", now),
            format_args!("Created container: {}", c.name),
        );
        self.events.record_occurrence(
            &pod_occurrence(rec, Some(i), false, "Started", now),
            format_args!("Started container {}", c.name),
        );
        let new_run = self.pod_changed(key, |rt, now| {
            rt.busy = None;
            let c = &mut rt.containers[i];
            if c.last_term.is_some() {
                c.restart_count += 1;
            }
            c.run += 1;
            c.state = CState::Running { since_ms: now };
            c.readiness_streak = (0, 0);
            c.liveness_failures = 0;
            c.ready = c.readiness.is_none();
            c.run
        });
        let Some(new_run) = new_run else { return };
        if let Some(rec) = self.store.pod(key) {
            self.trace.record_parts(
                now,
                "Pod",
                &crate::sim::KeyFmt(key),
                "Started",
                format_args!("container={}", rec.rt.containers[i].name),
            );
        }
        if let Some(initial_ms) = readiness_ms {
            self.kubelet_at(key, self.now + initial_ms, KAct::Probe(i, new_run, true));
        }
        if let Some(initial_ms) = liveness_ms {
            self.kubelet_at(key, self.now + initial_ms, KAct::Probe(i, new_run, false));
        }
        if let Some(d) = crash {
            self.kubelet_at(key, self.now + d, KAct::Crash(i, new_run));
        }
        self.sync_pod(key);
    }

    fn container_exited(&mut self, key: &Key, i: usize, run: u32, forced: Option<i32>) {
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        let c = &rec.rt.containers[i];
        let CState::Running { since_ms } = c.state else {
            return;
        };
        if c.run != run {
            return;
        }
        let code = forced.unwrap_or(rec.rt.behaviour.exit_code);
        let cname = c.name.clone();
        let reason = if code == 0 { "Completed" } else { "Error" };
        self.pod_changed(key, |rt, now| {
            let c = &mut rt.containers[i];
            let t = Term {
                exit_code: code,
                reason,
                started_ms: since_ms,
                finished_ms: now,
            };
            c.last_term = Some(t.clone());
            c.state = CState::Terminated(t);
            c.ready = false;
        });
        self.tr_key(
            "Pod",
            key,
            "ContainerExited",
            format_args!("container={cname} exitCode={code}"),
        );
        self.sync_pod(key);
    }

    /// `doBackOff` + start: returns true when the container is (being) started.
    fn try_restart(&mut self, key: &Key, i: usize) -> bool {
        let Some(rec) = self.store.pod(key) else {
            return false;
        };
        let c = &rec.rt.containers[i];
        let Some(t) = c.last_term.clone() else {
            return false;
        };
        let restart = match rec.rt.restart {
            RestartPolicy::Always => true,
            RestartPolicy::OnFailure => t.exit_code != 0,
            RestartPolicy::Never => false,
        };
        if !restart
            || !matches!(
                c.state,
                CState::Terminated(_)
                    | CState::Waiting {
                        reason: "CrashLoopBackOff",
                        ..
                    }
            )
        {
            return false;
        }
        if Backoff::in_backoff_since(c.backoff, t.finished_ms, self.now) {
            let b = c.backoff.map_or(0, |b| b.backoff_ms);
            let cname = c.name.clone();
            let was_waiting = matches!(c.state, CState::Waiting { .. });
            let msg = format!(
                "back-off {} restarting failed container={} pod={}",
                go_duration(b),
                cname,
                self.pod_format(key)
            );
            if !was_waiting {
                self.pod_event(
                    key,
                    Some(i),
                    true,
                    "BackOff",
                    format_args!(
                        "Back-off restarting failed container {cname} in pod {}",
                        self.pod_format(key)
                    ),
                );
                self.pod_changed(key, |rt, _| {
                    rt.containers[i].state = CState::Waiting {
                        reason: "CrashLoopBackOff",
                        message: Some(msg),
                    }
                });
                self.tr_key(
                    "Pod",
                    key,
                    "CrashLoopBackOff",
                    format_args!("container={cname} backoff={}", go_duration(b)),
                );
            }
            self.kubelet_at(key, t.finished_ms + b, KAct::Sync);
            return false;
        }
        self.pod_changed(key, |rt, now| {
            let c = &mut rt.containers[i];
            c.backoff = Some(Backoff::next(
                c.backoff,
                t.finished_ms,
                now,
                BACKOFF_INITIAL_MS,
                BACKOFF_MAX_MS,
            ));
            c.state = CState::Waiting {
                reason: "ContainerCreating",
                message: None,
            };
        });
        // A restart runs EnsureImageExists again (Always pulls again).
        let Some(rec) = self.store.pod(key) else {
            return false;
        };
        let (image, always) = (
            rec.rt.containers[i].image.clone(),
            rec.rt.containers[i].pull_always,
        );
        let run = rec.rt.containers[i].run;
        if always {
            self.begin_pull(key, i);
        } else {
            self.pod_event(
                key,
                Some(i),
                false,
                "Pulled",
                format_args!("Container image \"{image}\" already present on machine"),
            );
            self.pod_changed(key, |rt, _| rt.busy = Some(i));
            self.kubelet_at(key, self.now + START_MS, KAct::Started(i, run));
        }
        true
    }

    fn probe(&mut self, key: &Key, i: usize, run: u32, readiness: bool) {
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        let rt = &rec.rt;
        let c = &rt.containers[i];
        if c.run != run || !matches!(c.state, CState::Running { .. }) || rt.killing {
            return;
        }
        let Some(cfg) = (if readiness {
            c.readiness.clone()
        } else {
            c.liveness.clone()
        }) else {
            return;
        };
        let listening = rt.listening(i, self.now);
        let ok = if cfg.port.is_none() && cfg.path.is_none() {
            true // exec probes succeed: the simulated image has a shell that returns 0
        } else if readiness {
            rt.healthy(i, self.now) && cfg.port.is_none_or(|p| c.ports.contains(&p))
        } else {
            listening && cfg.port.is_none_or(|p| c.ports.contains(&p))
        };
        let ip = rt.ip.map(crate::node::ip_string).unwrap_or_default();
        let cname = c.name.clone();
        let port = cfg.port.unwrap_or(0);
        let what = if readiness { "Readiness" } else { "Liveness" };
        if !ok {
            let msg = match (&cfg.path, listening && cfg.port.is_none_or(|p| c.ports.contains(&p))) {
                (Some(_), true) => format!("{what} probe failed: HTTP probe failed with statuscode: 503"),
                (Some(path), false) => format!("{what} probe failed: Get \"http://{ip}:{port}{path}\": dial tcp {ip}:{port}: connect: connection refused"),
                (None, _) => format!("{what} probe failed: dial tcp {ip}:{port}: connect: connection refused"),
            };
            self.pod_event(key, Some(i), true, "Unhealthy", format_args!("{}", msg));
        }
        let next = self.now + cfg.period_ms;
        if readiness {
            let changed = self.pod_changed(key, |rt, _| {
                let c = &mut rt.containers[i];
                let (s, f) = c.readiness_streak;
                c.readiness_streak = if ok { (s + 1, 0) } else { (0, f + 1) };
                let before = c.ready;
                if ok && c.readiness_streak.0 >= cfg.success_threshold {
                    c.ready = true;
                }
                if !ok && c.readiness_streak.1 >= cfg.failure_threshold {
                    c.ready = false;
                }
                before != c.ready
            });
            if changed == Some(true) {
                self.tr(
                    "Pod",
                    key_str(key),
                    if ok {
                        "ContainerReady"
                    } else {
                        "ContainerNotReady"
                    },
                    format!("container={cname}"),
                );
            }
            self.kubelet_at(key, next, KAct::Probe(i, run, true));
        } else {
            let fails = self.pod_changed(key, |rt, _| {
                let c = &mut rt.containers[i];
                c.liveness_failures = if ok { 0 } else { c.liveness_failures + 1 };
                c.liveness_failures
            });
            if fails.is_some_and(|f| f >= cfg.failure_threshold) {
                self.pod_event(
                    key,
                    Some(i),
                    false,
                    "Killing",
                    format_args!("Container {cname} failed liveness probe, will be restarted"),
                );
                self.tr_key(
                    "Pod",
                    key,
                    "LivenessKill",
                    format_args!("container={cname}"),
                );
                self.kubelet_at(key, self.now + SHUTDOWN_MS, KAct::Killed(i, run));
            } else {
                self.kubelet_at(key, next, KAct::Probe(i, run, false));
            }
        }
    }

    /// Graceful termination: SIGTERM every running container.
    fn kill_pod(&mut self, key: &Key) {
        let Some(rec) = self.store.pod(key) else {
            return;
        };
        let running: Vec<(usize, String)> = rec
            .rt
            .containers
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c.state, CState::Running { .. }))
            .map(|(i, c)| (i, c.name.clone()))
            .collect();
        let grace = rec.rt.grace_ms;
        // Containers are stopped in parallel, each after its preStop hook
        // (`killContainersWithSyncResult`, `killContainer`): the pod is gone when the slowest
        // has stopped.
        let wait = running
            .iter()
            .filter_map(|(i, _)| rec.pod.spec.containers.get(*i))
            .map(|c| crate::lifecycle::stop_timeline(c, grace, SHUTDOWN_MS).1)
            .max()
            .unwrap_or(0);
        for (i, name) in &running {
            self.pod_event(
                key,
                Some(*i),
                false,
                "Killing",
                format_args!("Stopping container {name}"),
            );
        }
        self.pod_changed(key, |rt, _| {
            rt.killing = true;
            rt.busy = None;
            for c in &mut rt.containers {
                c.ready = false;
            }
        });
        self.tr_key(
            "Pod",
            key,
            "Killing",
            format_args!("grace={}s", grace / 1000),
        );
        self.kubelet_at(key, self.now + wait, KAct::Stopped);
    }

    fn pod_stopped(&mut self, key: &Key) {
        self.pod_changed(key, |rt, now| {
            for c in &mut rt.containers {
                if let CState::Running { since_ms } = c.state {
                    c.state = CState::Terminated(Term {
                        exit_code: 0,
                        reason: "Completed",
                        started_ms: since_ms,
                        finished_ms: now,
                    });
                }
            }
        });
        self.finalize_pod_deletion(key);
    }

    /// Node lease renewal.
    pub(crate) fn heartbeat(&mut self, node: &str, epoch: u32) {
        let Some(n) = self.store.nodes.get_mut(node) else {
            return;
        };
        if !n.rt.kubelet_running || n.rt.kubelet_epoch != epoch {
            return;
        }
        n.rt.last_heartbeat_ms = self.now;
        self.queue.push(
            self.now + HEARTBEAT_MS,
            Ev::Heartbeat(node.to_string(), epoch),
        );
    }

    /// Re-arm a pod's timers after its kubelet (re)started.
    pub(crate) fn kubelet_resync_pod(&mut self, key: &Key) {
        let plan = self.pod_changed(key, |rt, _| {
            rt.epoch += 1;
            rt.busy = None;
            // The restarted kubelet posts the pod's real status again.
            rt.marked_not_ready = false;
            rt.containers
                .iter()
                .enumerate()
                .filter_map(|(i, c)| match c.state {
                    CState::Running { since_ms } => {
                        Some((i, c.run, since_ms, c.readiness.clone(), c.liveness.clone()))
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
        });
        let crash = self
            .store
            .pod(key)
            .and_then(|r| r.rt.behaviour.crash_after_ms);
        for (i, run, since, r, l) in plan.into_iter().flatten() {
            if let Some(p) = r {
                self.kubelet_at(
                    key,
                    self.now + p.period_ms.min(SECOND_MS),
                    KAct::Probe(i, run, true),
                );
            }
            if let Some(p) = l {
                self.kubelet_at(key, self.now + p.period_ms, KAct::Probe(i, run, false));
            }
            if let Some(d) = crash {
                self.kubelet_at(key, (since + d).max(self.now), KAct::Crash(i, run));
            }
        }
        // The epoch bump above dropped an in-flight RunPodSandbox: a pod accepted (start_ms)
        // whose sandbox never became ready has none, and the restarted kubelet's SyncPod
        // creates it (`computePodActions` → `createPodSandbox` when no ready sandbox exists,
        // pkg/kubelet/kuberuntime/kuberuntime_manager.go). Without this the pod stayed
        // Pending forever after a `sim stop`/`sim start` during ContainerCreating.
        let lost_sandbox = self.store.pod(key).is_some_and(|r| {
            r.rt.start_ms.is_some() && r.rt.sandbox_ms.is_none() && r.rt.deleting_ms.is_none()
        });
        if lost_sandbox {
            self.kubelet_at(key, self.now + SANDBOX_MS, KAct::SandboxReady);
        }
        self.kubelet_at(key, self.now, KAct::Sync);
    }

    /// Chaos: kill a pod's container now (as if the process died with `exit_code`).
    pub fn crash_container(
        &mut self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        exit_code: i32,
    ) -> Result<(), String> {
        let key = (namespace.to_string(), pod.to_string());
        let rec = self
            .store
            .pod(&key)
            .ok_or_else(|| format!("pods \"{pod}\" not found"))?;
        let i = match container {
            Some(c) => rec
                .rt
                .containers
                .iter()
                .position(|x| x.name == c)
                .ok_or_else(|| format!("container {c} is not valid for pod {pod}"))?,
            None => 0,
        };
        let run = rec.rt.containers[i].run;
        let cname = rec.rt.containers[i].name.clone();
        if !matches!(rec.rt.containers[i].state, CState::Running { .. }) {
            return Err(format!("container {cname} of pod {pod} is not running"));
        }
        let node = rec.rt.node.clone().unwrap_or_default();
        self.tr_key(
            "Sim",
            &key,
            "CrashContainer",
            format_args!("container={cname} exitCode={exit_code}"),
        );
        if self.kubelet_alive(&node) {
            self.container_exited(&key, i, run, Some(exit_code));
        }
        self.flush_pod_status();
        Ok(())
    }

    /// The body the simulated server of a pod answers on `port` at path `/`, or why the
    /// connection fails (`connection refused`), or the 503 of a failing app. For the network
    /// engineer's request routing: `Ok(body)` is HTTP 200.
    pub fn pod_http_response(
        &self,
        namespace: &str,
        pod: &str,
        port: i32,
    ) -> Result<String, HttpFailure> {
        let key = (namespace.to_string(), pod.to_string());
        let rec = self.store.pod(&key).ok_or(HttpFailure::NoRoute)?;
        let Some(i) = rec
            .rt
            .containers
            .iter()
            .position(|c| c.ports.contains(&port))
        else {
            return Err(HttpFailure::ConnectionRefused);
        };
        if let Some(n) = &rec.rt.node {
            if self
                .store
                .nodes
                .get(n)
                .is_none_or(|n| !n.rt.kubelet_running && n.rt.terminated)
            {
                return Err(HttpFailure::Timeout);
            }
        }
        if !rec.rt.listening(i, self.now) {
            return Err(HttpFailure::ConnectionRefused);
        }
        if !rec.rt.healthy(i, self.now) {
            return Err(HttpFailure::Status(503));
        }
        Ok(app::hello_body(&rec.pod, i))
    }

    /// CPU one request costs a pod (annotation `kubeplay.dev/cpu-per-request`, default 1m).
    pub fn pod_cpu_per_request_milli(&self, namespace: &str, pod: &str) -> i64 {
        self.store
            .pod(&(namespace.to_string(), pod.to_string()))
            .map_or(0, |r| r.rt.behaviour.cpu_per_request_milli)
    }
}

/// Why a request to a pod did not get a 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpFailure {
    /// Nothing listens on the port (container down, starting, or port not served).
    ConnectionRefused,
    /// The pod's machine is gone: packets are dropped.
    Timeout,
    /// The pod does not exist.
    NoRoute,
    /// The app answered with this status (503 when failing readiness).
    Status(u16),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stack-formatted text equals `format!`, on the stack and past its 128 bytes, and
    /// the buffer-reusing writers leave what a fresh string would hold.
    #[test]
    fn stack_text_and_reused_buffers_match_fresh_strings() {
        let long = "x".repeat(120);
        let cases = [
            format!("{}", crate::node::IpFmt(0x0af4_0117)),
            format!("{}@sha256:{:016x}", "docker.io/library/nginx", u64::MAX),
            format!("{long}{}", "yz-beyond-the-stack-buffer"),
            format!("{long}{}{long}", 7),
            String::new(),
        ];
        for want in &cases {
            assert_eq!(StackText::of(format_args!("{want}")).as_str(), want);
            let mut s = String::from("previous text that is longer than some of the cases");
            put(&mut s, StackText::of(format_args!("{want}")).as_str());
            assert_eq!(&s, want);
            let mut o = None;
            put_opt(&mut o, Some(StackText::of(format_args!("{want}")).as_str()));
            assert_eq!(o.as_deref(), Some(want.as_str()));
        }
        for v in [0, 1, 0xdead_beef, u64::MAX, 0x0123_4567_89ab_cdef] {
            let mut t = StackText::of(format_args!("{}", "x".repeat(100)));
            t.push_hex16(v);
            t.push_hex16(v.rotate_left(13));
            assert_eq!(
                t.as_str(),
                format!("{}{v:016x}{:016x}", "x".repeat(100), v.rotate_left(13))
            );
        }
        let mut o = Some("123456".to_string());
        for v in [0, 7, 10, 99, 100, 123_456, u64::MAX] {
            put_u64(&mut o, v);
            assert_eq!(o, Some(v.to_string()));
        }
    }

    /// The flush memo's image ids equal a fresh computation, whatever image came before
    /// (including the empty reference the memo starts with).
    #[test]
    fn render_memo_image_ids_match_fresh() {
        let mut memo = RenderMemo::default();
        for image in [
            "",
            "nginx:1.27",
            "nginx:1.27",
            "registry.k8s.io/pause:3.9",
            "nginx:1.27",
            "library/nginx",
            "",
            "team/app@sha256:0123",
            "nginx:1.27",
        ] {
            let (repo, _) = app::split_image(image);
            let d = crate::hash::fnv1a64(image.as_bytes());
            let want = format!(
                "{}@sha256:{d:016x}{d:016x}{d:016x}{d:016x}",
                app::QualifiedFmt(repo)
            );
            assert_eq!(memo.image_id(image), want, "{image:?}");
        }
        assert_eq!(
            StackText::from_str("containerd://").as_str(),
            "containerd://"
        );
    }

    /// The constants borrowed into a status (condition types and reasons, phase, QoS class,
    /// state reasons) print as owned strings would: a status read back from its JSON (every
    /// string owned) is equal to the rendered one and prints the same; the unready-containers
    /// message sized up front is the text `format!` gives.
    #[test]
    fn borrowed_status_text_matches_owned() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default", "uid": "u-1"},
            "spec": {"containers": [
                {"name": "app", "image": "nginx:1.27"},
                {"name": "sidecar-with-a-long-name", "image": "busybox:1"}
            ]}
        }))
        .unwrap();
        let mut rt = PodRt::new(&pod, 1_000);
        rt.unschedulable = Some("0/3 nodes are available".into());
        let mut renders = vec![render_status(&pod, &rt)];
        rt.unschedulable = None;
        rt.node = Some("n1".into());
        rt.scheduled_ms = Some(2_000);
        rt.start_ms = Some(3_000);
        renders.push(render_status(&pod, &rt));
        rt.sandbox_ms = Some(4_000);
        rt.containers[0].state = CState::Running { since_ms: 5_000 };
        rt.phase = PodPhase::Running;
        renders.push(render_status(&pod, &rt));
        let ready = &renders[2].conditions[2];
        assert_eq!(ready.reason.as_deref(), Some("ContainersNotReady"));
        assert_eq!(
            ready.message.as_deref(),
            Some(
                format!(
                    "containers with unready status: [{} {}]",
                    "app", "sidecar-with-a-long-name"
                )
                .as_str()
            )
        );
        for c in &mut rt.containers {
            c.state = CState::Running { since_ms: 6_000 };
            c.ready = true;
        }
        rt.ready = true;
        rt.ready_change_ms = Some(7_000);
        renders.push(render_status(&pod, &rt));
        for st in &renders {
            let json = serde_json::to_string(st).unwrap();
            let owned: PodStatus = serde_json::from_str(&json).unwrap();
            assert!(owned
                .conditions
                .iter()
                .all(|c| matches!(c.type_, Cow::Owned(_))));
            assert_eq!(&owned, st);
            assert_eq!(serde_json::to_string(&owned).unwrap(), json);
        }
        assert_eq!(renders[3].conditions.len(), 5);
        assert_eq!(renders[3].phase.as_deref(), Some("Running"));
        assert_eq!(renders[3].qos_class.as_deref(), Some("BestEffort"));
    }

    /// Golden rows of upstream `TestSyncPodBackoff` (kuberuntime_manager_test.go), backoff
    /// initial 1 s / max 60 s, each sync at `tick` for a container that finished at `finished`.
    #[test]
    fn backoff_matches_upstream_test_sync_pod_backoff() {
        let (init, max) = (1_000, 60_000);
        let rows: &[(Ms, Ms, bool, Ms)] = &[
            (1, 0, true, 1),
            (2, 1, true, 2),
            (3, 2, false, 2),
            (4, 2, true, 4),
            (5, 4, false, 4),
            (6, 4, false, 4),
            (7, 4, false, 4),
            (8, 4, true, 8),
            (130, 129, true, 1),
        ];
        let mut entry: Option<Backoff> = None;
        for &(tick, finished, start, after) in rows {
            let (now, ts) = (tick * 1000, finished * 1000);
            let expired = |e: Backoff| ts.saturating_sub(e.last_update_ms) > 2 * max;
            let in_backoff = match entry {
                Some(e) if !expired(e) => now - ts < e.backoff_ms,
                _ => false,
            };
            assert_eq!(!in_backoff, start, "tick {tick}");
            if !in_backoff {
                let b = match entry {
                    Some(e) if !expired(e) => (e.backoff_ms * 2).min(max),
                    _ => init,
                };
                // upstream Next sets lastUpdate = Clock.Now() in this test's fake clock
                entry = Some(Backoff {
                    backoff_ms: b,
                    last_update_ms: now,
                });
            }
            assert_eq!(
                entry.map(|e| e.backoff_ms),
                Some(after * 1000),
                "tick {tick}"
            );
        }
    }

    /// Real defaults: waits of 10, 20, 40, 80, 160, 300, 300 s (semantics doc §7).
    #[test]
    fn crash_loop_waits_double_to_five_minutes() {
        let mut e = None;
        let mut waits = Vec::new();
        for _ in 0..8 {
            let n = Backoff::next(e, 0, 0, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS);
            waits.push(n.backoff_ms / 1000);
            e = Some(n);
        }
        assert_eq!(waits, vec![10, 20, 40, 80, 160, 300, 300, 300]);
    }
}
