//! The page: layout, controls, and the render loop that drives the simulator with a
//! fixed-timestep accumulator and draws the canvas from a flat snapshot.
use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};

use gloo::render::{request_animation_frame, AnimationFrame};
use web_sys::{HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::{
    canvas::Canvas2d,
    editor::Editor,
    engine::Engine,
    panels::{Events, Inspector, Problems},
    render::Renderer,
    share::{self, Session},
    state::{Msg, Theme, Ui, DEFAULT_SEED, EXAMPLES},
    storage,
    terminal::Terminal,
    view::{synthetic, NodeState, ObjRef, View},
};

/// While playing, the text panels follow the engine at most this often (wall ms).
const PANELS_EVERY_MS: f64 = 250.0;

/// Wall-clock budget for simulation in one frame (ms): the rest of a 16.7 ms frame is left to
/// the snapshot, the canvas and the browser. Steps the budget leaves undone wait for the next
/// frame (see [`Engine::frame_within`]), so the page answers input whatever a step costs.
const SIM_BUDGET_MS: f64 = 8.0;

/// The pace shown next to the clock is measured over windows of this much wall time (ms).
const PACE_WINDOW_MS: f64 = 1000.0;

/// Speeds offered by the speed control.
pub const SPEEDS: &[u32] = &[1, 2, 5, 10, 30, 100, 300, 1000];

/// How the page started: saved state, a share link, or a benchmark.
struct Boot {
    ui: Ui,
    script: Option<Session>,
    bench: Option<(usize, usize, u32)>,
}

fn boot() -> Boot {
    let saved = storage::load();
    let mut ui = Ui::default();
    if let Some(tabs) = saved.tabs {
        ui.active = saved.active.min(tabs.len() - 1);
        ui.tabs = tabs;
    }
    ui.seed = saved.seed.unwrap_or(DEFAULT_SEED);
    ui.history = saved.history;
    ui.theme = Theme::from_name(saved.theme.as_deref().unwrap_or("auto"));
    ui.speed = saved.speed.filter(|s| SPEEDS.contains(s)).unwrap_or(1);
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let mut script = None;
    let mut bench = None;
    if let Some(link) = share::from_hash(&hash) {
        match link {
            Ok(sess) => {
                if !sess.tabs.is_empty() {
                    ui.active = sess.active.min(sess.tabs.len() - 1);
                    ui.tabs = sess.tabs.clone();
                }
                ui.seed = sess.seed;
                script = Some(sess);
            }
            Err(e) => {
                ui.error = Some(format!(
                    "The share link in the address cannot be opened: {e}. Starting fresh."
                ))
            }
        }
    } else if let Some(b) = hash.strip_prefix("#bench=") {
        // #bench=200x5000@10
        let (dims, speed) = b.split_once('@').unwrap_or((b, "10"));
        let (n, p) = dims.split_once('x').unwrap_or(("200", "5000"));
        let speed = speed.parse().unwrap_or(10);
        ui.speed = speed;
        bench = Some((n.parse().unwrap_or(200), p.parse().unwrap_or(5000), speed));
    }
    ui.diags = crate::state::diagnostics(&ui.tabs[ui.active].text);
    Boot { ui, script, bench }
}

/// `HH:MM:SS.d` of virtual time.
pub fn clock_text(ms: u64) -> String {
    let s = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}.{}",
        s / 3600,
        (s / 60) % 60,
        s % 60,
        (ms % 1000) / 100
    )
}

struct LoopCtx {
    engine: Rc<RefCell<Engine>>,
    renderer: Rc<RefCell<Renderer>>,
    canvas: NodeRef,
    surface: RefCell<Option<Canvas2d>>,
    dispatch: UseReducerDispatcher<Ui>,
    last_ts: Cell<f64>,
    last_sync: Cell<f64>,
    synced_version: Cell<u64>,
    synced_now: Cell<u64>,
    synced_playing: Cell<bool>,
    synced_pace: Cell<Option<u64>>,
    alive: Cell<bool>,
    frame: RefCell<Option<AnimationFrame>>,
    bench: Option<(usize, usize)>,
    bench_view: RefCell<Option<View>>,
    /// Start of the current pace window: (wall ms, virtual ms).
    pace_from: Cell<(f64, u64)>,
    /// Whether any frame of the current window ran out of budget.
    pace_behind: Cell<bool>,
    /// Virtual speed actually achieved over the last window, when it was behind the chosen one.
    pace: Cell<Option<f64>>,
    /// Sets the canvas tooltip (cleared here when its object leaves the cluster).
    tooltip: UseStateSetter<Option<(f64, f64, String)>>,
    /// The snapshot version the hovered object was last checked against.
    hover_checked: Cell<u64>,
    /// The cluster summary of the snapshot version it was made from.
    summary: RefCell<(Option<u64>, String)>,
}

