//! `kubectl explain` for the simulated kinds: the field docs of the fields the simulator
//! reads, in kubectl's v1.34 layout (GROUP/KIND/VERSION, FIELD, DESCRIPTION, FIELDS).
use crate::resource::Resource;

/// (path, type, description) per kind; children of a path are the entries one level down.
fn fields(kind: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    const META: (&str, &str, &str) = ("metadata", "ObjectMeta", "Standard object's metadata. More info:\nhttps://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata");
    const APIV: (&str, &str, &str) = ("apiVersion", "string", "APIVersion defines the versioned schema of this representation of an object.\nServers should convert recognized schemas to the latest internal value, and\nmay reject unrecognized values.");
    const KIND: (&str, &str, &str) = ("kind", "string", "Kind is a string value representing the REST resource this object represents.\nServers may infer this from the endpoint the client submits requests to.\nCannot be updated. In CamelCase.");
    match kind {
        "Deployment" => &[
            APIV,
            KIND,
            META,
            ("spec", "DeploymentSpec", "Specification of the desired behavior of the Deployment."),
            ("spec.replicas", "integer", "Number of desired pods. This is a pointer to distinguish between explicit zero\nand not specified. Defaults to 1."),
            ("spec.selector", "LabelSelector -required-", "Label selector for pods. Existing ReplicaSets whose pods are selected by this\nwill be the ones affected by this deployment. It must match the pod\ntemplate's labels."),
            ("spec.template", "PodTemplateSpec -required-", "Template describes the pods that will be created. The only allowed\ntemplate.spec.restartPolicy value is \"Always\"."),
            ("spec.strategy", "DeploymentStrategy", "The deployment strategy to use to replace existing pods with new ones."),
            ("spec.minReadySeconds", "integer", "Minimum number of seconds for which a newly created pod should be ready\nwithout any of its container crashing, for it to be considered available.\nDefaults to 0 (pod will be considered available as soon as it is ready)"),
            ("spec.revisionHistoryLimit", "integer", "The number of old ReplicaSets to retain to allow rollback. This is a pointer\nto distinguish between explicit zero and not specified. Defaults to 10."),
            ("spec.progressDeadlineSeconds", "integer", "The maximum time in seconds for a deployment to make progress before it is\nconsidered to be failed. The deployment controller will continue to process\nfailed deployments and a condition with a ProgressDeadlineExceeded reason\nwill be surfaced in the deployment status. Note that progress will not be\nestimated during the time a deployment is paused. Defaults to 600s."),
            ("spec.paused", "boolean", "Indicates that the deployment is paused."),
            ("status", "DeploymentStatus", "Most recently observed status of the Deployment."),
        ],
        "ReplicaSet" => &[
            APIV,
            KIND,
            META,
            ("spec", "ReplicaSetSpec", "Spec defines the specification of the desired behavior of the ReplicaSet."),
            ("spec.replicas", "integer", "Replicas is the number of desired pods. This is a pointer to distinguish\nbetween explicit zero and unspecified. Defaults to 1."),
            ("spec.selector", "LabelSelector -required-", "Selector is a label query over pods that should match the replica count.\nLabel keys and values that must match in order to be controlled by this\nreplica set."),
            ("spec.template", "PodTemplateSpec", "Template is the object that describes the pod that will be created if\ninsufficient replicas are detected."),
            ("status", "ReplicaSetStatus", "Status is the most recently observed status of the ReplicaSet."),
        ],
        "Pod" => &[
            APIV,
            KIND,
            META,
            ("spec", "PodSpec", "Specification of the desired behavior of the pod."),
            ("spec.containers", "[]Container -required-", "List of containers belonging to the pod. Containers cannot currently be\nadded or removed. There must be at least one container in a Pod. Cannot be\nupdated."),
            ("spec.nodeName", "string", "NodeName indicates in which node this pod is scheduled. If empty, this pod is\na candidate for scheduling by the scheduler defined in schedulerName."),
            ("spec.nodeSelector", "map[string]string", "NodeSelector is a selector which must be true for the pod to fit on a node.\nSelector which must match a node's labels for the pod to be scheduled on\nthat node."),
            ("spec.tolerations", "[]Toleration", "If specified, the pod's tolerations."),
            ("spec.restartPolicy", "string", "Restart policy for all containers within the pod. One of Always, OnFailure,\nNever. Default to Always."),
            ("spec.terminationGracePeriodSeconds", "integer", "Optional duration in seconds the pod needs to terminate gracefully. Defaults\nto 30 seconds."),
            ("status", "PodStatus", "Most recently observed status of the pod."),
        ],
        "Service" => &[
            APIV,
            KIND,
            META,
            ("spec", "ServiceSpec", "Spec defines the behavior of a service."),
            ("spec.type", "string", "type determines how the Service is exposed. Defaults to ClusterIP. Valid\noptions are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
            ("spec.selector", "map[string]string", "Route service traffic to pods with label keys and values matching this\nselector."),
            ("spec.ports", "[]ServicePort", "The list of ports that are exposed by this service."),
            ("spec.externalTrafficPolicy", "string", "externalTrafficPolicy describes how nodes distribute service traffic they\nreceive on one of the Service's \"externally-facing\" addresses (NodePorts,\nExternalIPs, and LoadBalancer IPs)."),
            ("spec.sessionAffinity", "string", "Supports \"ClientIP\" and \"None\". Used to maintain session affinity. Defaults\nto None."),
            ("status", "ServiceStatus", "Most recently observed status of the service."),
        ],
        "Node" => &[
            APIV,
            KIND,
            META,
            ("spec", "NodeSpec", "Spec defines the behavior of a node."),
            ("spec.taints", "[]Taint", "If specified, the node's taints."),
            ("spec.unschedulable", "boolean", "Unschedulable controls node schedulability of new pods. By default, node is\nschedulable."),
            ("status", "NodeStatus", "Most recently observed status of the node."),
        ],
        _ => &[APIV, KIND, META],
    }
}

fn describe_kind(kind: &str) -> &'static str {
    match kind {
        "Deployment" => "Deployment enables declarative updates for Pods and ReplicaSets.",
        "ReplicaSet" => "ReplicaSet ensures that a specified number of pod replicas are running at any\ngiven time.",
        "Pod" => "Pod is a collection of containers that can run on a host. This resource is\ncreated by clients and scheduled onto hosts.",
        "Service" => "Service is a named abstraction of software service (for example, mysql)\nconsisting of local port (for example 3306) that the proxy listens on, and the\nselector that determines which pods will answer requests sent through the\nproxy.",
        "Node" => "Node is a worker node in Kubernetes. Each node will have a unique identifier\nin the cache (i.e. in etcd).",
        "Namespace" => "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
        "Event" => "Event is a report of an event somewhere in the cluster.",
        "Endpoints" => "Endpoints is a collection of endpoints that implement the actual service.",
        _ => "",
    }
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of `kubectl explain RES[.path]`.
pub fn explain(res: &Resource, path: &str, recursive: bool) -> Result<String, String> {
    let table = fields(res.kind);
    let mut out = format!(
        "GROUP:      {}\nKIND:       {}\nVERSION:    {}\n\n",
        res.group, res.kind, res.version
    );
    if res.group.is_empty() {
        out = format!("KIND:       {}\nVERSION:    {}\n\n", res.kind, res.version);
    }
    let (desc, children_of) = if path.is_empty() {
        (describe_kind(res.kind).to_string(), String::new())
    } else {
        let Some((_, typ, d)) = table.iter().find(|(p, _, _)| *p == path) else {
            return Err(format!(
                "error: field \"{}\" does not exist",
                path.rsplit('.').next().unwrap_or(path)
            ));
        };
        out.push_str(&format!(
            "FIELD: {} <{typ}>\n\n",
            path.rsplit('.').next().unwrap_or(path)
        ));
        (d.to_string(), format!("{path}."))
    };
    out.push_str("DESCRIPTION:\n");
    out.push_str(&indent(&desc, 4));
    out.push('\n');
    let kids: Vec<&(&str, &str, &str)> = table
        .iter()
        .filter(|(p, _, _)| {
            p.strip_prefix(children_of.as_str())
                .is_some_and(|rest| recursive || !rest.contains('.'))
                && (!children_of.is_empty() || recursive || !p.contains('.'))
        })
        .collect();
    if !kids.is_empty() {
        out.push_str("    \nFIELDS:\n");
        for (p, typ, d) in kids {
            let name = p.strip_prefix(children_of.as_str()).unwrap_or(p);
            if recursive {
                let depth = name.matches('.').count();
                out.push_str(&format!(
                    "{}{}\t<{typ}>\n",
                    "  ".repeat(depth + 1),
                    name.rsplit('.').next().unwrap_or(name)
                ));
            } else {
                out.push_str(&format!("  {name}\t<{typ}>\n"));
                out.push_str(&indent(d, 4));
                out.push_str("\n\n");
            }
        }
    }
    Ok(out.trim_end_matches('\n').to_string() + "\n")
}
