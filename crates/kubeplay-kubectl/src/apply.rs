//! `kubectl apply -f`, `kubectl create -f|deployment|service|namespace`, and reading
//! manifests through a [`FileSource`]: files, folders (`.yaml`, `.yml`, `.json`, sorted) and
//! `-` (standard input).
use crate::flags::Parsed;
use crate::get::Target;
use crate::resource::{self, Resource};
use crate::session::{CommandOutput, FileSource, Session};
use kubeplay_api::{Object, LAST_APPLIED_ANNOTATION as LAST_APPLIED};
use serde_json::json;

/// One manifest file's loaded objects, with the messages loading printed.
pub(crate) struct LoadedFile {
    pub path: String,
    pub objects: Vec<Object>,
    /// Warnings, printed before the results.
    pub messages: Vec<String>,
    /// Rejected objects, printed after the results (kubectl aggregates errors at the end).
    pub errors: Vec<FileError>,
    pub failed: bool,
    /// Every object of a simulated kind the file names, valid or not, as (kind, namespace,
    /// name): what kubectl's unstructured builder gives `get -f` and `delete -f`.
    pub named: Vec<(kubeplay_api::Kind, String, String)>,
}

/// An object of a file the API server would refuse.
pub(crate) enum FileError {
    /// Its text as kubectl prints it (validation: `The Deployment "web" is invalid: …`).
    Text(String),
    /// It does not decode as its kind (a string where an integer goes…). kubectl sends
    /// manifests as unstructured JSON, so this is the API server's 400 for that one object
    /// (`transformDecodeError` in `apiserver/pkg/endpoints/handlers/rest.go`); the file's
    /// other objects still apply. The object's name and namespace say whether kubectl was
    /// creating it or patching it.
    Decode {
        kind: kubeplay_api::Kind,
        namespace: String,
        name: String,
        /// `Deployment in version "v1" cannot be handled as a Deployment: json: …`
        message: String,
    },
}

/// Expand `-f` values into files (folders list their manifests, sorted).
pub(crate) fn expand_files(
    p: &Parsed,
    files: &dyn FileSource,
) -> Result<Vec<(String, String)>, String> {
    let names = p.all("filename");
    if names.is_empty() {
        return Err("error: must specify one of -f and -k".into());
    }
    let mut out = Vec::new();
    for f in names {
        if let Some(mut entries) = files.list_dir(&f) {
            entries.sort();
            let mut any = false;
            for e in entries {
                if e.ends_with(".yaml") || e.ends_with(".yml") || e.ends_with(".json") {
                    let path = format!("{}/{e}", f.trim_end_matches('/'));
                    let text = files.read(&path).map_err(|m| format!("error: {m}"))?;
                    out.push((path, text));
                    any = true;
                }
            }
            if !any {
                return Err(format!(
                    "error: no objects passed to {}",
                    p.get("filename").unwrap_or("")
                ));
            }
            continue;
        }
        let text = files.read(&f).map_err(|m| format!("error: {m}"))?;
        out.push((f, text));
    }
    Ok(out)
}

/// kubectl's `--validate`: what the API server does with fields the kind does not have
/// (`cmdutil.GetValidationDirective`; the server's `fieldValidation` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Validation {
    /// Refuse the object (`strict decoding error: unknown field …`): kubectl's default.
    Strict,
    /// Apply it and print `Warning: unknown field …`.
    Warn,
    /// Apply it silently.
    Ignore,
}

impl Validation {
    /// `--validate` as `GetValidationDirective` reads it: a Go boolean (`true` is strict,
    /// `false` ignore) or `strict`, `warn`, `ignore`; absent is strict.
    pub(crate) fn from_flag(p: &Parsed) -> Result<Validation, String> {
        let Some(v) = p.get("validate") else {
            return Ok(Validation::Strict);
        };
        match v {
            "1" | "t" | "T" | "TRUE" | "true" | "True" | "strict" => Ok(Validation::Strict),
            "0" | "f" | "F" | "FALSE" | "false" | "False" | "ignore" => Ok(Validation::Ignore),
            "warn" => Ok(Validation::Warn),
            other => Err(format!(
                "error: invalid - validate option {other:?}; must be one of: strict (or true), warn, ignore (or false)"
            )),
        }
    }
}

/// Where an object is in a file: its YAML document and, in a `kind: List`, its item.
type DocAt = (usize, Option<usize>);

