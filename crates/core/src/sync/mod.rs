//! Peer sync, the part that does not care how bytes travel: anti-entropy by version vectors.
//! A peer says what it has (the highest sequence of each origin); the other sends, per origin,
//! the events after that, in pages (an event is one local transaction, so a page never splits
//! one). The receiver applies them with `Store::apply_remote`: each at most once, never across
//! a gap, and a different event under a known (origin, sequence) is refused as a conflict.
//! `Peer` is the seam for transports (in-process for the simulation, HTTP between laptops); its
//! calls are async, the local side's (`Replica`, a database under a lock) are not.

pub mod addresses;
mod book;
pub mod codes;
pub mod discovery;
mod follow;
mod gate;
pub mod http;
pub mod join;
pub mod members;
pub mod node;
pub mod room;
#[cfg(test)]
mod tests;
pub mod tls;

use crate::clock::Clock;
use crate::store::{Applied, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use warroom_model::Event;

/// What a database has: the highest sequence held of each origin.
pub type VersionVector = BTreeMap<String, u64>;

/// The sync protocol's version; a peer speaking another is refused with a message.
pub const PROTOCOL: u32 = 2;
/// Events per page asked for.
pub const PAGE: usize = 500;
/// The most events a page may hold, whatever is asked.
pub const MAX_PAGE: usize = 2000;
/// A peer whose clock differs from ours by more than this is flagged (never refused).
pub const SKEW_WARN_MS: i64 = 60_000;

/// Why an exchange with a peer failed; what was applied before stays applied.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The local database failed (a conflicting event is refused here too).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The peer speaks another sync protocol version.
    #[error("the peer speaks sync protocol {0}, this laptop {PROTOCOL}: update the older one")]
    Protocol(u32),
    /// The peer did not answer (network, TLS, timeout); what was said.
    #[error("the peer could not be reached: {0}")]
    Unreachable(String),
    /// The peer answered with a refusal (not a member, a bad page, …); what it said.
    #[error("the peer refused: {0}")]
    Refused(String),
}

type Result<T, E = SyncError> = std::result::Result<T, E>;

/// What a peer says first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// `PROTOCOL` of the peer's warroom.
    pub protocol: u32,
    /// The database's origin id.
    pub origin: String,
    /// The highest sequence the peer holds of each origin.
    pub have: VersionVector,
    /// The peer's wall clock, to flag skew.
    pub now_ms: i64,
}

/// Asks a peer for the events the asker lacks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// What the asker holds: the highest sequence of each origin.
    pub have: VersionVector,
    /// The most events wanted in the page (capped at `MAX_PAGE`).
    pub limit: usize,
}

/// Events sent in answer to a pull, per origin in sequence order; never half an event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// The events, at most the limit asked for.
    pub events: Vec<Event>,
    /// More events are waiting after this page.
    pub more: bool,
}

/// The other side, however it is reached. Its calls wait on the network, so they are async;
/// the local side (`Replica`) is not.
// Not `Send`-bound: the in-process peer (`Local`) borrows a `RefCell`. A concrete peer's futures
// are `Send` when it is (`HttpPeer`'s are), which is what spawning a follower needs.
#[allow(async_fn_in_trait)]
pub trait Peer {
    /// The peer's hello: its protocol, origin, what it holds and its clock.
    async fn hello(&self) -> Result<Hello>;
    /// The events after `req.have` that the peer holds, one page.
    async fn pull(&self, req: &PullRequest) -> Result<Page>;
    /// Gives the peer events it may lack; it applies them as it would a pulled page.
    async fn push(&self, events: &[Event]) -> Result<Applied>;
}

/// This database's hello.
pub fn hello(store: &Store, clock: &dyn Clock) -> Result<Hello> {
    Ok(Hello {
        protocol: PROTOCOL,
        origin: store.origin().to_owned(),
        have: store.version_vector()?,
        now_ms: clock.now().timestamp_millis(),
    })
}

