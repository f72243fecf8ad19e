//! Cross-platform tests: run natively by `cargo test` and as wasm32 in headless Chromium by
//! `make wasm-test`, so the command layer prints the same text in the browser terminal.
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn core_version_visible() {
    assert!(!kubeplay_core::VERSION.is_empty());
}

/// The command layer gives the browser terminal the same text as the CLI.
#[cfg(feature = "engine")]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn terminal_session_prints_kubectl_text() {
    let mut s = kubeplay_kubectl::Session::new(1);
    let out = s.run_line("kubectl get ns");
    assert!(out.ok);
    assert!(
        out.text
            .starts_with("NAME              STATUS   AGE\ndefault           Active   0s\n"),
        "{}",
        out.text
    );
    let out = s.run_line("kubectl get pdos");
    assert!(!out.ok);
    assert_eq!(
        out.text,
        "error: the server doesn't have a resource type \"pdos\"\n"
    );
    let files = kubeplay_kubectl::MemFiles {
        files: vec![("web.yaml".into(), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n".into())],
    };
    let out = s.run_line_with("kubectl apply -f web.yaml", &files);
    assert_eq!(out.text, "deployment.apps/web created\n");
    assert!(s
        .complete("kubectl get deploy w")
        .contains(&"web".to_string()));
}
