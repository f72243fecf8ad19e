//! Read-mostly verbs: describe, wait, logs, top, explain, version, cluster-info,
//! api-resources.
use crate::flags::Parsed;
use crate::get::targets;
use crate::printers::{get, list, s};
use crate::resource::{self, Resource, RESOURCES};
use crate::session::{CommandOutput, FileSource, Session};
use serde_json::Value;

/// kubectl's version line in `kubectl version` (the simulated cluster is v1.34).
pub const KUBE_VERSION: &str = "v1.34.2";

impl Session {
    /// `kubectl describe`.
    pub(crate) fn describe(&mut self, p: &Parsed, files: &dyn FileSource) -> CommandOutput {
        let tgts = match self.resolve_targets(p, files) {
            Ok(t) => t,
            Err(e) => return CommandOutput::err(e),
        };
        if tgts.is_empty() {
            return CommandOutput::err("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl describe -h' for help and examples");
        }
        let ns = self.ns(p);
        let scope = self.ns_scope(p);
        let mut outputs: Vec<String> = Vec::new();
        let mut errors: Vec<String> = Vec::new();
        for t in &tgts {
            let mut objs: Vec<Value> = Vec::new();
            if t.names.is_empty() {
                let labels =
                    match crate::selector::LabelSelector::parse(p.get("selector").unwrap_or("")) {
                        Ok(l) => l,
                        Err(e) => return CommandOutput::err(format!("error: {e}")),
                    };
                objs = self
                    .list_in(t.res, scope.as_deref())
                    .into_iter()
                    .filter(|o| labels.matches(get(o, "metadata.labels").unwrap_or(&Value::Null)))
                    .collect();
            } else {
                for n in &t.names {
                    if let Some(o) = self.get_one(t.res, &ns, n) {
                        objs.push(o);
                        continue;
                    }
                    // kubectl describe falls back to a name prefix match
                    let pref: Vec<Value> = self
                        .list_in(t.res, Some(&ns))
                        .into_iter()
                        .filter(|o| s(o, "metadata.name").starts_with(n.as_str()))
                        .collect();
                    if pref.is_empty() {
                        errors.push(t.res.not_found(n));
                    }
                    objs.extend(pref);
                }
            }
            for o in objs {
                outputs.push(self.describe_one(t.res, &o));
            }
        }
        let mut text = outputs.join("\n\n");
        if outputs.is_empty() && errors.is_empty() {
            text = match scope {
                Some(ns) if tgts.iter().any(|t| t.res.namespaced) => {
                    format!("No resources found in {ns} namespace.\n")
                }
                _ => "No resources found\n".into(),
            };
        }
        for e in &errors {
            text.push_str(e);
            text.push('\n');
        }
        CommandOutput {
            text,
            ok: errors.is_empty(),
        }
    }

    fn describe_one(&self, res: &Resource, o: &Value) -> String {
        let ctx = self.ctx(false);
        let ns = s(o, "metadata.namespace").to_string();
        let name = s(o, "metadata.name").to_string();
        let events = self.events_about(res.kind, &ns, &name);
        let uid = s(o, "metadata.uid").to_string();
        let owned_by = |x: &Value| {
            list(x, "metadata.ownerReferences")
                .iter()
                .any(|r| s(r, "uid") == uid)
        };
        match res.kind {
            "Pod" => crate::describe::pod(o, &events, &ctx),
            "Deployment" => {
                let rss: Vec<Value> = self
                    .list_in(
                        resource::by_kind("ReplicaSet").unwrap_or(&RESOURCES[7]),
                        Some(&ns),
                    )
                    .into_iter()
                    .filter(owned_by)
                    .collect();
                crate::describe::deployment(o, &rss, &events, &ctx)
            }
            "ReplicaSet" => {
                let pods: Vec<Value> = self
                    .list_in(resource::by_kind("Pod").unwrap_or(&RESOURCES[4]), Some(&ns))
                    .into_iter()
                    .filter(owned_by)
                    .collect();
                crate::describe::replicaset(o, &pods, &events, &ctx)
            }
            "Service" => {
                let ep = self.endpoints_of(&ns, &name);
                crate::describe::service(o, ep.as_ref(), &events, &ctx)
            }
            "Node" => {
                let pods: Vec<Value> = self
                    .list_all(resource::by_kind("Pod").unwrap_or(&RESOURCES[4]))
                    .into_iter()
                    .filter(|p| {
                        s(p, "spec.nodeName") == name
                            && !matches!(s(p, "status.phase"), "Succeeded" | "Failed")
                    })
                    .collect();
                let events = self.events_about("Node", "default", &name);
                crate::describe::node(o, &pods, &events, &ctx)
            }
            "Namespace" => crate::describe::namespace(o),
            _ => crate::describe::generic(o, &events, &ctx),
        }
    }

