//! `kubectl get` tables: one row function per kind, ported from kubectl's
//! `pkg/printers/internalversion/printers.go`, working on objects as JSON.
//!
//! Working on JSON rather than the engine's structs keeps the printers honest (they see what
//! `-o json` shows) and lets them stay unchanged while the engine's types grow. Each function
//! returns the header and cells; [`render`] joins them with tabs and aligns them.
use crate::duration::{human_duration, parse_rfc3339_ms};
use serde_json::Value;

/// What a table needs besides the objects.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// Virtual "now" as Unix milliseconds, for AGE columns.
    pub now_ms: i64,
    /// `-o wide`.
    pub wide: bool,
}

/// `s(v, "a.b.c")`: a string field or `""`.
pub fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    get(v, path).and_then(Value::as_str).unwrap_or("")
}

/// A field by dotted path.
pub fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, seg| cur.get(seg))
}

/// An integer field or 0.
pub fn i(v: &Value, path: &str) -> i64 {
    get(v, path).and_then(Value::as_i64).unwrap_or(0)
}

/// A list field or empty.
pub fn list<'a>(v: &'a Value, path: &str) -> &'a [Value] {
    get(v, path)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn or_none(x: &str) -> String {
    if x.is_empty() {
        "<none>".into()
    } else {
        x.into()
    }
}

/// kubectl's `translateTimestampSince`: age of an RFC 3339 time, `<unknown>` when unset.
pub fn since(ctx: &Ctx, ts: &str) -> String {
    match parse_rfc3339_ms(ts) {
        Some(t) => human_duration(ctx.now_ms - t),
        None => "<unknown>".into(),
    }
}

fn age(ctx: &Ctx, o: &Value) -> String {
    since(ctx, s(o, "metadata.creationTimestamp"))
}

/// `labels.FormatLabels`: `k=v,k2=v2` sorted, `<none>` when empty.
pub fn format_labels(labels: Option<&Value>) -> String {
    let mut pairs: Vec<String> = labels
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort();
    if pairs.is_empty() {
        "<none>".into()
    } else {
        pairs.join(",")
    }
}

/// `metav1.FormatLabelSelector`.
pub fn format_selector(sel: Option<&Value>) -> String {
    let Some(sel) = sel else {
        return "<none>".into();
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
        let mut ls: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
            .collect();
        ls.sort();
        parts.extend(ls);
    }
    for e in list(sel, "matchExpressions") {
        let key = s(e, "key");
        let vals: Vec<&str> = list(e, "values").iter().filter_map(Value::as_str).collect();
        let p = match s(e, "operator") {
            "In" => format!("{key} in ({})", vals.join(",")),
            "NotIn" => format!("{key} notin ({})", vals.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            _ => String::new(),
        };
        parts.push(p);
    }
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

/// A header plus rows of cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column titles.
    pub header: Vec<String>,
    /// Cells per object.
    pub rows: Vec<Vec<String>>,
}

/// Join cells with tabs and align with Go tabwriter's `get` settings. `no_headers` drops the
/// header line.
pub fn render(t: &Table, no_headers: bool) -> String {
    let mut text = String::new();
    if !no_headers {
        text.push_str(&t.header.join("\t"));
        text.push('\n');
    }
    for r in &t.rows {
        text.push_str(&r.join("\t"));
        text.push('\n');
    }
    crate::tabwriter::table(&text)
}

fn hdr(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|c| (*c).to_string()).collect()
}