/// Load one file's text with the manifests loader, rendering its diagnostics as kubectl
/// would print them under the `--validate` directive.
/// With `last_applied` (kubectl apply, not create), each object carries
/// `kubectl.kubernetes.io/last-applied-configuration` as kubectl writes it.
pub(crate) fn load_file(
    path: &str,
    text: &str,
    namespace: &str,
    validate: Validation,
    last_applied: bool,
) -> LoadedFile {
    use kubeplay_api::Category;
    let r = kubeplay_api::load(text);
    // Documents with unknown fields, each with its fields' messages, under strict validation:
    // the API server refuses them before it looks at anything else.
    let mut strict: Vec<(DocAt, Vec<String>)> = Vec::new();
    let mut messages: Vec<String> = Vec::new();
    for d in r.warnings() {
        if d.category != Category::UnknownField {
            messages.push(d.render());
            continue;
        }
        match validate {
            Validation::Warn => messages.push(d.render()),
            Validation::Ignore => {}
            Validation::Strict => {
                let at = (d.doc_index, d.item_index);
                match strict.iter_mut().find(|(k, _)| *k == at) {
                    Some((_, fields)) => fields.push(d.message.clone()),
                    None => strict.push((at, vec![d.message.clone()])),
                }
            }
        }
    }
    for n in &r.not_simulated {
        messages.push(format!("Warning: {}", n.render()));
    }
    // A document that does not parse stops the whole file, as kubectl's builder does.
    let fatal: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| {
            d.is_error()
                && d.category != Category::Invalid
                && !(d.category == Category::Decode && d.subject.is_some())
        })
        .map(|d| format!("error: error parsing {path}: {}", d.render()))
        .collect();
    if !fatal.is_empty() {
        messages.extend(fatal);
        return LoadedFile {
            path: path.to_string(),
            objects: Vec::new(),
            messages,
            errors: Vec::new(),
            failed: true,
            named: Vec::new(),
        };
    }
    let named = r
        .documents
        .iter()
        .filter_map(|doc| {
            let kind = kubeplay_api::Kind::from_name(&doc.kind)?;
            let ns = object_namespace(kind, doc, namespace);
            Some((kind, ns, doc.name.clone()))
        })
        .collect();
    let refused_strictly = |at: DocAt| strict.iter().any(|(k, _)| *k == at);
    // The API server's 400 for an object that does not decode as its kind (`… cannot be
    // handled as a Deployment: json: …` or `…: strict decoding error: unknown field …`).
    let decode_error = |d: &kubeplay_api::Diagnostic, why: &str| -> Option<FileError> {
        let (subject, doc) = (d.subject.as_ref()?, r.document_of(d)?);
        let version = doc.api_version.rsplit('/').next().unwrap_or("");
        Some(FileError::Decode {
            kind: subject.kind,
            namespace: object_namespace(subject.kind, doc, namespace),
            name: subject.name.clone(),
            message: format!(
                "{k} in version {version:?} cannot be handled as a {k}: {why}",
                k = subject.kind
            ),
        })
    };
    // Rejected objects one by one, in document order (the API server's 422 for an invalid
    // one, its 400 for one that does not decode); the rest apply.
    let mut errors: Vec<(DocAt, FileError)> = Vec::new();
    for (i, text) in r.kubectl_error_items() {
        let d = &r.diagnostics[i];
        let at = (d.doc_index, d.item_index);
        let e = match d.category {
            // a type mistake is found while decoding, before strict field checks finish
            Category::Decode => decode_error(d, &text),
            _ if refused_strictly(at) => continue,
            _ => None,
        };
        errors.push((at, e.unwrap_or(FileError::Text(text))));
    }
    for (at, fields) in &strict {
        if errors.iter().any(|(k, _)| k == at) {
            continue; // refused for its type mistake already
        }
        let first = r
            .diagnostics
            .iter()
            .find(|d| (d.doc_index, d.item_index) == *at && d.category == Category::UnknownField);
        let why = format!("strict decoding error: {}", fields.join(", "));
        if let Some(e) = first.and_then(|d| decode_error(d, &why)) {
            errors.push((*at, e));
        }
    }
    errors.sort_by_key(|(at, _)| *at);
    // the documents again as trees, for the manifests as written (only apply needs them)
    let trees = last_applied
        .then(|| kubeplay_api::yaml::tree::parse(text, &kubeplay_api::Limits::default()));
    let mut objects: Vec<Object> = Vec::new();
    for lo in r.objects {
        if refused_strictly((lo.doc_index, lo.item_index)) {
            continue;
        }
        let mut o = lo.object;
        if o.kind().namespaced() && o.meta().namespace.is_none() {
            o.meta_mut().namespace = Some(namespace.to_string());
        }
        let written = trees.as_ref().and_then(|t| {
            let root = &t.docs.get(lo.doc_index)?.root;
            match lo.item_index {
                None => Some(root),
                Some(i) => match &root.get("items")?.value {
                    kubeplay_api::yaml::tree::Value::Seq(items) => items.get(i),
                    _ => None,
                },
            }
        });
        if let Some(node) = written {
            let ns = o.meta().namespace.clone();
            o.meta_mut()
                .annotations
                .insert(LAST_APPLIED.into(), last_applied_configuration(node, ns));
        }
        objects.push(o);
    }
    let failed = !errors.is_empty();
    LoadedFile {
        path: path.to_string(),
        objects,
        messages,
        errors: errors.into_iter().map(|(_, e)| e).collect(),
        failed,
        named,
    }
}

