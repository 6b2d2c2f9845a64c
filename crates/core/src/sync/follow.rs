//! Following another laptop of the room: exchanging with it at once after every change on
//! either side (its change stream pokes), else every couple of seconds, backing off while it
//! cannot be reached and trying its other addresses; and the shell's database as one side of
//! those exchanges, locked for each step and never while the network is waited on.

use super::http::HttpPeer;
use super::node::{AT_MOST, Ctx, EVERY, Lock, RECONNECT};
use super::tls::{Identity, shown};
use super::{Replica, SyncError, VersionVector};
use crate::clock::Clock;
use crate::store::Applied;
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;
use warroom_model::{ApiError, Event};

/// The addresses one laptop is known at, best first.
pub(super) type Urls = Arc<Mutex<Vec<String>>>;

/// A laptop being followed: where it is known to be, and its follower.
pub(super) struct Followed {
    pub(super) urls: Urls,
    pub(super) task: tokio::task::JoinHandle<()>,
}

pub(super) fn not_member(fp: &str) -> String {
    format!("{} is not a member of the room (revoked?): not syncing with it", shown(fp))
}

/// Keeps this laptop and the one with certificate `fp` in step: exchanges at once after every
/// change here or there (the peer's `/v1/events` pokes), else every couple of seconds, backing
/// off while it cannot be reached, and trying its other addresses. Ends when the laptop is no
/// longer a member, when the node stops, or when the shell has let go of the host. `peer` is
/// the laptop at the first of `urls`.
pub(super) async fn follow<H: Lock>(ctx: Arc<Ctx<H>>, me: Identity, fp: String, urls: Urls, mut peer: Arc<HttpPeer>) {
    let Some(mut changed) = ctx.host.upgrade().map(|h| h.subscribe()) else { return };
    let connect = |url: &str| HttpPeer::new(&me, url, &fp).map(Arc::new);
    let mut url = urls.lock().ok().and_then(|u| u.first().cloned()).unwrap_or_default();
    // The change stream is read beside the exchanges, at the address they use, and only for as
    // long as this follower runs.
    let (current, watched) = watch::channel(Arc::clone(&peer));
    let poked = Arc::new(Notify::new());
    let reading = ctx.stop.child_token();
    let _reading_ends_with_this = reading.clone().drop_guard();
    ctx.tasks.spawn(read_changes(watched, Arc::clone(&poked), reading));
    let mut wait = EVERY;
    let mut last_error = String::new();
    loop {
        let Some(host) = ctx.host.upgrade() else { return };
        let outcome = match host.with(|svc| svc.admitted(&fp).map_err(|e| e.to_api())) {
            Ok(true) => {
                let mut here = Shared(host.as_ref());
                tokio::select! {
                    () = ctx.stop.cancelled() => return,
                    r = super::exchange(&mut here, peer.as_ref(), ctx.clock.as_ref()) => r,
                }
            }
            Ok(false) => {
                let why = not_member(&fp);
                if ctx.book.not_syncing(&fp, &url, why.clone()) {
                    tracing::info!("{url}: {why}");
                }
                return;
            }
            Err(e) => Err(local(e)),
        };
        drop(host);
        let now = ctx.clock.now();
        match outcome {
            Ok(report) => {
                ctx.book.update(&fp, |s| {
                    s.url = Some(url.clone());
                    s.at = Some(now);
                    s.error = None;
                    s.skew_ms = report.skew_ms;
                    s.have = Some(report.peer_has.clone());
                });
                if !last_error.is_empty() {
                    tracing::info!("{url} reachable again");
                    last_error.clear();
                }
                wait = EVERY;
            }
            Err(e) => {
                let unreachable = matches!(e, SyncError::Unreachable(_));
                if matches!(e, SyncError::Store(crate::store::StoreError::Conflict { .. })) {
                    let what = e.to_string();
                    ctx.book.update(&fp, |s| s.conflict = Some(what));
                }
                let e = e.to_string();
                ctx.book.update(&fp, |s| {
                    s.url = Some(url.clone());
                    s.error = Some(e.clone());
                });
                if e != last_error {
                    tracing::warn!("sync with {url}: {e}");
                    last_error = e;
                }
                wait = (wait * 2).min(AT_MOST);
                // Not there: perhaps at another of its addresses (it moved, or the first was stale).
                let next = urls.lock().ok().and_then(|u| {
                    let i = u.iter().position(|x| *x == url).map_or(0, |i| (i + 1) % u.len().max(1));
                    u.get(i).cloned()
                });
                if unreachable
                    && let Some(next) = next.filter(|n| *n != url)
                    && let Ok(p) = connect(&next)
                {
                    url = next;
                    peer = p;
                    current.send_replace(Arc::clone(&peer));
                    wait = EVERY;
                }
            }
        }
        tokio::select! {
            () = ctx.stop.cancelled() => return,
            gone = changed.changed() => {
                if gone.is_err() {
                    return;
                }
            }
            () = poked.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Reads the followed laptop's change stream and pokes its follower at each change; connects
/// again shortly after the stream ends, and moves when the follower does to another address.
/// Ends with the follower.
async fn read_changes(mut peer: watch::Receiver<Arc<HttpPeer>>, poked: Arc<Notify>, stop: CancellationToken) {
    loop {
        let current = Arc::clone(&peer.borrow_and_update());
        tokio::select! {
            () = stop.cancelled() => return,
            moved = peer.changed() => {
                if moved.is_err() {
                    return;
                }
                continue;
            }
            ended = current.watch(|| poked.notify_one()) => {
                if let Err(e) = ended {
                    tracing::debug!("change stream: {e}");
                }
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(RECONNECT) => {}
        }
    }
}

/// The shell's database as one side of an exchange: locked for each step, never while the
/// network is waited on.
pub(super) struct Shared<'a, H>(pub(super) &'a H);

fn local(e: ApiError) -> SyncError {
    SyncError::Refused(e.message)
}

impl<H: Lock> Replica for Shared<'_, H> {
    fn have(&self) -> Result<VersionVector, SyncError> {
        self.0.with(|svc| svc.store().version_vector().map_err(|e| e.to_api())).map_err(local)
    }

    fn events_after(&self, have: &VersionVector, limit: usize) -> Result<Vec<Event>, SyncError> {
        self.0.with(|svc| svc.store().events_after(have, limit).map_err(|e| e.to_api())).map_err(local)
    }

    fn apply(&mut self, events: &[Event], _clock: &dyn Clock) -> Result<Applied, SyncError> {
        // Through the service, so that open views hear of what arrived; a store's refusal keeps
        // its type (a conflict raises the alarm).
        match self.0.with(|svc| Ok(svc.sync_push(events))).map_err(local)? {
            Ok(a) => Ok(a),
            Err(crate::service::ServiceError::Store(e)) => Err(SyncError::Store(e)),
            Err(e) => Err(local(e.to_api())),
        }
    }

    fn witness(&mut self, _clock: &dyn Clock) -> Result<(), SyncError> {
        // On the service's own clock, which its other events carry (shifted in a rehearsal).
        self.0.with(|svc| svc.witness().map_err(|e| e.to_api())).map_err(local)
    }
}
