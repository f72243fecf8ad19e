//! Requests into the cluster: `curl`, `sim load`, and what they leave behind for
//! `kubectl logs` (the app's access log) and `kubectl top` (usage from the load model).
//!
//! `kubectl top` reads what metrics-server would report: a small idle baseline per running
//! container, plus CPU for the requests each pod served in the last minute of load
//! (`kubeplay.dev/cpu-per-request`, default 1 millicore-second per request), plus the node's
//! own system daemons.
use crate::flags::Parsed;
use crate::printers::{get, list, s};
use crate::resource::{self, RESOURCES};
use crate::session::{CommandOutput, Session};
use kubeplay_core::network::access::ACCESS_LOG_LINES;
use kubeplay_core::network::load::LoadSpec;
use kubeplay_core::network::stats::fmt_us;
use serde_json::Value;
use std::collections::BTreeMap;

/// metrics-server's window: usage averaged over the last minute.
const WINDOW_MS: u64 = 60_000;
/// Idle usage of a running container.
const IDLE_CPU_MILLI: i64 = 1;
/// Resident memory of an idle container.
const IDLE_MEM_BYTES: i64 = 24 << 20;
/// System daemons on a node (kubelet, containerd, kube-proxy, OS).
const NODE_CPU_MILLI: i64 = 60;
/// Memory of the system daemons on a node.
const NODE_MEM_BYTES: i64 = 700 << 20;

/// Python `http.server`'s `log_date_time_string`: "01/Jan/2026 00:01:05".
fn log_time(unix_ms: i64) -> String {
    let stamp = crate::duration::format_rfc1123z(unix_ms);
    // "Thu, 01 Jan 2026 00:01:05 +0000" → "01/Jan/2026 00:01:05"
    let parts: Vec<&str> = stamp.split(' ').collect();
    match parts.as_slice() {
        [_, d, m, y, t, _] => format!("{d}/{m}/{y} {t}"),
        _ => stamp.clone(),
    }
}

