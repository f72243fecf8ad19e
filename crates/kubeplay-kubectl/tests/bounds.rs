//! Resource bounds: inputs that would run forever or grow without limit end quickly with a
//! message that names the limit (issue 9). Each test is also a regression test: before the
//! bound, the input hung or exhausted memory.
use kubeplay_kubectl::command::{MAX_SESSION_MS, MAX_SUBSTITUTIONS};
use kubeplay_kubectl::{MemFiles, Session};

fn files(name: &str, text: String) -> MemFiles {
    MemFiles {
        files: vec![(name.into(), text)],
    }
}

#[test]
fn a_sleep_longer_than_a_day_is_refused() {
    let mut s = Session::new(1);
    let out = s.run_line("sleep 1000000h");
    assert!(!out.ok);
    assert_eq!(
        out.text,
        "sleep: at most 24h of virtual time per sleep in the playground\n"
    );
    assert_eq!(s.now_ms(), 0);
    assert!(!s.run_line("sleep 18446744073709551615").ok);
}

#[test]
fn the_session_stops_at_its_time_cap() {
    assert_eq!(MAX_SESSION_MS, 100 * 24 * 3600 * 1000);
    let mut s = Session::new(1);
    // the default cap is 100 days; a lower one keeps the test fast and behaves the same
    s.set_time_cap_ms(3_600_000);
    let script = "sleep 50m\nsleep 50m\nsleep 50m\n";
    let out = s.run_script(script, &MemFiles::default(), false);
    assert_eq!(out.failures.len(), 2, "{}", out.transcript);
    assert!(
        out.transcript.contains(
            "sleep: the playground simulates at most 1h0m0s of virtual time per run, and this run is at 50m0s"
        ),
        "{}",
        out.transcript
    );
    // waits end at the cap instead of polling a clock that cannot move
    s.advance_to(u64::MAX);
    assert_eq!(s.now_ms(), 3_600_000);
    let out = s.run_line("kubectl create deployment web --image=nginx --replicas=1");
    assert!(out.ok, "{}", out.text);
    let out = s.run_line("kubectl wait --for=condition=Available deployment/web --timeout=24h");
    assert!(!out.ok);
    assert!(out.text.contains("timed out"), "{}", out.text);
    let out = s.run_line("kubectl rollout status deployment/web --timeout=24h");
    assert!(!out.ok);
    assert!(out.text.contains("timed out"), "{}", out.text);
    assert_eq!(s.now_ms(), 3_600_000);
}

#[test]
fn command_substitutions_per_line_are_capped() {
    let mut s = Session::new(1);
    let line = |n: usize| format!("kubectl get ns default {}", "$(sleep 1) ".repeat(n));
    let out = s.run_line(&line(MAX_SUBSTITUTIONS));
    assert!(out.ok, "{}", out.text);
    assert_eq!(s.now_ms(), 8_000);
    let out = s.run_line(&line(10_000));
    assert!(!out.ok);
    assert_eq!(
        out.text,
        "at most 8 command substitutions $(…) per line in the playground\n"
    );
    assert_eq!(
        s.now_ms(),
        8_000,
        "a refused line runs none of its substitutions"
    );
    let out = s.run_line("kubectl get ns $(kubectl get ns $(sleep 24h))");
    assert!(!out.ok);
    assert!(out
        .text
        .contains("nested command substitution is not supported"));
}

#[test]
fn a_manifest_stream_of_a_million_objects_is_refused() {
    let mut s = Session::new(1);
    let cm: String = (0..1_000_000)
        .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n"))
        .collect();
    assert!(cm.len() > 50 << 20);
    let out = s.run_line_with("kubectl apply -f many.yaml", &files("many.yaml", cm));
    assert!(!out.ok);
    assert!(
        out.text.contains("the limit is 1048576 bytes (1 MiB)"),
        "{}",
        out.text
    );
    // within the size limit, the document limit names itself
    let deploys: String = (0..5_000)
        .map(|i| format!("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d{i}\n"))
        .collect();
    assert!(deploys.len() < 1 << 20);
    let out = s.run_line_with("kubectl apply -f d.yaml", &files("d.yaml", deploys));
    assert!(!out.ok);
    assert!(
        out.text
            .contains("more than 1000 YAML documents in one input"),
        "{}",
        out.text
    );
    assert_eq!(s.sim().deployments().count(), 0);
}

