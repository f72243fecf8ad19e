//! Nodes: machine types, the default kops-style cluster, per-node runtime (kubelet, image cache,
//! pod IPAM).
//!
//! The default cluster is what `kops create cluster` gives on AWS with its defaults: one
//! control-plane instance (tainted `NoSchedule`) and an instance group `nodes` of 3 × t3.medium.
//! Allocatable is capacity minus what the kubelet reserves (kube-reserved 100m CPU / 100Mi, and
//! the `memory.available<100Mi` hard-eviction threshold), as `kubectl describe node` shows on a
//! real node. Pod IPs come from a per-node /24 of kops' default cluster CIDR `100.96.0.0/11`,
//! handed out sequentially like the `host-local` IPAM plugin.
use crate::api::{
    Condition, InstanceGroup, InstanceGroupSpec, Labels, Node, NodeAddress, NodeSpec, NodeStatus,
    ObjectMeta, Quantity, Taint,
};
use crate::clock::Ms;
use std::collections::{BTreeMap, BTreeSet};

/// An EC2 machine type: what the instance has and what the kubelet leaves to pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineType {
    /// `t3.medium`.
    pub name: &'static str,
    /// vCPUs in millicores.
    pub cpu_milli: i64,
    /// Memory the kernel reports (capacity), in KiB.
    pub memory_ki: i64,
}

/// Kube-reserved CPU the kubelet subtracts from capacity (kops default), millicores.
pub const RESERVED_CPU_MILLI: i64 = 100;
/// Kube-reserved memory plus the hard eviction threshold, KiB (100Mi + 100Mi).
pub const RESERVED_MEMORY_KI: i64 = 200 * 1024;
/// Default `--max-pods`.
pub const MAX_PODS: i64 = 110;

/// Common AWS instance types (capacity as the kubelet reports it: nominal memory minus what the
/// kernel and firmware keep).
pub const MACHINE_TYPES: &[MachineType] = &[
    MachineType {
        name: "t3.micro",
        cpu_milli: 2000,
        memory_ki: 980_000,
    },
    MachineType {
        name: "t3.small",
        cpu_milli: 2000,
        memory_ki: 1_991_000,
    },
    MachineType {
        name: "t3.medium",
        cpu_milli: 2000,
        memory_ki: 3_977_916,
    },
    MachineType {
        name: "t3.large",
        cpu_milli: 2000,
        memory_ki: 8_049_000,
    },
    MachineType {
        name: "t3.xlarge",
        cpu_milli: 4000,
        memory_ki: 16_189_000,
    },
    MachineType {
        name: "t3.2xlarge",
        cpu_milli: 8000,
        memory_ki: 32_570_000,
    },
    MachineType {
        name: "m5.large",
        cpu_milli: 2000,
        memory_ki: 7_934_000,
    },
    MachineType {
        name: "m5.xlarge",
        cpu_milli: 4000,
        memory_ki: 15_919_000,
    },
    MachineType {
        name: "m5.2xlarge",
        cpu_milli: 8000,
        memory_ki: 32_050_000,
    },
    MachineType {
        name: "c5.large",
        cpu_milli: 2000,
        memory_ki: 3_880_000,
    },
    MachineType {
        name: "c5.xlarge",
        cpu_milli: 4000,
        memory_ki: 7_949_000,
    },
    MachineType {
        name: "r5.large",
        cpu_milli: 2000,
        memory_ki: 15_919_000,
    },
];

/// Look a machine type up by name.
pub fn machine_type(name: &str) -> Option<MachineType> {
    MACHINE_TYPES.iter().copied().find(|m| m.name == name)
}

/// Per-node runtime state.
#[derive(Debug, Clone, Default)]
pub struct NodeRt {
    /// Creation-order index; picks the node's pod CIDR `100.96.<index>.0/24` (wrapping).
    pub index: u32,
    /// Whether the kubelet runs (chaos can stop it: heartbeats and pod syncs stop).
    pub kubelet_running: bool,
    /// The instance was terminated (the machine is gone; only the Node object may remain).
    pub terminated: bool,
    /// Bumped when the kubelet stops, so its pending timers are ignored.
    pub kubelet_epoch: u32,
    /// Last lease renewal (`renewTime`), the heartbeat the node lifecycle controller reads.
    pub last_heartbeat_ms: Ms,
    /// Images present on the node.
    pub images: BTreeSet<String>,
    /// Last pod-IP host octet handed out (host-local allocates the next free one after it).
    pub last_ip: u8,
    /// Pod-IP host octets in use.
    pub ips_used: OctetSet,
    /// Allocatable CPU, millicores.
    pub alloc_cpu_milli: i64,
    /// Allocatable memory, bytes.
    pub alloc_memory_bytes: i64,
    /// Allocatable pods.
    pub alloc_pods: i64,
    /// Internal IP of the node.
    pub ip: u32,
}

