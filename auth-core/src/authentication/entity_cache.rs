//! A bounded cache of the entities the strategies look up: an
//! authenticated call then finds its `params.user` without a `get`
//! through the entity service (see [`EntityCacheOptions`]).
//!
//! An entry is what one lookup answered: the entity, for an internal or
//! an external caller, and the stored value of the field a check read
//! (the token epoch). It is dropped, with every other, when the entity
//! service runs any method but `find`, `get` and `create` on this
//! instance (before that call returns), when another instance's event
//! for it arrives through the event sync, when the app changes (hooks or
//! services added), and once it is older than the time to live. A lookup
//! that raced a change is not stored: each clear counts a generation, and
//! a lookup stores its answer only if none passed since it began.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::params::Entity;
use crate::service::Id;
use crate::sync::lock;

/// The entity cache's settings (`[authentication.entity_cache]`): off
/// unless set.
///
/// With it, an authenticated call whose user was looked up lately gets
/// the same `params.user` without a `get` through the entity service:
/// the service's hooks for that `get` do not run again. Use it when those
/// hooks depend on the record alone (`protect(..)` does), and read the
/// limits:
///
/// * a change made through the entity service on this instance is seen by
///   the next call, and one made on another instance as soon as its event
///   arrives through the event sync (`redis_sync`);
/// * without the event sync, another instance's change to a shared
///   database (a logout that revokes tokens, a new password) is seen here
///   within `ttl`; so is a change written to the database by anything
///   but the service;
/// * a kept user lets a call through, never refuses one: a token it does
///   not hold (a new login's, after another instance's logout) is checked
///   on the user as stored now.
///
/// ```toml
/// [authentication.entity_cache]
/// capacity = 10000    # entities kept at most
/// ttl = 1             # seconds an entity is kept at most
/// ```
///
/// ```
/// use auth_core::authentication::{AuthConfig, EntityCacheOptions};
///
/// let config = AuthConfig::new("a long secret").entity_cache(EntityCacheOptions::default());
/// assert_eq!(config.entity_cache.unwrap().capacity, 10_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EntityCacheOptions {
    /// How many entities are kept at most (10,000); beyond, one is dropped
    /// for each stored.
    pub capacity: usize,
    /// How long an entity is kept at most, in seconds (1).
    pub ttl: f64,
}

impl Default for EntityCacheOptions {
    fn default() -> Self {
        EntityCacheOptions {
            capacity: 10_000,
            ttl: 1.0,
        }
    }
}

/// One lookup's answer, as kept.
#[derive(Clone)]
pub(crate) struct Cached {
    pub(crate) entity: Entity,
    /// The checked field's name and stored value, when the lookup had a
    /// check.
    pub(crate) field: Option<(Box<str>, Option<Value>)>,
    /// The app's revision when it was stored.
    revision: u64,
    expires: Instant,
}

type Entries = HashMap<Id, Cached, foldhash::fast::RandomState>;

#[derive(Default)]
struct State {
    /// Counts the clears.
    generation: u64,
    /// Internal callers' entities, then external callers'.
    entries: [Entries; 2],
}

/// The cache a strategy context holds.
pub(crate) struct EntityCache {
    capacity: usize,
    ttl: Duration,
    state: Mutex<State>,
}

/// Taken before a lookup: its answer is stored only if nothing was
/// cleared since.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket(u64);

impl EntityCache {
    /// A cache with these settings; a capacity of 0 or a time to live
    /// that is not a positive number of seconds is refused.
    pub(crate) fn new(options: &EntityCacheOptions) -> Result<EntityCache> {
        if options.capacity == 0 {
            return Err(Error::general(
                "Invalid 'authentication.entity_cache.capacity': it must be at least 1",
            ));
        }
        let ttl = Duration::try_from_secs_f64(options.ttl)
            .ok()
            .filter(|ttl| !ttl.is_zero())
            .ok_or_else(|| {
                Error::general(format!(
                    "Invalid 'authentication.entity_cache.ttl': {} is not a positive number of seconds",
                    options.ttl
                ))
            })?;
        Ok(EntityCache {
            capacity: options.capacity,
            ttl,
            state: Mutex::new(State::default()),
        })
    }

    /// The entity kept for `id` and this kind of caller, stored at the
    /// app's `revision` with a check of `field` (or none), if still fresh.
    pub(crate) fn get(
        &self,
        id: &Id,
        external: bool,
        field: Option<&str>,
        revision: u64,
    ) -> Option<Cached> {
        let mut state = lock(&self.state);
        let entries = &mut state.entries[usize::from(external)];
        let cached = entries.get(id)?;
        let same_field = match (&cached.field, field) {
            (None, None) => true,
            (Some((kept, _)), Some(asked)) => **kept == *asked,
            _ => false,
        };
        if cached.revision != revision || Instant::now() >= cached.expires {
            entries.remove(id);
            return None;
        }
        same_field.then(|| cached.clone())
    }

