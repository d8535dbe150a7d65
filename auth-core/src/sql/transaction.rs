//! Transactions hooks open and every `SqlService` write of the call joins,
//! as Feathers' knex `transaction.start()`, `end()` and `rollback()` hooks
//! do.
//!
//! `in_transaction(&pool)`, an around hook, runs the rest of the call in a
//! transaction: it commits when the call succeeds and rolls back when
//! anything inside fails, an after hook included. Feathers' three hooks are
//! here too: `start(&pool)` (a before hook) opens a transaction, `end()`
//! (an after hook) commits it, `rollback()` (an error hook) rolls it back;
//! since after hooks for `all` run before a method's, `end()` must come
//! after every after hook that may fail, which the around hook needs no
//! care for.
//!
//! The transaction sits in `params.extensions`; every `SqlService` read and
//! write of the call runs in it instead of on a connection of its own, and
//! internal calls that pass those params on join it too. A transaction
//! neither committed nor rolled back is rolled back when the call's params
//! are dropped.
//!
//! ```
//! use auth_core::prelude::*;
//! use auth_core::sql::{self, SqlOptions, SqlService, sqlx};
//! use serde_json::{json, Value};
//!
//! async fn refuse(_ctx: &mut HookContext<SqlService>) -> Result<()> {
//!     Err(Error::bad_request("refused after the write"))
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let pool = sqlx::sqlite::SqlitePoolOptions::new()
//!     .max_connections(1)
//!     .connect("sqlite::memory:")
//!     .await
//!     .unwrap();
//! sqlx::query("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
//!     .execute(&pool)
//!     .await
//!     .unwrap();
//! let notes = SqlService::<Value>::new(pool.clone(), "notes", SqlOptions::new()).await?;
//! let app = App::new().register("notes", notes);
//! let notes = app.service::<SqlService>("notes");
//! notes.hooks(
//!     ServiceHooks::new()
//!         .around_all(sql::in_transaction(&pool))
//!         .after("create", refuse),
//! )?;
//!
//! assert!(notes.create(json!({ "text": "a" }), Params::new()).await.is_err());
//! assert!(notes.find(Params::new()).await?.data().is_empty()); // rolled back
//! # Ok::<_, Error>(()) }).unwrap();
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::{Error, Result};
use crate::hook::{AnyContext, AroundHook, Hook, Next};
use crate::sql::pool::{SqlPool, Tx};

/// The transaction of a call, in `params.extensions` while it is open.
///
/// Internal calls made with the call's params share it; a `start` in such
/// a call only counts one more level, and the matching `end` commits only
/// when the outermost one ends.
#[derive(Clone)]
pub struct SqlTransaction {
    tx: Arc<Mutex<Option<Tx>>>,
    depth: Arc<AtomicUsize>,
}

impl SqlTransaction {
    fn new(tx: Tx) -> SqlTransaction {
        SqlTransaction {
            tx: Arc::new(Mutex::new(Some(tx))),
            depth: Arc::new(AtomicUsize::new(1)),
        }
    }

    pub(crate) async fn lock(&self) -> OwnedMutexGuard<Option<Tx>> {
        self.tx.clone().lock_owned().await
    }

    /// Takes the transaction out, once.
    async fn take(&self) -> Result<Tx> {
        self.tx
            .lock()
            .await
            .take()
            .ok_or_else(|| Error::general("The call's transaction has already ended"))
    }
}

/// What a write runs in: its own transaction, or the call's.
pub(crate) enum Session {
    Own(Tx),
    Joined(OwnedMutexGuard<Option<Tx>>),
}

impl Session {
    /// The transaction to run statements in.
    pub(crate) fn tx(&mut self) -> Result<&mut Tx> {
        match self {
            Session::Own(tx) => Ok(tx),
            Session::Joined(guard) => guard
                .as_mut()
                .ok_or_else(|| Error::general("The call's transaction has already ended")),
        }
    }

    /// Commits a transaction of its own; the call's is the `end` hook's.
    pub(crate) async fn finish(self) -> Result<()> {
        match self {
            Session::Own(tx) => tx.commit().await,
            Session::Joined(_) => Ok(()),
        }
    }
}

/// The `start` hook: see [`start`].
#[derive(Clone)]
pub struct Start {
    pool: SqlPool,
}

/// A before hook opening a transaction on `pool` (an sqlx pool or a
/// [`SqlPool`]) that the call's
/// `SqlService` writes join (see the [module docs](self)). A call that
/// already has one keeps it.
pub fn start(pool: impl Into<SqlPool>) -> Start {
    Start { pool: pool.into() }
}

impl<C: AnyContext + ?Sized> Hook<C> for Start {
    async fn run(&self, ctx: &mut C) -> Result<()> {
        if let Some(shared) = ctx.params().extensions.get::<SqlTransaction>() {
            shared.depth.fetch_add(1, Ordering::SeqCst);
            return Ok(());
        }
        let tx = self.pool.begin().await?;
        ctx.params_mut().extensions.insert(SqlTransaction::new(tx));
        Ok(())
    }
}

/// The `end` hook: see [`end`].
#[derive(Debug, Clone, Copy)]
pub struct End;

/// An after hook committing the call's transaction, once the outermost
/// `start` ends.
pub fn end() -> End {
    End
}

impl<C: AnyContext + ?Sized> Hook<C> for End {
    async fn run(&self, ctx: &mut C) -> Result<()> {
        let Some(shared) = ctx.params_mut().extensions.remove::<SqlTransaction>() else {
            return Ok(());
        };
        if shared.depth.fetch_sub(1, Ordering::SeqCst) > 1 {
            return Ok(());
        }
        shared.take().await?.commit().await
    }
}

/// The `rollback` hook: see [`rollback`].
#[derive(Debug, Clone, Copy)]
pub struct Rollback;

/// An error hook rolling the call's transaction back; the error goes on.
pub fn rollback() -> Rollback {
    Rollback
}

impl<C: AnyContext + ?Sized> Hook<C> for Rollback {
    async fn run(&self, ctx: &mut C) -> Result<()> {
        let Some(shared) = ctx.params_mut().extensions.remove::<SqlTransaction>() else {
            return Ok(());
        };
        if let Ok(tx) = shared.take().await {
            tx.rollback().await?;
        }
        Ok(())
    }
}

/// The `in_transaction` hook: see [`in_transaction`].
#[derive(Clone)]
pub struct InTransaction {
    pool: SqlPool,
}

/// An around hook running the rest of the call in a transaction on
/// `pool` (an sqlx pool or a [`SqlPool`]): committed when the call succeeds, rolled back when anything
/// inside fails (see the [module docs](self)). A call that already has a
/// transaction keeps it, and leaves its end to whoever opened it.
pub fn in_transaction(pool: impl Into<SqlPool>) -> InTransaction {
    InTransaction { pool: pool.into() }
}

impl<C: AnyContext + ?Sized> AroundHook<C> for InTransaction {
    async fn run(&self, ctx: &mut C, next: Next<'_, C>) -> Result<()> {
        if ctx.params().extensions.get::<SqlTransaction>().is_some() {
            return next.run(ctx).await;
        }
        let tx = self.pool.begin().await?;
        let shared = SqlTransaction::new(tx);
        ctx.params_mut().extensions.insert(shared.clone());
        let outcome = next.run(ctx).await;
        ctx.params_mut().extensions.remove::<SqlTransaction>();
        let tx = shared.take().await?;
        match outcome {
            Ok(()) => tx.commit().await,
            Err(error) => {
                tx.rollback().await?;
                Err(error)
            }
        }
    }
}
