//! The adapter between the page and the pure crates. Every call the UI makes into the
//! simulator and the command layer goes through here, so wiring a new engine feature in is a
//! change to this file only.
//!
//! Until `kubeplay-core`'s `Sim` and `kubeplay-kubectl`'s `Session` land, this keeps the
//! loader's view of what was applied and moves virtual time, so the page works end to end.
use crate::view::{EventRow, ObjRef, View};

/// The simulator + command layer.
#[derive(Clone)]
pub struct Backend {
    now_ms: u64,
    version: u64,
    objects: Vec<(String, String)>,
    events: Vec<EventRow>,
}

impl Backend {
    /// A fresh cluster for `seed`.
    pub fn new(_seed: u64) -> Self {
        Backend {
            now_ms: 0,
            version: 0,
            objects: Vec::new(),
            events: Vec::new(),
        }
    }

    /// How many objects exist (what a checkpoint copy costs grows with it).
    pub fn pod_count(&self) -> usize {
        self.objects.len()
    }

    /// Virtual time, ms.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Changes whenever the cluster state changes.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Advance virtual time to `t` (no-op when `t` is not ahead).
    pub fn run_until(&mut self, t: u64) {
        self.now_ms = self.now_ms.max(t);
    }

    /// [`Backend::run_until`] under the caller's budget: runs while `more()` allows (at least
    /// one simulator event), false when it stopped short of `t` — call again with the same `t`.
    pub fn run_until_within(&mut self, t: u64, more: &mut dyn FnMut() -> bool) -> bool {
        let _ = more;
        self.run_until(t);
        true
    }

    /// Never: this backend has no events to run.
    pub fn advancing(&self) -> bool {
        false
    }

    /// Nothing to go on with.
    pub fn continue_within(&mut self, more: &mut dyn FnMut() -> bool) -> bool {
        let _ = more;
        true
    }

    /// When the next scheduled event fires, if any.
    pub fn next_event_ms(&self) -> Option<u64> {
        None
    }

    /// A copy for replay checkpoints, when the simulator supports it.
    pub fn try_clone(&self) -> Option<Backend> {
        Some(self.clone())
    }

    /// `kubectl apply -f NAME` with the editor tab `name` holding `text`: (command, output).
    pub fn apply(&mut self, name: &str, text: &str) -> (String, String) {
        (format!("kubectl apply -f {name}"), self.apply_text(text))
    }

    fn apply_text(&mut self, text: &str) -> String {
        let loaded = kubeplay_api::load(text);
        let mut out = Vec::new();
        for d in &loaded.documents {
            let key = (d.kind.clone(), d.name.clone());
            let verb = if self.objects.contains(&key) {
                "configured"
            } else {
                "created"
            };
            if verb == "created" {
                self.objects.push(key);
            }
            out.push(format!("{}/{} {verb}", d.kind.to_lowercase(), d.name));
        }
        for e in &loaded.errors {
            out.push(format!("error: {e}"));
        }
        self.version += 1;
        out.join("\n")
    }

    /// Run one terminal line; returns its output.
    pub fn command(&mut self, line: &str) -> String {
        let verb = line.split_whitespace().next().unwrap_or("");
        match verb {
            "" => String::new(),
            "kubectl" | "k" | "sim" | "curl" => {
                format!("{verb}: the command layer is not connected in this build yet")
            }
            _ => format!("{verb}: command not found (try `help`)"),
        }
    }

    /// Snapshot for drawing.
    pub fn view(&mut self) -> View {
        View {
            now_ms: self.now_ms,
            ..View::default()
        }
    }

    /// `kubectl get events`: how many, and the newest `limit`, oldest first.
    pub fn events(&self, limit: usize) -> (usize, Vec<EventRow>) {
        let skip = self.events.len().saturating_sub(limit);
        (self.events.len(), self.events[skip..].to_vec())
    }

    /// `kubectl describe` of an object.
    pub fn describe(&mut self, obj: &ObjRef) -> String {
        format!("{}: no details yet", obj.kubectl_ref())
    }

    /// The object as YAML.
    pub fn yaml(&mut self, _obj: &ObjRef) -> String {
        String::new()
    }

    /// Scheduler verdicts per node for a pod.
    pub fn why(&self, _obj: &ObjRef) -> Vec<Vec<String>> {
        Vec::new()
    }

    /// Whether a background load to the Service is running (never, here).
    pub fn load_running(&self, _name: &str) -> bool {
        false
    }

    /// Completions for the last word of `line`.
    pub fn complete(&self, line: &str) -> Vec<String> {
        crate::terminal::fallback_complete(line)
    }
}
