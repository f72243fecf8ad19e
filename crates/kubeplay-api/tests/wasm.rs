//! Cross-platform tests: run natively by `cargo test` and as wasm32 in headless Chromium by
//! `make wasm-test`, so the loader behaves the same in the browser.
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn loads_the_seed_example() {
    let loaded = kubeplay_api::load(include_str!("../../../static/examples/hello-world.yaml"));
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.documents.len(), 2);
}
