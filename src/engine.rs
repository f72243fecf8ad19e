//! The simulator as the page holds it: outside the VDOM in an `Rc<RefCell<Engine>>`
//! (style.md R12). It owns the run (seed + the script of user actions at virtual times),
//! replays it for reset, scrub and share links, and hands the renderer a flat [`View`].
//!
//! Everything here is deterministic: wall time enters only as `wall_ms` deltas through the
//! [`Accumulator`], which turns them into whole fixed steps of virtual time.
//!
//! The steps a frame owes are run one at a time under a wall-clock budget the shell checks
//! ([`Engine::frame_within`]): what the budget leaves undone is carried to the next frame as a
//! backlog, so an expensive stretch of simulation slows virtual time instead of freezing the
//! page. The budget only decides *when* a step runs, never *what* it does: every step still
//! ends on the same grid point, so a budgeted run reaches the same state as an unbudgeted one.
use std::rc::Rc;

use crate::{
    backend::Backend,
    clock::{quantize, Accumulator, STEP_MS},
    share::Action,
    view::{EventRow, ObjRef, View},
};

/// Events the events panel shows (the newest).
pub const EVENTS_SHOWN: usize = 200;

/// While playing, rebuild the drawn snapshot at most this often (wall ms).
const VIEW_EVERY_MS: f64 = 100.0;

/// Keep a replay checkpoint every this many virtual ms at first (scrubbing back is then
/// instant); see [`Engine::checkpoint`].
const CHECKPOINT_EVERY_MS: u64 = 10_000;

/// Most replay checkpoints kept (then every other one is dropped and the spacing doubles).
const MAX_CHECKPOINTS: usize = 32;

/// Clusters with more pods than this are not checkpointed (a copy would stall a frame).
const CHECKPOINT_MAX_PODS: usize = 300;

/// The most virtual time one run simulates (the command layer's cap, 100 days): past it the
/// clock stands still, so the page pauses and says why instead of stopping silently.
pub const TIME_CAP_MS: u64 = kubeplay_kubectl::command::MAX_SESSION_MS;

/// What the terminal prints when a run reaches [`TIME_CAP_MS`].
pub const TIME_CAP_NOTICE: &str = "The playground simulates at most 100 days of virtual time per \
run, and this run has reached it: the clock stops here. Drag the timeline back, or Reset to \
start over.";

/// One terminal exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Virtual time, ms.
    pub t: u64,
    /// What was typed (or the echoed equivalent of a UI action).
    pub prompt: String,
    /// What came back.
    pub output: String,
}

struct Checkpoint {
    t: u64,
    backend: Backend,
    next_action: usize,
    transcript_len: usize,
}

/// The run.
pub struct Engine {
    /// Seed of the run.
    pub seed: u64,
    /// User actions, in time order (the script that replays the run).
    pub actions: Vec<Action>,
    /// Terminal transcript of the actions run so far. Shared with the page's store, which
    /// mirrors it a few times a second: handing over an `Rc` is free, where copying every
    /// output (a `kubectl get pods` of 5,000 lines) on each mirror was not. Changed only by
    /// actions, so copy-on-write is rare.
    pub transcript: Rc<Vec<Entry>>,
    /// Playing or paused.
    pub playing: bool,
    /// Speed multiplier (1–1000).
    pub speed: u32,
    /// Fixed-step accumulator fed by the render loop.
    pub acc: Accumulator,
    /// Bumped whenever something visible changed.
    pub version: u64,
    /// Furthest virtual time reached (the timeline's end).
    pub end_ms: u64,
    /// Whether the last frame ran out of its wall-clock budget with steps still owed: virtual
    /// time is running slower than the chosen speed (the shell says so next to the clock).
    pub behind: bool,
    /// Steps owed to the chosen speed but not run yet (bounded by [`Engine::max_backlog`]).
    backlog: u64,
    /// Where the clock stops ([`TIME_CAP_MS`]; tests lower it rather than simulate 100 days).
    time_cap_ms: u64,
    backend: Backend,
    next_action: usize,
    checkpoints: Vec<Checkpoint>,
    checkpoint_every: u64,
    view: View,
    view_dirty: bool,
    view_wall_ms: f64,
    /// A grid step the frame budget cut short: its target. The next frame goes on with it;
    /// anything that acts on the run ([`Engine::settle`]) first finishes it, so actions are
    /// only ever taken on the grid.
    partial: Option<u64>,
}

