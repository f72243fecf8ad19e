//! Golden cases copied from upstream's scheduler unit tests (each test names its source), plus
//! end-to-end checks of the cycle: message text, round-robin start, tie-breaking.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::cache::NodeState;
use super::filter::{run_filters, PreFilter};
use super::spread::{ln_q64, SoftSpread};
use super::*;

fn node(name: &str, cpu: i64, mem: i64) -> NodeSpec {
    let mut labels = Labels::new();
    labels.insert(LABEL_HOSTNAME.into(), name.into());
    NodeSpec {
        name: name.into(),
        labels,
        allocatable: Resources {
            milli_cpu: cpu,
            memory: mem,
            ..Resources::default()
        },
        allocatable_pods: 110,
        ..NodeSpec::default()
    }
}

fn c(cpu: i64, mem: i64) -> ContainerRequests {
    ContainerRequests {
        milli_cpu: Some(cpu),
        memory: Some(mem),
        ..ContainerRequests::default()
    }
}

fn pod(name: &str, containers: &[ContainerRequests]) -> PodInfo {
    PodInfo::new("default", name, containers, &[])
}

fn cache_with(nodes: Vec<NodeSpec>, pods: &[(&str, PodInfo)]) -> Cache {
    let mut cache = Cache::new();
    for n in nodes {
        cache.upsert_node(n);
    }
    for (n, p) in pods {
        assert!(cache.add_pod(n, p));
    }
    cache
}

fn state<'a>(cache: &'a Cache, name: &str) -> &'a NodeState {
    cache.node(name).expect("node")
}

fn rng() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(7)
}

// ---- NodeResourcesFit filter: fit_test.go TestEnoughRequests -------------------------------

fn fit_node(existing: &[ContainerRequests]) -> Cache {
    let mut n = node("n", 10, 20);
    n.allocatable.ephemeral_storage = 20;
    n.allocatable.scalars = vec![("example.com/aaa".into(), 5), ("hugepages-2Mi".into(), 5)];
    n.allocatable_pods = 32;
    cache_with(vec![n], &[("n", pod("existing", existing))])
}

fn filter_one(cache: &Cache, name: &str, p: &PodInfo) -> Option<Rejection> {
    let slot = cache
        .order()
        .iter()
        .copied()
        .find(|&s| cache.slot(s).spec.name == name)
        .expect("node");
    run_filters(&PreFilter::new(p), p, cache, slot)
}

fn fit(cache: &Cache, p: &PodInfo) -> Vec<String> {
    let node = state(cache, "n");
    match filter_one(cache, "n", p) {
        None => vec![],
        Some(r) => r.reasons(node, p),
    }
}

/// fit_test.go `TestEnoughRequests` F1–F12 (semantics doc §1.2).
#[test]
fn fit_filter_upstream_enough_requests() {
    let init = |cs: &[ContainerRequests], inits: &[ContainerRequests]| {
        PodInfo::new("default", "p", cs, inits)
    };
    // F1: no requests fits a full node
    assert!(fit(&fit_node(&[c(10, 20)]), &pod("p", &[])).is_empty());
    // F2
    assert_eq!(
        fit(&fit_node(&[c(10, 20)]), &pod("p", &[c(1, 1)])),
        ["Insufficient cpu", "Insufficient memory"]
    );
    // F3, F4: init container max
    assert_eq!(
        fit(&fit_node(&[c(8, 19)]), &init(&[c(1, 1)], &[c(3, 1)])),
        ["Insufficient cpu"]
    );
    assert_eq!(
        fit(
            &fit_node(&[c(8, 19)]),
            &init(&[c(1, 1)], &[c(3, 1), c(2, 1)])
        ),
        ["Insufficient cpu"]
    );
    // F5, F6
    assert_eq!(
        fit(&fit_node(&[c(9, 19)]), &init(&[c(1, 1)], &[c(1, 3)])),
        ["Insufficient memory"]
    );
    assert!(fit(&fit_node(&[c(9, 19)]), &init(&[c(1, 1)], &[c(1, 1)])).is_empty());
    // F7–F10
    assert!(fit(&fit_node(&[c(5, 5)]), &pod("p", &[c(1, 1)])).is_empty());
    assert_eq!(
        fit(&fit_node(&[c(9, 5)]), &pod("p", &[c(2, 1)])),
        ["Insufficient cpu"]
    );
    assert_eq!(
        fit(&fit_node(&[c(5, 19)]), &pod("p", &[c(1, 2)])),
        ["Insufficient memory"]
    );
    assert!(fit(&fit_node(&[c(5, 19)]), &pod("p", &[c(5, 1)])).is_empty());
    // F11, F12: overhead
    let with_overhead = |cpu, mem| {
        let cs = [c(1, 1)];
        let o = Resources {
            milli_cpu: cpu,
            memory: mem,
            ..Resources::default()
        };
        let mut p = pod("p", &cs);
        p.requests = types::pod_requests(&cs, &[], &o, false);
        p
    };
    assert!(fit(&fit_node(&[c(5, 5)]), &with_overhead(3, 13)).is_empty());
    assert_eq!(
        fit(&fit_node(&[c(5, 5)]), &with_overhead(1, 15)),
        ["Insufficient memory"]
    );
    // F13, F14: extended resources
    let aaa = |n| ContainerRequests {
        scalars: vec![("example.com/aaa".into(), n)],
        ..c(1, 1)
    };
    assert_eq!(
        fit(&fit_node(&[c(0, 0)]), &pod("p", &[aaa(10)])),
        ["Insufficient example.com/aaa"]
    );
    let full = ContainerRequests {
        scalars: vec![("example.com/aaa".into(), 5)],
        ..c(0, 0)
    };
    assert_eq!(
        fit(&fit_node(&[full]), &pod("p", &[aaa(1)])),
        ["Insufficient example.com/aaa"]
    );
}

/// fit_test.go `TestNotEnoughRequests` (F15): pod count checked even for empty pods.
#[test]
fn fit_filter_upstream_not_enough_pods() {
    let mut n = node("n", 10, 20);
    n.allocatable_pods = 1;
    let cache = cache_with(vec![n], &[("n", pod("existing", &[]))]);
    assert_eq!(fit(&cache, &pod("p", &[])), ["Too many pods"]);
}

// ---- Scoring helpers -----------------------------------------------------------------------

/// Runs one plugin's per-node score over every node of the cache, in name order.
fn per_node_hot(cache: &Cache, f: impl Fn(&cache::Hot) -> i64) -> Vec<i64> {
    let mut names: Vec<&str> = cache.node_names().collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let slot = cache
                .order()
                .iter()
                .copied()
                .find(|&s| cache.slot(s).spec.name == n)
                .expect("node");
            f(cache.hot(slot))
        })
        .collect()
}

fn per_node(cache: &Cache, f: impl Fn(&NodeState) -> i64) -> Vec<i64> {
    let mut names: Vec<&str> = cache.node_names().collect();
    names.sort();
    names.into_iter().map(|n| f(state(cache, n))).collect()
}

/// least_allocated_test.go `TestLeastAllocatedScoringStrategy` L2, L4–L7.
#[test]
fn least_allocated_upstream() {
    let incoming = pod("in", &[c(1000, 2000), c(2000, 3000)]);
    let cache = cache_with(vec![node("n1", 4000, 10000), node("n2", 6000, 10000)], &[]);
    assert_eq!(
        per_node_hot(&cache, |n| score::least_allocated(&incoming, n)),
        [37, 50]
    );
    // L4: existing pods with explicit memory 0, incoming pod with no containers
    let cache = cache_with(
        vec![node("n1", 10000, 20000), node("n2", 10000, 20000)],
        &[
            ("n1", pod("a", &[c(3000, 0), c(3000, 0)])),
            ("n2", pod("b", &[c(3000, 0), c(3000, 5000)])),
        ],
    );
    assert_eq!(
        per_node_hot(&cache, |n| score::least_allocated(&pod("e", &[]), n)),
        [70, 57]
    );
    // L5
    let cache = cache_with(
        vec![node("n1", 10000, 20000), node("n2", 10000, 20000)],
        &[
            ("n1", pod("a", &[c(3000, 0)])),
            ("n2", pod("b", &[c(3000, 5000)])),
        ],
    );
    assert_eq!(
        per_node_hot(&cache, |n| score::least_allocated(&incoming, n)),
        [57, 45]
    );
    // L6
    let cache = cache_with(
        vec![node("n1", 10000, 20000), node("n2", 10000, 50000)],
        &[
            ("n1", pod("a", &[c(3000, 0)])),
            ("n2", pod("b", &[c(3000, 5000)])),
        ],
    );
    assert_eq!(
        per_node_hot(&cache, |n| score::least_allocated(&incoming, n)),
        [57, 60]
    );
    // L7
    let cache = cache_with(
        vec![node("n1", 4000, 10000), node("n2", 4000, 10000)],
        &[
            ("n1", pod("a", &[c(3000, 0)])),
            ("n2", pod("b", &[c(3000, 5000)])),
        ],
    );
    assert_eq!(
        per_node_hot(&cache, |n| score::least_allocated(
            &pod("x", &[c(3000, 0)]),
            n
        )),
        [50, 25]
    );
    // L8: nodes with no allocatable
    let cache = cache_with(vec![node("n1", 0, 0), node("n2", 0, 0)], &[]);
    assert_eq!(
        per_node_hot(&cache, |n| score::least_allocated(&incoming, n)),
        [0, 0]
    );
}