    /// The ticket of a lookup about to begin.
    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(lock(&self.state).generation)
    }

    /// Keeps a lookup's answer, unless the cache was cleared since its
    /// `ticket` was taken.
    pub(crate) fn store(
        &self,
        ticket: Ticket,
        id: Id,
        external: bool,
        entity: Entity,
        field: Option<(Box<str>, Option<Value>)>,
        revision: u64,
    ) {
        let expires = Instant::now() + self.ttl;
        let mut state = lock(&self.state);
        if state.generation != ticket.0 {
            return;
        }
        let entries = &mut state.entries[usize::from(external)];
        if entries.len() >= self.capacity && !entries.contains_key(&id) {
            // Bounded: one entry goes, whichever the table lists first.
            if let Some(first) = entries.keys().next().cloned() {
                entries.remove(&first);
            }
        }
        entries.insert(
            id,
            Cached {
                entity,
                field,
                revision,
                expires,
            },
        );
    }

    /// Drops every entry, and every lookup in flight's chance to store.
    pub(crate) fn clear(&self) {
        let mut state = lock(&self.state);
        state.generation = state.generation.wrapping_add(1);
        for entries in &mut state.entries {
            entries.clear();
        }
    }

    /// How many entities are kept (both kinds of caller).
    #[cfg(test)]
    fn len(&self) -> usize {
        let state = lock(&self.state);
        state.entries.iter().map(HashMap::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cache(capacity: usize) -> EntityCache {
        EntityCache::new(&EntityCacheOptions {
            capacity,
            ttl: 60.0,
        })
        .unwrap()
    }

    fn user(id: i64) -> Entity {
        Entity::new(json!({ "id": id }))
    }

    #[test]
    fn an_answer_is_kept_per_kind_of_caller_and_checked_field() {
        let cache = cache(10);
        let id = Id::from("1");
        let field = Some(("epoch".into(), Some(json!("e1"))));
        cache.store(cache.ticket(), id.clone(), true, user(1), field, 7);
        let hit = cache.get(&id, true, Some("epoch"), 7).expect("kept");
        assert_eq!(hit.entity.json().unwrap(), &json!({ "id": 1 }));
        assert_eq!(hit.field.unwrap().1, Some(json!("e1")));
        assert!(
            cache.get(&id, false, Some("epoch"), 7).is_none(),
            "internal"
        );
        assert!(cache.get(&id, true, None, 7).is_none(), "no check");
        assert!(
            cache.get(&id, true, Some("other"), 7).is_none(),
            "another field"
        );
        assert!(
            cache.get(&id, true, Some("epoch"), 8).is_none(),
            "app changed"
        );
        assert_eq!(cache.len(), 0, "a stale entry goes");
    }

    #[test]
    fn a_lookup_that_raced_a_clear_is_not_kept() {
        let cache = cache(10);
        let ticket = cache.ticket();
        cache.clear();
        cache.store(ticket, Id::from("1"), false, user(1), None, 1);
        assert!(cache.get(&Id::from("1"), false, None, 1).is_none());
        cache.store(cache.ticket(), Id::from("1"), false, user(1), None, 1);
        assert!(cache.get(&Id::from("1"), false, None, 1).is_some());
        cache.clear();
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn it_holds_at_most_its_capacity() {
        let cache = cache(3);
        for id in 0..10 {
            cache.store(cache.ticket(), Id::from(id), false, user(id), None, 1);
        }
        assert_eq!(cache.len(), 3);
        assert!(
            cache.get(&Id::from(9), false, None, 1).is_some(),
            "the last stays"
        );
    }

    #[test]
    fn an_entry_lives_at_most_its_ttl() {
        let cache = EntityCache::new(&EntityCacheOptions {
            capacity: 10,
            ttl: 0.05,
        })
        .unwrap();
        cache.store(cache.ticket(), Id::from(1), false, user(1), None, 1);
        assert!(cache.get(&Id::from(1), false, None, 1).is_some());
        std::thread::sleep(Duration::from_millis(80));
        assert!(cache.get(&Id::from(1), false, None, 1).is_none());
    }

    #[test]
    fn bad_settings_are_refused() {
        for (capacity, ttl) in [
            (0, 1.0),
            (1, 0.0),
            (1, -1.0),
            (1, f64::NAN),
            (1, f64::INFINITY),
        ] {
            let error = EntityCache::new(&EntityCacheOptions { capacity, ttl })
                .err()
                .expect("refused");
            assert!(error.message().contains("entity_cache"), "{error}");
        }
    }
}
