//! Scenario tests for Services and traffic over hand-built cluster views (no Sim needed):
//! the acceptance cases of issue 7 with pinned seeds.

use kubeplay_core::network::{
    invalid_message, ipv4, ClusterView, ContainerPortView, Failure, Labels, Listener, LoadSpec,
    Network, NodeView, PodPhase, PodView, Protocol, ServicePortSpec, ServiceSpec, ServiceType,
    ServiceView, TargetPort, TrafficPolicy,
};

const SEED: u64 = 0x6ba2_68a2_c775_605d;

fn node(i: u8) -> NodeView {
    NodeView {
        name: format!("i-0{i}"),
        ip: ipv4(172, 20, 32, 10 + i),
        alive: true,
        ready: true,
        exclude_from_lb: false,
    }
}

fn pod(name: &str, node_i: u8, host: u8) -> PodView {
    PodView {
        namespace: "default".into(),
        name: name.into(),
        labels: Labels::from([("app".into(), "hello-world".into())]),
        ip: Some(ipv4(100, 96, node_i, host)),
        node: Some(format!("i-0{node_i}")),
        phase: PodPhase::Running,
        ready: true,
        terminating: false,
        listeners: vec![Listener::up(8080)],
        body: None,
        ports: vec![ContainerPortView {
            name: Some("http".into()),
            port: 8080,
            protocol: Protocol::Tcp,
        }],
        image: "google/python-hello".into(),
        env: vec![
            ("NODE_ENV".into(), "production".into()),
            ("MESSAGE".into(), "Kubernetes is awesome!".into()),
        ],
    }
}

/// The seed article's Service: LoadBalancer, port 80 → 8080.
fn hello_svc() -> ServiceView {
    ServiceView {
        namespace: "default".into(),
        name: "hello-world-lb".into(),
        uid: "6ba268a2-c775-405d-8e1f-2b7c9d0a1e3f".into(),
        spec: ServiceSpec {
            type_: ServiceType::LoadBalancer,
            selector: Some(Labels::from([("app".into(), "hello-world".into())])),
            ports: vec![ServicePortSpec {
                name: "http".into(),
                protocol: Protocol::Tcp,
                port: 80,
                target_port: TargetPort::Number(8080),
                node_port: None,
            }],
            ..ServiceSpec::default()
        },
    }
}

fn hello_view() -> ClusterView {
    ClusterView {
        nodes: vec![node(1), node(2), node(3)],
        pods: vec![
            pod("hello-world-deployment-5d8f7c9b6-x2x9q", 1, 2),
            pod("hello-world-deployment-5d8f7c9b6-k7wzn", 2, 2),
        ],
        services: vec![hello_svc()],
    }
}

fn hostname(net: &Network) -> String {
    net.load_balancer("default", "hello-world-lb")
        .expect("LoadBalancer Service has an ELB")
        .hostname
        .clone()
}

#[test]
fn ingress_hostname_appears_after_the_provisioning_delay() {
    let mut net = Network::new(SEED);
    net.sync(0, hello_view());
    assert_eq!(
        net.external_ip_column("default", "hello-world-lb"),
        "<pending>"
    );
    let host = hostname(&net);
    let early = net.curl(29_999, &format!("http://{host}/"));
    assert_eq!(early.exit_code, 6, "{}", early.stderr);
    assert_eq!(
        early.stderr,
        format!("curl: (6) Could not resolve host: {host}")
    );
    net.sync(30_000, hello_view());
    assert_eq!(net.external_ip_column("default", "hello-world-lb"), host);
    assert!(host.ends_with(".us-east-1.elb.amazonaws.com"), "{host}");
    assert!(
        host.starts_with("a6ba268a2c775405d8e1f2b7c9d0a1e3-"),
        "{host}"
    );
    // The first health check passes at 30 s, the second at 40 s: InService only then.
    let not_yet = net.curl(35_000, &format!("http://{host}/"));
    assert_eq!(not_yet.stderr, "curl: (52) Empty reply from server");
    let ok = net.curl(40_000, &format!("http://{host}/"));
    assert_eq!(ok.exit_code, 0, "{}", ok.stderr);
    assert!(ok
        .stdout
        .starts_with("Hello World from hello-world-deployment-5d8f7c9b6-"));
    assert!(
        ok.stdout.contains("MESSAGE=Kubernetes is awesome!\n"),
        "{}",
        ok.stdout
    );
    let path: Vec<String> = ok.hops.iter().map(|h| h.line()).collect();
    assert_eq!(path.len(), 5, "{path:?}"); // client, dns, elb, kube-proxy, pod
    assert!(
        path[2].starts_with("elb a6ba268a2c775405d8e1f2b7c9d0a1e3 -> i-0"),
        "{path:?}"
    );
    assert_eq!(
        net.ports_column("default", "hello-world-lb")
            .split(':')
            .next(),
        Some("80")
    );
}