/// A container without requests counts as 100m / 200Mi for LeastAllocated only.
#[test]
fn least_allocated_defaults_missing_requests() {
    let p = pod("p", &[ContainerRequests::default()]);
    assert_eq!(p.non_zero_requests.milli_cpu, 100);
    assert_eq!(p.non_zero_requests.memory, 209_715_200);
    assert_eq!(p.requests.milli_cpu, 0);
}

/// balanced_allocation_test.go `TestNodeResourcesBalancedAllocation` B1–B4 (v1.34 formula).
#[test]
fn balanced_allocation_upstream() {
    let cpu_and_memory = || pod("cm", &[c(1000, 2000), c(2000, 3000)]);
    let cpu_only = || pod("co", &[c(1000, 0), c(2000, 0)]);
    let cache = cache_with(vec![node("n1", 4000, 10000), node("n2", 6000, 10000)], &[]);
    assert_eq!(
        per_node_hot(&cache, |n| score::balanced_allocation(&cpu_and_memory(), n)),
        [87, 100]
    );
    let cache = cache_with(
        vec![node("n1", 10000, 20000), node("n2", 10000, 20000)],
        &[("n1", cpu_only()), ("n2", cpu_and_memory())],
    );
    assert_eq!(
        per_node_hot(&cache, |n| score::balanced_allocation(&cpu_and_memory(), n)),
        [82, 95]
    );
    let cache = cache_with(
        vec![node("n1", 10000, 20000), node("n2", 10000, 50000)],
        &[("n1", cpu_only()), ("n2", cpu_and_memory())],
    );
    assert_eq!(
        per_node_hot(&cache, |n| score::balanced_allocation(&cpu_and_memory(), n)),
        [82, 80]
    );
    let cache = cache_with(
        vec![node("n1", 6000, 10000), node("n2", 6000, 10000)],
        &[("n1", cpu_only()), ("n2", cpu_and_memory())],
    );
    assert_eq!(
        per_node_hot(&cache, |n| score::balanced_allocation(&cpu_only(), n)),
        [50, 75]
    );
    // B7: best-effort pods skip
    assert!(score::balanced_skips(&pod("be", &[])));
}

fn tainted(name: &str, taints: &[(&str, &str, TaintEffect)]) -> NodeSpec {
    let mut n = node(name, 1000, 1000);
    n.taints = taints
        .iter()
        .map(|(k, v, e)| Taint::new(k, v, *e))
        .collect();
    n
}

fn tol(key: &str, value: &str, effect: Option<TaintEffect>) -> Toleration {
    Toleration {
        key: key.into(),
        value: value.into(),
        effect,
        ..Toleration::default()
    }
}

fn taint_scores(cache: &Cache, p: &PodInfo) -> Vec<i64> {
    let pns = score::prefer_no_schedule_tolerations(p);
    let mut raw = per_node(cache, |n| score::intolerable_prefer_taints(n, &pns));
    score::default_normalize(&mut raw, true);
    raw
}

/// taint_toleration_test.go `TestTaintTolerationScore` T1–T5.
#[test]
fn taint_toleration_score_upstream() {
    use TaintEffect::*;
    let mut p = pod("p", &[]);
    p.tolerations = vec![tol("foo", "bar", Some(PreferNoSchedule))];
    let cache = cache_with(
        vec![
            tainted("a", &[("foo", "bar", PreferNoSchedule)]),
            tainted("b", &[("foo", "blah", PreferNoSchedule)]),
        ],
        &[],
    );
    assert_eq!(taint_scores(&cache, &p), [100, 0]);
    // T2
    p.tolerations = vec![
        tol("cpu-type", "arm64", Some(PreferNoSchedule)),
        tol("disk-type", "ssd", Some(PreferNoSchedule)),
    ];
    let three = |b: &[(&str, &str, TaintEffect)], cc: &[(&str, &str, TaintEffect)]| {
        cache_with(
            vec![tainted("a", &[]), tainted("b", b), tainted("c", cc)],
            &[],
        )
    };
    let both = [
        ("cpu-type", "arm64", PreferNoSchedule),
        ("disk-type", "ssd", PreferNoSchedule),
    ];
    assert_eq!(
        taint_scores(
            &three(&[("cpu-type", "arm64", PreferNoSchedule)], &both),
            &p
        ),
        [100, 100, 100]
    );
    // T3
    p.tolerations = vec![tol("foo", "bar", Some(PreferNoSchedule))];
    assert_eq!(
        taint_scores(
            &three(&[("cpu-type", "arm64", PreferNoSchedule)], &both),
            &p
        ),
        [100, 50, 0]
    );
    // T4: NoSchedule tolerations don't count for PreferNoSchedule
    p.tolerations = vec![
        tol("cpu-type", "arm64", Some(NoSchedule)),
        tol("disk-type", "ssd", Some(NoSchedule)),
    ];
    assert_eq!(
        taint_scores(&three(&[("cpu-type", "arm64", NoSchedule)], &both), &p),
        [100, 100, 0]
    );
    // T5
    p.tolerations = vec![];
    let cache = cache_with(
        vec![
            tainted("a", &[]),
            tainted("b", &[("cpu-type", "arm64", PreferNoSchedule)]),
        ],
        &[],
    );
    assert_eq!(taint_scores(&cache, &p), [100, 0]);
}

/// taint_toleration_test.go `TestTaintTolerationFilter` TF1–TF8, with the v1.34 reason.
#[test]
fn taint_toleration_filter_upstream() {
    use TaintEffect::*;
    let check = |tols: Vec<Toleration>, taint: (&str, &str, TaintEffect)| -> Vec<String> {
        let cache = cache_with(vec![tainted("n", &[taint])], &[]);
        let mut p = pod("p", &[]);
        p.tolerations = tols;
        let n = state(&cache, "n");
        filter_one(&cache, "n", &p).map_or(vec![], |r| r.reasons(n, &p))
    };
    let ded = ("dedicated", "user1", NoSchedule);
    assert_eq!(
        check(vec![], ded),
        ["node(s) had untolerated taint {dedicated: user1}"]
    );
    assert!(check(vec![tol("dedicated", "user1", Some(NoSchedule))], ded).is_empty());
    assert!(!check(vec![tol("dedicated", "user2", Some(NoSchedule))], ded).is_empty());
    assert!(check(
        vec![Toleration::exists("foo", Some(NoSchedule), None)],
        ("foo", "bar", NoSchedule)
    )
    .is_empty());
    assert!(!check(
        vec![tol("foo", "bar", Some(PreferNoSchedule))],
        ("foo", "bar", NoSchedule)
    )
    .is_empty());
    assert!(check(vec![tol("foo", "bar", None)], ("foo", "bar", NoSchedule)).is_empty());
    assert!(check(
        vec![tol("dedicated", "user2", Some(NoSchedule))],
        ("dedicated", "user1", PreferNoSchedule)
    )
    .is_empty());
    assert!(check(vec![], ("dedicated", "user1", PreferNoSchedule)).is_empty());
    // empty value prints as "{key: }"
    assert_eq!(
        check(
            vec![],
            ("node-role.kubernetes.io/control-plane", "", NoSchedule)
        ),
        ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"]
    );
}

fn labelled(name: &str, labels: &[(&str, &str)]) -> NodeSpec {
    let mut n = node(name, 1000, 1000);
    n.labels = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    n
}

fn affinity_ok(p: &PodInfo, labels: &[(&str, &str)]) -> bool {
    let cache = cache_with(vec![labelled("n", labels)], &[]);
    filter_one(&cache, "n", p).is_none()
}

