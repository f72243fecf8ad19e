//! [`Session`]: one simulated cluster plus the terminal state around it (current namespace),
//! and the entry points the CLI and the browser terminal call.
//!
//! A line goes through [`crate::command::parse_line`] (pure grammar, kubectl's error texts),
//! then to the verb's handler, which reads and writes the cluster through the engine's API
//! and prints with the printers in this crate. Files named by `apply -f` come through a
//! [`FileSource`], so the CLI can serve them from disk and the web app from its editor tabs.
use crate::command::{parse_line, Line};
use kubeplay_core::controllers::failures::Failures;
use kubeplay_core::network::Network;
use kubeplay_core::Sim;

/// What one command printed and whether it succeeded (kubectl's exit code 0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandOutput {
    /// Everything the command printed (stdout and stderr, in order), newline-terminated
    /// unless empty.
    pub text: String,
    /// Whether the command succeeded.
    pub ok: bool,
}

impl CommandOutput {
    /// A successful output.
    pub fn ok(text: impl Into<String>) -> Self {
        Self {
            text: terminate(text.into()),
            ok: true,
        }
    }
    /// A failed output.
    pub fn err(text: impl Into<String>) -> Self {
        Self {
            text: terminate(text.into()),
            ok: false,
        }
    }
}

fn terminate(mut s: String) -> String {
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Where `apply -f`, `delete -f` and friends read files from. Paths are as the user typed
/// them; implementations resolve them (the CLI against the script's folder).
pub trait FileSource {
    /// The file's text, or an error message such as `open x.yaml: no such file or directory`.
    fn read(&self, path: &str) -> Result<String, String>;
    /// The files in a folder (names only), if `path` is a folder.
    fn list_dir(&self, path: &str) -> Option<Vec<String>> {
        let _ = path;
        None
    }
}

/// A file source with no files (the terminal before any editor tab exists).
pub struct NoFiles;

impl FileSource for NoFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        Err(format!("the path \"{path}\" does not exist"))
    }
}

/// In-memory files, for tests and the web app's editor tabs.
#[derive(Debug, Clone, Default)]
pub struct MemFiles {
    /// (path, contents), searched in order.
    pub files: Vec<(String, String)>,
}

impl FileSource for MemFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        let p = path.trim_start_matches("./");
        self.files
            .iter()
            .find(|(n, _)| n.trim_start_matches("./") == p)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| format!("the path \"{path}\" does not exist"))
    }
    fn list_dir(&self, path: &str) -> Option<Vec<String>> {
        let dir = path.trim_start_matches("./").trim_end_matches('/');
        let prefix = if dir.is_empty() || dir == "." {
            String::new()
        } else {
            format!("{dir}/")
        };
        let names: Vec<String> = self
            .files
            .iter()
            .filter_map(|(n, _)| {
                n.trim_start_matches("./")
                    .strip_prefix(prefix.as_str())
                    .map(str::to_string)
            })
            .filter(|n| !n.contains('/'))
            .collect();
        if names.is_empty() {
            None
        } else {
            Some(names)
        }
    }
}

/// A failed line of a script: its 1-based number and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptFailure {
    /// 1-based line number in the script.
    pub line: usize,
    /// The command as written.
    pub command: String,
}

/// The transcript of a script run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScriptOutput {
    /// `$ command` lines each followed by the command's output.
    pub transcript: String,
    /// Lines whose command failed.
    pub failures: Vec<ScriptFailure>,
    /// Whether the run stopped at the first failure (`fail_fast`).
    pub stopped: bool,
}

/// One simulated cluster and its terminal state.
///
/// ```
/// let mut s = kubeplay_kubectl::Session::new(1);
/// let out = s.run_line("kubectl get pdos");
/// assert!(!out.ok);
/// assert_eq!(out.text, "error: the server doesn't have a resource type \"pdos\"\n");
/// ```
#[derive(Clone)]
pub struct Session {
    pub(crate) sim: Sim,
    pub(crate) net: Network,
    /// Node lifecycle, cloud node lifecycle and kops ASGs, driven next to the sim.
    pub(crate) failures: Failures,
    /// Access-log lines per pod name (requests sent with `curl`).
    pub(crate) access: std::collections::BTreeMap<String, Vec<(u64, String)>>,
    /// Finished load runs: (start ms, end ms, successes per pod), for `kubectl top`.
    pub(crate) loads: Vec<(u64, u64, std::collections::BTreeMap<String, u64>)>,
    pub(crate) namespace: String,
    /// Virtual time that passes after a command that changes the cluster (default 1 s).
    settle_ms: u64,
    /// The latest virtual time this session simulates to (default [`crate::command::MAX_SESSION_MS`]).
    time_cap_ms: u64,
    /// Where an [`Session::advance_within`] that stopped early stands, and its target;
    /// anything else the session does first runs on to the target, so it always acts between
    /// whole advances.
    resume: Option<(Leg, u64)>,
}