impl Engine {
    /// A fresh run.
    pub fn new(seed: u64) -> Self {
        Engine {
            seed,
            actions: Vec::new(),
            transcript: Rc::default(),
            playing: false,
            speed: 1,
            acc: Accumulator::default(),
            version: 1,
            end_ms: 0,
            behind: false,
            backlog: 0,
            time_cap_ms: TIME_CAP_MS,
            backend: Backend::new(seed),
            next_action: 0,
            checkpoints: Vec::new(),
            checkpoint_every: CHECKPOINT_EVERY_MS,
            view: View::default(),
            view_dirty: true,
            view_wall_ms: f64::NEG_INFINITY,
            partial: None,
        }
    }

    /// Virtual time now, ms.
    pub fn now_ms(&self) -> u64 {
        self.backend.now_ms()
    }

    /// Start over with `seed`, forgetting the script.
    pub fn reset(&mut self, seed: u64) {
        let (playing, speed) = (self.playing, self.speed);
        *self = Engine::new(seed);
        self.playing = playing;
        self.speed = speed;
    }

    /// Rebuild the run from a seed and a script (share links), then go to `now`.
    pub fn load_script(&mut self, seed: u64, actions: Vec<Action>, now: u64) {
        self.reset(seed);
        self.actions = actions;
        self.end_ms = self.actions.last().map_or(0, |a| a.t).max(now);
        self.advance_to(now);
    }

    /// Record and run a user action at the current virtual time; returns its output.
    fn act(&mut self, k: &str, p: &str) -> String {
        self.settle();
        let t = quantize(self.now_ms());
        // acting in the past forks the run: the old future is dropped
        self.actions.truncate(self.next_action);
        self.actions.push(Action {
            t,
            k: k.into(),
            p: p.into(),
        });
        self.run_pending(t);
        self.end_ms = self.end_ms.max(self.now_ms());
        self.transcript
            .last()
            .map(|e| e.output.clone())
            .unwrap_or_default()
    }

    /// `kubectl apply -f NAME` with the text of the editor tab `name`.
    pub fn apply(&mut self, name: &str, text: &str) -> String {
        self.act("apply", &format!("{name}\n{text}"))
    }

    /// Run one terminal line.
    pub fn command(&mut self, line: &str) -> String {
        self.act("cmd", line)
    }

    fn exec(&mut self, a: &Action) {
        let (prompt, output) = match a.k.as_str() {
            "apply" => {
                // payload: the tab's file name, a newline, then its text
                let (name, text) =
                    a.p.split_once('\n')
                        .unwrap_or(("manifest.yaml", a.p.as_str()));
                self.backend.apply(name, text)
            }
            _ => {
                let line = a.p.trim();
                if line == "help" || line == "clear" {
                    let out = if line == "help" {
                        HELP.to_string()
                    } else {
                        String::new()
                    };
                    (line.to_string(), out)
                } else if line == "kubeplay-debug-panic" {
                    // exercises the error panel (e2e test); never part of a real session
                    panic!("debug panic requested from the terminal");
                } else if let Some(rest) = line.strip_prefix("sleep ") {
                    // `sleep 30` / `sleep 30s` / `sleep 2m`: advance virtual time right away
                    let ms = parse_duration_ms(rest.trim());
                    match ms {
                        Some(ms) => {
                            let target = self.now_ms() + ms;
                            self.backend.run_until(target);
                            (line.to_string(), String::new())
                        }
                        None => (
                            line.to_string(),
                            format!("sleep: invalid time interval '{rest}'"),
                        ),
                    }
                } else {
                    (line.to_string(), self.backend.command(line))
                }
            }
        };
        Rc::make_mut(&mut self.transcript).push(Entry {
            t: a.t,
            prompt,
            output,
        });
        self.view_dirty = true;
        self.version += 1;
    }

