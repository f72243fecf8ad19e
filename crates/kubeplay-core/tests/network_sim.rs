//! Services and traffic on the real Sim: the seed article's hello-world manifest end to end.

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

#[test]
fn deleting_pods_under_load_fails_only_in_the_real_window() {
    let mut ns = NetSim::new(Sim::new(SEED));
    let three = HELLO_WORLD.replace("replicas: 2", "replicas: 3");
    ns.apply(kubeplay_api::load(&three).into_objects());
    ns.run_until(90_000).unwrap();
    let host = ingress(&ns).unwrap();
    let id = ns
        .start_load(LoadSpec {
            url: format!("http://{host}/"),
            rps: 200,
            duration_ms: 120_000,
        })
        .unwrap();
    ns.run_until(100_000).unwrap();
    let pods: Vec<String> = ns.sim.pods().map(|p| p.metadata.name.clone()).collect();
    // First deletion on a quiet cluster: kube-proxy drops the endpoint at +50 ms, the
    // kubelet SIGTERMs the app at +100 ms: nothing lost.
    ns.sim
        .delete(
            kubeplay_api::Kind::Pod,
            "default",
            &pods[0],
            Propagation::Background,
            None,
        )
        .unwrap();
    ns.sync();
    ns.run_until(100_300).unwrap();
    let after_first = ns.net.load_report(id).unwrap().stats.failed;
    assert_eq!(after_first, 0);
    // Second deletion 300 ms later: kube-proxy synced at 100.05 s and may not sync again
    // before 101.05 s (minSyncPeriod), but the app stops at 100.4 s. Requests sent to it in
    // between are refused, and the ELB answers the client with an empty reply.
    ns.sim
        .delete(
            kubeplay_api::Kind::Pod,
            "default",
            &pods[1],
            Propagation::Background,
            None,
        )
        .unwrap();
    ns.sync();
    ns.run_until(215_000).unwrap();
    let r = ns.net.load_report(id).unwrap().stats;
    assert_eq!(r.sent, 24_000);
    assert!(r.failed > 0 && r.failed < 200, "{r}");
    assert_eq!(
        r.failures.keys().copied().collect::<Vec<_>>(),
        vec![Failure::EmptyReply]
    );
    let trace: Vec<String> = ns.net.take_trace().iter().map(|e| e.line()).collect();
    let fails: Vec<&String> = trace
        .iter()
        .filter(|l| l.contains("load#1") && l.contains("empty reply"))
        .collect();
    assert!(!fails.is_empty());
    for l in fails {
        assert!(
            l.as_str() >= "t=000100400" && l.as_str() < "t=000101050",
            "{l}"
        );
    }
}

const ROLLING: &str = include_str!("../../../static/examples/rolling-update.yaml");

#[test]
fn rolling_update_with_readiness_and_max_unavailable_zero() {
    let mut ns = NetSim::new(Sim::new(SEED));
    let out = ns.apply(kubeplay_api::load(ROLLING).into_objects());
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
    let v2 = ROLLING.replace("nginx:1.27", "nginx:1.28");
    let out = ns.apply(kubeplay_api::load(&v2).into_objects());
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");
    ns.run_until(215_000).unwrap();
    let r = ns.net.load_report(id).unwrap().stats;
    assert_eq!(r.sent, 12_000);
    // The Service never runs out of ready endpoints (maxUnavailable 0 + readiness), and each
    // old pod's endpoint leaves kube-proxy (~50 ms) before its nginx gets SIGTERM (~100 ms):
    // not one request lost.
    assert_eq!(r.failed, 0, "{r}");
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
    ns.run_until(300_000).unwrap();
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
