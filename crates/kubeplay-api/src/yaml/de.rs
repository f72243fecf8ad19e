//! A serde `Deserializer` over the spanned YAML tree. It decodes into the typed kinds with the
//! same strictness as the API server's JSON decoder (a number where a string belongs is an
//! error, `yes` is a bool), records unknown struct fields as warnings instead of failing, and
//! locates every error at the innermost node it concerns: field path plus line:column.
use crate::{
    diag::Position,
    yaml::{
        resolve::{resolve_plain, Resolved},
        tree::{Node, Value},
    },
};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::{cell::RefCell, fmt};

/// Newtype-struct name that asks for a scalar's text whatever its YAML type (quantities accept
/// `0.5` and `"0.5"` alike and must not go through a float).
pub const SCALAR_TEXT_TOKEN: &str = "$kubeplay::scalar_text";

/// A field the target type does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownField {
    /// Full path (`spec.template.spec.containers[0].imagePullPolcy`).
    pub path: String,
    /// Where the key is.
    pub pos: Position,
}

/// Decoding failed at `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    /// Field path, empty at the root.
    pub path: String,
    /// Position of the offending node, once known.
    pub pos: Option<Position>,
    /// Message in the style of Go's encoding/json.
    pub message: String,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            path: String::new(),
            pos: None,
            message: msg.to_string(),
        }
    }
}

/// Decode `node` into `T`, collecting unknown fields.
pub fn decode<T: de::DeserializeOwned>(node: &Node) -> (Result<T, DeError>, Vec<UnknownField>) {
    let unknown = RefCell::new(Vec::new());
    let de = NodeDe {
        node,
        path: String::new(),
        owner: "",
        unknown: &unknown,
    };
    let out = T::deserialize(de).map_err(|e| locate(e, "", node));
    (out, unknown.into_inner())
}

fn locate(mut e: DeError, path: &str, node: &Node) -> DeError {
    if e.pos.is_none() {
        e.pos = Some(node.pos);
        e.path = path.to_string();
    }
    e
}

struct NodeDe<'a> {
    node: &'a Node,
    /// Upstream field path of this node.
    path: String,
    /// Name of the innermost struct, for Go-style messages (`DeploymentSpec`).
    owner: &'static str,
    unknown: &'a RefCell<Vec<UnknownField>>,
}

/// What a node holds, in the words of Go's `UnmarshalTypeError` ("string", "number 1.5").
fn found(node: &Node) -> String {
    match &node.value {
        Value::Seq(_) => "array".into(),
        Value::Map(_) => "object".into(),
        Value::Scalar { text, plain: true } => match resolve_plain(text) {
            Resolved::Bool(_) => "bool".into(),
            Resolved::Int(_) | Resolved::Float => format!("number {text}"),
            Resolved::Null => "null".into(),
            Resolved::Str => "string".into(),
        },
        Value::Scalar { .. } => "string".into(),
    }
}

/// Integer value of a plain number, also for integral decimals (`1.0`, `1e3`), as go-yaml →
/// JSON → int does. Computed with the exact decimal quantity parser, never with a float.
fn integral(text: &str) -> Option<i64> {
    match resolve_plain(text) {
        Resolved::Int(v) => Some(v),
        Resolved::Float => {
            let q = crate::quantity::Quantity::parse(text).ok()?;
            let m = q.milli_value();
            (m % 1000 == 0 && m != i64::MAX && m != i64::MIN).then_some(m / 1000)
        }
        _ => None,
    }
}

impl<'a> NodeDe<'a> {
    fn child(&self, node: &'a Node, path: String) -> NodeDe<'a> {
        NodeDe {
            node,
            path,
            owner: self.owner,
            unknown: self.unknown,
        }
    }

    fn type_error(&self, want: &str) -> DeError {
        let go_path: String = {
            // Go's encoding/json names the field path without indices or map keys.
            let mut out = String::new();
            let mut depth = 0;
            for c in self.path.chars() {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    _ if depth == 0 => out.push(c),
                    _ => {}
                }
            }
            out
        };
        let message = if self.owner.is_empty() || go_path.is_empty() {
            format!(
                "json: cannot unmarshal {} into Go value of type {want}",
                found(self.node)
            )
        } else {
            format!(
                "json: cannot unmarshal {} into Go struct field {}.{} of type {want}",
                found(self.node),
                self.owner,
                go_path
            )
        };
        DeError {
            path: self.path.clone(),
            pos: Some(self.node.pos),
            message,
        }
    }

    fn is_null(&self) -> bool {
        self.node.is_null()
    }