/// A set of host octets (0..=255) as a 256-bit mask: every pod's sandbox allocates an IP,
/// and a `BTreeSet<u8>` search and insert per pod showed up in profiles of large runs. Same
/// answers as the set (`octet_set_behaves_like_a_btreeset`); `Debug` prints it like one.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct OctetSet([u64; 4]);

impl OctetSet {
    /// Whether `o` is in the set.
    #[inline]
    pub fn contains(&self, o: &u8) -> bool {
        self.0[usize::from(*o >> 6)] & (1 << (*o & 63)) != 0
    }

    /// Add `o`; whether it was absent (like `BTreeSet::insert`).
    #[inline]
    pub fn insert(&mut self, o: u8) -> bool {
        let absent = !self.contains(&o);
        self.0[usize::from(o >> 6)] |= 1 << (o & 63);
        absent
    }

    /// Remove `o`; whether it was present.
    #[inline]
    pub fn remove(&mut self, o: &u8) -> bool {
        let present = self.contains(o);
        self.0[usize::from(*o >> 6)] &= !(1 << (*o & 63));
        present
    }

    /// Number of octets in the set.
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The octets in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=255u8).filter(|o| self.contains(o))
    }
}

impl std::fmt::Debug for OctetSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl NodeRt {
    /// The first three octets of the pod CIDR as a u32 prefix.
    pub fn cidr_base(&self) -> u32 {
        (100u32 << 24) | ((96 + (self.index / 256) % 32) << 16) | ((self.index % 256) << 8)
    }

    /// `100.96.x.0/24`.
    pub fn pod_cidr(&self) -> String {
        let b = self.cidr_base();
        format!("{}.{}.{}.0/24", b >> 24, (b >> 16) & 255, (b >> 8) & 255)
    }

    /// Allocate the next free pod IP after the last one (host-local IPAM), `.1` is the bridge.
    pub fn alloc_ip(&mut self) -> Option<u32> {
        // Host octets 2..=254 as indexes 0..253; start right after the last one handed out.
        let last_idx = if self.last_ip >= 2 {
            u16::from(self.last_ip) - 2
        } else {
            252
        };
        for step in 1..=253u16 {
            let cand = ((last_idx + step) % 253 + 2) as u8;
            if !self.ips_used.contains(&cand) {
                self.ips_used.insert(cand);
                self.last_ip = cand;
                return Some(self.cidr_base() | u32::from(cand));
            }
        }
        None
    }

    /// Give an IP back.
    pub fn release_ip(&mut self, ip: u32) {
        self.ips_used.remove(&((ip & 255) as u8));
    }
}

/// Dotted quad of a u32 address.
pub fn ip_string(ip: u32) -> String {
    IpFmt(ip).to_string()
}

/// Displays an address as [`ip_string`] renders it, without allocating.
pub struct IpFmt(pub u32);

impl IpFmt {
    /// The dotted quad in a stack buffer (at most 15 bytes): every pod status render writes
    /// two addresses, and `write!` with four integer arguments cost more than the rest of
    /// the IP handling.
    pub fn text(&self) -> IpText {
        let mut t = IpText {
            buf: [0; 15],
            len: 0,
        };
        for (n, shift) in [24u32, 16, 8, 0].into_iter().enumerate() {
            if n > 0 {
                t.buf[t.len] = b'.';
                t.len += 1;
            }
            let octet = ((self.0 >> shift) & 255) as u8;
            if octet >= 100 {
                t.buf[t.len] = b'0' + octet / 100;
                t.len += 1;
            }
            if octet >= 10 {
                t.buf[t.len] = b'0' + octet / 10 % 10;
                t.len += 1;
            }
            t.buf[t.len] = b'0' + octet % 10;
            t.len += 1;
        }
        t
    }
}

