//! The terminal: the command layer with history (↑/↓) and tab completion.
use std::rc::Rc;

use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::engine::Entry;

/// Terminal props.
#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    /// Transcript so far.
    pub transcript: Rc<Vec<Entry>>,
    /// Command history, oldest first.
    pub history: Vec<String>,
    /// Run a line.
    pub on_run: Callback<String>,
    /// Completions for a line.
    pub on_complete: Callback<String, Vec<String>>,
    /// Input element ref (so `:` can focus it).
    pub input_ref: NodeRef,
}

/// The terminal component.
#[component]
pub fn Terminal(p: &TerminalProps) -> Html {
    let value = use_state(String::new);
    let cursor = use_state(|| None::<usize>);
    let hints = use_state(Vec::<String>::new);
    let out_ref = use_node_ref();

    {
        let out_ref = out_ref.clone();
        use_effect_with((p.transcript.len(), hints.len()), move |_| {
            if let Some(el) = out_ref.cast::<HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let oninput = {
        let value = value.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            value.set(el.value());
        })
    };
    let onkeydown = {
        let (value, cursor, hints) = (value.clone(), cursor.clone(), hints.clone());
        let (on_run, on_complete, history) =
            (p.on_run.clone(), p.on_complete.clone(), p.history.clone());
        Callback::from(move |e: KeyboardEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            match e.key().as_str() {
                "Enter" => {
                    e.prevent_default();
                    let line = el.value();
                    el.set_value("");
                    value.set(String::new());
                    cursor.set(None);
                    hints.set(Vec::new());
                    on_run.emit(line);
                }
                "ArrowUp" | "ArrowDown" if !history.is_empty() => {
                    e.prevent_default();
                    let up = e.key() == "ArrowUp";
                    let next = match (*cursor, up) {
                        (None, true) => Some(history.len() - 1),
                        (None, false) => None,
                        (Some(0), true) => Some(0),
                        (Some(i), true) => Some(i - 1),
                        (Some(i), false) if i + 1 < history.len() => Some(i + 1),
                        (Some(_), false) => None,
                    };
                    let text = next.map(|i| history[i].clone()).unwrap_or_default();
                    el.set_value(&text);
                    value.set(text);
                    cursor.set(next);
                }
                "Tab" => {
                    let line = el.value();
                    if line.is_empty() {
                        return; // let Tab move focus on an empty prompt
                    }
                    e.prevent_default();
                    let c = on_complete.emit(line.clone());
                    let word_start = line.rfind(' ').map_or(0, |i| i + 1);
                    let prefix = common_prefix(&c);
                    if c.len() == 1 {
                        let new = format!("{}{} ", &line[..word_start], c[0]);
                        el.set_value(&new);
                        value.set(new);
                        hints.set(Vec::new());
                    } else if !c.is_empty() {
                        if prefix.len() > line.len() - word_start {
                            let new = format!("{}{}", &line[..word_start], prefix);
                            el.set_value(&new);
                            value.set(new);
                        }
                        hints.set(c);
                    }
                }
                _ => {}
            }
        })
    };

    html! {
        <div class="terminal">
            <div class="term-out" ref={out_ref} data-testid="terminal-output" role="log" aria-live="polite" aria-label="terminal output" tabindex="0">
                { for p.transcript.iter().skip(p.transcript.iter().rposition(|e| e.prompt == "clear").map_or(0, |i| i + 1)).map(|e| html! {
                    <div class="term-entry">
                        // an entry without a prompt is a notice from the page (the time cap), not a command
                        if !e.prompt.is_empty() {
                            <div class="term-prompt"><span class="ps1" aria-hidden="true">{"$ "}</span>{ e.prompt.clone() }</div>
                        }
                        if !e.output.is_empty() {
                            <pre class={classes!("term-res", e.prompt.is_empty().then_some("term-notice"))}>{ e.output.clone() }</pre>
                        }
                    </div>
                }) }
                if !hints.is_empty() { <div class="term-hints">{ hints.join("  ") }</div> }
            </div>
            <div class="term-in">
                <span class="ps1" aria-hidden="true">{"$"}</span>
                <input ref={p.input_ref.clone()} data-testid="terminal-input" type="text" spellcheck="false"
                    autocomplete="off" autocapitalize="off" aria-label="terminal command"
                    placeholder="kubectl get pods   (Tab completes, ↑ history)"
                    value={(*value).clone()} {oninput} {onkeydown} />
            </div>
        </div>
    }
}

fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut n = first.len();
    for w in &words[1..] {
        n = first
            .bytes()
            .zip(w.bytes())
            .take(n)
            .take_while(|(a, b)| a == b)
            .count();
    }
    while !first.is_char_boundary(n) {
        n -= 1;
    }
    first[..n].to_string()
}

/// Completion used until the command layer offers its own: verbs, kinds and fixed words.
#[cfg_attr(feature = "engine", allow(dead_code))]
pub fn fallback_complete(line: &str) -> Vec<String> {
    const FIRST: &[&str] = &["kubectl", "sim", "curl", "sleep", "help"];
    const KUBECTL: &[&str] = &[
        "get", "describe", "apply", "delete", "cordon", "uncordon", "drain", "scale", "rollout",
        "taint", "logs", "top", "explain",
    ];
    const KINDS: &[&str] = &[
        "pods",
        "nodes",
        "deployments",
        "replicasets",
        "services",
        "events",
        "all",
    ];
    let words: Vec<&str> = line.split(' ').collect();
    let last = *words.last().unwrap_or(&"");
    let pool: &[&str] = match words.len() {
        1 => FIRST,
        2 if words[0] == "kubectl" || words[0] == "k" => KUBECTL,
        3 if words[0] == "kubectl" || words[0] == "k" => KINDS,
        _ => &[],
    };
    pool.iter()
        .filter(|w| w.starts_with(last))
        .map(|w| (*w).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion() {
        assert_eq!(fallback_complete("kub"), vec!["kubectl"]);
        assert_eq!(fallback_complete("kubectl ge"), vec!["get"]);
        assert_eq!(fallback_complete("kubectl get po"), vec!["pods"]);
        assert_eq!(common_prefix(&["describe".into(), "delete".into()]), "de");
    }
}
