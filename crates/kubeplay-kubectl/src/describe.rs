//! `kubectl describe` for pods, deployments, replica sets, services and nodes, ported from
//! kubectl's `pkg/describe/describe.go` and working on objects as JSON.
//!
//! Alignment comes from feeding the same tab-separated lines kubectl writes through the Go
//! tabwriter port (minwidth 0, padding 2). kubectl flushes the writer right before the Events
//! table, so the table is aligned on its own; we do the same by aligning two segments.
use crate::duration::{format_rfc1123z, parse_rfc3339_ms};
use crate::printers::{
    format_endpoints_for, format_labels, format_selector, get, i, list, s, since, Ctx,
};
use serde_json::Value;

/// Lines being built, one tabwriter segment at a time.
#[derive(Default)]
struct W {
    done: String,
    cur: String,
}

impl W {
    fn line(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.cur.push_str("  ");
        }
        self.cur.push_str(text);
        self.cur.push('\n');
    }
    fn flush(&mut self) {
        self.done.push_str(&crate::tabwriter::describe(&self.cur));
        self.cur.clear();
    }
    fn finish(mut self) -> String {
        self.flush();
        self.done
    }
}

fn time_str(ts: &str) -> String {
    parse_rfc3339_ms(ts).map_or_else(|| ts.to_string(), format_rfc1123z)
}

/// `Labels:` / `Annotations:` style map: first pair on the label line, the rest indented.
/// Annotations are printed without `kubectl.kubernetes.io/last-applied-configuration`
/// (upstream `skipAnnotations` in `printAnnotationsMultiline`).
fn map_lines(w: &mut W, level: usize, title: &str, m: Option<&Value>) {
    let annotations = title == "Annotations";
    let mut pairs: Vec<(String, String)> = m
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| {
                    !(annotations && k.as_str() == kubeplay_api::LAST_APPLIED_ANNOTATION)
                })
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort();
    if pairs.is_empty() {
        w.line(level, &format!("{title}:\t<none>"));
        return;
    }
    for (n, (k, v)) in pairs.iter().enumerate() {
        let text = if annotations {
            format!("{k}: {v}")
        } else {
            format!("{k}={v}")
        };
        if n == 0 {
            w.line(level, &format!("{title}:\t{text}"));
        } else {
            w.line(level, &format!("\t{text}"));
        }
    }
}

/// The Events section; `events` are v1 Event objects as JSON.
fn events_section(w: &mut W, events: &[Value], ctx: &Ctx) {
    if events.is_empty() {
        w.line(0, "Events:\t<none>");
        return;
    }
    w.flush();
    // Upstream DescribeEvents sorts with k8s.io/kubectl/pkg/util/event.SortableEvents (by
    // lastTimestamp) rather than keeping the API's name order; stable, so ties stay oldest first.
    let mut ev: Vec<&Value> = events.iter().collect();
    ev.sort_by_key(|e| parse_rfc3339_ms(s(e, "lastTimestamp")).unwrap_or(0));
    w.line(0, "Events:");
    w.line(1, "Type\tReason\tAge\tFrom\tMessage");
    w.line(1, "----\t------\t----\t----\t-------");
    for e in ev {
        let first = since(ctx, s(e, "firstTimestamp"));
        let interval = if i(e, "count") > 1 {
            format!(
                "{} (x{} over {first})",
                since(ctx, s(e, "lastTimestamp")),
                i(e, "count")
            )
        } else {
            first
        };
        w.line(
            1,
            &format!(
                "{}\t{}\t{interval}\t{}\t{}",
                s(e, "type"),
                s(e, "reason"),
                s(e, "source.component"),
                s(e, "message").trim()
            ),
        );
    }
}

fn controlled_by(w: &mut W, o: &Value) {
    if let Some(r) = list(o, "metadata.ownerReferences")
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
    {
        w.line(
            0,
            &format!("Controlled By:\t{}/{}", s(r, "kind"), s(r, "name")),
        );
    }
}

fn port_list(c: &Value) -> (String, String) {
    let ports = list(c, "ports");
    if ports.is_empty() {
        return ("<none>".into(), "<none>".into());
    }
    let proto = |p: &Value| match s(p, "protocol") {
        "" => "TCP".to_string(),
        x => x.to_string(),
    };
    let ps: Vec<String> = ports
        .iter()
        .map(|p| format!("{}/{}", i(p, "containerPort"), proto(p)))
        .collect();
    let hs: Vec<String> = ports
        .iter()
        .map(|p| format!("{}/{}", i(p, "hostPort"), proto(p)))
        .collect();
    (ps.join(", "), hs.join(", "))
}

