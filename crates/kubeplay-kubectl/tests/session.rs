//! The command layer end to end on a real simulator: round trips through the manifests
//! loader, determinism, completion, and a no-panic fuzz of the line grammar.
#![cfg(feature = "engine")]
use kubeplay_kubectl::{command::parse_line, MemFiles, Session};

fn hello_files() -> MemFiles {
    MemFiles {
        files: vec![(
            "hello-world.yaml".into(),
            include_str!("../../../static/examples/hello-world.yaml").into(),
        )],
    }
}

fn running_session(seed: u64) -> Session {
    let mut s = Session::new(seed);
    let files = hello_files();
    let out = s.run_line_with("kubectl apply -f hello-world.yaml", &files);
    assert!(out.ok, "seed={seed}: {}", out.text);
    let out = s.run_line("kubectl rollout status deployment/hello-world-deployment");
    assert!(out.ok, "seed={seed}: {}", out.text);
    s
}

#[test]
fn get_pods_json_and_yaml_load_back() {
    let mut s = running_session(7);
    for fmt in ["json", "yaml"] {
        let out = s.run_line(&format!("kubectl get pods -o {fmt}"));
        assert!(out.ok, "seed=7: {}", out.text);
        let loaded = kubeplay_api::load(&out.text);
        let errors: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.render())
            .collect();
        assert!(
            errors.is_empty(),
            "seed=7 -o {fmt}: {errors:?}\n{}",
            out.text
        );
        assert_eq!(loaded.objects.len(), 2, "seed=7 -o {fmt}");
        assert!(loaded
            .objects
            .iter()
            .all(|o| o.object.kind().as_str() == "Pod"));
        let first = &loaded.objects[0].object;
        assert!(first.meta().uid.is_some() && first.meta().resource_version.is_some());
        assert!(
            !first.meta().owner_references.is_empty(),
            "ownerReferences survive"
        );
    }
    // a single object prints bare (no List) and loads back too
    let name = s
        .run_line("kubectl get pods -o jsonpath={.items[0].metadata.name}")
        .text;
    let one = s.run_line(&format!("kubectl get pod {} -o json", name.trim()));
    assert!(
        one.text
            .starts_with("{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\""),
        "{}",
        one.text
    );
    assert_eq!(kubeplay_api::load(&one.text).objects.len(), 1);
}

#[test]
fn same_seed_same_output() {
    let script = "kubectl apply -f hello-world.yaml\nkubectl get pods -o wide\nsleep 30s\nkubectl get pods -o wide\nkubectl describe deploy\n";
    let a = Session::new(3).run_script(script, &hello_files(), false);
    let b = Session::new(3).run_script(script, &hello_files(), false);
    assert_eq!(a, b, "seed=3");
}

#[test]
fn completion() {
    let s = running_session(1);
    assert_eq!(s.complete("kub"), ["kubectl"]);
    assert!(s.complete("kubectl ge").contains(&"get".to_string()));
    assert!(s.complete("kubectl get po").contains(&"pods".to_string()));
    let pods = s.complete("kubectl get pods hello");
    assert_eq!(pods.len(), 2, "{pods:?}");
    assert!(s
        .complete("kubectl rollout ")
        .contains(&"status".to_string()));
    assert_eq!(
        s.complete("kubectl rollout status dep"),
        ["deployment/hello-world-deployment"]
    );
    assert!(s
        .complete("kubectl get pods --sh")
        .contains(&"--show-labels".to_string()));
    assert_eq!(s.complete("sim terminate node/ip-172-20-3").len(), 1);
    assert!(s.complete("kubectl 'unterminated").is_empty());
    assert_eq!(
        s.complete("kubectl -n default get deploy hel"),
        ["hello-world-deployment"]
    );
}

#[test]
fn script_reports_failing_lines() {
    let mut s = Session::new(1);
    let out = s.run_script(
        "# comment\n\nkubectl get nodes\nkubectl get pdos\nkubectl get ns\n",
        &MemFiles::default(),
        false,
    );
    assert_eq!(out.failures.len(), 1);
    assert_eq!(out.failures[0].line, 4);
    assert!(out.transcript.starts_with("$ kubectl get nodes\n"));
    assert!(out.transcript.contains("$ kubectl get pdos\nerror: the server doesn't have a resource type \"pdos\"\n$ kubectl get ns\n"));
    let mut s = Session::new(1);
    let out = s.run_script(
        "kubectl get pdos\nkubectl get ns\n",
        &MemFiles::default(),
        true,
    );
    assert!(out.stopped && !out.transcript.contains("get ns"));
}