/// [`IpFmt::text`]'s buffer.
pub struct IpText {
    buf: [u8; 15],
    len: usize,
}

impl IpText {
    /// The dotted quad.
    pub fn as_str(&self) -> &str {
        // ASCII digits and dots only.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl std::fmt::Display for IpFmt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // write_str, not pad: the old `write!` ignored width and fill too.
        f.write_str(self.text().as_str())
    }
}

/// Parse allocatable/capacity of a node object into (cpu milli, memory bytes, pods).
pub fn node_allocatable(node: &Node) -> (i64, i64, i64) {
    // Borrowed: the status holds a few dozen strings (conditions, addresses, images).
    let st = node.status.as_ref();
    let get = |k: &str| st.and_then(|st| st.allocatable.get(k).or_else(|| st.capacity.get(k)));
    (
        get("cpu").map_or(0, Quantity::milli_value),
        get("memory").map_or(0, Quantity::value),
        get("pods").map_or(MAX_PODS, Quantity::value),
    )
}

/// Build a Node object for an instance of machine type `m` in instance group `ig`.
pub fn build_node(name: &str, m: MachineType, ig: &str, zone: &str, ip: u32, role: &str) -> Node {
    let mut labels = Labels::new();
    let mut put = |k: &str, v: &str| {
        labels.insert(k.to_string(), v.to_string());
    };
    put("beta.kubernetes.io/arch", "amd64");
    put("beta.kubernetes.io/os", "linux");
    put("kubernetes.io/arch", "amd64");
    put("kubernetes.io/os", "linux");
    put("kubernetes.io/hostname", name);
    put("node.kubernetes.io/instance-type", m.name);
    put(
        "topology.kubernetes.io/region",
        zone.trim_end_matches(char::is_alphabetic),
    );
    put("topology.kubernetes.io/zone", zone);
    put("kops.k8s.io/instancegroup", ig);
    let mut taints = Vec::new();
    if role == "control-plane" {
        put("node-role.kubernetes.io/control-plane", "");
        put(
            "node.kubernetes.io/exclude-from-external-load-balancers",
            "",
        );
        taints.push(Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            value: None,
            effect: "NoSchedule".into(),
            time_added: None,
        });
    } else {
        put("node-role.kubernetes.io/node", "");
    }
    let cap = |cpu: i64, mem_ki: i64| -> BTreeMap<String, Quantity> {
        let mut q = BTreeMap::new();
        q.insert("cpu".to_string(), Quantity::from_milli(cpu));
        q.insert(
            "memory".to_string(),
            Quantity::parse(&format!("{mem_ki}Ki")).expect("Ki"),
        );
        q.insert("pods".to_string(), Quantity::from_units(MAX_PODS));
        q.insert(
            "ephemeral-storage".to_string(),
            Quantity::parse("128Gi").expect("Gi"),
        );
        q
    };
    Node {
        api_version: "v1".into(),
        kind: "Node".into(),
        metadata: ObjectMeta {
            name: name.to_string(),
            labels: labels.into(),
            ..ObjectMeta::default()
        },
        spec: NodeSpec {
            taints,
            provider_id: Some(format!("aws:///{zone}/i-{:017x}", u64::from(ip) * 7_919)),
            ..NodeSpec::default()
        },
        status: Some(NodeStatus {
            capacity: cap(m.cpu_milli, m.memory_ki),
            allocatable: cap(
                m.cpu_milli - RESERVED_CPU_MILLI,
                m.memory_ki - RESERVED_MEMORY_KI,
            ),
            addresses: vec![
                NodeAddress {
                    type_: "InternalIP".into(),
                    address: ip_string(ip),
                },
                NodeAddress {
                    type_: "Hostname".into(),
                    address: name.to_string(),
                },
            ],
            ..NodeStatus::default()
        }),
    }
}

/// Node name as kops on AWS (classic EC2 private DNS names): `ip-172-20-33-12.ec2.internal`.
pub fn ec2_name(ip: u32) -> String {
    format!("ip-{}.ec2.internal", ip_string(ip).replace('.', "-"))
}

/// The kops cluster's name (`kops.k8s.io/cluster` on instance groups; kubectl's context).
pub const CLUSTER_NAME: &str = "kubeplay.k8s.local";

