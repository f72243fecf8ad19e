//! Cross-platform tests: run natively by `cargo test` and as wasm32 in headless Chromium by
//! `make wasm-test`, so the loader behaves the same in the browser.
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kubeplay_api::{load, Category};

const HELLO: &str = include_str!("../../../static/examples/hello-world.yaml");

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn loads_the_seed_example() {
    let loaded = load(HELLO);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.documents.len(), 2);
    assert_eq!(loaded.objects.len(), 2);
    assert_eq!(loaded.warnings().count(), 1);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn reports_validation_errors_with_line_and_column() {
    let r = load(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n",
    );
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.path == "spec.replicas")
        .expect("replicas error");
    assert_eq!(
        d.render(),
        "The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
    );
    assert_eq!(d.position.map(|p| (p.line, p.column)), Some((6, 13)));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn refuses_an_alias_bomb_quickly() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let r = load(&bomb);
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].category, Category::Limit);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn quantities_are_integers_on_every_platform() {
    let q = kubeplay_api::Quantity::parse("1.5Gi").expect("valid");
    assert_eq!(q.value(), 1_610_612_736);
    assert_eq!(
        kubeplay_api::Quantity::parse("0.1")
            .map(|q| q.milli_value())
            .ok(),
        Some(100)
    );
}