/// The annotation's text as `util.GetModifiedConfiguration` makes it: the manifest as written
/// (YAML converted to JSON), with the namespace kubectl's builder filled in and its own
/// `annotations` (without a previous last-applied, `{}` when none), encoded by Go's JSON
/// encoder with its trailing newline.
fn last_applied_configuration(
    node: &kubeplay_api::yaml::tree::Node,
    namespace: Option<String>,
) -> String {
    use kubeplay_api::yaml::json::{to_go_json, to_json};
    use serde_json::Value;
    let mut v = to_json(node);
    if let Some(obj) = v.as_object_mut() {
        let meta = obj
            .entry("metadata")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(meta) = meta.as_object_mut() {
            let annotations = meta
                .entry("annotations")
                .or_insert_with(|| Value::Object(Default::default()));
            match annotations.as_object_mut() {
                Some(a) => {
                    a.remove(LAST_APPLIED);
                }
                None => *annotations = Value::Object(Default::default()),
            }
            if let Some(ns) = namespace {
                meta.entry("namespace").or_insert(Value::String(ns));
            }
        }
    }
    let mut text = to_go_json(&v);
    text.push('\n');
    text
}

/// kubectl apply's three-way merge (`strategicpatch.CreateThreeWayMergePatch`) where the
/// engine's replace would lose what others wrote. An entry stays unless this apply or the
/// previous one (the live object's last-applied annotation) names it:
/// - every kind's labels and annotations (`kubectl label`/`annotate` survive an apply that
///   does not mention them; a Node keeps the kubelet's `kubernetes.io/hostname`);
/// - a Node's taints and `unschedulable` (the node controller's not-ready taints, a cordon);
/// - `spec.replicas` of a Deployment or ReplicaSet: a manifest that leaves it out keeps the
///   live count, so `kubectl scale` (or an autoscaler) is not undone, the reason manifests
///   drop `replicas`.
///
/// Other fields the manifest omits get their defaults, as the engine's replace-style apply
/// gives them.
fn three_way(mut applied: Object, live: &Object) -> Object {
    let previous = last_applied_json(&live.meta().annotations);
    let prev = |path: &str| previous.as_ref().and_then(|v| v.pointer(path));
    let labels = merge_applied(
        &live.meta().labels,
        prev("/metadata/labels"),
        &applied.meta().labels,
    );
    let annotations = merge_applied(
        &live.meta().annotations,
        prev("/metadata/annotations"),
        &applied.meta().annotations,
    );
    let names_replicas =
        last_applied_json(&annotations).is_some_and(|v| v.pointer("/spec/replicas").is_some());
    let keeps_replicas = !names_replicas && prev("/spec/replicas").is_none();
    applied.meta_mut().labels = labels.into();
    applied.meta_mut().annotations = annotations;
    match (applied, live) {
        (Object::Node(mut n), Object::Node(cur)) => {
            if n.spec.taints.is_empty() && prev("/spec/taints").is_none() {
                n.spec.taints = cur.spec.taints.clone();
            }
            if n.spec.unschedulable.is_none() && prev("/spec/unschedulable").is_none() {
                n.spec.unschedulable = cur.spec.unschedulable;
            }
            Object::Node(n)
        }
        (Object::Deployment(mut d), Object::Deployment(cur)) => {
            if keeps_replicas {
                d.spec.replicas = cur.spec.replicas;
            }
            Object::Deployment(d)
        }
        (Object::ReplicaSet(mut rs), Object::ReplicaSet(cur)) => {
            if keeps_replicas {
                rs.spec.replicas = cur.spec.replicas;
            }
            Object::ReplicaSet(rs)
        }
        (other, _) => other,
    }
}