    fn int<V: Visitor<'a>>(self, v: V, want: &str, lo: i64, hi: i64) -> Result<V::Value, DeError> {
        if self.is_null() {
            return v.visit_i64(0);
        }
        match &self.node.value {
            Value::Scalar { text, plain: true } => match integral(text) {
                Some(n) if (lo..=hi).contains(&n) => v.visit_i64(n),
                _ => Err(self.type_error(want)),
            },
            _ => Err(self.type_error(want)),
        }
    }

    fn field_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }
}

macro_rules! ints {
    ($($method:ident => $want:literal, $lo:expr, $hi:expr;)*) => {
        $(fn $method<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
            self.int(v, $want, $lo, $hi)
        })*
    };
}

impl<'a> de::Deserializer<'a> for NodeDe<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Scalar { text, plain: false } => v.visit_str(text),
            Value::Scalar { text, plain: true } => match resolve_plain(text) {
                Resolved::Null => v.visit_unit(),
                Resolved::Bool(b) => v.visit_bool(b),
                Resolved::Int(n) => v.visit_i64(n),
                // Raw passthrough of fields we do not simulate; never used in a decision.
                Resolved::Float => match text.parse::<f64>() {
                    Ok(f) if f.is_finite() => v.visit_f64(f),
                    _ => v.visit_str(text),
                },
                Resolved::Str => v.visit_str(text),
            },
            Value::Seq(items) => v.visit_seq(SeqDe {
                de: &self,
                items,
                i: 0,
            }),
            Value::Map(entries) => v.visit_map(MapDe {
                de: &self,
                entries,
                i: 0,
                fields: None,
                value: None,
            }),
        }
    }

    fn deserialize_bool<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        if self.is_null() {
            return v.visit_bool(false);
        }
        match &self.node.value {
            Value::Scalar { text, plain: true } => match resolve_plain(text) {
                Resolved::Bool(b) => v.visit_bool(b),
                _ => Err(self.type_error("bool")),
            },
            _ => Err(self.type_error("bool")),
        }
    }

    ints! {
        deserialize_i8 => "int8", i64::from(i8::MIN), i64::from(i8::MAX);
        deserialize_i16 => "int16", i64::from(i16::MIN), i64::from(i16::MAX);
        deserialize_i32 => "int32", i64::from(i32::MIN), i64::from(i32::MAX);
        deserialize_i64 => "int64", i64::MIN, i64::MAX;
        deserialize_u8 => "uint8", 0, i64::from(u8::MAX);
        deserialize_u16 => "uint16", 0, i64::from(u16::MAX);
        deserialize_u32 => "uint32", 0, i64::from(u32::MAX);
        deserialize_u64 => "uint64", 0, i64::MAX;
    }

    fn deserialize_f32<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_any(v)
    }

    fn deserialize_f64<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_any(v)
    }

    fn deserialize_char<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_str<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        if self.is_null() {
            return v.visit_str("");
        }
        match &self.node.value {
            Value::Scalar { text, plain: false } => v.visit_str(text),
            Value::Scalar { text, plain: true } if resolve_plain(text) == Resolved::Str => {
                v.visit_str(text)
            }
            _ => Err(self.type_error("string")),
        }
    }

    fn deserialize_string<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        if self.is_null() {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        v.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        match &self.node.value {
            _ if name == SCALAR_TEXT_TOKEN && self.is_null() => v.visit_unit(),
            Value::Scalar { text, .. } if name == SCALAR_TEXT_TOKEN => v.visit_str(text),
            _ => v.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Seq(items) => v.visit_seq(SeqDe {
                de: &self,
                items,
                i: 0,
            }),
            _ if self.is_null() => v.visit_seq(SeqDe {
                de: &self,
                items: &[],
                i: 0,
            }),
            _ => Err(self.type_error("array")),
        }
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, v: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Map(entries) => v.visit_map(MapDe {
                de: &self,
                entries,
                i: 0,
                fields: None,
                value: None,
            }),
            _ if self.is_null() => v.visit_map(MapDe {
                de: &self,
                entries: &[],
                i: 0,
                fields: None,
                value: None,
            }),
            _ => Err(self.type_error("map[string]string")),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        let inner = NodeDe {
            owner: name,
            ..self.child(self.node, self.path.clone())
        };
        match &self.node.value {
            Value::Map(entries) => v.visit_map(MapDe {
                de: &inner,
                entries,
                i: 0,
                fields: Some(fields),
                value: None,
            }),
            _ if self.is_null() => v.visit_map(MapDe {
                de: &inner,
                entries: &[],
                i: 0,
                fields: None,
                value: None,
            }),
            _ => Err(self.type_error(&format!("v1.{name}"))),
        }
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Scalar { text, .. } => v.visit_enum(text.as_str().into_deserializer()),
            _ => Err(self.type_error("string")),
        }
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_unit()
    }
}