    /// Run every scripted action due at or before `t`.
    fn run_pending(&mut self, t: u64) {
        while let Some(a) = self.actions.get(self.next_action).cloned() {
            if a.t > t {
                break;
            }
            self.backend.run_until(a.t);
            self.next_action += 1;
            self.exec(&a);
        }
    }

    /// Advance to virtual time `t` (≥ now), replaying scripted actions on the way.
    fn advance_to(&mut self, t: u64) {
        let mut at = self.now_ms();
        while at < t {
            let next_cp = (at / CHECKPOINT_EVERY_MS + 1) * CHECKPOINT_EVERY_MS;
            let stop = t.min(next_cp);
            self.run_pending(stop);
            let before = self.backend.version();
            self.backend.run_until(stop);
            self.note_change(before);
            // a scripted `sleep` may have run past `stop`
            at = self.now_ms().max(stop);
            self.checkpoint_at_stop(stop);
        }
        self.run_pending(t);
        self.end_ms = self.end_ms.max(self.now_ms());
    }

    /// The simulation moved on from backend version `before`: mark the snapshot stale and
    /// bump the page's version if the cluster changed.
    fn note_change(&mut self, before: u64) {
        if self.backend.version() != before {
            self.view_dirty = true;
            self.version += 1;
        }
    }

    /// Just ran to `stop`: keep a checkpoint there if the clock stands on it (a scripted
    /// `sleep` may have run past) and it is on the checkpoint grid.
    fn checkpoint_at_stop(&mut self, stop: u64) {
        if self.now_ms() == stop && stop.is_multiple_of(CHECKPOINT_EVERY_MS) {
            self.checkpoint(stop);
        }
    }

    /// Finish a grid step a frame's budget cut short (see [`Engine::partial`]).
    fn settle(&mut self) {
        if let Some(t) = self.partial.take() {
            self.advance_to(t);
        }
    }

    /// One grid step to `target` under the frame budget `more`: false when the budget ran out
    /// first (the step is left in [`Engine::partial`]). The simulator then stands between two
    /// of its events — never inside one — and the next call goes on from there, so a step run
    /// in pieces runs the same events in the same order as one run whole. A step with a
    /// scripted action or a checkpoint inside it runs whole, as [`Engine::advance_to`].
    fn step_within(&mut self, target: u64, more: &mut dyn FnMut() -> bool) -> bool {
        let now = self.now_ms();
        let action_due = self
            .actions
            .get(self.next_action)
            .is_some_and(|a| a.t <= target);
        let next_cp = (now / CHECKPOINT_EVERY_MS + 1) * CHECKPOINT_EVERY_MS;
        if action_due || next_cp < target {
            self.partial = None;
            self.advance_to(target);
            return true;
        }
        let before = self.backend.version();
        let done = self.backend.run_until_within(target, more);
        self.note_change(before);
        if done {
            self.partial = None;
            self.checkpoint_at_stop(target);
            self.end_ms = self.end_ms.max(self.now_ms());
        } else {
            self.partial = Some(target);
        }
        done
    }

    /// Keep a copy of the run at `t` (= now) so seeking back to `t` or later is instant.
    ///
    /// Copies are spaced by `checkpoint_every` virtual ms, which doubles (dropping every other
    /// copy) whenever there are [`MAX_CHECKPOINTS`]: memory stays bounded however long the run.
    /// A cluster over [`CHECKPOINT_MAX_PODS`] pods is not copied at all — one copy of 5,000
    /// pods takes longer than a frame — and seeking back replays from the last copy instead.
    fn checkpoint(&mut self, t: u64) {
        if self
            .checkpoints
            .last()
            .is_some_and(|c| t < c.t + self.checkpoint_every)
            || self.backend.pod_count() > CHECKPOINT_MAX_PODS
        {
            return;
        }
        let Some(backend) = self.backend.try_clone() else {
            return;
        };
        self.checkpoints.push(Checkpoint {
            t,
            backend,
            next_action: self.next_action,
            transcript_len: self.transcript.len(),
        });
        if self.checkpoints.len() >= MAX_CHECKPOINTS {
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.checkpoint_every *= 2;
        }
    }

