//! `kubectl config`: the one kubeconfig context the playground has, named after its kops
//! cluster the way `kops export kubeconfig` names it (context, cluster and user are all the
//! cluster's name). What learners use it for is switching the default namespace
//! (`kubectl config set-context --current --namespace=NS`), so that is real: it changes the
//! namespace every later command uses. Credentials are shown redacted, as `config view` does.
use crate::flags::Parsed;
use crate::session::{CommandOutput, Session};
use serde_json::json;

/// The context, cluster and user name: the kops cluster's name, as `kops export kubeconfig`
/// names all three.
pub(crate) const CONTEXT: &str = kubeplay_core::node::CLUSTER_NAME;

/// The API server's address in the kubeconfig and in `cluster-info`.
pub(crate) const SERVER: &str = "https://api.kubeplay.k8s.local";

impl Session {
    /// `kubectl config SUB …`.
    pub(crate) fn config_cmd(&mut self, sub: &str, p: &Parsed) -> CommandOutput {
        match sub {
            "current-context" => CommandOutput::ok(CONTEXT),
            "get-contexts" => self.get_contexts(p),
            "get-clusters" | "get-users" => match p.args.first() {
                Some(n) => CommandOutput::err(format!(
                    "error: {} {n:?} not found",
                    if sub == "get-clusters" {
                        "cluster"
                    } else {
                        "user"
                    }
                )),
                None => CommandOutput::ok(format!("NAME\n{CONTEXT}")),
            },
            "use-context" => match p.args.as_slice() {
                [n] if n == CONTEXT => {
                    CommandOutput::ok(format!("Switched to context \"{CONTEXT}\"."))
                }
                [n] => CommandOutput::err(format!("error: no context exists with the name: {n:?}")),
                _ => CommandOutput::err(
                    "error: Unexpected args: []\nSee 'kubectl config use-context -h' for help and examples",
                ),
            },
            "set-context" => self.set_context(p),
            "view" => self.config_view(p),
            other => CommandOutput::err(format!(
                "error: \"kubectl config {other}\" is not available in the kubeplay simulator: the playground has one context, {CONTEXT:?}"
            )),
        }
    }

    /// `kubectl config get-contexts [NAME] [-o name] [--no-headers]`.
    fn get_contexts(&self, p: &Parsed) -> CommandOutput {
        if let Some(n) = p.args.first().filter(|n| n.as_str() != CONTEXT) {
            return CommandOutput::err(format!("error: context {n} not found"));
        }
        match p.get("output") {
            Some("name") => return CommandOutput::ok(CONTEXT),
            Some(o) => {
                return CommandOutput::err(format!(
                    "error: output must be one of '' or 'name': {o}"
                ))
            }
            None => {}
        }
        let ns = self.context_namespace().unwrap_or("");
        let mut rows = String::new();
        if !p.is("no-headers") {
            rows.push_str("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n");
        }
        rows.push_str(&format!("*\t{CONTEXT}\t{CONTEXT}\t{CONTEXT}\t{ns}\n"));
        CommandOutput::ok(crate::tabwriter::table(&rows))
    }

    /// `kubectl config set-context [NAME | --current] --namespace=NS`: only the namespace of
    /// the one context can change.
    fn set_context(&mut self, p: &Parsed) -> CommandOutput {
        let name = match (p.args.as_slice(), p.is("current")) {
            ([], true) => CONTEXT,
            ([n], false) if n == CONTEXT => CONTEXT,
            ([_], true) => {
                return CommandOutput::err(
                    "error: you cannot specify both a context name and --current",
                )
            }
            ([], false) => {
                return CommandOutput::err(
                    "error: you must specify a non-empty context name or --current",
                )
            }
            (_, _) => {
                return CommandOutput::err(format!(
                    "error: the playground has one context, {CONTEXT:?}: use --current or its name"
                ))
            }
        };
        if let Some(ns) = p.get("namespace") {
            self.set_namespace(ns);
        }
        CommandOutput::ok(format!("Context \"{name}\" modified."))
    }