    /// `kubectl wait --for=condition=C|delete|jsonpath=… TARGET --timeout=D`.
    pub(crate) fn wait(&mut self, p: &Parsed) -> CommandOutput {
        let Some(cond) = p.get("for") else {
            return CommandOutput::err("error: --for must be specified (one of: condition=..., delete, create, jsonpath=...)");
        };
        let timeout = match p.get("timeout") {
            None => 30_000,
            Some(t) => match crate::duration::parse_duration_ms(t) {
                Some(ms) => ms,
                None => return CommandOutput::err(format!("error: invalid argument {t:?} for \"--timeout\" flag: time: invalid duration {t:?}")),
            },
        };
        let tgts = match targets(&p.args) {
            Ok(t) => t,
            Err(e) => return CommandOutput::err(e),
        };
        if tgts.is_empty() {
            return CommandOutput::err("error: resource name may not be empty");
        }
        enum Want {
            Delete,
            Create,
            Condition(String, String),
            Path(crate::jsonpath::Template, Option<String>),
        }
        let want = if cond == "delete" {
            Want::Delete
        } else if cond == "create" {
            Want::Create
        } else if let Some(c) = cond.strip_prefix("condition=") {
            let (c, v) = c.split_once('=').unwrap_or((c, "true"));
            Want::Condition(c.to_ascii_lowercase(), v.to_ascii_lowercase())
        } else if let Some(j) = cond.strip_prefix("jsonpath=") {
            let (expr, val) = match j.rfind("}=") {
                Some(i) => (&j[..=i], Some(j[i + 2..].to_string())),
                None => (j, None),
            };
            match crate::jsonpath::relaxed(expr) {
                Ok(t) => Want::Path(t, val),
                Err(e) => return CommandOutput::err(format!("error: {e}")),
            }
        } else {
            return CommandOutput::err(format!("error: unrecognized condition: {cond:?}"));
        };
        let ns = self.ns(p);
        // Resolve the objects now (selectors select at start, as kubectl does).
        let mut objs: Vec<(&'static Resource, String)> = Vec::new();
        for t in &tgts {
            if t.names.is_empty() {
                let labels = crate::selector::LabelSelector::parse(p.get("selector").unwrap_or(""))
                    .unwrap_or_default();
                for o in self.list_in(t.res, Some(&ns)) {
                    if labels.matches(get(&o, "metadata.labels").unwrap_or(&Value::Null)) {
                        objs.push((t.res, s(&o, "metadata.name").to_string()));
                    }
                }
            } else {
                for n in &t.names {
                    objs.push((t.res, n.clone()));
                }
            }
        }
        if objs.is_empty() {
            return CommandOutput::err("error: no matching resources found");
        }
        let mut text = String::new();
        let start = self.sim.now_ms();
        for (res, name) in objs {
            if !matches!(want, Want::Delete | Want::Create)
                && self.get_one(res, &ns, &name).is_none()
            {
                text.push_str(&res.not_found(&name));
                text.push('\n');
                return CommandOutput { text, ok: false };
            }
            let spent = self.sim.now_ms() - start;
            let left = timeout.saturating_sub(spent);
            let met = self.wait_until(left, |sess| {
                let o = sess.get_one(res, &ns, &name);
                match &want {
                    Want::Delete => o.is_none(),
                    Want::Create => o.is_some(),
                    Want::Condition(c, v) => o.is_some_and(|o| {
                        list(&o, "status.conditions").iter().any(|x| {
                            s(x, "type").to_ascii_lowercase() == *c
                                && s(x, "status").to_ascii_lowercase() == *v
                        })
                    }),
                    Want::Path(t, v) => o.is_some_and(|o| {
                        let vals = t.values(&o);
                        match v {
                            Some(v) => vals.iter().any(|x| crate::jsonpath::value_text(x) == *v),
                            None => !vals.is_empty(),
                        }
                    }),
                }
            });
            if met {
                let word = "condition met";
                text.push_str(&format!("{}/{name} {word}\n", res.singular_qualified()));
            } else {
                text.push_str(&format!(
                    "error: timed out waiting for the condition on {}/{name}\n",
                    res.plural_qualified()
                ));
                return CommandOutput { text, ok: false };
            }
        }
        CommandOutput { text, ok: true }
    }

    /// `kubectl logs POD|deployment/NAME`.
    pub(crate) fn logs(&mut self, p: &Parsed) -> CommandOutput {
        if p.is("follow") {
            return CommandOutput::err("error: --follow is not supported in the playground (virtual time does not run on its own); run logs again after a sleep");
        }
        let Some(arg) = p.args.first() else {
            return CommandOutput::err("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples");
        };
        let ns = self.ns(p);
        let pods_res = resource::by_kind("Pod").unwrap_or(&RESOURCES[4]);
        let mut found_note = String::new();
        let pod = if let Some((t, n)) = arg.split_once('/') {
            let Some(res) = resource::lookup(t) else {
                return CommandOutput::err(resource::unknown_type(t));
            };
            match res.kind {
                "Pod" => self.get_one(pods_res, &ns, n),
                "Deployment" | "ReplicaSet" | "Service" => {
                    let Some(owner) = self.get_one(res, &ns, n) else {
                        return CommandOutput::err(res.not_found(n));
                    };
                    let sel = if res.kind == "Service" {
                        get(&owner, "spec.selector").cloned()
                    } else {
                        get(&owner, "spec.selector.matchLabels").cloned()
                    };
                    let sel = sel.and_then(|v| v.as_object().cloned()).unwrap_or_default();
                    let matching: Vec<Value> = self
                        .list_in(pods_res, Some(&ns))
                        .into_iter()
                        .filter(|p| {
                            !sel.is_empty()
                                && sel.iter().all(|(k, v)| {
                                    get(p, "metadata.labels").and_then(|l| l.get(k)) == Some(v)
                                })
                        })
                        .collect();
                    if matching.len() > 1 {
                        found_note = format!(
                            "Found {} pods, using pod/{}\n",
                            matching.len(),
                            s(&matching[0], "metadata.name")
                        );
                    }
                    matching.into_iter().next()
                }
                _ => {
                    return CommandOutput::err(format!(
                        "error: cannot get the logs from {}",
                        res.plural_qualified()
                    ))
                }
            }
        } else {
            self.get_one(pods_res, &ns, arg)
        };
        let Some(pod) = pod else {
            return CommandOutput::err(pods_res.not_found(arg.rsplit('/').next().unwrap_or(arg)));
        };
        let name = s(&pod, "metadata.name").to_string();
        let containers: Vec<String> = list(&pod, "spec.containers")
            .iter()
            .map(|c| s(c, "name").to_string())
            .collect();
        let container = match p.get("container") {
            Some(c) if containers.iter().any(|x| x == c) => c.to_string(),
            Some(c) => {
                return CommandOutput::err(format!(
                    "error: container {c} is not valid for pod {name}"
                ))
            }
            None if containers.len() > 1 && !p.is("all-containers") => {
                return CommandOutput::err(format!(
                    "error: a container name must be specified for pod {name}, choose one of: [{}]",
                    containers.join(" ")
                ))
            }
            None => containers.first().cloned().unwrap_or_default(),
        };
        let running = list(&pod, "status.containerStatuses")
            .iter()
            .any(|c| s(c, "name") == container && get(c, "state.running").is_some());
        let started = list(&pod, "status.containerStatuses").iter().any(|c| {
            s(c, "name") == container
                && (get(c, "state.running").is_some()
                    || get(c, "state.terminated").is_some()
                    || get(c, "lastState.terminated").is_some())
        });
        if !started {
            let reason = list(&pod, "status.containerStatuses")
                .iter()
                .find(|c| s(c, "name") == container)
                .map(|c| s(c, "state.waiting.reason").to_string())
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "ContainerCreating".into());
            return CommandOutput::err(format!("Error from server (BadRequest): container \"{container}\" in pod \"{name}\" is waiting to start: {}", reason_text(&reason)));
        }
        let _ = running;
        let lines = self.access_log(&ns, &name);
        let tail = p
            .get("tail")
            .and_then(|t| t.parse::<i64>().ok())
            .unwrap_or(-1);
        let lines: Vec<String> = if tail >= 0 {
            let n = usize::try_from(tail).unwrap_or(0);
            lines
                .iter()
                .skip(lines.len().saturating_sub(n))
                .cloned()
                .collect()
        } else {
            lines
        };
        let mut text = found_note;
        for l in lines {
            text.push_str(&l);
            text.push('\n');
        }
        CommandOutput { text, ok: true }
    }