/// The manifest an object's last apply sent, parsed.
fn last_applied_json(annotations: &kubeplay_api::Labels) -> Option<serde_json::Value> {
    serde_json::from_str(annotations.get(LAST_APPLIED)?).ok()
}

/// A string map after the three-way merge: the manifest's entries set, entries the previous
/// apply set that the manifest drops removed, entries set by anyone else kept.
fn merge_applied(
    live: &kubeplay_api::Labels,
    previous: Option<&serde_json::Value>,
    applied: &kubeplay_api::Labels,
) -> kubeplay_api::Labels {
    let mut out = live.clone();
    if let Some(prev) = previous.and_then(serde_json::Value::as_object) {
        for k in prev.keys().filter(|k| !applied.contains_key(*k)) {
            out.remove(k);
        }
    }
    out.extend(applied.iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

/// The namespace a manifest's object goes to: its own, else the command's (`-n` or the
/// session's); none for cluster-scoped kinds.
fn object_namespace(
    kind: kubeplay_api::Kind,
    doc: &kubeplay_api::Document,
    default: &str,
) -> String {
    match (kind.namespaced(), doc.namespace.is_empty()) {
        (false, _) => String::new(),
        (true, true) => default.to_string(),
        (true, false) => doc.namespace.clone(),
    }
}

/// kubectl's spelling of a server error in apply/create: `Error from server (NotFound): …`.
pub(crate) fn server_error(verb: &str, path: &str, msg: &str) -> String {
    let reason = if msg.ends_with("not found") {
        "NotFound"
    } else if msg.contains("already exists") {
        "AlreadyExists"
    } else if msg.contains("is invalid") || msg.contains("Invalid value") {
        "Invalid"
    } else if msg.contains("forbidden") || msg.contains("Forbidden") {
        "Forbidden"
    } else {
        "BadRequest"
    };
    if reason == "Invalid" && msg.starts_with("The ") {
        return msg.to_string();
    }
    format!("Error from server ({reason}): error when {verb} \"{path}\": {msg}")
}

fn res_of(o: &Object) -> &'static Resource {
    res_of_kind(o.kind())
}

fn res_of_kind(kind: kubeplay_api::Kind) -> &'static Resource {
    resource::by_kind(kind.as_str()).unwrap_or(&resource::RESOURCES[4])
}

impl Session {
    /// `kubectl apply -f …` and `kubectl create -f …` (`create` refuses existing objects).
    pub(crate) fn apply_files(
        &mut self,
        p: &Parsed,
        files: &dyn FileSource,
        create: bool,
    ) -> CommandOutput {
        let list = match expand_files(p, files) {
            Ok(l) => l,
            Err(e) => return CommandOutput::err(e),
        };
        let validate = match Validation::from_flag(p) {
            Ok(v) => v,
            Err(e) => return CommandOutput::err(e),
        };
        let ns = self.ns(p);
        let mut text = String::new();
        let mut ok = true;
        let dry = p.get("dry-run").is_some_and(|d| d != "none");
        for (path, body) in list {
            let lf = load_file(&path, &body, &ns, validate, !create || p.is("save-config"));
            for m in &lf.messages {
                text.push_str(m);
                text.push('\n');
            }
            if lf.failed && lf.objects.is_empty() {
                for e in &lf.errors {
                    text.push_str(&self.file_error_text(e, &lf.path, create));
                    text.push('\n');
                }
                ok = false;
                continue;
            }
            if lf.objects.is_empty() && lf.messages.is_empty() {
                text.push_str(&format!(
                    "error: no objects passed to {}\n",
                    if create { "create" } else { "apply" }
                ));
                ok = false;
                continue;
            }
            for o in lf.objects {
                let res = res_of(&o);
                let name = o.name().to_string();
                let kind = o.kind();
                let current = self.sim.get(kind, o.namespace().unwrap_or(""), &name);
                let exists = current.is_some();
                // apply to an object made imperatively (create, create deployment, expose…):
                // kubectl warns, then patches the annotation in
                let unannotated = current
                    .as_ref()
                    .is_some_and(|c| !c.meta().annotations.contains_key(LAST_APPLIED));
                if !create && unannotated {
                    text.push_str(&format!(
                        "Warning: resource {}/{name} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n",
                        res.plural_qualified()
                    ));
                }
                if create && exists {
                    text.push_str(&server_error(
                        "creating",
                        &lf.path,
                        &format!("{} \"{name}\" already exists", res.plural_qualified()),
                    ));
                    text.push('\n');
                    ok = false;
                    continue;
                }
                if dry {
                    let what = if exists { "configured" } else { "created" };
                    text.push_str(&format!(
                        "{}/{name} {what} (dry run)\n",
                        res.singular_qualified()
                    ));
                    continue;
                }
                let o = match (create, current) {
                    (false, Some(live)) => three_way(o, &live),
                    _ => o,
                };
                let outcome = self.apply_objects(vec![o]);
                for oc in outcome {
                    match oc.result {
                        Ok(a) => {
                            let what = match a {
                                kubeplay_core::ApplyAction::Created => "created",
                                kubeplay_core::ApplyAction::Configured => "configured",
                                kubeplay_core::ApplyAction::Unchanged => "unchanged",
                            };
                            text.push_str(&format!(
                                "{}/{} {what}\n",
                                res.singular_qualified(),
                                oc.name
                            ));
                        }
                        Err(e) => {
                            let verb = if exists { "applying patch" } else { "creating" };
                            text.push_str(&server_error(verb, &lf.path, &e));
                            text.push('\n');
                            ok = false;
                        }
                    }
                }
            }
            for e in &lf.errors {
                text.push_str(&self.file_error_text(e, &lf.path, create));
                text.push('\n');
                ok = false;
            }
        }
        CommandOutput { text, ok }
    }