/// Header and row for one object of `kind`.
pub fn columns(kind: &str, ctx: &Ctx) -> Vec<String> {
    let (base, wide): (&[&str], &[&str]) = match kind {
        "Pod" => (
            &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            &["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        ),
        "Deployment" => (
            &["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        "ReplicaSet" => (
            &["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        "Service" => (
            &[
                "NAME",
                "TYPE",
                "CLUSTER-IP",
                "EXTERNAL-IP",
                "PORT(S)",
                "AGE",
            ],
            &["SELECTOR"],
        ),
        "Endpoints" => (&["NAME", "ENDPOINTS", "AGE"], &[]),
        "EndpointSlice" => (&["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], &[]),
        "Node" => (
            &["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
            &[
                "INTERNAL-IP",
                "EXTERNAL-IP",
                "OS-IMAGE",
                "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ],
        ),
        "Namespace" => (&["NAME", "STATUS", "AGE"], &[]),
        "Event" => {
            if ctx.wide {
                return hdr(&[
                    "LAST SEEN",
                    "TYPE",
                    "REASON",
                    "OBJECT",
                    "SUBOBJECT",
                    "SOURCE",
                    "MESSAGE",
                    "FIRST SEEN",
                    "COUNT",
                    "NAME",
                ]);
            }
            (&["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], &[])
        }
        "InstanceGroup" => (&["NAME", "ROLE", "MACHINETYPE", "MIN", "MAX", "ZONES"], &[]),
        _ => (&["NAME", "AGE"], &[]),
    };
    let mut h = hdr(base);
    if ctx.wide {
        h.extend(hdr(wide));
    }
    h
}

/// The cells of one object's row.
pub fn row(kind: &str, o: &Value, ctx: &Ctx) -> Vec<String> {
    let name = s(o, "metadata.name").to_string();
    match kind {
        "Pod" => pod_row(o, ctx),
        "Deployment" => {
            let mut r = vec![
                name,
                format!("{}/{}", i(o, "status.readyReplicas"), i(o, "spec.replicas")),
                i(o, "status.updatedReplicas").to_string(),
                i(o, "status.availableReplicas").to_string(),
                age(ctx, o),
            ];
            if ctx.wide {
                r.extend(containers_images_selector(o));
            }
            r
        }
        "ReplicaSet" => {
            let mut r = vec![
                name,
                i(o, "spec.replicas").to_string(),
                i(o, "status.replicas").to_string(),
                i(o, "status.readyReplicas").to_string(),
                age(ctx, o),
            ];
            if ctx.wide {
                r.extend(containers_images_selector(o));
            }
            r
        }
        "Service" => service_row(o, ctx),
        "Endpoints" => vec![name, format_endpoints(o), age(ctx, o)],
        "EndpointSlice" => {
            let ports: Vec<String> = list(o, "ports")
                .iter()
                .map(|p| i(p, "port").to_string())
                .collect();
            let addrs: Vec<&str> = list(o, "endpoints")
                .iter()
                .flat_map(|e| list(e, "addresses"))
                .filter_map(Value::as_str)
                .collect();
            let eps = match addrs.len() {
                0 => "<unset>".to_string(),
                n if n > 3 => format!("{} + {} more...", addrs[..3].join(","), n - 3),
                _ => addrs.join(","),
            };
            let ports = if ports.is_empty() {
                "<unset>".to_string()
            } else {
                ports.join(",")
            };
            vec![
                name,
                s(o, "addressType").to_string(),
                ports,
                eps,
                age(ctx, o),
            ]
        }
        "Node" => node_row(o, ctx),
        "Namespace" => vec![name, s(o, "status.phase").to_string(), age(ctx, o)],
        "Event" => event_row(o, ctx),
        "InstanceGroup" => {
            let zones: Vec<&str> = list(o, "spec.subnets")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            vec![
                name,
                s(o, "spec.role").to_string(),
                s(o, "spec.machineType").to_string(),
                i(o, "spec.minSize").to_string(),
                i(o, "spec.maxSize").to_string(),
                zones.join(","),
            ]
        }
        _ => vec![name, age(ctx, o)],
    }
}

fn containers_images_selector(o: &Value) -> Vec<String> {
    let cs = list(o, "spec.template.spec.containers");
    let names: Vec<&str> = cs.iter().map(|c| s(c, "name")).collect();
    let images: Vec<&str> = cs.iter().map(|c| s(c, "image")).collect();
    vec![
        names.join(","),
        images.join(","),
        format_selector(get(o, "spec.selector")),
    ]
}

/// The STATUS column of a pod (kubectl `printPod`).
pub fn pod_status(o: &Value) -> String {
    let mut reason = s(o, "status.phase").to_string();
    if !s(o, "status.reason").is_empty() {
        reason = s(o, "status.reason").to_string();
    }
    let statuses = list(o, "status.containerStatuses");
    let mut has_running = false;
    for c in statuses.iter().rev() {
        let waiting = s(c, "state.waiting.reason");
        let term = get(c, "state.terminated");
        if !waiting.is_empty() {
            reason = waiting.to_string();
        } else if let Some(t) = term.filter(|t| !s(t, "reason").is_empty()) {
            reason = s(t, "reason").to_string();
        } else if let Some(t) = term {
            reason = if i(t, "signal") != 0 {
                format!("Signal:{}", i(t, "signal"))
            } else {
                format!("ExitCode:{}", i(t, "exitCode"))
            };
        } else if c.get("ready").and_then(Value::as_bool) == Some(true)
            && get(c, "state.running").is_some()
        {
            has_running = true;
        }
    }
    if reason == "Completed" && has_running {
        let ready = list(o, "status.conditions")
            .iter()
            .any(|c| s(c, "type") == "Ready" && s(c, "status") == "True");
        reason = if ready {
            "Running".into()
        } else {
            "NotReady".into()
        };
    }
    let deleting = get(o, "metadata.deletionTimestamp").is_some_and(|d| !d.is_null());
    let phase = s(o, "status.phase");
    if deleting && s(o, "status.reason") == "NodeLost" {
        reason = "Unknown".into();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".into();
    }
    reason
}

fn pod_row(o: &Value, ctx: &Ctx) -> Vec<String> {
    let total = list(o, "spec.containers").len();
    let statuses = list(o, "status.containerStatuses");
    let ready = statuses
        .iter()
        .filter(|c| {
            c.get("ready").and_then(Value::as_bool) == Some(true)
                && get(c, "state.running").is_some()
        })
        .count();
    let restarts: i64 = statuses.iter().map(|c| i(c, "restartCount")).sum();
    let last_restart = statuses
        .iter()
        .filter_map(|c| get(c, "lastState.terminated.finishedAt").and_then(Value::as_str))
        .filter_map(parse_rfc3339_ms)
        .max();
    let restarts_str = match last_restart {
        Some(t) if restarts != 0 => format!("{restarts} ({} ago)", human_duration(ctx.now_ms - t)),
        _ => restarts.to_string(),
    };
    let mut r = vec![
        s(o, "metadata.name").to_string(),
        format!("{ready}/{total}"),
        pod_status(o),
        restarts_str,
        age(ctx, o),
    ];
    if ctx.wide {
        r.push(or_none(s(o, "status.podIP")));
        r.push(or_none(s(o, "spec.nodeName")));
        r.push(or_none(s(o, "status.nominatedNodeName")));
        r.push("<none>".into());
    }
    r
}

/// `PORT(S)` of a Service: `80:31234/TCP,443/TCP`.
pub fn service_ports(o: &Value) -> String {
    let ports: Vec<String> = list(o, "spec.ports")
        .iter()
        .map(|p| {
            let proto = match s(p, "protocol") {
                "" => "TCP",
                x => x,
            };
            if i(p, "nodePort") > 0 {
                format!("{}:{}/{proto}", i(p, "port"), i(p, "nodePort"))
            } else {
                format!("{}/{proto}", i(p, "port"))
            }
        })
        .collect();
    if ports.is_empty() {
        "<none>".into()
    } else {
        ports.join(",")
    }
}

/// Load-balancer ingress addresses, truncated to 16 characters unless wide (kubectl's
/// `loadBalancerStatusStringer`).
pub fn lb_ingress(o: &Value, wide: bool) -> String {
    let ing: Vec<&str> = list(o, "status.loadBalancer.ingress")
        .iter()
        .map(|x| {
            if s(x, "ip").is_empty() {
                s(x, "hostname")
            } else {
                s(x, "ip")
            }
        })
        .filter(|x| !x.is_empty())
        .collect();
    let r = ing.join(",");
    if !wide && r.chars().count() > 16 {
        format!("{}...", r.chars().take(13).collect::<String>())
    } else {
        r
    }
}

fn service_row(o: &Value, ctx: &Ctx) -> Vec<String> {
    let typ = match s(o, "spec.type") {
        "" => "ClusterIP",
        t => t,
    };
    let ext_ips: Vec<&str> = list(o, "spec.externalIPs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let external = match typ {
        "ClusterIP" | "NodePort" => or_none(&ext_ips.join(",")),
        "LoadBalancer" => {
            let lb = lb_ingress(o, ctx.wide);
            let mut all: Vec<String> = Vec::new();
            if !lb.is_empty() {
                all.push(lb);
            }
            all.extend(ext_ips.iter().map(|x| (*x).to_string()));
            if all.is_empty() {
                "<pending>".into()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => s(o, "spec.externalName").to_string(),
        _ => "<unknown>".into(),
    };
    let cluster_ip = match s(o, "spec.clusterIP") {
        "" => "<none>",
        x => x,
    };
    let mut r = vec![
        s(o, "metadata.name").to_string(),
        typ.to_string(),
        cluster_ip.to_string(),
        external,
        service_ports(o),
        age(ctx, o),
    ];
    if ctx.wide {
        r.push(format_labels(get(o, "spec.selector")));
    }
    r
}

/// The ENDPOINTS column: `ip:port` for up to three addresses, then `+ N more...`.
pub fn format_endpoints(o: &Value) -> String {
    format_endpoints_for(o, None)
}

/// kubectl's `formatEndpoints(endpoints, ports)`: with `Some(name)`, only the subsets' ports
/// of that name count (`kubectl describe service`'s per-port line); subsets without ports
/// (headless, no ports) list bare IPs either way.
pub fn format_endpoints_for(o: &Value, port_name: Option<&str>) -> String {
    const MAX: usize = 3;
    let mut shown = Vec::new();
    let mut count = 0;
    for ss in list(o, "subsets") {
        let ports = list(ss, "ports");
        let addrs = list(ss, "addresses");
        if ports.is_empty() {
            for a in addrs {
                if shown.len() < MAX {
                    shown.push(s(a, "ip").to_string());
                }
                count += 1;
            }
            continue;
        }
        for p in ports {
            if port_name.is_some_and(|n| s(p, "name") != n) {
                continue;
            }
            for a in addrs {
                if shown.len() < MAX {
                    shown.push(format!("{}:{}", s(a, "ip"), i(p, "port")));
                }
                count += 1;
            }
        }
    }
    let ret = shown.join(",");
    if count > MAX {
        format!("{ret} + {} more...", count - MAX)
    } else if ret.is_empty() {
        "<none>".into()
    } else {
        ret
    }
}

/// STATUS of a node: `Ready`, `NotReady`, `Unknown`, plus `,SchedulingDisabled`.
pub fn node_status(o: &Value) -> String {
    let mut st: Vec<String> = Vec::new();
    if let Some(c) = list(o, "status.conditions")
        .iter()
        .find(|c| s(c, "type") == "Ready")
    {
        st.push(if s(c, "status") == "True" {
            "Ready".into()
        } else {
            "NotReady".into()
        });
    }
    if st.is_empty() {
        st.push("Unknown".into());
    }
    if get(o, "spec.unschedulable").and_then(Value::as_bool) == Some(true) {
        st.push("SchedulingDisabled".into());
    }
    st.join(",")
}

/// ROLES of a node from `node-role.kubernetes.io/*` and `kubernetes.io/role` labels.
pub fn node_roles(o: &Value) -> String {
    let mut roles: Vec<String> = Vec::new();
    if let Some(m) = get(o, "metadata.labels").and_then(Value::as_object) {
        for (k, v) in m {
            if let Some(r) = k.strip_prefix("node-role.kubernetes.io/") {
                if !r.is_empty() {
                    roles.push(r.to_string());
                }
            } else if k == "kubernetes.io/role" {
                if let Some(v) = v.as_str().filter(|v| !v.is_empty()) {
                    roles.push(v.to_string());
                }
            }
        }
    }
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.join(",")
    }
}

fn node_row(o: &Value, ctx: &Ctx) -> Vec<String> {
    let mut r = vec![
        s(o, "metadata.name").to_string(),
        node_status(o),
        node_roles(o),
        age(ctx, o),
        s(o, "status.nodeInfo.kubeletVersion").to_string(),
    ];
    if ctx.wide {
        let addr = |t: &str| {
            list(o, "status.addresses")
                .iter()
                .find(|a| s(a, "type") == t)
                .map_or("<none>".to_string(), |a| s(a, "address").to_string())
        };
        r.push(addr("InternalIP"));
        r.push(addr("ExternalIP"));
        r.push(or_none(s(o, "status.nodeInfo.osImage")).replace("<none>", "<unknown>"));
        r.push(or_none(s(o, "status.nodeInfo.kernelVersion")).replace("<none>", "<unknown>"));
        r.push(
            or_none(s(o, "status.nodeInfo.containerRuntimeVersion")).replace("<none>", "<unknown>"),
        );
    }
    r
}

/// LAST SEEN of an event: `5s`, or `2m (x4 over 10m)` for repeats.
pub fn event_last_seen(o: &Value, ctx: &Ctx) -> String {
    let last = since(ctx, s(o, "lastTimestamp"));
    let count = i(o, "count");
    if count > 1 {
        format!(
            "{last} (x{count} over {})",
            since(ctx, s(o, "firstTimestamp"))
        )
    } else {
        last
    }
}

fn event_row(o: &Value, ctx: &Ctx) -> Vec<String> {
    let kind = s(o, "involvedObject.kind").to_ascii_lowercase();
    let name = s(o, "involvedObject.name");
    let target = if name.is_empty() {
        kind
    } else {
        format!("{kind}/{name}")
    };
    let msg = s(o, "message").trim().to_string();
    if ctx.wide {
        let mut source = s(o, "source.component").to_string();
        if !s(o, "source.host").is_empty() {
            source = format!("{source}, {}", s(o, "source.host"));
        }
        return vec![
            event_last_seen(o, ctx),
            s(o, "type").to_string(),
            s(o, "reason").to_string(),
            target,
            s(o, "involvedObject.fieldPath").to_string(),
            source,
            msg,
            since(ctx, s(o, "firstTimestamp")),
            i(o, "count").to_string(),
            s(o, "metadata.name").to_string(),
        ];
    }
    vec![
        event_last_seen(o, ctx),
        s(o, "type").to_string(),
        s(o, "reason").to_string(),
        target,
        msg,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> Ctx {
        Ctx {
            now_ms: parse_rfc3339_ms("2026-01-01T00:02:30Z").unwrap(),
            wide: false,
        }
    }

    #[test]
    fn pod_rows() {
        let p = json!({
            "metadata": {"name": "web-1", "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "c"}], "nodeName": "n1"},
            "status": {"phase": "Running", "podIP": "100.96.1.2", "containerStatuses": [
                {"ready": true, "restartCount": 2, "state": {"running": {}},
                 "lastState": {"terminated": {"finishedAt": "2026-01-01T00:02:00Z"}}}]}
        });
        let t = Table {
            header: columns("Pod", &ctx()),
            rows: vec![row("Pod", &p, &ctx())],
        };
        assert_eq!(
            render(&t, false),
            "NAME    READY   STATUS    RESTARTS      AGE\nweb-1   1/1     Running   2 (30s ago)   2m30s\n"
        );
        let waiting = json!({"status": {"phase": "Pending", "containerStatuses": [{"state": {"waiting": {"reason": "ContainerCreating"}}}]}});
        assert_eq!(pod_status(&waiting), "ContainerCreating");
        let term = json!({"metadata": {"deletionTimestamp": "x"}, "status": {"phase": "Running"}});
        assert_eq!(pod_status(&term), "Terminating");
    }

    #[test]
    fn service_columns() {
        let svc = json!({"metadata": {"name": "lb"}, "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.10",
            "ports": [{"port": 80, "nodePort": 31234, "protocol": "TCP"}]},
            "status": {"loadBalancer": {"ingress": [{"hostname": "a1b2c3d4e5f6a7b8c9d0-123456789.us-east-1.elb.amazonaws.com"}]}}});
        let r = row("Service", &svc, &ctx());
        assert_eq!(r[3], "a1b2c3d4e5f6a...");
        assert_eq!(r[4], "80:31234/TCP");
        let pending = json!({"spec": {"type": "LoadBalancer", "ports": []}});
        assert_eq!(row("Service", &pending, &ctx())[3], "<pending>");
    }

    #[test]
    fn endpoints_column() {
        let ep = json!({"subsets": [{"addresses": [{"ip": "a"}, {"ip": "b"}, {"ip": "c"}, {"ip": "d"}], "ports": [{"port": 80}]}]});
        assert_eq!(format_endpoints(&ep), "a:80,b:80,c:80 + 1 more...");
        assert_eq!(format_endpoints(&json!({})), "<none>");
    }
}
