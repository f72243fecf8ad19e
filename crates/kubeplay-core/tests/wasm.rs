//! Cross-platform tests: run natively by `cargo test` and as wasm32 in headless Chromium by
//! `make wasm-test`; scenario trace hashes asserted here must match on both — that is the
//! native = browser determinism check.
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn version_is_semver() {
    assert_eq!(kubeplay_core::VERSION.split('.').count(), 3);
}

/// The seed's story on the default cluster for 2 virtual minutes, with a pod deletion and a
/// scale-up: every stream of randomness, the scheduler's tie-breaks and the kubelet timings
/// feed this hash. If it changes on purpose, update the constant on both platforms at once.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn seed_story_trace_hash_is_platform_independent() {
    let mut sim = kubeplay_core::Sim::new(42);
    let text = include_str!("../../../static/examples/hello-world.yaml");
    sim.apply(kubeplay_api::load(text).into_objects());
    sim.run_until(30_000).unwrap();
    let first = sim.snapshot().pods[0].name.clone();
    sim.delete(
        kubeplay_api::Kind::Pod,
        "default",
        &first,
        kubeplay_core::Propagation::Background,
        None,
    )
    .unwrap();
    sim.scale(
        kubeplay_api::Kind::Deployment,
        "default",
        "hello-world-deployment",
        4,
    )
    .unwrap();
    sim.run_until(120_000).unwrap();
    assert_eq!(sim.running_ready_pods(), 4);
    assert_eq!(
        format!("{:016x}", sim.trace_hash()),
        TRACE_HASH,
        "seed=42 trace:\n{}",
        render(&sim)
    );
}

const TRACE_HASH: &str = "ce534344df57a02f";

fn render(sim: &kubeplay_core::Sim) -> String {
    sim.trace()
        .iter()
        .map(|e| e.render())
        .collect::<Vec<_>>()
        .join("\n")
}
