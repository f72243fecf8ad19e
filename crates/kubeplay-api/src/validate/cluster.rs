//! Node, Namespace and kops InstanceGroup checks.
use super::{names, FieldError};
use crate::kinds::{instancegroup::InstanceGroup, namespace::Namespace, node::Node};

const EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// `ValidateNode`: name, taints, non-negative capacity.
pub fn node(n: &Node, errs: &mut Vec<FieldError>) {
    names::object_meta(&n.metadata, false, names::NameKind::Subdomain, errs);
    for (i, t) in n.spec.taints.iter().enumerate() {
        let p = format!("spec.taints[{i}]");
        if t.key.is_empty() {
            errs.push(FieldError::required(format!("{p}.key"), ""));
        } else {
            for m in names::qualified_name(&t.key) {
                errs.push(FieldError::invalid(format!("{p}.key"), &t.key, &m));
            }
        }
        if let Some(v) = &t.value {
            for m in names::label_value(v) {
                errs.push(FieldError::invalid(format!("{p}.value"), v, &m));
            }
        }
        if t.effect.is_empty() {
            errs.push(FieldError::required(format!("{p}.effect"), ""));
        } else if !EFFECTS.contains(&t.effect.as_str()) {
            errs.push(FieldError::unsupported(
                format!("{p}.effect"),
                &t.effect,
                &EFFECTS,
            ));
        }
    }
    if let Some(st) = &n.status {
        for (field, list) in [("capacity", &st.capacity), ("allocatable", &st.allocatable)] {
            for (name, q) in list {
                if q.is_negative() {
                    errs.push(FieldError::invalid(
                        format!("status.{field}[{name}]"),
                        q.as_str(),
                        "must be greater than or equal to 0",
                    ));
                }
            }
        }
    }
}

/// `ValidateNamespace`: a DNS-1123 label name.
pub fn namespace(ns: &Namespace, errs: &mut Vec<FieldError>) {
    names::object_meta(&ns.metadata, false, names::NameKind::Label, errs);
}

/// kops `ValidateInstanceGroup` (role, sizes, taints syntax).
pub fn instance_group(ig: &InstanceGroup, errs: &mut Vec<FieldError>) {
    names::object_meta(&ig.metadata, true, names::NameKind::Subdomain, errs);
    let s = &ig.spec;
    const ROLES: [&str; 5] = ["APIServer", "Bastion", "ControlPlane", "Master", "Node"];
    match s.role.as_deref() {
        None | Some("") => errs.push(FieldError::required("spec.role", "Role must be set")),
        Some(r) if !ROLES.contains(&r) => {
            errs.push(FieldError::unsupported("spec.role", r, &ROLES));
        }
        Some(_) => {}
    }
    if let Some(min) = s.min_size.filter(|m| *m < 0) {
        errs.push(FieldError::invalid(
            "spec.minSize",
            min,
            "minSize must be >= 0",
        ));
    }
    if let Some(max) = s.max_size.filter(|m| *m < 0) {
        errs.push(FieldError::invalid(
            "spec.maxSize",
            max,
            "maxSize must be >= 0",
        ));
    }
    if let (Some(min), Some(max)) = (s.min_size, s.max_size) {
        if max < min {
            errs.push(FieldError::invalid(
                "spec.maxSize",
                max,
                "maxSize must be greater than or equal to minSize.",
            ));
        }
    }
    for (i, t) in s.taints.iter().enumerate() {
        let effect = t.rsplit_once(':').map(|(_, e)| e);
        if !effect.is_some_and(|e| EFFECTS.contains(&e)) {
            errs.push(FieldError::invalid(
                format!("spec.taints[{i}]"),
                t,
                "taint must be in the form key=value:Effect with Effect one of NoSchedule, \
                 PreferNoSchedule, NoExecute",
            ));
        }
    }
}
