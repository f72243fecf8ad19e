//! Delta debugging (Zeller's ddmin) over script lines: the smallest script, found within a
//! bounded number of runs, that still breaks the same invariant.
//!
//! Lines are independent text, so any subset is a valid script; `$(…)` substitutions resolve
//! against whatever the cluster is when the line runs, which keeps node and pod references
//! meaningful after earlier lines are gone.
use crate::gen::{Phase, Scenario, Step};
use crate::run::{run_steps, Failure};

/// Upper bound on scenario runs spent shrinking one failure (each run is a whole scenario).
pub const SHRINK_RUNS_MAX: usize = 400;

/// The shrunk scenario and its failure (the original ones if nothing smaller fails the same way).
pub fn shrink(sc: &Scenario, failure: &Failure) -> (Scenario, Failure) {
    // Only the safety lines shrink. A safety failure needs nothing after its step; a
    // liveness failure keeps every liveness line (healing and the wait) after the candidate,
    // or a shortened wait would "fail" liveness trivially.
    let safety_end = sc
        .steps
        .iter()
        .position(|s| s.phase == Phase::Liveness)
        .unwrap_or(sc.steps.len());
    let tail: Vec<Step> = if failure.step >= safety_end {
        sc.steps[safety_end..].to_vec()
    } else {
        Vec::new()
    };
    let mut best: Vec<Step> = sc.steps[..(failure.step + 1).min(safety_end)].to_vec();
    let with_tail = |c: &[Step]| -> Vec<Step> { c.iter().chain(&tail).cloned().collect() };
    let mut best_failure = failure.clone();
    let mut runs = 0;
    let mut n = 2usize;
    let same = |f: &Failure| f.invariant == failure.invariant;
    while !best.is_empty() && runs < SHRINK_RUNS_MAX {
        let chunk = best.len().div_ceil(n);
        let mut reduced = false;
        // Try each complement (the script without one chunk).
        let mut start = 0;
        while start < best.len() && runs < SHRINK_RUNS_MAX {
            let end = (start + chunk).min(best.len());
            let candidate: Vec<Step> = best[..start].iter().chain(&best[end..]).cloned().collect();
            runs += 1;
            if let Err(f) = run_steps(sc, &with_tail(&candidate)) {
                if same(&f) {
                    best = candidate;
                    best_failure = f;
                    n = (n - 1).max(2);
                    reduced = true;
                    break;
                }
            }
            start = end;
        }
        if !reduced {
            if n >= best.len() {
                break;
            }
            n = (2 * n).min(best.len());
        }
    }
    let mut out = sc.clone();
    out.steps = with_tail(&best);
    (out, best_failure)
}