fn schedule(ctx: Rc<LoopCtx>) {
    let c2 = ctx.clone();
    let handle = request_animation_frame(move |ts| {
        if !c2.alive.get() {
            return;
        }
        frame(&c2, ts);
        schedule(c2);
    });
    *ctx.frame.borrow_mut() = Some(handle);
}

/// One rAF tick: advance by whole fixed steps, draw, and mirror text panels (≤ 10 Hz).
fn frame(ctx: &LoopCtx, ts: f64) {
    let last = ctx.last_ts.replace(ts);
    let dt = if last == 0.0 { 0.0 } else { ts - last };
    let Ok(mut eng) = ctx.engine.try_borrow_mut() else {
        return;
    };
    let perf = web_sys::window().and_then(|w| w.performance());
    let t0 = perf.as_ref().map_or(0.0, web_sys::Performance::now);
    // the budget check reads the wall clock; only the decision "one more step?" leaves here
    eng.frame_within(dt, &mut || {
        perf.as_ref().is_none_or(|p| p.now() - t0 < SIM_BUDGET_MS)
    });
    track_pace(ctx, &eng, ts);
    let Some(canvas) = ctx.canvas.cast::<HtmlCanvasElement>() else {
        return;
    };
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let (cw, ch) = (
        f64::from(canvas.client_width()),
        f64::from(canvas.client_height()),
    );
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (pw, ph) = ((cw * dpr).round() as u32, (ch * dpr).round() as u32);
    let resized = canvas.width() != pw || canvas.height() != ph;
    if resized {
        canvas.set_width(pw);
        canvas.set_height(ph);
        *ctx.surface.borrow_mut() = None;
    }
    let mut surf = ctx.surface.borrow_mut();
    if surf.is_none() {
        use wasm_bindgen::JsCast;
        let c2d = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into().ok());
        *surf = c2d.map(Canvas2d::new);
    }
    let Some(surface) = surf.as_mut() else { return };
    let bench_guard;
    let view: &View = match ctx.bench {
        Some((n, p)) => {
            let now = eng.now_ms();
            if ctx.bench_view.borrow().as_ref().map(|v| v.version) != Some(now / 1000 + 1) {
                *ctx.bench_view.borrow_mut() = Some(synthetic(n, p, now));
            }
            bench_guard = ctx.bench_view.borrow();
            let Some(v) = bench_guard.as_ref() else {
                return;
            };
            v
        }
        None => {
            eng.refresh_at(ts);
            eng.current()
        }
    };
    let mut r = ctx.renderer.borrow_mut();
    if resized {
        r.invalidate();
    }
    if view.version != ctx.hover_checked.get() {
        ctx.hover_checked.set(view.version);
        // a tooltip must not describe an object that is gone (a deleted pod, a terminated node)
        if r.hover.as_ref().is_some_and(|o| !exists(view, o)) {
            r.hover = None;
            ctx.tooltip.set(None);
        }
    }
    if r.needs_draw(view, cw, ch) {
        surface.set_transform(dpr);
        r.draw(surface, view, cw, ch, ts);
    }
    // Mirror into the Yew state: the clock at most 10 times a second; the text panels (events,
    // transcript, inspector) on every change when paused or acting, but at most 4 times a
    // second while playing — a big cluster changes every frame, and re-rendering the panels
    // each frame costs more than the simulation.
    let since = ts - ctx.last_sync.get();
    let play_changed = eng.playing != ctx.synced_playing.get();
    let changed = eng.version != ctx.synced_version.get()
        && (!eng.playing || play_changed || since >= PANELS_EVERY_MS);
    let summary_needed = changed
        || play_changed
        || (eng.now_ms() != ctx.synced_now.get() && since >= 100.0)
        || ctx.pace.get().map(f64::to_bits) != ctx.synced_pace.get();
    if summary_needed {
        // the summary counts every pod: recount only when the snapshot changed
        let summary = {
            let mut cache = ctx.summary.borrow_mut();
            if cache.0 != Some(view.version) {
                *cache = (Some(view.version), view.summary());
            }
            cache.1.clone()
        };
        let inspect = if changed {
            r.selected.as_ref().map(|o| Some(Rc::new(eng.inspect(o))))
        } else {
            None
        };
        let msg = Msg::Sync {
            now_ms: eng.now_ms(),
            end_ms: eng.end_ms,
            version: if changed {
                eng.version
            } else {
                ctx.synced_version.get()
            },
            playing: eng.playing,
            pace: ctx.pace.get(),
            capped: eng.at_time_cap(),
            summary,
            events: changed.then(|| {
                let (total, rows) = eng.events(crate::engine::EVENTS_SHOWN);
                (total, Rc::new(rows))
            }),
            transcript: changed.then(|| eng.transcript.clone()),
            inspect,
        };
        if changed {
            ctx.synced_version.set(eng.version);
        }
        ctx.synced_now.set(eng.now_ms());
        ctx.synced_playing.set(eng.playing);
        ctx.synced_pace.set(ctx.pace.get().map(f64::to_bits));
        ctx.last_sync.set(ts);
        drop(r);
        drop(eng);
        ctx.dispatch.dispatch(msg);
    }
}

