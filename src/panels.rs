//! Text panels: problems + documents, events, inspector. All user strings are rendered as
//! text nodes (never as markup).
use std::rc::Rc;

use yew::prelude::*;

use crate::{
    engine::Inspect,
    state::Diag,
    view::{EventRow, ObjRef},
};

/// Problems list props.
#[derive(Properties, PartialEq)]
pub struct ProblemsProps {
    /// Live diagnostics of the active tab.
    pub diags: Vec<Diag>,
    /// Documents of the last Apply.
    pub docs: Vec<String>,
    /// Errors of the last Apply.
    pub errors: Vec<String>,
}

/// Problems (live) and the documents of the last Apply.
#[component]
pub fn Problems(p: &ProblemsProps) -> Html {
    html! {
        <section class="problems-pane" aria-label="problems and documents">
            <ul class="problems" aria-live="polite">
                { for p.diags.iter().map(|d| html! {
                    <li class={format!("{} problem sev-{}", d.severity, d.severity)}>
                        <span class="pos">{ format!("{}:{}", d.line, d.col) }</span>{" "}{ d.message.clone() }
                    </li>
                }) }
                { for p.errors.iter().filter(|e| !p.diags.iter().any(|d| e.contains(&d.message))).map(|e| html! {
                    <li class="error problem">{ e.clone() }</li>
                }) }
            </ul>
            if !p.docs.is_empty() {
                <ul class="docs" aria-label="applied documents">
                    { for p.docs.iter().map(|d| html! { <li class="doc">{ d.clone() }</li> }) }
                </ul>
            }
        </section>
    }
}

/// Virtual ms → `1m5s` / `42s` like kubectl's ages.
pub fn age(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..=119 => format!("{s}s"),
        120..=3599 => format!("{}m{}s", s / 60, s % 60),
        _ => format!("{}h{}m", s / 3600, (s % 3600) / 60),
    }
}

/// Events props.
#[derive(Properties, PartialEq)]
pub struct EventsProps {
    /// The newest events, oldest first.
    pub events: Rc<Vec<EventRow>>,
    /// How many events there are in all.
    pub total: usize,
    /// Virtual now, for LAST SEEN.
    pub now_ms: u64,
}

/// `kubectl get events`, live.
#[component]
pub fn Events(p: &EventsProps) -> Html {
    let shown = p.events.len().min(200);
    let rows = p.events[p.events.len() - shown..].iter().rev().map(|e| {
        let cls = if e.kind == "Warning" {
            "ev ev-warn"
        } else {
            "ev"
        };
        html! {
            <tr class={cls}>
                <td>{ age(p.now_ms.saturating_sub(e.t_ms)) }</td>
                <td>{ e.kind.clone() }</td>
                <td>{ e.reason.clone() }</td>
                <td>{ e.object.clone() }</td>
                <td>{ e.message.clone() }</td>
            </tr>
        }
    });
    html! {
        <section class="events" data-testid="events" aria-label="events">
            <h2>{"Events"}<span class="muted">{ format!(" ({})", p.total) }</span></h2>
            if p.events.is_empty() {
                <p class="hint">{"No events yet."}</p>
            } else {
                <table>
                    <thead><tr><th>{"LAST SEEN"}</th><th>{"TYPE"}</th><th>{"REASON"}</th><th>{"OBJECT"}</th><th>{"MESSAGE"}</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
        </section>
    }
}

/// The actions offered for an object, as (label, command line). Every action runs as the
/// equivalent command so the terminal teaches it.
pub fn actions_for(
    obj: &ObjRef,
    cordoned: bool,
    kubelet_up: bool,
    loaded: bool,
) -> Vec<(&'static str, String)> {
    match obj {
        ObjRef::Node(n) => vec![
            ("Terminate instance", format!("sim terminate node/{n}")),
            if kubelet_up {
                ("Stop kubelet", format!("sim stop node/{n}"))
            } else {
                ("Start kubelet", format!("sim start node/{n}"))
            },
            if cordoned {
                ("Uncordon", format!("kubectl uncordon {n}"))
            } else {
                ("Cordon", format!("kubectl cordon {n}"))
            },
            (
                "Drain",
                format!("kubectl drain {n} --ignore-daemonsets --delete-emptydir-data"),
            ),
            ("Describe", format!("kubectl describe node {n}")),
        ],
        ObjRef::Pod(n) => vec![
            ("Delete", format!("kubectl delete pod {n}")),
            ("Crash container", format!("sim crash pod/{n}")),
            ("Describe", format!("kubectl describe pod {n}")),
        ],
        ObjRef::Service(n) => vec![
            ("Send one request", format!("curl http://{n}")),
            if loaded {
                ("Stop load", format!("sim load --stop http://{n}"))
            } else {
                (
                    "Start load",
                    format!("sim load http://{n} --rps 20 --for 5m --background"),
                )
            },
            ("Describe", format!("kubectl describe service {n}")),
        ],
        ObjRef::ControlPlane => vec![("Get nodes", "kubectl get nodes".into())],
    }
}

/// Inspector props.
#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// Selected object.
    pub selected: Option<ObjRef>,
    /// Its details.
    pub inspect: Option<Rc<Inspect>>,
    /// Node cordoned / kubelet up / service under load (to label toggles).
    pub flags: (bool, bool, bool),
    /// Run a command (echoed in the terminal).
    pub on_command: Callback<String>,
    /// Clear the selection.
    pub on_close: Callback<()>,
}

/// Describe + YAML + "why this node" for the selected object, and its actions.
#[component]
pub fn Inspector(p: &InspectorProps) -> Html {
    let Some(obj) = &p.selected else {
        return html! {
            <aside class="inspector" data-testid="inspector" aria-label="inspector">
                <h2>{"Inspector"}</h2>
                <p class="hint">{"Click a node, pod or Service on the canvas — or focus the canvas and use the arrow keys, Enter to select."}</p>
            </aside>
        };
    };
    let (cordoned, kubelet_up, loaded) = p.flags;
    let buttons = actions_for(obj, cordoned, kubelet_up, loaded).into_iter().map(|(label, cmd)| {
        let on_command = p.on_command.clone();
        let title = cmd.clone();
        html! { <button class="act" {title} onclick={move |_| on_command.emit(cmd.clone())}>{label}</button> }
    });
    let close = p.on_close.reform(|_| ());
    let ins = p.inspect.clone().unwrap_or_default();
    html! {
        <aside class="inspector" data-testid="inspector" aria-label="inspector">
            <h2>{ obj.kubectl_ref() }<button class="close" aria-label="close inspector" onclick={close}>{"×"}</button></h2>
            <div class="actions" role="toolbar" aria-label="actions">{ for buttons }</div>
            if !ins.why.is_empty() {
                <h3>{ if matches!(obj, ObjRef::Pod(_)) { "Why this node / why Pending" } else { "Scheduling" } }</h3>
                <table class="why">
                    <thead><tr><th>{"NODE"}</th><th>{"VERDICT"}</th><th>{"SCORE"}</th></tr></thead>
                    <tbody>
                        { for ins.why.iter().map(|row| html! {
                            <tr>{ for row.iter().map(|c| html! { <td>{ c.clone() }</td> }) }</tr>
                        }) }
                    </tbody>
                </table>
            }
            <h3>{"Describe"}</h3>
            <pre class="describe">{ ins.describe.clone() }</pre>
            if !ins.yaml.is_empty() {
                <details><summary>{"YAML"}</summary><pre class="yaml">{ ins.yaml.clone() }</pre></details>
            }
        </aside>
    }
}