fn probe_line(p: &Value) -> String {
    let action = if let Some(h) = p.get("httpGet") {
        let port = match h.get("port") {
            Some(Value::String(x)) => x.clone(),
            Some(v) => v.to_string(),
            None => String::new(),
        };
        let scheme = if s(h, "scheme").is_empty() {
            "http".to_string()
        } else {
            s(h, "scheme").to_ascii_lowercase()
        };
        let host = s(h, "host");
        let path = if s(h, "path").is_empty() {
            "/"
        } else {
            s(h, "path")
        };
        format!("http-get {scheme}://{host}:{port}{path}")
    } else if let Some(t) = p.get("tcpSocket") {
        let port = t
            .get("port")
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .unwrap_or_default();
        format!("tcp-socket {}:{port}", s(t, "host"))
    } else if let Some(e) = p.get("exec") {
        let cmd: Vec<&str> = list(e, "command")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        format!("exec [{}]", cmd.join(" "))
    } else {
        "unknown".into()
    };
    let n = |k: &str, d: i64| get(p, k).and_then(Value::as_i64).unwrap_or(d);
    format!(
        "{action} delay={}s timeout={}s period={}s #success={} #failure={}",
        n("initialDelaySeconds", 0),
        n("timeoutSeconds", 1),
        n("periodSeconds", 10),
        n("successThreshold", 1),
        n("failureThreshold", 3)
    )
}

fn resources(w: &mut W, c: &Value) {
    for (title, key) in [("Limits", "limits"), ("Requests", "requests")] {
        if let Some(m) = get(c, &format!("resources.{key}")).and_then(Value::as_object) {
            if m.is_empty() {
                continue;
            }
            w.line(2, &format!("{title}:"));
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                let v = match &m[k] {
                    Value::String(x) => x.clone(),
                    other => other.to_string(),
                };
                w.line(3, &format!("{k}:\t{v}"));
            }
        }
    }
}

fn state_lines(w: &mut W, title: &str, st: &Value) {
    if let Some(r) = st.get("running") {
        w.line(2, &format!("{title}:\tRunning"));
        w.line(3, &format!("Started:\t{}", time_str(s(r, "startedAt"))));
    } else if let Some(wt) = st.get("waiting") {
        w.line(2, &format!("{title}:\tWaiting"));
        if !s(wt, "reason").is_empty() {
            w.line(3, &format!("Reason:\t{}", s(wt, "reason")));
        }
    } else if let Some(t) = st.get("terminated") {
        w.line(2, &format!("{title}:\tTerminated"));
        if !s(t, "reason").is_empty() {
            w.line(3, &format!("Reason:\t{}", s(t, "reason")));
        }
        if !s(t, "message").is_empty() {
            w.line(3, &format!("Message:\t{}", s(t, "message")));
        }
        w.line(3, &format!("Exit Code:\t{}", i(t, "exitCode")));
        if i(t, "signal") > 0 {
            w.line(3, &format!("Signal:\t{}", i(t, "signal")));
        }
        w.line(3, &format!("Started:\t{}", time_str(s(t, "startedAt"))));
        w.line(3, &format!("Finished:\t{}", time_str(s(t, "finishedAt"))));
    } else {
        w.line(2, &format!("{title}:\tWaiting"));
    }
}