/// Measure the virtual speed actually achieved, once per [`PACE_WINDOW_MS`]: when a frame of
/// the window ran out of budget, [`LoopCtx::pace`] holds it (the page shows "simulating…
/// 2.4× of 10×"), so a learner sees why the clock is slower than the chosen speed.
fn track_pace(ctx: &LoopCtx, eng: &Engine, ts: f64) {
    let now = eng.now_ms();
    let (w0, v0) = ctx.pace_from.get();
    if !eng.playing || now < v0 || w0 == 0.0 {
        // paused, scrubbed back or first frame: start a fresh window
        ctx.pace_from.set((ts, now));
        ctx.pace_behind.set(false);
        if !eng.playing {
            ctx.pace.set(None);
        }
        return;
    }
    ctx.pace_behind.set(ctx.pace_behind.get() || eng.behind);
    if ts - w0 >= PACE_WINDOW_MS {
        #[allow(clippy::cast_precision_loss)]
        let rate = (now - v0) as f64 / (ts - w0);
        // a frame that ran out of budget but whose backlog was caught up within the window
        // (one costly periodic step) leaves the pace at the chosen speed: nothing to explain
        let slow = rate < 0.9 * f64::from(eng.speed);
        ctx.pace
            .set((ctx.pace_behind.get() && slow).then_some(pace_round(rate)));
        ctx.pace_from.set((ts, now));
        ctx.pace_behind.set(false);
    }
}

/// A pace to show: one decimal below 10×, whole numbers above (never "0×" while moving).
fn pace_round(rate: f64) -> f64 {
    if rate >= 10.0 {
        rate.round()
    } else {
        ((rate * 10.0).round() / 10.0).max(0.1)
    }
}

/// The note next to the clock while the run is slower than the chosen speed.
pub fn pace_text(pace: f64, speed: u32) -> String {
    format!("simulating… {pace}× of {speed}×")
}

