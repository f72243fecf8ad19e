//! Native = browser determinism: each scenario runs natively under `cargo test` and as wasm32
//! in headless Chromium (`make wasm-test`), and its trace hash must equal the same pinned
//! constant in both. A change that moves a hash on purpose updates the constant (and says why
//! in the commit); a difference between the two targets is a determinism bug (float formatting,
//! hash-order iteration, usize width, a clock read) and fails here first.
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use kubeplay_kubectl::{MemFiles, Session};

const HELLO: &str = include_str!("../../../static/examples/hello-world.yaml");
const ROLLING: &str = include_str!("../../../static/examples/rolling-update.yaml");
const NODE_FAILURE: &str = include_str!("../../../static/examples/node-failure.yaml");

/// Run `script` on a session (default cluster unless `cluster` is given) and return the hash.
fn hash_of(seed: u64, files: &[(&str, &str)], script: &str) -> u64 {
    let mut s = Session::new(seed);
    let files = MemFiles {
        files: files
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect(),
    };
    let out = s.run_script(script, &files, true);
    assert!(out.failures.is_empty(), "{}", out.transcript);
    s.sim().trace_hash()
}

/// The seed's story: hello-world, delete a pod, change the image, curl the Service.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn seed_story_hash_is_pinned() {
    let h = hash_of(
        1,
        &[("hello-world.yaml", HELLO)],
        "kubectl apply -f hello-world.yaml\nsleep 30s\n\
         kubectl delete pod $(kubectl get pods -o jsonpath='{.items[0].metadata.name}')\nsleep 30s\n\
         kubectl set image deployment/hello-world-deployment hello-world-container=nginx:1.25\nsleep 60s\n\
         sim load http://$(kubectl get svc hello-world-lb -o jsonpath='{.status.loadBalancer.ingress[0].hostname}')/ --rps 50 --for 10s\n",
    );
    assert_eq!(h, SEED_STORY, "got {h:#018x}");
}

/// A rolling update with maxUnavailable 0 and a readiness probe.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn rollout_hash_is_pinned() {
    let h = hash_of(
        2,
        &[("web.yaml", ROLLING)],
        "kubectl apply -f web.yaml\nsleep 60s\nkubectl set image deployment/web web=nginx:1.28\nsleep 120s\n\
         kubectl rollout undo deployment/web\nsleep 120s\n",
    );
    assert_eq!(h, ROLLOUT, "got {h:#018x}");
}

/// A node terminated under a spread deployment: NotReady, eviction, rescheduling, replacement.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn node_failure_hash_is_pinned() {
    let h = hash_of(
        3,
        &[("api.yaml", NODE_FAILURE)],
        "kubectl apply -f api.yaml\nsleep 60s\n\
         sim terminate node/$(kubectl get nodes -l '!node-role.kubernetes.io/control-plane' -o jsonpath='{.items[0].metadata.name}')\n\
         sleep 10m\n",
    );
    assert_eq!(h, NODE_FAILURE_HASH, "got {h:#018x}");
}

/// 1,000 pods on twelve nodes, straight on the engine (no terminal, no network model): the
/// scheduler, kubelets and ReplicaSet controller at scale. Core's per-step checks are off here;
/// they cost O(pods) per event in an unoptimised build.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn thousand_pods_hash_is_pinned() {
    let cluster = "apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: nodes\nspec:\n  role: Node\n  machineType: m5.2xlarge\n  minSize: 12\n  maxSize: 12\n  subnets:\n  - eu-west-1a\n  - eu-west-1b\n  - eu-west-1c\n";
    let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\nspec:\n  replicas: 1000\n  selector:\n    matchLabels:\n      app: big\n  template:\n    metadata:\n      labels:\n        app: big\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n        resources:\n          requests:\n            cpu: 10m\n            memory: 16Mi\n";
    let config = kubeplay_core::SimConfig {
        check_invariants: false,
        ..Default::default()
    };
    let mut sim =
        kubeplay_core::Sim::with_config(4, config, kubeplay_api::load(cluster).into_objects());
    let out = sim.apply(kubeplay_api::load(deploy).into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    sim.run_until(60_000).unwrap();
    assert_eq!(sim.running_ready_pods(), 1000);
    let h = sim.trace_hash();
    assert_eq!(h, THOUSAND_PODS, "got {h:#018x}");
}

// Pinned hashes (same natively and in Chromium).
const SEED_STORY: u64 = 0x84bae0d4c0cf27ad;
const ROLLOUT: u64 = 0x2605a0732e48708e;
const NODE_FAILURE_HASH: u64 = 0x34f841b8879bd64a;
const THOUSAND_PODS: u64 = 0x597da66d3f3581b5;
