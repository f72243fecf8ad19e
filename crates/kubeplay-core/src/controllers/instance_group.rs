//! kops InstanceGroups as AWS Auto Scaling groups, and the cloud node lifecycle controller,
//! as pure functions.
//!
//! * [`reconcile_groups`]: each group keeps `minSize ≤ live instances ≤ maxSize` (kops creates
//!   the ASG with desired = minSize and no autoscaler is modelled). A missing instance is
//!   launched at once in the group's least populated zone (ASG AZ balancing, ties to the first
//!   subnet); it boots and its kubelet registers the Node [`INSTANCE_BOOT_MS`] later (90 s: EC2
//!   launch ~30–40 s, OS boot + nodeup + kubelet join ~50 s on a kops AMI). Surplus instances
//!   are terminated from the most populated zone, newest first.
//! * [`cloud_node_lifecycle`] (`cloud-node-lifecycle-controller`, every 5 s): a Node whose Ready
//!   condition is not True and whose instance no longer exists is deleted (event `DeletingNode`);
//!   one whose instance is stopped gets `node.cloudprovider.kubernetes.io/shutdown:NoSchedule`.
//!   A Ready node is never touched, so a terminated instance's Node goes once the node
//!   lifecycle controller has marked it Unknown (~55 s after the last heartbeat).

use std::collections::BTreeMap;

use crate::scheduler::types::{Taint, TaintEffect};

/// Milliseconds of virtual time.
pub type Ms = u64;

/// Launch to Node registration.
pub const INSTANCE_BOOT_MS: Ms = 90_000;
/// `--node-monitor-period` of the cloud node lifecycle controller.
pub const CLOUD_NODE_MONITOR_PERIOD_MS: Ms = 5_000;
/// Taint for a node whose instance is shut down.
pub const TAINT_SHUTDOWN: &str = "node.cloudprovider.kubernetes.io/shutdown";

/// An InstanceGroup's sizing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupView {
    /// Group name.
    pub name: String,
    /// `spec.minSize`.
    pub min_size: u32,
    /// `spec.maxSize`.
    pub max_size: u32,
    /// `spec.subnets` (zones), in order.
    pub zones: Vec<String>,
}

/// An EC2 instance's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceState {
    /// Launched; the Node registers at `join_at_ms`.
    Pending {
        /// When the kubelet registers.
        join_at_ms: Ms,
    },
    /// Running (Node registered).
    Running,
    /// Stopped (counts as live for the ASG, which only replaces unhealthy/terminated ones).
    Stopped,
    /// Terminated.
    Terminated,
}

/// An instance of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceView {
    /// Instance (and Node) name.
    pub name: String,
    /// Group.
    pub group: String,
    /// Zone.
    pub zone: String,
    /// Launch order (larger = newer).
    pub launched_seq: u64,
    /// State.
    pub state: InstanceState,
}

/// What the ASGs do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupAction {
    /// Launch an instance in `zone`; its Node registers at `join_at_ms`.
    Launch {
        /// Group.
        group: String,
        /// Zone.
        zone: String,
        /// Registration time.
        join_at_ms: Ms,
    },
    /// Terminate an instance (scale-in).
    Terminate {
        /// Instance name.
        instance: String,
    },
}

