//! Verbs that change objects: delete, scale, set image, label, annotate, cordon, uncordon,
//! drain, expose and rollout. Edits that the engine has no dedicated call for are made on
//! the object's JSON and applied back, which is what kubectl's patches amount to.
use crate::cluster::{kind_of, object_from_value};
use crate::flags::Parsed;
use crate::get::{targets, Target};
use crate::printers::{get, list, s};
use crate::resource::{self, Resource};
use crate::session::{CommandOutput, FileSource, Session};
use kubeplay_core::Propagation;
use serde_json::{json, Value};

/// Virtual time `kubectl delete` waits for an object to go (its default `--timeout=0` means
/// forever; a bounded wait keeps scripts finite).
const DELETE_WAIT_MAX_MS: u64 = 10 * 60 * 1000;
/// Polling step of waits in virtual time.
const POLL_MS: u64 = 250;

fn one_target(args: &[String], verb: &str) -> Result<(&'static Resource, String), String> {
    let t = targets(args)?;
    match t.as_slice() {
        [Target { res, names, .. }] if names.len() == 1 => Ok((res, names[0].clone())),
        [Target { names, .. }] if names.is_empty() => Err(format!(
            "error: resource(s) were provided, but no name was specified\nSee 'kubectl {verb} -h' for help and examples"
        )),
        [] => Err(format!(
            "error: required resource not specified\nSee 'kubectl {verb} -h' for help and examples"
        )),
        _ => Err(format!("error: only one resource can be named for {verb}")),
    }
}

impl Session {
    fn apply_value(&mut self, v: Value) -> Result<(), String> {
        let o = object_from_value(v)?;
        match self
            .apply_objects(vec![o])
            .into_iter()
            .next()
            .map(|o| o.result)
        {
            Some(Ok(_)) => Ok(()),
            Some(Err(e)) => Err(e),
            None => Err("nothing applied".into()),
        }
    }

    /// Advance virtual time until `done` holds or `max_ms` passes; returns whether it held.
    pub(crate) fn wait_until(
        &mut self,
        max_ms: u64,
        mut done: impl FnMut(&Session) -> bool,
    ) -> bool {
        let max_ms = max_ms.min(crate::command::MAX_WAIT_MS);
        let start = self.sim.now_ms();
        loop {
            if done(self) {
                return true;
            }
            let elapsed = self.sim.now_ms() - start;
            if elapsed >= max_ms {
                return false;
            }
            if !self.advance_moved(POLL_MS.min(max_ms - elapsed)) {
                return done(self);
            }
        }
    }