/// Containers of a pod (with statuses) or of a template (`status` None, indented by one
/// extra space as kubectl's template describer does).
fn containers(w: &mut W, title_level: usize, spec: &Value, status: Option<&Value>) {
    let template = status.is_none();
    w.line(title_level, "Containers:");
    for c in list(spec, "containers") {
        let name = s(c, "name");
        let st = status.and_then(|st| {
            list(st, "containerStatuses")
                .iter()
                .find(|x| s(x, "name") == name)
        });
        w.line(1, &format!("{}{name}:", if template { " " } else { "" }));
        if let Some(st) = st {
            if !s(st, "containerID").is_empty() {
                w.line(2, &format!("Container ID:\t{}", s(st, "containerID")));
            }
        }
        w.line(2, &format!("Image:\t{}", s(c, "image")));
        if let Some(st) = st {
            if !s(st, "imageID").is_empty() {
                w.line(2, &format!("Image ID:\t{}", s(st, "imageID")));
            }
        }
        let (ports, hosts) = port_list(c);
        let plural = if list(c, "ports").len() > 1 { "s" } else { "" };
        w.line(2, &format!("Port{plural}:\t{ports}"));
        w.line(2, &format!("Host Port{plural}:\t{hosts}"));
        let cmd: Vec<&str> = list(c, "command")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if !cmd.is_empty() {
            w.line(2, "Command:");
            for x in cmd {
                w.line(3, x);
            }
        }
        let args: Vec<&str> = list(c, "args").iter().filter_map(Value::as_str).collect();
        if !args.is_empty() {
            w.line(2, "Args:");
            for x in args {
                w.line(3, x);
            }
        }
        if let Some(st) = st {
            state_lines(w, "State", st.get("state").unwrap_or(&Value::Null));
            if let Some(last) = st
                .get("lastState")
                .filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
            {
                state_lines(w, "Last State", last);
            }
            let ready = if st.get("ready").and_then(Value::as_bool) == Some(true) {
                "True"
            } else {
                "False"
            };
            w.line(2, &format!("Ready:\t{ready}"));
            w.line(2, &format!("Restart Count:\t{}", i(st, "restartCount")));
        } else if status.is_some() {
            w.line(2, "State:\tWaiting");
            w.line(3, "Reason:\tPending");
            w.line(2, "Ready:\tFalse");
            w.line(2, "Restart Count:\t0");
        }
        resources(w, c);
        for (t, k) in [
            ("Liveness", "livenessProbe"),
            ("Readiness", "readinessProbe"),
            ("Startup", "startupProbe"),
        ] {
            if let Some(p) = c.get(k) {
                w.line(2, &format!("{t}:\t{}", probe_line(p)));
            }
        }
        let env = list(c, "env");
        if env.is_empty() {
            w.line(2, "Environment:\t<none>");
        } else {
            w.line(2, "Environment:");
            for e in env {
                let v = if e.get("value").is_some() {
                    s(e, "value").to_string()
                } else if let Some(f) = get(e, "valueFrom.fieldRef") {
                    format!(" ({}:{})", s(f, "apiVersion"), s(f, "fieldPath"))
                } else {
                    String::new()
                };
                w.line(3, &format!("{}:\t{v}", s(e, "name")));
            }
        }
        w.line(2, "Mounts:\t<none>");
    }
}

fn tolerations_lines(w: &mut W, level: usize, tol: &[Value]) {
    if tol.is_empty() {
        w.line(level, "Tolerations:\t<none>");
        return;
    }
    for (n, t) in tol.iter().enumerate() {
        let mut text = s(t, "key").to_string();
        if !s(t, "value").is_empty() {
            text.push('=');
            text.push_str(s(t, "value"));
        }
        if !s(t, "effect").is_empty() {
            text.push(':');
            text.push_str(s(t, "effect"));
        }
        if s(t, "operator") == "Exists" && s(t, "value").is_empty() {
            if text.is_empty() {
                text = "op=Exists".into();
            } else {
                text.push_str(" op=Exists");
            }
        }
        if let Some(secs) = get(t, "tolerationSeconds").and_then(Value::as_i64) {
            text.push_str(&format!(" for {secs}s"));
        }
        if n == 0 {
            w.line(level, &format!("Tolerations:\t{text}"));
        } else {
            w.line(level, &format!("\t{text}"));
        }
    }
}

fn node_selectors(w: &mut W, level: usize, spec: &Value) {
    let ns = format_labels(spec.get("nodeSelector"));
    w.line(level, &format!("Node-Selectors:\t{ns}"));
}

