//! Cross-platform tests: run natively by `cargo test` and as wasm32 in headless Chromium by
//! `make wasm-test`, so the command layer prints the same text in the browser terminal.
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn core_version_visible() {
    assert!(!kubeplay_core::VERSION.is_empty());
}