fn required(terms: Vec<Vec<Requirement>>) -> PodInfo {
    let mut p = pod("p", &[]);
    p.required_affinity = Some(
        terms
            .into_iter()
            .map(|e| NodeSelectorTerm {
                match_expressions: e,
                match_fields: vec![],
            })
            .collect(),
    );
    p
}

/// node_affinity_test.go `TestNodeAffinity` A1–A14.
#[test]
fn node_affinity_filter_upstream() {
    use Operator::*;
    let mut p = pod("p", &[]);
    p.node_selector.insert("foo".into(), "bar".into());
    assert!(!affinity_ok(&p, &[]));
    assert!(affinity_ok(&p, &[("foo", "bar")]));
    assert!(affinity_ok(&p, &[("foo", "bar"), ("baz", "blah")]));
    p.node_selector.insert("baz".into(), "blah".into());
    assert!(!affinity_ok(&p, &[("foo", "bar")]));
    assert!(affinity_ok(
        &required(vec![vec![Requirement::new("foo", In, &["bar", "value2"])]]),
        &[("foo", "bar")]
    ));
    assert!(affinity_ok(
        &required(vec![vec![Requirement::new(
            "kernel-version",
            Gt,
            &["0204"]
        )]]),
        &[("kernel-version", "0206")]
    ));
    assert!(affinity_ok(
        &required(vec![vec![Requirement::new(
            "mem-type",
            NotIn,
            &["DDR", "DDR2"]
        )]]),
        &[("mem-type", "DDR3")]
    ));
    assert!(affinity_ok(
        &required(vec![vec![Requirement::new("GPU", Exists, &[])]]),
        &[("GPU", "NVIDIA-GRID-K1")]
    ));
    assert!(!affinity_ok(
        &required(vec![vec![Requirement::new(
            "foo",
            In,
            &["value1", "value2"]
        )]]),
        &[("foo", "bar")]
    ));
    assert!(!affinity_ok(&required(vec![vec![]]), &[("foo", "bar")]));
    let gpu = |op, vals: &[&str]| {
        vec![
            Requirement::new("GPU", Exists, &[]),
            Requirement::new("GPU", op, vals),
        ]
    };
    assert!(affinity_ok(
        &required(vec![gpu(NotIn, &["AMD", "INTER"])]),
        &[("GPU", "NVIDIA-GRID-K1")]
    ));
    assert!(!affinity_ok(
        &required(vec![gpu(In, &["AMD", "INTER"])]),
        &[("GPU", "NVIDIA-GRID-K1")]
    ));
    let two = required(vec![
        vec![Requirement::new("foo", In, &["bar", "value2"])],
        vec![Requirement::new("diffkey", In, &["wrong", "value2"])],
    ]);
    assert!(affinity_ok(&two, &[("foo", "bar")]));
    let mut a14 = required(vec![vec![Requirement::new("foo", Exists, &[])]]);
    a14.node_selector.insert("foo".into(), "bar".into());
    assert!(!affinity_ok(&a14, &[("foo", "barrrrrr")]));
}

/// node_affinity_test.go `TestNodeAffinityPriority` AS1–AS3.
#[test]
fn node_affinity_score_upstream() {
    use Operator::In;
    let term = |w, reqs: Vec<Requirement>| PreferredTerm {
        weight: w,
        term: NodeSelectorTerm {
            match_expressions: reqs,
            match_fields: vec![],
        },
    };
    let mut p = pod("p", &[]);
    p.preferred_affinity = vec![
        term(2, vec![Requirement::new("foo", In, &["bar"])]),
        term(4, vec![Requirement::new("key", In, &["value"])]),
        term(
            5,
            vec![
                Requirement::new("foo", In, &["bar"]),
                Requirement::new("key", In, &["value"]),
                Requirement::new("az", In, &["az1"]),
            ],
        ),
    ];
    let cache = cache_with(
        vec![
            labelled("node1", &[("foo", "bar")]),
            labelled("node2", &[("key", "value")]),
            labelled("node5", &[("foo", "bar"), ("key", "value"), ("az", "az1")]),
        ],
        &[],
    );
    let mut s = per_node(&cache, |n| score::preferred_affinity(&p, n));
    assert_eq!(s, [2, 4, 11]);
    score::default_normalize(&mut s, false);
    assert_eq!(s, [18, 36, 100]);
    // AS3: nothing matches
    p.preferred_affinity.truncate(1);
    let cache = cache_with(
        vec![
            labelled("node1", &[("abc", "def")]),
            labelled("node2", &[("key", "value")]),
        ],
        &[],
    );
    let mut s = per_node(&cache, |n| score::preferred_affinity(&p, n));
    score::default_normalize(&mut s, false);
    assert_eq!(s, [0, 0]);
}

fn images(name: &str, mbs: &[(&str, i64)]) -> NodeSpec {
    let mut n = node(name, 1000, 1000);
    n.images = mbs
        .iter()
        .map(|(i, mb)| NodeImage {
            name: i.to_string(),
            size_bytes: mb * 1024 * 1024,
        })
        .collect();
    n
}

fn image_scores(cache: &Cache, init: &[&str], containers: &[&str]) -> Vec<i64> {
    let all: Vec<&str> = init.iter().chain(containers).copied().collect();
    let ids: Vec<Option<(u32, u32)>> = all
        .iter()
        .map(|im| cache.image_id(im).map(|id| (id, cache.image_num_nodes(id))))
        .collect();
    per_node(cache, |n| {
        score::image_locality(n, &ids, all.len(), cache.num_nodes())
    })
}

/// image_locality_test.go `TestImageLocalityPriority` I1–I7 (current, per-container threshold).
#[test]
fn image_locality_upstream() {
    let n403002000 = |name| {
        images(
            name,
            &[
                ("gcr.io/40:latest", 40),
                ("gcr.io/300:latest", 300),
                ("gcr.io/2000:latest", 2000),
            ],
        )
    };
    let n25010 = |name| {
        images(
            name,
            &[("gcr.io/250:latest", 250), ("gcr.io/10:latest", 10)],
        )
    };
    let n400030 = |name| {
        images(
            name,
            &[("gcr.io/4000:latest", 4000), ("gcr.io/30:latest", 30)],
        )
    };
    let cache = cache_with(vec![n403002000("n1"), n25010("n2")], &[]);
    assert_eq!(
        image_scores(&cache, &[], &["gcr.io/40", "gcr.io/250"]),
        [0, 5]
    );
    assert_eq!(
        image_scores(&cache, &[], &["gcr.io/40", "gcr.io/300"]),
        [7, 0]
    );
    let cache = cache_with(vec![n400030("n1"), n25010("n2")], &[]);
    assert_eq!(
        image_scores(&cache, &[], &["gcr.io/10", "gcr.io/4000"]),
        [100, 0]
    );
    let cache = cache_with(vec![n400030("n1"), n25010("n2"), node("n3", 1, 1)], &[]);
    assert_eq!(
        image_scores(&cache, &[], &["gcr.io/10", "gcr.io/4000"]),
        [66, 0, 0]
    );
    let cache = cache_with(
        vec![
            images(
                "n1",
                &[
                    ("gcr.io/600:latest", 600),
                    ("gcr.io/40:latest", 40),
                    ("gcr.io/900:latest", 900),
                ],
            ),
            images(
                "n2",
                &[
                    ("gcr.io/300:latest", 300),
                    ("gcr.io/600:latest", 600),
                    ("gcr.io/900:latest", 900),
                ],
            ),
            node("n3", 1, 1),
        ],
        &[],
    );
    assert_eq!(
        image_scores(&cache, &[], &["gcr.io/300", "gcr.io/600", "gcr.io/900"]),
        [32, 36, 0]
    );
    let cache = cache_with(
        vec![
            images(
                "n1",
                &[
                    ("gcr.io/20:latest", 20),
                    ("gcr.io/30:latest", 30),
                    ("gcr.io/40:latest", 40),
                ],
            ),
            n400030("n2"),
        ],
        &[],
    );
    assert_eq!(
        image_scores(&cache, &[], &["gcr.io/30", "gcr.io/40"]),
        [1, 0]
    );
    let cache = cache_with(
        vec![
            n403002000("n1"),
            images(
                "n2",
                &[
                    ("gcr.io/20:latest", 20),
                    ("gcr.io/30:latest", 30),
                    ("gcr.io/40:latest", 40),
                ],
            ),
        ],
        &[],
    );
    assert_eq!(
        image_scores(&cache, &["gcr.io/300"], &["gcr.io/30"]),
        [6, 0]
    );
}

