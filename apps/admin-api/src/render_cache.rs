//! Rendered JSON bodies of the platform-health routes, reused within the same second.
//!
//! Assembling `/health` (thresholds, recommendation texts, float formatting, serialisation) costs
//! more than everything else in the request path together. Its inputs change at most every
//! second (the request window's summary), every few seconds (the system sample) or every refresh
//! (the database figures), so a body is reused while the UTC second and the database state are
//! the same: a response is at most one second older than its `timestamp` says, and a refresh of
//! the database figures is visible at once. Authentication still runs on every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::web::Bytes;

/// Entries above this are dropped (keys are route + query, e.g. each `top_stores` value).
const MAX_ENTRIES: usize = 256;

/// The cache; one per process.
#[derive(Debug, Default)]
pub struct RenderCache {
    entries: Mutex<HashMap<String, Entry>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

#[derive(Debug)]
struct Entry {
    second: i64,
    db_state: usize,
    body: Bytes,
}

impl RenderCache {
    /// The body cached under `key` for this `second` and `db_state` (an identity of the database
    /// figures, e.g. their `Arc` pointer), or `render()`'s, which is then cached.
    pub fn get_or_render<E>(
        &self,
        key: &str,
        second: i64,
        db_state: usize,
        render: impl FnOnce() -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        if let Ok(entries) = self.entries.lock()
            && let Some(entry) = entries.get(key)
            && entry.second == second
            && entry.db_state == db_state
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(entry.body.clone());
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let body = render()?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key.to_owned(), Entry { second, db_state, body: body.clone() });
        }
        Ok(body)
    }

    /// Lookups so far: (answered from the cache, rendered).
    pub fn lookups(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }
}