/// Answers a pull: the events the asker lacks, a page at a time.
pub fn serve_pull(store: &Store, req: &PullRequest) -> Result<Page> {
    let limit = req.limit.clamp(1, MAX_PAGE);
    let mut events = store.events_after(&req.have, limit + 1)?;
    let more = events.len() > limit;
    events.truncate(limit);
    Ok(Page { events, more })
}

/// What one exchange did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Events taken from the peer and applied here.
    pub pulled: usize,
    /// Events given to the peer and applied there.
    pub pushed: usize,
    /// Events received (either way) that were already held.
    pub duplicates: usize,
    /// Events that arrived ahead of a gap; asked for again next time.
    pub deferred: usize,
    /// The peer's clock minus ours, in ms, when it is off by more than `SKEW_WARN_MS`.
    pub skew_ms: Option<i64>,
    /// What the peer holds afterwards, as far as this exchange knows.
    #[serde(default)]
    pub peer_has: VersionVector,
    /// Events the peer sent that were refused here (forged, far ahead, a revoked laptop's).
    #[serde(default)]
    pub refused: Vec<crate::store::RefusedEvent>,
}

fn checked(h: Hello, clock: &dyn Clock, report: &mut Report) -> Result<Hello> {
    if h.protocol != PROTOCOL {
        return Err(SyncError::Protocol(h.protocol));
    }
    let skew = h.now_ms - clock.now().timestamp_millis();
    report.skew_ms = (skew.abs() > SKEW_WARN_MS).then_some(skew);
    Ok(h)
}

/// This side of an exchange: a store, or a shell's service that locks its store per call, so
/// that the network is never waited on while the database is held.
pub trait Replica {
    /// What this side holds: the highest sequence of each origin.
    fn have(&self) -> Result<VersionVector>;
    /// This side's events after `have`, per origin in sequence order, at most `limit`.
    fn events_after(&self, have: &VersionVector, limit: usize) -> Result<Vec<Event>>;
    /// Applies events from the peer (each once, never across a gap).
    fn apply(&mut self, events: &[Event], clock: &dyn Clock) -> Result<Applied>;
    /// Records, signed, the heads this side now holds of the other laptops' chains, when they
    /// moved (`Store::witness`).
    fn witness(&mut self, clock: &dyn Clock) -> Result<()>;
}

impl Replica for Store {
    fn have(&self) -> Result<VersionVector> {
        Ok(self.version_vector()?)
    }

    fn events_after(&self, have: &VersionVector, limit: usize) -> Result<Vec<Event>> {
        Ok(Store::events_after(self, have, limit)?)
    }

    fn apply(&mut self, events: &[Event], clock: &dyn Clock) -> Result<Applied> {
        Ok(self.apply_remote(events, clock)?)
    }

    fn witness(&mut self, clock: &dyn Clock) -> Result<()> {
        Store::witness(self, clock)?;
        Ok(())
    }
}

/// Takes from `peer` everything this database lacks.
pub async fn pull_from<P: Peer>(local: &mut Store, peer: &P, clock: &dyn Clock) -> Result<Report> {
    pull_into(local, peer, clock).await
}

/// Gives `peer` everything it lacks (for a peer that cannot reach us, such as a relay).
pub async fn push_to<P: Peer>(local: &Store, peer: &P, clock: &dyn Clock) -> Result<Report> {
    push_from(local, peer, clock).await
}

/// Takes from `peer` what `local` lacks, a page at a time.
pub async fn pull_into<R: Replica + ?Sized, P: Peer>(local: &mut R, peer: &P, clock: &dyn Clock) -> Result<Report> {
    let mut report = Report::default();
    let mut seen = checked(peer.hello().await?, clock, &mut report)?.have;
    pull_pages(local, peer, clock, &mut report, &mut seen).await?;
    if report.pulled > 0 {
        local.witness(clock)?;
    }
    Ok(report)
}

