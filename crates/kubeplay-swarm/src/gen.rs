//! Scenario generation: one seed in, a whole [`Scenario`] out (cluster, manifests, script).
//!
//! Everything is drawn from one ChaCha8 stream seeded with the scenario seed, in a fixed
//! order, so a seed names a scenario forever (on this commit). The output is plain text in
//! the playground's own languages — YAML files and a kubectl-style script — so a failing
//! scenario is something a user can read, edit and rerun with `kubeplay run`, not an opaque
//! byte string. Swarm testing (VOPR's `options_swarm`): the seed also picks *which* features
//! are on, so some scenarios hammer rollouts with no faults (where maxUnavailable is a hard
//! promise) and others kill nodes while load runs.
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;

/// Which phase a script line belongs to: faults happen only in `Safety`; `Liveness` lines
/// heal the cluster and wait (madsim/VOPR: safety first, then "core converges").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Setup, changes and faults: only safety invariants are checked.
    Safety,
    /// Healing and waiting; liveness is checked after the last line.
    Liveness,
}

/// One line of a scenario script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The command, as a `kubeplay run` script line.
    pub line: String,
    /// Its phase.
    pub phase: Phase,
}

/// A generated scenario: a cluster file, manifest files and a script over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The seed (also the simulator's seed).
    pub seed: u64,
    /// InstanceGroups defining the cluster (`kubeplay run --cluster cluster.yaml`).
    pub cluster: String,
    /// Manifest files the script applies, (name, YAML).
    pub files: Vec<(String, String)>,
    /// The script.
    pub steps: Vec<Step>,
    /// No faults at all: rollouts must respect maxUnavailable exactly.
    pub calm: bool,
}

/// Machine types the generator picks from (a spread of shapes, small ones to make capacity
/// pressure common).
const MACHINES: &[&str] = &[
    "t3.small",
    "t3.medium",
    "t3.large",
    "m5.large",
    "c5.large",
    "t3.xlarge",
];
/// Zones of the generated cluster's subnets.
const ZONES: &[&str] = &["eu-west-1a", "eu-west-1b", "eu-west-1c"];
/// Bound on how long liveness may take after faults stop (virtual time, in `sleep 60s` lines).
pub const LIVENESS_MINUTES: u32 = 10;

/// A deployment being generated, with what later steps need to know about it.
struct Dep {
    name: String,
    versions: u32,
    has_service: bool,
    service_type: &'static str,
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

fn chance(rng: &mut ChaCha8Rng, percent: u32) -> bool {
    rng.random_range(0..100) < percent
}

/// Instance groups: 1–3 worker groups plus the control plane, random shapes and zones.
/// Returns the YAML and the (name, taint key) of each worker group.
fn cluster(rng: &mut ChaCha8Rng) -> (String, Vec<(String, Option<String>)>) {
    let mut y = String::new();
    y.push_str("apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: control-plane-eu-west-1a\nspec:\n  role: Master\n  machineType: t3.medium\n  minSize: 1\n  maxSize: 1\n  subnets:\n  - eu-west-1a\n");
    let groups = rng.random_range(1..=3);
    let mut out = Vec::new();
    for g in 0..groups {
        let name = format!("nodes-{g}");
        let min = rng.random_range(1..=3);
        let max = min + rng.random_range(0..=2);
        let machine = *pick(rng, MACHINES);
        let zones = rng.random_range(1..=ZONES.len());
        let first = rng.random_range(0..ZONES.len());
        let _ = write!(
            y,
            "---\napiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: {name}\nspec:\n  role: Node\n  machineType: {machine}\n  minSize: {min}\n  maxSize: {max}\n  subnets:\n"
        );
        for z in 0..zones {
            let _ = writeln!(y, "  - {}", ZONES[(first + z) % ZONES.len()]);
        }
        let _ = write!(y, "  nodeLabels:\n    pool: {name}\n");
        // Only later groups are tainted, so the first group always takes untolerating pods.
        let taint = (g > 0 && chance(rng, 40)).then(|| format!("dedicated-{g}"));
        if let Some(t) = &taint {
            let _ = write!(y, "  taints:\n  - {t}=yes:NoSchedule\n");
        }
        out.push((name, taint));
    }
    (y, out)
}

fn quantity_cpu(rng: &mut ChaCha8Rng) -> String {
    format!("{}m", 50 * rng.random_range(1..=10))
}

fn quantity_mem(rng: &mut ChaCha8Rng) -> String {
    format!("{}Mi", 32 * rng.random_range(1..=16))
}

fn int_or_percent(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..5) {
        0 => "25%".into(),
        1 => "50%".into(),
        n => (n - 2).to_string(),
    }
}