#[test]
fn huge_and_deeply_nested_yaml_is_an_error_not_a_crash() {
    let mut s = Session::new(1);
    let huge = format!(
        "kind: ConfigMap\ndata:\n  x: \"{}\"\n",
        "a".repeat(50 << 20)
    );
    let out = s.run_line_with("kubectl apply -f big.yaml", &files("big.yaml", huge));
    assert!(!out.ok);
    assert!(out.text.contains("1 MiB"), "{}", out.text);
    for deep in [
        "[".repeat(500_000),
        "{a: ".repeat(100_000),
        (0..10_000)
            .map(|i| format!("{}a:\n", "  ".repeat(i)))
            .collect(),
        (0..10_000)
            .map(|i| format!("{}- \n", "  ".repeat(i)))
            .collect(),
    ] {
        let out = s.run_line_with("kubectl apply -f deep.yaml", &files("deep.yaml", deep));
        assert!(!out.ok);
        assert!(
            out.text.contains("nest") || out.text.contains("1 MiB"),
            "{}",
            out.text
        );
    }
}

#[test]
fn pods_past_the_cluster_cap_are_refused() {
    let mut s = Session::new(1);
    // paused, so the simulator does not create the pods this test only counts
    let deploy = |name: &str, replicas: u32| {
        format!("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  paused: true\n  replicas: {replicas}\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n")
    };
    let text = format!("{}{}", deploy("a", 100_000), deploy("b", 60_000));
    let out = s.run_line_with("kubectl apply -f two.yaml", &files("two.yaml", text));
    assert!(!out.ok);
    assert!(
        out.text.contains("deployment.apps/a created"),
        "{}",
        out.text
    );
    assert!(
        out.text.contains(
            "Error from server (Forbidden): error when creating \"two.yaml\": deployments.apps \"b\" is forbidden: the cluster would ask for 160000 pods; kubeplay's cap is 150000 pods per cluster (Kubernetes' tested maximum)"
        ),
        "{}",
        out.text
    );
    let out = s.run_line("kubectl scale deployment a --replicas=150001");
    assert!(!out.ok);
    assert!(
        out.text.contains("must be no more than 150000"),
        "{}",
        out.text
    );
    let out = s.run_line("kubectl scale deployment a --replicas=150000");
    assert!(out.ok, "{}", out.text);
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: extra\nspec:\n  containers:\n  - name: c\n    image: nginx\n";
    let out = s.run_line_with("kubectl apply -f pod.yaml", &files("pod.yaml", pod.into()));
    assert!(!out.ok);
    assert!(
        out.text.contains("pods \"extra\" is forbidden"),
        "{}",
        out.text
    );
    let out = s.run_line("kubectl scale deployment a --replicas=10");
    assert!(out.ok, "{}", out.text);
    assert!(s.sim().pods().count() <= 10, "paused: no pods were created");
}

#[test]
fn nodes_past_the_cluster_cap_are_refused() {
    let mut s = Session::new(1);
    let out = s.run_line("kops edit ig nodes --min 6000 --max 6000");
    assert!(!out.ok);
    assert!(
        out.text
            .contains("instancegroups.kops.k8s.io \"nodes\" is forbidden")
            && out
                .text
                .contains("kubeplay's cap is 5000 nodes per cluster"),
        "{}",
        out.text
    );
    let ig = "apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: more\nspec:\n  role: Node\n  machineType: t3.medium\n  minSize: 4999\n  maxSize: 4999\n";
    let out = s.run_line_with("kubectl apply -f ig.yaml", &files("ig.yaml", ig.into()));
    assert!(!out.ok);
    assert!(out.text.contains("nodes per cluster"), "{}", out.text);
    assert!(s.sim().nodes().count() < 10);
}