/// Small deterministic xorshift generator: the fuzz cases are the same on every run.
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        let n = u64::try_from(xs.len()).unwrap_or(1);
        xs[usize::try_from(self.next() % n).unwrap_or(0)]
    }
}

const TOKENS: &[&str] = &[
    "kubectl",
    "k",
    "get",
    "describe",
    "delete",
    "apply",
    "create",
    "deployment",
    "service",
    "nodeport",
    "rollout",
    "status",
    "undo",
    "history",
    "set",
    "image",
    "scale",
    "label",
    "annotate",
    "top",
    "pods",
    "po",
    "deploy/x",
    "svc",
    "all",
    "nodes",
    "-o",
    "-ojson",
    "-o=yaml",
    "json",
    "wide",
    "jsonpath={.items[*]}",
    "jsonpath={range .items[*]}{.x}{end}",
    "custom-columns=A:.a,B:.b",
    "custom-columns=bad",
    "--sort-by=.metadata.name",
    "-l",
    "app=x",
    "app in (a,b)",
    "-A",
    "-Aw",
    "--field-selector",
    "spec.nodeName=x",
    "-n",
    "kube-system",
    "--",
    "-",
    "-f",
    "x.yaml",
    "--replicas=2",
    "--replicas",
    "x=y",
    "x-",
    "'",
    "\"",
    "\\",
    "#",
    "sleep",
    "5m",
    "1h30m",
    "sim",
    "terminate",
    "node/x",
    "crash",
    "pod/",
    "load",
    "--rps",
    "0",
    "kops",
    "edit",
    "ig",
    "curl",
    "http://x/",
    "--timeout=0s",
    "--for=delete",
    "--for=condition=Ready",
    "",
    "{",
    "}",
    "[",
    "]",
    "é",
    "\t",
    "--cascade",
    "--grace-period=-1",
    "=",
    "/",
    "//",
    "a/b/c",
];

#[test]
fn fuzz_parser_and_session_never_panic() {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    // the grammar alone: many cases
    for _ in 0..3000 {
        let n = g.next() % 8;
        let line: Vec<&str> = (0..n).map(|_| g.pick(TOKENS)).collect();
        let _ = parse_line(&line.join(" "));
    }
    // raw bytes too
    for _ in 0..1000 {
        let n = usize::try_from(g.next() % 40).unwrap_or(0);
        let bytes: Vec<u8> = (0..n)
            .map(|_| u8::try_from(g.next() % 128).unwrap_or(b' '))
            .collect();
        let _ = parse_line(&String::from_utf8_lossy(&bytes));
    }
    // through a live session: fewer cases (each may advance virtual time)
    let mut s = running_session(5);
    for _ in 0..300 {
        let n = 1 + g.next() % 6;
        let mut line = vec![g.pick(&["kubectl", "sim", "kops", "curl", "k"])];
        line.extend((0..n).map(|_| g.pick(TOKENS)));
        let _ = s.run_line(&line.join(" "));
    }
}

/// `sim load` asking for more than one run may do is refused at once, naming the limit, and
/// leaves virtual time alone; a run at the limit still works.
#[test]
fn huge_load_is_refused_with_the_limit() {
    let mut s = running_session(5);
    let svc = "http://$(kubectl get svc hello-world-lb -o jsonpath='{.spec.clusterIP}')/";
    let before = s.run_line("kubectl get pods").text;
    let out = s.run_line(&format!("sim load {svc} --rps 100000000 --for 1000000h"));
    assert!(!out.ok);
    assert!(
        out.text
            .contains("over the limit of 1h0m0s of virtual time per load run"),
        "{}",
        out.text
    );
    let out = s.run_line(&format!("sim load {svc} --rps 100000000 --for 1h"));
    assert!(!out.ok);
    assert!(
        out.text
            .contains("is 360000000000 requests, over the limit of 1000000 requests per load run"),
        "{}",
        out.text
    );
    let out = s.run_line(&format!("sim load {svc} --rps 99999999999 --for 1s"));
    assert!(!out.ok, "{}", out.text);
    let out = s.run_line(&format!(
        "sim load {svc} --rps 1000 --for 1000000000000000h"
    ));
    assert!(!out.ok, "{}", out.text);
    // nothing ran: same pods, same ages
    assert_eq!(s.run_line("kubectl get pods").text, before);
    let out = s.run_line(&format!("sim load {svc} --rps 1000000 --for 1s"));
    assert!(out.ok, "{}", out.text);
    assert!(out.text.contains("1000000 requests in 1s"), "{}", out.text);
}