fn media(q: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(q).ok().flatten())
        .is_some_and(|m| m.matches())
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let boot = use_memo((), |()| RefCell::new(Some(boot())));
    let (bench, script) = {
        let b = boot.borrow();
        b.as_ref()
            .map_or((None, None), |b| (b.bench, b.script.clone()))
    };
    let store = use_reducer(|| {
        boot.borrow()
            .as_ref()
            .map(|b| b.ui.clone())
            .unwrap_or_default()
    });
    let engine = use_mut_ref(|| {
        let mut e = Engine::new(store.seed);
        e.speed = store.speed;
        if let Some(s) = &script {
            e.load_script(s.seed, s.actions.clone(), s.now);
        }
        if let Some((_, _, speed)) = bench {
            e.speed = speed;
            e.playing = true;
        }
        e
    });
    let renderer = use_mut_ref(Renderer::default);
    let canvas = use_node_ref();
    let term_input = use_node_ref();
    let tooltip = use_state(|| None::<(f64, f64, String)>);

    // the render loop (started once, stopped on unmount)
    {
        let (engine, renderer, canvas, dispatch, tooltip) = (
            engine.clone(),
            renderer.clone(),
            canvas.clone(),
            store.dispatcher(),
            tooltip.setter(),
        );
        use_effect_with((), move |()| {
            let ctx = Rc::new(LoopCtx {
                engine,
                renderer,
                canvas,
                surface: RefCell::new(None),
                dispatch,
                last_ts: Cell::new(0.0),
                last_sync: Cell::new(0.0),
                synced_version: Cell::new(0),
                synced_now: Cell::new(u64::MAX),
                synced_playing: Cell::new(false),
                synced_pace: Cell::new(None),
                alive: Cell::new(true),
                frame: RefCell::new(None),
                bench: bench.map(|(n, p, _)| (n, p)),
                bench_view: RefCell::new(None),
                pace_from: Cell::new((0.0, 0)),
                pace_behind: Cell::new(false),
                pace: Cell::new(None),
                tooltip,
                hover_checked: Cell::new(0),
                summary: RefCell::new((None, String::new())),
            });
            schedule(ctx.clone());
            move || {
                ctx.alive.set(false);
                ctx.frame.borrow_mut().take();
            }
        });
    }

    // theme, motion, persistence, panic context
    {
        let renderer = renderer.clone();
        use_effect_with(store.theme, move |theme| {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = el.set_attribute("data-theme", theme.name());
            }
            let mut r = renderer.borrow_mut();
            r.dark = match theme {
                Theme::Dark => true,
                Theme::Light => false,
                Theme::Auto => media("(prefers-color-scheme: dark)"),
            };
            r.reduced_motion = media("(prefers-reduced-motion: reduce)");
            r.invalidate();
        });
    }
    use_effect_with((store.tabs.clone(), store.active), |(tabs, active)| {
        storage::save_tabs(tabs, *active)
    });
    use_effect_with(store.history.clone(), |h| storage::save_history(h));
    use_effect_with(
        (store.seed, store.theme, store.speed),
        |(seed, theme, speed)| {
            storage::save_settings(*seed, theme.name(), *speed);
        },
    );
    {
        let engine = engine.clone();
        let tabs = store.tabs.clone();
        let active = store.active;
        use_effect_with((store.version, store.seed), move |(_, seed)| {
            if let Ok(e) = engine.try_borrow() {
                let sess = Session {
                    v: 1,
                    seed: e.seed,
                    tabs,
                    active,
                    actions: e.actions.clone(),
                    now: e.now_ms(),
                };
                crate::panic::set_context(*seed, share::encode(&sess));
            }
        });
    }

    // the tooltip follows the pointer: when the window loses focus (Alt+Tab, another app's
    // window) no mouseleave arrives, so drop it on blur instead of leaving it on screen
    {
        let (renderer, tooltip) = (renderer.clone(), tooltip.setter());
        use_effect_with((), move |()| {
            let listener =
                gloo::events::EventListener::new(&gloo::utils::window(), "blur", move |_| {
                    if let Ok(mut r) = renderer.try_borrow_mut() {
                        r.hover = None;
                    }
                    tooltip.set(None);
                });
            move || drop(listener)
        });
    }

    // global keys (k9s-style): `:` terminal, `?` help, space play/pause, `.` step, Esc
    {
        let (engine, term_input, store) = (engine.clone(), term_input.clone(), store.clone());
        use_effect_with((), move |()| {
            let doc = gloo::utils::document();
            let listener = gloo::events::EventListener::new(&doc, "keydown", move |e| {
                use wasm_bindgen::JsCast;
                let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                let tag = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|el| el.tag_name().to_ascii_lowercase())
                    .unwrap_or_default();
                if matches!(tag.as_str(), "input" | "textarea" | "select")
                    || e.ctrl_key()
                    || e.meta_key()
                    || e.alt_key()
                {
                    return;
                }
                match e.key().as_str() {
                    ":" => {
                        e.prevent_default();
                        if let Some(i) = term_input.cast::<HtmlElement>() {
                            let _ = i.focus();
                        }
                    }
                    "?" => store.dispatch(Msg::Help(!store.help)),
                    " " if tag != "button" => {
                        e.prevent_default();
                        let mut eng = engine.borrow_mut();
                        eng.playing = !eng.playing;
                    }
                    "." => engine.borrow_mut().step_next(),
                    "Escape" => store.dispatch(Msg::Help(false)),
                    _ => {}
                }
            });
            move || drop(listener)
        });
    }

    // ---- callbacks ----
    let run_command = {
        let (engine, store, renderer) = (engine.clone(), store.clone(), renderer.clone());
        Callback::from(move |line: String| {
            store.dispatch(Msg::PushHistory(line.clone()));
            let mut eng = engine.borrow_mut();
            eng.command(&line);
            if let Some(sel) = renderer.borrow().selected.clone() {
                let ins = Rc::new(eng.inspect(&sel));
                store.dispatch(Msg::Select(Some(sel), Some(ins)));
            }
        })
    };
    let on_complete = {
        let engine = engine.clone();
        Callback::from(move |line: String| engine.borrow().complete(&line))
    };
    let on_apply = {
        let (engine, store) = (engine.clone(), store.clone());
        Callback::from(move |()| {
            let text = store.tabs[store.active].text.clone();
            let loaded = kubeplay_api::load(&text);
            let name = store.tabs[store.active].name.clone();
            engine.borrow_mut().apply(&name, &text);
            store.dispatch(Msg::Applied {
                docs: loaded
                    .documents
                    .iter()
                    .map(|d| format!("{}/{}", d.kind, d.name))
                    .collect(),
                errors: loaded.errors.clone(),
            });
        })
    };
    let on_edit = {
        let store = store.clone();
        Callback::from(move |t: String| store.dispatch(Msg::Edit(t)))
    };
    let toggle_play = {
        let engine = engine.clone();
        Callback::from(move |_: MouseEvent| {
            let mut e = engine.borrow_mut();
            e.playing = !e.playing;
        })
    };
    let step = {
        let engine = engine.clone();
        Callback::from(move |_: MouseEvent| engine.borrow_mut().step_next())
    };
    let on_speed = {
        let (engine, store) = (engine.clone(), store.clone());
        Callback::from(move |e: Event| {
            let el: HtmlSelectElement = e.target_unchecked_into();
            let v = el.value().parse().unwrap_or(1);
            engine.borrow_mut().speed = v;
            store.dispatch(Msg::Speed(v));
        })
    };
    let on_seed = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            let el: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = el.value().trim().parse::<u64>() {
                store.dispatch(Msg::Seed(v));
            }
        })
    };
    let on_reset = {
        let (engine, store, renderer) = (engine.clone(), store.clone(), renderer.clone());
        Callback::from(move |_: MouseEvent| {
            engine.borrow_mut().reset(store.seed);
            renderer.borrow_mut().selected = None;
            store.dispatch(Msg::Select(None, None));
            store.dispatch(Msg::Applied {
                docs: vec![],
                errors: vec![],
            });
        })
    };
    // seek on release (`change`): without replay checkpoints a seek back replays from 0
    let on_scrub = {
        let engine = engine.clone();
        Callback::from(move |e: Event| {
            let el: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = el.value().parse::<u64>() {
                engine.borrow_mut().seek(v);
            }
        })
    };
    let select = {
        let (engine, store, renderer) = (engine.clone(), store.clone(), renderer.clone());
        Callback::from(move |obj: Option<ObjRef>| {
            renderer.borrow_mut().selected = obj.clone();
            let ins = obj
                .as_ref()
                .map(|o| Rc::new(engine.borrow_mut().inspect(o)));
            store.dispatch(Msg::Select(obj, ins));
        })
    };
    let on_canvas_click = {
        let (renderer, select) = (renderer.clone(), select.clone());
        Callback::from(move |e: MouseEvent| {
            let hit = renderer
                .borrow()
                .hit(f64::from(e.offset_x()), f64::from(e.offset_y()));
            select.emit(hit);
        })
    };
    let on_canvas_move = {
        let (renderer, engine, tooltip) = (renderer.clone(), engine.clone(), tooltip.clone());
        Callback::from(move |e: MouseEvent| {
            let (x, y) = (f64::from(e.offset_x()), f64::from(e.offset_y()));
            let hit = renderer.borrow().hit(x, y);
            let changed = renderer.borrow().hover != hit;
            if changed {
                renderer.borrow_mut().hover = hit.clone();
                let text = hit.map(|h| describe_short(engine.borrow().current(), &h));
                tooltip.set(text.map(|t| (x, y, t)));
            }
        })
    };
    let on_canvas_leave = {
        let (renderer, tooltip) = (renderer.clone(), tooltip.clone());
        Callback::from(move |_: MouseEvent| {
            renderer.borrow_mut().hover = None;
            tooltip.set(None);
        })
    };
    // A tooltip belongs to the pointer or the keyboard focus on the canvas: it goes when either
    // leaves (a keyboard tooltip used to stay on screen after Tab moved focus elsewhere).
    let on_canvas_blur = {
        let (renderer, tooltip) = (renderer.clone(), tooltip.clone());
        Callback::from(move |_: FocusEvent| {
            renderer.borrow_mut().hover = None;
            tooltip.set(None);
        })
    };
    let on_canvas_key = {
        let (renderer, engine, select, tooltip) = (
            renderer.clone(),
            engine.clone(),
            select.clone(),
            tooltip.clone(),
        );
        Callback::from(move |e: KeyboardEvent| {
            let objs = objects(engine.borrow().current());
            if objs.is_empty() {
                return;
            }
            let cur = renderer
                .borrow()
                .hover
                .clone()
                .or_else(|| renderer.borrow().selected.clone());
            let i = cur.and_then(|c| objs.iter().position(|o| *o == c));
            let next = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => Some(i.map_or(0, |i| (i + 1) % objs.len())),
                "ArrowLeft" | "ArrowUp" => {
                    Some(i.map_or(objs.len() - 1, |i| (i + objs.len() - 1) % objs.len()))
                }
                "Enter" => {
                    e.prevent_default();
                    let hovered = renderer.borrow().hover.clone();
                    select.emit(hovered);
                    None
                }
                "Escape" => {
                    renderer.borrow_mut().hover = None;
                    tooltip.set(None);
                    select.emit(None);
                    None
                }
                _ => None,
            };
            if let Some(n) = next {
                e.prevent_default();
                let o = objs[n].clone();
                let text = describe_short(engine.borrow().current(), &o);
                renderer.borrow_mut().hover = Some(o);
                tooltip.set(Some((12.0, 12.0, text)));
            }
        })
    };
    let on_share = {
        let (engine, store) = (engine.clone(), store.clone());
        Callback::from(move |_: MouseEvent| {
            let e = engine.borrow();
            let sess = Session {
                v: 1,
                seed: e.seed,
                tabs: store.tabs.clone(),
                active: store.active,
                actions: e.actions.clone(),
                now: e.now_ms(),
            };
            let frag = format!("#s={}", share::encode(&sess));
            if let Some(w) = web_sys::window() {
                let loc = w.location();
                let base = format!(
                    "{}{}{}",
                    loc.origin().unwrap_or_default(),
                    loc.pathname().unwrap_or_default(),
                    loc.search().unwrap_or_default()
                );
                if let Ok(h) = w.history() {
                    let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&frag));
                }
                let url = format!("{base}{frag}");
                let _ = w.navigator().clipboard().write_text(&url);
                store.dispatch(Msg::Shared(url));
            }
        })
    };
    let on_example = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            let el: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = el.value().parse::<usize>() {
                store.dispatch(Msg::OpenExample(i));
            }
            el.set_value("");
        })
    };
    let on_theme = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            let next = match store.theme {
                Theme::Auto => Theme::Light,
                Theme::Light => Theme::Dark,
                Theme::Dark => Theme::Auto,
            };
            store.dispatch(Msg::Theme(next));
        })
    };

    let (playing, now) = (store.playing, store.now_ms);
    let flags = inspector_flags(&engine, store.selected.as_ref());
    let active_name: AttrValue = store.tabs[store.active].name.clone().into();

    html! {
    <div class="app">
        <header class="top">
            <h1>{"kubeplay"}</h1>
            <span class="version">{ format!("v{}", kubeplay_core::VERSION) }</span>
            <span class="tagline">{"a deterministic Kubernetes cluster playground"}</span>
            <span class="spacer" />
            <label class="examples">
                <span class="sr-only">{"Open an example"}</span>
                <select onchange={on_example} aria-label="examples">
                    <option value="" selected=true>{"Examples…"}</option>
                    { for EXAMPLES.iter().enumerate().map(|(i, (_, label, _))| html! {
                        <option value={i.to_string()}>{ *label }</option>
                    }) }
                </select>
            </label>
            <button onclick={on_share} title="Copy a link that replays this session">{"Share link"}</button>
            <button onclick={on_theme} aria-label="theme" title="Theme: auto / light / dark">{ format!("Theme: {}", store.theme.name()) }</button>
            <button onclick={ let s = store.clone(); move |_| s.dispatch(Msg::Help(!s.help)) } aria-label="help">{"?"}</button>
        </header>
        if let Some(url) = &store.share {
            <div class="banner" role="status">
                {"Share link (copied): "}<input class="share-url" readonly=true value={url.clone()} aria-label="share link" />
            </div>
        }
        if let Some(err) = &store.error {
            <div class="banner banner-error" role="alert">{ err.clone() }
                <button onclick={ let s = store.clone(); move |_| s.dispatch(Msg::Error(None)) }>{"Dismiss"}</button>
            </div>
        }
        if store.help { { help_overlay(store.clone()) } }
        <main class="work">
            <section class="editor-pane" aria-label="manifests">
                <div class="tabs" role="tablist">
                    { for store.tabs.iter().enumerate().map(|(i, t)| {
                        let s = store.clone();
                        let s2 = store.clone();
                        let sel = i == store.active;
                        html! {
                            <span class={classes!("tab", sel.then_some("active"))}>
                                <button role="tab" aria-selected={sel.to_string()} onclick={move |_| s.dispatch(Msg::SelectTab(i))}>{ t.name.clone() }</button>
                                if store.tabs.len() > 1 {
                                    <button class="tab-close" aria-label={format!("close {}", t.name)} onclick={move |_| s2.dispatch(Msg::CloseTab(i))}>{"×"}</button>
                                }
                            </span>
                        }
                    }) }
                    <button class="tab-new" aria-label="new tab" onclick={ let s = store.clone(); move |_| s.dispatch(Msg::NewTab) }>{"+"}</button>
                </div>
                <Editor text={AttrValue::from(store.tabs[store.active].text.clone())} diags={store.diags.clone()}
                    on_edit={on_edit} on_apply={on_apply.clone()} label={active_name} />
                <div class="editor-actions">
                    <button data-testid="apply" class="apply primary" onclick={on_apply.reform(|_| ())} title="kubectl apply (Ctrl/Cmd+Enter)">{"Apply"}</button>
                    <span class="muted">{"Ctrl/Cmd+Enter"}</span>
                </div>
                <Problems diags={store.diags.clone()} docs={store.docs.clone()} errors={store.apply_errors.clone()} />
            </section>
            <section class="cluster-pane" aria-label="cluster">
                <div class="controls" role="toolbar" aria-label="time controls">
                    <button data-testid="play-pause" class="primary" aria-pressed={playing.to_string()} onclick={toggle_play}>
                        { if playing { "❚❚ Pause" } else { "▶ Play" } }
                    </button>
                    <button onclick={step} title="Step to the next event (.)">{"Step ›"}</button>
                    <label>{"Speed "}
                        <select data-testid="speed" onchange={on_speed} aria-label="speed">
                            { for SPEEDS.iter().map(|s| html! {
                                <option value={s.to_string()} selected={*s == store.speed}>{ format!("{s}×") }</option>
                            }) }
                        </select>
                    </label>
                    <output data-testid="clock" class={classes!("clock", store.capped.then_some("capped"))} aria-label="virtual time"
                        title={ if store.capped { crate::engine::TIME_CAP_NOTICE } else { "virtual time (hours:minutes:seconds)" } }>{ clock_text(now) }</output>
                    if let Some(p) = store.pace.filter(|_| playing) {
                        <span data-testid="pace" class="pace" role="status"
                            title="Each step of this cluster takes longer to simulate than the chosen speed allows: virtual time runs slower so the page stays responsive. The run is the same, only slower.">
                            { pace_text(p, store.speed) }
                        </span>
                    }
                    <label>{"Seed "}<input class="seed" type="number" min="0" value={store.seed.to_string()} onchange={on_seed} aria-label="seed" /></label>
                    <button onclick={on_reset} title="Start over with this seed (same seed → same run)">{"Reset"}</button>
                </div>
                <input class="timeline" type="range" min="0" max={store.end_ms.max(now).max(1).to_string()} step="50"
                    value={now.to_string()} onchange={on_scrub} aria-label="timeline (drag back to replay)" />
                <div class="canvas-wrap">
                    <canvas ref={canvas} data-testid="cluster-canvas" class="cluster-canvas" tabindex="0"
                        role="img" aria-label="cluster view; arrow keys move between objects, Enter selects"
                        onclick={on_canvas_click} onmousemove={on_canvas_move} onmouseleave={on_canvas_leave}
                        onblur={on_canvas_blur} onkeydown={on_canvas_key} />
                    if let Some((x, y, text)) = &*tooltip {
                        <div class="tooltip" role="tooltip" style={format!("left:{}px;top:{}px", x + 14.0, y + 14.0)}>{ text.clone() }</div>
                    }
                </div>
                <p data-testid="cluster-summary" class="summary" aria-live="polite">{ store.summary.clone() }</p>
            </section>
            <Inspector selected={store.selected.clone()} inspect={store.inspect.clone()} {flags}
                on_command={run_command.clone()} on_close={ let s = select.clone(); Callback::from(move |()| s.emit(None)) } />
            <section class="bottom">
                <Terminal transcript={store.transcript.clone()} history={store.history.clone()}
                    on_run={run_command} {on_complete} input_ref={term_input} />
                <Events events={store.events.clone()} total={store.events_total} now_ms={now} />
            </section>
        </main>
    </div>
    }
}