#[test]
fn a_thousand_requests_split_across_the_two_pods() {
    let mut net = Network::new(SEED);
    net.sync(0, hello_view());
    let url = format!("http://{}/", hostname(&net));
    let id = net
        .start_load(
            60_000,
            LoadSpec {
                url,
                rps: 100,
                duration_ms: 10_000,
            },
        )
        .unwrap();
    net.sync(80_000, hello_view());
    let r = net.load_report(id).unwrap();
    assert!(r.done);
    assert_eq!(
        (r.stats.sent, r.stats.succeeded, r.stats.failed),
        (1000, 1000, 0)
    );
    let counts: Vec<u64> = r.stats.per_pod.values().copied().collect();
    // Pinned for SEED: the iptables statistic match (p = 0.5) over 1,000 draws.
    assert_eq!(counts, vec![509, 491], "{:?}", r.stats.per_pod);
    let svc = net.service_stats("default", "hello-world-lb").unwrap();
    assert_eq!(svc.succeeded, 1000);
    assert!(r.stats.latency.percentile_us(50) >= 10_000);
    assert!(r.stats.latency.percentile_us(99) < 13_000);
}

#[test]
fn deleting_a_pod_fails_requests_only_until_kube_proxy_catches_up() {
    let mut net = Network::new(SEED);
    net.sync(0, hello_view());
    let url = format!("http://{}/", hostname(&net));
    let id = net
        .start_load(
            60_000,
            LoadSpec {
                url,
                rps: 200,
                duration_ms: 60_000,
            },
        )
        .unwrap();
    // t = 90 s: `kubectl delete pod` with an app that exits on SIGTERM: the pod is
    // terminating and stops listening at once; kube-proxy, idle for over a second, rewrites
    // its rules 100 ms later (NetConfig::proxy_latency_ms) and routes to it until then.
    let mut v = hello_view();
    v.pods[0].terminating = true;
    v.pods[0].ready = false;
    v.pods[0].listeners[0].listening_from = None;
    net.sync(90_000, v.clone());
    let before = net.load_report(id).unwrap().stats;
    assert_eq!(before.failed, 0);
    // 30 s later the grace period ends and the pod is gone.
    v.pods.remove(0);
    net.sync(120_000, v);
    net.sync(121_000, hello_view_without_first());
    let r = net.load_report(id).unwrap().stats;
    assert_eq!(r.sent, 200 * 60);
    // 200 rps × 100 ms × 1/2 of the traffic went to the dying pod: ~10; pinned for SEED.
    assert_eq!(r.failed, 5);
    assert_eq!(
        r.failures.keys().copied().collect::<Vec<_>>(),
        vec![Failure::EmptyReply]
    );
    let failures_window: Vec<String> = net
        .take_trace()
        .iter()
        .filter(|e| e.line().contains("empty reply"))
        .map(|e| e.line())
        .collect();
    assert!(
        failures_window.iter().all(|l| l.starts_with("t=0000900")),
        "{failures_window:?}"
    );
}

fn hello_view_without_first() -> ClusterView {
    let mut v = hello_view();
    v.pods.remove(0);
    v
}

#[test]
fn graceful_pod_that_keeps_serving_loses_nothing() {
    let mut net = Network::new(SEED);
    net.sync(0, hello_view());
    let url = format!("http://{}/", hostname(&net));
    let id = net
        .start_load(
            60_000,
            LoadSpec {
                url,
                rps: 200,
                duration_ms: 60_000,
            },
        )
        .unwrap();
    // PID 1 ignoring SIGTERM (or a preStop sleep): still listening through the grace period.
    let mut v = hello_view();
    v.pods[0].terminating = true;
    net.sync(90_000, v);
    net.sync(120_000, hello_view_without_first());
    net.sync(130_000, hello_view_without_first());
    let r = net.load_report(id).unwrap().stats;
    assert_eq!((r.sent, r.failed), (12_000, 0));
}

#[test]
fn external_traffic_policy_local_keeps_only_nodes_with_endpoints() {
    let mut net = Network::new(SEED);
    let mut v = hello_view();
    v.services[0].spec.external_traffic_policy = TrafficPolicy::Local;
    net.sync(0, v.clone());
    let alloc = net.allocation("default", "hello-world-lb").unwrap().clone();
    let hc = alloc
        .health_check_node_port
        .expect("Local LB gets a healthCheckNodePort");
    assert!((30000..=32767).contains(&hc));
    net.sync(60_000, v);
    let lb = net.load_balancer("default", "hello-world-lb").unwrap();
    assert_eq!(lb.health_check.target(), format!("HTTP:{hc}/healthz"));
    assert_eq!(lb.healthy_nodes(), vec!["i-01", "i-02"]);
    assert_eq!(lb.instances.len(), 3);
    // Directly on the empty node's NodePort the packet is dropped, not rejected.
    let np = alloc.node_ports[0].unwrap();
    let r = net.curl(61_000, &format!("http://172.20.32.13:{np}/"));
    assert_eq!(r.exit_code, 28, "{}", r.stderr);
    let r = net.curl(61_000, &format!("http://172.20.32.11:{np}/"));
    assert_eq!(r.exit_code, 0);
    assert_eq!(
        r.pod.as_deref(),
        Some("hello-world-deployment-5d8f7c9b6-x2x9q")
    );
}

