//! kubeplay's swarm tester (TigerBeetle's VOPR and madsim, house style §1): one seed in, a
//! random cluster, random manifests and a random schedule of changes and faults out, run
//! through the same command layer users type into, with the safety invariants checked after
//! every line and liveness checked once the faults stop.
//!
//! [`gen`] builds a [`Scenario`] (YAML files plus a `kubeplay run` script) from a seed,
//! [`run`] replays it against a [`kubeplay_kubectl::Session`] with the [`check`]ers, and
//! [`shrink`] cuts a failing script down by delta debugging so the report is a handful of
//! lines. [`swarm`] sweeps seeds `start..start+seeds` and stops at the first failure with a
//! reproducer: `kubeplay swarm --start <seed> --seeds 1` and the shrunk script.
//!
//! Pure: no clock, no OS randomness, no hash-order iteration; the caller times the sweep.
#![deny(clippy::disallowed_types, clippy::disallowed_methods)]

pub mod check;
pub mod gen;
pub mod run;
pub mod shrink;

pub use gen::{generate, Phase, Scenario, Step};
pub use run::{run, Failure, Invariant, RunStats};

/// Totals of a clean sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SweepStats {
    /// Scenarios run.
    pub scenarios: u64,
    /// Script lines run.
    pub lines: u64,
    /// Lines whose command failed (expected in random scripts).
    pub command_errors: u64,
    /// Virtual time simulated, ms.
    pub virtual_ms: u64,
}

/// A failing seed with its shrunk reproducer.
#[derive(Debug, Clone)]
pub struct SwarmFailure {
    /// The failure of the full scenario.
    pub failure: Failure,
    /// The failure of the shrunk scenario.
    pub shrunk_failure: Failure,
    /// The shrunk scenario.
    pub shrunk: Scenario,
}

impl std::fmt::Display for SwarmFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seed = self.failure.seed;
        writeln!(
            f,
            "swarm: seed {seed} broke {:?} after step {}: {}",
            self.failure.invariant,
            self.failure.step + 1,
            self.failure.message
        )?;
        writeln!(f, "reproduce: kubeplay swarm --start {seed} --seeds 1")?;
        writeln!(
            f,
            "shrunk to {} lines ({:?}: {}); save the files below and run the first command:",
            self.shrunk.steps.len(),
            self.shrunk_failure.invariant,
            self.shrunk_failure.message
        )?;
        write!(f, "{}", self.shrunk.render())
    }
}

/// Run one seed; on failure shrink it.
pub fn check_seed(seed: u64) -> Result<RunStats, Box<SwarmFailure>> {
    let sc = generate(seed);
    run(&sc).map_err(|failure| {
        let (shrunk, shrunk_failure) = shrink::shrink(&sc, &failure);
        Box::new(SwarmFailure {
            failure,
            shrunk_failure,
            shrunk,
        })
    })
}

/// Result of a sweep: totals over every seed run and the failures found.
#[derive(Debug, Clone, Default)]
pub struct Sweep {
    /// Totals over the seeds that ran (clean or not).
    pub stats: SweepStats,
    /// The first failure, shrunk.
    pub first: Option<Box<SwarmFailure>>,
    /// Every failure (with `keep_going`), unshrunk: seed, invariant, message.
    pub failures: Vec<Failure>,
}

/// Sweep `seeds` seeds from `start`, calling `progress` after each one. The first failure is
/// shrunk; with `keep_going` the sweep goes on and lists the later failures unshrunk (each can
/// be shrunk with `--start <seed> --seeds 1`), otherwise it stops there.
pub fn swarm(
    start: u64,
    seeds: u64,
    keep_going: bool,
    mut progress: impl FnMut(u64, Result<&RunStats, &Failure>),
) -> Sweep {
    let mut sweep = Sweep::default();
    for seed in start..start.saturating_add(seeds) {
        let sc = generate(seed);
        sweep.stats.scenarios += 1;
        match run(&sc) {
            Ok(r) => {
                sweep.stats.lines += r.lines as u64;
                sweep.stats.command_errors += r.command_errors as u64;
                sweep.stats.virtual_ms += r.virtual_ms;
                progress(seed, Ok(&r));
            }
            Err(failure) => {
                progress(seed, Err(&failure));
                if sweep.first.is_none() {
                    let (shrunk, shrunk_failure) = shrink::shrink(&sc, &failure);
                    sweep.first = Some(Box::new(SwarmFailure {
                        failure: failure.clone(),
                        shrunk_failure,
                        shrunk,
                    }));
                }
                sweep.failures.push(failure);
                if !keep_going {
                    break;
                }
            }
        }
    }
    sweep
}
