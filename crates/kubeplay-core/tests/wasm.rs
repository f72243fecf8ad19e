//! Cross-platform tests: run natively by `cargo test` and as wasm32 in headless Chromium by
//! `make wasm-test`; scenario trace hashes asserted here must match on both.
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn version_is_semver() {
    assert_eq!(kubeplay_core::VERSION.split('.').count(), 3);
}