/// One reconciliation of every group at `now`. Zones in `unavailable` (a simulated zone
/// outage) receive no launches; the ASG places replacements in the remaining subnets, and
/// launches nothing when none remain.
pub fn reconcile_groups(
    now: Ms,
    groups: &[GroupView],
    instances: &[InstanceView],
    unavailable: &[String],
) -> Vec<GroupAction> {
    let mut out = Vec::new();
    for g in groups {
        let live: Vec<&InstanceView> = instances
            .iter()
            .filter(|i| i.group == g.name && i.state != InstanceState::Terminated)
            .collect();
        let zones: Vec<String> = if g.zones.is_empty() {
            vec![String::new()]
        } else {
            g.zones.clone()
        };
        let mut per_zone: BTreeMap<&str, u32> = zones.iter().map(|z| (z.as_str(), 0)).collect();
        for i in &live {
            *per_zone.entry(i.zone.as_str()).or_insert(0) += 1;
        }
        let desired = g.min_size.min(g.max_size.max(g.min_size));
        let n = live.len() as u32;
        if n < desired {
            for _ in n..desired {
                // Least populated available zone, ties to the first subnet listed.
                let Some(zone) = zones
                    .iter()
                    .filter(|z| !unavailable.contains(z))
                    .min_by_key(|z| per_zone[z.as_str()])
                    .cloned()
                else {
                    break;
                };
                *per_zone.get_mut(zone.as_str()).expect("zone") += 1;
                out.push(GroupAction::Launch {
                    group: g.name.clone(),
                    zone,
                    join_at_ms: now + INSTANCE_BOOT_MS,
                });
            }
        } else if n > g.max_size {
            let mut victims: Vec<&InstanceView> = live.clone();
            for _ in g.max_size..n {
                // Most populated zone, then the newest instance there.
                let zone = per_zone
                    .iter()
                    .max_by_key(|(z, c)| (**c, std::cmp::Reverse(**z)))
                    .map(|(z, _)| z.to_string())
                    .expect("zone");
                let Some(pos) = victims
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| i.zone == zone)
                    .max_by_key(|(_, i)| i.launched_seq)
                    .map(|(p, _)| p)
                else {
                    break;
                };
                let v = victims.remove(pos);
                *per_zone.get_mut(zone.as_str()).expect("zone") -= 1;
                out.push(GroupAction::Terminate {
                    instance: v.name.clone(),
                });
            }
        }
    }
    out
}

/// `sim zone-outage ZONE`: the instances (of any group) to terminate, every live one in the
/// zone. Pass the zone in `unavailable` to [`reconcile_groups`] until the outage ends.
pub fn zone_outage(instances: &[InstanceView], zone: &str) -> Vec<String> {
    instances
        .iter()
        .filter(|i| i.zone == zone && i.state != InstanceState::Terminated)
        .map(|i| i.name.clone())
        .collect()
}

/// A Node as the cloud node lifecycle controller sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudNodeView {
    /// Node name.
    pub name: String,
    /// Ready condition is True.
    pub ready: bool,
    /// The backing instance exists (not terminated).
    pub instance_exists: bool,
    /// The backing instance is stopped.
    pub instance_shutdown: bool,
    /// Current taints.
    pub taints: Vec<Taint>,
}

/// What the cloud node lifecycle controller does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloudAction {
    /// Delete the Node object; event `DeletingNode`
    /// `Deleting node <name> because it's not present according to cloud provider`.
    DeleteNode {
        /// Node.
        node: String,
    },
    /// Replace the node's taints.
    SetTaints {
        /// Node.
        node: String,
        /// New list.
        taints: Vec<Taint>,
    },
}

/// `CloudNodeLifecycleController.MonitorNodes`.
pub fn cloud_node_lifecycle(nodes: &[CloudNodeView]) -> Vec<CloudAction> {
    let mut out = Vec::new();
    for n in nodes {
        let has_shutdown = n.taints.iter().any(|t| t.key == TAINT_SHUTDOWN);
        if n.ready {
            // Ready nodes lose the shutdown taint; nothing else.
            if has_shutdown {
                let taints = n
                    .taints
                    .iter()
                    .filter(|t| t.key != TAINT_SHUTDOWN)
                    .cloned()
                    .collect();
                out.push(CloudAction::SetTaints {
                    node: n.name.clone(),
                    taints,
                });
            }
            continue;
        }
        if n.instance_shutdown {
            if !has_shutdown {
                let mut taints = n.taints.clone();
                taints.push(Taint::new(TAINT_SHUTDOWN, "", TaintEffect::NoSchedule));
                out.push(CloudAction::SetTaints {
                    node: n.name.clone(),
                    taints,
                });
            }
            continue;
        }
        if !n.instance_exists {
            out.push(CloudAction::DeleteNode {
                node: n.name.clone(),
            });
        }
    }
    out
}

