//! The kubeplay playground: the Yew shell around the simulator. The only crate that touches
//! the DOM; everything it shows comes from the pure crates.
//!
//! Structure (style.md R12): `state` is the reducer provided to the panels, `engine` holds the
//! simulator outside the VDOM, `app` runs the fixed-timestep render loop (`clock`) and draws
//! the canvas (`render` + `canvas`) from a flat snapshot (`view`).
mod app;
// The real engine (kubeplay-kubectl's `Session`) is the default feature; without it the page
// runs a placeholder backend (the loader and a clock), e.g. to work on the UI alone.
#[cfg(not(feature = "engine"))]
mod backend;
#[cfg(feature = "engine")]
#[path = "backend_session.rs"]
mod backend;
mod canvas;
mod clock;
mod editor;
mod engine;
mod highlight;
mod panels;
mod panic;
mod render;
mod share;
mod state;
mod storage;
mod terminal;
mod view;

fn main() {
    yew::Renderer::<app::App>::new().render();
    // after render: Yew installs its console hook there, and ours chains to it
    panic::install();
}
