//! `kubectl get` (and the resource-argument grammar shared with describe, delete, label…):
//! `TYPE[,TYPE] [NAME…]`, `TYPE/NAME…`, `all`, `-l`, `--field-selector`, `-n`, `-A`, and every
//! output format (`wide`, `name`, `json`, `yaml`, `jsonpath=`, `custom-columns=`).
use crate::flags::Parsed;
use crate::jsonpath::{self, Template};
use crate::printers::{self, s, Table};
use crate::resource::{self, Resource};
use crate::selector::{FieldSelector, LabelSelector};
use crate::session::{CommandOutput, Session};
use serde_json::{json, Value};

/// Resource types and names named on a command line.
#[derive(Debug, Clone)]
pub struct Target {
    /// The resource type.
    pub res: &'static Resource,
    /// Names given (empty: all that match the selectors).
    pub names: Vec<String>,
    /// The namespace the names are in when a manifest said so (`-f`); else `-n` or the
    /// session's namespace.
    pub namespace: Option<String>,
}

/// The types `kubectl get all` expands to (those the simulator has).
const ALL: &[&str] = &["Pod", "Service", "Deployment", "ReplicaSet"];

/// Parse `TYPE[,TYPE] NAME…` or `TYPE/NAME…` arguments.
pub fn targets(args: &[String]) -> Result<Vec<Target>, String> {
    let mut out: Vec<Target> = Vec::new();
    if args.iter().any(|a| a.contains('/')) {
        for a in args {
            let Some((t, n)) = a.split_once('/') else {
                return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into());
            };
            let res = resource::lookup(t).ok_or_else(|| resource::unknown_type(t))?;
            if n.is_empty() {
                return Err(
                    "error: arguments in resource/name form must have a single resource and name"
                        .into(),
                );
            }
            match out.iter_mut().find(|x| x.res == res) {
                Some(x) => x.names.push(n.to_string()),
                None => out.push(Target {
                    res,
                    names: vec![n.to_string()],
                    namespace: None,
                }),
            }
        }
        return Ok(out);
    }
    let Some(types) = args.first() else {
        return Ok(out);
    };
    let names: Vec<String> = args[1..].to_vec();
    for t in types.split(',').filter(|t| !t.is_empty()) {
        if t == "all" {
            for k in ALL {
                if let Some(res) = resource::by_kind(k) {
                    out.push(Target {
                        res,
                        names: names.clone(),
                        namespace: None,
                    });
                }
            }
            continue;
        }
        let res = resource::lookup(t).ok_or_else(|| resource::unknown_type(t))?;
        out.push(Target {
            res,
            names: names.clone(),
            namespace: None,
        });
    }
    Ok(out)
}

/// An output format from `-o`.
pub enum Format {
    /// Default table.
    Table,
    /// `-o wide`.
    Wide,
    /// `-o name`.
    Name,
    /// `-o json`.
    Json,
    /// `-o yaml`.
    Yaml,
    /// `-o jsonpath=…`.
    JsonPath(Template),
    /// `-o custom-columns=…`.
    Columns(Vec<(String, Template)>),
}

/// Parse `-o`'s value.
pub fn format(o: Option<&str>) -> Result<Format, String> {
    let Some(o) = o else { return Ok(Format::Table) };
    let (name, arg) = match o.split_once('=') {
        Some((n, a)) => (n, Some(a)),
        None => (o, None),
    };
    match (name, arg) {
        ("wide", None) => Ok(Format::Wide),
        ("name", None) => Ok(Format::Name),
        ("json", None) => Ok(Format::Json),
        ("yaml", None) => Ok(Format::Yaml),
        ("jsonpath" | "jsonpath-as-json", Some(t)) => jsonpath::parse(t)
            .map(Format::JsonPath)
            .map_err(|e| format!("error: error parsing jsonpath {t}, {e}")),
        ("jsonpath", None) => Err("error: template format specified but no template given".into()),
        ("custom-columns", Some(spec)) => {
            if spec.is_empty() {
                return Err("error: custom-columns format specified but no custom columns given".into());
            }
            let mut cols = Vec::new();
            for part in spec.split(',') {
                let Some((h, e)) = part.split_once(':') else {
                    return Err(format!("error: expected <header>:<json-path-expr>, got {part}"));
                };
                let t = jsonpath::relaxed(e).map_err(|err| format!("error: {err}"))?;
                cols.push((h.to_string(), t));
            }
            Ok(Format::Columns(cols))
        }
        ("custom-columns", None) => Err("error: custom-columns format specified but no custom columns given".into()),
        _ => Err(format!(
            "error: unable to match a printer suitable for the output format \"{o}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
        )),
    }
}

