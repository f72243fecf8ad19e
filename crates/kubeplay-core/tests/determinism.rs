//! Determinism: the same scenario twice gives the identical trace; ten seeds give identical
//! outcomes where Kubernetes is deterministic (counts, phases) and differ only where it is
//! random (generated names, tie-breaks).
use kubeplay_core::{Propagation, Sim};

const HELLO: &str = include_str!("../../../static/examples/hello-world.yaml");

fn scenario(seed: u64) -> Sim {
    let mut sim = Sim::new(seed);
    sim.apply(kubeplay_api::load(HELLO).into_objects());
    sim.run_until(20_000).unwrap();
    let first = sim.snapshot().pods[0].name.clone();
    sim.delete(
        kubeplay_api::Kind::Pod,
        "default",
        &first,
        Propagation::Background,
        None,
    )
    .unwrap();
    sim.scale(
        kubeplay_api::Kind::Deployment,
        "default",
        "hello-world-deployment",
        5,
    )
    .unwrap();
    sim.run_until(60_000).unwrap();
    sim
}

#[test]
fn same_seed_same_trace() {
    let (a, b) = (scenario(7), scenario(7));
    assert_eq!(a.trace(), b.trace(), "seed=7");
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert!(a.trace().len() > 50);
}

#[test]
fn ten_seeds_same_outcome_different_names() {
    let mut names = std::collections::BTreeSet::new();
    for seed in 0..10 {
        let sim = scenario(seed);
        let snap = sim.snapshot();
        let phases: Vec<(&str, bool)> = snap.pods.iter().map(|p| (p.phase, p.ready)).collect();
        assert_eq!(phases, vec![("Running", true); 5], "seed={seed}");
        assert_eq!(sim.deployments().count(), 1, "seed={seed}");
        assert_eq!(sim.replicasets().count(), 1, "seed={seed}");
        let st = sim.deployments().next().unwrap().status.clone().unwrap();
        assert_eq!(st.available_replicas, Some(5), "seed={seed}");
        names.insert(snap.pods[0].name.clone());
    }
    assert!(names.len() > 1, "generated names should depend on the seed");
}

/// A fake clock for the stopwatch: every reading is 1,000 ns after the previous one.
fn ticking_clock() -> u64 {
    static T: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    T.fetch_add(1_000, std::sync::atomic::Ordering::Relaxed)
}

/// The benchmarks lend the sim a clock to time scheduling cycles: the readings are a
/// statistic only, so the trace is the same with or without one.
#[test]
fn a_stopwatch_times_the_scheduler_without_changing_the_trace() {
    let plain = scenario(7);
    assert_eq!(plain.scheduler_wall_ns(), 0);
    let mut timed = Sim::new(7);
    timed.set_stopwatch(ticking_clock);
    timed.apply(kubeplay_api::load(HELLO).into_objects());
    timed.run_until(20_000).unwrap();
    assert!(
        timed.scheduler_wall_ns() >= 1_000,
        "the two pods' scheduling cycle was timed"
    );
    let mut again = Sim::new(7);
    again.apply(kubeplay_api::load(HELLO).into_objects());
    again.run_until(20_000).unwrap();
    assert_eq!(timed.trace(), again.trace());
    assert_eq!(timed.trace_hash(), again.trace_hash());
}
