//! Scenario tests of the workload controllers, the garbage collector and the kubelet on the
//! default cluster, each with a pinned seed.
use kubeplay_api::{Kind, Object};
use kubeplay_core::{Propagation, Sim};

fn deployment(
    name: &str,
    replicas: i32,
    image: &str,
    extra_annotations: &str,
    strategy: &str,
) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  progressDeadlineSeconds: 60\n{strategy}  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n{extra_annotations}    spec:\n      containers:\n      - name: app\n        image: {image}\n        ports:\n        - containerPort: 8080\n        resources:\n          requests:\n            cpu: 100m\n            memory: 64Mi\n"
    )
}

fn apply(sim: &mut Sim, yaml: &str) {
    let r = kubeplay_api::load(yaml);
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    let out = sim.apply(r.into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
}

fn ready(sim: &Sim) -> usize {
    sim.snapshot()
        .pods
        .iter()
        .filter(|p| p.ready && !p.terminating)
        .count()
}

fn event_reasons(sim: &Sim, name_prefix: &str) -> Vec<(String, String)> {
    sim.events()
        .filter(|e| e.involved_name.starts_with(name_prefix))
        .map(|e| (e.reason.to_string(), e.message.clone()))
        .collect()
}

#[test]
fn recreate_scales_old_to_zero_before_new() {
    let mut sim = Sim::new(11);
    let strat = "  strategy:\n    type: Recreate\n";
    apply(&mut sim, &deployment("web", 3, "nginx:1.25", "", strat));
    sim.run_until(30_000).unwrap();
    assert_eq!(ready(&sim), 3);
    apply(&mut sim, &deployment("web", 3, "nginx:1.26", "", strat));
    let end = sim.now_ms() + 60_000;
    let mut saw_zero = false;
    while sim.now_ms() < end && sim.step() {
        let snap = sim.snapshot();
        let images: std::collections::BTreeSet<String> = snap
            .pods
            .iter()
            .map(|p| {
                sim.pod(&p.namespace, &p.name).unwrap().spec.containers[0]
                    .image
                    .clone()
                    .unwrap_or_default()
            })
            .collect();
        assert!(
            images.len() <= 1,
            "Recreate ran old and new pods together: {images:?}"
        );
        saw_zero |= snap.pods.is_empty();
    }
    assert!(saw_zero, "Recreate must go through zero pods");
    sim.run_until(end).unwrap();
    assert_eq!(ready(&sim), 3);
}

#[test]
fn rollback_pause_and_history() {
    let mut sim = Sim::new(12);
    apply(&mut sim, &deployment("web", 2, "nginx:1.25", "", ""));
    sim.run_until(20_000).unwrap();
    apply(&mut sim, &deployment("web", 2, "nginx:1.26", "", ""));
    sim.run_until(60_000).unwrap();
    assert_eq!(sim.replicasets().count(), 2);
    assert_eq!(
        sim.rollback("default", "web", 9),
        Err("unable to find specified revision 9 in history".into())
    );
    assert_eq!(
        sim.rollback("default", "web", 0),
        Ok("deployment.apps/web rolled back".into())
    );
    sim.run_until(100_000).unwrap();
    let d = sim.deployments().next().unwrap();
    assert_eq!(
        d.spec.template.spec.containers[0].image.as_deref(),
        Some("nginx:1.25")
    );
    assert_eq!(
        d.metadata.annotations["deployment.kubernetes.io/revision"],
        "3"
    );
    let rs1 = sim
        .replicasets()
        .find(|r| r.spec.template.spec.containers[0].image.as_deref() == Some("nginx:1.25"))
        .unwrap();
    assert_eq!(
        rs1.metadata.annotations["deployment.kubernetes.io/revision-history"],
        "1"
    );
    assert_eq!(rs1.spec.replicas, Some(2));
    assert_eq!(
        sim.rollback("default", "web", 3),
        Ok(
            "deployment.apps/web skipped rollback (current template already matches revision 3)"
                .into()
        )
    );
    sim.set_paused("default", "web", true).unwrap();
    assert!(sim
        .rollback("default", "web", 0)
        .unwrap_err()
        .starts_with("you cannot rollback a paused deployment"));
    apply(
        &mut sim,
        &deployment("web", 2, "nginx:1.27", "", "").replace(
            "spec:\n  replicas: 2\n",
            "spec:\n  replicas: 2\n  paused: true\n",
        ),
    );
    sim.run_until(140_000).unwrap();
    assert_eq!(
        sim.replicasets().count(),
        2,
        "a paused Deployment does not roll out"
    );
    let prog = sim
        .deployments()
        .next()
        .unwrap()
        .status
        .clone()
        .unwrap()
        .conditions
        .into_iter()
        .find(|c| c.type_ == "Progressing")
        .unwrap();
    assert_eq!(prog.reason.as_deref(), Some("DeploymentPaused"));
}

#[test]
fn broken_image_backs_off_and_misses_progress_deadline() {
    let mut sim = Sim::new(13);
    apply(&mut sim, &deployment("bad", 1, "nginx:broken", "", ""));
    sim.run_until(120_000).unwrap();
    let p = &sim.snapshot().pods[0];
    assert_eq!(p.status, "ImagePullBackOff");
    let ev = event_reasons(&sim, "bad-");
    assert!(
        ev.iter()
            .any(|(r, m)| r == "Failed" && m == "Error: ErrImagePull"),
        "{ev:?}"
    );
    assert!(
        ev.iter()
            .any(|(r, m)| r == "BackOff" && m == "Back-off pulling image \"nginx:broken\""),
        "{ev:?}"
    );
    let st = sim.deployments().next().unwrap().status.clone().unwrap();
    let prog = st
        .conditions
        .iter()
        .find(|c| c.type_ == "Progressing")
        .unwrap();
    assert_eq!(
        (prog.status.as_str(), prog.reason.as_deref()),
        ("False", Some("ProgressDeadlineExceeded"))
    );
    let avail = st
        .conditions
        .iter()
        .find(|c| c.type_ == "Available")
        .unwrap();
    assert_eq!(avail.reason.as_deref(), Some("MinimumReplicasUnavailable"));
}

#[test]
fn crash_loop_restarts_after_10_20_40_seconds() {
    let mut sim = Sim::new(14);
    let ann = "      annotations:\n        kubeplay.dev/crash-after: 5s\n";
    apply(&mut sim, &deployment("crashy", 1, "nginx:1.25", ann, ""));
    sim.run_until(200_000).unwrap();
    let name = sim.snapshot().pods[0].name.clone();
    let starts: Vec<u64> = sim
        .trace()
        .iter()
        .filter(|e| e.object.ends_with(&name) && e.what == "Started")
        .map(|e| e.at_ms)
        .collect();
    let exits: Vec<u64> = sim
        .trace()
        .iter()
        .filter(|e| e.object.ends_with(&name) && e.what == "ContainerExited")
        .map(|e| e.at_ms)
        .collect();
    // exit i at exits[i]; restart i+1: immediately after the first exit, then waits of 10, 20,
    // 40, 80 s measured from the exit (plus the 300 ms create+start, rounded away), as
    // upstream doBackOff.
    let waits: Vec<u64> = exits
        .iter()
        .zip(starts.iter().skip(1))
        .map(|(e, s)| (s - e + 500) / 1000 * 1000)
        .collect();
    assert_eq!(
        &waits[..5],
        &[0, 10_000, 20_000, 40_000, 80_000][..],
        "exits {exits:?} starts {starts:?}"
    );
    let ev = event_reasons(&sim, &name);
    assert!(
        ev.iter().any(|(r, m)| r == "BackOff"
            && m.starts_with("Back-off restarting failed container app in pod")),
        "{ev:?}"
    );
    let pod = sim.pod("default", &name).unwrap();
    let cs = &pod.status.as_ref().unwrap().container_statuses[0];
    assert!(cs.restart_count >= 4);
}

#[test]
fn cascading_deletion_background_foreground_orphan() {
    for (prop, pods_left, rs_left) in [
        (Propagation::Background, 0, 0),
        (Propagation::Foreground, 0, 0),
        (Propagation::Orphan, 2, 1),
    ] {
        let mut sim = Sim::new(15);
        apply(&mut sim, &deployment("web", 2, "nginx:1.25", "", ""));
        sim.run_until(20_000).unwrap();
        sim.delete(Kind::Deployment, "default", "web", prop, None)
            .unwrap();
        if prop == Propagation::Foreground {
            assert!(
                sim.deployments()
                    .next()
                    .unwrap()
                    .metadata
                    .deletion_timestamp
                    .is_some(),
                "owner waits for dependents"
            );
        }
        sim.run_until(40_000).unwrap();
        assert_eq!(sim.deployments().count(), 0, "{prop:?}");
        assert_eq!(sim.replicasets().count(), rs_left, "{prop:?}");
        assert_eq!(sim.pods().count(), pods_left, "{prop:?}");
        if prop == Propagation::Orphan {
            assert!(sim
                .replicasets()
                .next()
                .unwrap()
                .metadata
                .owner_references
                .is_empty());
        }
    }
}

#[test]
fn scale_down_deletes_by_rank_and_emits_events() {
    let mut sim = Sim::new(16);
    apply(&mut sim, &deployment("web", 6, "nginx:1.25", "", ""));
    sim.run_until(30_000).unwrap();
    sim.scale(Kind::Deployment, "default", "web", 2).unwrap();
    sim.run_until(40_000).unwrap();
    assert_eq!(ready(&sim), 2);
    let ev = event_reasons(&sim, "web");
    assert!(
        ev.iter().any(|(r, m)| r == "ScalingReplicaSet"
            && m.starts_with("Scaled down replica set web-")
            && m.ends_with("from 6 to 2")),
        "{ev:?}"
    );
    assert_eq!(
        ev.iter().filter(|(r, _)| r == "SuccessfulDelete").count(),
        4
    );
    // the survivors are spread: doubled-up pods go first
    let nodes: std::collections::BTreeSet<_> = sim
        .snapshot()
        .pods
        .iter()
        .filter_map(|p| p.node.clone())
        .collect();
    assert_eq!(nodes.len(), 2);
}

#[test]
fn user_nodes_replace_the_default_cluster_and_unschedulable_pods_wait() {
    let node = "apiVersion: v1\nkind: Node\nmetadata:\n  name: small\n  labels:\n    node.kubernetes.io/instance-type: t3.small\n";
    let mut objects = kubeplay_api::load(node).into_objects();
    objects.extend(kubeplay_api::load(&deployment("web", 30, "nginx:1.25", "", "")).into_objects());
    let mut sim = Sim::with_cluster(17, objects);
    assert_eq!(sim.nodes().count(), 1);
    sim.run_until(30_000).unwrap();
    let pending: Vec<_> = sim
        .snapshot()
        .pods
        .into_iter()
        .filter(|p| p.node.is_none())
        .collect();
    assert_eq!(pending.len(), 30 - 19, "1900m / 100m = 19 pods fit");
    let why = sim
        .scheduling_decision("default", &pending[0].name)
        .unwrap();
    assert!(
        why.message
            .starts_with("0/1 nodes are available: 1 Insufficient cpu."),
        "{}",
        why.message
    );
    let n2 = "apiVersion: v1\nkind: Node\nmetadata:\n  name: big\n  labels:\n    node.kubernetes.io/instance-type: m5.xlarge\n";
    let objs: Vec<Object> = kubeplay_api::load(n2).into_objects();
    sim.apply(objs);
    sim.run_until(60_000).unwrap();
    assert_eq!(ready(&sim), 30, "pending pods schedule when a node joins");
}

/// Seconds since the sim's epoch (2026-01-01T00:00:00Z) of a status timestamp; the scenarios
/// below stay within the first day.
fn status_secs(ts: &Option<String>) -> u64 {
    let t = ts.as_deref().expect("timestamp");
    assert!(t.starts_with("2026-01-01T") && t.ends_with('Z'), "{t}");
    let hms: Vec<u64> = t[11..19].split(':').map(|x| x.parse().unwrap()).collect();
    hms[0] * 3600 + hms[1] * 60 + hms[2]
}

/// One restart as the pod's status shows it: restartCount, the new run's `startedAt` and the
/// previous run's `finishedAt` (`lastState.terminated`), in seconds.
fn restarts_seen(sim: &mut Sim, name: &str, until_ms: u64, seen: &mut Vec<(i32, u64, u64)>) {
    let mut messages = Vec::new();
    restarts_and_messages(sim, name, until_ms, seen, &mut messages);
}

fn restarts_and_messages(
    sim: &mut Sim,
    name: &str,
    until_ms: u64,
    seen: &mut Vec<(i32, u64, u64)>,
    messages: &mut Vec<String>,
) {
    while sim.now_ms() < until_ms {
        sim.run_until(sim.now_ms() + 1000).unwrap();
        let pod = sim.pod("default", name).unwrap();
        let cs = &pod.status.as_ref().unwrap().container_statuses[0];
        if let Some(w) = &cs.state.waiting {
            if let Some(m) = &w.message {
                if !messages.contains(m) {
                    messages.push(m.clone());
                }
            }
        }
        let last = seen.last().map_or(0, |s| s.0);
        if cs.restart_count > last {
            if let (Some(run), Some(term)) = (&cs.state.running, &cs.last_state.terminated) {
                seen.push((
                    cs.restart_count,
                    status_secs(&run.started_at),
                    status_secs(&term.finished_at),
                ));
            }
        }
    }
}

/// Issue #6 acceptance: a crash loop's restarts, read from the pod's status timestamps, follow
/// kubelet's back-off (`doBackOff`, pkg/kubelet/kuberuntime/kuberuntime_manager.go, with
/// `flowcontrol.NewBackOff(10s, 300s)`): the first crash restarts at once, then waits of 10,
/// 20, 40, 80, 160, 300, 300 s after each exit, and the Waiting message names the current
/// back-off in Go duration format.
#[test]
fn crash_loop_ladder_10_20_40_80_160_300_300() {
    let mut sim = Sim::new(14);
    let ann = "      annotations:\n        kubeplay.dev/crash-after: 5s\n";
    apply(&mut sim, &deployment("crashy", 1, "nginx:1.25", ann, ""));
    sim.run_until(1000).unwrap();
    let name = sim.snapshot().pods[0].name.clone();
    let mut seen = Vec::new();
    let mut messages = Vec::new();
    restarts_and_messages(&mut sim, &name, 1_300_000, &mut seen, &mut messages);
    let waits: Vec<u64> = seen.iter().map(|(_, start, end)| start - end).collect();
    let want = [0, 10, 20, 40, 80, 160, 300, 300];
    assert!(waits.len() >= want.len(), "{seen:?}");
    for (i, (got, want)) in waits.iter().zip(want).enumerate() {
        // Second-precision timestamps and the ~300 ms container create+start: +1 s at most.
        assert!(
            *got == want || *got == want + 1,
            "restart {}: waited {got} s, want {want} s; {seen:?}",
            i + 1
        );
    }
    for d in ["10s", "20s", "40s", "1m20s", "2m40s", "5m0s"] {
        let prefix = format!("back-off {d} restarting failed container=app pod={name}_default(");
        assert!(
            messages.iter().any(|m| m.starts_with(&prefix)),
            "no {prefix}…: {messages:?}"
        );
    }
}

/// The back-off entry expires when the container ran longer than 2 × 300 s since its last
/// restart (`flowcontrol.Backoff.IsInBackOffSince` / `hasExpired`): that crash restarts at
/// once and the ladder starts over at 10 s.
#[test]
fn crash_loop_backoff_resets_after_10_minutes_running() {
    let mut sim = Sim::new(21);
    apply(&mut sim, &deployment("flaky", 1, "nginx:1.25", "", ""));
    sim.run_until(20_000).unwrap();
    let name = sim.snapshot().pods[0].name.clone();
    let mut seen = Vec::new();
    // Crash 1: at once. Crash 2, 2 s after that restart: 10 s.
    sim.crash_container("default", &name, None, 1).unwrap();
    restarts_seen(&mut sim, &name, 25_000, &mut seen);
    sim.crash_container("default", &name, None, 1).unwrap();
    restarts_seen(&mut sim, &name, 45_000, &mut seen);
    // Run 11 minutes, crash: at once again; a crash right after: 10 s, not 20 s.
    restarts_seen(&mut sim, &name, 45_000 + 660_000, &mut seen);
    sim.crash_container("default", &name, None, 1).unwrap();
    restarts_seen(&mut sim, &name, 45_000 + 665_000, &mut seen);
    sim.crash_container("default", &name, None, 1).unwrap();
    restarts_seen(&mut sim, &name, 45_000 + 690_000, &mut seen);
    let waits: Vec<u64> = seen.iter().map(|(_, start, end)| start - end).collect();
    assert_eq!(seen.len(), 4, "{seen:?}");
    for (got, want) in waits.iter().zip([0, 10, 0, 10]) {
        assert!(
            *got == want || *got == want + 1,
            "waits {waits:?}, {seen:?}"
        );
    }
}
