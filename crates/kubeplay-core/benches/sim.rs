//! `make bench`: the engine's three benchmark scenarios, printed as a table.
//!
//! (a) 5,000 nodes and one Deployment of 150,000 replicas (100m / 128Mi) from apply until every
//!     pod is Running and Ready;
//! (b) 1,000 Deployments × 10 replicas on 500 nodes, then a rolling update of all of them;
//! (c) 100 virtual minutes of a 50-node cluster running the seed's app under chaos.
//!
//! This file is a shell around the pure core: it alone reads the wall clock and
//! `/proc/self/status` (peak RSS, `VmHWM`).
#![allow(clippy::disallowed_methods)] // the benchmark measures wall time: that is its job

use kubeplay_api::{Kind, Object};
use kubeplay_core::{Propagation, Sim, SimConfig};
use std::sync::OnceLock;
use std::time::Instant;

/// The same global allocator as the `kubeplay` CLI, so the table measures the engine as the
/// native binary runs it. The simulator allocates ~90 small objects per pod; glibc's malloc
/// spent ~15% of (a) in its free-list upkeep (`malloc_consolidate`, `unlink_chunk`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Monotonic nanoseconds, the clock lent to the sim to time its scheduling cycles.
fn nanos() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

fn config() -> SimConfig {
    SimConfig {
        keep_trace: false,
        events_max: 10_000,
        check_invariants: false,
        ..SimConfig::default()
    }
}

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.to_string())
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

fn load(yaml: &str) -> Vec<Object> {
    let r = kubeplay_api::load(yaml);
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    r.into_objects()
}

fn instance_group(name: &str, machine: &str, size: usize) -> String {
    format!(
        "apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: {name}\n  labels:\n    kops.k8s.io/cluster: bench.k8s.local\nspec:\n  role: Node\n  machineType: {machine}\n  minSize: {size}\n  maxSize: {size}\n  subnets: [us-east-1a]\n"
    )
}

fn deployment(name: &str, replicas: usize, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n      - name: app\n        image: {image}\n        ports:\n        - containerPort: 8080\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n"
    )
}

struct Row {
    name: &'static str,
    wall_s: f64,
    virtual_s: f64,
    events: u64,
    scheduled: u64,
    /// Wall seconds spent in scheduling cycles (filter, score, bind).
    sched_s: f64,
    rss_mib: u64,
    note: String,
}

fn scheduled(sim: &Sim) -> u64 {
    sim.store()
        .pods()
        .values()
        .filter(|p| p.rt.scheduled_ms.is_some())
        .count() as u64
}

fn ready_pods(sim: &Sim) -> usize {
    sim.store().pods().values().filter(|p| p.rt.ready).count()
}

/// Run until `done` holds, checking every virtual second; bounded by `limit_ms`.
fn run_until_done(sim: &mut Sim, limit_ms: u64, mut done: impl FnMut(&Sim) -> bool) -> bool {
    while sim.now_ms() < limit_ms {
        sim.run_for(1_000).expect("stalled");
        if done(sim) {
            return true;
        }
    }
    false
}

fn bench_a(scale: usize) -> Row {
    let nodes = 5_000 / scale;
    let replicas = 150_000 / scale;
    let mut sim = Sim::with_config(
        1,
        config(),
        load(&instance_group("nodes", "m5.xlarge", nodes)),
    );
    sim.set_stopwatch(nanos);
    let setup_events = sim.steps();
    let t = Instant::now();
    sim.apply(load(&deployment("big", replicas, "nginx:1.25")));
    let ok = run_until_done(&mut sim, 3_600_000, |s| {
        s.replicasets()
            .next()
            .and_then(|rs| rs.status.as_ref())
            .and_then(|st| st.ready_replicas)
            .unwrap_or(0) as usize
            == replicas
    });
    let wall = t.elapsed().as_secs_f64();
    assert!(ok, "not all pods became ready");
    assert_eq!(ready_pods(&sim), replicas);
    Row {
        name: if scale == 1 {
            "(a) 5k nodes, 150k replicas"
        } else {
            "(a/10) 500 nodes, 15k replicas"
        },
        wall_s: wall,
        virtual_s: sim.now_ms() as f64 / 1000.0,
        events: sim.steps() - setup_events,
        scheduled: scheduled(&sim),
        sched_s: sim.scheduler_wall_ns() as f64 / 1e9,
        rss_mib: peak_rss_mib(),
        note: format!("{replicas} Running+Ready"),
    }
}