    /// One animation frame: `wall_ms` since the last one, running every step it owes.
    /// Returns true when time moved.
    #[cfg(test)]
    pub fn frame(&mut self, wall_ms: f64) -> bool {
        self.frame_within(wall_ms, &mut || true)
    }

    /// One animation frame under a wall-clock budget: `wall_ms` since the last one is turned
    /// into steps at the chosen speed, added to the backlog, and the backlog is run one step
    /// at a time while `more()` says the frame has time left (at least one step always runs,
    /// so the run never stalls). Returns true when time moved.
    ///
    /// The shell's `more` reads `performance.now()`; nothing it returns reaches the simulator,
    /// which only ever sees "advance to the next grid point". The backlog is capped at one
    /// clamped frame's worth of steps: a run that cannot keep up lags behind real time (and
    /// [`Engine::behind`] says so) instead of racing to catch up once the load drops.
    pub fn frame_within(&mut self, wall_ms: f64, more: &mut dyn FnMut() -> bool) -> bool {
        let mut ran = 0u64;
        // The reactions to the last action (or the rest of a cut step): owed playing or not,
        // and run first, under the same budget.
        if self.backend.advancing() {
            let before = self.backend.version();
            self.backend.continue_within(more);
            self.note_change(before);
            ran += 1;
            if self.backend.advancing() {
                self.behind = self.playing;
                return true;
            }
        }
        if !self.playing {
            self.acc.clear();
            self.backlog = 0;
            self.behind = false;
            return ran > 0;
        }
        if self.at_time_cap() {
            self.stop_at_cap();
            return false;
        }
        self.acc.accumulate(wall_ms, self.speed);
        self.backlog = (self.backlog + self.acc.expend()).min(self.max_backlog());
        while (self.partial.is_some() || self.backlog > 0) && (ran == 0 || more()) {
            let target = match self.partial {
                Some(t) => t,
                None => {
                    self.backlog -= 1;
                    (self.now_ms() + STEP_MS).min(self.time_cap_ms)
                }
            };
            self.step_within(target, more);
            ran += 1;
            if self.at_time_cap() {
                self.stop_at_cap();
                break;
            }
        }
        self.behind = self.backlog > 0 || self.partial.is_some();
        ran > 0
    }

    /// The most steps carried from frame to frame: one clamped frame
    /// ([`crate::clock::MAX_FRAME_WALL_MS`]) at the chosen speed.
    fn max_backlog(&self) -> u64 {
        // 250 ms × speed / 50 ms per step, at least one step
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let wall = crate::clock::MAX_FRAME_WALL_MS as u64;
        (wall * u64::from(self.speed) / STEP_MS).clamp(1, crate::clock::MAX_STEPS_PER_FRAME)
    }

    /// The run reached [`TIME_CAP_MS`]: pause, and say so once in the terminal.
    fn stop_at_cap(&mut self) {
        self.playing = false;
        self.acc.clear();
        self.backlog = 0;
        self.behind = false;
        if self.transcript.last().map(|e| e.output.as_str()) != Some(TIME_CAP_NOTICE) {
            let t = self.now_ms();
            Rc::make_mut(&mut self.transcript).push(Entry {
                t,
                prompt: String::new(),
                output: TIME_CAP_NOTICE.to_string(),
            });
        }
        self.version += 1;
    }

    /// Whether the run has reached the session's virtual-time cap.
    pub fn at_time_cap(&self) -> bool {
        self.now_ms() >= self.time_cap_ms
    }