/// The service controller's load-balancer events, in `get events` and `describe svc`.
#[test]
fn load_balancer_events_from_the_service_controller() {
    let mut s = running_session(5);
    // the ELB is still provisioning: only "Ensuring" so far
    let out = s.run_line("kubectl get events --field-selector involvedObject.kind=Service");
    assert!(out.ok, "{}", out.text);
    assert!(out.text.contains("EnsuringLoadBalancer"), "{}", out.text);
    assert!(!out.text.contains("EnsuredLoadBalancer"), "{}", out.text);
    s.run_line("sleep 60s");
    let events =
        "kubectl get events --field-selector involvedObject.kind=Service --sort-by=.lastTimestamp";
    let out = s.run_line(events);
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.text);
    assert!(
        lines[1].contains("EnsuringLoadBalancer") && lines[1].contains("service/hello-world-lb")
    );
    assert!(lines[2].contains("EnsuredLoadBalancer") && lines[2].contains("Ensured load balancer"));
    // deleting the Service deletes its ELB: two more events, still listed
    assert!(s.run_line("kubectl delete svc hello-world-lb").ok);
    let out = s.run_line(events);
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(lines.len(), 5, "{}", out.text);
    assert!(
        lines[3].contains("DeletingLoadBalancer") && lines[3].contains("Deleting load balancer")
    );
    assert!(
        lines[4].contains("DeletedLoadBalancer") && lines[4].contains("service/hello-world-lb")
    );
}

#[test]
fn describe_svc_lists_the_load_balancer_events() {
    let mut s = running_session(5);
    s.run_line("sleep 60s");
    let out = s.run_line("kubectl describe svc hello-world-lb");
    assert!(
        out.text.contains("Normal  EnsuredLoadBalancer ")
            && out.text.contains("service-controller"),
        "{}",
        out.text
    );
}

/// `kubectl logs` shows the requests `sim load` sent, newest last, bounded like a rotated
/// container log, with `--tail`.
#[test]
fn logs_include_load_traffic_bounded() {
    let mut s = running_session(5);
    let pod = s
        .run_line("kubectl get pods -o jsonpath='{.items[0].metadata.name}'")
        .text;
    let svc = "http://$(kubectl get svc hello-world-lb -o jsonpath='{.spec.clusterIP}')/";
    assert!(s.run_line(&format!("curl {svc}")).ok);
    let out = s.run_line(&format!("sim load {svc}healthz --rps 100 --for 2s"));
    assert!(out.ok, "{}", out.text);
    let out = s.run_line(&format!("kubectl logs {pod}"));
    assert!(out.ok, "{}", out.text);
    let lines: Vec<&str> = out.text.lines().collect();
    // about half of 200 load requests, plus possibly the curl
    assert!(lines.len() > 60 && lines.len() < 140, "{}", lines.len());
    assert!(lines
        .iter()
        .all(|l| l.contains(" - - [01/Jan/2026 ") && l.ends_with("HTTP/1.1\" 200 -")));
    assert!(lines[lines.len() - 1].contains("\"GET /healthz HTTP/1.1\""));
    let out = s.run_line(&format!("kubectl logs {pod} --tail=3"));
    assert_eq!(out.text.lines().count(), 3, "{}", out.text);
    assert_eq!(out.text.lines().last(), lines.last().copied());
    // a long run keeps only the newest lines
    assert!(
        s.run_line(&format!("sim load {svc} --rps 1000 --for 10s"))
            .ok
    );
    let out = s.run_line(&format!("kubectl logs {pod}"));
    assert_eq!(
        out.text.lines().count(),
        kubeplay_core::network::access::ACCESS_LOG_LINES,
    );
    assert!(!out.text.contains("/healthz"), "the old lines rotated out");
}