/// The event message of a cloud node deletion.
pub fn deleting_node_message(node: &str) -> String {
    format!("Deleting node {node} because it's not present according to cloud provider")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(min: u32, max: u32, zones: &[&str]) -> GroupView {
        GroupView {
            name: "nodes".into(),
            min_size: min,
            max_size: max,
            zones: zones.iter().map(|z| z.to_string()).collect(),
        }
    }

    fn inst(name: &str, zone: &str, seq: u64, state: InstanceState) -> InstanceView {
        InstanceView {
            name: name.into(),
            group: "nodes".into(),
            zone: zone.into(),
            launched_seq: seq,
            state,
        }
    }

    /// A terminated instance is replaced at once in the zone it left, joining 90 s later.
    #[test]
    fn terminated_instance_is_replaced() {
        let g = [group(3, 3, &["us-east-1a", "us-east-1b", "us-east-1c"])];
        let i = [
            inst("n1", "us-east-1a", 1, InstanceState::Running),
            inst("n2", "us-east-1b", 2, InstanceState::Terminated),
            inst("n3", "us-east-1c", 3, InstanceState::Running),
        ];
        assert_eq!(
            reconcile_groups(100_000, &g, &i, &[]),
            [GroupAction::Launch {
                group: "nodes".into(),
                zone: "us-east-1b".into(),
                join_at_ms: 190_000
            }]
        );
        // A pending replacement counts: nothing more to do.
        let mut i2 = i.to_vec();
        i2.push(inst(
            "n4",
            "us-east-1b",
            4,
            InstanceState::Pending {
                join_at_ms: 190_000,
            },
        ));
        assert!(reconcile_groups(101_000, &g, &i2, &[]).is_empty());
    }

    /// Lowering maxSize terminates the newest instance of the most populated zone.
    #[test]
    fn scale_in_terminates_newest_in_fullest_zone() {
        let g = [group(1, 2, &["a", "b"])];
        let i = [
            inst("n1", "a", 1, InstanceState::Running),
            inst("n2", "a", 2, InstanceState::Running),
            inst("n3", "b", 3, InstanceState::Running),
        ];
        assert_eq!(
            reconcile_groups(0, &g, &i, &[]),
            [GroupAction::Terminate {
                instance: "n2".into()
            }]
        );
    }

    /// Raising minSize launches into the emptiest zones.
    #[test]
    fn scale_out_balances_zones() {
        let g = [group(4, 5, &["a", "b"])];
        let i = [inst("n1", "a", 1, InstanceState::Running)];
        let zones: Vec<String> = reconcile_groups(0, &g, &i, &[])
            .into_iter()
            .map(|a| match a {
                GroupAction::Launch { zone, .. } => zone,
                GroupAction::Terminate { .. } => panic!("no terminate"),
            })
            .collect();
        assert_eq!(zones, ["b", "a", "b"]);
    }

    /// A zone outage terminates the zone's instances; replacements go to the other zones.
    #[test]
    fn zone_outage_moves_capacity() {
        let g = [group(3, 3, &["a", "b", "c"])];
        let mut i = vec![
            inst("n1", "a", 1, InstanceState::Running),
            inst("n2", "b", 2, InstanceState::Running),
            inst("n3", "c", 3, InstanceState::Running),
        ];
        assert_eq!(zone_outage(&i, "b"), ["n2"]);
        i[1].state = InstanceState::Terminated;
        let out = reconcile_groups(0, &g, &i, &["b".to_string()]);
        assert_eq!(
            out,
            [GroupAction::Launch {
                group: "nodes".into(),
                zone: "a".into(),
                join_at_ms: INSTANCE_BOOT_MS
            }]
        );
        let all: Vec<String> = ["a", "b", "c"].iter().map(|z| z.to_string()).collect();
        assert!(reconcile_groups(0, &g, &i, &all).is_empty());
    }

    /// Only NotReady nodes without an instance are deleted; stopped ones get the shutdown taint.
    #[test]
    fn cloud_node_lifecycle_deletes_only_gone_not_ready_nodes() {
        let v = |name: &str, ready, exists, shutdown| CloudNodeView {
            name: name.into(),
            ready,
            instance_exists: exists,
            instance_shutdown: shutdown,
            taints: vec![],
        };
        let out = cloud_node_lifecycle(&[
            v("ready-gone", true, false, false),
            v("notready-gone", false, false, false),
            v("notready-stopped", false, true, true),
            v("notready-there", false, true, false),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[0],
            CloudAction::DeleteNode {
                node: "notready-gone".into()
            }
        );
        assert!(
            matches!(&out[1], CloudAction::SetTaints { node, .. } if node == "notready-stopped")
        );
        assert_eq!(
            deleting_node_message("n1"),
            "Deleting node n1 because it's not present according to cloud provider"
        );
    }
}