fn help_overlay(store: UseReducerHandle<Ui>) -> Html {
    let close = move |_| store.dispatch(Msg::Help(false));
    html! {
        <div class="help" role="dialog" aria-label="keyboard help">
            <h2>{"Keys"}</h2>
            <dl>
                <dt>{":"}</dt><dd>{"focus the terminal"}</dd>
                <dt>{"space"}</dt><dd>{"play / pause"}</dd>
                <dt>{"."}</dt><dd>{"step to the next event"}</dd>
                <dt>{"?"}</dt><dd>{"this help"}</dd>
                <dt>{"Ctrl/Cmd+Enter"}</dt><dd>{"apply the editor (in the editor)"}</dd>
                <dt>{"Esc, Tab"}</dt><dd>{"leave the editor"}</dd>
                <dt>{"arrows, Enter"}</dt><dd>{"move between objects on the canvas, select"}</dd>
                <dt>{"↑ ↓, Tab"}</dt><dd>{"history and completion in the terminal"}</dd>
            </dl>
            <button onclick={close}>{"Close"}</button>
        </div>
    }
}

/// Whether `o` is still in the snapshot.
fn exists(v: &View, o: &ObjRef) -> bool {
    match o {
        ObjRef::Pod(n) => v.pods.iter().any(|p| &p.name == n),
        ObjRef::Node(n) => v.nodes.iter().any(|x| &x.name == n),
        ObjRef::Service(n) => v.services.iter().any(|x| &x.name == n),
        ObjRef::ControlPlane => true,
    }
}

