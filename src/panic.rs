//! A panic anywhere replaces the dead page with an error panel that shows the seed and a
//! copyable report (message, location, seed, and the session script to reproduce it).
use std::cell::RefCell;

use wasm_bindgen::{closure::Closure, JsCast};

thread_local! {
    /// The latest reproduction info (seed + share payload), kept current by the app.
    static CONTEXT: RefCell<(u64, String)> = const { RefCell::new((0, String::new())) };
}

/// Record the seed and the session script for a possible report.
pub fn set_context(seed: u64, script: String) {
    CONTEXT.with(|c| *c.borrow_mut() = (seed, script));
}

/// Install the hook (after Yew's, which it chains to).
pub fn install() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        let msg = info.to_string();
        let (seed, script) =
            CONTEXT.with(|c| c.try_borrow().map(|c| c.clone()).unwrap_or_default());
        let report = format!(
            "kubeplay {} panic\nseed: {seed}\n{msg}\nreproduce: open the page with #s={script}\nuser agent: {}",
            kubeplay_core::VERSION,
            web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default()
        );
        show(seed, &report);
    }));
}

fn show(seed: u64, report: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = doc.body() else { return };
    let build = || -> Option<()> {
        let panel = doc.create_element("div").ok()?;
        panel.set_class_name("panic-panel");
        panel.set_attribute("role", "alertdialog").ok()?;
        panel.set_attribute("data-testid", "panic").ok()?;
        let h = doc.create_element("h2").ok()?;
        h.set_text_content(Some("kubeplay stopped: an internal error (a bug)"));
        let p = doc.create_element("p").ok()?;
        p.set_text_content(Some(&format!(
            "Seed {seed}. Your editor tabs are saved; reload to continue. Please copy the report below into an issue."
        )));
        let ta = doc.create_element("textarea").ok()?;
        ta.set_attribute("readonly", "").ok()?;
        ta.set_attribute("aria-label", "error report").ok()?;
        ta.set_text_content(Some(report));
        let copy = doc.create_element("button").ok()?;
        copy.set_text_content(Some("Copy report"));
        let text = report.to_string();
        let cb = Closure::<dyn Fn()>::new(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&text);
            }
        });
        copy.add_event_listener_with_callback("click", cb.as_ref().unchecked_ref())
            .ok()?;
        cb.forget();
        let reload = doc.create_element("button").ok()?;
        reload.set_text_content(Some("Reload"));
        let cb = Closure::<dyn Fn()>::new(|| {
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_hash("");
                let _ = w.location().reload();
            }
        });
        reload
            .add_event_listener_with_callback("click", cb.as_ref().unchecked_ref())
            .ok()?;
        cb.forget();
        for c in [&h, &p, &ta, &copy, &reload] {
            panel.append_child(c).ok()?;
        }
        body.append_child(&panel).ok()?;
        Some(())
    };
    let _ = build();
}
