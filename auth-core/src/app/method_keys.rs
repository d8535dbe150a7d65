//! Checks the method keys of run-time hooks: a key that names no method of
//! the service (or of any service, for app hooks) would be a hook that
//! never runs, so it is an error with the closest valid name instead.

use crate::error::{Error, Result};
use crate::hook::Hooks;
use crate::service::Method;
use crate::suggest::closest;

/// Checks that every method key of `hooks` is `all`, a standard method or
/// one of `custom`; `owner` says whose hooks they are in the error
/// (`ServiceHooks for 'messages'`, `AppHooks`). Every unknown key is named.
pub(crate) fn check_method_keys<C: ?Sized + 'static>(
    hooks: &Hooks<C>,
    owner: &str,
    custom: &[&str],
) -> Result<()> {
    let mut unknown: Vec<&str> = Vec::new();
    for method in hooks.method_keys() {
        if let Method::Custom(name) = method {
            if !custom.contains(&name.as_ref()) && !unknown.contains(&name.as_ref()) {
                unknown.push(name);
            }
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    let valid: Vec<&str> = ["all", "find", "get", "create", "update", "patch", "remove"]
        .into_iter()
        .chain(custom.iter().copied())
        .collect();
    let problems: Vec<String> = unknown
        .iter()
        .map(|name| match closest(name, valid.iter().copied()) {
            Some(suggestion) => {
                format!("Unknown method '{name}' in {owner}: did you mean '{suggestion}'?")
            }
            None => format!(
                "Unknown method '{name}' in {owner}; the keys it takes are: {}",
                valid.join(", ")
            ),
        })
        .collect();
    Err(Error::general(problems.join("; ")))
}