    /// `kubectl top nodes|pods`.
    pub(crate) fn top(&mut self, what: &str, p: &Parsed) -> CommandOutput {
        self.top_table(what, p)
    }

    /// `kubectl explain TYPE[.field.path]`.
    pub(crate) fn explain(&mut self, p: &Parsed) -> CommandOutput {
        let Some(arg) = p.args.first() else {
            return CommandOutput::err("You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl explain -h' for help and examples");
        };
        let (t, path) = arg
            .split_once('.')
            .map_or((arg.as_str(), ""), |(a, b)| (a, b));
        let Some(res) = resource::lookup(t) else {
            return CommandOutput::err(resource::unknown_type(t));
        };
        match crate::explain::explain(res, path, p.is("recursive")) {
            Ok(t) => CommandOutput::ok(t),
            Err(e) => CommandOutput::err(e),
        }
    }

    /// `kubectl version`.
    pub(crate) fn version_cmd(&mut self, p: &Parsed) -> CommandOutput {
        let client = format!("Client Version: {KUBE_VERSION}\nKustomize Version: v5.7.1\n");
        match p.get("output") {
            Some("json") => CommandOutput::ok(crate::json::pretty(&serde_json::json!({
                "clientVersion": {"major": "1", "minor": "34", "gitVersion": KUBE_VERSION, "platform": "kubeplay"},
                "kustomizeVersion": "v5.7.1",
                "serverVersion": {"major": "1", "minor": "34", "gitVersion": KUBE_VERSION, "platform": "kubeplay"}
            }))),
            Some("yaml") => CommandOutput::ok(format!("clientVersion:\n  gitVersion: {KUBE_VERSION}\n  major: \"1\"\n  minor: \"34\"\n  platform: kubeplay\nkustomizeVersion: v5.7.1\nserverVersion:\n  gitVersion: {KUBE_VERSION}\n  major: \"1\"\n  minor: \"34\"\n  platform: kubeplay\n")),
            Some(o) => CommandOutput::err(format!("error: --output must be 'yaml' or 'json', got {o:?}")),
            None if p.is("client") => CommandOutput::ok(client),
            None => CommandOutput::ok(format!("{client}Server Version: {KUBE_VERSION}")),
        }
    }