/// Event names are client-go's `<object>.<hex Unix ns of creation>`, and `get events` lists in
/// the API server's name order: grouped by object and, within one, oldest first; every name is
/// unique even when one object has several events in the same virtual ms.
#[test]
fn get_events_lists_in_name_order_which_is_time_order_per_object() {
    let mut s = running_session(5);
    s.run_line("sleep 60s");
    let cols = "kubectl get events --no-headers -o custom-columns=NAME:.metadata.name,OBJ:.involvedObject.name,FIRST:.firstTimestamp";
    let out = s.run_line(cols);
    assert!(out.ok, "{}", out.text);
    let rows: Vec<Vec<&str>> = out
        .text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(rows.len() > 10, "{}", out.text);
    let names: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "{}", out.text);
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "{}", out.text);
    for r in &rows {
        let (object, hex) = r[0].rsplit_once('.').unwrap();
        assert_eq!(object, r[1], "{}", r[0]);
        let ns = u64::from_str_radix(hex, 16).unwrap();
        let first = kubeplay_kubectl::duration::parse_rfc3339_ms(r[2]).unwrap();
        // firstTimestamp is the creation time to the second; the name has it to the ns
        assert_eq!(
            i64::try_from(ns / 1_000_000_000).unwrap(),
            first / 1000,
            "{r:?}"
        );
    }
    for w in rows.windows(2) {
        if w[0][1] == w[1][1] {
            assert!(w[0][2] <= w[1][2], "{w:?}");
        }
    }
    // --sort-by still reorders the list
    let out = s.run_line(&format!("{cols} --sort-by=.lastTimestamp"));
    let last = s.run_line("kubectl get events --no-headers --sort-by=.lastTimestamp -o custom-columns=LAST:.lastTimestamp");
    let lasts: Vec<&str> = last.text.lines().collect();
    assert!(lasts.windows(2).all(|w| w[0] <= w[1]), "{}", last.text);
    assert_eq!(out.text.lines().count(), rows.len());
}

/// `sim load … --background` returns at once and the run goes on as time passes (the
/// playground's Start load button); `sim load --stop URL` ends it early with its summary.
#[test]
fn background_load_runs_with_time_and_stops() {
    let mut s = running_session(5);
    let t0 = s.now_ms();
    let out = s.run_line("sim load http://hello-world-lb --rps 20 --for 5m --background");
    assert!(out.ok, "{}", out.text);
    assert!(
        out.text
            .starts_with("load 1 started: http://hello-world-lb at 20/s for 5m0s"),
        "{}",
        out.text
    );
    assert!(
        s.now_ms() - t0 <= 1_000,
        "a background load does not block: {}",
        s.now_ms() - t0
    );
    let out = s.run_line("sleep 10");
    assert!(out.ok, "{}", out.text);
    let out = s.run_line("sim load --stop http://hello-world-lb");
    assert!(out.ok, "{}", out.text);
    assert!(
        out.text
            .starts_with("load 1 stopped: http://hello-world-lb: "),
        "{}",
        out.text
    );
    let sent: u64 = out
        .text
        .split(": ")
        .nth(2)
        .and_then(|x| x.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        (150..=260).contains(&sent),
        "about 10 s at 20/s: {}",
        out.text
    );
    let out = s.run_line("sim load --stop");
    assert!(!out.ok);
    assert_eq!(out.text.trim_end(), "error: no load running");
}

/// `advance_within` cut after every simulator event — through an instance termination, whose
/// node-lifecycle and kops controllers tick between events — reaches exactly the state of
/// `advance_to` run straight: the same trace hash and the same `get pods`.
#[test]
fn an_advance_cut_between_events_equals_a_straight_one() {
    let run = |cut: bool| {
        let mut s = running_session(21);
        let node = s
            .run_line("kubectl get pods -o jsonpath={.items[0].spec.nodeName}")
            .text;
        let out = s.run_line(&format!("sim terminate node/{}", node.trim()));
        assert!(out.ok, "{}", out.text);
        let (mut calls, mut cuts) = (0u64, 0u64);
        let end = s.sim().now_ms() + 300_000;
        let mut t = s.sim().now_ms();
        while t < end {
            t += 50;
            if cut {
                while !s.advance_within(t, &mut || false) {
                    cuts += 1;
                    assert!(s.advancing());
                }
            } else {
                s.advance_to(t);
            }
            calls += 1;
        }
        assert!(!s.advancing());
        assert_eq!(s.sim().now_ms(), end, "after {calls} steps");
        let pods = s.run_line("kubectl get pods -o wide").text;
        (s.sim().trace_hash(), pods, cuts)
    };
    let (straight, cut) = (run(false), run(true));
    assert!(cut.2 > 0, "no advance was ever cut");
    assert_eq!(straight.0, cut.0);
    assert_eq!(straight.1, cut.1);
}

