//! Fixed-timestep driver (style.md R11, after bevy's `Fixed` and tuzz/game-loop).
//!
//! The render loop hands wall-clock frame deltas to [`Accumulator::accumulate`]; the
//! accumulator converts them into whole virtual-time steps of [`STEP_MS`]. The simulator only
//! ever advances to multiples of `STEP_MS`, so the same actions at the same virtual times give
//! the same run whatever the frame rate. Wall time never reaches the core.

/// One fixed virtual-time step, in virtual milliseconds.
pub const STEP_MS: u64 = 50;

/// Longest wall-clock frame that counts (longer frames — a background tab, a debugger pause —
/// are clamped so the loop never spirals trying to catch up).
pub const MAX_FRAME_WALL_MS: f64 = 250.0;

/// Most steps run in one frame; the rest of the backlog is dropped (the "death spiral" hatch).
pub const MAX_STEPS_PER_FRAME: u64 = 4_000;

/// Virtual-time accumulator, in integer microseconds of virtual time to avoid f64 drift.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Accumulator {
    /// Virtual microseconds accumulated and not yet spent on steps.
    overstep_us: u64,
}

impl Accumulator {
    /// Add one frame: `wall_ms` of wall time at `speed`× (clamped to [`MAX_FRAME_WALL_MS`]).
    pub fn accumulate(&mut self, wall_ms: f64, speed: u32) {
        let wall = if wall_ms.is_finite() {
            wall_ms.clamp(0.0, MAX_FRAME_WALL_MS)
        } else {
            0.0
        };
        // wall ms × speed × 1000 µs/ms; at most 250 × 1000 × 1000, far inside u64.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let add = (wall * 1000.0).round() as u64 * u64::from(speed);
        self.overstep_us = self.overstep_us.saturating_add(add);
    }

    /// Take the whole steps accumulated so far (at most [`MAX_STEPS_PER_FRAME`]).
    pub fn expend(&mut self) -> u64 {
        let step_us = STEP_MS * 1000;
        let steps = (self.overstep_us / step_us).min(MAX_STEPS_PER_FRAME);
        self.overstep_us -= steps * step_us;
        if steps == MAX_STEPS_PER_FRAME {
            self.overstep_us %= step_us;
        }
        steps
    }

    /// Fraction of the next step already accumulated (the interpolation alpha), in `[0, 1)`.
    #[cfg(test)]
    pub fn alpha(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let a = self.overstep_us as f64 / (STEP_MS * 1000) as f64;
        a.min(1.0)
    }

    /// Forget any partial step (on pause, reset or scrub).
    pub fn clear(&mut self) {
        self.overstep_us = 0;
    }
}

/// Round a virtual time down to the step grid.
pub fn quantize(ms: u64) -> u64 {
    ms - ms % STEP_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same wall time split into different frame rates gives the same number of steps.
    #[test]
    fn frame_rate_does_not_change_steps() {
        for (frames, ms) in [
            (60, 1000.0 / 60.0),
            (144, 1000.0 / 144.0),
            (30, 1000.0 / 30.0),
        ] {
            let mut acc = Accumulator::default();
            let mut steps = 0;
            for _ in 0..frames * 10 {
                acc.accumulate(ms, 1);
                steps += acc.expend();
            }
            // 10 s of wall time at 1× = 10_000 virtual ms = 200 steps (± rounding of one).
            assert!(
                (199..=200).contains(&steps),
                "{frames} fps gave {steps} steps"
            );
        }
    }

    #[test]
    fn speed_multiplies_and_frames_are_clamped() {
        let mut acc = Accumulator::default();
        acc.accumulate(100.0, 10);
        assert_eq!(acc.expend(), 20);
        acc.accumulate(10_000.0, 1); // a 10 s stall counts as 250 ms
        assert_eq!(acc.expend(), 5);
        acc.accumulate(250.0, 1000);
        assert_eq!(acc.expend(), MAX_STEPS_PER_FRAME.min(5000));
        assert!(acc.alpha() < 1.0);
    }

    #[test]
    fn quantize_rounds_down() {
        assert_eq!(quantize(149), 100);
        assert_eq!(quantize(150), 150);
    }
}