#[test]
fn node_port_conflicts_are_rejected_with_the_api_server_message() {
    let mut net = Network::new(SEED);
    let mut a = hello_svc();
    a.spec.ports[0].node_port = Some(30080);
    assert_eq!(net.admit_service(&a).unwrap().node_ports, vec![Some(30080)]);
    let mut b = hello_svc();
    b.name = "other".into();
    b.spec.ports[0].node_port = Some(30080);
    let errs = net.admit_service(&b).unwrap_err();
    assert_eq!(
        invalid_message("other", &errs),
        "The Service \"other\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"
    );
    // Nothing leaked: the failed create holds no ClusterIP or port.
    b.spec.ports[0].node_port = None;
    let ok = net.admit_service(&b).unwrap();
    assert_ne!(ok.node_ports[0], Some(30080));
    let mut c = hello_svc();
    c.name = "bad".into();
    c.spec.ports[0].node_port = Some(8080);
    assert_eq!(
        net.admit_service(&c).unwrap_err(),
        vec!["spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767".to_string()]
    );
}

#[test]
fn named_target_port_resolves_per_pod() {
    let mut net = Network::new(SEED);
    let mut v = hello_view();
    v.services[0].spec.type_ = ServiceType::ClusterIp;
    v.services[0].spec.ports[0].target_port = TargetPort::Name("http".into());
    // The second pod (a newer version) serves "http" on 9090.
    v.pods[1].ports[0].port = 9090;
    v.pods[1].listeners = vec![Listener::up(9090)];
    net.sync(0, v.clone());
    let ep = net.endpoints("default", "hello-world-lb").unwrap();
    assert_eq!(ep.kubectl_column(), "100.96.1.2:8080,100.96.2.2:9090");
    assert_eq!(ep.subsets.len(), 2);
    net.sync(2_000, v);
    let ip = net.cluster_ip_column("default", "hello-world-lb");
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..20 {
        let r = net.curl(2_000 + i, &format!("http://{ip}/"));
        assert_eq!(r.exit_code, 0, "{}", r.stderr);
        seen.insert(r.pod.unwrap());
    }
    assert_eq!(seen.len(), 2);
}

#[test]
fn no_endpoints_means_refused_on_the_cluster_ip_and_empty_reply_from_the_elb() {
    let mut net = Network::new(SEED);
    let mut v = hello_view();
    for p in &mut v.pods {
        p.ready = false;
    }
    net.sync(0, v.clone());
    net.sync(60_000, v);
    let ip = net.cluster_ip_column("default", "hello-world-lb");
    let r = net.curl(60_000, &format!("http://{ip}/"));
    assert_eq!(
        r.stderr,
        format!(
            "curl: (7) Failed to connect to {ip} port 80 after 0 ms: Couldn't connect to server"
        )
    );
    let r = net.curl(60_000, &format!("http://{}/", hostname(&net)));
    assert_eq!(r.stderr, "curl: (52) Empty reply from server");
    assert_eq!(
        net.endpoints("default", "hello-world-lb")
            .unwrap()
            .not_ready_count(),
        2
    );
}

#[test]
fn a_dead_node_loses_requests_until_health_checks_and_endpoints_catch_up() {
    let mut net = Network::new(SEED);
    net.sync(0, hello_view());
    let url = format!("http://{}/", hostname(&net));
    let id = net
        .start_load(
            60_000,
            LoadSpec {
                url,
                rps: 100,
                duration_ms: 180_000,
            },
        )
        .unwrap();
    // t = 100 s: the EC2 instance behind i-01 dies. The API still says Ready.
    let mut v = hello_view();
    v.nodes[0].alive = false;
    net.sync(100_000, v.clone());
    // t = 150 s: the node lifecycle controller marks its pods NotReady (40 s grace + ticks).
    v.pods[0].ready = false;
    net.sync(150_000, v);
    net.sync(240_000, hello_view_dead_node_pod_gone());
    let r = net.load_report(id).unwrap().stats;
    assert_eq!(r.sent, 18_000);
    assert!(r.failed > 0);
    let trace: Vec<String> = net.take_trace().iter().map(|e| e.line()).collect();
    let out = trace
        .iter()
        .find(|l| l.contains("lb-instance i-01 OutOfService"))
        .unwrap();
    // Six failed checks at 10 s intervals, the first one at the moment of death (100 s).
    assert!(out.starts_with("t=000150000"), "{out}");
    let last_fail = trace
        .iter()
        .rfind(|l| l.contains("load#1") && (l.contains("empty reply") || l.contains("timeout")))
        .unwrap();
    // ...and live nodes' kube-proxy sends to the dead pod until its NotReady (150 s) has
    // reached the rules (+1 s).
    assert!(last_fail.as_str() < "t=000151000", "{last_fail}");
    assert!(last_fail.as_str() > "t=000150000", "{last_fail}");
}

