//! The playground's own verbs: `curl`, `sim …` (chaos and time), `kops …` (instance groups),
//! plus the data behind `kubectl logs` and `kubectl top`.
use crate::cluster::object_from_value;
use crate::flags::{bool_flag, parse, value_flag, Flag, Parsed};
use crate::printers::{get, s};
use crate::resource;
use crate::session::{CommandOutput, Session};
use serde_json::{json, Value};

const SIM_HELP: &str = "usage: sim terminate|stop|start node/NAME | sim crash pod/NAME | sim zone-outage ZONE | sim load URL --rps N --for DURATION [--background] | sim load --stop [URL] | sim time";

fn node_arg(w: Option<&String>) -> Result<String, String> {
    let Some(w) = w else {
        return Err("error: a node is required, e.g. node/NAME".into());
    };
    Ok(w.strip_prefix("node/")
        .or_else(|| w.strip_prefix("nodes/"))
        .unwrap_or(w)
        .to_string())
}

impl Session {
    /// `curl URL`.
    pub(crate) fn curl(&mut self, p: &Parsed) -> CommandOutput {
        let url = p.args.first().cloned().unwrap_or_default();
        self.curl_url(&url, p)
    }

    /// `sim VERB …`.
    pub(crate) fn sim_verb(&mut self, words: &[String]) -> CommandOutput {
        let Some(verb) = words.first() else {
            return CommandOutput::err(SIM_HELP);
        };
        match verb.as_str() {
            "time" => {
                let now = self.sim.now_ms();
                CommandOutput::ok(format!(
                    "{} ({})",
                    crate::duration::go_duration_string(now),
                    crate::duration::format_rfc3339(self.now_unix_ms())
                ))
            }
            "terminate" | "stop" | "start" => {
                let node = match node_arg(words.get(1)) {
                    Ok(n) => n,
                    Err(e) => return CommandOutput::err(e),
                };
                let r = match verb.as_str() {
                    "terminate" => self.sim.terminate_node(&node),
                    "stop" => self.sim.stop_kubelet(&node),
                    _ => self.sim.start_kubelet(&node),
                };
                let done = match verb.as_str() {
                    "terminate" => "instance terminated",
                    "stop" => "kubelet stopped",
                    _ => "kubelet started",
                };
                match r {
                    Ok(()) => CommandOutput::ok(format!("node/{node} {done}")),
                    Err(e) => CommandOutput::err(format!("Error from server (NotFound): {e}")),
                }
            }
            "zone-outage" => {
                let Some(zone) = words.get(1) else {
                    return CommandOutput::err("error: a zone is required, e.g. us-east-1a");
                };
                // Every instance in the zone is terminated and the instance groups stop
                // launching there, so kops replaces them in the surviving zones.
                let victims = self.failures.zone_outage(&mut self.sim, zone);
                if victims.is_empty() {
                    return CommandOutput::err(format!(
                        "Error from server (NotFound): no running instances in zone {zone:?}"
                    ));
                }
                let mut text = String::new();
                for v in &victims {
                    text.push_str(&format!("node/{v} instance terminated\n"));
                }
                text.push_str(&format!(
                    "zone {zone} is down: {} instance(s) terminated; instance groups launch elsewhere",
                    victims.len()
                ));
                CommandOutput::ok(text)
            }
            "crash" => {
                let Some(w) = words.get(1) else {
                    return CommandOutput::err("error: a pod is required, e.g. pod/NAME");
                };
                let name = w
                    .strip_prefix("pod/")
                    .or_else(|| w.strip_prefix("pods/"))
                    .unwrap_or(w);
                let ns = self.namespace.clone();
                match self.sim.crash_container(&ns, name, None, 1) {
                    Ok(()) => {
                        CommandOutput::ok(format!("pod/{name} container crashed (exit code 1)"))
                    }
                    Err(e) => CommandOutput::err(format!("Error from server (NotFound): {e}")),
                }
            }
            "load" => {
                const LOAD: &[Flag] = &[
                    value_flag("rps", None),
                    value_flag("for", None),
                    bool_flag("background", None),
                    bool_flag("stop", None),
                    bool_flag("help", Some('h')),
                ];
                let p = match parse(&words[1..], LOAD) {
                    Ok(p) => p,
                    Err(e) => return CommandOutput::err(format!("error: {e}\n{SIM_HELP}")),
                };
                self.sim_load(&p)
            }
            other => {
                CommandOutput::err(format!("error: unknown sim command {other:?}\n{SIM_HELP}"))
            }
        }
    }