/// image_locality_test.go `TestNormalizedImageName` (I8).
#[test]
fn normalized_image_name_upstream() {
    assert_eq!(normalized_image_name("root"), "root:latest");
    assert_eq!(
        normalized_image_name("gcr.io:5000/root"),
        "gcr.io:5000/root:latest"
    );
    assert_eq!(normalized_image_name("root:tag"), "root:tag");
    assert_eq!(
        normalized_image_name("gcr.io:5000/root@sha256:abc"),
        "gcr.io:5000/root@sha256:abc"
    );
}

// ---- PodTopologySpread scoring: scoring_test.go TestPodTopologySpreadScore ----------------

fn foo_pod(name: &str, ns: &str) -> PodInfo {
    let mut p = PodInfo::new(ns, name, &[], &[]);
    p.labels.insert("foo".into(), "".into());
    p
}

fn spread_scores(
    nodes: Vec<NodeSpec>,
    counts: &[usize],
    incoming: &PodInfo,
    feasible: &[&str],
) -> Vec<i64> {
    let names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
    let mut cache = cache_with(nodes, &[]);
    for (i, &cnt) in counts.iter().enumerate() {
        for k in 0..cnt {
            cache.add_pod(&names[i], &foo_pod(&format!("p-{i}-{k}"), "default"));
        }
    }
    let slots: Vec<usize> = feasible
        .iter()
        .map(|f| {
            cache
                .order()
                .iter()
                .copied()
                .find(|&s| cache.slot(s).spec.name == *f)
                .expect("node")
        })
        .collect();
    let mut out = Vec::new();
    let mut ln = Vec::new();
    SoftSpread::score(&cache, incoming, &mut None, &slots, &mut ln, &mut out);
    out
}

fn hostname_constraint(skew: i32) -> PodInfo {
    let mut p = foo_pod("incoming", "default");
    let sel = Selector {
        requirements: vec![Requirement::new("foo", Operator::Exists, &[])],
    };
    p.spread_constraints = vec![SpreadConstraint::new(
        LABEL_HOSTNAME,
        skew,
        WhenUnsatisfiable::ScheduleAnyway,
        sel,
    )];
    p
}

fn four() -> Vec<NodeSpec> {
    ["node-a", "node-b", "node-c", "node-d"]
        .iter()
        .map(|n| node(n, 1000, 1000))
        .collect()
}

/// S1–S7 of `TestPodTopologySpreadScore`.
#[test]
fn pod_topology_spread_score_upstream() {
    let two = || vec![node("node-a", 1000, 1000), node("node-b", 1000, 1000)];
    assert_eq!(
        spread_scores(
            two(),
            &[0, 0],
            &hostname_constraint(1),
            &["node-a", "node-b"]
        ),
        [100, 100]
    );
    assert_eq!(
        spread_scores(
            two(),
            &[1, 1],
            &hostname_constraint(1),
            &["node-a", "node-b"]
        ),
        [100, 100]
    );
    let all = ["node-a", "node-b", "node-c", "node-d"];
    assert_eq!(
        spread_scores(four(), &[2, 1, 0, 3], &hostname_constraint(1), &all),
        [20, 60, 100, 0]
    );
    assert_eq!(
        spread_scores(four(), &[2, 1, 0, 3], &hostname_constraint(2), &all),
        [33, 66, 100, 16]
    );
    assert_eq!(
        spread_scores(four(), &[4, 3, 2, 1], &hostname_constraint(3), &all),
        [44, 66, 77, 100]
    );
    // S6: system defaulting (no zone labels) with a Service selecting foo
    let mut sys = foo_pod("incoming", "default");
    sys.default_spread_selector = Some(Selector {
        requirements: vec![Requirement::new("foo", Operator::Exists, &[])],
    });
    assert_eq!(
        spread_scores(four(), &[4, 3, 2, 1], &sys, &all),
        [44, 66, 77, 100]
    );
    // S7: node-d filtered out
    assert_eq!(
        spread_scores(
            four(),
            &[4, 2, 1, 3],
            &hostname_constraint(1),
            &["node-a", "node-b", "node-c"]
        ),
        [33, 83, 100]
    );
}

/// S8: zone constraint; node-y is filtered out but its pods still count for zone2.
#[test]
fn pod_topology_spread_zone_upstream() {
    let zoned = |n: &str, z: &str| {
        let mut s = node(n, 1000, 1000);
        s.labels.insert(LABEL_ZONE.into(), z.into());
        s
    };
    let mut p = foo_pod("incoming", "default");
    let sel = Selector {
        requirements: vec![Requirement::new("foo", Operator::Exists, &[])],
    };
    p.spread_constraints = vec![SpreadConstraint::new(
        LABEL_ZONE,
        1,
        WhenUnsatisfiable::ScheduleAnyway,
        sel,
    )];
    let nodes = vec![
        zoned("node-a", "zone1"),
        zoned("node-b", "zone1"),
        zoned("node-x", "zone2"),
        zoned("node-y", "zone2"),
    ];
    assert_eq!(
        spread_scores(nodes, &[4, 2, 1, 3], &p, &["node-a", "node-b", "node-x"]),
        [75, 75, 100]
    );
}

/// S9 (other namespace not counted) and S10 (terminating pods not counted).
#[test]
fn pod_topology_spread_namespace_and_terminating_upstream() {
    let two = || vec![node("node-a", 1000, 1000), node("node-b", 1000, 1000)];
    let mut cache = cache_with(two(), &[]);
    cache.add_pod("node-a", &foo_pod("a1", "default"));
    cache.add_pod("node-a", &foo_pod("a2", "other"));
    cache.add_pod("node-b", &foo_pod("b1", "default"));
    cache.add_pod("node-b", &foo_pod("b2", "default"));
    let slots: Vec<usize> = cache.order().to_vec();
    let (mut out, mut ln) = (Vec::new(), Vec::new());
    SoftSpread::score(
        &cache,
        &hostname_constraint(1),
        &mut None,
        &slots,
        &mut ln,
        &mut out,
    );
    assert_eq!(out, [100, 33]);
    let mut cache = cache_with(two(), &[]);
    cache.add_pod("node-a", &foo_pod("a1", "default"));
    cache.add_pod("node-b", &foo_pod("b1", "default"));
    cache.set_pod_terminating("default", "a1");
    let slots: Vec<usize> = cache.order().to_vec();
    SoftSpread::score(
        &cache,
        &hostname_constraint(1),
        &mut None,
        &slots,
        &mut ln,
        &mut out,
    );
    assert_eq!(out, [100, 0]);
}

/// The fixed-point logarithm agrees with f64 `ln` to 1e-15 over the node counts that occur.
#[test]
fn fixed_point_ln_matches_float() {
    for x in [2u64, 3, 4, 5, 6, 100, 502, 5002, 123_457] {
        let got = ln_q64(x) as f64 / 18_446_744_073_709_551_616.0;
        assert!((got - (x as f64).ln()).abs() < 1e-12, "ln({x}) = {got}");
    }
}

// ---- The cycle --------------------------------------------------------------------------------

/// `TestNumFeasibleNodesToFind` (schedule_one_test.go).
#[test]
fn num_feasible_nodes_to_find_upstream() {
    assert_eq!(num_feasible_nodes_to_find(0, 10), 10);
    assert_eq!(num_feasible_nodes_to_find(40, 10), 10);
    assert_eq!(num_feasible_nodes_to_find(0, 1000), 420);
    assert_eq!(num_feasible_nodes_to_find(40, 1000), 400);
    assert_eq!(num_feasible_nodes_to_find(0, 6000), 300);
    assert_eq!(num_feasible_nodes_to_find(40, 6000), 2400);
    assert_eq!(num_feasible_nodes_to_find(0, 5000), 500);
}