fn bench_b() -> Row {
    let mut sim = Sim::with_config(
        2,
        config(),
        load(&instance_group("nodes", "m5.xlarge", 500)),
    );
    sim.set_stopwatch(nanos);
    let setup_events = sim.steps();
    let t = Instant::now();
    let mut yaml = String::new();
    for i in 0..1_000 {
        yaml.push_str(&deployment(&format!("app-{i:04}"), 10, "nginx:1.25"));
        yaml.push_str("---\n");
    }
    sim.apply(load(&yaml));
    assert!(
        run_until_done(&mut sim, 600_000, |s| ready_pods(s) == 10_000),
        "initial rollout"
    );
    let first = scheduled(&sim);
    let yaml2 = yaml.replace("nginx:1.25", "nginx:1.26");
    sim.apply(load(&yaml2));
    let ok = run_until_done(&mut sim, 3_600_000, |s| {
        s.deployments().all(|d| {
            let st = d.status.clone().unwrap_or_default();
            st.updated_replicas == Some(10)
                && st.available_replicas == Some(10)
                && st.replicas == Some(10)
        })
    });
    assert!(ok, "rolling update did not finish");
    let wall = t.elapsed().as_secs_f64();
    Row {
        name: "(b) 1k deploys x 10 + roll",
        wall_s: wall,
        virtual_s: sim.now_ms() as f64 / 1000.0,
        events: sim.steps() - setup_events,
        scheduled: first + scheduled(&sim),
        sched_s: sim.scheduler_wall_ns() as f64 / 1e9,
        rss_mib: peak_rss_mib(),
        note: "20k pods created, all rolled".into(),
    }
}

fn bench_c() -> Row {
    let hello = include_str!("../../../static/examples/hello-world.yaml");
    let mut objects = load(&instance_group("nodes", "t3.medium", 50));
    let mut app = load(hello);
    if let Some(Object::Deployment(d)) = app.first_mut() {
        d.spec.replicas = Some(40);
    }
    objects.extend(app);
    let mut sim = Sim::with_config(3, config(), objects);
    sim.set_stopwatch(nanos);
    let setup_events = sim.steps();
    let t = Instant::now();
    let end = 100 * 60_000;
    let mut round = 0u64;
    let mut created = 0u64;
    while sim.now_ms() < end {
        sim.run_for(15_000).expect("stalled");
        round += 1;
        // Chaos, deterministic from the round number: delete a pod, crash a container, stop
        // a kubelet for 45 s, roll the image every 10 minutes.
        let pods: Vec<(String, String)> = sim
            .snapshot()
            .pods
            .iter()
            .filter(|p| p.ready)
            .map(|p| (p.name.clone(), p.node.clone().unwrap_or_default()))
            .collect();
        if pods.is_empty() {
            continue;
        }
        let (victim, node) = pods[(round as usize * 7) % pods.len()].clone();
        match round % 4 {
            0 => {
                let _ = sim.delete(Kind::Pod, "default", &victim, Propagation::Background, None);
                created += 1;
            }
            1 => {
                let _ = sim.crash_container("default", &victim, None, 1);
            }
            2 => {
                let _ = sim.stop_kubelet(&node);
                sim.run_for(45_000).expect("stalled");
                let _ = sim.start_kubelet(&node);
            }
            _ => {
                if round % 40 == 3 {
                    let img = if round % 80 == 3 {
                        "nginx:1.26"
                    } else {
                        "nginx:1.25"
                    };
                    let mut app = load(hello);
                    if let Some(Object::Deployment(d)) = app.first_mut() {
                        d.spec.replicas = Some(40);
                        d.spec.template.spec.containers[0].image = Some(img.into());
                    }
                    sim.apply(app);
                }
            }
        }
    }
    let wall = t.elapsed().as_secs_f64();
    Row {
        name: "(c) 50 nodes, 100 min chaos",
        wall_s: wall,
        virtual_s: sim.now_ms() as f64 / 1000.0,
        events: sim.steps() - setup_events,
        scheduled: scheduled(&sim),
        sched_s: sim.scheduler_wall_ns() as f64 / 1e9,
        rss_mib: peak_rss_mib(),
        note: format!("{} ready at end, {created} pods deleted", ready_pods(&sim)),
    }
}

fn main() {
    let mut rows = Vec::new();
    let only = std::env::args()
        .skip(1)
        .find(|a| matches!(a.as_str(), "a" | "b" | "c" | "a10"));
    if only.as_deref() == Some("a10") {
        // a tenth of (a), for quick profiling
        rows.push(bench_a(10));
    }
    if only.as_deref().is_none_or(|o| o == "a") {
        rows.push(bench_a(1));
    }
    if only.as_deref().is_none_or(|o| o == "b") {
        rows.push(bench_b());
    }
    if only.as_deref().is_none_or(|o| o == "c") {
        rows.push(bench_c());
    }
    // pods/s: pods scheduled per wall second of the whole run (apply to Running, every
    // controller and kubelet included); scheduler pods/s: per wall second spent in the
    // scheduler's own cycles (filter, score, bind), the figure kube-scheduler's
    // scheduler_perf throughput measures.
    println!("| scenario | wall s | virtual s | sim events | events/s | pods scheduled | pods/s | scheduler s | scheduler pods/s | peak RSS MiB | note |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in rows {
        println!(
            "| {} | {:.2} | {:.0} | {} | {:.0} | {} | {:.0} | {:.2} | {:.0} | {} | {} |",
            r.name,
            r.wall_s,
            r.virtual_s,
            r.events,
            r.events as f64 / r.wall_s,
            r.scheduled,
            r.scheduled as f64 / r.wall_s,
            r.sched_s,
            r.scheduled as f64 / r.sched_s.max(1e-9),
            r.rss_mib,
            r.note
        );
    }
}