/// A kops InstanceGroup object.
pub fn build_instance_group(
    name: &str,
    role: &str,
    machine: &str,
    size: i32,
    zone: &str,
) -> InstanceGroup {
    let mut labels = Labels::new();
    labels.insert("kops.k8s.io/cluster".into(), CLUSTER_NAME.into());
    InstanceGroup {
        api_version: "kops.k8s.io/v1alpha2".into(),
        kind: "InstanceGroup".into(),
        metadata: ObjectMeta {
            name: name.to_string(),
            labels: labels.into(),
            ..ObjectMeta::default()
        },
        spec: InstanceGroupSpec {
            role: Some(role.to_string()),
            machine_type: Some(machine.to_string()),
            min_size: Some(size),
            max_size: Some(size),
            subnets: vec![zone.to_string()],
            image: Some(
                "099720109477/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server".into(),
            ),
            ..InstanceGroupSpec::default()
        },
    }
}

/// A condition with the given type/status/reason/message at `now` (RFC 3339 text).
pub fn node_condition(
    type_: &'static str,
    status: &str,
    reason: &'static str,
    message: &str,
    now: &str,
) -> Condition {
    Condition {
        type_: type_.into(),
        status: status.into(),
        last_heartbeat_time: Some(now.to_string()),
        last_transition_time: Some(now.to_string()),
        reason: Some(reason.into()),
        message: Some(message.into()),
        ..Condition::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_text_matches_the_formatted_dotted_quad() {
        let plain = |ip: u32| {
            format!(
                "{}.{}.{}.{}",
                ip >> 24,
                (ip >> 16) & 255,
                (ip >> 8) & 255,
                ip & 255
            )
        };
        let mut ip: u32 = 0;
        for _ in 0..100_000 {
            assert_eq!(IpFmt(ip).text().as_str(), plain(ip));
            assert_eq!(IpFmt(ip).to_string(), plain(ip));
            ip = ip.wrapping_mul(2_654_435_761).wrapping_add(40_503);
        }
        for ip in [
            0,
            u32::MAX,
            0x0a00_0001,
            0x0a0a_6463,
            0x6464_6464,
            0x0909_0909,
        ] {
            assert_eq!(IpFmt(ip).text().as_str(), plain(ip));
        }
    }

    /// [`OctetSet`] answers like a `BTreeSet<u8>` through random inserts and removals.
    #[test]
    fn octet_set_behaves_like_a_btreeset() {
        let mut set = OctetSet::default();
        let mut model: BTreeSet<u8> = BTreeSet::new();
        let mut x: u64 = 9;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let o = (x >> 8) as u8;
            if x.is_multiple_of(3) {
                assert_eq!(set.remove(&o), model.remove(&o));
            } else {
                assert_eq!(set.insert(o), model.insert(o));
            }
            assert_eq!(set.contains(&o), model.contains(&o));
            assert_eq!(set.len(), model.len());
            assert_eq!(set.is_empty(), model.is_empty());
        }
        assert!(set.iter().eq(model.iter().copied()));
        assert_eq!(format!("{set:?}"), format!("{model:?}"));
        for o in [0u8, 63, 64, 127, 128, 191, 192, 255] {
            set.insert(o);
            model.insert(o);
        }
        assert!(set.iter().eq(model.iter().copied()));
    }

    #[test]
    fn pod_ips_come_sequentially_from_the_node_cidr() {
        let mut rt = NodeRt {
            index: 3,
            ..NodeRt::default()
        };
        assert_eq!(rt.pod_cidr(), "100.96.3.0/24");
        let a = rt.alloc_ip().unwrap();
        let b = rt.alloc_ip().unwrap();
        assert_eq!(ip_string(a), "100.96.3.2");
        assert_eq!(ip_string(b), "100.96.3.3");
        rt.release_ip(a);
        assert_eq!(ip_string(rt.alloc_ip().unwrap()), "100.96.3.4");
    }

    #[test]
    fn t3_medium_allocatable_is_capacity_minus_reserved() {
        let n = build_node(
            "n",
            machine_type("t3.medium").unwrap(),
            "nodes",
            "us-east-1a",
            1,
            "node",
        );
        let (cpu, mem, pods) = node_allocatable(&n);
        assert_eq!(cpu, 1900);
        assert_eq!(mem, (3_977_916 - 200 * 1024) * 1024);
        assert_eq!(pods, 110);
    }
}