/// Upstream fields the typed structs do not keep, accepted silently (no unknown-field
/// warning) and dropped: status details the engine recomputes anyway.
const DROPPED: &[(&str, &[&str])] = &[(
    "ContainerStatus",
    &[
        "allocatedResources",
        "allocatedResourcesStatus",
        "resources",
        "stopSignal",
        "user",
        "volumeMounts",
    ],
)];

fn dropped(owner: &str, key: &str) -> bool {
    DROPPED
        .iter()
        .any(|(o, keys)| *o == owner && keys.contains(&key))
}

struct SeqDe<'a, 'b> {
    de: &'b NodeDe<'a>,
    items: &'a [Node],
    i: usize,
}

impl<'a> de::SeqAccess<'a> for SeqDe<'a, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.get(self.i) else {
            return Ok(None);
        };
        let path = format!("{}[{}]", self.de.path, self.i);
        self.i += 1;
        let child = self.de.child(node, path.clone());
        seed.deserialize(child)
            .map(Some)
            .map_err(|e| locate(e, &path, node))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.i)
    }
}

struct MapDe<'a, 'b> {
    de: &'b NodeDe<'a>,
    entries: &'a [(Node, Node)],
    i: usize,
    /// Known fields when decoding a struct; None for maps.
    fields: Option<&'static [&'static str]>,
    /// The value of the key last returned, with its path.
    value: Option<(&'a Node, String)>,
}

impl<'a> de::MapAccess<'a> for MapDe<'a, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        while let Some((k, val)) = self.entries.get(self.i) {
            self.i += 1;
            let Some(key) = k.as_str() else {
                let e = DeError {
                    path: self.de.path.clone(),
                    pos: Some(k.pos),
                    message: "a mapping key must be a plain string, not a list or a map".into(),
                };
                return Err(e);
            };
            let path = match self.fields {
                Some(_) => self.de.field_path(key),
                None => format!("{}[{key}]", self.de.path),
            };
            if let Some(fields) = self.fields {
                if !fields.contains(&key) && !dropped(self.de.owner, key) {
                    self.de
                        .unknown
                        .borrow_mut()
                        .push(UnknownField { path, pos: k.pos });
                    continue;
                }
            }
            if self.fields.is_some_and(|f| !f.contains(&key)) {
                continue; // a known upstream field we do not keep
            }
            self.value = Some((val, path));
            let key_de: de::value::StrDeserializer<'_, DeError> = key.into_deserializer();
            return seed.deserialize(key_de).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((node, path)) = self.value.take() else {
            return Err(de::Error::custom("value requested before key"));
        };
        let child = self.de.child(node, path.clone());
        seed.deserialize(child).map_err(|e| locate(e, &path, node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{limits::Limits, yaml::tree::parse};
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Spec {
        replicas: Option<i32>,
        #[serde(default)]
        labels: BTreeMap<String, String>,
        #[serde(default)]
        names: Vec<String>,
    }

    fn dec(text: &str) -> (Result<Spec, DeError>, Vec<UnknownField>) {
        let s = parse(text, &Limits::default());
        decode::<Spec>(&s.docs[0].root)
    }

    #[test]
    fn decodes_and_reports_unknown_fields_with_position() {
        let (r, unknown) = dec("replicas: 2\nreplica: 3\nlabels: {app: web}\n");
        assert_eq!(r.ok().and_then(|s| s.replicas), Some(2));
        assert_eq!(
            unknown,
            vec![UnknownField {
                path: "replica".into(),
                pos: Position { line: 2, column: 1 }
            }]
        );
    }

    #[test]
    fn rejects_wrong_types_like_the_api_server() {
        let (r, _) = dec("replicas: \"2\"\n");
        let e = r.expect_err("string into int32");
        assert_eq!(
            e.message,
            "json: cannot unmarshal string into Go struct field Spec.replicas of type int32"
        );
        assert_eq!(
            e.pos,
            Some(Position {
                line: 1,
                column: 11
            })
        );
        let (r, _) = dec("labels:\n  ok: yes\n");
        let e = r.expect_err("bool into string");
        assert_eq!(e.path, "labels[ok]");
        assert!(e.message.contains("cannot unmarshal bool"), "{e:?}");
        let (r, _) = dec("names:\n- a\n- 1.5\n");
        let e = r.expect_err("number into string");
        assert_eq!(
            (e.path.as_str(), e.pos.map(|p| p.line)),
            ("names[1]", Some(3))
        );
        assert!(e.message.contains("number 1.5"), "{e:?}");
    }

    #[test]
    fn integral_decimals_are_integers() {
        assert_eq!(
            dec("replicas: 1.0\n").0.ok().and_then(|s| s.replicas),
            Some(1)
        );
        assert_eq!(
            dec("replicas: 3e0\n").0.ok().and_then(|s| s.replicas),
            Some(3)
        );
        assert!(dec("replicas: 1.5\n").0.is_err());
        assert!(dec("replicas: 99999999999\n").0.is_err());
    }
}
