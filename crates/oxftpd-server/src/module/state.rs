//! What modules keep per loaded configuration (log files, tables) and per session, by type:
//! a module stores a value of its own type and finds it again by that type, so shared code
//! never names a module's state.

use std::any::{Any, TypeId};
use std::collections::HashMap;

/// Values keyed by their type, at most one of each (a small type map).
#[derive(Default)]
pub struct TypeMap {
    values: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl TypeMap {
    /// Stores `value`, replacing the one of the same type.
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.values.insert(TypeId::of::<T>(), Box::new(value));
    }

    /// The value of type `T`, if one was stored.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref())
    }

    /// The value of type `T`, mutably, if one was stored.
    pub fn get_mut<T: Any + Send + Sync>(&mut self) -> Option<&mut T> {
        self.values
            .get_mut(&TypeId::of::<T>())
            .and_then(|v| v.downcast_mut())
    }

    /// The value of type `T`, stored first as `T::default()` when there is none.
    pub fn get_or_default<T: Any + Send + Sync + Default>(&mut self) -> &mut T {
        self.values
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()))
            .downcast_mut()
            .unwrap_or_else(|| unreachable!("the entry for T holds a T"))
    }

    /// Takes the value of type `T` out.
    pub fn remove<T: Any + Send + Sync>(&mut self) -> Option<T> {
        self.values
            .remove(&TypeId::of::<T>())
            .and_then(|v| v.downcast().ok())
            .map(|b| *b)
    }
}

/// What the modules opened for one loaded configuration ([`crate::module::Module::open`]).
pub type ModuleState = TypeMap;

/// What the modules keep for one session (`ctx.ext`).
pub type SessionState = TypeMap;

/// The protocol of a session that did not come through the FTP door (`ssh2`, `sftp`, `scp`),
/// put in `ctx.ext` by the module that serves it; `%{protocol}` of a `LogFormat` reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Protocol(pub &'static str);