    /// Jump to the next thing that happens (an event of the simulator or a scripted action).
    pub fn step_next(&mut self) {
        self.settle();
        let now = self.now_ms();
        let next_ev = self.backend.next_event_ms().filter(|&t| t > now);
        let next_act = self.actions.get(self.next_action).map(|a| a.t);
        let t = match (next_ev, next_act) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).unwrap_or(now + 1000),
        };
        // round up to the step grid so the run stays on it
        let t = t.div_ceil(STEP_MS) * STEP_MS;
        self.advance_to(t.max(now + STEP_MS));
        self.version += 1;
    }

    /// Go to virtual time `t` — back by replaying from the nearest checkpoint, or forward.
    pub fn seek(&mut self, t: u64) {
        self.settle();
        let t = quantize(t);
        if t < self.now_ms() {
            let cp = self.checkpoints.iter().rposition(|c| c.t <= t);
            let restored = cp.and_then(|i| {
                let c = &self.checkpoints[i];
                c.backend
                    .try_clone()
                    .map(|b| (b, c.t, c.next_action, c.transcript_len))
            });
            match restored {
                Some((backend, cp_t, next_action, transcript_len)) => {
                    self.backend = backend;
                    self.next_action = next_action;
                    if self.transcript.len() > transcript_len {
                        Rc::make_mut(&mut self.transcript).truncate(transcript_len);
                    }
                    self.checkpoints.retain(|c| c.t <= cp_t);
                }
                None => {
                    self.backend = Backend::new(self.seed);
                    self.next_action = 0;
                    self.transcript = Rc::default();
                    self.checkpoints.clear();
                }
            }
        }
        self.advance_to(t);
        self.acc.clear();
        self.view_dirty = true;
        self.version += 1;
    }

    /// [`Engine::refresh`] from the render loop at wall time `wall_ms`: while playing, the
    /// snapshot is rebuilt at most every [`VIEW_EVERY_MS`] (copying 5,000 pods out of the
    /// simulator every frame costs more than drawing them); the clock still moves every frame.
    pub fn refresh_at(&mut self, wall_ms: f64) {
        if self.view_dirty && self.playing && wall_ms - self.view_wall_ms < VIEW_EVERY_MS {
            self.view.now_ms = self.now_ms();
            self.view.flights.clear();
            return;
        }
        self.view_wall_ms = wall_ms;
        self.refresh();
    }

    /// The snapshot as of the last [`Engine::refresh`].
    pub fn current(&self) -> &View {
        &self.view
    }

    /// Recompute the snapshot if the run changed.
    pub fn refresh(&mut self) {
        if self.view_dirty {
            self.view = self.backend.view();
            self.view.version = self.version;
            self.view_dirty = false;
        } else {
            self.view.now_ms = self.now_ms();
            self.view.flights.clear();
        }
    }

    /// How many events there are, and the newest `limit` of them, oldest first.
    pub fn events(&self, limit: usize) -> (usize, Vec<EventRow>) {
        self.backend.events(limit)
    }

    /// Describe, YAML and (for a pod) the scheduler's reasons, for the inspector.
    pub fn inspect(&mut self, obj: &ObjRef) -> Inspect {
        Inspect {
            describe: self.backend.describe(obj),
            yaml: self.backend.yaml(obj),
            why: self.backend.why(obj),
        }
    }

    /// Whether a background load (`sim load … --background`) to Service `name` is running.
    pub fn load_running(&self, name: &str) -> bool {
        self.backend.load_running(name)
    }

    /// Tab completion of a terminal line.
    pub fn complete(&self, line: &str) -> Vec<String> {
        self.backend.complete(line)
    }
}

/// What the inspector shows for one object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inspect {
    /// `kubectl describe` text.
    pub describe: String,
    /// The object as YAML.
    pub yaml: String,
    /// For a pod: per-node scheduler verdicts as table rows (node, verdict, score).
    pub why: Vec<Vec<String>>,
}

/// What `help` prints in the terminal.
pub const HELP: &str = "\
kubectl get|describe|apply|delete|scale|rollout|cordon|uncordon|drain|taint|logs|top|events …
sim terminate|stop|start node/NAME   terminate an instance, stop or start its kubelet
sim crash pod/NAME                   crash a pod's container
sim load URL --rps N --for DURATION  send load through a Service
  … --background, sim load --stop URL  let it run as time passes; end it
