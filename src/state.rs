//! The page's store: one reducer provided through a context (style.md R12). UI-only state
//! lives here; the simulator lives in [`crate::engine::Engine`] outside the VDOM, and the
//! reducer only mirrors what the panels need to show.
use std::rc::Rc;
use yew::prelude::*;

use crate::{
    engine::{Entry, Inspect},
    share::Tab,
    view::{EventRow, ObjRef},
};

/// The examples menu: (file name, label, text).
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "hello-world.yaml",
        "Hello world (the seed's example)",
        include_str!("../static/examples/hello-world.yaml"),
    ),
    (
        "rolling-update.yaml",
        "Rolling update with zero downtime",
        include_str!("../static/examples/rolling-update.yaml"),
    ),
    (
        "node-failure.yaml",
        "Node-failure drill",
        include_str!("../static/examples/node-failure.yaml"),
    ),
    (
        "pending-requests.yaml",
        "Requests that leave a pod Pending",
        include_str!("../static/examples/pending-requests.yaml"),
    ),
    (
        "taints-tolerations.yaml",
        "Taints and tolerations",
        include_str!("../static/examples/taints-tolerations.yaml"),
    ),
    (
        "kops-instance-group.yaml",
        "kops instance group",
        include_str!("../static/examples/kops-instance-group.yaml"),
    ),
];

/// The default seed.
pub const DEFAULT_SEED: u64 = 1;

/// Colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    Auto,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    /// Stored / attribute name.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    /// Parse a stored name.
    pub fn from_name(s: &str) -> Theme {
        match s {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::Auto,
        }
    }
}

/// One loader diagnostic, positioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// Message.
    pub message: String,
}

/// Everything the panels render.
#[derive(Debug, Clone, PartialEq)]
pub struct Ui {
    /// Editor tabs.
    pub tabs: Vec<Tab>,
    /// Active tab.
    pub active: usize,
    /// Diagnostics of the active tab's text.
    pub diags: Vec<Diag>,
    /// Documents found by the last Apply (`Kind/name`).
    pub docs: Vec<String>,
    /// Errors of the last Apply.
    pub apply_errors: Vec<String>,
    /// Theme.
    pub theme: Theme,
    /// Seed of the run.
    pub seed: u64,
    /// Speed multiplier.
    pub speed: u32,
    /// Playing?
    pub playing: bool,
    /// Virtual time, ms (mirrored from the engine at most a few times a second).
    pub now_ms: u64,
    /// Virtual speed actually achieved while it is behind the chosen one (frame budget).
    pub pace: Option<f64>,
    /// The run has reached the session's virtual-time cap.
    pub capped: bool,
    /// Timeline end, ms.
    pub end_ms: u64,
    /// The engine's version last mirrored.
    pub version: u64,
    /// Accessible summary text.
    pub summary: String,
    /// The newest events, oldest first.
    pub events: Rc<Vec<EventRow>>,
    /// How many events there are in all.
    pub events_total: usize,
    /// Terminal transcript.
    pub transcript: Rc<Vec<Entry>>,
    /// Command history (oldest first).
    pub history: Vec<String>,
    /// Selected object.
    pub selected: Option<ObjRef>,
    /// What the inspector shows.
    pub inspect: Option<Rc<Inspect>>,
    /// Share link last made.
    pub share: Option<String>,
    /// A non-fatal error to show.
    pub error: Option<String>,
    /// Help overlay open.
    pub help: bool,
}

impl Default for Ui {
    fn default() -> Self {
        Ui {
            tabs: vec![Tab {
                name: EXAMPLES[0].0.into(),
                text: EXAMPLES[0].2.into(),
            }],
            active: 0,
            diags: Vec::new(),
            docs: Vec::new(),
            apply_errors: Vec::new(),
            theme: Theme::Auto,
            seed: DEFAULT_SEED,
            speed: 1,
            playing: false,
            now_ms: 0,
            pace: None,
            capped: false,
            end_ms: 0,
            version: 0,
            summary: String::new(),
            events: Rc::default(),
            events_total: 0,
            transcript: Rc::default(),
            history: Vec::new(),
            selected: None,
            inspect: None,
            share: None,
            error: None,
            help: false,
        }
    }
}

/// Everything that changes [`Ui`].
pub enum Msg {
    /// Replace the active tab's text.
    Edit(String),
    /// Switch tab.
    SelectTab(usize),
    /// New empty tab.
    NewTab,
    /// Close a tab.
    CloseTab(usize),
    /// Open an example in a new tab (or switch to it).
    OpenExample(usize),
    /// Result of Apply.
    Applied {
        docs: Vec<String>,
        errors: Vec<String>,
    },
    /// Mirror of the engine after a change.
    Sync {
        now_ms: u64,
        end_ms: u64,
        version: u64,
        playing: bool,
        pace: Option<f64>,
        capped: bool,
        summary: String,
        events: Option<(usize, Rc<Vec<EventRow>>)>,
        transcript: Option<Rc<Vec<Entry>>>,
        inspect: Option<Option<Rc<Inspect>>>,
    },
    /// Speed changed.
    Speed(u32),
    /// Seed changed.
    Seed(u64),
    /// Theme changed.
    Theme(Theme),
    /// A command was typed.
    PushHistory(String),
    /// Select (or clear) an object.
    Select(Option<ObjRef>, Option<Rc<Inspect>>),
    /// A share link was made.
    Shared(String),
    /// Show / clear a non-fatal error.
    Error(Option<String>),
    /// Toggle help.
    Help(bool),
}