/// `kubectl describe pod`.
pub fn pod(o: &Value, events: &[Value], ctx: &Ctx) -> String {
    let mut w = W::default();
    w.line(0, &format!("Name:\t{}", s(o, "metadata.name")));
    w.line(0, &format!("Namespace:\t{}", s(o, "metadata.namespace")));
    w.line(0, &format!("Priority:\t{}", i(o, "spec.priority")));
    let sa = if s(o, "spec.serviceAccountName").is_empty() {
        "default"
    } else {
        s(o, "spec.serviceAccountName")
    };
    w.line(0, &format!("Service Account:\t{sa}"));
    let node = s(o, "spec.nodeName");
    if node.is_empty() {
        w.line(0, "Node:\t<none>");
    } else {
        w.line(0, &format!("Node:\t{node}/{}", s(o, "status.hostIP")));
    }
    if !s(o, "status.startTime").is_empty() {
        w.line(
            0,
            &format!("Start Time:\t{}", time_str(s(o, "status.startTime"))),
        );
    }
    map_lines(&mut w, 0, "Labels", get(o, "metadata.labels"));
    map_lines(&mut w, 0, "Annotations", get(o, "metadata.annotations"));
    if !s(o, "metadata.deletionTimestamp").is_empty() {
        let grace = i(o, "metadata.deletionGracePeriodSeconds");
        w.line(
            0,
            &format!(
                "Status:\tTerminating (lasts {})",
                since(ctx, s(o, "metadata.deletionTimestamp"))
            ),
        );
        w.line(0, &format!("Termination Grace Period:\t{grace}s"));
    } else {
        w.line(0, &format!("Status:\t{}", s(o, "status.phase")));
    }
    if !s(o, "status.reason").is_empty() {
        w.line(0, &format!("Reason:\t{}", s(o, "status.reason")));
    }
    if !s(o, "status.message").is_empty() {
        w.line(0, &format!("Message:\t{}", s(o, "status.message")));
    }
    w.line(0, &format!("IP:\t{}", s(o, "status.podIP")));
    let ips = list(o, "status.podIPs");
    if ips.is_empty() && !s(o, "status.podIP").is_empty() {
        w.line(0, "IPs:");
        w.line(1, &format!("IP:\t{}", s(o, "status.podIP")));
    } else if ips.is_empty() {
        w.line(0, "IPs:\t<none>");
    } else {
        w.line(0, "IPs:");
        for ip in ips {
            w.line(1, &format!("IP:\t{}", s(ip, "ip")));
        }
    }
    controlled_by(&mut w, o);
    let spec = o.get("spec").unwrap_or(&Value::Null);
    let status = o.get("status").unwrap_or(&Value::Null);
    containers(&mut w, 0, spec, Some(status));
    let conds = list(o, "status.conditions");
    if !conds.is_empty() {
        w.line(0, "Conditions:");
        w.line(1, "Type\tStatus");
        for c in conds {
            w.line(1, &format!("{} \t{} ", s(c, "type"), s(c, "status")));
        }
    }
    w.line(0, "Volumes:\t<none>");
    let qos = qos_class(spec);
    w.line(0, &format!("QoS Class:\t{qos}"));
    node_selectors(&mut w, 0, spec);
    tolerations_lines(&mut w, 0, list(spec, "tolerations"));
    events_section(&mut w, events, ctx);
    w.finish()
}