curl http://SERVICE                  one request
sleep DURATION                       advance virtual time (30s, 2m)
clear                                clear the terminal
Keys: Tab completes, ↑/↓ history; `:` focuses this prompt from anywhere, `?` shows all keys.";

/// `30`, `30s`, `1500ms`, `2m`, `1h` → ms (the link check uses the same grammar).
pub use crate::share::sleep_ms as parse_duration_ms;

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &str = include_str!("../static/examples/hello-world.yaml");

    fn run(frames: &[f64]) -> (u64, usize) {
        let mut e = Engine::new(7);
        e.apply("hello-world.yaml", HELLO);
        e.playing = true;
        e.speed = 10;
        for f in frames {
            e.frame(*f);
        }
        (e.now_ms(), e.transcript.len())
    }

    #[test]
    fn frame_rate_does_not_change_the_outcome() {
        let a = run(&vec![1000.0 / 60.0; 600]);
        let b = run(&vec![1000.0 / 30.0; 300]);
        let diff = a.0.abs_diff(b.0);
        assert!(diff <= STEP_MS * 2, "{a:?} vs {b:?}");
        assert_eq!(a.1, b.1);
    }

    /// Run `hello` at 10× with a budget that allows `allow(frame)` extra simulator events per
    /// frame (so grid steps get cut between events), a scale command typed once the run passes
    /// 20 s (possibly in the middle of a cut step), until virtual time reaches 60 s; then the
    /// same script run straight through (`seek`, no frames) must give the same run.
    #[cfg(feature = "engine")]
    fn budgeted_equals_straight(allow: &dyn Fn(u64) -> u64) {
        let mut e = Engine::new(11);
        e.apply("hello-world.yaml", HELLO);
        e.playing = true;
        e.speed = 10;
        let mut scaled_at = None;
        let mut frames = 0u64;
        let mut lagged = false;
        let mut cut = false;
        while e.now_ms() < 60_000 {
            let mut left = allow(frames);
            e.frame_within(1000.0 / 60.0, &mut || {
                let more = left > 0;
                left = left.saturating_sub(1);
                more
            });
            lagged |= e.behind;
            cut |= e.partial.is_some();
            frames += 1;
            if scaled_at.is_none() && e.now_ms() >= 20_000 {
                scaled_at = Some(e.now_ms());
                e.command("kubectl scale deployment hello-world-deployment --replicas=3");
            }
        }
        assert!(lagged, "the budget never left a backlog");
        assert!(cut, "the budget never cut a step between two events");
        let mut straight = Engine::new(11);
        straight.apply("hello-world.yaml", HELLO);
        straight.seek(scaled_at.unwrap_or_default());
        straight.command("kubectl scale deployment hello-world-deployment --replicas=3");
        straight.seek(e.now_ms());
        assert_eq!(straight.now_ms(), e.now_ms());
        assert_eq!(straight.transcript, e.transcript);
        assert_eq!(straight.backend.trace_hash(), e.backend.trace_hash());
    }

    /// A run whose frames stop on their wall-clock budget lags behind real time, but reaches
    /// exactly the state of a run that never stopped early: the same trace hash and terminal.
    #[cfg(feature = "engine")]
    #[test]
    fn a_budgeted_run_reaches_the_same_state() {
        // one step a frame (the budget runs out at once), then an irregular budget
        budgeted_equals_straight(&|_| 0);
        budgeted_equals_straight(&|f| (f * 7919) % 5);
        // 10× frames of 16.7 ms with time to spare make 3–4 steps and never lag
        let mut e = Engine::new(11);
        e.playing = true;
        e.speed = 10;
        e.frame(1000.0 / 60.0);
        e.frame(1000.0 / 60.0);
        assert!(!e.behind);
        assert!(e.now_ms() >= 6 * STEP_MS);
    }

    /// What an action sets off at its instant (a Deployment's ReplicaSet and pods) runs under
    /// the frame budget — paused or not — rather than inside the click: the page applies at
    /// once and the budget spreads the work over frames. Done that way or straight, the run
    /// is the same.
    #[cfg(feature = "engine")]
    #[test]
    fn an_actions_reactions_run_under_the_frame_budget() {
        let mut cut = Engine::new(5);
        cut.apply("hello-world.yaml", HELLO);
        assert!(
            cut.backend.advancing(),
            "the apply ran all its reactions at once"
        );
        let mut frames = 0;
        while cut.backend.advancing() {
            assert!(cut.frame_within(16.0, &mut || false));
            frames += 1;
            assert!(frames < 10_000);
        }
        assert!(
            frames > 1,
            "one event per frame, and the apply set off several"
        );
        assert_eq!(cut.now_ms(), 0, "paused: the clock stays");
        let mut straight = Engine::new(5);
        straight.apply("hello-world.yaml", HELLO);
        let a = cut.command("kubectl get pods,replicasets");
        let b = straight.command("kubectl get pods,replicasets");
        assert!(a.contains("hello-world-deployment-"), "{a}");
        assert_eq!(a, b);
        assert_eq!(cut.backend.trace_hash(), straight.backend.trace_hash());
    }

    /// A slow stretch leaves at most one clamped frame of backlog: the run lags, and does not
    /// race ahead of the chosen speed once steps are cheap again.
    #[test]
    fn the_backlog_is_bounded() {
        let mut e = Engine::new(2);
        e.playing = true;
        e.speed = 10;
        for _ in 0..100 {
            e.frame_within(250.0, &mut || false);
        }
        assert!(e.behind);
        assert_eq!(e.backlog, e.max_backlog() - 1);
        assert_eq!(e.now_ms(), 100 * STEP_MS);
        e.playing = false;
        e.frame(16.0);
        assert!(!e.behind);
        assert_eq!(e.backlog, 0);
    }

    /// At the session's time cap the clock stops, the page pauses, and the terminal says why
    /// (once).
    #[test]
    fn reaching_the_time_cap_pauses_and_says_so() {
        let mut e = Engine::new(2);
        e.time_cap_ms = 60_000;
        e.seek(60_000 - STEP_MS);
        e.playing = true;
        e.speed = 1000;
        e.frame(250.0);
        assert_eq!(e.now_ms(), 60_000);
        assert!(!e.playing && e.at_time_cap());
        let notices = |e: &Engine| {
            e.transcript
                .iter()
                .filter(|t| t.output == TIME_CAP_NOTICE)
                .count()
        };
        assert_eq!(notices(&e), 1);
        e.playing = true;
        e.frame(250.0);
        assert!(!e.playing);
        assert_eq!(notices(&e), 1);
        assert_eq!(e.now_ms(), 60_000);
    }

    #[test]
    fn seek_back_replays_the_script() {
        let mut e = Engine::new(3);
        e.apply("hello-world.yaml", HELLO);
        e.seek(25_000);
        e.command("sleep 5");
        let t_after = e.now_ms();
        e.seek(1_000);
        assert_eq!(e.now_ms(), 1_000);
        assert_eq!(e.transcript.len(), 1);
        e.seek(t_after);
        assert_eq!(e.transcript.len(), 2);
        assert_eq!(e.actions.len(), 2);
    }

    /// Seeking back restores a checkpoint instead of replaying from 0, and the run it gives
    /// is the same as one that never went back.
    #[cfg(feature = "engine")]
    #[test]
    fn checkpoints_give_the_same_run_as_a_replay() {
        let mut e = Engine::new(5);
        e.apply("hello-world.yaml", HELLO);
        e.seek(45_000);
        e.command("kubectl scale deployment hello-world-deployment --replicas=3");
        e.seek(95_000);
        assert!(
            e.checkpoints.len() >= 8,
            "{} checkpoints",
            e.checkpoints.len()
        );
        let straight = (e.backend.trace_hash(), e.transcript.clone());
        e.seek(31_000);
        assert_eq!(e.checkpoints.last().map(|c| c.t), Some(30_000));
        assert_eq!(e.transcript.len(), 1);
        e.seek(95_000);
        assert_eq!((e.backend.trace_hash(), e.transcript.clone()), straight);
        // and the same as a fresh replay of the script
        let mut f = Engine::new(5);
        f.load_script(5, e.actions.clone(), 95_000);
        assert_eq!(f.backend.trace_hash(), straight.0);
    }

    #[test]
    fn checkpoints_stay_bounded() {
        let mut e = Engine::new(5);
        e.apply("hello-world.yaml", HELLO);
        e.seek(2_000_000);
        assert!(e.checkpoints.len() < MAX_CHECKPOINTS);
        assert!(e.checkpoints.windows(2).all(|w| w[0].t < w[1].t));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("30"), Some(30_000));
        assert_eq!(parse_duration_ms("1500ms"), Some(1_500));
        assert_eq!(parse_duration_ms("2m"), Some(120_000));
        assert_eq!(parse_duration_ms("x"), None);
    }
}