    /// `kubectl delete`.
    pub(crate) fn delete(&mut self, p: &Parsed, files: &dyn FileSource) -> CommandOutput {
        let propagation = match p.get("cascade") {
            None | Some("background" | "true") => Propagation::Background,
            Some("foreground") => Propagation::Foreground,
            Some("orphan" | "false") => Propagation::Orphan,
            Some(x) => {
                return CommandOutput::err(format!(
                    "error: invalid cascade value ({x}). Must be \"background\", \"foreground\", or \"orphan\"."
                ))
            }
        };
        let mut grace: Option<i64> = match p.get("grace-period").map(str::parse::<i64>) {
            None => None,
            Some(Ok(g)) if g >= 0 => Some(g),
            Some(Ok(_)) => None,
            Some(Err(_)) => {
                return CommandOutput::err(crate::command::flag_error(
                    &crate::flags::invalid_int(
                        "grace-period",
                        None,
                        p.get("grace-period").unwrap_or(""),
                    ),
                    "delete",
                ))
            }
        };
        if p.is("now") {
            grace = Some(1);
        }
        let force = p.is("force");
        let mut text = String::new();
        if force {
            if grace.is_none() {
                grace = Some(0);
            }
            if grace == Some(0) {
                text.push_str("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
            }
        } else if grace == Some(0) {
            // kubectl turns a zero grace period without --force into 1s
            grace = Some(1);
        }
        let tgts = match self.resolve_targets(p, files) {
            Ok(t) => t,
            Err(e) => return CommandOutput::err(e),
        };
        if tgts.is_empty() {
            return CommandOutput::err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
        }
        let selecting = p.has("selector") || p.is("all") || p.has("field-selector");
        if tgts.iter().any(|t| t.names.is_empty()) && !selecting {
            return CommandOutput::err(
                "error: resource(s) were provided, but no name was specified",
            );
        }
        let (groups, errors) = match self.collect(&tgts, p) {
            Ok(x) => x,
            Err(e) => return CommandOutput::err(e),
        };
        let mut deleted: Vec<(&'static Resource, String, String)> = Vec::new();
        let mut ok = errors.is_empty();
        for (res, items) in &groups {
            for o in items {
                let name = s(o, "metadata.name").to_string();
                let ns = s(o, "metadata.namespace").to_string();
                let Some(kind) = kind_of(res) else {
                    text.push_str(&format!(
                        "error: {} cannot be deleted in the simulator\n",
                        res.plural
                    ));
                    ok = false;
                    continue;
                };
                match self.sim.delete(kind, &ns, &name, propagation, grace) {
                    Ok(()) => {
                        let verb = if force && grace == Some(0) {
                            "force deleted"
                        } else {
                            "deleted"
                        };
                        if res.namespaced {
                            text.push_str(&format!(
                                "{} \"{name}\" {verb} from {ns} namespace\n",
                                res.singular_qualified()
                            ));
                        } else {
                            text.push_str(&format!(
                                "{} \"{name}\" {verb}\n",
                                res.singular_qualified()
                            ));
                        }
                        deleted.push((res, ns, name));
                    }
                    Err(e) => {
                        text.push_str(&format!("Error from server (NotFound): {e}\n"));
                        ok = false;
                    }
                }
            }
        }
        if groups.iter().all(|(_, i)| i.is_empty()) && errors.is_empty() {
            let ns = self.ns(p);
            text.push_str(&format!("No resources found in {ns} namespace.\n"));
        }
        for e in errors {
            text.push_str(&e);
            text.push('\n');
        }
        // kubectl waits (--wait=true) until the objects are gone from the API.
        let wait = p.get("wait") != Some("false");
        if wait && !deleted.is_empty() {
            self.wait_until(DELETE_WAIT_MAX_MS, |sess| {
                deleted
                    .iter()
                    .all(|(res, ns, name)| sess.get_one(res, ns, name).is_none())
            });
        }
        CommandOutput { text, ok }
    }

    /// `kubectl scale`.
    pub(crate) fn scale(&mut self, p: &Parsed) -> CommandOutput {
        let Some(r) = p.get("replicas") else {
            return CommandOutput::err("error: required flag(s) \"replicas\" not set");
        };
        let Ok(replicas) = r.parse::<i32>() else {
            return CommandOutput::err(crate::command::flag_error(
                &crate::flags::invalid_int("replicas", None, r),
                "scale",
            ));
        };
        if replicas < 0 {
            return CommandOutput::err("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
        }
        let tgts = match targets(&p.args) {
            Ok(t) => t,
            Err(e) => return CommandOutput::err(e),
        };
        let ns = self.ns(p);
        let mut text = String::new();
        let mut ok = true;
        for t in &tgts {
            let Some(kind) =
                kind_of(t.res).filter(|_| matches!(t.res.kind, "Deployment" | "ReplicaSet"))
            else {
                text.push_str(&format!(
                    "error: no scaler has been implemented for {{\"{}\" \"{}\"}}\n",
                    t.res.group, t.res.kind
                ));
                ok = false;
                continue;
            };
            for n in &t.names {
                // kubeplay's replica cap, worded as the API server words an invalid update
                if replicas > kubeplay_api::validate::REPLICAS_MAX {
                    text.push_str(&format!(
                        "The {} \"{n}\" is invalid: spec.replicas: Invalid value: {replicas}: {}\n",
                        t.res.kind,
                        kubeplay_api::validate::replicas_max_detail()
                    ));
                    ok = false;
                    continue;
                }
                match self.sim.scale(kind, &ns, n, replicas) {
                    Ok(()) => {
                        text.push_str(&format!("{}/{n} scaled\n", t.res.singular_qualified()))
                    }
                    Err(e) => {
                        // the core refuses with a cap (Forbidden) or for a missing object
                        let reason = if e.contains(" is forbidden: ") {
                            "Forbidden"
                        } else {
                            "NotFound"
                        };
                        text.push_str(&format!("Error from server ({reason}): {e}\n"));
                        ok = false;
                    }
                }
            }
        }
        if tgts.is_empty() || tgts.iter().all(|t| t.names.is_empty()) {
            return CommandOutput::err(
                "error: resource(s) were provided, but no name was specified",
            );
        }
        CommandOutput { text, ok }
    }

    /// `kubectl set image deployment/NAME CONTAINER=IMAGE…`.
    pub(crate) fn set_image(&mut self, p: &Parsed) -> CommandOutput {
        let (objs, pairs): (Vec<String>, Vec<String>) =
            p.args.iter().cloned().partition(|a| !a.contains('='));
        if pairs.is_empty() {
            return CommandOutput::err("error: at least one image update is required\nSee 'kubectl set image -h' for help and examples");
        }
        let (res, name) = match one_target(&objs, "set image") {
            Ok(x) => x,
            Err(e) => return CommandOutput::err(e),
        };
        let ns = self.ns(p);
        let Some(mut v) = self.get_one(res, &ns, &name) else {
            return CommandOutput::err(res.not_found(&name));
        };
        let path: &[&str] = if res.kind == "Pod" {
            &["spec"]
        } else {
            &["spec", "template", "spec"]
        };
        let mut spec = &mut v;
        for seg in path {
            spec = &mut spec[*seg];
        }
        for pair in &pairs {
            let (c, img) = pair.split_once('=').unwrap_or((pair, ""));
            let Some(cs) = spec.get_mut("containers").and_then(Value::as_array_mut) else {
                return CommandOutput::err(format!(
                    "error: unable to find container named \"{c}\""
                ));
            };
            let mut found = false;
            for cont in cs.iter_mut() {
                if c == "*" || s(cont, "name") == c {
                    cont["image"] = json!(img);
                    found = true;
                }
            }
            if !found {
                return CommandOutput::err(format!(
                    "error: unable to find container named \"{c}\""
                ));
            }
        }
        match self.apply_value(v) {
            Ok(()) => {
                CommandOutput::ok(format!("{}/{name} image updated", res.singular_qualified()))
            }
            Err(e) => CommandOutput::err(format!("error: {e}")),
        }
    }

    /// `kubectl label` and `kubectl annotate`.
    pub(crate) fn label(&mut self, p: &Parsed, annotate: bool) -> CommandOutput {
        let field = if annotate { "annotations" } else { "labels" };
        let verb = if annotate { "annotate" } else { "label" };
        let (objs, changes): (Vec<String>, Vec<String>) = p.args.iter().cloned().partition(|a| {
            !(a.contains('=') || a.ends_with('-')) || a.contains('/') && !a.contains('=')
        });
        if changes.is_empty() {
            return CommandOutput::err(format!("error: at least one {} update is required\nSee 'kubectl {verb} -h' for help and examples", if annotate { "annotation" } else { "label" }));
        }
        let tgts = match targets(&objs) {
            Ok(t) => t,
            Err(e) => return CommandOutput::err(e),
        };
        if tgts.is_empty() {
            return CommandOutput::err(format!("error: one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl {verb} -h' for help and examples"));
        }
        let (groups, errors) = match self.collect(&tgts, p) {
            Ok(x) => x,
            Err(e) => return CommandOutput::err(e),
        };
        let mut text = String::new();
        let mut ok = errors.is_empty();
        for (res, items) in groups {
            for mut o in items {
                let name = s(&o, "metadata.name").to_string();
                let before = o["metadata"].get(field).cloned();
                let mut map = before
                    .clone()
                    .and_then(|m| m.as_object().cloned())
                    .unwrap_or_default();
                let mut err = None;
                for c in &changes {
                    if let Some(k) = c.strip_suffix('-').filter(|_| !c.contains('=')) {
                        map.remove(k);
                    } else if let Some((k, val)) = c.split_once('=') {
                        if let Some(old) = map.get(k).and_then(Value::as_str) {
                            if old != val && !p.is("overwrite") {
                                err = Some(if annotate {
                                    format!("error: --overwrite is false but found the following declared annotation(s): '{k}' already has a value ({old})")
                                } else {
                                    format!("error: '{k}' already has a value ({old}), and --overwrite is false")
                                });
                                break;
                            }
                        }
                        map.insert(k.to_string(), json!(val));
                    }
                }
                if let Some(e) = err {
                    text.push_str(&e);
                    text.push('\n');
                    ok = false;
                    continue;
                }
                let after = Value::Object(map);
                let unchanged = before.clone().unwrap_or(json!({})) == after;
                o["metadata"][field] = after;
                let word = if annotate { "annotated" } else { "labeled" };
                if unchanged {
                    text.push_str(&format!("{}/{name} not {word}\n", res.singular_qualified()));
                    continue;
                }
                match self.apply_value(o) {
                    Ok(()) => {
                        text.push_str(&format!("{}/{name} {word}\n", res.singular_qualified()))
                    }
                    Err(e) => {
                        text.push_str(&format!("error: {e}\n"));
                        ok = false;
                    }
                }
            }
        }
        for e in errors {
            text.push_str(&e);
            text.push('\n');
        }
        CommandOutput { text, ok }
    }

    fn set_unschedulable(&mut self, node: &str, on: bool) -> Result<bool, String> {
        let res = resource::by_kind("Node").ok_or("no nodes")?;
        let Some(mut v) = self.get_one(res, "", node) else {
            return Err(res.not_found(node));
        };
        let cur = get(&v, "spec.unschedulable")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if cur == on {
            return Ok(false);
        }
        if on {
            v["spec"]["unschedulable"] = json!(true);
        } else if let Some(spec) = v.get_mut("spec").and_then(Value::as_object_mut) {
            spec.remove("unschedulable");
        }
        self.apply_value(v)
            .map(|()| true)
            .map_err(|e| format!("error: {e}"))
    }

    /// `kubectl cordon` / `kubectl uncordon`.
    pub(crate) fn cordon(&mut self, p: &Parsed, on: bool) -> CommandOutput {
        let verb = if on { "cordon" } else { "uncordon" };
        if p.args.is_empty() {
            return CommandOutput::err(format!(
                "error: USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help and examples"
            ));
        }
        let mut text = String::new();
        let mut ok = true;
        for n in &p.args {
            let n = n
                .strip_prefix("node/")
                .or_else(|| n.strip_prefix("nodes/"))
                .unwrap_or(n);
            match self.set_unschedulable(n, on) {
                Ok(true) => text.push_str(&format!("node/{n} {verb}ed\n")),
                Ok(false) => text.push_str(&format!("node/{n} already {verb}ed\n")),
                Err(e) => {
                    text.push_str(&e);
                    text.push('\n');
                    ok = false;
                }
            }
        }
        CommandOutput { text, ok }
    }

    /// `kubectl drain NODE`.
    pub(crate) fn drain(&mut self, p: &Parsed) -> CommandOutput {
        let Some(node) = p.args.first() else {
            return CommandOutput::err(
                "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples",
            );
        };
        let node = node.strip_prefix("node/").unwrap_or(node).to_string();
        let mut text = String::new();
        match self.set_unschedulable(&node, true) {
            Ok(true) => text.push_str(&format!("node/{node} cordoned\n")),
            Ok(false) => text.push_str(&format!("node/{node} already cordoned\n")),
            Err(e) => return CommandOutput::err(e),
        }
        let pods_res = resource::by_kind("Pod").unwrap_or(&resource::RESOURCES[4]);
        let pods: Vec<Value> = self
            .list_all(pods_res)
            .into_iter()
            .filter(|o| s(o, "spec.nodeName") == node)
            .filter(|o| !matches!(s(o, "status.phase"), "Succeeded" | "Failed"))
            .collect();
        let unmanaged: Vec<String> = pods
            .iter()
            .filter(|o| {
                !list(o, "metadata.ownerReferences")
                    .iter()
                    .any(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
            })
            .map(|o| format!("{}/{}", s(o, "metadata.namespace"), s(o, "metadata.name")))
            .collect();
        if !unmanaged.is_empty() && !p.is("force") {
            text.push_str(&format!(
                "error: unable to drain node \"{node}\" due to error: cannot delete cannot delete Pods that declare no controller (use --force to override): {}, continuing command...\nThere are pending nodes to be drained:\n {node}\ncannot delete Pods that declare no controller (use --force to override): {}\n",
                unmanaged.join(", "),
                unmanaged.join(", ")
            ));
            return CommandOutput { text, ok: false };
        }
        if !unmanaged.is_empty() {
            text.push_str(&format!(
                "Warning: deleting Pods that declare no controller: {}\n",
                unmanaged.join(", ")
            ));
        }
        let grace = p
            .get("grace-period")
            .and_then(|g| g.parse::<i64>().ok())
            .filter(|g| *g >= 0);
        let mut evicted = Vec::new();
        for o in &pods {
            let (ns, name) = (
                s(o, "metadata.namespace").to_string(),
                s(o, "metadata.name").to_string(),
            );
            text.push_str(&format!("evicting pod {ns}/{name}\n"));
            if self
                .sim
                .delete(
                    kubeplay_api::Kind::Pod,
                    &ns,
                    &name,
                    Propagation::Background,
                    grace,
                )
                .is_ok()
            {
                evicted.push((ns, name));
            }
        }
        let timeout = p
            .get("timeout")
            .and_then(crate::duration::parse_duration_ms)
            .filter(|t| *t > 0)
            .unwrap_or(DELETE_WAIT_MAX_MS);
        let done = self.wait_until(timeout, |sess| {
            evicted
                .iter()
                .all(|(ns, n)| sess.get_one(pods_res, ns, n).is_none())
        });
        for (_, n) in &evicted {
            text.push_str(&format!("pod/{n} evicted\n"));
        }
        if !done {
            text.push_str(&format!("error: unable to drain node \"{node}\" due to error: global timeout reached: {}, continuing command...\n", crate::duration::go_duration_string(timeout)));
            return CommandOutput { text, ok: false };
        }
        text.push_str(&format!("node/{node} drained\n"));
        CommandOutput { text, ok: true }
    }

    /// `kubectl expose deployment NAME --port=N [--target-port=N] [--type=T] [--name=N]`.
    pub(crate) fn expose(&mut self, p: &Parsed) -> CommandOutput {
        let (res, name) = match one_target(&p.args, "expose") {
            Ok(x) => x,
            Err(e) => return CommandOutput::err(e),
        };
        let ns = self.ns(p);
        let Some(o) = self.get_one(res, &ns, &name) else {
            return CommandOutput::err(res.not_found(&name));
        };
        let selector = match res.kind {
            "Deployment" | "ReplicaSet" => get(&o, "spec.selector.matchLabels").cloned(),
            "Service" => get(&o, "spec.selector").cloned(),
            "Pod" => get(&o, "metadata.labels").cloned(),
            _ => return CommandOutput::err(format!("error: cannot expose a {}", res.kind)),
        };
        let Some(selector) = selector.filter(|s| s.as_object().is_some_and(|m| !m.is_empty()))
        else {
            return CommandOutput::err(format!("error: couldn't retrieve selectors via --selector flag or introspection: the {} has no selector", res.kind.to_ascii_lowercase()));
        };
        let container_ports: Vec<i64> = list(
            &o,
            if res.kind == "Pod" {
                "spec.containers"
            } else {
                "spec.template.spec.containers"
            },
        )
        .iter()
        .flat_map(|c| list(c, "ports"))
        .map(|cp| crate::printers::i(cp, "containerPort"))
        .collect();
        let port: i64 = match p.get("port") {
            Some(x) => match x.parse() {
                Ok(n) => n,
                Err(_) => return CommandOutput::err(format!("error: invalid port {x:?}")),
            },
            None => match container_ports.first() {
                Some(n) => *n,
                None => return CommandOutput::err("error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples"),
            },
        };
        let target: Value = match p.get("target-port") {
            Some(t) => t.parse::<i64>().map_or_else(|_| json!(t), |n| json!(n)),
            None => json!(port),
        };
        let typ = p.get("type").unwrap_or("ClusterIP");
        let typ = match typ.to_ascii_lowercase().as_str() {
            "clusterip" => "ClusterIP",
            "nodeport" => "NodePort",
            "loadbalancer" => "LoadBalancer",
            _ => {
                return CommandOutput::err(format!(
                    "error: cannot expose a Service of type {typ:?}"
                ))
            }
        };
        let svc_name = p.get("name").map_or(name.clone(), str::to_string);
        let proto = p.get("protocol").unwrap_or("TCP");
        let labels = get(&o, "metadata.labels").cloned().unwrap_or(json!({}));
        let v = json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": svc_name, "namespace": ns, "labels": labels},
            "spec": {"type": typ, "selector": selector, "ports": [{"port": port, "targetPort": target, "protocol": proto}]},
        });
        self.create_object(v, "exposed")
    }

    /// `kubectl rollout SUB deployment/NAME`.
    pub(crate) fn rollout(&mut self, sub: &str, p: &Parsed) -> CommandOutput {
        let (res, name) = match one_target(&p.args, &format!("rollout {sub}")) {
            Ok(x) => x,
            Err(e) => return CommandOutput::err(e),
        };
        if res.kind != "Deployment" {
            return CommandOutput::err(format!(
                "error: no {sub} has been implemented for {{\"{}\" \"{}\"}}",
                res.group, res.kind
            ));
        }
        let ns = self.ns(p);
        if self.get_one(res, &ns, &name).is_none() {
            return CommandOutput::err(res.not_found(&name));
        }
        let id = format!("deployment.apps/{name}");
        match sub {
            "status" => self.rollout_status(p, &ns, &name),
            "history" => self.rollout_history(p, &ns, &name),
            "undo" => {
                let to = p
                    .get("to-revision")
                    .and_then(|r| r.parse::<i64>().ok())
                    .unwrap_or(0);
                match self.sim.rollback(&ns, &name, to) {
                    Ok(msg) => CommandOutput::ok(msg),
                    Err(e) => CommandOutput::err(format!("error: {e}")),
                }
            }
            "pause" | "resume" => {
                let pause = sub == "pause";
                let cur = self
                    .get_one(res, &ns, &name)
                    .and_then(|o| get(&o, "spec.paused").and_then(Value::as_bool))
                    .unwrap_or(false);
                if cur == pause {
                    return CommandOutput::err(format!(
                        "error: deployments.apps \"{name}\" is {}",
                        if pause {
                            "already paused"
                        } else {
                            "not paused"
                        }
                    ));
                }
                match self.sim.set_paused(&ns, &name, pause) {
                    Ok(()) => CommandOutput::ok(format!("{id} {sub}d")),
                    Err(e) => CommandOutput::err(format!("error: {e}")),
                }
            }
            "restart" => {
                let Some(mut v) = self.get_one(res, &ns, &name) else {
                    return CommandOutput::err(res.not_found(&name));
                };
                if get(&v, "spec.paused").and_then(Value::as_bool) == Some(true) {
                    return CommandOutput::err(format!("error: deployments.apps \"{name}\" can't restart paused deployment (run rollout resume first)"));
                }
                let now = crate::duration::format_rfc3339(self.now_unix_ms());
                v["spec"]["template"]["metadata"]["annotations"]
                    ["kubectl.kubernetes.io/restartedAt"] = json!(now);
                match self.apply_value(v) {
                    Ok(()) => CommandOutput::ok(format!("{id} restarted")),
                    Err(e) => CommandOutput::err(format!("error: {e}")),
                }
            }
            _ => CommandOutput::err(format!(
                "error: unknown command \"{sub}\" for \"kubectl rollout\""
            )),
        }
    }

    fn rollout_status(&mut self, p: &Parsed, ns: &str, name: &str) -> CommandOutput {
        let res = resource::by_kind("Deployment").unwrap_or(&resource::RESOURCES[6]);
        let timeout = match p.get("timeout") {
            None => 15 * 60 * 1000,
            Some(t) => match crate::duration::parse_duration_ms(t) {
                Some(0) => 15 * 60 * 1000,
                Some(ms) => ms,
                None => return CommandOutput::err(format!("error: invalid argument {t:?} for \"--timeout\" flag: time: invalid duration {t:?}")),
            },
        };
        let timeout = timeout.min(crate::command::MAX_WAIT_MS);
        let watch = p.get("watch") != Some("false");
        let mut text = String::new();
        let mut last = String::new();
        let start = self.sim.now_ms();
        loop {
            let Some(d) = self.get_one(res, ns, name) else {
                text.push_str(&res.not_found(name));
                text.push('\n');
                return CommandOutput { text, ok: false };
            };
            let (msg, done, err) = deployment_status(&d, name);
            if let Some(e) = err {
                text.push_str(&e);
                text.push('\n');
                return CommandOutput { text, ok: false };
            }
            if msg != last {
                text.push_str(&msg);
                last = msg;
            }
            if done || !watch {
                return CommandOutput { text, ok: true };
            }
            let elapsed = self.sim.now_ms() - start;
            if elapsed >= timeout {
                text.push_str("error: timed out waiting for the condition\n");
                return CommandOutput { text, ok: false };
            }
            if !self.advance_moved(POLL_MS.min(timeout - elapsed)) {
                text.push_str("error: timed out waiting for the condition\n");
                return CommandOutput { text, ok: false };
            }
        }
    }

    fn rollout_history(&mut self, p: &Parsed, ns: &str, name: &str) -> CommandOutput {
        let rs_res = resource::by_kind("ReplicaSet").unwrap_or(&resource::RESOURCES[7]);
        let d_uid = self
            .get_one(
                resource::by_kind("Deployment").unwrap_or(&resource::RESOURCES[6]),
                ns,
                name,
            )
            .map(|d| s(&d, "metadata.uid").to_string())
            .unwrap_or_default();
        let mut revs: Vec<(i64, String, Value)> = self
            .list_in(rs_res, Some(ns))
            .into_iter()
            .filter(|r| {
                list(r, "metadata.ownerReferences")
                    .iter()
                    .any(|o| s(o, "uid") == d_uid)
            })
            .filter_map(|r| {
                let ann = get(&r, "metadata.annotations");
                let rev = ann
                    .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                    .and_then(Value::as_str)?
                    .parse::<i64>()
                    .ok()?;
                let cause = ann
                    .and_then(|a| a.get("kubernetes.io/change-cause"))
                    .and_then(Value::as_str)
                    .unwrap_or("<none>")
                    .to_string();
                Some((rev, cause, r))
            })
            .collect();
        revs.sort_by_key(|(r, _, _)| *r);
        if let Some(want) = p
            .get("revision")
            .and_then(|r| r.parse::<i64>().ok())
            .filter(|r| *r > 0)
        {
            let Some((_, _, rs)) = revs.iter().find(|(r, _, _)| *r == want) else {
                return CommandOutput::err(format!(
                    "error: unable to find the specified revision {want}"
                ));
            };
            let described = crate::describe::replicaset(rs, &[], &[], &self.ctx(false));
            let tmpl: String = described
                .lines()
                .skip_while(|l| !l.starts_with("Pod Template:"))
                .take_while(|l| !l.starts_with("Events:"))
                .map(|l| format!("{l}\n"))
                .collect();
            return CommandOutput::ok(format!(
                "deployment.apps/{name} with revision #{want}\n{tmpl}"
            ));
        }
        let mut table = String::from("REVISION\tCHANGE-CAUSE\n");
        for (r, c, _) in &revs {
            table.push_str(&format!("{r}\t{c}\n"));
        }
        CommandOutput::ok(format!(
            "deployment.apps/{name} \n{}\n",
            crate::tabwriter::align(&table, 0, 2)
        ))
    }
}

/// kubectl's `DeploymentStatusViewer`: (message, done, error).
fn deployment_status(d: &Value, name: &str) -> (String, bool, Option<String>) {
    let i = crate::printers::i;
    if i(d, "metadata.generation") <= i(d, "status.observedGeneration") {
        if list(d, "status.conditions")
            .iter()
            .any(|c| s(c, "type") == "Progressing" && s(c, "reason") == "ProgressDeadlineExceeded")
        {
            return (
                String::new(),
                false,
                Some(format!(
                    "error: deployment {name:?} exceeded its progress deadline"
                )),
            );
        }
        let want = get(d, "spec.replicas").and_then(Value::as_i64).unwrap_or(1);
        let updated = i(d, "status.updatedReplicas");
        let total = i(d, "status.replicas");
        let available = i(d, "status.availableReplicas");
        if updated < want {
            return (format!("Waiting for deployment {name:?} rollout to finish: {updated} out of {want} new replicas have been updated...\n"), false, None);
        }
        if total > updated {
            return (format!("Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...\n", total - updated), false, None);
        }
        if available < updated {
            return (format!("Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available...\n"), false, None);
        }
        return (
            format!("deployment {name:?} successfully rolled out\n"),
            true,
            None,
        );
    }
    (
        "Waiting for deployment spec update to be observed...\n".into(),
        false,
        None,
    )
}
