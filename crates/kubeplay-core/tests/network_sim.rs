//! Services and traffic on the real Sim: the seed article's hello-world manifest end to end.

use kubeplay_core::controllers::failures::Failures;
use kubeplay_core::network::sim::NetSim;
use kubeplay_core::network::{fmt_ip, Failure, LoadSpec};
use kubeplay_core::{Propagation, Sim};

const SEED: u64 = 42;

/// `/work/shared/examples/hello-world.yaml` (the seed article's manifest, 2018 API version).
const HELLO_WORLD: &str = r#"apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: hello-world-deployment
spec:
  replicas: 2
  template:
    metadata:
      labels:
        app: "hello-world"
    spec:
      containers:
      - name: "hello-world-container"
        image: "google/python-hello"
        imagePullPolicy: Always
        ports:
        - containerPort: 8080
        env:
        - name: NODE_ENV
          value: production
        - name: MESSAGE
          value: "Kubernetes is awesome!"
---
apiVersion: v1
kind: Service
metadata:
  name: hello-world-lb
  labels:
    run: hello-world
spec:
  selector:
    app: hello-world
  type: LoadBalancer
  ports:
  - name: "http"
    port: 80
    targetPort: 8080
    protocol: "TCP"
"#;

fn hello() -> NetSim {
    let mut ns = NetSim::new(Sim::new(SEED));
    let objects = kubeplay_api::load(HELLO_WORLD).into_objects();
    let out = ns.apply(objects);
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    ns
}

fn ingress(ns: &NetSim) -> Option<String> {
    let svc = ns
        .sim
        .services()
        .find(|s| s.metadata.name == "hello-world-lb")
        .unwrap();
    svc.status
        .as_ref()
        .and_then(|s| s.load_balancer.ingress.first())
        .and_then(|i| i.hostname.clone())
}