/// QoS class from requests and limits (`qos.GetPodQOS`, simplified to cpu and memory).
pub fn qos_class(spec: &Value) -> &'static str {
    let cs = list(spec, "containers");
    let mut any = false;
    let mut guaranteed = !cs.is_empty();
    for c in cs {
        let req = get(c, "resources.requests").and_then(Value::as_object);
        let lim = get(c, "resources.limits").and_then(Value::as_object);
        if req.is_some_and(|m| !m.is_empty()) || lim.is_some_and(|m| !m.is_empty()) {
            any = true;
        }
        for r in ["cpu", "memory"] {
            let l = lim.and_then(|m| m.get(r));
            let q = req.and_then(|m| m.get(r)).or(l);
            if l.is_none() || q != l {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

fn pod_template(w: &mut W, t: &Value) {
    w.line(0, "Pod Template:");
    map_lines(w, 1, "Labels", get(t, "metadata.labels"));
    if get(t, "metadata.annotations")
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty())
    {
        map_lines(w, 1, "Annotations", get(t, "metadata.annotations"));
    }
    let spec = t.get("spec").unwrap_or(&Value::Null);
    containers(w, 1, spec, None);
    w.line(1, "Volumes:\t<none>");
    node_selectors(w, 1, spec);
    tolerations_lines(w, 1, list(spec, "tolerations"));
}

fn int_or_string(v: Option<&Value>, default: &str) -> String {
    match v {
        Some(Value::String(x)) => x.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => default.to_string(),
    }
}

/// `kubectl describe deployment`; `rss` are the deployment's ReplicaSets.
pub fn deployment(o: &Value, rss: &[Value], events: &[Value], ctx: &Ctx) -> String {
    let mut w = W::default();
    w.line(0, &format!("Name:\t{}", s(o, "metadata.name")));
    w.line(0, &format!("Namespace:\t{}", s(o, "metadata.namespace")));
    w.line(
        0,
        &format!(
            "CreationTimestamp:\t{}",
            time_str(s(o, "metadata.creationTimestamp"))
        ),
    );
    map_lines(&mut w, 0, "Labels", get(o, "metadata.labels"));
    map_lines(&mut w, 0, "Annotations", get(o, "metadata.annotations"));
    w.line(
        0,
        &format!("Selector:\t{}", format_selector(get(o, "spec.selector"))),
    );
    let desired = i(o, "spec.replicas");
    w.line(
        0,
        &format!(
            "Replicas:\t{desired} desired | {} updated | {} total | {} available | {} unavailable",
            i(o, "status.updatedReplicas"),
            i(o, "status.replicas"),
            i(o, "status.availableReplicas"),
            i(o, "status.unavailableReplicas")
        ),
    );
    let strategy = if s(o, "spec.strategy.type").is_empty() {
        "RollingUpdate"
    } else {
        s(o, "spec.strategy.type")
    };
    w.line(0, &format!("StrategyType:\t{strategy}"));
    w.line(
        0,
        &format!("MinReadySeconds:\t{}", i(o, "spec.minReadySeconds")),
    );
    if strategy == "RollingUpdate" {
        let mu = int_or_string(get(o, "spec.strategy.rollingUpdate.maxUnavailable"), "25%");
        let ms = int_or_string(get(o, "spec.strategy.rollingUpdate.maxSurge"), "25%");
        w.line(
            0,
            &format!("RollingUpdateStrategy:\t{mu} max unavailable, {ms} max surge"),
        );
    }
    pod_template(
        &mut w,
        o.get("spec")
            .and_then(|x| x.get("template"))
            .unwrap_or(&Value::Null),
    );
    let conds = list(o, "status.conditions");
    if !conds.is_empty() {
        w.line(0, "Conditions:");
        w.line(1, "Type\tStatus\tReason");
        w.line(1, "----\t------\t------");
        for c in conds {
            w.line(
                1,
                &format!("{} \t{}\t{}", s(c, "type"), s(c, "status"), s(c, "reason")),
            );
        }
    }
    // The new RS has the deployment's current revision; the rest are old.
    let drev = get(o, "metadata.annotations")
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let rs_rev = |r: &Value| {
        get(r, "metadata.annotations")
            .and_then(|a| a.get("deployment.kubernetes.io/revision"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let fmt_rs = |r: &Value| {
        format!(
            "{} ({}/{} replicas created)",
            s(r, "metadata.name"),
            i(r, "status.replicas"),
            i(r, "spec.replicas")
        )
    };
    let new: Vec<&Value> = rss.iter().filter(|r| rs_rev(r) == drev).collect();
    let old: Vec<String> = rss
        .iter()
        .filter(|r| rs_rev(r) != drev && (i(r, "spec.replicas") > 0 || i(r, "status.replicas") > 0))
        .map(fmt_rs)
        .collect();
    w.line(
        0,
        &format!(
            "OldReplicaSets:\t{}",
            if old.is_empty() {
                "<none>".into()
            } else {
                old.join(", ")
            }
        ),
    );
    w.line(
        0,
        &format!(
            "NewReplicaSet:\t{}",
            new.first().map_or("<none>".into(), |r| fmt_rs(r))
        ),
    );
    events_section(&mut w, events, ctx);
    w.finish()
}

/// `kubectl describe replicaset`; `pods` are the pods it owns.
pub fn replicaset(o: &Value, pods: &[Value], events: &[Value], ctx: &Ctx) -> String {
    let mut w = W::default();
    w.line(0, &format!("Name:\t{}", s(o, "metadata.name")));
    w.line(0, &format!("Namespace:\t{}", s(o, "metadata.namespace")));
    w.line(
        0,
        &format!("Selector:\t{}", format_selector(get(o, "spec.selector"))),
    );
    map_lines(&mut w, 0, "Labels", get(o, "metadata.labels"));
    map_lines(&mut w, 0, "Annotations", get(o, "metadata.annotations"));
    controlled_by(&mut w, o);
    w.line(
        0,
        &format!(
            "Replicas:\t{} current / {} desired",
            i(o, "status.replicas"),
            i(o, "spec.replicas")
        ),
    );
    let count = |ph: &str| pods.iter().filter(|p| s(p, "status.phase") == ph).count();
    w.line(
        0,
        &format!(
            "Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed",
            count("Running"),
            count("Pending"),
            count("Succeeded"),
            count("Failed")
        ),
    );
    pod_template(
        &mut w,
        o.get("spec")
            .and_then(|x| x.get("template"))
            .unwrap_or(&Value::Null),
    );
    events_section(&mut w, events, ctx);
    w.finish()
}

/// `kubectl describe service`; `endpoints` is its Endpoints object, if any.
pub fn service(o: &Value, endpoints: Option<&Value>, events: &[Value], ctx: &Ctx) -> String {
    let mut w = W::default();
    w.line(0, &format!("Name:\t{}", s(o, "metadata.name")));
    w.line(0, &format!("Namespace:\t{}", s(o, "metadata.namespace")));
    map_lines(&mut w, 0, "Labels", get(o, "metadata.labels"));
    map_lines(&mut w, 0, "Annotations", get(o, "metadata.annotations"));
    w.line(
        0,
        &format!("Selector:\t{}", format_labels(get(o, "spec.selector"))),
    );
    let typ = if s(o, "spec.type").is_empty() {
        "ClusterIP"
    } else {
        s(o, "spec.type")
    };
    w.line(0, &format!("Type:\t{typ}"));
    let policy = if s(o, "spec.ipFamilyPolicy").is_empty() {
        "SingleStack"
    } else {
        s(o, "spec.ipFamilyPolicy")
    };
    w.line(0, &format!("IP Family Policy:\t{policy}"));
    let fams: Vec<&str> = list(o, "spec.ipFamilies")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    w.line(
        0,
        &format!(
            "IP Families:\t{}",
            if fams.is_empty() {
                "IPv4".into()
            } else {
                fams.join(",")
            }
        ),
    );
    let ip = s(o, "spec.clusterIP");
    w.line(
        0,
        &format!("IP:\t{}", if ip.is_empty() { "<none>" } else { ip }),
    );
    let ips: Vec<&str> = list(o, "spec.clusterIPs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    w.line(
        0,
        &format!(
            "IPs:\t{}",
            if ips.is_empty() && ip.is_empty() {
                "<none>".to_string()
            } else if ips.is_empty() {
                ip.to_string()
            } else {
                ips.join(",")
            }
        ),
    );
    for ing in list(o, "status.loadBalancer.ingress") {
        if !s(ing, "ip").is_empty() {
            w.line(0, &format!("LoadBalancer Ingress:\t{} (VIP)", s(ing, "ip")));
        } else {
            w.line(0, &format!("LoadBalancer Ingress:\t{}", s(ing, "hostname")));
        }
    }
    for p in list(o, "spec.ports") {
        let name = if s(p, "name").is_empty() {
            "<unset>"
        } else {
            s(p, "name")
        };
        let proto = if s(p, "protocol").is_empty() {
            "TCP"
        } else {
            s(p, "protocol")
        };
        w.line(0, &format!("Port:\t{name}\t{}/{proto}", i(p, "port")));
        let tp = match p.get("targetPort") {
            Some(Value::String(x)) => format!("{x}/{proto}"),
            Some(Value::Number(n)) => format!("{n}/{proto}"),
            _ => format!("{}/{proto}", i(p, "port")),
        };
        w.line(0, &format!("TargetPort:\t{tp}"));
        if i(p, "nodePort") > 0 {
            w.line(
                0,
                &format!("NodePort:\t{name}\t{}/{proto}", i(p, "nodePort")),
            );
        }
        let eps = endpoints.map_or("<none>".into(), |e| endpoints_for_port(e, s(p, "name")));
        w.line(0, &format!("Endpoints:\t{eps}"));
    }
    let aff = if s(o, "spec.sessionAffinity").is_empty() {
        "None"
    } else {
        s(o, "spec.sessionAffinity")
    };
    w.line(0, &format!("Session Affinity:\t{aff}"));
    if typ == "NodePort" || typ == "LoadBalancer" {
        let etp = if s(o, "spec.externalTrafficPolicy").is_empty() {
            "Cluster"
        } else {
            s(o, "spec.externalTrafficPolicy")
        };
        w.line(0, &format!("External Traffic Policy:\t{etp}"));
    }
    let itp = if s(o, "spec.internalTrafficPolicy").is_empty() {
        "Cluster"
    } else {
        s(o, "spec.internalTrafficPolicy")
    };
    w.line(0, &format!("Internal Traffic Policy:\t{itp}"));
    events_section(&mut w, events, ctx);
    w.finish()
}

fn endpoints_for_port(ep: &Value, port_name: &str) -> String {
    // only the subsets' ports with this name, as kubectl's formatEndpoints(…, {name}) does
    let text = format_endpoints_for(ep, Some(port_name));
    if text == "<none>" {
        String::new()
    } else {
        text
    }
}

/// `kubectl describe node`; `pods` are the non-terminated pods bound to it.
pub fn node(o: &Value, pods: &[Value], events: &[Value], ctx: &Ctx) -> String {
    let mut w = W::default();
    w.line(0, &format!("Name:\t{}", s(o, "metadata.name")));
    w.line(0, &format!("Roles:\t{}", crate::printers::node_roles(o)));
    map_lines(&mut w, 0, "Labels", get(o, "metadata.labels"));
    map_lines(&mut w, 0, "Annotations", get(o, "metadata.annotations"));
    w.line(
        0,
        &format!(
            "CreationTimestamp:\t{}",
            time_str(s(o, "metadata.creationTimestamp"))
        ),
    );
    let taints = list(o, "spec.taints");
    if taints.is_empty() {
        w.line(0, "Taints:\t<none>");
    } else {
        for (n, t) in taints.iter().enumerate() {
            let v = if s(t, "value").is_empty() {
                String::new()
            } else {
                format!("={}", s(t, "value"))
            };
            let text = format!("{}{v}:{}", s(t, "key"), s(t, "effect"));
            w.line(
                0,
                &if n == 0 {
                    format!("Taints:\t{text}")
                } else {
                    format!("\t{text}")
                },
            );
        }
    }
    let unsched = get(o, "spec.unschedulable").and_then(Value::as_bool) == Some(true);
    w.line(0, &format!("Unschedulable:\t{unsched}"));
    w.line(0, "Lease:");
    w.line(1, &format!("HolderIdentity:\t{}", s(o, "metadata.name")));
    w.line(1, "AcquireTime:\t<unset>");
    let hb = list(o, "status.conditions")
        .iter()
        .find(|c| s(c, "type") == "Ready")
        .map_or("<unset>".to_string(), |c| {
            time_str(s(c, "lastHeartbeatTime"))
        });
    w.line(1, &format!("RenewTime:\t{hb}"));
    w.line(0, "Conditions:");
    w.line(
        1,
        "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage",
    );
    w.line(
        1,
        "----\t------\t-----------------\t------------------\t------\t-------",
    );
    for c in list(o, "status.conditions") {
        w.line(
            1,
            &format!(
                "{} \t{} \t{} \t{} \t{} \t{}",
                s(c, "type"),
                s(c, "status"),
                time_str(s(c, "lastHeartbeatTime")),
                time_str(s(c, "lastTransitionTime")),
                s(c, "reason"),
                s(c, "message")
            ),
        );
    }
    w.line(0, "Addresses:");
    for a in list(o, "status.addresses") {
        w.line(1, &format!("{}:\t{}", s(a, "type"), s(a, "address")));
    }
    for (title, key) in [("Capacity", "capacity"), ("Allocatable", "allocatable")] {
        w.line(0, &format!("{title}:"));
        if let Some(m) = get(o, &format!("status.{key}")).and_then(Value::as_object) {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                let v = m[k]
                    .as_str()
                    .map_or_else(|| m[k].to_string(), str::to_string);
                w.line(1, &format!("{k}:\t{v}"));
            }
        }
    }
    w.line(0, "System Info:");
    for (t, k) in [
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
        ("Kube-Proxy Version", "kubeProxyVersion"),
    ] {
        w.line(
            1,
            &format!("{t}:\t{}", s(o, &format!("status.nodeInfo.{k}"))),
        );
    }
    if !s(o, "spec.podCIDR").is_empty() {
        w.line(0, &format!("PodCIDR:\t{}", s(o, "spec.podCIDR")));
        let cidrs: Vec<&str> = list(o, "spec.podCIDRs")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        w.line(
            0,
            &format!(
                "PodCIDRs:\t{}",
                if cidrs.is_empty() {
                    s(o, "spec.podCIDR").to_string()
                } else {
                    cidrs.join(",")
                }
            ),
        );
    }
    if !s(o, "spec.providerID").is_empty() {
        w.line(0, &format!("ProviderID:\t{}", s(o, "spec.providerID")));
    }
    let alloc_cpu = crate::quantity::cpu_millis(get(o, "status.allocatable.cpu"));
    let alloc_mem = crate::quantity::bytes(get(o, "status.allocatable.memory"));
    w.line(
        0,
        &format!("Non-terminated Pods:\t({} in total)", pods.len()),
    );
    w.line(
        1,
        "Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge",
    );
    w.line(
        1,
        "---------\t----\t------------\t----------\t---------------\t-------------\t---",
    );
    let (mut tc, mut tcl, mut tm, mut tml) = (0i64, 0i64, 0i64, 0i64);
    for p in pods {
        let (c, cl, m, ml) = pod_resources(p);
        tc += c;
        tcl += cl;
        tm += m;
        tml += ml;
        w.line(
            1,
            &format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                s(p, "metadata.namespace"),
                s(p, "metadata.name"),
                pct_cpu(c, alloc_cpu),
                pct_cpu(cl, alloc_cpu),
                pct_mem(m, alloc_mem),
                pct_mem(ml, alloc_mem),
                since(ctx, s(p, "metadata.creationTimestamp"))
            ),
        );
    }
    w.line(0, "Allocated resources:");
    w.line(
        1,
        "(Total limits may be over 100 percent, i.e., overcommitted.)",
    );
    w.line(1, "Resource\tRequests\tLimits");
    w.line(1, "--------\t--------\t------");
    w.line(
        1,
        &format!(
            "cpu\t{}\t{}",
            pct_cpu(tc, alloc_cpu),
            pct_cpu(tcl, alloc_cpu)
        ),
    );
    w.line(
        1,
        &format!(
            "memory\t{}\t{}",
            pct_mem(tm, alloc_mem),
            pct_mem(tml, alloc_mem)
        ),
    );
    w.line(1, "ephemeral-storage\t0 (0%)\t0 (0%)");
    events_section(&mut w, events, ctx);
    w.finish()
}

/// Sum of container (cpu request, cpu limit, memory request, memory limit), requests
/// defaulting to limits.
pub fn pod_resources(p: &Value) -> (i64, i64, i64, i64) {
    let mut t = (0, 0, 0, 0);
    for c in list(p, "spec.containers") {
        let cl = crate::quantity::cpu_millis(get(c, "resources.limits.cpu"));
        let ml = crate::quantity::bytes(get(c, "resources.limits.memory"));
        let mut cr = crate::quantity::cpu_millis(get(c, "resources.requests.cpu"));
        let mut mr = crate::quantity::bytes(get(c, "resources.requests.memory"));
        if get(c, "resources.requests.cpu").is_none() {
            cr = cl;
        }
        if get(c, "resources.requests.memory").is_none() {
            mr = ml;
        }
        t = (t.0 + cr, t.1 + cl, t.2 + mr, t.3 + ml);
    }
    t
}

fn pct(v: i64, total: i64) -> i64 {
    if total <= 0 {
        0
    } else {
        v * 100 / total
    }
}

fn pct_cpu(m: i64, total: i64) -> String {
    let q = if m == 0 {
        "0".to_string()
    } else if m % 1000 == 0 {
        (m / 1000).to_string()
    } else {
        format!("{m}m")
    };
    format!("{q} ({}%)", pct(m, total))
}

fn pct_mem(b: i64, total: i64) -> String {
    format!("{} ({}%)", crate::quantity::format_bytes(b), pct(b, total))
}

/// `kubectl describe namespace`.
pub fn namespace(o: &Value) -> String {
    let mut w = W::default();
    w.line(0, &format!("Name:\t{}", s(o, "metadata.name")));
    map_lines(&mut w, 0, "Labels", get(o, "metadata.labels"));
    map_lines(&mut w, 0, "Annotations", get(o, "metadata.annotations"));
    w.line(0, &format!("Status:\t{}", s(o, "status.phase")));
    w.line(0, "");
    w.line(0, "No resource quota.");
    w.line(0, "");
    w.line(0, "No LimitRange resource.");
    w.finish()
}

/// Kinds without a dedicated describer: identity, labels, annotations and events.
pub fn generic(o: &Value, events: &[Value], ctx: &Ctx) -> String {
    let mut w = W::default();
    w.line(0, &format!("Name:\t{}", s(o, "metadata.name")));
    if !s(o, "metadata.namespace").is_empty() {
        w.line(0, &format!("Namespace:\t{}", s(o, "metadata.namespace")));
    }
    map_lines(&mut w, 0, "Labels", get(o, "metadata.labels"));
    map_lines(&mut w, 0, "Annotations", get(o, "metadata.annotations"));
    if !s(o, "status.phase").is_empty() {
        w.line(0, &format!("Status:\t{}", s(o, "status.phase")));
    }
    events_section(&mut w, events, ctx);
    w.finish()
}
