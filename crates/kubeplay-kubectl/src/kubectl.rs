//! Dispatch of a parsed `kubectl VERB` to its handler.
use crate::flags::Parsed;
use crate::session::{CommandOutput, FileSource, Session};

impl Session {
    /// Run one kubectl verb.
    pub(crate) fn kubectl(
        &mut self,
        verb: &str,
        p: &Parsed,
        files: &dyn FileSource,
    ) -> CommandOutput {
        match verb {
            "get" => self.get(p, files),
            "describe" => self.describe(p, files),
            "apply" => self.apply_files(p, files, false),
            "create" => self.apply_files(p, files, true),
            "create deployment" => self.create_deployment(p),
            "create service clusterip" => self.create_service("clusterip", p),
            "create service nodeport" => self.create_service("nodeport", p),
            "create service loadbalancer" => self.create_service("loadbalancer", p),
            "create namespace" => self.create_namespace(p),
            "delete" => self.delete(p, files),
            "scale" => self.scale(p),
            "set image" => self.set_image(p),
            "label" => self.label(p, false),
            "annotate" => self.label(p, true),
            "cordon" => self.cordon(p, true),
            "uncordon" => self.cordon(p, false),
            "drain" => self.drain(p),
            "expose" => self.expose(p),
            "wait" => self.wait(p),
            "logs" => self.logs(p),
            "top nodes" => self.top("nodes", p),
            "top pods" => self.top("pods", p),
            "explain" => self.explain(p),
            "version" => self.version_cmd(p),
            "cluster-info" => self.cluster_info(),
            "api-resources" => self.api_resources(p),
            "events" => self.events_verb(p),
            v if v.starts_with("rollout ") => self.rollout(&v["rollout ".len()..], p),
            v if v.starts_with("config ") => self.config_cmd(&v["config ".len()..], p),
            other => CommandOutput::err(format!(
                "error: \"kubectl {other}\" is not available in the kubeplay simulator"
            )),
        }
    }
}
