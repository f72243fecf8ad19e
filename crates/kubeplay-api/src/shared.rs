//! [`Shared`]: a value many objects hold one copy of, copied only when one of them writes.
//!
//! A ReplicaSet stamps every pod from one template; at 150,000 replicas a private copy of the
//! template's containers (about 2 KB of structs, maps and strings each) is most of a pod's
//! memory, and writing it is most of the cost of creating the pod. Pods hold their
//! containers in a `Shared`, so stamping a pod is a reference-count increment. Reads see the
//! value through `Deref`; a write through `DerefMut` copies it first when others still hold
//! it (`Arc::make_mut`), so no object ever sees another's edit. On the wire it is the value
//! itself: serialization, `Debug` and equality ignore the sharing.
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A shared value with copy-on-write edits (see the module doc).
#[derive(Default)]
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    /// Wrap a value (the only holder so far).
    pub fn new(value: T) -> Self {
        Shared(Arc::new(value))
    }

    /// Whether both hold the same copy (then they are equal without comparing).
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl<T> Clone for Shared<T> {
    /// Another holder of the same copy: no deep clone.
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    /// A private copy first when another holder shares this one.
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Shared::new(value)
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Shared::ptr_eq(self, other) || *self.0 == *other.0
    }
}

impl<T: Eq> Eq for Shared<T> {}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Shared::new)
    }
}

impl<'a, T> IntoIterator for &'a Shared<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&*self.0).into_iter()
    }
}

impl<'a, T: Clone> IntoIterator for &'a mut Shared<T>
where
    &'a mut T: IntoIterator,
{
    type Item = <&'a mut T as IntoIterator>::Item;
    type IntoIter = <&'a mut T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        Arc::make_mut(&mut self.0).into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::Shared;

    #[test]
    fn writes_copy_only_when_shared() {
        let a = Shared::new(vec![1, 2]);
        let mut b = a.clone();
        assert!(Shared::ptr_eq(&a, &b));
        b.push(3);
        assert!(!Shared::ptr_eq(&a, &b));
        assert_eq!(*a, vec![1, 2]);
        assert_eq!(*b, vec![1, 2, 3]);
        let mut c = Shared::new(vec![1]);
        let before: *const Vec<i32> = &*c;
        c.push(2); // sole holder: edited in place
        assert!(std::ptr::eq(before, &*c));
    }

    #[test]
    fn transparent_on_the_wire() {
        let a = Shared::new(vec!["x".to_string()]);
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"["x"]"#);
        let b: Shared<Vec<String>> = serde_json::from_str(r#"["x"]"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), r#"["x"]"#);
    }
}
