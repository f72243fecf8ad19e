//! The kubeplay playground: the Yew shell around the simulator. The only crate that touches
//! the DOM; everything it shows comes from the pure crates.
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// The seed article's example, shipped with the page.
const HELLO_WORLD: &str = include_str!("../static/examples/hello-world.yaml");

#[component]
fn App() -> Html {
    let text = use_state(|| HELLO_WORLD.to_string());
    let loaded = use_state(|| None::<kubeplay_api::Loaded>);

    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let onapply = {
        let text = text.clone();
        let loaded = loaded.clone();
        Callback::from(move |_| loaded.set(Some(kubeplay_api::load(&text))))
    };

    html! {
        <div class="app">
            <header class="top">
                <h1>{"kubeplay"}</h1>
                <span class="version">{format!("v{}", kubeplay_core::VERSION)}</span>
            </header>
            <main class="work">
                <section class="editor-pane">
                    <textarea data-testid="editor" class="editor" spellcheck="false"
                        value={(*text).clone()} {oninput} />
                    <button data-testid="apply" class="apply" onclick={onapply}>{"Apply"}</button>
                </section>
                <section class="result-pane" data-testid="documents">
                    { match &*loaded {
                        None => html! { <p class="hint">{"Press Apply to load the manifests."}</p> },
                        Some(l) => html! {
                            <>
                            <ul class="docs">
                                { for l.documents.iter().map(|d| html! {
                                    <li class="doc">{format!("{}/{}", d.kind, d.name)}</li>
                                }) }
                            </ul>
                            <ul class="problems">
                                { for l.errors.iter().map(|e| html! { <li class="error">{e.clone()}</li> }) }
                            </ul>
                            </>
                        },
                    } }
                </section>
            </main>
        </div>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