/// One leg of [`Session::advance_within`]: the sim runs to a stop, then something happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leg {
    /// To the target; the advance is done.
    Last,
    /// To a failure-controller wake-up, which then ticks.
    ToWake(u64),
    /// One ms past a tick that left its wake-up in the past (or to the target, if sooner).
    AfterTick(u64),
}

impl Session {
    /// A session on the default cluster.
    pub fn new(seed: u64) -> Self {
        Self::with_sim(Sim::new(seed))
    }

    /// A session around an existing simulator (for `--cluster FILE`).
    pub fn with_sim(mut sim: Sim) -> Self {
        let net = kubeplay_core::network::sim::attach(&mut sim);
        Self {
            sim,
            net,
            failures: Failures::new(),
            access: std::collections::BTreeMap::new(),
            loads: Vec::new(),
            namespace: "default".into(),
            settle_ms: 1000,
            time_cap_ms: crate::command::MAX_SESSION_MS,
            resume: None,
        }
    }

    /// The simulator, for views (the web app's cluster picture).
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The simulator, for the web app's buttons that act directly. Call [`Session::sync`]
    /// after changing it so the network model sees the change.
    pub fn sim_mut(&mut self) -> &mut Sim {
        &mut self.sim
    }

    /// The network model (Services, endpoints, load balancers, traffic statistics).
    pub fn net(&self) -> &Network {
        &self.net
    }

    /// Hand the network the cluster's current state (after direct changes to the sim).
    pub fn sync(&mut self) {
        kubeplay_core::network::sim::sync(&mut self.sim, &mut self.net);
    }

    /// Apply objects through the API server's admission (Service IP and port allocation).
    pub fn apply_objects(
        &mut self,
        objects: Vec<kubeplay_api::Object>,
    ) -> Vec<kubeplay_core::ApplyOutcome> {
        kubeplay_core::network::sim::apply(&mut self.sim, &mut self.net, objects)
    }

    /// Run one line without files (`apply -f` then reports the file as missing).
    pub fn run_line(&mut self, line: &str) -> CommandOutput {
        self.run_line_with(line, &NoFiles)
    }

    /// Run one line, reading files through `files`.
    pub fn run_line_with(&mut self, line: &str, files: &dyn FileSource) -> CommandOutput {
        self.finish_advance();
        let out = self.dispatch(line, files);
        // verbs may have changed the sim directly (delete, scale, chaos): let the network see it
        self.sync();
        out
    }

    fn dispatch(&mut self, line: &str, files: &dyn FileSource) -> CommandOutput {
        let expanded;
        let line = if line.contains("$(") {
            match self.substitute(line, files) {
                Ok(l) => {
                    expanded = l;
                    expanded.as_str()
                }
                Err(e) => return CommandOutput::err(e),
            }
        } else {
            line
        };
        match parse_line(line) {
            Ok(Line::Empty) => CommandOutput {
                text: String::new(),
                ok: true,
            },
            Ok(Line::Help(t)) => CommandOutput::ok(t),
            Ok(Line::Sleep(ms)) => {
                let now = self.sim.now_ms();
                if now.saturating_add(ms) > self.time_cap_ms {
                    return CommandOutput::err(format!(
                        "sleep: the playground simulates at most {} of virtual time per run, and this run is at {}",
                        kubeplay_core::clock::go_duration(self.time_cap_ms),
                        kubeplay_core::clock::go_duration(now)
                    ));
                }
                self.advance(ms);
                CommandOutput {
                    text: String::new(),
                    ok: true,
                }
            }
            Ok(Line::Kubectl { verb, parsed }) => {
                let out = self.kubectl(&verb, &parsed, files);
                if mutates(&verb) {
                    self.settle();
                }
                out
            }
            Ok(Line::Curl(p)) => self.curl(&p),
            Ok(Line::Sim(words)) => {
                let out = self.sim_verb(&words);
                if words.first().is_some_and(|w| w != "time" && w != "load") {
                    self.settle();
                }
                out
            }
            Ok(Line::Kops(words)) => {
                let out = self.kops(&words);
                if words.first().is_some_and(|w| w == "edit") {
                    self.settle();
                }
                out
            }
            Err(e) => CommandOutput::err(e),
        }
    }

