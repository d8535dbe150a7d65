//! `Method`: a service method, one of Feathers' six or a custom one.

use std::fmt;
use std::sync::Arc;

/// A service method: one of Feathers' six, or a custom method by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// `find`: a list or a page of records.
    Find,
    /// `get`: one record by id.
    Get,
    /// `create`: one record, or several from a list.
    Create,
    /// `update`: replace one record.
    Update,
    /// `patch`: merge into one record, or into every match when the id is null.
    Patch,
    /// `remove`: one record, or every match when the id is null.
    Remove,
    /// A custom method, listed in [`Service::CUSTOM_METHODS`](crate::Service::CUSTOM_METHODS).
    Custom(Arc<str>),
}

impl Method {
    /// The six standard methods.
    pub const STANDARD: [Method; 6] = [
        Method::Find,
        Method::Get,
        Method::Create,
        Method::Update,
        Method::Patch,
        Method::Remove,
    ];

    /// The method with this name: a standard one, or else a custom one.
    pub fn from_name(name: &str) -> Method {
        match name {
            "find" => Method::Find,
            "get" => Method::Get,
            "create" => Method::Create,
            "update" => Method::Update,
            "patch" => Method::Patch,
            "remove" => Method::Remove,
            custom => Method::Custom(custom.into()),
        }
    }

    /// The method's name (`"get"`).
    pub fn as_str(&self) -> &str {
        match self {
            Method::Find => "find",
            Method::Get => "get",
            Method::Create => "create",
            Method::Update => "update",
            Method::Patch => "patch",
            Method::Remove => "remove",
            Method::Custom(name) => name,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Method {
    fn from(name: &str) -> Method {
        Method::from_name(name)
    }
}