/// Gives `peer` what it lacks of `local`, a page at a time.
pub async fn push_from<R: Replica + ?Sized, P: Peer>(local: &R, peer: &P, clock: &dyn Clock) -> Result<Report> {
    let mut report = Report::default();
    let mut have = checked(peer.hello().await?, clock, &mut report)?.have;
    push_pages(local, peer, &mut have, &mut report).await?;
    report.peer_has = have;
    Ok(report)
}

/// Both ways, after one hello: take what we lack, then give what the peer lacks.
pub async fn exchange<R: Replica + ?Sized, P: Peer>(local: &mut R, peer: &P, clock: &dyn Clock) -> Result<Report> {
    let mut report = Report::default();
    let hello = checked(peer.hello().await?, clock, &mut report)?;
    // What the peer had, and what it sent us since: it lacks none of that.
    let mut have = hello.have;
    // Most exchanges follow a change on one side only: no round trip for the empty direction.
    if lacks(&local.have()?, &have) {
        pull_pages(local, peer, clock, &mut report, &mut have).await?;
        if report.pulled > 0 {
            local.witness(clock)?;
        }
    }
    push_pages(local, peer, &mut have, &mut report).await?;
    report.peer_has = have;
    Ok(report)
}

/// Takes pages until nothing new comes; `seen` grows by what the peer sent.
async fn pull_pages<R: Replica + ?Sized, P: Peer>(
    local: &mut R,
    peer: &P,
    clock: &dyn Clock,
    report: &mut Report,
    seen: &mut VersionVector,
) -> Result<()> {
    loop {
        let page = peer.pull(&PullRequest { have: local.have()?, limit: PAGE }).await?;
        if page.events.is_empty() {
            return Ok(());
        }
        advance(seen, &page.events);
        let a = local.apply(&page.events, clock)?;
        report.pulled += a.applied;
        report.duplicates += a.duplicates;
        report.deferred += a.deferred;
        report.refused.extend(a.refused);
        // Nothing new applied: asking again would bring the same page.
        if !page.more || a.applied == 0 {
            return Ok(());
        }
    }
}

async fn push_pages<R: Replica + ?Sized, P: Peer>(
    local: &R,
    peer: &P,
    have: &mut VersionVector,
    report: &mut Report,
) -> Result<()> {
    loop {
        let events = local.events_after(have, PAGE)?;
        if events.is_empty() {
            return Ok(());
        }
        let a = peer.push(&events).await?;
        report.pushed += a.applied;
        report.duplicates += a.duplicates;
        report.deferred += a.deferred;
        // Nothing taken and nothing it already had: it waits for an earlier event (a gap).
        if a.applied == 0 && a.duplicates == 0 {
            return Ok(());
        }
        advance(have, &events);
    }
}

/// Whether `peer` holds events `mine` does not.
fn lacks(mine: &VersionVector, peer: &VersionVector) -> bool {
    peer.iter().any(|(origin, seq)| mine.get(origin).is_none_or(|m| m < seq))
}

/// `have` now also holds `events`.
pub(crate) fn advance(have: &mut VersionVector, events: &[Event]) {
    for e in events {
        let top = have.entry(e.origin.clone()).or_default();
        *top = (*top).max(e.seq);
    }
}

/// A store in this process as a peer (the simulation; a relay's own side).
pub struct Local<'a> {
    /// The database, borrowed for each call.
    pub store: &'a std::cell::RefCell<Store>,
    /// The clock its hello tells and its events are applied by.
    pub clock: &'a dyn Clock,
}

impl Peer for Local<'_> {
    async fn hello(&self) -> Result<Hello> {
        hello(&self.store.borrow(), self.clock)
    }

    async fn pull(&self, req: &PullRequest) -> Result<Page> {
        serve_pull(&self.store.borrow(), req)
    }

    async fn push(&self, events: &[Event]) -> Result<Applied> {
        Ok(self.store.borrow_mut().apply_remote(events, self.clock)?)
    }
}
