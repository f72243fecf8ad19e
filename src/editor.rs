//! The YAML editor: a textarea (which takes the keyboard, `data-testid="editor"`) over a
//! highlighted copy of its text, with a line-number gutter, gutter markers and underlines at
//! each diagnostic's line:column, and hover messages.
use web_sys::{HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::{
    highlight::{line_tokens, Tok},
    state::Diag,
};

/// Line height in px; must match `.code-layer` in style.css.
const LINE_PX: f64 = 19.0;
/// Top padding in px; must match style.css.
const PAD_PX: f64 = 8.0;

/// Editor props.
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The text.
    pub text: AttrValue,
    /// Diagnostics to mark.
    pub diags: Vec<Diag>,
    /// The text changed.
    pub on_edit: Callback<String>,
    /// Ctrl/Cmd+Enter.
    pub on_apply: Callback<()>,
    /// Accessible name.
    pub label: AttrValue,
}

/// The editor component.
#[component]
pub fn Editor(p: &EditorProps) -> Html {
    let area = use_node_ref();
    let hl = use_node_ref();
    let gutter = use_node_ref();

    let oninput = {
        let on_edit = p.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            let ta: HtmlTextAreaElement = e.target_unchecked_into();
            on_edit.emit(ta.value());
        })
    };
    let onscroll = {
        let (hl, gutter) = (hl.clone(), gutter.clone());
        Callback::from(move |e: Event| {
            let ta: HtmlTextAreaElement = e.target_unchecked_into();
            if let Some(h) = hl.cast::<HtmlElement>() {
                h.set_scroll_top(ta.scroll_top());
                h.set_scroll_left(ta.scroll_left());
            }
            if let Some(g) = gutter.cast::<HtmlElement>() {
                g.set_scroll_top(ta.scroll_top());
            }
        })
    };
    let onkeydown = {
        let (on_apply, on_edit) = (p.on_apply.clone(), p.on_edit.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                on_apply.emit(());
            } else if e.key() == "Tab"
                && !e.shift_key()
                && !e.ctrl_key()
                && !e.alt_key()
                && !e.meta_key()
            {
                // two spaces, the YAML indent; Escape then Tab leaves the editor
                let ta: HtmlTextAreaElement = e.target_unchecked_into();
                if ta.dataset().get("escaped").is_some() {
                    ta.dataset().delete("escaped");
                    return;
                }
                e.prevent_default();
                let v = ta.value();
                let (a, b) = sel(&ta, &v);
                let nv = format!("{}  {}", &v[..a], &v[b..]);
                ta.set_value(&nv);
                let caret = u32::try_from(utf16_len(&v[..a]) + 2).unwrap_or(0);
                let _ = ta.set_selection_range(caret, caret);
                on_edit.emit(nv);
            } else if e.key() == "Escape" {
                let ta: HtmlTextAreaElement = e.target_unchecked_into();
                let _ = ta.dataset().set("escaped", "1");
            }
        })
    };
    let onmousemove = {
        let diags = p.diags.clone();
        Callback::from(move |e: MouseEvent| {
            let ta: HtmlTextAreaElement = e.target_unchecked_into();
            let y = f64::from(e.offset_y()) + f64::from(ta.scroll_top()) - PAD_PX;
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let line = (y / LINE_PX).floor().max(0.0) as usize + 1;
            let msg: Vec<String> = diags
                .iter()
                .filter(|d| d.line == line)
                .map(|d| format!("{}:{}: {}: {}", d.line, d.col, d.severity, d.message))
                .collect();
            if msg.is_empty() {
                let _ = ta.remove_attribute("title");
            } else {
                let _ = ta.set_attribute("title", &msg.join("\n"));
            }
        })
    };

    let text = p.text.as_str();
    let lines: Vec<&str> = text.split('\n').collect();
    let gutter_rows = lines.iter().enumerate().map(|(i, _)| {
        let n = i + 1;
        let here: Vec<&Diag> = p.diags.iter().filter(|d| d.line == n).collect();
        match here.first() {
            Some(d) => {
                let title = here.iter().map(|d| format!("{}:{}: {}", d.line, d.col, d.message)).collect::<Vec<_>>().join("\n");
                let cls = if d.severity == "error" { "gl gl-error" } else { "gl gl-warning" };
                html! { <div class={cls} {title}><span class="gm" aria-hidden="true">{if d.severity == "error" { "●" } else { "▲" }}</span>{n}</div> }
            }
            None => html! { <div class="gl">{n}</div> },
        }
    });
    let code_rows = lines.iter().enumerate().map(|(i, l)| {
        let d = p.diags.iter().find(|d| d.line == i + 1);
        html! { <div class="cl">{ render_line(l, d) }{"\u{200b}"}</div> }
    });

    html! {
        <div class="editor-box">
            <div class="gutter" ref={gutter} aria-hidden="true">{ for gutter_rows }</div>
            <div class="code">
                <div class="code-layer hl" ref={hl} aria-hidden="true">{ for code_rows }</div>
                <textarea ref={area} data-testid="editor" class="code-layer input" spellcheck="false"
                    autocapitalize="off" autocomplete="off" wrap="off" aria-label={p.label.clone()}
                    value={p.text.clone()} {oninput} {onscroll} {onkeydown} {onmousemove} />
            </div>
        </div>
    }
}

