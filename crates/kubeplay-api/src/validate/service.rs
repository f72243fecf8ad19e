//! Service checks (`ValidateService`): type, ports (range, names, protocol, target port, node
//! port range), session affinity.
use super::{go_quote, names, pod::port_or_name, Bad, FieldError};
use crate::{
    intstr::IntOrString,
    kinds::service::{Service, ServicePort},
};
use std::collections::BTreeSet;

const TYPES: [&str; 4] = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const PROTOCOLS: [&str; 3] = ["SCTP", "TCP", "UDP"];
/// `--service-node-port-range` default.
pub const NODE_PORT_RANGE: std::ops::RangeInclusive<i32> = 30000..=32767;

/// `ValidateService`.
pub fn service(s: &Service, errs: &mut Vec<FieldError>) {
    names::object_meta(&s.metadata, true, names::NameKind::Dns1035, errs);
    let spec = &s.spec;
    let t = spec.type_.as_deref().unwrap_or("ClusterIP");
    if !TYPES.contains(&t) {
        errs.push(FieldError::unsupported("spec.type", t, &TYPES));
    }
    let headless = spec.cluster_ip.as_deref() == Some("None");
    if spec.ports.is_empty() && !headless && t != "ExternalName" {
        errs.push(FieldError::required("spec.ports", ""));
    }
    if t == "ExternalName" && spec.external_name.as_deref().unwrap_or("").is_empty() {
        errs.push(FieldError::required("spec.externalName", ""));
    }
    let mut port_names = BTreeSet::new();
    let mut port_protocols = BTreeSet::new();
    let several = spec.ports.len() > 1;
    for (i, p) in spec.ports.iter().enumerate() {
        let path = format!("spec.ports[{i}]");
        port(p, &path, several, t, &mut port_names, errs);
        let key = (p.port, p.protocol.clone().unwrap_or_default());
        if !port_protocols.insert(key) {
            errs.push(FieldError::duplicate(&path, Bad::Go(go_service_port(p))));
        }
    }
    if let Some(a) = &spec.session_affinity {
        if !matches!(a.as_str(), "ClientIP" | "None") {
            errs.push(FieldError::unsupported(
                "spec.sessionAffinity",
                a,
                &["ClientIP", "None"],
            ));
        }
    }
    for (field, v) in [
        ("spec.externalTrafficPolicy", &spec.external_traffic_policy),
        ("spec.internalTrafficPolicy", &spec.internal_traffic_policy),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !matches!(*v, "Cluster" | "Local")) {
            errs.push(FieldError::unsupported(field, v, &["Cluster", "Local"]));
        }
    }
    if let Some(sel) = &spec.selector {
        names::labels(sel, "spec.selector", errs);
    }
}

fn port(
    p: &ServicePort,
    path: &str,
    several: bool,
    t: &str,
    seen: &mut BTreeSet<String>,
    errs: &mut Vec<FieldError>,
) {
    match p.name.as_deref().unwrap_or("") {
        "" if several => errs.push(FieldError::required(format!("{path}.name"), "")),
        "" => {}
        name => {
            for m in names::dns1123_label(name) {
                errs.push(FieldError::invalid(format!("{path}.name"), name, &m));
            }
            if !seen.insert(name.to_string()) {
                errs.push(FieldError::duplicate(format!("{path}.name"), name));
            }
        }
    }
    if !(1..=65535).contains(&p.port) {
        errs.push(FieldError::invalid(
            format!("{path}.port"),
            p.port,
            "must be between 1 and 65535, inclusive",
        ));
    }
    if let Some(proto) = &p.protocol {
        if !PROTOCOLS.contains(&proto.as_str()) {
            errs.push(FieldError::unsupported(
                format!("{path}.protocol"),
                proto,
                &PROTOCOLS,
            ));
        }
    }
    if let Some(tp) = &p.target_port {
        port_or_name(tp, &format!("{path}.targetPort"), errs);
    }
    if let Some(np) = p.node_port.filter(|np| *np != 0) {
        if t == "ClusterIP" || t == "ExternalName" {
            errs.push(FieldError::forbidden(
                format!("{path}.nodePort"),
                &format!("may not be used when `type` is '{t}'"),
            ));
        } else if !NODE_PORT_RANGE.contains(&np) {
            errs.push(FieldError::invalid(
                format!("{path}.nodePort"),
                np,
                "provided port is not in the valid range. The range of valid ports is 30000-32767",
            ));
        }
    }
}

/// `%#v` of the internal `core.ServicePort` (for the duplicate port+protocol message).
fn go_service_port(p: &ServicePort) -> String {
    let target = match &p.target_port {
        Some(IntOrString::Int(v)) => {
            format!("intstr.IntOrString{{Type:0, IntVal:{v}, StrVal:\"\"}}")
        }
        Some(IntOrString::String(s)) => {
            format!(
                "intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}",
                go_quote(s)
            )
        }
        None => "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}".to_string(),
    };
    format!(
        "core.ServicePort{{Name:{}, Protocol:{}, AppProtocol:(*string)(nil), Port:{}, \
         TargetPort:{target}, NodePort:{}}}",
        go_quote(p.name.as_deref().unwrap_or("")),
        go_quote(p.protocol.as_deref().unwrap_or("")),
        p.port,
        p.node_port.unwrap_or(0)
    )
}