/// The message of the doc's example: one cordoned node, two without CPU, preemption text.
#[test]
fn failed_scheduling_message() {
    let mut cordoned = node("a", 1000, 1 << 30);
    cordoned.unschedulable = true;
    let mut s = Scheduler::new();
    s.cache = cache_with(
        vec![cordoned, node("b", 1000, 1 << 30), node("c", 1000, 1 << 30)],
        &[],
    );
    let d = s.schedule(&pod("big", &[c(2000, 1)]), &mut rng(), true);
    assert_eq!(d.node, None);
    assert_eq!(
        d.message.as_deref(),
        Some(
            "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. \
             preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        )
    );
    // 2000m > 1000m allocatable → unresolvable; a pod that fits an empty node is resolvable:
    s.cache.add_pod("b", &pod("x", &[c(800, 1)]));
    s.cache.add_pod("c", &pod("y", &[c(800, 1)]));
    let d = s.schedule(&pod("mid", &[c(500, 1)]), &mut rng(), false);
    assert_eq!(
        d.message.as_deref(),
        Some(
            "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. \
             preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, \
             2 No preemption victims found for incoming pod."
        )
    );
}

/// Counts sort as strings, like Go's sort.Strings: "10 …" before "2 …".
#[test]
fn reasons_sort_as_strings() {
    let mut r = std::collections::BTreeMap::new();
    r.insert("Insufficient cpu".to_string(), 10);
    r.insert("node(s) were unschedulable".to_string(), 2);
    assert_eq!(
        message::fit_error(12, &r),
        "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable."
    );
}

/// The default cluster's control plane: its taint is named in the message.
#[test]
fn control_plane_taint_message() {
    let cp = tainted(
        "cp",
        &[(
            "node-role.kubernetes.io/control-plane",
            "",
            TaintEffect::NoSchedule,
        )],
    );
    let mut s = Scheduler::new();
    s.cache = cache_with(vec![cp], &[]);
    let d = s.schedule(&pod("p", &[c(100, 1)]), &mut rng(), false);
    assert_eq!(
        d.message.as_deref(),
        Some(
            "0/1 nodes are available: 1 node(s) had untolerated taint \
             {node-role.kubernetes.io/control-plane: }. preemption: 0/1 nodes are available: \
             1 Preemption is not helpful for scheduling."
        )
    );
}

/// With spreading, replicas of one ReplicaSet land on different nodes; ties are broken by
/// the seeded RNG and the same seed gives the same placement.
#[test]
fn spreads_replicas_and_is_deterministic() {
    let run = |seed: u64| {
        let mut s = Scheduler::new();
        s.cache = cache_with(
            vec![
                node("n1", 2000, 4 << 30),
                node("n2", 2000, 4 << 30),
                node("n3", 2000, 4 << 30),
            ],
            &[],
        );
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        let mut placed = Vec::new();
        for i in 0..3 {
            let mut p = pod(&format!("web-{i}"), &[c(100, 128 << 20)]);
            p.labels.insert("app".into(), "web".into());
            p.default_spread_selector = Some(Selector::from_labels(&[("app", "web")]));
            let d = s.schedule(&p, &mut r, false);
            let n = d.node.expect("fits");
            s.cache.add_pod(&n, &p);
            placed.push(n);
        }
        placed
    };
    let a = run(1);
    let mut sorted = a.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 3, "one replica per node: {a:?}");
    assert_eq!(a, run(1));
}

/// Round-robin start index and percentageOfNodesToScore: 200 nodes → 100 examined per cycle.
#[test]
fn round_robin_start_index() {
    let mut s = Scheduler::new();
    s.cache = cache_with(
        (0..200)
            .map(|i| node(&format!("n{i:03}"), 4000, 8 << 30))
            .collect(),
        &[],
    );
    let d = s.schedule(&pod("p", &[c(100, 1)]), &mut rng(), true);
    assert_eq!(d.feasible_nodes, 100);
    assert_eq!(s.next_start_node_index(), 100);
    let nodes = d.nodes.expect("explain");
    assert!(matches!(nodes[150].verdict, Verdict::NotEvaluated));
    s.schedule(&pod("q", &[c(100, 1)]), &mut rng(), false);
    assert_eq!(s.next_start_node_index(), 0);
}

/// Node tree order interleaves zones (`TestNodeTree_List`-style).
#[test]
fn node_order_interleaves_zones() {
    let z = |n: &str, zone: &str| {
        let mut s = node(n, 1, 1);
        s.labels.insert(LABEL_ZONE.into(), zone.into());
        s
    };
    let cache = cache_with(
        vec![
            z("a1", "a"),
            z("a2", "a"),
            z("a3", "a"),
            z("b1", "b"),
            z("c1", "c"),
            z("c2", "c"),
        ],
        &[],
    );
    let order: Vec<&str> = cache.node_names().collect();
    assert_eq!(order, ["a1", "b1", "c1", "a2", "c2", "a3"]);
}

/// Host ports: a second pod wanting the same port goes elsewhere or stays Pending.
#[test]
fn node_ports_filter() {
    let mut s = Scheduler::new();
    s.cache = cache_with(vec![node("n1", 4000, 8 << 30)], &[]);
    let mut p = pod("a", &[]);
    p.host_ports = vec![HostPort {
        ip: String::new(),
        protocol: Protocol::Tcp,
        port: 80,
    }];
    s.cache.add_pod("n1", &p);
    let mut q = p.clone();
    q.name = "b".into();
    let d = s.schedule(&q, &mut rng(), false);
    assert_eq!(
        d.message.as_deref(),
        Some(
            "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. \
             preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
        )
    );
}

/// filtering_test.go `TestSingleConstraint`-style: maxSkew 1 on hostname, DoNotSchedule.
#[test]
fn hard_spread_filter() {
    let mut s = Scheduler::new();
    s.cache = cache_with(
        vec![node("node-a", 4000, 1 << 30), node("node-b", 4000, 1 << 30)],
        &[],
    );
    s.cache.add_pod("node-a", &foo_pod("p1", "default"));
    let mut p = foo_pod("incoming", "default");
    let sel = Selector {
        requirements: vec![Requirement::new("foo", Operator::Exists, &[])],
    };
    p.spread_constraints = vec![SpreadConstraint::new(
        LABEL_HOSTNAME,
        1,
        WhenUnsatisfiable::DoNotSchedule,
        sel,
    )];
    let d = s.schedule(&p, &mut rng(), true);
    assert_eq!(d.node.as_deref(), Some("node-b"));
    assert_eq!(d.reasons.get(filter::REASON_SPREAD), Some(&1));
}

/// The reciprocal divisions give exactly Go's int64 quotients.
#[test]
fn fast_divisions_are_exact() {
    use rand::Rng;
    let mut r = rng();
    for _ in 0..20_000 {
        let d: u64 = r.random_range(1..u64::from(u32::MAX)) * r.random_range(1..4096);
        let x: u64 = r.random_range(0..d.saturating_mul(101));
        assert_eq!(score::div_by(x, d, u64::MAX / d), x / d, "{x}/{d}");
        let (cp, cq) = (
            r.random_range(1..64_000i64),
            r.random_range(1..(1i64 << 40)),
        );
        let (p, q) = (r.random_range(0..cp * 2), r.random_range(0..cq * 2));
        let mut n = node("n", cp, cq);
        n.allocatable_pods = 1000;
        let cache = cache_with(vec![n], &[]);
        let hot = per_node_hot(&cache, |h| {
            let mut pd = pod("p", &[]);
            pd.requests.milli_cpu = p;
            pd.requests.memory = q;
            score::balanced_allocation(&pd, h)
        });
        assert_eq!(
            hot[0],
            score::balanced_score(p, cp, q, cq),
            "{p}/{cp} {q}/{cq}"
        );
    }
}

/// The specialised system-defaults path scores exactly like the general one, on clusters with
/// several zones, unlabelled nodes, several label groups per node and terminating pods.
#[test]
fn system_default_spread_fast_path_matches_general() {
    use rand::Rng;
    let mut r = rng();
    for round in 0..40 {
        let mut cache = Cache::new();
        let n = r.random_range(2..40);
        for i in 0..n {
            let mut s = node(&format!("n{i}"), 4000, 1 << 33);
            if r.random_range(0..5) != 0 {
                s.labels
                    .insert(LABEL_ZONE.into(), format!("z{}", r.random_range(0..4)));
            }
            if r.random_range(0..10) == 0 {
                s.labels.remove(LABEL_HOSTNAME);
            }
            cache.upsert_node(s);
        }
        let names: Vec<String> = cache.node_names().map(str::to_string).collect();
        for k in 0..r.random_range(0..200) {
            let mut p = pod(&format!("p{k}"), &[]);
            p.labels
                .insert("app".into(), format!("a{}", r.random_range(0..3)));
            if r.random_range(0..4) == 0 {
                p.namespace = "other".into();
            }
            let on = &names[r.random_range(0..names.len())];
            cache.add_pod(on, &p);
            if r.random_range(0..6) == 0 {
                cache.set_pod_terminating(&p.namespace, &p.name);
            }
        }
        let mut incoming = pod("new", &[]);
        incoming.default_spread_selector = Some(Selector::from_labels(&[("app", "a1")]));
        let feasible: Vec<usize> = cache
            .order()
            .iter()
            .copied()
            .filter(|_| r.random_range(0..3) != 0)
            .collect();
        if feasible.is_empty() {
            continue;
        }
        let (mut a, mut b, mut ln) = (Vec::new(), Vec::new(), Vec::new());
        SoftSpread::score_impl(
            &cache, &incoming, &mut None, &feasible, &mut ln, &mut a, true,
        );
        SoftSpread::score_impl(
            &cache, &incoming, &mut None, &feasible, &mut ln, &mut b, false,
        );
        assert_eq!(a, b, "round {round}");
    }
}