impl Reducible for Ui {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut s = (*self).clone();
        match msg {
            Msg::Edit(text) => {
                if s.tabs[s.active].text == text {
                    return self;
                }
                s.diags = diagnostics(&text);
                s.tabs[s.active].text = text;
            }
            Msg::SelectTab(i) if i < s.tabs.len() => {
                s.active = i;
                s.diags = diagnostics(&s.tabs[i].text);
            }
            Msg::SelectTab(_) => return self,
            Msg::NewTab => {
                let mut n = s.tabs.len() + 1;
                while s
                    .tabs
                    .iter()
                    .any(|t| t.name == format!("untitled-{n}.yaml"))
                {
                    n += 1;
                }
                s.tabs.push(Tab {
                    name: format!("untitled-{n}.yaml"),
                    text: String::new(),
                });
                s.active = s.tabs.len() - 1;
                s.diags.clear();
            }
            Msg::CloseTab(i) => {
                if s.tabs.len() <= 1 || i >= s.tabs.len() {
                    return self;
                }
                s.tabs.remove(i);
                if s.active >= s.tabs.len() || s.active > i {
                    s.active = s.active.saturating_sub(1);
                }
                s.diags = diagnostics(&s.tabs[s.active].text);
            }
            Msg::OpenExample(i) => {
                let Some((name, _, text)) = EXAMPLES.get(i) else {
                    return self;
                };
                match s.tabs.iter().position(|t| t.name == *name) {
                    Some(j) => s.active = j,
                    None => {
                        s.tabs.push(Tab {
                            name: (*name).into(),
                            text: (*text).into(),
                        });
                        s.active = s.tabs.len() - 1;
                    }
                }
                s.diags = diagnostics(&s.tabs[s.active].text);
            }
            Msg::Applied { docs, errors } => {
                s.docs = docs;
                s.apply_errors = errors;
            }
            Msg::Sync {
                now_ms,
                end_ms,
                version,
                playing,
                pace,
                capped,
                summary,
                events,
                transcript,
                inspect,
            } => {
                s.now_ms = now_ms;
                s.end_ms = end_ms;
                s.version = version;
                s.playing = playing;
                s.pace = pace;
                s.capped = capped;
                s.summary = summary;
                if let Some((total, rows)) = events {
                    s.events_total = total;
                    s.events = rows;
                }
                if let Some(t) = transcript {
                    s.transcript = t;
                }
                if let Some(i) = inspect {
                    s.inspect = i;
                }
            }
            Msg::Speed(v) => s.speed = v,
            Msg::Seed(v) => s.seed = v,
            Msg::Theme(t) => s.theme = t,
            Msg::PushHistory(line) => {
                if s.history.last() != Some(&line) && !line.trim().is_empty() {
                    s.history.push(line);
                    let excess = s.history.len().saturating_sub(500);
                    s.history.drain(..excess);
                }
            }
            Msg::Select(obj, inspect) => {
                s.selected = obj;
                s.inspect = inspect;
            }
            Msg::Shared(url) => s.share = Some(url),
            Msg::Error(e) => s.error = e,
            Msg::Help(h) => s.help = h,
        }
        Rc::new(s)
    }
}

/// Loader diagnostics of `text` (errors and warnings), positioned at their line:column.
pub fn diagnostics(text: &str) -> Vec<Diag> {
    from_loaded(&kubeplay_api::load(text))
}

/// The positioned diagnostics of a load result.
pub fn from_loaded(l: &kubeplay_api::LoadResult) -> Vec<Diag> {
    l.diagnostics
        .iter()
        .map(|d| {
            let p = d.position.unwrap_or_default();
            Diag {
                line: (p.line as usize).max(1),
                col: (p.column as usize).max(1),
                severity: if d.is_error() { "error" } else { "warning" },
                message: d.render(),
            }
        })
        .collect()
}

/// Split a message `L:C: message` into a positioned diagnostic.
#[cfg(test)]
pub fn parse_diag(e: &str, severity: &'static str) -> Diag {
    let mut it = e.splitn(3, ':');
    let line = it.next().and_then(|x| x.trim().parse().ok());
    let col = it.next().and_then(|x| x.trim().parse().ok());
    match (line, col, it.next()) {
        (Some(line), Some(col), Some(rest)) => Diag {
            line,
            col,
            severity,
            message: rest.trim().to_string(),
        },
        _ => Diag {
            line: 1,
            col: 1,
            severity,
            message: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diag_positions() {
        let d = parse_diag("3:7: did not find expected key", "error");
        assert_eq!((d.line, d.col), (3, 7));
        assert_eq!(d.message, "did not find expected key");
        let d = diagnostics("a: b\nc: [\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].line >= 2);
    }

    #[test]
    fn tabs() {
        let ui = Rc::new(Ui::default());
        let ui = ui.reduce(Msg::NewTab);
        assert_eq!(ui.tabs.len(), 2);
        assert_eq!(ui.active, 1);
        let ui = ui.reduce(Msg::OpenExample(0));
        assert_eq!(ui.active, 0);
        let ui = ui.reduce(Msg::CloseTab(1));
        assert_eq!(ui.tabs.len(), 1);
    }
}