    /// Shell command substitution, `$(kubectl get svc x -o jsonpath=…)`, outside single
    /// quotes: the inner line runs first and its output (trailing newlines removed) replaces
    /// it, as bash does. One level deep.
    fn substitute(&mut self, line: &str, files: &dyn FileSource) -> Result<String, String> {
        // counted before any runs, so a refused line changes nothing (a `$(` in single quotes
        // counts too: harmless over-counting)
        if line.matches("$(").count() > crate::command::MAX_SUBSTITUTIONS {
            return Err(format!(
                "at most {} command substitutions $(…) per line in the playground",
                crate::command::MAX_SUBSTITUTIONS
            ));
        }
        let chars: Vec<char> = line.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        let mut in_single = false;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                in_single = !in_single;
            }
            if !in_single && c == '$' && chars.get(i + 1) == Some(&'(') {
                let mut depth = 0;
                let mut j = i + 1;
                let mut quote: Option<char> = None;
                let mut end = None;
                while j < chars.len() {
                    let d = chars[j];
                    match quote {
                        Some(q) if d == q => quote = None,
                        Some(_) => {}
                        None => match d {
                            '\'' | '"' => quote = Some(d),
                            '(' => depth += 1,
                            ')' => {
                                depth -= 1;
                                if depth == 0 {
                                    end = Some(j);
                                    break;
                                }
                            }
                            _ => {}
                        },
                    }
                    j += 1;
                }
                let Some(end) = end else {
                    return Err("unexpected EOF while looking for matching `)'".into());
                };
                let inner: String = chars[i + 2..end].iter().collect();
                if inner.contains("$(") {
                    return Err("nested command substitution is not supported".into());
                }
                let r = self.dispatch(&inner, files);
                if !r.ok {
                    return Err(r.text.trim_end().to_string());
                }
                out.push_str(r.text.trim_end_matches('\n'));
                i = end + 1;
                continue;
            }
            out.push(c);
            i += 1;
        }
        Ok(out)
    }

    /// Run a script: every non-blank, non-comment line is echoed as `$ line` and followed by
    /// its output. With `fail_fast` the run stops at the first failing line.
    pub fn run_script(
        &mut self,
        script: &str,
        files: &dyn FileSource,
        fail_fast: bool,
    ) -> ScriptOutput {
        let mut out = ScriptOutput::default();
        for (n, raw) in script.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            out.transcript.push_str("$ ");
            out.transcript.push_str(line);
            out.transcript.push('\n');
            let r = self.run_line_with(line, files);
            out.transcript.push_str(&r.text);
            // kubectl leaves `-o jsonpath` output without a newline; the transcript keeps the
            // next `$` line on its own line, as a terminal prompt would after a newline.
            if !r.text.is_empty() && !r.text.ends_with('\n') {
                out.transcript.push('\n');
            }
            if !r.ok {
                out.failures.push(ScriptFailure {
                    line: n + 1,
                    command: line.to_string(),
                });
                if fail_fast {
                    out.stopped = true;
                    break;
                }
            }
        }
        out
    }

    /// Advance virtual time by `ms`, keeping the network model in step.
    pub fn advance(&mut self, ms: u64) {
        let target = self.sim.now_ms().saturating_add(ms);
        self.advance_to(target);
    }

    /// Advance virtual time by `ms`; whether the clock moved. It stands still at the session's
    /// time cap and when the sim stalls, so polling loops must stop on `false` or spin.
    pub(crate) fn advance_moved(&mut self, ms: u64) -> bool {
        let before = self.sim.now_ms();
        self.advance(ms);
        self.sim.now_ms() > before
    }

    /// [`Session::advance_to`] one simulator event at a time while `more()` says there is
    /// time left (the playground's per-frame budget): false when it stopped early — call again
    /// with the same target to go on — and true once the clock is at `t_ms`.
    ///
    /// Where it stopped is kept as the [`Leg`] it was in, so going on runs the very events,
    /// failure-controller ticks and checks a straight call would, in the same order.
    pub fn advance_within(&mut self, t_ms: u64, more: &mut dyn FnMut() -> bool) -> bool {
        // the session's time cap bounds any script, however many lines it has
        let t_ms = t_ms.min(self.time_cap_ms);
        if self.resume.is_some_and(|(_, t)| t != t_ms) {
            self.finish_advance();
        }
        // The network and the failure controllers both run next to the sim: step the sim (with
        // the network in tow) to each failure-controller wake-up on the way, tick it, go on.
        // Bounded: every pass reaches a later instant or the target. A stalled sim (bounded
        // steps) keeps its time; the next command sees the state.
        for _ in 0..10_000_000u32 {
            let leg = match self.resume.take() {
                Some((leg, _)) => leg,
                None => {
                    let wake = self.failures.next_wakeup_ms().max(self.sim.now_ms());
                    if wake > t_ms {
                        Leg::Last
                    } else {
                        Leg::ToWake(wake)
                    }
                }
            };
            let stop = match leg {
                Leg::Last => t_ms,
                Leg::ToWake(wake) => wake,
                Leg::AfterTick(next) => next,
            };
            match kubeplay_core::network::sim::run_until_within(
                &mut self.sim,
                &mut self.net,
                stop,
                &mut *more,
            ) {
                Ok(true) => {}
                Ok(false) => {
                    self.resume = Some((leg, t_ms));
                    return false;
                }
                Err(_) => return true,
            }
            match leg {
                Leg::Last => return true,
                Leg::ToWake(wake) => {
                    self.failures.tick(&mut self.sim);
                    self.sync();
                    if self.failures.next_wakeup_ms() <= wake {
                        self.resume = Some((Leg::AfterTick((wake + 1).min(t_ms)), t_ms));
                    }
                }
                Leg::AfterTick(next) => {
                    if next >= t_ms {
                        return true;
                    }
                }
            }
        }
        true
    }

    /// After a command that changes the cluster: `settle_ms` of virtual time, run whole. With
    /// 0 (a shell that runs virtual time on its own clock) only the reactions due at this very
    /// instant are owed, and they are started under a zero budget — one event runs, the rest
    /// wait for [`Session::continue_within`] — so a command that queues thousands of events
    /// (a Deployment of 5,000 replicas) returns at once and the shell runs them frame by
    /// frame. The next command, or any advance, runs them first, so what it sees is the same.
    fn settle(&mut self) {
        if self.settle_ms == 0 {
            let now = self.sim.now_ms();
            self.advance_within(now, &mut || false);
        } else {
            self.advance(self.settle_ms);
        }
    }

    /// Goes on with an [`Session::advance_within`] that stopped early, to its own target,
    /// while `more()` allows; true once nothing is left (or nothing was pending).
    pub fn continue_within(&mut self, more: &mut dyn FnMut() -> bool) -> bool {
        match self.resume {
            Some((_, t)) => self.advance_within(t, more),
            None => true,
        }
    }

    /// Whether an [`Session::advance_within`] stopped early and waits to go on.
    pub fn advancing(&self) -> bool {
        self.resume.is_some()
    }

    /// Completes an [`Session::advance_within`] that stopped early.
    fn finish_advance(&mut self) {
        if let Some((_, t)) = self.resume {
            self.advance_within(t, &mut || true);
        }
    }

    /// Advance virtual time to `t_ms`.
    pub fn advance_to(&mut self, t_ms: u64) {
        self.advance_within(t_ms, &mut || true);
    }

    /// How much virtual time passes after each command that changes the cluster. Scripts
    /// and the CLI keep the default of 1 s, the time a real API round trip and the
    /// controllers' first reaction take, so `get pods` right after `apply` shows the new pods
    /// as they would appear; a shell that runs virtual time on its own clock can set 0.
    pub fn set_settle_ms(&mut self, ms: u64) {
        self.settle_ms = ms;
    }

    /// Lower the session's virtual-time cap (default 100 days, [`crate::command::MAX_SESSION_MS`]);
    /// past it the clock stands still, `sleep` says why and waits time out. For tests and
    /// shells that want a tighter bound; it never rises above the default.
    pub fn set_time_cap_ms(&mut self, ms: u64) {
        self.time_cap_ms = ms.min(crate::command::MAX_SESSION_MS);
    }

    /// Change the namespace commands use when none is given (what
    /// `kubectl config set-context --current --namespace=NS` does on a real machine).
    pub fn set_namespace(&mut self, ns: &str) {
        self.namespace = ns.to_string();
    }

    /// When the next thing happens in the cluster or its network (for shells that run time
    /// on their own clock and want to skip idle stretches).
    pub fn next_event_ms(&self) -> Option<u64> {
        match (self.sim.next_event_ms(), self.net.next_api_change()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Virtual time now, in ms since the cluster started.
    pub fn now_ms(&self) -> u64 {
        self.sim.now_ms()
    }

    /// A number that changes whenever the cluster changes (for redraw decisions).
    pub fn version(&self) -> u64 {
        self.sim.trace_len()
    }

    /// The namespace commands use when none is given.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
}

/// Verbs after which virtual time settles (they write to the cluster).
fn mutates(verb: &str) -> bool {
    !matches!(
        verb,
        "get"
            | "describe"
            | "logs"
            | "explain"
            | "version"
            | "cluster-info"
            | "api-resources"
            | "top nodes"
            | "top pods"
            | "wait"
            | "rollout status"
            | "rollout history"
    )
}
