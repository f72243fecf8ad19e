//! Running a [`Scenario`] through the same command layer as the CLI and the browser terminal,
//! checking the safety invariants after every line and liveness after the last one.
//!
//! The runner drives a [`Session`], not the `Sim` directly, so the swarm exercises exactly
//! what users run (parser, `$(…)` substitution, verbs, network sync) and a failure is a
//! script anyone can replay. Command errors (a node index past the end, a deleted
//! deployment) are expected in random scripts and are not failures; broken invariants and
//! panics are.
use crate::check::Checker;
use crate::gen::{Phase, Scenario, Step};
use kubeplay_kubectl::{MemFiles, Session};

/// Which promise a failure broke (used to keep shrinking on the same bug).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Invariant {
    /// Core's own checks (capacity, bindings, readiness, owner references).
    Core,
    /// Virtual or trace time went backwards.
    Time,
    /// A pod outlived its NotReady/unreachable toleration on a bad node.
    Toleration,
    /// Endpoints listed a pod that is gone, unselected or not ready.
    Endpoints,
    /// More pods than replicas + maxSurge.
    MaxSurge,
    /// Fewer ready pods than replicas − maxUnavailable in a calm rollout.
    MaxUnavailable,
    /// ReplicaSet/Deployment status disagrees with the pods.
    Status,
    /// The cluster did not converge after faults stopped.
    Liveness,
    /// The simulator or command layer panicked.
    Panic,
}

impl Invariant {
    fn classify(message: &str) -> Invariant {
        let rules: [(&str, Invariant); 8] = [
            ("core invariant", Invariant::Core),
            ("time went back", Invariant::Time),
            ("in the future", Invariant::Time),
            ("NotReady node", Invariant::Toleration),
            ("endpoints ", Invariant::Endpoints),
            ("maxSurge", Invariant::MaxSurge),
            ("maxUnavailable", Invariant::MaxUnavailable),
            ("liveness", Invariant::Liveness),
        ];
        rules
            .iter()
            .find(|(k, _)| message.contains(k))
            .map_or(Invariant::Status, |(_, i)| *i)
    }
}

/// A broken invariant: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Scenario seed.
    pub seed: u64,
    /// Index of the step after which the check failed (`steps.len()` for liveness).
    pub step: usize,
    /// Which invariant.
    pub invariant: Invariant,
    /// The checker's message.
    pub message: String,
}

/// What a clean run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunStats {
    /// Lines run.
    pub lines: usize,
    /// Lines whose command failed (expected in random scripts).
    pub command_errors: usize,
    /// Virtual time at the end, ms.
    pub virtual_ms: u64,
    /// Trace hash at the end.
    pub trace_hash: u64,
}

/// Lines that disturb pods on purpose: after them the availability floor is not promised.
fn disturbs(line: &str) -> bool {
    [
        "sim crash",
        "sim terminate",
        "sim stop",
        "kubectl delete pod",
        "kops edit",
    ]
    .iter()
    .any(|p| line.starts_with(p))
}

/// A session on the scenario's cluster.
pub fn session(sc: &Scenario) -> Session {
    let objects = kubeplay_api::load(&sc.cluster).into_objects();
    Session::with_sim(kubeplay_core::Sim::with_cluster(sc.seed, objects))
}

/// Run `steps` of `sc` (the scenario's own steps, or a subset while shrinking).
pub fn run_steps(sc: &Scenario, steps: &[Step]) -> Result<RunStats, Failure> {
    let files = MemFiles {
        files: sc.files.clone(),
    };
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut s = session(sc);
        let mut checker = Checker::default();
        let mut stats = RunStats::default();
        let mut calm = sc.calm;
        let fail = |step: usize, message: String| Failure {
            seed: sc.seed,
            step,
            invariant: Invariant::classify(&message),
            message,
        };
        for (i, st) in steps.iter().enumerate() {
            let out = s.run_line_with(&st.line, &files);
            stats.lines += 1;
            stats.command_errors += usize::from(!out.ok);
            if disturbs(&st.line) {
                checker.disturb_all();
                calm = false;
            }
            checker
                .safety(s.sim(), s.net(), calm)
                .map_err(|m| fail(i, m))?;
        }
        if steps.iter().any(|st| st.phase == Phase::Liveness) {
            checker
                .status_matches_pods(s.sim())
                .map_err(|m| fail(steps.len(), m))?;
            checker
                .liveness(s.sim())
                .map_err(|m| fail(steps.len(), m))?;
        }
        stats.virtual_ms = s.sim().now_ms();
        stats.trace_hash = s.sim().trace_hash();
        Ok(stats)
    }));
    match attempt {
        Ok(r) => r,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_else(|| "panic".into());
            Err(Failure {
                seed: sc.seed,
                step: 0,
                invariant: Invariant::Panic,
                message: format!("panic: {message}"),
            })
        }
    }
}

/// Run the whole scenario.
pub fn run(sc: &Scenario) -> Result<RunStats, Failure> {
    run_steps(sc, &sc.steps)
}