/// An object that does not decode as its kind is the API server's 400 for that object alone:
/// `error when creating` while it does not exist, `error when applying patch` once it does;
/// the file's other objects apply, and `delete -f` still names it.
#[test]
fn a_mistyped_object_is_refused_alone_and_still_named_by_the_file() {
    let mistyped = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: team\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: team\nspec:\n  replicas: two\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx\n";
    let files = MemFiles {
        files: vec![("m.yaml".into(), mistyped.into())],
    };
    let refusal = "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32";
    let mut s = Session::new(3);
    assert!(s.run_line("kubectl create namespace team").ok);
    let out = s.run_line_with("kubectl apply -f m.yaml", &files);
    assert!(!out.ok);
    assert_eq!(
        out.text,
        format!("service/s created\nError from server (BadRequest): error when creating \"m.yaml\": {refusal}\n")
    );
    // once a Deployment of that name exists, kubectl's apply is a patch
    assert!(
        s.run_line("kubectl create deployment web --image=nginx -n team")
            .ok
    );
    let out = s.run_line_with("kubectl apply -f m.yaml", &files);
    assert!(!out.ok);
    assert_eq!(
        out.text,
        format!("service/s unchanged\nError from server (BadRequest): error when applying patch \"m.yaml\": {refusal}\n")
    );
    // create -f always creates: the Service exists, the Deployment is still refused
    let out = s.run_line_with("kubectl create -f m.yaml", &files);
    assert!(
        out.text
            .contains(&format!("error when creating \"m.yaml\": {refusal}")),
        "{}",
        out.text
    );
    let out = s.run_line_with("kubectl delete -f m.yaml", &files);
    assert!(out.ok, "{}", out.text);
    assert!(out.text.contains("service \"s\" deleted"), "{}", out.text);
    assert!(
        out.text.contains("deployment.apps \"web\" deleted"),
        "{}",
        out.text
    );
}

/// `--validate` as kubectl v1.34 has it (`GetValidationDirective`): by default (strict) the
/// API server refuses an object with a field its kind does not have, naming every such field;
/// `warn` applies it with one warning per field; `false`/`ignore` apply it silently; anything
/// else is kubectl's own error. The file's other objects apply in every mode.
#[test]
fn unknown_fields_follow_the_validate_directive() {
    let typo = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replica: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let files = MemFiles {
        files: vec![("typo.yaml".into(), typo.into())],
    };
    let mut s = Session::new(4);
    for flag in ["", " --validate", " --validate=true", " --validate=strict"] {
        let out = s.run_line_with(&format!("kubectl apply -f typo.yaml{flag}"), &files);
        assert!(!out.ok, "{flag}: {}", out.text);
        assert!(
            out.text.ends_with("Error from server (BadRequest): error when creating \"typo.yaml\": Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\", unknown field \"spec.template.spec.containers[0].port\"\n"),
            "{flag}: {}",
            out.text
        );
        assert!(!out.text.contains("Warning"), "{flag}: {}", out.text);
        assert!(s.run_line("kubectl get svc web").ok, "the Service applies");
        assert!(!s.run_line("kubectl get deploy web").ok, "{flag}: refused");
    }
    let out = s.run_line_with("kubectl apply -f typo.yaml --validate=warn", &files);
    assert!(out.ok, "{}", out.text);
    assert_eq!(
        out.text,
        "Warning: unknown field \"spec.replica\"\nWarning: unknown field \"spec.template.spec.containers[0].port\"\ndeployment.apps/web created\nservice/web unchanged\n"
    );
    assert!(s.run_line("kubectl delete deploy web").ok);
    for flag in ["false", "ignore"] {
        let out = s.run_line_with(
            &format!("kubectl apply -f typo.yaml --validate={flag}"),
            &files,
        );
        assert_eq!(
            (out.ok, out.text.as_str()),
            (true, "deployment.apps/web created\nservice/web unchanged\n"),
            "{flag}"
        );
        assert!(s.run_line("kubectl delete deploy web").ok);
    }
    let out = s.run_line_with("kubectl create -f typo.yaml --validate=maybe", &files);
    assert_eq!(
        (out.ok, out.text.trim_end()),
        (false, "error: invalid - validate option \"maybe\"; must be one of: strict (or true), warn, ignore (or false)")
    );
}