fn hello_view_dead_node_pod_gone() -> ClusterView {
    let mut v = hello_view();
    v.nodes[0].alive = false;
    v.pods.remove(0);
    v
}

#[test]
fn client_ip_affinity_pins_a_client_to_one_pod() {
    let mut net = Network::new(SEED);
    let mut v = hello_view();
    v.services[0].spec.type_ = ServiceType::NodePort;
    v.services[0].spec.session_affinity_timeout_s = Some(10_800);
    net.sync(0, v.clone());
    net.sync(2_000, v);
    let np = net
        .allocation("default", "hello-world-lb")
        .unwrap()
        .node_ports[0]
        .unwrap();
    let id = net
        .start_load(
            2_000,
            LoadSpec {
                url: format!("http://172.20.32.11:{np}/"),
                rps: 50,
                duration_ms: 10_000,
            },
        )
        .unwrap();
    net.sync(20_000, hello_view_np());
    let r = net.load_report(id).unwrap().stats;
    assert_eq!(r.per_pod.len(), 1, "{:?}", r.per_pod);
    assert_eq!(r.succeeded, 500);
}

fn hello_view_np() -> ClusterView {
    let mut v = hello_view();
    v.services[0].spec.type_ = ServiceType::NodePort;
    v.services[0].spec.session_affinity_timeout_s = Some(10_800);
    v
}

#[test]
fn same_seed_same_trace() {
    let run = || {
        let mut net = Network::new(SEED);
        net.sync(0, hello_view());
        let url = format!("http://{}/", hostname(&net));
        net.start_load(
            45_000,
            LoadSpec {
                url,
                rps: 500,
                duration_ms: 5_000,
            },
        )
        .unwrap();
        net.sync(60_000, hello_view());
        net.take_trace()
            .iter()
            .map(|e| e.line())
            .collect::<Vec<_>>()
    };
    let a = run();
    assert_eq!(a, run());
    assert!(a.len() > 50);
    assert!(a.iter().any(|l| l.contains("lb-ready")));
}

#[test]
fn service_dns_names_resolve_to_the_cluster_ip() {
    let mut net = Network::new(SEED);
    net.sync(0, hello_view());
    net.sync(1_000, hello_view());
    for url in [
        "http://hello-world-lb/",
        "http://hello-world-lb.default/",
        "http://hello-world-lb.default.svc.cluster.local/",
    ] {
        let r = net.curl(1_000, url);
        assert_eq!(r.exit_code, 0, "{url}: {}", r.stderr);
    }
    let r = net.curl(1_000, "http://nope/");
    assert_eq!(r.stderr, "curl: (6) Could not resolve host: nope");
}

#[test]
fn iptables_save_lists_the_probability_cascade() {
    let mut net = Network::new(SEED);
    net.sync(0, hello_view());
    net.sync(1_000, hello_view());
    let lines = net.iptables_save("default", "hello-world-lb", "i-01");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("--probability 0.5000000000")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("-A KUBE-NODEPORTS")),
        "{lines:#?}"
    );
}

#[test]
fn local_policy_preserves_the_client_source_and_cluster_masquerades() {
    for (policy, expect) in [
        (TrafficPolicy::Cluster, "(from 172.20.32.11)"),
        (TrafficPolicy::Local, "(from 172.20.0.5)"),
    ] {
        let mut net = Network::new(SEED);
        let mut v = hello_view();
        v.services[0].spec.type_ = ServiceType::NodePort;
        v.services[0].spec.external_traffic_policy = policy;
        net.sync(0, v.clone());
        net.sync(1_000, v);
        let np = net
            .allocation("default", "hello-world-lb")
            .unwrap()
            .node_ports[0]
            .unwrap();
        let r = net.curl(1_000, &format!("http://172.20.32.11:{np}/"));
        assert_eq!(r.exit_code, 0, "{}", r.stderr);
        let last = r.hops.last().unwrap().line();
        assert!(last.ends_with(expect), "{policy:?}: {last}");
    }
}