/// Every selectable object, in keyboard order.
fn objects(v: &View) -> Vec<ObjRef> {
    let mut out: Vec<ObjRef> = v
        .services
        .iter()
        .map(|s| ObjRef::Service(s.name.clone()))
        .collect();
    out.extend(v.nodes.iter().map(|n| ObjRef::Node(n.name.clone())));
    out.extend(v.pods.iter().map(|p| ObjRef::Pod(p.name.clone())));
    out
}

/// The tooltip line for an object.
fn describe_short(v: &View, o: &ObjRef) -> String {
    match o {
        ObjRef::Node(n) => v.nodes.iter().find(|x| &x.name == n).map_or_else(String::new, |x| {
            #[allow(clippy::cast_precision_loss)]
            let (c, m) = (x.cpu_req_m as f64 / 1000.0, x.mem_req_b as f64 / f64::from(1u32 << 30));
            #[allow(clippy::cast_precision_loss)]
            let (ca, ma) = (x.cpu_m as f64 / 1000.0, x.mem_b as f64 / f64::from(1u32 << 30));
            let state = match x.state {
                NodeState::Ready => "Ready",
                NodeState::NotReady => "NotReady",
                NodeState::Provisioning => "Provisioning",
                NodeState::Terminating => "Terminating",
            };
            let extra = if x.cordoned { ", SchedulingDisabled" } else { "" };
            let taints = if x.taints.is_empty() { String::new() } else { format!(" · taints {}", x.taints.join(", ")) };
            format!("node {n} · {state}{extra} · cpu {c:.1}/{ca:.1} · mem {m:.1}/{ma:.1} GiB{taints}")
        }),
        ObjRef::Pod(n) => v.pods.iter().find(|x| &x.name == n).map_or_else(String::new, |p| {
            format!(
                "pod {n} · {} · {} · {}{}",
                p.state.label(),
                p.node.as_deref().unwrap_or("not scheduled"),
                p.owner,
                if p.restarts > 0 { format!(" · {} restarts", p.restarts) } else { String::new() }
            )
        }),
        ObjRef::Service(n) => v.services.iter().find(|x| &x.name == n).map_or_else(String::new, |s| {
            format!("service {n} · {} · {} ready endpoint(s)", s.kind, s.endpoints.len())
        }),
        ObjRef::ControlPlane => "control plane: apiserver, scheduler, controller-manager".into(),
    }
}

/// (cordoned, kubelet running, load running) for the inspector's buttons. Reads the last
/// snapshot: rebuilding it here, on every render of the page, used to copy the whole cluster
/// out of the simulator each time (5,000 pods) behind the render loop's throttle.
fn inspector_flags(engine: &Rc<RefCell<Engine>>, sel: Option<&ObjRef>) -> (bool, bool, bool) {
    let Ok(e) = engine.try_borrow() else {
        return (false, true, false);
    };
    let n = match sel {
        Some(ObjRef::Node(n)) => n,
        Some(ObjRef::Service(s)) => return (false, true, e.load_running(s)),
        _ => return (false, true, false),
    };
    e.current()
        .nodes
        .iter()
        .find(|x| &x.name == n)
        .map_or((false, true, false), |x| {
            (x.cordoned, x.state != NodeState::NotReady, false)
        })
}
