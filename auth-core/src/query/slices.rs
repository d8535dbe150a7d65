//! Long work cut into time slices, so that it shares the thread it runs on.
//!
//! A `find` over many records, or a few large ones, is CPU-bound work on
//! a runtime worker: done in one go, it holds up every other task of that
//! worker, and a timeout around it can not fire until it ends (a timeout
//! fires only at an await point). Cut into slices of about [`SLICE`], with
//! a yield to the runtime between them, it shares the worker with other
//! requests, and a timeout, or a client gone, drops it at the next yield:
//! the work stops there. A query that takes less than a slice (every
//! ordinary one) never yields, and costs a clock read every few records.

use std::time::{Duration, Instant};

/// How long work runs before it yields.
pub(crate) const SLICE: Duration = Duration::from_millis(1);

/// How many units of work pass between two clock reads.
const TICKS_PER_CHECK: u32 = 16;

/// The time slice of one piece of work.
#[derive(Debug)]
pub(crate) struct Slices {
    started: Instant,
    ticks: u32,
}

impl Slices {
    /// A slice starting now.
    pub(crate) fn new() -> Slices {
        Slices {
            started: Instant::now(),
            ticks: 0,
        }
    }

    /// Counts `weight` units of work (a record matched or compared is 1,
    /// one read whole is [`TICKS_PER_CHECK`]); yields to the runtime once
    /// the slice is over, then starts the next.
    pub(crate) async fn tick(&mut self, weight: u32) {
        if self.due(weight) {
            self.pause().await;
        }
    }

    /// Counts `weight` units of work; true once the slice is over. For
    /// the hottest loops: `if slices.due(1) { slices.pause().await }`
    /// costs an addition and a comparison per unit, with no future built.
    #[inline]
    pub(crate) fn due(&mut self, weight: u32) -> bool {
        self.ticks += weight;
        if self.ticks < TICKS_PER_CHECK {
            return false;
        }
        self.ticks = 0;
        self.started.elapsed() >= SLICE
    }

    /// Yields to the runtime, then starts the next slice.
    pub(crate) async fn pause(&mut self) {
        tokio::task::yield_now().await;
        self.started = Instant::now();
    }
}

/// The weight of work that reads a whole record: a clock read each.
pub(crate) const WHOLE_RECORD: u32 = TICKS_PER_CHECK;