/// One version of a Deployment manifest (`version` changes the image, maybe requests).
fn deployment(
    rng: &mut ChaCha8Rng,
    name: &str,
    version: u32,
    groups: &[(String, Option<String>)],
) -> String {
    let replicas = rng.random_range(0..=5);
    let mut y = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {name}\n"
    );
    if chance(rng, 25) {
        y.push_str("  strategy:\n    type: Recreate\n");
    } else if chance(rng, 70) {
        let (mut surge, mut unavail) = (int_or_percent(rng), int_or_percent(rng));
        if surge == "0" && unavail == "0" {
            // Both zero is rejected by validation; keep the scenario about behaviour.
            surge = "1".into();
            if chance(rng, 50) {
                std::mem::swap(&mut surge, &mut unavail);
            }
        }
        let _ = write!(
            y,
            "  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: {}\n      maxUnavailable: {}\n",
            yaml_scalar(&surge),
            yaml_scalar(&unavail)
        );
    }
    if chance(rng, 30) {
        let _ = writeln!(y, "  minReadySeconds: {}", rng.random_range(1..=5));
    }
    let _ = write!(
        y,
        "  template:\n    metadata:\n      labels:\n        app: {name}\n"
    );
    if chance(rng, 20) {
        let _ = write!(
            y,
            "      annotations:\n        kubeplay.dev/startup-time: {}s\n",
            rng.random_range(1..=10)
        );
    }
    y.push_str("    spec:\n");
    // Placement constraints, each satisfiable by at least one generated group.
    let (gname, taint) = pick(rng, groups).clone();
    let mut tolerations = Vec::new();
    if let Some(t) = &taint {
        if chance(rng, 60) {
            tolerations.push(format!("      - key: {t}\n        operator: Equal\n        value: \"yes\"\n        effect: NoSchedule\n"));
            if chance(rng, 50) {
                let _ = write!(y, "      nodeSelector:\n        pool: {gname}\n");
            }
        }
    } else if chance(rng, 20) {
        let _ = write!(y, "      nodeSelector:\n        pool: {gname}\n");
    }
    if chance(rng, 30) {
        let secs = rng.random_range(0..=60);
        tolerations.push(format!(
            "      - key: node.kubernetes.io/unreachable\n        operator: Exists\n        effect: NoExecute\n        tolerationSeconds: {secs}\n      - key: node.kubernetes.io/not-ready\n        operator: Exists\n        effect: NoExecute\n        tolerationSeconds: {secs}\n"
        ));
    }
    if !tolerations.is_empty() {
        y.push_str("      tolerations:\n");
        for t in tolerations {
            y.push_str(&t);
        }
    }
    match rng.random_range(0..6) {
        0 => {
            let zones = rng.random_range(1..=2);
            let first = rng.random_range(0..ZONES.len());
            y.push_str("      affinity:\n        nodeAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 50\n            preference:\n              matchExpressions:\n              - key: topology.kubernetes.io/zone\n                operator: In\n                values:\n");
            for z in 0..zones {
                let _ = writeln!(y, "                - {}", ZONES[(first + z) % ZONES.len()]);
            }
        }
        1 => {
            let _ = write!(
                y,
                "      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 100\n            podAffinityTerm:\n              topologyKey: kubernetes.io/hostname\n              labelSelector:\n                matchLabels:\n                  app: {name}\n"
            );
        }
        2 => {
            let _ = write!(
                y,
                "      topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: topology.kubernetes.io/zone\n        whenUnsatisfiable: ScheduleAnyway\n        labelSelector:\n          matchLabels:\n            app: {name}\n"
            );
        }
        _ => {}
    }
    let _ = write!(
        y,
        "      containers:\n      - name: app\n        image: nginx:1.{}\n        ports:\n        - containerPort: 80\n",
        25 + version
    );
    if chance(rng, 85) {
        let _ = write!(y, "        resources:\n          requests:\n            cpu: {}\n            memory: {}\n", quantity_cpu(rng), quantity_mem(rng));
    }
    if chance(rng, 60) {
        let _ = write!(
            y,
            "        readinessProbe:\n          httpGet:\n            path: /\n            port: 80\n          initialDelaySeconds: {}\n          periodSeconds: {}\n",
            rng.random_range(0..=5),
            rng.random_range(1..=5)
        );
    }
    if chance(rng, 30) {
        let _ = write!(
            y,
            "        livenessProbe:\n          httpGet:\n            path: /\n            port: 80\n          initialDelaySeconds: {}\n          periodSeconds: 10\n",
            rng.random_range(10..=20)
        );
    }
    y
}