    /// `kubectl config view [-o json|yaml]`: the kubeconfig, credentials redacted.
    fn config_view(&self, p: &Parsed) -> CommandOutput {
        let mut context = json!({"cluster": CONTEXT, "user": CONTEXT});
        if let Some(ns) = self.context_namespace() {
            context["namespace"] = json!(ns);
        }
        let v = json!({
            "apiVersion": "v1",
            "clusters": [{
                "cluster": {
                    "certificate-authority-data": "DATA+OMITTED",
                    "server": SERVER,
                },
                "name": CONTEXT,
            }],
            "contexts": [{"context": context, "name": CONTEXT}],
            "current-context": CONTEXT,
            "kind": "Config",
            "preferences": {},
            "users": [{
                "name": CONTEXT,
                "user": {
                    "client-certificate-data": "DATA+OMITTED",
                    "client-key-data": "DATA+OMITTED",
                },
            }],
        });
        match p.get("output").unwrap_or("yaml") {
            "yaml" => CommandOutput::ok(crate::yaml::to_yaml(&v).trim_end().to_string()),
            "json" => CommandOutput::ok(crate::json::pretty(&v)),
            o => CommandOutput::err(format!(
                "error: unable to match a printer suitable for the output format \"{o}\", allowed formats are: json,yaml"
            )),
        }
    }

    /// The context's namespace as the kubeconfig would hold it: unset while it is `default`.
    fn context_namespace(&self) -> Option<&str> {
        Some(self.namespace()).filter(|ns| *ns != "default")
    }
}

#[cfg(test)]
mod tests {
    use crate::{MemFiles, Session};

    fn run(s: &mut Session, line: &str) -> (bool, String) {
        let out = s.run_line_with(line, &MemFiles::default());
        (out.ok, out.text)
    }

    #[test]
    fn set_context_switches_the_namespace_later_commands_use() {
        let mut s = Session::new(1);
        assert_eq!(
            run(&mut s, "kubectl config current-context"),
            (true, "kubeplay.k8s.local\n".into())
        );
        assert!(run(&mut s, "kubectl create namespace team").0);
        assert_eq!(
            run(
                &mut s,
                "kubectl config set-context --current --namespace=team"
            ),
            (true, "Context \"kubeplay.k8s.local\" modified.\n".into())
        );
        assert!(run(&mut s, "kubectl create deployment web --image=nginx").0);
        let (ok, text) = run(&mut s, "kubectl get deploy -n team -o name");
        assert_eq!((ok, text.as_str()), (true, "deployment.apps/web\n"));
        let (ok, text) = run(&mut s, "kubectl config get-contexts");
        assert!(ok);
        assert_eq!(
            text,
            "CURRENT   NAME                 CLUSTER              AUTHINFO             NAMESPACE\n*         kubeplay.k8s.local   kubeplay.k8s.local   kubeplay.k8s.local   team\n"
        );
        let (ok, text) = run(&mut s, "kubectl config view");
        assert!(
            ok && text.contains("    namespace: team\n")
                && text.contains("current-context: kubeplay.k8s.local\n"),
            "{text}"
        );
        assert!(text.contains("client-key-data: DATA+OMITTED"), "{text}");
        assert_eq!(
            run(&mut s, "kubectl config use-context prod"),
            (
                false,
                "error: no context exists with the name: \"prod\"\n".into()
            )
        );
        assert_eq!(
            run(&mut s, "kubectl config use-context kubeplay.k8s.local"),
            (true, "Switched to context \"kubeplay.k8s.local\".\n".into())
        );
        assert!(
            run(
                &mut s,
                "kubectl config set-context --current --namespace=default"
            )
            .0
        );
        assert!(!run(&mut s, "kubectl config view").1.contains("namespace:"));
        assert!(!run(&mut s, "kubectl config set-context").0);
    }
}