#[test]
fn hello_world_gets_an_elb_hostname_after_the_delay_and_answers() {
    let mut ns = hello();
    let svc = ns
        .sim
        .services()
        .find(|s| s.metadata.name == "hello-world-lb")
        .unwrap()
        .clone();
    let cluster_ip = svc.spec.cluster_ip.clone().unwrap();
    assert!(cluster_ip.starts_with("10."), "{cluster_ip}");
    let np = svc.spec.ports[0].node_port.unwrap();
    assert!((30000..=32767).contains(&np));
    assert_eq!(
        ns.net.ports_column("default", "hello-world-lb"),
        format!("80:{np}/TCP")
    );
    assert_eq!(
        ns.net.cluster_ip_column("default", "kubernetes"),
        "10.96.0.1"
    );
    ns.run_until(29_999).unwrap();
    assert_eq!(ingress(&ns), None);
    assert_eq!(
        ns.net.external_ip_column("default", "hello-world-lb"),
        "<pending>"
    );
    ns.run_until(30_000).unwrap();
    let host = ingress(&ns).expect("hostname at 30 s");
    assert!(host.ends_with(".us-east-1.elb.amazonaws.com"), "{host}");
    ns.run_until(90_000).unwrap();
    let r = ns.curl(&format!("http://{host}/"));
    assert_eq!(r.exit_code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("Hello World from hello-world-deployment-"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("MESSAGE=Kubernetes is awesome!"),
        "{}",
        r.stdout
    );
    // The same pods through the ClusterIP and a node's NodePort.
    let r = ns.curl(&format!("http://{cluster_ip}/"));
    assert_eq!(r.exit_code, 0, "{}", r.stderr);
    let node = ns
        .sim
        .nodes()
        .find(|n| {
            !n.metadata
                .labels
                .contains_key("node-role.kubernetes.io/control-plane")
        })
        .unwrap();
    let ip = fmt_ip(ns.node_ip(&node.metadata.name).unwrap());
    let r = ns.curl(&format!("http://{ip}:{np}/"));
    assert_eq!(r.exit_code, 0, "{}", r.stderr);
    let ep = ns.net.endpoints("default", "hello-world-lb").unwrap();
    assert_eq!(ep.ready_count(), 2, "{}", ep.kubectl_column());
}

#[test]
fn thousand_requests_split_across_the_two_pods_pinned() {
    let mut ns = hello();
    ns.run_until(90_000).unwrap();
    let host = ingress(&ns).unwrap();
    let id = ns
        .start_load(LoadSpec {
            url: format!("http://{host}/"),
            rps: 100,
            duration_ms: 10_000,
        })
        .unwrap();
    ns.run_until(101_000).unwrap();
    let r = ns.net.load_report(id).unwrap();
    assert_eq!((r.stats.sent, r.stats.succeeded), (1000, 1000));
    let counts: Vec<u64> = r.stats.per_pod.values().copied().collect();
    assert_eq!(counts.len(), 2);
    assert_eq!(counts.iter().sum::<u64>(), 1000);
    // Pinned for SEED 42: kube-proxy's `statistic --probability 0.5` rule over 1,000 draws.
    assert_eq!(counts, vec![508, 492], "{:?}", r.stats.per_pod);
}

/// `HELLO_WORLD` with `replicas` and, when `pre_stop` is set, a `preStop` hook that sleeps
/// 5 s (the usual cure, as an `exec` hook; `sleep.seconds` is covered by the rollout test).
fn hello_with(replicas: u32, pre_stop: bool) -> NetSim {
    let mut text = HELLO_WORLD.replace("replicas: 2", &format!("replicas: {replicas}"));
    if pre_stop {
        text = text.replace(
            "        imagePullPolicy: Always\n",
            "        imagePullPolicy: Always\n        lifecycle:\n          preStop:\n            exec:\n              command: [\"sleep\", \"5\"]\n",
        );
    }
    let mut ns = NetSim::new(Sim::new(SEED));
    let out = ns.apply(kubeplay_api::load(&text).into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    ns
}

fn delete_pod(ns: &mut NetSim, name: &str) {
    ns.sim
        .delete(
            kubeplay_api::Kind::Pod,
            "default",
            name,
            Propagation::Background,
            None,
        )
        .unwrap();
    ns.sync();
}

/// Deletes two of three pods 300 ms apart under 1,000 rps through the ELB, and returns the
/// failed-request count at each checkpoint of the timeline (see the callers).
fn two_deletions_under_load(pre_stop: bool) -> (Vec<u64>, Vec<String>) {
    let mut ns = hello_with(3, pre_stop);
    ns.run_until(90_000).unwrap();
    let host = ingress(&ns).unwrap();
    let id = ns
        .start_load(LoadSpec {
            url: format!("http://{host}/"),
            rps: 1_000,
            duration_ms: 120_000,
        })
        .unwrap();
    let failed = |ns: &NetSim| ns.net.load_report(id).unwrap().stats.failed;
    ns.run_until(100_000).unwrap();
    let pods: Vec<String> = ns.sim.pods().map(|p| p.metadata.name.clone()).collect();
    let mut at = Vec::new();
    delete_pod(&mut ns, &pods[0]);
    for t in [100_010, 100_100, 100_300] {
        ns.run_until(t).unwrap();
        at.push(failed(&ns));
    }
    delete_pod(&mut ns, &pods[1]);
    for t in [100_310, 101_100, 215_000] {
        ns.run_until(t).unwrap();
        at.push(failed(&ns));
    }
    let r = ns.net.load_report(id).unwrap().stats;
    assert_eq!(r.sent, 120_000);
    assert_eq!(r.failed, at[5]);
    if r.failed > 0 {
        // The ELB gets a reset from the node and answers the client with an empty reply.
        assert_eq!(
            r.failures.keys().copied().collect::<Vec<_>>(),
            vec![Failure::EmptyReply]
        );
    }
    let trace: Vec<String> = ns
        .net
        .take_trace()
        .iter()
        .map(|e| e.line())
        .filter(|l| l.contains("endpoints ready="))
        .collect();
    (at, trace)
}

#[test]
fn deleting_pods_under_load_fails_only_in_the_real_window() {
    let (at, trace) = two_deletions_under_load(false);
    // Deletion at 100 s. The kubelet SIGTERMs the app (it exits at once) at +10 ms; kube-proxy,
    // idle for over a second, drops the endpoint at +100 ms. Nothing fails before the SIGTERM,
    // a third of the requests sent in between hit the dead app, none fail after.
    assert!(trace
        .iter()
        .any(|l| l.starts_with("t=000100000") && l.ends_with("kube-proxy@100100")));
    assert_eq!(at[0], 0, "{at:?}");
    assert!(at[1] > 0, "{at:?}");
    assert_eq!(at[2], at[1], "{at:?}");
    // Second deletion at 100.3 s: kube-proxy synced at 100.1 s, and its minSyncPeriod (1 s
    // from the end of that sync) holds the next one until 101.1 s: a window of 790 ms
    // instead of 90.
    assert!(trace
        .iter()
        .any(|l| l.starts_with("t=000100300") && l.ends_with("kube-proxy@101100")));
    assert_eq!(at[3], at[2], "{at:?}");
    assert!(at[4] - at[3] > 5 * at[1], "{at:?}");
    assert_eq!(at[5], at[4], "{at:?}");
    // Pinned for SEED: 1,000 rps; a third of it to the first dying pod over 90 ms (~30),
    // half of it to the second (two endpoints left) over 790 ms (~395).
    assert_eq!(at, vec![0, 31, 31, 31, 419, 419]);
}

#[test]
fn a_pre_stop_sleep_loses_nothing() {
    // Same deletions, but the app keeps serving through a 5 s preStop sleep: both endpoints
    // are out of kube-proxy's rules long before their apps get SIGTERM.
    let (at, _) = two_deletions_under_load(true);
    assert_eq!(at, vec![0; 6]);
}

const ROLLING: &str = include_str!("../../../static/examples/rolling-update.yaml");

/// Rolls `manifest`'s Deployment from nginx 1.27 to 1.28 under 100 rps; returns the stats.
fn roll_under_load(manifest: &str) -> kubeplay_core::network::TrafficStats {
    let mut ns = NetSim::new(Sim::new(SEED));
    let out = ns.apply(kubeplay_api::load(manifest).into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    ns.run_until(90_000).unwrap();
    let svc = ns
        .sim
        .services()
        .find(|s| s.metadata.name == "web")
        .unwrap();
    let host = svc.status.as_ref().unwrap().load_balancer.ingress[0]
        .hostname
        .clone()
        .unwrap();
    let id = ns
        .start_load(LoadSpec {
            url: format!("http://{host}/"),
            rps: 100,
            duration_ms: 120_000,
        })
        .unwrap();
    ns.run_until(100_000).unwrap();
    let v2 = manifest.replace("nginx:1.27", "nginx:1.28");
    let out = ns.apply(kubeplay_api::load(&v2).into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    ns.run_until(215_000).unwrap();
    let r = ns.net.load_report(id).unwrap().stats;
    assert_eq!(r.sent, 12_000);
    r
}

#[test]
fn rolling_update_with_readiness_and_max_unavailable_zero() {
    // The example as shipped: maxUnavailable 0 + readiness keep ready endpoints throughout,
    // and its 5 s preStop sleep keeps each old pod serving until its endpoint is gone: zero.
    let r = roll_under_load(ROLLING);
    assert_eq!(r.failed, 0, "{r}");
    // Without the hook the Service still never runs out of ready endpoints, yet each old
    // nginx gets SIGTERM ~90 ms before kube-proxy stops sending it new connections, as in a
    // real cluster: a few requests per old pod are lost.
    let without_hook = ROLLING.replace(
        "        lifecycle:\n          preStop:\n            sleep:\n              seconds: 5\n",
        "",
    );
    assert_ne!(without_hook, ROLLING);
    let r = roll_under_load(&without_hook);
    // Pinned for SEED: 9 of 12,000 (4 old pods, 100 rps, ~90 ms each, a quarter to a fifth
    // of the traffic each).
    assert_eq!(r.failed, 9, "{r}");
}

#[test]
fn external_traffic_policy_local_only_nodes_with_pods_are_healthy() {
    let mut ns = NetSim::new(Sim::new(SEED));
    let yaml = HELLO_WORLD.replace(
        "  type: LoadBalancer\n",
        "  type: LoadBalancer\n  externalTrafficPolicy: Local\n",
    );
    let out = ns.apply(kubeplay_api::load(&yaml).into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    ns.run_until(120_000).unwrap();
    let lb = ns.net.load_balancer("default", "hello-world-lb").unwrap();
    // Three workers registered (the control plane carries exclude-from-external-load-balancers).
    assert_eq!(lb.instances.len(), 3);
    let mut pod_nodes: Vec<String> = ns
        .sim
        .pods()
        .filter_map(|p| p.spec.node_name.clone())
        .collect();
    pod_nodes.sort();
    pod_nodes.dedup();
    assert_eq!(pod_nodes.len(), 2, "the two replicas spread over two nodes");
    assert_eq!(
        lb.healthy_nodes(),
        pod_nodes.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(lb.health_check.target().starts_with("HTTP:"));
    let host = ingress(&ns).unwrap();
    for _ in 0..10 {
        assert_eq!(ns.curl(&format!("http://{host}/")).exit_code, 0);
    }
}

#[test]
fn node_port_conflict_is_rejected_at_apply() {
    let mut ns = hello();
    let first = HELLO_WORLD.replace(
        "    targetPort: 8080\n",
        "    targetPort: 8080\n    nodePort: 30080\n",
    );
    let svc_only: Vec<_> = kubeplay_api::load(&first)
        .into_objects()
        .into_iter()
        .filter(|o| matches!(o, kubeplay_api::Object::Service(_)))
        .collect();
    let out = ns.apply(svc_only);
    assert!(out[0].result.is_ok(), "{out:?}");
    let second = first.replace("name: hello-world-lb", "name: hello-world-lb2");
    let out = ns.apply(kubeplay_api::load(&second).into_objects());
    let svc = out.iter().find(|o| o.name == "hello-world-lb2").unwrap();
    assert_eq!(
        svc.result.clone().unwrap_err(),
        "The Service \"hello-world-lb2\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"
    );
    assert!(ns
        .sim
        .services()
        .all(|s| s.metadata.name != "hello-world-lb2"));
}

#[test]
fn named_target_port_resolves_to_the_container_port() {
    let mut ns = NetSim::new(Sim::new(SEED));
    let yaml = HELLO_WORLD
        .replace(
            "        - containerPort: 8080\n",
            "        - containerPort: 8080\n          name: web\n",
        )
        .replace("    targetPort: 8080\n", "    targetPort: web\n");
    let out = ns.apply(kubeplay_api::load(&yaml).into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    ns.run_until(60_000).unwrap();
    let ep = ns
        .net
        .endpoints("default", "hello-world-lb")
        .unwrap()
        .kubectl_column();
    assert_eq!(ep.matches(":8080").count(), 2, "{ep}");
    let r = ns.curl("http://hello-world-lb/");
    assert_eq!(r.exit_code, 0, "{}", r.stderr);
}

/// Runs `ns` to `t` with the failure controllers ticking at their wake-ups (what the
/// terminal's `Session::advance_to` does).
fn run_with_failures(ns: &mut NetSim, failures: &mut Failures, t: u64) {
    loop {
        let wake = failures.next_wakeup_ms().max(ns.sim.now_ms());
        if wake > t {
            ns.run_until(t).unwrap();
            return;
        }
        ns.run_until(wake).unwrap();
        failures.tick(&mut ns.sim);
        ns.sync();
        if failures.next_wakeup_ms() <= wake {
            ns.run_until((wake + 1).min(t)).unwrap();
            if wake + 1 >= t {
                return;
            }
        }
    }
}

#[test]
fn killing_a_node_loses_requests_until_checks_and_endpoints_catch_up() {
    let mut ns = hello();
    ns.run_until(90_000).unwrap();
    let host = ingress(&ns).unwrap();
    let id = ns
        .start_load(LoadSpec {
            url: format!("http://{host}/"),
            rps: 100,
            duration_ms: 200_000,
        })
        .unwrap();
    ns.run_until(100_000).unwrap();
    let victim = ns
        .sim
        .pods()
        .next()
        .unwrap()
        .spec
        .node_name
        .clone()
        .unwrap();
    ns.sim.terminate_node(&victim).unwrap();
    ns.sync();
    // The node lifecycle controller runs next to the Sim (as in the terminal's session).
    let mut failures = Failures::new();
    run_with_failures(&mut ns, &mut failures, 300_000);
    let r = ns.net.load_report(id).unwrap().stats;
    assert_eq!(r.sent, 20_000);
    assert!(r.failed > 0);
    let trace: Vec<String> = ns.net.take_trace().iter().map(|e| e.line()).collect();
    let out = trace
        .iter()
        .find(|l| l.contains(&format!("lb-instance {victim} OutOfService")))
        .unwrap();
    // Six failed health checks 10 s apart: out of the ELB within a minute of the death.
    assert!(out.as_str() <= "t=000160000", "{out}");
    // After that the ELB never picks the dead instance again. (Requests that live nodes'
    // kube-proxy still sends to the dead node's pod stop once the node lifecycle controller
    // marks the pod NotReady and its endpoint goes.)
    let via_dead = format!("-> {victim}:");
    let late = trace
        .iter()
        .filter(|l| l.contains("load#1") && l.contains(&via_dead) && l.as_str() > out.as_str())
        .count();
    assert_eq!(late, 0);
    // Failures stop once both have caught up: the ELB has taken the node out and kube-proxy
    // has dropped the dead node's pod (node lifecycle controller: NotReady after the 40 s
    // grace period, its pods' Ready condition false, their endpoints gone).
    let gone = trace
        .iter()
        .find(|l| l.contains("endpoints ready=1 ") && l.as_str() > "t=000100000")
        .unwrap();
    let programmed = gone.rsplit('@').next().unwrap().parse::<u64>().unwrap();
    let caught_up = format!(
        "t={:09}",
        programmed.max(out[2..11].parse::<u64>().unwrap())
    );
    let failing: Vec<&String> = trace
        .iter()
        .filter(|l| l.contains("load#1 http") && !l.contains(" 200 from "))
        .collect();
    assert!(!failing.is_empty());
    assert!(
        failing.iter().all(|l| l.as_str() < caught_up.as_str()),
        "{failing:?}"
    );
    // Pinned for SEED: 55 s of 100 rps with two of the three ELB targets' paths broken.
    assert_eq!(r.failed, 3556);
    assert_eq!(caught_up, "t=000155100");
}

#[test]
fn same_seed_same_traffic_trace() {
    let run = || {
        let mut ns = hello();
        ns.run_until(60_000).unwrap();
        let host = ingress(&ns).unwrap();
        ns.start_load(LoadSpec {
            url: format!("http://{host}/"),
            rps: 300,
            duration_ms: 20_000,
        })
        .unwrap();
        ns.run_until(90_000).unwrap();
        let lines: Vec<String> = ns.net.take_trace().iter().map(|e| e.line()).collect();
        (lines, ns.net.load_report(1).unwrap().stats.per_pod)
    };
    let (a, pa) = run();
    let (b, pb) = run();
    assert_eq!(a, b);
    assert_eq!(pa, pb);
    assert!(a.len() > 100);
}

/// A Deployment behind two Services, a bare pod whose labels move it in and out of them.
const INCREMENTAL: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 6
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        tier: a
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - name: http
          containerPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: solo
  labels:
    app: web
    tier: a
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports:
    - name: http
      containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web-lb
spec:
  selector:
    app: web
  type: LoadBalancer
  ports:
  - name: http
    port: 80
    targetPort: http
---
apiVersion: v1
kind: Service
metadata:
  name: web-a
spec:
  selector:
    tier: a
  ports:
  - port: 80
    targetPort: 8080
"#;

/// Everything the network shows, as text: its trace, every Service's endpoints, slices,
/// rules and columns, the load reports, and the Sim's trace hash.
fn incremental_scenario(seed: u64, full: bool) -> Vec<String> {
    let mut ns = NetSim::new(Sim::new(seed));
    ns.net.set_full_resync(full);
    let mut out: Vec<String> = Vec::new();
    let apply = |ns: &mut NetSim, text: &str| {
        let res = ns.apply(kubeplay_api::load(text).into_objects());
        assert!(res.iter().all(|o| o.result.is_ok()), "{res:?}");
    };
    let snapshot = |ns: &mut NetSim, out: &mut Vec<String>| {
        out.extend(ns.net.take_trace().iter().map(|e| e.line()));
        for svc in ["web-lb", "web-a", "kubernetes"] {
            out.push(format!(
                "{svc} {:?} {:?} {:?} {} {} {}",
                ns.net.endpoints("default", svc),
                ns.net.endpoint_slices("default", svc),
                ns.net.proxy_rules("default", svc),
                ns.net.cluster_ip_column("default", svc),
                ns.net.external_ip_column("default", svc),
                ns.net.ports_column("default", svc),
            ));
        }
        out.push(format!(
            "t={} sim={:x} loads={:?}",
            ns.sim.now_ms(),
            ns.sim.trace_hash(),
            ns.net.load_reports()
        ));
    };
    apply(&mut ns, INCREMENTAL);
    ns.run_until(45_000).unwrap();
    snapshot(&mut ns, &mut out);
    ns.start_load(LoadSpec {
        url: "http://web-a/".into(),
        rps: 40,
        duration_ms: 150_000,
    })
    .unwrap();
    ns.run_until(50_000).unwrap();
    // A seed-chosen pod of the Deployment goes.
    let pods: Vec<String> = ns
        .sim
        .pods()
        .filter(|p| p.metadata.name.starts_with("web-"))
        .map(|p| p.metadata.name.clone())
        .collect();
    delete_pod(&mut ns, &pods[seed as usize % pods.len()]);
    ns.run_until(55_000).unwrap();
    snapshot(&mut ns, &mut out);
    // The bare pod leaves `web-a`, then `web-lb` too, then comes back to both.
    apply(
        &mut ns,
        &INCREMENTAL.replace("    app: web\n    tier: a\n", "    app: web\n    tier: b\n"),
    );
    ns.run_until(56_000).unwrap();
    apply(
        &mut ns,
        &INCREMENTAL.replace("    app: web\n    tier: a\n", "    app: other\n"),
    );
    ns.run_until(58_000).unwrap();
    snapshot(&mut ns, &mut out);
    apply(&mut ns, INCREMENTAL);
    ns.run_until(60_000).unwrap();
    // `web-a` is edited: another selector, a NodePort, publishNotReadyAddresses.
    let edited = INCREMENTAL.replace(
        "  selector:\n    tier: a\n  ports:\n  - port: 80\n",
        "  selector:\n    app: web\n  type: NodePort\n  publishNotReadyAddresses: true\n  ports:\n  - port: 80\n",
    );
    apply(&mut ns, &edited);
    ns.run_until(62_000).unwrap();
    snapshot(&mut ns, &mut out);
    ns.sim
        .scale(kubeplay_api::Kind::Deployment, "default", "web", 9)
        .unwrap();
    ns.sync();
    ns.run_until(75_000).unwrap();
    let curl = ns.curl("http://web-a/");
    out.push(format!("{curl:?}"));
    snapshot(&mut ns, &mut out);
    // A seed-chosen worker dies; the failure controllers take its pods away.
    let mut workers: Vec<String> = ns
        .sim
        .pods()
        .filter_map(|p| p.spec.node_name.clone())
        .collect();
    workers.sort();
    workers.dedup();
    ns.sim
        .terminate_node(&workers[seed as usize % workers.len()])
        .unwrap();
    ns.sync();
    let mut failures = Failures::new();
    run_with_failures(&mut ns, &mut failures, 200_000);
    let curl = ns.curl("http://web-a/");
    out.push(format!("{curl:?}"));
    snapshot(&mut ns, &mut out);
    out
}

#[test]
fn incremental_view_matches_full_rebuild() {
    for seed in 1..=4 {
        let fast = incremental_scenario(seed, false);
        let full = incremental_scenario(seed, true);
        for (a, b) in fast.iter().zip(&full) {
            assert_eq!(a, b, "seed {seed}");
        }
        assert_eq!(fast.len(), full.len(), "seed {seed}");
        assert!(
            fast.iter().any(|l| l.contains("lb-instance")),
            "seed {seed}"
        );
    }
}