/// Counting a selector's pods on a node with many label groups (looked up by the selector's
/// matching groups) gives the count of testing every group of the node.
#[test]
fn count_on_many_groups_matches_brute_force() {
    use super::spread::GroupMemo;
    let mut cache = cache_with(vec![node("n", 64_000, 1 << 40)], &[]);
    let mut want = [0u64; 40];
    for k in 0..400 {
        let mut p = pod(&format!("p{k}"), &[]);
        let app = k * 7 % 40;
        p.labels.insert("app".into(), format!("a{app}"));
        cache.add_pod("n", &p);
        if k % 5 == 0 {
            cache.set_pod_terminating("default", &p.name);
        } else {
            want[app] += 1;
        }
    }
    let st = state(&cache, "n");
    assert!(st.groups.len() > 8);
    for (app, &n) in want.iter().enumerate() {
        let sel = Selector::from_labels(&[("app", &format!("a{app}"))]);
        let mut memo = GroupMemo::new(&cache, Some(&sel), "default");
        assert_eq!(memo.count_on(&cache, st), n, "app a{app}");
        let mut other_ns = GroupMemo::new(&cache, Some(&sel), "other");
        assert_eq!(other_ns.count_on(&cache, st), 0);
    }
}

/// The full cycle normalises TaintToleration (reversed) and NodeAffinity across nodes and
/// weighs them 3 and 2: the untainted, preferred node wins.
#[test]
fn cycle_weighs_taint_and_affinity() {
    let mut tainted_node = tainted("a", &[("spot", "true", TaintEffect::PreferNoSchedule)]);
    tainted_node.labels.insert("disk".into(), "ssd".into());
    let mut plain = node("b", 1000, 1000);
    plain.labels.insert("disk".into(), "hdd".into());
    let mut s = Scheduler::new();
    s.cache = cache_with(vec![tainted_node, plain], &[]);
    let mut p = pod("p", &[c(100, 100)]);
    p.preferred_affinity = vec![PreferredTerm {
        weight: 10,
        term: NodeSelectorTerm {
            match_expressions: vec![Requirement::new("disk", Operator::In, &["hdd"])],
            match_fields: vec![],
        },
    }];
    let d = s.schedule(&p, &mut rng(), true);
    assert_eq!(d.node.as_deref(), Some("b"));
    let sc = d.scores.expect("scored");
    assert_eq!((sc.taint_toleration, sc.node_affinity), (100, 100));
    let nodes = d.nodes.expect("explain");
    let Verdict::Feasible(Some(a)) = &nodes.iter().find(|r| r.node == "a").expect("a").verdict
    else {
        panic!("a feasible and scored");
    };
    assert_eq!((a.taint_toleration, a.node_affinity), (0, 0));
    assert_eq!(sc.total - a.total, 3 * 100 + 2 * 100);
}

/// The hot-number shortcut never passes a node the full filters would reject.
#[test]
fn quick_fit_agrees_with_full_filters() {
    use rand::Rng;
    let mut r = rng();
    for _ in 0..2_000 {
        let mut n = node(
            "n",
            r.random_range(0..4_000),
            r.random_range(0..(8i64 << 30)),
        );
        n.allocatable_pods = r.random_range(0..4);
        if r.random_range(0..4) == 0 {
            n.unschedulable = true;
        }
        if r.random_range(0..4) == 0 {
            n.taints = vec![Taint::new("k", "v", TaintEffect::NoExecute)];
        }
        let mut cache = cache_with(vec![n], &[]);
        for i in 0..r.random_range(0..3) {
            let mut p = pod(
                &format!("e{i}"),
                &[c(r.random_range(0..2_000), r.random_range(0..(4i64 << 30)))],
            );
            if r.random_range(0..3) == 0 {
                p.host_ports = vec![HostPort {
                    ip: String::new(),
                    protocol: Protocol::Tcp,
                    port: 80,
                }];
            }
            cache.add_pod("n", &p);
        }
        let mut p = pod(
            "p",
            &[c(r.random_range(0..2_000), r.random_range(0..(4i64 << 30)))],
        );
        if r.random_range(0..3) == 0 {
            p.host_ports = vec![HostPort {
                ip: String::new(),
                protocol: Protocol::Tcp,
                port: 80,
            }];
        }
        let pre = PreFilter::new(&p);
        let slot = cache.order()[0];
        if pre.fits_quickly(cache.hot(slot)) {
            assert_eq!(run_filters(&pre, &p, &cache, slot), None);
        }
    }
}

/// BalancedAllocation equals Go's float64 evaluation everywhere, including the near-integer
/// cases where the exact rational would differ (cpu 0/1 with memory 17/25: Go says 65).
#[test]
fn balanced_score_is_go_float64_exact() {
    let go = |p: i64, cp: i64, q: i64, cq: i64| {
        let f0 = (p as f64 / cp as f64).min(1.0);
        let f1 = (q as f64 / cq as f64).min(1.0);
        ((1.0 - ((f0 - f1) / 2.0).abs()) * 100.0) as i64
    };
    assert_eq!(score::balanced_score(0, 1, 17, 25), 65);
    for cp in 1..=40 {
        for cq in 1..=40 {
            for p in 0..=cp + 1 {
                for q in 0..=cq + 1 {
                    assert_eq!(
                        score::balanced_score(p, cp, q, cq),
                        go(p, cp, q, cq),
                        "{p}/{cp} {q}/{cq}"
                    );
                    if cp > 12 || cq > 12 {
                        continue;
                    }
                    let mut n = node("n", cp, cq);
                    n.allocatable_pods = 10;
                    let cache = cache_with(vec![n], &[]);
                    let mut pd = pod("p", &[]);
                    pd.requests.milli_cpu = p;
                    pd.requests.memory = q;
                    let hot = per_node_hot(&cache, |h| score::balanced_allocation(&pd, h));
                    assert_eq!(hot[0], go(p, cp, q, cq), "hot {p}/{cp} {q}/{cq}");
                }
            }
        }
    }
}

/// `explain` covers every node, scores all feasible ones and changes nothing.
#[test]
fn explain_is_side_effect_free() {
    let mut s = Scheduler::new();
    let mut nodes: Vec<NodeSpec> = (0..150)
        .map(|i| node(&format!("n{i:03}"), 4000, 8 << 30))
        .collect();
    nodes[3].unschedulable = true;
    s.cache = cache_with(nodes, &[]);
    s.schedule(&pod("first", &[c(100, 1)]), &mut rng(), false);
    let before = s.next_start_node_index();
    let r = s.explain(&pod("p", &[c(100, 1)]));
    assert_eq!(r.len(), 150);
    assert_eq!(
        r.iter()
            .filter(|n| matches!(n.verdict, Verdict::Feasible(Some(_))))
            .count(),
        149
    );
    assert!(matches!(
        &r[3].verdict,
        Verdict::Rejected {
            plugin: "NodeUnschedulable",
            ..
        }
    ));
    assert_eq!(s.next_start_node_index(), before);
    assert_eq!(s.percentage_of_nodes_to_score, 0);
}