/// `kind.group/name` as `-o name` prints it.
pub fn name_of(res: &Resource, o: &Value) -> String {
    format!("{}/{}", res.singular_qualified(), s(o, "metadata.name"))
}

/// A kubectl `List` wrapping items.
pub fn list_value(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

fn value_cell(vals: &[&Value]) -> String {
    if vals.is_empty() {
        return "<none>".into();
    }
    vals.iter()
        .map(|v| jsonpath::value_text(v))
        .collect::<Vec<_>>()
        .join(",")
}

fn sort_key(v: &Value) -> (u8, f64, String) {
    match v {
        Value::Number(n) => (0, n.as_f64().unwrap_or(0.0), String::new()),
        Value::String(x) => {
            // quantities and timestamps sort as strings upstream too, except numbers
            (1, 0.0, x.clone())
        }
        other => (2, 0.0, jsonpath::value_text(other)),
    }
}

/// Objects per resource type, and the not-found errors to print after them.
pub(crate) type Collected = (Vec<(&'static Resource, Vec<Value>)>, Vec<String>);

impl Session {
    /// Namespace flags: `Some(ns)` or `None` for all namespaces.
    pub(crate) fn ns_scope(&self, p: &Parsed) -> Option<String> {
        if p.is("all-namespaces") {
            None
        } else {
            Some(p.get("namespace").unwrap_or(&self.namespace).to_string())
        }
    }

    /// The namespace a command acts in.
    pub(crate) fn ns(&self, p: &Parsed) -> String {
        p.get("namespace").unwrap_or(&self.namespace).to_string()
    }

    /// Collect objects for targets; errors (not found) are returned separately, as kubectl
    /// prints them after the output.
    pub(crate) fn collect(&self, targets: &[Target], p: &Parsed) -> Result<Collected, String> {
        let labels = LabelSelector::parse(p.get("selector").unwrap_or(""))
            .map_err(|e| format!("error: {e}"))?;
        let fields = FieldSelector::parse(p.get("field-selector").unwrap_or(""))
            .map_err(|e| format!("error: {e}"))?;
        let scope = self.ns_scope(p);
        let ns = self.ns(p);
        let mut groups = Vec::new();
        let mut errors = Vec::new();
        for t in targets {
            if let Err(e) = fields.check(t.res.kind) {
                let sel = p.get("field-selector").unwrap_or("");
                return Err(format!(
                    "Error from server (BadRequest): Unable to find {{\"{}\" \"{}\" \"{}\"}} that match label selector \"{}\", field selector \"{sel}\": {e}",
                    t.res.group,
                    t.res.version,
                    t.res.plural,
                    p.get("selector").unwrap_or("")
                ));
            }
            let mut items = Vec::new();
            if t.names.is_empty() {
                items = self
                    .list_in(t.res, scope.as_deref())
                    .into_iter()
                    .filter(|o| {
                        labels.matches(
                            o.get("metadata")
                                .and_then(|m| m.get("labels"))
                                .unwrap_or(&Value::Null),
                        )
                    })
                    .filter(|o| fields.matches(o))
                    .collect();
            } else {
                let ns = t.namespace.as_deref().unwrap_or(&ns);
                for n in &t.names {
                    match self.get_one(t.res, ns, n) {
                        Some(o) => items.push(o),
                        None => {
                            if !p.is("ignore-not-found") {
                                errors.push(t.res.not_found(n));
                            }
                        }
                    }
                }
            }
            groups.push((t.res, items));
        }
        Ok((groups, errors))
    }

    /// `kubectl get`.
    pub(crate) fn get(
        &mut self,
        p: &Parsed,
        files: &dyn crate::session::FileSource,
    ) -> CommandOutput {
        if p.is("watch") {
            return CommandOutput::err("error: --watch is not supported in the playground: virtual time only moves with sleep, rollout status and wait; run get again after a sleep");
        }
        let fmt = match format(p.get("output")) {
            Ok(f) => f,
            Err(e) => return CommandOutput::err(e),
        };
        let targets = match self.resolve_targets(p, files) {
            Ok(t) => t,
            Err(e) => return CommandOutput::err(e),
        };
        if targets.is_empty() {
            return CommandOutput::err("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples");
        }
        let (mut groups, errors) = match self.collect(&targets, p) {
            Ok(x) => x,
            Err(e) => return CommandOutput::err(e),
        };
        if let Some(sort) = p.get("sort-by") {
            let t = match jsonpath::relaxed(sort) {
                Ok(t) => t,
                Err(e) => return CommandOutput::err(format!("error: {e}")),
            };
            for (_, items) in &mut groups {
                items.sort_by(|a, b| {
                    let ka = t.values(a).first().map(|v| sort_key(v));
                    let kb = t.values(b).first().map(|v| sort_key(v));
                    ka.partial_cmp(&kb).unwrap_or(std::cmp::Ordering::Equal)
                });
            }
        }
        let single = targets.len() == 1 && targets[0].names.len() == 1 && !p.has("filename");
        let total: usize = groups.iter().map(|(_, i)| i.len()).sum();
        let mut text = String::new();
        let warn_endpoints = groups.iter().any(|(r, _)| r.kind == "Endpoints");
        if warn_endpoints {
            text.push_str("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n");
        }
        match &fmt {
            Format::Json | Format::Yaml => {
                let items: Vec<Value> = groups.into_iter().flat_map(|(_, i)| i).collect();
                if !(single && items.is_empty()) {
                    let v = if single {
                        items.into_iter().next().unwrap_or(Value::Null)
                    } else {
                        list_value(items)
                    };
                    if matches!(fmt, Format::Json) {
                        text.push_str(&crate::json::pretty(&v));
                        text.push('\n');
                    } else {
                        text.push_str(&crate::yaml::to_yaml(&v));
                    }
                }
            }
            Format::Name => {
                for (res, items) in &groups {
                    for o in items {
                        text.push_str(&name_of(res, o));
                        text.push('\n');
                    }
                }
            }
            Format::JsonPath(t) => {
                let items: Vec<Value> = groups.into_iter().flat_map(|(_, i)| i).collect();
                let v = if single {
                    items.into_iter().next().unwrap_or(Value::Null)
                } else {
                    list_value(items)
                };
                if !(single && v.is_null()) {
                    text.push_str(&t.render(&v));
                }
            }
            Format::Columns(cols) => {
                let mut table = Table {
                    header: cols.iter().map(|(h, _)| h.clone()).collect(),
                    rows: Vec::new(),
                };
                for (_, items) in &groups {
                    for o in items {
                        table
                            .rows
                            .push(cols.iter().map(|(_, t)| value_cell(&t.values(o))).collect());
                    }
                }
                if total > 0 {
                    text.push_str(&printers::render(&table, p.is("no-headers")));
                }
            }
            Format::Table | Format::Wide => {
                let wide = matches!(fmt, Format::Wide);
                let ctx = self.ctx(wide);
                let show_kind = groups.len() > 1 || p.is("show-kind");
                let mut first = true;
                for (res, items) in &groups {
                    if items.is_empty() {
                        continue;
                    }
                    let ns_col = p.is("all-namespaces") && res.namespaced;
                    let mut table = Table {
                        header: printers::columns(res.kind, &ctx),
                        rows: Vec::new(),
                    };
                    if ns_col {
                        table.header.insert(0, "NAMESPACE".into());
                    }
                    let label_cols: Vec<String> = p
                        .all("label-columns")
                        .iter()
                        .flat_map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
                        .collect();
                    for l in &label_cols {
                        table.header.push(l.to_ascii_uppercase());
                    }
                    if p.is("show-labels") {
                        table.header.push("LABELS".into());
                    }
                    for o in items {
                        let mut r = printers::row(res.kind, o, &ctx);
                        if show_kind && res.kind != "Event" {
                            if let Some(n) = r.first_mut() {
                                *n = name_of(res, o);
                            }
                        }
                        if ns_col {
                            r.insert(0, s(o, "metadata.namespace").to_string());
                        }
                        for l in &label_cols {
                            r.push(
                                o.get("metadata")
                                    .and_then(|m| m.get("labels"))
                                    .and_then(|m| m.get(l))
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                                    .to_string(),
                            );
                        }
                        if p.is("show-labels") {
                            r.push(printers::format_labels(
                                o.get("metadata").and_then(|m| m.get("labels")),
                            ));
                        }
                        table.rows.push(r);
                    }
                    if !first {
                        text.push('\n');
                    }
                    first = false;
                    text.push_str(&printers::render(&table, p.is("no-headers")));
                }
            }
        }
        let listing = targets.iter().all(|t| t.names.is_empty());
        if total == 0 && errors.is_empty() && listing && !matches!(fmt, Format::Json | Format::Yaml)
        {
            let namespaced = targets.iter().any(|t| t.res.namespaced);
            match self.ns_scope(p) {
                Some(ns) if namespaced => {
                    text.push_str(&format!("No resources found in {ns} namespace.\n"))
                }
                _ => text.push_str("No resources found\n"),
            }
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
}