/// `get -o json` shows a pod the way the API server serializes it: the IP lists next to
/// `podIP`/`hostIP`, `lastProbeTime: null` on conditions, `lastState: {}` and `resources: {}`,
/// and v1.34's `observedGeneration` on the status and each condition.
#[test]
fn a_pod_reads_like_the_api_server_serializes_it() {
    let mut s = running_session(11);
    let out = s.run_line("kubectl get pods -o json");
    assert!(out.ok, "{}", out.text);
    let list: serde_json::Value = serde_json::from_str(&out.text).expect("json");
    let pod = &list["items"][0];
    let status = &pod["status"];
    assert_eq!(
        status["podIPs"],
        serde_json::json!([{"ip": status["podIP"]}])
    );
    assert_eq!(
        status["hostIPs"],
        serde_json::json!([{"ip": status["hostIP"]}])
    );
    let conditions = status["conditions"].as_array().expect("conditions");
    assert_eq!(conditions.len(), 5);
    for c in conditions {
        assert_eq!(
            c.get("lastProbeTime"),
            Some(&serde_json::Value::Null),
            "{c}"
        );
        assert_eq!(
            c["observedGeneration"], pod["metadata"]["generation"],
            "{c}"
        );
    }
    assert_eq!(status["observedGeneration"], serde_json::json!(1));
    assert_eq!(
        status["containerStatuses"][0]["lastState"],
        serde_json::json!({})
    );
    assert_eq!(
        pod["spec"]["containers"][0]["resources"],
        serde_json::json!({})
    );
    // and a JSONPath over the new lists works as on a cluster
    let ips = s.run_line("kubectl get pods -o jsonpath='{.items[*].status.podIPs[*].ip}'");
    assert_eq!(ips.text.split_whitespace().count(), 2, "{}", ips.text);
}

