//! The kubeplay playground: the Yew shell around the simulator. The only crate that touches
//! the DOM; everything it shows comes from the pure crates.
//!
//! Structure (style.md R12): `state` is the reducer provided to the panels, `engine` holds the
//! simulator outside the VDOM, `app` runs the fixed-timestep render loop (`clock`) and draws
//! the canvas (`render` + `canvas`) from a flat snapshot (`view`).
mod app;
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
    panic::install();
    yew::Renderer::<app::App>::new().render();
}
