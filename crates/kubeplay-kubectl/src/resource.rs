//! Resource types as kubectl names them: aliases, plural names, groups, scope.
//!
//! kubectl resolves `po`, `pod`, `pods` and `pods.v1.` to one resource through API discovery;
//! we have a fixed table of the kinds the simulator knows. The table also supplies the
//! spellings that appear in output: `deployment.apps/web` (apply, `-o name`),
//! `deployments.apps "web" not found` (errors).

/// One resource type the playground serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Resource {
    /// `Kind` as in manifests.
    pub kind: &'static str,
    /// Lower-case plural, as in URLs and `kubectl api-resources`.
    pub plural: &'static str,
    /// API group (`""` for core).
    pub group: &'static str,
    /// API version inside the group.
    pub version: &'static str,
    /// Short names (`po`, `deploy`, …).
    pub short: &'static [&'static str],
    /// Whether objects live in a namespace.
    pub namespaced: bool,
}

impl Resource {
    /// `apiVersion` as written in objects: `v1`, `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployment.apps`, `pod`: the prefix of `-o name` and apply's result lines.
    pub fn singular_qualified(&self) -> String {
        let s = self.kind.to_ascii_lowercase();
        if self.group.is_empty() {
            s
        } else {
            format!("{s}.{}", self.group)
        }
    }

    /// `deployments.apps`, `pods`: the spelling in API errors.
    pub fn plural_qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `Error from server (NotFound): pods "x" not found`.
    pub fn not_found(&self, name: &str) -> String {
        format!(
            "Error from server (NotFound): {} \"{name}\" not found",
            self.plural_qualified()
        )
    }
}

/// Every resource type, in the order `kubectl api-resources` lists them.
pub const RESOURCES: &[Resource] = &[
    Resource {
        kind: "Endpoints",
        plural: "endpoints",
        group: "",
        version: "v1",
        short: &["ep"],
        namespaced: true,
    },
    Resource {
        kind: "Event",
        plural: "events",
        group: "",
        version: "v1",
        short: &["ev"],
        namespaced: true,
    },
    Resource {
        kind: "Namespace",
        plural: "namespaces",
        group: "",
        version: "v1",
        short: &["ns"],
        namespaced: false,
    },
    Resource {
        kind: "Node",
        plural: "nodes",
        group: "",
        version: "v1",
        short: &["no"],
        namespaced: false,
    },
    Resource {
        kind: "Pod",
        plural: "pods",
        group: "",
        version: "v1",
        short: &["po"],
        namespaced: true,
    },
    Resource {
        kind: "Service",
        plural: "services",
        group: "",
        version: "v1",
        short: &["svc"],
        namespaced: true,
    },
    Resource {
        kind: "Deployment",
        plural: "deployments",
        group: "apps",
        version: "v1",
        short: &["deploy"],
        namespaced: true,
    },
    Resource {
        kind: "ReplicaSet",
        plural: "replicasets",
        group: "apps",
        version: "v1",
        short: &["rs"],
        namespaced: true,
    },
    Resource {
        kind: "EndpointSlice",
        plural: "endpointslices",
        group: "discovery.k8s.io",
        version: "v1",
        short: &[],
        namespaced: true,
    },
    Resource {
        kind: "InstanceGroup",
        plural: "instancegroups",
        group: "kops.k8s.io",
        version: "v1alpha2",
        short: &["ig"],
        namespaced: true,
    },
];

/// Find a resource by any of kubectl's spellings: `pods`, `pod`, `po`, `Pod`,
/// `deployments.apps`, `deployment.apps`, `deployments.v1.apps`.
pub fn lookup(name: &str) -> Option<&'static Resource> {
    let lower = name.to_ascii_lowercase();
    let (base, group) = match lower.split_once('.') {
        Some((b, rest)) => {
            // `deployments.v1.apps` → group `apps`
            let g = match rest.split_once('.') {
                Some((v, g))
                    if v.starts_with('v') && v[1..].starts_with(|c: char| c.is_ascii_digit()) =>
                {
                    g
                }
                _ => rest,
            };
            (b.to_string(), Some(g.to_string()))
        }
        None => (lower, None),
    };
    // kops InstanceGroups live in the kops state store, not the API server: kubectl does not
    // know them (`kops get ig` does).
    RESOURCES
        .iter()
        .filter(|r| r.kind != "InstanceGroup")
        .find(|r| {
            let name_ok = r.plural == base
                || r.kind.to_ascii_lowercase() == base
                || r.short.contains(&base.as_str());
            let group_ok = match &group {
                None => true,
                Some(g) => g == r.group || (r.group.is_empty() && g == "v1"),
            };
            name_ok && group_ok
        })
}

/// Find a resource by its `kind`.
pub fn by_kind(kind: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.kind == kind)
}

/// `error: the server doesn't have a resource type "pdos"`.
pub fn unknown_type(name: &str) -> String {
    format!("error: the server doesn't have a resource type \"{name}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve() {
        for s in ["po", "pod", "pods", "Pod", "pods.v1."] {
            assert_eq!(
                lookup(s.trim_end_matches('.')).map(|r| r.kind),
                Some("Pod"),
                "{s}"
            );
        }
        for s in [
            "deploy",
            "deployment",
            "deployments",
            "deployments.apps",
            "deployment.v1.apps",
        ] {
            assert_eq!(lookup(s).map(|r| r.kind), Some("Deployment"), "{s}");
        }
        assert_eq!(lookup("svc").map(|r| r.kind), Some("Service"));
        assert_eq!(lookup("pdos"), None);
        assert_eq!(lookup("deployments.core"), None);
    }

    #[test]
    fn spellings() {
        let d = by_kind("Deployment").unwrap();
        assert_eq!(d.singular_qualified(), "deployment.apps");
        assert_eq!(
            d.not_found("x"),
            "Error from server (NotFound): deployments.apps \"x\" not found"
        );
        assert_eq!(
            by_kind("Pod").unwrap().not_found("x"),
            "Error from server (NotFound): pods \"x\" not found"
        );
    }
}