/// One highlighted line; the diagnostic's column range (to the end of the token there, at
/// least one character) is wrapped in an underline span.
fn render_line(line: &str, diag: Option<&Diag>) -> Html {
    let toks = line_tokens(line);
    let under = diag.map(|d| {
        let start = line
            .char_indices()
            .nth(d.col.saturating_sub(1))
            .map_or(line.len(), |(b, _)| b);
        let mut end = line[start..]
            .find([' ', ',', ']', '}'])
            .map_or(line.len(), |k| start + k);
        if end == start {
            end = line[start..]
                .chars()
                .next()
                .map_or(start, |c| start + c.len_utf8());
        }
        (start, end, d.severity)
    });
    let mut out: Vec<Html> = Vec::new();
    let mut at = 0;
    for (tok, s) in toks {
        let (a, b) = (at, at + s.len());
        at = b;
        match under {
            Some((u0, u1, sev)) if u0 < b && u1 > a => {
                let (m0, m1) = (u0.max(a), u1.min(b));
                if m0 > a {
                    out.push(span(tok, &line[a..m0], None));
                }
                out.push(span(tok, &line[m0..m1], Some(sev)));
                if b > m1 {
                    out.push(span(tok, &line[m1..b], None));
                }
            }
            _ => out.push(span(tok, s, None)),
        }
    }
    if let Some((u0, _, sev)) = under {
        if u0 >= line.len() {
            out.push(html! { <span class={format!("diag diag-{sev} diag-eol")}>{" "}</span> });
        }
    }
    html! { <>{ for out }</> }
}

fn span(tok: Tok, s: &str, diag: Option<&str>) -> Html {
    let class = match diag {
        Some(sev) => classes!(tok.class(), "diag", format!("diag-{sev}")),
        None => classes!(tok.class()),
    };
    html! { <span {class}>{ s.to_string() }</span> }
}

/// Selection as byte offsets into `v` (the DOM gives UTF-16 offsets).
fn sel(ta: &HtmlTextAreaElement, v: &str) -> (usize, usize) {
    let a = ta.selection_start().ok().flatten().unwrap_or(0) as usize;
    let b = ta.selection_end().ok().flatten().unwrap_or(0) as usize;
    (byte_at_utf16(v, a), byte_at_utf16(v, b))
}

fn byte_at_utf16(s: &str, u: usize) -> usize {
    let mut n = 0;
    for (i, c) in s.char_indices() {
        if n >= u {
            return i;
        }
        n += c.len_utf16();
    }
    s.len()
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}