/// filtering_test.go-style zone constraint: zone1 holds 3 matching pods, zone2 one; with
/// maxSkew 1 only zone2 fits; with minDomains 3 (two domains exist) the global minimum counts
/// as 0 and nothing fits.
#[test]
fn hard_spread_zone_and_min_domains() {
    let zoned = |n: &str, z: &str| {
        let mut s = node(n, 4000, 1 << 30);
        s.labels.insert(LABEL_ZONE.into(), z.into());
        s
    };
    let build = || {
        let mut s = Scheduler::new();
        s.cache = cache_with(
            vec![
                zoned("node-a", "zone1"),
                zoned("node-b", "zone1"),
                zoned("node-x", "zone2"),
                zoned("node-y", "zone2"),
            ],
            &[],
        );
        for (i, n) in ["node-a", "node-a", "node-b", "node-x"].iter().enumerate() {
            s.cache.add_pod(n, &foo_pod(&format!("p{i}"), "default"));
        }
        s
    };
    let sel = Selector {
        requirements: vec![Requirement::new("foo", Operator::Exists, &[])],
    };
    let mut p = foo_pod("incoming", "default");
    p.spread_constraints = vec![SpreadConstraint::new(
        LABEL_ZONE,
        1,
        WhenUnsatisfiable::DoNotSchedule,
        sel,
    )];
    let d = build().schedule(&p, &mut rng(), false);
    assert!(
        matches!(d.node.as_deref(), Some("node-x") | Some("node-y")),
        "{d:?}"
    );
    assert_eq!(d.reasons.get(filter::REASON_SPREAD), Some(&2));
    p.spread_constraints[0].min_domains = 3;
    let d = build().schedule(&p, &mut rng(), false);
    assert_eq!(d.node, None);
    assert_eq!(
        d.message.as_deref(),
        Some(
            "0/4 nodes are available: 4 node(s) didn't match pod topology spread constraints. \
             preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod."
        )
    );
}

/// PodTopologySpread scored both ways for the tests below: the system-defaults path in
/// buffers reused from call to call (what the scheduler does) and the general path.
#[derive(Default)]
struct SpreadBothWays {
    scratch: super::spread::SpreadScratch,
    ln: Vec<u128>,
    fast: Vec<i64>,
    general: Vec<i64>,
}

impl SpreadBothWays {
    /// Scores `incoming` over `feasible` both ways and asserts the same scores.
    fn assert_agree(&mut self, cache: &Cache, incoming: &PodInfo, feasible: &[usize], what: &str) {
        let briefs: Vec<_> = feasible.iter().map(|&s| cache.hot(s).brief()).collect();
        SoftSpread::score_with(
            cache,
            incoming,
            &mut None,
            feasible,
            &briefs,
            &mut self.ln,
            &mut self.fast,
            &mut self.scratch,
        );
        SoftSpread::score_impl(
            cache,
            incoming,
            &mut None,
            feasible,
            &mut self.ln,
            &mut self.general,
            false,
        );
        assert_eq!(self.fast, self.general, "{what}");
    }
}

/// The system-defaults path in buffers reused across pods and clusters (selectors settled up
/// front or not, more or fewer label groups and zones than the last time) scores exactly like
/// the general path in fresh ones.
#[test]
fn spread_scratch_reuse_matches_fresh_buffers() {
    use rand::Rng;
    let mut r = rng();
    let mut both = SpreadBothWays::default();
    for round in 0..60 {
        let mut cache = Cache::new();
        for i in 0..r.random_range(2..30) {
            let mut s = node(&format!("n{i}"), 4000, 1 << 33);
            if r.random_range(0..5) != 0 {
                s.labels
                    .insert(LABEL_ZONE.into(), format!("z{}", r.random_range(0..6)));
            }
            cache.upsert_node(s);
        }
        let names: Vec<String> = cache.node_names().map(str::to_string).collect();
        for k in 0..r.random_range(0..120) {
            let mut p = pod(&format!("p{k}"), &[]);
            p.labels
                .insert("app".into(), format!("a{}", r.random_range(0..4)));
            p.labels
                .insert("tier".into(), format!("t{}", r.random_range(0..2)));
            cache.add_pod(&names[r.random_range(0..names.len())], &p);
        }
        for _ in 0..3 {
            let mut incoming = pod("new", &[]);
            let app = format!("a{}", r.random_range(0..4));
            incoming.default_spread_selector = Some(if r.random_range(0..3) == 0 {
                Selector {
                    requirements: vec![Requirement::new("tier", Operator::Exists, &[])],
                }
            } else {
                Selector::from_labels(&[("app", &app)])
            });
            let feasible: Vec<usize> = cache
                .order()
                .iter()
                .copied()
                .filter(|_| r.random_range(0..3) != 0)
                .collect();
            if feasible.is_empty() {
                continue;
            }
            both.assert_agree(&cache, &incoming, &feasible, &format!("round {round}"));
        }
    }
}

/// The system-defaults scoring's per-count and per-zone parts and its normalisation table
/// give the general path's scores, through reused buffers, with matching-pod counts past the
/// part table (256) and raw score ranges past the normalisation table (4,096) as well as
/// within both.
#[test]
fn spread_part_tables_match_general_path() {
    use rand::Rng;
    let mut r = rng();
    let mut both = SpreadBothWays::default();
    for round in 0..12 {
        let mut cache = Cache::new();
        let n = r.random_range(2..8);
        for i in 0..n {
            let mut s = node(&format!("n{i}"), 4000, 1 << 33);
            if r.random_range(0..4) != 0 {
                s.labels
                    .insert(LABEL_ZONE.into(), format!("z{}", r.random_range(0..3)));
            }
            cache.upsert_node(s);
        }
        let names: Vec<String> = cache.node_names().map(str::to_string).collect();
        // Skewed placement: the first node gets most pods (up to thousands).
        let pods = [40, 400, 12_000][round % 3];
        for k in 0..pods {
            let mut p = pod(&format!("p{k}"), &[]);
            p.labels
                .insert("app".into(), format!("a{}", r.random_range(0..2)));
            let on = if r.random_range(0..3) == 0 {
                &names[r.random_range(0..names.len())]
            } else {
                &names[0]
            };
            cache.add_pod(on, &p);
        }
        for app in ["a0", "a1"] {
            let mut incoming = pod("new", &[]);
            incoming.default_spread_selector = Some(Selector::from_labels(&[("app", app)]));
            let feasible: Vec<usize> = cache.order().to_vec();
            both.assert_agree(
                &cache,
                &incoming,
                &feasible,
                &format!("round {round} {app}"),
            );
        }
    }
}

/// The one-pass scoring (no PreferNoSchedule taint, no preferred affinity) gives the general
/// passes' per-node scores, totals, highest total and picks, over pods of several shapes
/// (best-effort ones included) scheduled one after another on nodes of several sizes, zones
/// and images.
#[test]
fn fused_score_pass_matches_general() {
    use rand::Rng;
    let mut r = rng();
    let mut nodes = Vec::new();
    for i in 0..60 {
        let mut s = node(
            &format!("n{i}"),
            [2000, 4000, 8000][i % 3],
            [4i64 << 30, 8 << 30, 16 << 30][i % 3 / 2 + i % 2],
        );
        if i % 7 != 0 {
            s.labels
                .insert(LABEL_ZONE.into(), format!("z{}", r.random_range(0..3)));
        }
        if i % 4 == 0 {
            s.images = vec![super::types::NodeImage {
                name: "nginx:1.25".into(),
                size_bytes: (60 + 40 * (i as i64 % 3)) << 20,
            }];
        }
        nodes.push(s);
    }
    let mut a = Scheduler::new();
    a.cache = cache_with(nodes, &[]);
    let mut b = a.clone();
    b.general_score_only = true;
    let (mut ra, mut rb) = (rng(), rng());
    for k in 0..400 {
        let shape = r.random_range(0..4);
        let mut p = if shape == 0 {
            pod(&format!("p{k}"), &[])
        } else {
            pod(&format!("p{k}"), &[c(100 * shape, 64 << (20 + shape))])
        };
        let app = format!("a{}", r.random_range(0..3));
        p.labels.insert("app".into(), app.clone());
        p.default_spread_selector = Some(Selector::from_labels(&[("app", &app)]));
        if r.random_range(0..2) == 0 {
            p.images = vec!["nginx:1.25".into()];
        }
        let da = a.schedule(&p, &mut ra, false);
        let db = b.schedule(&p, &mut rb, false);
        assert_eq!(da, db, "pod {k}");
        assert_eq!(a.scored, b.scored, "pod {k}");
        assert_eq!(a.max_total, b.max_total, "pod {k}");
        if let Some(n) = da.node {
            a.cache.add_pod(&n, &p);
            b.cache.add_pod(&n, &p);
        }
    }
}