    /// How kubectl prints a rejected object of a file: validation errors as they are, a
    /// decode failure as the server's BadRequest on the create (or, for an object that
    /// exists, the patch) kubectl sent.
    fn file_error_text(&self, e: &FileError, path: &str, create: bool) -> String {
        match e {
            FileError::Text(t) => t.clone(),
            FileError::Decode {
                kind,
                namespace,
                name,
                message,
            } => {
                let exists = self.sim.get(*kind, namespace, name).is_some();
                let verb = if exists && !create {
                    "applying patch"
                } else {
                    "creating"
                };
                server_error(verb, path, message)
            }
        }
    }

    /// The objects a verb names: `-f` files when given, else `TYPE NAME…` or `TYPE/NAME…`
    /// arguments (shared by get, describe and delete).
    pub(crate) fn resolve_targets(
        &self,
        p: &Parsed,
        files: &dyn FileSource,
    ) -> Result<Vec<Target>, String> {
        if p.has("filename") {
            self.targets_from_files(p, files)
        } else {
            crate::get::targets(&p.args)
        }
    }

    /// Targets named by `-f` files (for get/describe/delete -f).
    pub(crate) fn targets_from_files(
        &self,
        p: &Parsed,
        files: &dyn FileSource,
    ) -> Result<Vec<Target>, String> {
        let list = expand_files(p, files)?;
        let ns = self.ns(p);
        let mut out: Vec<Target> = Vec::new();
        for (path, body) in list {
            // get/delete -f read names only (kubectl's unstructured builder): every object of
            // the file counts, unknown fields or not
            let lf = load_file(&path, &body, &ns, Validation::Ignore, false);
            let named = lf.named;
            if lf.failed && named.is_empty() {
                let mut all = lf.messages.clone();
                all.extend(
                    lf.errors
                        .iter()
                        .map(|e| self.file_error_text(e, &path, false)),
                );
                return Err(all.join("\n"));
            }
            // one target per type and namespace: a manifest's objects are found where it
            // put them, whatever `-n` says
            for (kind, namespace, name) in named {
                let res = res_of_kind(kind);
                let namespace = Some(namespace).filter(|_| res.namespaced);
                match out
                    .iter_mut()
                    .find(|t| t.res == res && t.namespace == namespace)
                {
                    Some(t) => t.names.push(name),
                    None => out.push(Target {
                        res,
                        names: vec![name],
                        namespace,
                    }),
                }
            }
        }
        Ok(out)
    }

