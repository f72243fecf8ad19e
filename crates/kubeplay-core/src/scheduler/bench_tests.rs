//! Throughput check of the scheduler alone: 5,000 nodes in 3 zones, one ReplicaSet of
//! 150,000 pods (100m / 128Mi) with system default spreading, each decision bound into the
//! cache. Run with `cargo test -p kubeplay-core --release -- --ignored --nocapture bench`.
#![allow(clippy::disallowed_methods)] // wall-clock timing of a benchmark, never of the sim

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::*;

fn big_cluster(nodes: usize) -> Scheduler {
    let mut s = Scheduler::new();
    for i in 0..nodes {
        let name = format!("i-{i:05}");
        let mut labels = Labels::new();
        labels.insert(LABEL_HOSTNAME.into(), name.clone());
        labels.insert(
            LABEL_ZONE.into(),
            format!("us-east-1{}", ["a", "b", "c"][i % 3]),
        );
        labels.insert(LABEL_REGION.into(), "us-east-1".into());
        s.cache.upsert_node(NodeSpec {
            name,
            labels,
            allocatable: Resources {
                milli_cpu: 3_900,
                memory: 15 << 30,
                ..Resources::default()
            },
            allocatable_pods: 110,
            ..NodeSpec::default()
        });
    }
    s
}

fn replica(i: usize) -> PodInfo {
    let c = ContainerRequests {
        milli_cpu: Some(100),
        memory: Some(128 << 20),
        image: "nginx:1.27".into(),
        ..ContainerRequests::default()
    };
    let mut p = PodInfo::new("default", &format!("web-7c9f8d6b5-{i:06}"), &[c], &[]);
    p.labels.insert("app".into(), "web".into());
    p.labels
        .insert("pod-template-hash".into(), "7c9f8d6b5".into());
    p.default_spread_selector = Some(Selector::from_labels(&[
        ("app", "web"),
        ("pod-template-hash", "7c9f8d6b5"),
    ]));
    p
}

fn pods_wanted() -> usize {
    // KUBEPLAY_BENCH_PODS lets a profiler run a shorter slice of the same workload.
    std::env::var("KUBEPLAY_BENCH_PODS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150_000)
}

#[test]
#[ignore = "benchmark; run in release"]
fn bench_5000_nodes_150000_pods() {
    let mut s = big_cluster(5_000);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let n = pods_wanted();
    let pods: Vec<PodInfo> = (0..n).map(replica).collect();
    let start = std::time::Instant::now();
    // Every decision (node and plugin scores) folded into one hash, to compare runs.
    let mut sum = crate::hash::Fnv64::default();
    for p in &pods {
        let d = s.schedule(p, &mut rng, false);
        sum.write(format!("{:?} {:?}\n", d.node, d.scores).as_bytes());
        let node = d.node.expect("fits");
        s.cache.add_pod(&node, p);
    }
    let secs = start.elapsed().as_secs_f64();
    println!("decisions hash {:016x}", sum.0);
    let max = s
        .cache
        .node_names()
        .map(|n| s.cache.node(n).expect("n").pod_count)
        .max();
    let min = s
        .cache
        .node_names()
        .map(|n| s.cache.node(n).expect("n").pod_count)
        .min();
    println!(
        "scheduled {n} pods on 5000 nodes in {secs:.3}s = {:.0} pods/s (pods per node {min:?}..{max:?})",
        n as f64 / secs
    );
}