    /// `kubectl cluster-info`.
    pub(crate) fn cluster_info(&mut self) -> CommandOutput {
        use crate::kubeconfig::SERVER;
        CommandOutput::ok(format!(
            "Kubernetes control plane is running at {SERVER}\nCoreDNS is running at {SERVER}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.",
        ))
    }

    /// `kubectl events`: events sorted by time, optionally `--for TYPE/NAME` and
    /// `--types=Warning,Normal`.
    pub(crate) fn events_verb(&mut self, p: &Parsed) -> CommandOutput {
        let scope = self.ns_scope(p);
        let res = resource::by_kind("Event").unwrap_or(&RESOURCES[1]);
        let mut evs = self.list_in(res, scope.as_deref());
        if let Some(f) = p.get("for") {
            let (t, n) = f.split_once('/').unwrap_or(("", f));
            let kind = if t.is_empty() {
                None
            } else {
                resource::lookup(t).map(|r| r.kind)
            };
            if !t.is_empty() && kind.is_none() {
                return CommandOutput::err(resource::unknown_type(t));
            }
            evs.retain(|e| {
                s(e, "involvedObject.name") == n
                    && kind.is_none_or(|k| s(e, "involvedObject.kind") == k)
            });
        }
        if let Some(types) = p.get("types") {
            let want: Vec<&str> = types.split(',').collect();
            evs.retain(|e| want.iter().any(|w| w.eq_ignore_ascii_case(s(e, "type"))));
        }
        evs.sort_by_key(|e| crate::duration::parse_rfc3339_ms(s(e, "lastTimestamp")).unwrap_or(0));
        if evs.is_empty() {
            return CommandOutput::ok(match scope {
                Some(ns) => format!("No events found in {ns} namespace."),
                None => "No events found.".to_string(),
            });
        }
        let ctx = self.ctx(false);
        let mut t = crate::printers::Table {
            header: crate::printers::columns("Event", &ctx),
            rows: Vec::new(),
        };
        let all = scope.is_none();
        if all {
            t.header.insert(0, "NAMESPACE".into());
        }
        for e in &evs {
            let mut r = crate::printers::row("Event", e, &ctx);
            if all {
                r.insert(0, s(e, "metadata.namespace").to_string());
            }
            t.rows.push(r);
        }
        CommandOutput::ok(crate::printers::render(&t, false))
    }

    /// `kubectl api-resources`.
    pub(crate) fn api_resources(&mut self, p: &Parsed) -> CommandOutput {
        let mut rows = String::new();
        if !p.is("no-headers") {
            rows.push_str("NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND\n");
        }
        let mut all: Vec<&Resource> = RESOURCES
            .iter()
            .filter(|r| r.kind != "InstanceGroup")
            .collect();
        all.sort_by_key(|r| (r.group, r.plural));
        for r in all {
            rows.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\n",
                r.plural,
                r.short.join(","),
                r.api_version(),
                r.namespaced,
                r.kind
            ));
        }
        CommandOutput::ok(crate::tabwriter::table(&rows))
    }
}

fn reason_text(r: &str) -> String {
    match r {
        "ErrImagePull" | "ImagePullBackOff" => "trying and failing to pull image".to_string(),
        _ => r.to_string(),
    }
}