/// `kubectl apply` records the manifest as written in
/// `kubectl.kubernetes.io/last-applied-configuration` (`GetModifiedConfiguration`: YAML as
/// JSON, keys sorted, `annotations: {}`, the namespace filled in, Go's HTML-safe escaping, a
/// trailing newline); `create` does not (unless `--save-config`), and applying over such an
/// object warns as kubectl does. Re-applying a Node keeps what the kubelet set.
#[test]
fn apply_records_the_last_applied_configuration() {
    let files = MemFiles {
        files: vec![
            (
                "web.yaml".into(),
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: c\n    image: nginx\n    command: [sh, -c, 'sleep 1 && echo <done>']\n    env:\n    - {name: MODE, value: 'yes'}\n".into(),
            ),
            (
                "ns.yaml".into(),
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels: {tier: a}\n".into(),
            ),
            (
                "node.yaml".into(),
                "apiVersion: v1\nkind: Node\nmetadata:\n  name: extra\n  labels: {a: b}\nstatus:\n  capacity: {cpu: '2', memory: 4Gi, pods: '110'}\n".into(),
            ),
            (
                "node2.yaml".into(),
                "apiVersion: v1\nkind: Node\nmetadata:\n  name: extra\n  labels: {c: d}\nstatus:\n  capacity: {cpu: '2', memory: 4Gi, pods: '110'}\n".into(),
            ),
        ],
    };
    let mut s = Session::new(12);
    let run = |s: &mut Session, line: &str| s.run_line_with(line, &files);
    assert_eq!(
        run(&mut s, "kubectl apply -f web.yaml").text,
        "pod/web created\n"
    );
    let out = run(&mut s, "kubectl get pod web -o json");
    let pod: serde_json::Value = serde_json::from_str(&out.text).expect("json");
    assert_eq!(
        pod["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"command\":[\"sh\",\"-c\",\"sleep 1 \\u0026\\u0026 echo \\u003cdone\\u003e\"],\"env\":[{\"name\":\"MODE\",\"value\":\"yes\"}],\"image\":\"nginx\",\"name\":\"c\"}]}}\n"
    );
    assert_eq!(
        run(&mut s, "kubectl apply -f web.yaml").text,
        "pod/web unchanged\n"
    );
    assert!(!run(&mut s, "kubectl describe pod web")
        .text
        .contains("last-applied"));

    // imperative first: create, then apply warns and patches the annotation in
    assert!(run(&mut s, "kubectl create deployment api --image=nginx").ok);
    let yaml = run(&mut s, "kubectl get deploy api -o yaml").text;
    assert!(!yaml.contains("last-applied"), "{yaml}");
    let warning = "Warning: resource deployments.apps/api is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n";
    let files2 = MemFiles {
        files: vec![("api.yaml".into(), yaml)],
    };
    let out = s.run_line_with("kubectl apply -f api.yaml", &files2);
    assert!(out.text.starts_with(warning), "{}", out.text);
    assert!(
        out.text.ends_with("deployment.apps/api configured\n"),
        "{}",
        out.text
    );
    assert_eq!(
        s.run_line_with("kubectl apply -f api.yaml", &files2).text,
        "deployment.apps/api unchanged\n"
    );

    // a Namespace keeps its applied labels and annotation, so a second apply is a no-op; a
    // Node's manifest labels come and go while the kubelet's hostname label stays
    let node_labels = "kubectl get node extra -o jsonpath={.metadata.labels}";
    for (line, want) in [
        ("kubectl apply -f ns.yaml", "namespace/team created\n"),
        ("kubectl apply -f ns.yaml", "namespace/team unchanged\n"),
        (
            "kubectl get ns team -o jsonpath={.metadata.labels}",
            "{\"kubernetes.io/metadata.name\":\"team\",\"tier\":\"a\"}",
        ),
        ("kubectl apply -f node.yaml", "node/extra created\n"),
        (
            node_labels,
            "{\"a\":\"b\",\"kubernetes.io/hostname\":\"extra\"}",
        ),
        ("kubectl apply -f node.yaml", "node/extra unchanged\n"),
        ("kubectl apply -f node2.yaml", "node/extra configured\n"),
        (
            node_labels,
            "{\"c\":\"d\",\"kubernetes.io/hostname\":\"extra\"}",
        ),
    ] {
        assert_eq!(run(&mut s, line).text, want, "{line}");
    }

    // `kubectl scale` survives an apply whose manifest leaves replicas out (and is reset by
    // one that names them)
    let d = |replicas: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n{replicas}  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n")
    };
    let deploys = MemFiles {
        files: vec![
            ("free.yaml".into(), d("")),
            ("two.yaml".into(), d("  replicas: 2\n")),
        ],
    };
    let replicas = |s: &mut Session| {
        s.run_line("kubectl get deploy web -o jsonpath={.spec.replicas}")
            .text
    };
    assert!(s.run_line_with("kubectl apply -f free.yaml", &deploys).ok);
    assert!(s.run_line("kubectl scale deploy web --replicas=3").ok);
    assert_eq!(
        s.run_line_with("kubectl apply -f free.yaml", &deploys).text,
        "deployment.apps/web unchanged\n"
    );
    assert_eq!(replicas(&mut s), "3");
    // so do `kubectl label`/`annotate`: the manifest never named them
    assert!(s.run_line("kubectl label deploy web team=blue").ok);
    assert_eq!(
        s.run_line_with("kubectl apply -f free.yaml", &deploys).text,
        "deployment.apps/web unchanged\n"
    );
    assert_eq!(
        s.run_line("kubectl get deploy web -o jsonpath={.metadata.labels}")
            .text,
        "{\"team\":\"blue\"}"
    );
    assert_eq!(
        s.run_line_with("kubectl apply -f two.yaml", &deploys).text,
        "deployment.apps/web configured\n"
    );
    assert_eq!(replicas(&mut s), "2");

    // create --save-config records it too
    let mut t = Session::new(13);
    assert!(
        t.run_line_with("kubectl create -f web.yaml --save-config", &files)
            .ok
    );
    assert_eq!(
        t.run_line_with("kubectl apply -f web.yaml", &files).text,
        "pod/web unchanged\n"
    );
}