impl Session {
    /// One HTTP request, as curl prints it: the body on success, curl's error otherwise.
    pub(crate) fn curl_url(&mut self, url: &str, p: &Parsed) -> CommandOutput {
        let r = kubeplay_core::network::sim::curl(&mut self.sim, &mut self.net, url);
        let mut text = String::new();
        if p.is("include") {
            if let Some(code) = r.status {
                let reason = match code {
                    200 => "OK",
                    503 => "Service Unavailable",
                    404 => "Not Found",
                    _ => "",
                };
                text.push_str(&format!("HTTP/1.1 {code} {reason}\r\n\r\n"));
            }
        }
        text.push_str(&r.stdout);
        let silent = p.is("silent") && !p.is("show-error");
        if !r.stderr.is_empty() && !silent {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&r.stderr);
        }
        if let (Some(pod), Some(code)) = (&r.pod, r.status) {
            // Python's http.server log line: client - - [date] "request" status -
            let path = url
                .splitn(4, '/')
                .nth(3)
                .map_or("/".to_string(), |x| format!("/{x}"));
            let when = log_time(self.now_unix_ms());
            let ns = r
                .pod_namespace
                .clone()
                .unwrap_or_else(|| self.namespace.clone());
            let client = self
                .get_one(resource::by_kind("Pod").unwrap_or(&RESOURCES[4]), &ns, pod)
                .map(|p| s(&p, "status.hostIP").to_string())
                .unwrap_or_default();
            let now = self.sim.now_ms();
            let log = self.access.entry(pod.clone()).or_default();
            // the same bound as the load traffic's entries (the kubelet's log rotation)
            if log.len() >= ACCESS_LOG_LINES {
                log.remove(0);
            }
            log.push((
                now,
                format!("{client} - - [{when}] \"GET {path} HTTP/1.1\" {code} -"),
            ));
        }
        let ok = r.exit_code == 0 && !(p.is("fail") && r.status.is_some_and(|c| c >= 400));
        // curl's error line ends with a newline on a terminal; bodies are printed as served
        if !r.stderr.is_empty() && !silent && !text.ends_with('\n') {
            text.push('\n');
        }
        CommandOutput { text, ok }
    }

    /// `sim load URL --rps N --for D`: runs the load (advancing virtual time) and prints its
    /// statistics.
    pub(crate) fn sim_load(&mut self, p: &Parsed) -> CommandOutput {
        if p.has("stop") {
            return self.sim_load_stop(p.args.first().map(String::as_str));
        }
        let Some(url) = p.args.first().cloned() else {
            return CommandOutput::err("error: usage: sim load URL --rps N --for DURATION");
        };
        let rps: u32 = match p.get("rps").map(str::parse) {
            Some(Ok(n)) => n,
            None => 10,
            Some(Err(_)) => {
                return CommandOutput::err(format!(
                    "error: invalid --rps {:?}",
                    p.get("rps").unwrap_or("")
                ))
            }
        };
        let duration_ms = match p.get("for") {
            None => 10_000,
            Some(d) => match crate::duration::parse_duration_ms(d) {
                Some(ms) => ms,
                None => {
                    return CommandOutput::err(format!(
                        "error: invalid --for {d:?} (use 500ms, 30s, 5m)"
                    ))
                }
            },
        };
        // bounded work per line (the core enforces the same limits for every caller; checked
        // here too so nothing runs before the error)
        if let Err(e) = kubeplay_core::network::load::check_limits(rps, duration_ms) {
            return CommandOutput::err(format!("error: {e}"));
        }
        let spec = LoadSpec {
            url: url.clone(),
            rps,
            duration_ms,
        };
        let id = match kubeplay_core::network::sim::start_load(&mut self.sim, &mut self.net, spec) {
            Ok(id) => id,
            Err(e) => return CommandOutput::err(format!("error: {e}")),
        };
        if p.has("background") {
            // the playground's Start/Stop load buttons: the run goes on as virtual time passes
            return CommandOutput::ok(format!(
                "load {id} started: {url} at {rps}/s for {} (sim load --stop {url} ends it)\n",
                crate::duration::go_duration_string(duration_ms)
            ));
        }
        let start = self.sim.now_ms();
        self.advance(duration_ms);
        // let the last requests' timeouts settle
        self.advance(self.net.config().load_timeout_ms);
        let Some(r) = self.net.load_report(id) else {
            return CommandOutput::err("error: the load run vanished");
        };
        self.loads
            .push((start, start + duration_ms, r.stats.per_pod.clone()));
        let st = &r.stats;
        let pct = |n: u64| {
            if st.sent == 0 {
                0.0
            } else {
                n as f64 * 100.0 / st.sent as f64
            }
        };
        let mut text = format!(
            "{url}: {} requests in {} at {rps}/s: {} succeeded ({:.1}%), {} failed\n",
            st.sent,
            crate::duration::go_duration_string(duration_ms),
            st.succeeded,
            pct(st.succeeded),
            st.failed
        );
        let mut rows = String::new();
        for (pod, n) in &st.per_pod {
            rows.push_str(&format!("  {pod}\t{n}\t({:.1}%)\n", pct(*n)));
        }
        for (f, n) in &st.failures {
            rows.push_str(&format!("  {}\t{n}\t({:.1}%)\n", f.label(), pct(*n)));
        }
        text.push_str(&crate::tabwriter::align(&rows, 0, 2));
        text.push_str(&format!(
            "latency p50 {}, p90 {}, p99 {}, max {}\n",
            fmt_us(st.latency.percentile_us(50)),
            fmt_us(st.latency.percentile_us(90)),
            fmt_us(st.latency.percentile_us(99)),
            fmt_us(st.latency.max_us())
        ));
        CommandOutput { text, ok: true }
    }

    /// `sim load --stop [URL]`: end the background runs (to `url`, or all) and summarise them.
    fn sim_load_stop(&mut self, url: Option<&str>) -> CommandOutput {
        let now = self.sim.now_ms();
        let running: Vec<_> = self
            .net
            .load_reports()
            .into_iter()
            .filter(|r| !r.done && url.is_none_or(|u| r.url == u))
            .collect();
        if running.is_empty() {
            return CommandOutput::err(match url {
                Some(u) => format!("error: no load running to {u}"),
                None => "error: no load running".to_string(),
            });
        }
        let mut text = String::new();
        for r in running {
            self.net.stop_load(r.id);
            let st = &r.stats;
            self.loads.push((r.started_at, now, st.per_pod.clone()));
            text.push_str(&format!(
                "load {} stopped: {}: {} requests in {}: {} succeeded, {} failed\n",
                r.id,
                r.url,
                st.sent,
                crate::duration::go_duration_string(now.saturating_sub(r.started_at)),
                st.succeeded,
                st.failed
            ));
        }
        CommandOutput::ok(text)
    }

    /// Access-log lines of a pod's app: requests sent with `curl` and by `sim load`, in time
    /// order, the newest [`ACCESS_LOG_LINES`] (the network's bound, see `network::access`).
    pub(crate) fn access_log(&self, ns: &str, pod: &str) -> Vec<String> {
        let epoch = self.now_unix_ms() - i64::try_from(self.sim.now_ms()).unwrap_or(0);
        let mut lines: Vec<(u64, String)> = self
            .net
            .access_log(ns, pod)
            .into_iter()
            .map(|(e, path)| {
                let at = epoch + i64::try_from(e.at_ms).unwrap_or(0);
                (
                    e.at_ms,
                    format!(
                        "{} - - [{}] \"GET {path} HTTP/1.1\" 200 -",
                        kubeplay_core::network::fmt_ip(e.client),
                        log_time(at)
                    ),
                )
            })
            .collect();
        lines.extend(self.access.get(pod).cloned().unwrap_or_default());
        // stable: a curl line and a load line in the same ms keep load-then-curl order
        lines.sort_by_key(|(t, _)| *t);
        let drop = lines.len().saturating_sub(ACCESS_LOG_LINES);
        lines.drain(..drop);
        lines.into_iter().map(|(_, l)| l).collect()
    }

    /// Usage of each running pod: (cpu millicores, memory bytes).
    fn pod_usage(&self) -> BTreeMap<(String, String), (i64, i64, String)> {
        let now = self.sim.now_ms();
        let from = now.saturating_sub(WINDOW_MS);
        // requests served per pod in the window, from load runs overlapping it
        let mut served: BTreeMap<String, f64> = BTreeMap::new();
        for (start, end, per_pod) in &self.loads {
            let (s0, e0) = ((*start).max(from), (*end).min(now));
            if e0 <= s0 || end <= start {
                continue;
            }
            let share = (e0 - s0) as f64 / (end - start) as f64;
            for (pod, n) in per_pod {
                *served.entry(pod.clone()).or_default() += *n as f64 * share;
            }
        }
        let mut out = BTreeMap::new();
        for p in self.list_all(resource::by_kind("Pod").unwrap_or(&RESOURCES[4])) {
            let running = list(&p, "status.containerStatuses")
                .iter()
                .filter(|c| get(c, "state.running").is_some())
                .count();
            if running == 0 {
                continue;
            }
            let name = s(&p, "metadata.name").to_string();
            let per_req = get(&p, "metadata.annotations")
                .and_then(|a| a.get("kubeplay.dev/cpu-per-request"))
                .map_or(1, |v| crate::quantity::cpu_millis(Some(v)).max(0));
            let rate = served.get(&name).copied().unwrap_or(0.0) / (WINDOW_MS as f64 / 1000.0);
            #[allow(clippy::cast_possible_truncation)]
            let load_cpu = (rate * per_req as f64).round() as i64;
            let n = i64::try_from(running).unwrap_or(1);
            out.insert(
                (s(&p, "metadata.namespace").to_string(), name),
                (
                    IDLE_CPU_MILLI * n + load_cpu,
                    IDLE_MEM_BYTES * n,
                    s(&p, "spec.nodeName").to_string(),
                ),
            );
        }
        out
    }

    /// `kubectl top nodes|pods`.
    pub(crate) fn top_table(&mut self, what: &str, p: &Parsed) -> CommandOutput {
        let usage = self.pod_usage();
        let cpu = |m: i64| format!("{m}m");
        let mem = crate::quantity::format_mi;
        let mut text = String::new();
        if what == "nodes" {
            if !p.is("no-headers") {
                text.push_str("NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\n");
            }
            for n in self.list_all(resource::by_kind("Node").unwrap_or(&RESOURCES[3])) {
                let name = s(&n, "metadata.name");
                let ready = list(&n, "status.conditions")
                    .iter()
                    .any(|c| s(c, "type") == "Ready" && s(c, "status") == "True");
                if !ready {
                    text.push_str(&format!(
                        "{name}\t<unknown>\t<unknown>\t<unknown>\t<unknown>\n"
                    ));
                    continue;
                }
                let (mut c, mut m) = (NODE_CPU_MILLI, NODE_MEM_BYTES);
                for (uc, um, node) in usage.values() {
                    if node == name {
                        c += uc;
                        m += um;
                    }
                }
                let ac = crate::quantity::cpu_millis(get(&n, "status.allocatable.cpu")).max(1);
                let am = crate::quantity::bytes(get(&n, "status.allocatable.memory")).max(1);
                text.push_str(&format!(
                    "{name}\t{}\t{}%\t{}\t{}%\n",
                    cpu(c),
                    c * 100 / ac,
                    mem(m),
                    m * 100 / am
                ));
            }
            return CommandOutput::ok(crate::tabwriter::table(&text));
        }
        let scope = self.ns_scope(p);
        let labels = crate::selector::LabelSelector::parse(p.get("selector").unwrap_or(""))
            .unwrap_or_default();
        let pods: Vec<Value> = self.list_in(
            resource::by_kind("Pod").unwrap_or(&RESOURCES[4]),
            scope.as_deref(),
        );
        let mut rows = Vec::new();
        for pod in &pods {
            if !labels.matches(get(pod, "metadata.labels").unwrap_or(&Value::Null)) {
                continue;
            }
            let key = (
                s(pod, "metadata.namespace").to_string(),
                s(pod, "metadata.name").to_string(),
            );
            if let Some((c, m, _)) = usage.get(&key) {
                rows.push((key, *c, *m));
            }
        }
        match p.get("sort-by") {
            Some("cpu") => rows.sort_by_key(|r| std::cmp::Reverse(r.1)),
            Some("memory") => rows.sort_by_key(|r| std::cmp::Reverse(r.2)),
            _ => {}
        }
        if rows.is_empty() {
            return match scope {
                Some(ns) => CommandOutput::err(format!("No resources found in {ns} namespace.")),
                None => CommandOutput::err("No resources found"),
            };
        }
        let all = scope.is_none();
        if !p.is("no-headers") {
            text.push_str(if all {
                "NAMESPACE\tNAME\tCPU(cores)\tMEMORY(bytes)\n"
            } else {
                "NAME\tCPU(cores)\tMEMORY(bytes)\n"
            });
        }
        for ((ns, name), c, m) in rows {
            if all {
                text.push_str(&format!("{ns}\t"));
            }
            text.push_str(&format!("{name}\t{}\t{}\n", cpu(c), mem(m)));
        }
        CommandOutput::ok(crate::tabwriter::table(&text))
    }
}