    /// `kops get ig` and `kops edit ig NAME --min N --max N`.
    pub(crate) fn kops(&mut self, words: &[String]) -> CommandOutput {
        const KOPS: &[Flag] = &[
            value_flag("min", None),
            value_flag("max", None),
            value_flag("machine-type", None),
            value_flag("name", None),
            value_flag("state", None),
            bool_flag("yes", Some('y')),
            value_flag("output", Some('o')),
        ];
        let p = match parse(words, KOPS) {
            Ok(p) => p,
            Err(e) => return CommandOutput::err(format!("Error: {e}")),
        };
        let a: Vec<&str> = p.args.iter().map(String::as_str).collect();
        let ig_res = resource::by_kind("InstanceGroup").unwrap_or(&resource::RESOURCES[9]);
        let is_ig = |w: &str| matches!(w, "ig" | "igs" | "instancegroup" | "instancegroups");
        match a.as_slice() {
            ["get", w, rest @ ..] if is_ig(w) => {
                let mut igs = self.list_all(ig_res);
                if let Some(n) = rest.first() {
                    igs.retain(|o| s(o, "metadata.name") == *n);
                    if igs.is_empty() {
                        return CommandOutput::err(format!("Error: InstanceGroup \"{n}\" not found"));
                    }
                }
                if p.get("output") == Some("yaml") {
                    let docs: Vec<String> = igs.iter().map(crate::yaml::to_yaml).collect();
                    return CommandOutput::ok(docs.join("\n---\n\n"));
                }
                let mut text = String::from("NAME\tROLE\tMACHINETYPE\tMIN\tMAX\tZONES\n");
                for o in &igs {
                    let row = crate::printers::row("InstanceGroup", o, &self.ctx(false));
                    text.push_str(&row.join("\t"));
                    text.push('\n');
                }
                CommandOutput::ok(crate::tabwriter::align_tabs(&text))
            }
            ["get", "instances" | "instance"] | ["get", "cluster" | "clusters"] => CommandOutput::ok(self.kops_instances()),
            ["edit", w, name] if is_ig(w) => {
                let Some(mut ig) = self.list_all(ig_res).into_iter().find(|o| s(o, "metadata.name") == *name) else {
                    return CommandOutput::err(format!("Error: InstanceGroup \"{name}\" not found"));
                };
                if !p.has("min") && !p.has("max") && !p.has("machine-type") {
                    return CommandOutput::err("Error: kops edit opens an editor on a real cluster; here give the changes as flags: kops edit ig NAME --min N --max N [--machine-type TYPE]");
                }
                for (flag, field) in [("min", "minSize"), ("max", "maxSize")] {
                    if let Some(v) = p.get(flag) {
                        let Ok(n) = v.parse::<i64>() else {
                            return CommandOutput::err(format!("Error: invalid argument {v:?} for \"--{flag}\" flag: strconv.ParseInt: parsing {v:?}: invalid syntax"));
                        };
                        ig["spec"][field] = json!(n);
                    }
                }
                if let Some(m) = p.get("machine-type") {
                    ig["spec"]["machineType"] = json!(m);
                }
                let (min, max) = (crate::printers::i(&ig, "spec.minSize"), crate::printers::i(&ig, "spec.maxSize"));
                if min > max {
                    return CommandOutput::err(format!("Error: error populating configuration: spec.minSize: Forbidden: minSize ({min}) must be less than or equal to maxSize ({max})"));
                }
                match object_from_value(ig).map(|o| self.apply_objects(vec![o])) {
                    Ok(r) => match r.into_iter().next().map(|o| o.result) {
                        Some(Ok(_)) => CommandOutput { text: String::new(), ok: true },
                        Some(Err(e)) => CommandOutput::err(format!("Error: {e}")),
                        None => CommandOutput::err("Error: nothing applied"),
                    },
                    Err(e) => CommandOutput::err(format!("Error: {e}")),
                }
            }
            _ => CommandOutput::err("Error: the playground's kops knows: kops get ig [NAME], kops get instances, kops edit ig NAME --min N --max N [--machine-type TYPE]"),
        }
    }

    fn kops_instances(&self) -> String {
        let nodes = self.list_all(resource::by_kind("Node").unwrap_or(&resource::RESOURCES[3]));
        let mut text = String::from(
            "ID\tNODE-NAME\tSTATUS\tROLES\tSTATE\tINTERNAL-IP\tINSTANCE-GROUP\tMACHINE-TYPE\n",
        );
        for n in &nodes {
            let label = |k: &str| {
                get(n, "metadata.labels")
                    .and_then(|l| l.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let id = s(n, "spec.providerID")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string();
            let ip = crate::printers::list(n, "status.addresses")
                .iter()
                .find(|a| s(a, "type") == "InternalIP")
                .map(|a| s(a, "address").to_string())
                .unwrap_or_default();
            let role = if crate::printers::node_roles(n).contains("control-plane") {
                "control-plane"
            } else {
                "node"
            };
            text.push_str(&format!(
                "{id}\t{}\tUpToDate\t{role}\t\t{ip}\t{}\t{}\n",
                s(n, "metadata.name"),
                label("kops.k8s.io/instancegroup"),
                label("node.kubernetes.io/instance-type"),
            ));
        }
        crate::tabwriter::align_tabs(&text)
    }
}