#[cfg(test)]
mod profile {
    use super::*;
    use std::time::Instant;

    /// Native cost breakdown of the 200 × 5,000 benchmark at 10× (run with --ignored --nocapture).
    #[test]
    #[ignore = "profiling aid"]
    fn big_cluster_frame_costs() {
        let text = include_str!("../tests/e2e/fixtures/bench-200x5000.yaml");
        let mut e = Engine::new(1);
        let t0 = Instant::now();
        e.apply("bench.yaml", text);
        println!("apply {:?}", t0.elapsed());
        e.playing = true;
        e.speed = 10;
        let mut r = crate::render::Renderer::default();
        let (mut tf, mut tv, mut te, mut ts, mut tr) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let mut worst = 0.0f64;
        // frames that overran the shell's 8 ms budget by more than 50 / 200 ms: one step
        // that costs that much cannot be split by the budget
        let (mut over50, mut over200) = (0, 0);
        let wall0 = Instant::now();
        for i in 0..1500 {
            let a = Instant::now();
            e.frame_within(1000.0 / 60.0, &mut || a.elapsed().as_secs_f64() < 0.008);
            let b = Instant::now();
            let sim_ms = (b - a).as_secs_f64() * 1000.0;
            over50 += u32::from(sim_ms > 58.0);
            over200 += u32::from(sim_ms > 208.0);
            e.refresh();
            let c = Instant::now();
            let ev = e.events(EVENTS_SHOWN).0;
            let d = Instant::now();
            let s = e.current().summary();
            let d2 = Instant::now();
            crate::render::tests::null_draw(
                &mut r,
                e.current(),
                1600.0,
                900.0,
                f64::from(i) * 16.7,
            );
            let f = Instant::now();
            let fr = (f - a).as_secs_f64() * 1000.0;
            worst = worst.max(fr);
            tf += (b - a).as_secs_f64();
            tv += (c - b).as_secs_f64();
            te += (d - c).as_secs_f64();
            ts += (d2 - d).as_secs_f64();
            tr += (f - d2).as_secs_f64();
            if i % 60 == 59 {
                println!(
                    "wall {:.1}s t={}s behind={} frame {:.1} view {:.1} events {:.1} summary {:.1} draw {:.1} ms/frame (worst {worst:.0}, >50ms {over50}, >200ms {over200}) ev={ev} {s}",
                    wall0.elapsed().as_secs_f64(),
                    e.now_ms() / 1000,
                    e.behind,
                    tf * 1000.0 / 60.0,
                    tv * 1000.0 / 60.0,
                    te * 1000.0 / 60.0,
                    ts * 1000.0 / 60.0,
                    tr * 1000.0 / 60.0
                );
                (tf, tv, te, ts, tr, worst) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
                (over50, over200) = (0, 0);
            }
        }
        let a = Instant::now();
        let c = e.backend.try_clone();
        println!(
            "clone {:?} ({} checkpoints)",
            a.elapsed(),
            e.checkpoints.len()
        );
        drop(c);
    }
}