    /// Apply one generated object (create deployment/service/namespace, expose).
    pub(crate) fn create_object(&mut self, v: serde_json::Value, verb_word: &str) -> CommandOutput {
        let text = crate::json::compact(&v);
        let r = kubeplay_api::load(&text);
        if let Some(d) = r.diagnostics.iter().find(|d| d.is_error()) {
            return CommandOutput::err(d.render());
        }
        let Some(lo) = r.objects.into_iter().next() else {
            return CommandOutput::err("error: nothing to create");
        };
        let o = lo.object;
        let res = res_of(&o);
        let name = o.name().to_string();
        if self
            .sim
            .get(o.kind(), o.namespace().unwrap_or(""), &name)
            .is_some()
        {
            return CommandOutput::err(format!(
                "error: failed to create {}: {} \"{name}\" already exists",
                res.kind.to_ascii_lowercase(),
                res.plural_qualified()
            ));
        }
        let out = self.apply_objects(vec![o]);
        match out.into_iter().next().map(|o| o.result) {
            Some(Ok(_)) => {
                CommandOutput::ok(format!("{}/{name} {verb_word}", res.singular_qualified()))
            }
            Some(Err(e)) => CommandOutput::err(format!(
                "error: failed to create {}: {e}",
                res.kind.to_ascii_lowercase()
            )),
            None => CommandOutput::err("error: nothing to create"),
        }
    }

    /// `kubectl create deployment NAME --image=IMAGE [--replicas=N] [--port=N]`.
    pub(crate) fn create_deployment(&mut self, p: &Parsed) -> CommandOutput {
        let Some(name) = p.args.first() else {
            return CommandOutput::err("error: exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples");
        };
        let images = p.all("image");
        if images.is_empty() {
            return CommandOutput::err("error: required flag(s) \"image\" not set");
        }
        let replicas: i64 = match p.get("replicas").map(str::parse::<i64>) {
            None => 1,
            Some(Ok(n)) => n,
            Some(Err(_)) => {
                return CommandOutput::err(crate::command::flag_error(
                    &crate::flags::invalid_int(
                        "replicas",
                        Some('r'),
                        p.get("replicas").unwrap_or(""),
                    ),
                    "create deployment",
                ))
            }
        };
        let containers: Vec<serde_json::Value> = images
            .iter()
            .map(|img| {
                let base = img.rsplit('/').next().unwrap_or(img);
                let base = base.split([':', '@']).next().unwrap_or(base);
                let mut c = json!({"name": base, "image": img, "resources": {}});
                if let Some(port) = p.get("port").and_then(|x| x.parse::<i64>().ok()) {
                    c["ports"] = json!([{"containerPort": port}]);
                }
                c
            })
            .collect();
        let v = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": self.ns(p), "labels": {"app": name}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": containers}
                }
            }
        });
        self.create_object(v, "created")
    }

    /// `kubectl create service clusterip|nodeport|loadbalancer NAME --tcp=PORT[:TARGET]`.
    pub(crate) fn create_service(&mut self, typ: &str, p: &Parsed) -> CommandOutput {
        let Some(name) = p.args.first() else {
            return CommandOutput::err("error: exactly one NAME is required, got 0");
        };
        let tcp = p.all("tcp");
        if tcp.is_empty() {
            return CommandOutput::err("error: at least one tcp port specifier must be provided");
        }
        let mut ports = Vec::new();
        for spec in tcp
            .iter()
            .flat_map(|t| t.split(',').map(str::to_string).collect::<Vec<_>>())
        {
            let (a, b) = spec.split_once(':').unwrap_or((&spec, &spec));
            let (Ok(port), Ok(target)) = (a.parse::<i64>(), b.parse::<i64>()) else {
                return CommandOutput::err(format!("error: invalid port specifier {spec:?}"));
            };
            let mut pv = json!({"name": format!("{port}-{target}"), "port": port, "targetPort": target, "protocol": "TCP"});
            if let Some(np) = p.get("node-port").and_then(|x| x.parse::<i64>().ok()) {
                pv["nodePort"] = json!(np);
            }
            ports.push(pv);
        }
        let typ = match typ {
            "nodeport" => "NodePort",
            "loadbalancer" => "LoadBalancer",
            _ => "ClusterIP",
        };
        let mut spec = json!({"type": typ, "selector": {"app": name}, "ports": ports});
        if p.get("clusterip") == Some("None") {
            spec["clusterIP"] = json!("None");
        }
        let v = json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": self.ns(p), "labels": {"app": name}},
            "spec": spec,
        });
        self.create_object(v, "created")
    }

    /// `kubectl create namespace NAME`.
    pub(crate) fn create_namespace(&mut self, p: &Parsed) -> CommandOutput {
        let Some(name) = p.args.first() else {
            return CommandOutput::err("error: exactly one NAME is required, got 0");
        };
        self.create_object(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
            "created",
        )
    }
}