/// The cache's filter rows ([`super::cache::Row`], in scheduling order) stay those of the
/// nodes' hot numbers through node additions in several zones, relabelling into another
/// zone, cordoning, removals (slots reused), pod binds, moves, terminations and removals;
/// and `fits_row` decides like `fits_quickly` on every node.
#[test]
fn filter_rows_follow_the_hot_numbers() {
    use rand::Rng;
    let mut r = rng();
    let mut cache = Cache::new();
    let mut pods: Vec<PodInfo> = Vec::new();
    for step in 0..3_000 {
        let names: Vec<String> = cache.node_names().map(str::to_string).collect();
        match r.random_range(0..10) {
            0 | 1 => {
                let mut s = node(&format!("n{}", r.random_range(0..40)), 4000, 1 << 33);
                if r.random_range(0..4) != 0 {
                    s.labels
                        .insert(LABEL_ZONE.into(), format!("z{}", r.random_range(0..3)));
                }
                s.unschedulable = r.random_range(0..8) == 0;
                s.allocatable_pods = r.random_range(1..6);
                cache.upsert_node(s);
            }
            2 if !names.is_empty() => {
                cache.remove_node(&names[r.random_range(0..names.len())]);
            }
            3 if !pods.is_empty() => {
                let p = pods.swap_remove(r.random_range(0..pods.len()));
                cache.remove_pod(&p.namespace, &p.name);
            }
            4 if !pods.is_empty() => {
                let p = &pods[r.random_range(0..pods.len())];
                cache.set_pod_terminating(&p.namespace, &p.name);
            }
            _ if !names.is_empty() => {
                let p = pod(
                    &format!("p{}", r.random_range(0..200)),
                    &[c(r.random_range(0..900), r.random_range(0..(1i64 << 32)))],
                );
                cache.add_pod(&names[r.random_range(0..names.len())], &p);
                pods.push(p);
            }
            _ => {}
        }
        assert!(cache.rows_match_hot(), "step {step}");
        let p = pod(
            "new",
            &[c(r.random_range(0..2_000), r.random_range(0..(1i64 << 33)))],
        );
        let pre = PreFilter::new(&p);
        for (&slot, row) in cache.order().iter().zip(cache.rows()) {
            assert_eq!(pre.fits_row(row), pre.fits_quickly(cache.hot(slot)));
        }
    }
}

/// Filtering a run of fitting rows at a time (`find_feasible`'s fast scan) finds the nodes,
/// copied rows and rejections of filtering node by node from the round-robin start: over
/// nodes filling up, cordoned, tainted and labelled apart, with pods that take the fast scan
/// and pods that cannot (a nodeSelector, a hard spreading constraint), several
/// `percentageOfNodesToScore` and every start index.
#[test]
fn find_feasible_runs_match_per_node_filtering() {
    use rand::Rng;
    use spread::HardSpread;
    let mut r = rng();
    let mut nodes = Vec::new();
    for i in 0..130 {
        let mut s = node(&format!("n{i:03}"), [1000, 2000, 4000][i % 3], 4 << 30);
        s.labels
            .insert(LABEL_ZONE.into(), format!("z{}", r.random_range(0..3)));
        if i % 5 == 0 {
            s.labels.insert("disk".into(), "ssd".into());
        }
        s.unschedulable = r.random_range(0..15) == 0;
        if r.random_range(0..15) == 0 {
            s.taints = vec![Taint::new("dedicated", "x", TaintEffect::NoSchedule)];
        }
        s.allocatable_pods = r.random_range(3..12);
        nodes.push(s);
    }
    let mut s = Scheduler::new();
    s.cache = cache_with(nodes, &[]);
    for k in 0..600 {
        let mut p = pod(&format!("p{k}"), &[c(r.random_range(0..700), 64 << 20)]);
        p.labels.insert("app".into(), "web".into());
        match r.random_range(0..8) {
            0 => {
                p.node_selector.insert("disk".into(), "ssd".into());
            }
            1 => {
                p.spread_constraints = vec![SpreadConstraint::new(
                    LABEL_ZONE,
                    1,
                    WhenUnsatisfiable::DoNotSchedule,
                    Selector::from_labels(&[("app", "web")]),
                )];
            }
            _ => {}
        }
        s.percentage_of_nodes_to_score = [0, 10, 30, 100][k % 4];
        s.next_start_node_index = r.random_range(0..130);
        // Node by node, as upstream's loop goes.
        let n = s.cache.num_nodes();
        let want = num_feasible_nodes_to_find(s.percentage_of_nodes_to_score, n);
        let pre = PreFilter::new(&p);
        let hard = HardSpread::new(&s.cache, &p);
        let (mut feasible, mut briefs, mut rejected) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..n {
            let slot = s.cache.order()[(s.next_start_node_index + i) % n];
            let mut verdict = run_filters(&pre, &p, &s.cache, slot);
            if verdict.is_none() {
                if let Some(h) = &hard {
                    verdict = h.filter(s.cache.slot(slot)).err().map(|missing| {
                        if missing {
                            Rejection::PodTopologySpreadMissingLabel
                        } else {
                            Rejection::PodTopologySpread
                        }
                    });
                }
            }
            match verdict {
                None if feasible.len() == want => break,
                None => {
                    feasible.push(slot);
                    briefs.push(s.cache.hot(slot).brief());
                }
                Some(rej) => rejected.push((slot, rej)),
            }
        }
        s.find_feasible(&p);
        assert_eq!(s.feasible, feasible, "pod {k}");
        assert_eq!(s.briefs, briefs, "pod {k}");
        assert_eq!(s.rejected, rejected, "pod {k}");
        if let Some(&slot) = feasible.get(r.random_range(0..feasible.len().max(1))) {
            let name = s.cache.slot(slot).spec.name.clone();
            s.cache.add_pod(&name, &p);
        }
    }
}

/// The cache's per-node sums (requests, non-zero requests, pod count, host ports) stay the
/// sums over the pods bound to the node, recomputed from their PodInfos, through binds, moves,
/// terminations and removals of pods with and without ephemeral storage, extended resources
/// and host ports (the pod index keeps those apart, only when present).
#[test]
fn node_sums_follow_the_bound_pods() {
    use rand::Rng;
    let mut r = rng();
    let names: Vec<String> = (0..6).map(|i| format!("n{i}")).collect();
    let mut cache = cache_with(
        names.iter().map(|n| node(n, 64_000, 1 << 40)).collect(),
        &[],
    );
    let mut bound: BTreeMap<String, (String, PodInfo)> = BTreeMap::new();
    for step in 0..2_000 {
        let name = format!("p{}", r.random_range(0..40));
        if r.random_range(0..4) == 0 {
            cache.remove_pod("default", &name);
            bound.remove(&name);
        } else if r.random_range(0..6) == 0 {
            cache.set_pod_terminating("default", &name);
        } else {
            let mut k = c(r.random_range(0..900), r.random_range(0..(1i64 << 30)));
            if r.random_range(0..3) == 0 {
                k.ephemeral_storage = Some(r.random_range(1..1_000));
            }
            if r.random_range(0..3) == 0 {
                k.scalars = vec![("example.com/gpu".into(), r.random_range(1..3))];
            }
            let mut p = pod(&name, &[k]);
            if r.random_range(0..3) == 0 {
                p.host_ports = vec![HostPort {
                    ip: String::new(),
                    protocol: Protocol::Tcp,
                    port: r.random_range(1..5),
                }];
            }
            let on = names[r.random_range(0..names.len())].clone();
            cache.add_pod(&on, &p);
            bound.insert(name, (on, p));
        }
        for n in &names {
            let st = state(&cache, n);
            let pods: Vec<&PodInfo> = bound
                .values()
                .filter(|(on, _)| on == n)
                .map(|(_, p)| p)
                .collect();
            let sum = |f: fn(&PodInfo) -> i64| pods.iter().map(|p| f(p)).sum::<i64>();
            let here = format!("step {step} {n}");
            assert_eq!(
                st.requested.milli_cpu,
                sum(|p| p.requests.milli_cpu),
                "{here}"
            );
            assert_eq!(st.requested.memory, sum(|p| p.requests.memory), "{here}");
            assert_eq!(
                st.requested.ephemeral_storage,
                sum(|p| p.requests.ephemeral_storage),
                "{here}"
            );
            assert_eq!(
                st.requested.scalar("example.com/gpu"),
                sum(|p| p.requests.scalar("example.com/gpu")),
                "{here}"
            );
            assert_eq!(
                st.non_zero_milli_cpu,
                sum(|p| p.non_zero_requests.milli_cpu),
                "{here}"
            );
            assert_eq!(
                st.non_zero_memory,
                sum(|p| p.non_zero_requests.memory),
                "{here}"
            );
            assert_eq!(st.pod_count, pods.len() as i64, "{here}");
            let mut ports: Vec<u16> = st.used_ports.iter().map(|h| h.port).collect();
            let mut want: Vec<u16> = pods
                .iter()
                .flat_map(|p| p.host_ports.iter().map(|h| h.port))
                .collect();
            ports.sort_unstable();
            want.sort_unstable();
            assert_eq!(ports, want, "{here}");
        }
    }
}