fn yaml_scalar(s: &str) -> String {
    if s.ends_with('%') {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

fn service(name: &str, type_: &str) -> String {
    let mut y = format!(
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  type: {}\n",
        if type_ == "Headless" {
            "ClusterIP"
        } else {
            type_
        }
    );
    if type_ == "Headless" {
        y.push_str("  clusterIP: None\n");
    }
    let _ = write!(y, "  selector:\n    app: {name}\n  ports:\n  - name: http\n    port: 80\n    targetPort: 80\n");
    y
}

/// `$(…)` naming the `index`-th object of a listing, resolved when the line runs.
fn nth(what: &str, index: usize) -> String {
    format!("$(kubectl get {what} -o jsonpath='{{.items[{index}].metadata.name}}')")
}

/// Build the scenario of `seed`.
pub fn generate(seed: u64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (cluster, groups) = cluster(&mut rng);
    let calm = chance(&mut rng, 25);
    let n_deps = rng.random_range(1..=4);
    let mut files = Vec::new();
    let mut deps = Vec::new();
    let mut steps = Vec::new();
    let safety = |line: String| Step {
        line,
        phase: Phase::Safety,
    };
    for i in 0..n_deps {
        let name = format!("d{i}");
        let versions = rng.random_range(1..=3);
        let has_service = chance(&mut rng, 70);
        let service_type = *pick(
            &mut rng,
            &["ClusterIP", "NodePort", "LoadBalancer", "Headless"],
        );
        for v in 0..versions {
            let mut text = deployment(&mut rng, &name, v, &groups);
            if has_service {
                text.push_str(&service(&name, service_type));
            }
            let file = if v == 0 {
                format!("{name}.yaml")
            } else {
                format!("{name}-v{}.yaml", v + 1)
            };
            files.push((file, text));
        }
        steps.push(safety(format!("kubectl apply -f {name}.yaml")));
        deps.push(Dep {
            name,
            versions,
            has_service,
            service_type,
        });
    }
    steps.push(safety("sleep 30s".into()));
    let actions = rng.random_range(8..=24);
    for _ in 0..actions {
        let d = &deps[rng.random_range(0..deps.len())];
        let n = &d.name;
        let roll = rng.random_range(0..100);
        let line = match roll {
            0..=11 => {
                let v = rng.random_range(0..d.versions);
                let file = if v == 0 {
                    format!("{n}.yaml")
                } else {
                    format!("{n}-v{}.yaml", v + 1)
                };
                format!("kubectl apply -f {file}")
            }
            12..=21 => format!(
                "kubectl scale deployment/{n} --replicas={}",
                rng.random_range(0..=8)
            ),
            22..=27 => format!(
                "kubectl set image deployment/{n} app=nginx:1.{}",
                rng.random_range(20..=30)
            ),
            28..=31 => format!("kubectl rollout restart deployment/{n}"),
            32..=33 => format!("kubectl rollout undo deployment/{n}"),
            34..=35 => format!("kubectl rollout pause deployment/{n}"),
            36..=38 => format!("kubectl rollout resume deployment/{n}"),
            39..=40 => format!("kubectl delete deployment {n}"),
            41..=43 => format!(
                "kubectl delete pod {}",
                nth(&format!("pods -l app={n}"), rng.random_range(0..3))
            ),
            44..=47 if d.has_service && d.service_type != "Headless" => format!("curl http://{n}/"),
            48..=51 if d.has_service && d.service_type != "Headless" => {
                format!(
                    "sim load http://{n}/ --rps {} --for {}s",
                    10 * rng.random_range(1..=50),
                    rng.random_range(1..=20)
                )
            }
            52..=53 => format!(
                "kubectl cordon {}",
                nth("nodes -l pool", rng.random_range(0..4))
            ),
            54..=55 => format!(
                "kubectl uncordon {}",
                nth("nodes -l pool", rng.random_range(0..4))
            ),
            56..=59 if !calm => format!(
                "sim crash pod/{}",
                nth(&format!("pods -l app={n}"), rng.random_range(0..3))
            ),
            60..=64 if !calm => format!(
                "sim terminate node/{}",
                nth("nodes -l pool", rng.random_range(0..4))
            ),
            65..=69 if !calm => format!(
                "sim stop node/{}",
                nth("nodes -l pool", rng.random_range(0..4))
            ),
            70..=72 if !calm => format!(
                "sim start node/{}",
                nth("nodes -l pool", rng.random_range(0..4))
            ),
            73..=75 if !calm => {
                let (g, _) = pick(&mut rng, &groups).clone();
                let min = rng.random_range(0..=3);
                format!(
                    "kops edit ig {g} --min {min} --max {}",
                    min + rng.random_range(0..=2)
                )
            }
            76..=77 if d.has_service => format!("kubectl delete service {n}"),
            _ => format!("sleep {}s", rng.random_range(1..=60)),
        };
        steps.push(safety(line));
        if chance(&mut rng, 50) {
            steps.push(safety(format!("sleep {}s", rng.random_range(1..=20))));
        }
    }
    // Faults stop: heal every node (start kubelets, uncordon), let paused rollouts go on, and
    // bring every group back to at least one node, then wait for convergence.
    let live = |line: String| Step {
        line,
        phase: Phase::Liveness,
    };
    for (g, _) in &groups {
        steps.push(live(format!("kops edit ig {g} --min 1 --max 4")));
    }
    for i in 0..12 {
        steps.push(live(format!("sim start node/{}", nth("nodes -l pool", i))));
        steps.push(live(format!(
            "kubectl uncordon {}",
            nth("nodes -l pool", i)
        )));
    }
    for d in &deps {
        steps.push(live(format!(
            "kubectl rollout resume deployment/{}",
            d.name
        )));
    }
    for _ in 0..LIVENESS_MINUTES {
        steps.push(live("sleep 60s".into()));
    }
    Scenario {
        seed,
        cluster,
        files,
        steps,
        calm,
    }
}

impl Scenario {
    /// The scenario as files a user can save and rerun: the script first, then each file
    /// after a `# ==> NAME <==` header (the `tail` convention).
    pub fn render(&self) -> String {
        let mut s = format!(
            "# ==> swarm-{seed}.kp <==\n# kubeplay run --seed {seed} --cluster cluster.yaml swarm-{seed}.kp\n",
            seed = self.seed
        );
        for st in &self.steps {
            s.push_str(&st.line);
            s.push('\n');
        }
        let _ = write!(s, "\n# ==> cluster.yaml <==\n{}", self.cluster);
        for (name, text) in &self.files {
            if self.steps.iter().any(|st| st.line.contains(name.as_str())) {
                let _ = write!(s, "\n# ==> {name} <==\n{text}");
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_scenario_and_seeds_differ() {
        assert_eq!(generate(7), generate(7));
        assert_ne!(generate(7).render(), generate(8).render());
    }

    #[test]
    fn generated_manifests_load_without_errors() {
        for seed in 0..50 {
            let sc = generate(seed);
            for (name, text) in std::iter::once(("cluster.yaml".to_string(), sc.cluster.clone()))
                .chain(sc.files.clone())
            {
                let loaded = kubeplay_api::load(&text);
                let errors: Vec<String> = loaded
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| d.to_string())
                    .collect();
                assert!(errors.is_empty(), "seed={seed} {name}: {errors:?}\n{text}");
            }
        }
    }
}
