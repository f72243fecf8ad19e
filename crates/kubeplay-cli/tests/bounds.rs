//! `kubeplay run` finishes, whatever the script asks for: each hostile script below is run
//! through the real binary with a wall-clock budget, and must end with a message that names
//! the bound (issue 9). The files are written to a fresh folder under the system temp dir
//! because some are too big to keep in the repository.
#![cfg(feature = "engine")]
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Far above what any of these takes on a loaded machine in a debug build; a hang or an
/// unbounded loop would blow through it.
const BUDGET: Duration = Duration::from_secs(120);

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kubeplay-bounds-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Runs `script` (with `files` next to it); returns (stdout, stderr, exit code).
fn run(name: &str, script: &str, files: &[(&str, String)]) -> (String, String, i32) {
    let d = dir(name);
    std::fs::write(d.join("s.kp"), script).expect("write script");
    for (n, text) in files {
        std::fs::write(d.join(n), text).expect("write file");
    }
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .current_dir(&d)
        .args(["run", "--seed", "1", "s.kp"])
        .output()
        .expect("run kubeplay");
    let took = start.elapsed();
    let _ = std::fs::remove_dir_all(&d);
    assert!(took < BUDGET, "{name} took {took:?}");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn scripts_that_would_run_forever_finish() {
    let script = format!(
        "sleep 1000000h\nkubectl get ns {}\nkubectl get ns $(kubectl get ns $(sleep 24h))\nsim time\n",
        "$(sleep 24h) ".repeat(1000)
    );
    let (out, err, code) = run("forever", &script, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("sleep: at most 24h of virtual time per sleep in the playground"));
    assert!(out.contains("at most 8 command substitutions $(…) per line in the playground"));
    assert!(out.contains("nested command substitution is not supported"));
    assert!(out.contains("$ sim time\n0s"), "{out}");
}

#[test]
fn a_million_objects_and_huge_yaml_are_refused() {
    let many: String = (0..1_000_000)
        .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n"))
        .collect();
    let huge = format!(
        "kind: ConfigMap\ndata:\n  x: \"{}\"\n",
        "a".repeat(50 << 20)
    );
    let deep: String = "[".repeat(500_000);
    let (out, err, code) = run(
        "objects",
        "kubectl apply -f many.yaml\nkubectl apply -f huge.yaml\nkubectl apply -f deep.yaml\nkubectl get all\n",
        &[
            ("many.yaml", many),
            ("huge.yaml", huge),
            ("deep.yaml", deep),
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out.matches("the limit is 1048576 bytes (1 MiB)").count(),
        2,
        "{out}"
    );
    assert!(out.contains("nest"), "{out}");
}

#[test]
fn pods_and_nodes_past_the_cluster_caps_are_refused() {
    let deploy = |name: &str, replicas: u32| {
        format!("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  paused: true\n  replicas: {replicas}\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n")
    };
    let (out, err, code) = run(
        "caps",
        "kubectl apply -f d.yaml\nkubectl scale deployment a --replicas=200000\nkops edit ig nodes --min 6000 --max 6000\n",
        &[("d.yaml", format!("{}{}", deploy("a", 100_000), deploy("b", 100_000)))],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("deployments.apps \"b\" is forbidden: the cluster would ask for 200000 pods; kubeplay's cap is 150000 pods per cluster"),
        "{out}"
    );
    assert!(out.contains("must be no more than 150000"), "{out}");
    assert!(
        out.contains("kubeplay's cap is 5000 nodes per cluster"),
        "{out}"
    );
}

#[test]
fn a_cluster_file_past_the_node_cap_is_refused() {
    let d = dir("cluster");
    let ig = "apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: nodes\nspec:\n  role: Node\n  machineType: t3.medium\n  minSize: 6000\n  maxSize: 6000\n";
    std::fs::write(d.join("big.yaml"), ig).expect("write cluster");
    std::fs::write(d.join("s.kp"), "kubectl get nodes\n").expect("write script");
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .current_dir(&d)
        .args(["run", "--cluster", "big.yaml", "s.kp"])
        .output()
        .expect("run kubeplay");
    let _ = std::fs::remove_dir_all(&d);
    assert!(start.elapsed() < BUDGET);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        err.contains(
            "big.yaml: the cluster asks for 6000 nodes; kubeplay's cap is 5000 nodes per cluster"
        ),
        "{err}"
    );
}
