//! A laptop's peer service, the same in `warroom serve --peer` and in the desktop app: HTTPS
//! with mutual TLS 1.3 where each connection's client certificate names the laptop calling, and
//! only the room's members get past the door — except to `/v1/join`, where a laptop with a join
//! code proves it over its own TLS session. `/v1/hello`, `/v1/pull` and `/v1/push` speak the
//! sync protocol; `/v1/events` pokes followers at each change (server-sent events). Refusals are
//! typed errors with a status, and change nothing. `follow_all` keeps this laptop in step with
//! every peer it knows; `Book` remembers how each one was last seen, for the peers panel.
//! The shell owns the service and its lock (`Lock`); the network is never used while it is held.

use super::http::HttpPeer;
use super::room::{self, EXPORTER_LABEL, JoinAnswer, JoinRequest, KnownPeer};
use super::tls::{Identity, fingerprint, shown};
use super::{Hello, Page, PullRequest, Replica, SyncError, VersionVector};
use crate::clock::Clock;
use crate::service::Service;
use crate::store::Applied;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use warroom_model::api::Changed;
use warroom_model::notify::{Lang, Notice, NoticeKind};
use warroom_model::peers::{PeerView, RoomInfo, RoomView};
use warroom_model::{ApiError, ErrorKind, Event};

/// Whoever owns the service (core's `host::Host`, a test's): runs `f` under its lock (and
/// tells its views of any change), and says when anything changed.
pub trait Lock: Send + Sync + 'static {
    fn with<T>(&self, f: impl FnOnce(&mut Service) -> Result<T, ApiError>) -> Result<T, ApiError>;
    fn subscribe(&self) -> watch::Receiver<Changed>;
}

/// An API error as an HTTP response: the status says what kind, the body is the `ApiError`.
pub struct Failure(pub ApiError);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let code = match self.0.kind {
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Storage => StatusCode::INSUFFICIENT_STORAGE,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (code, Json(self.0)).into_response()
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

/// Each change of the database as a `changed` event whose data says what moved (`Changed` as
/// JSON); the first at once.
pub fn change_stream(
    rx: watch::Receiver<Changed>,
) -> Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>> {
    let stream = futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let c = *rx.borrow_and_update();
        let data = serde_json::to_string(&c).unwrap_or_default();
        Some((Ok(SseEvent::default().event("changed").data(data)), (rx, false)))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// A comment this often keeps a change stream alive, so a follower notices a dead connection.
const KEEP_ALIVE: Duration = Duration::from_secs(10);
/// Largest body a peer may send: a page of `MAX_PAGE` events with room to spare.
pub const BODY_LIMIT: usize = 32 * 1024 * 1024;
/// The shortest and longest wait between exchanges with a peer: short while it answers,
/// longer (doubling) while it cannot be reached.
const EVERY: Duration = Duration::from_secs(2);
const AT_MOST: Duration = Duration::from_secs(30);
/// How soon a lost change stream is tried again: a peer coming back is caught up with at once.
const RECONNECT: Duration = Duration::from_secs(1);
/// A peer heard from within this long counts as connected (a follower exchanges every 2 s).
const CONNECTED_FOR: chrono::TimeDelta = chrono::TimeDelta::seconds(10);

/// How each peer was last seen, by fingerprint; and which losses were already told.
#[derive(Debug, Default)]
pub struct Book(Mutex<BTreeMap<String, Seen>>, Mutex<std::collections::BTreeSet<String>>);

/// A member laptop not heard from for this long is told as lost (once per loss).
pub const LOST_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

#[derive(Clone, Debug, Default)]
struct Seen {
    /// Two databases writing as one laptop, seen in what this peer sent.
    conflict: Option<String>,
    url: Option<String>,
    at: Option<DateTime<Utc>>,
    error: Option<String>,
    have: Option<VersionVector>,
    skew_ms: Option<i64>,
}

impl Book {
    fn update(&self, fp: &str, f: impl FnOnce(&mut Seen)) {
        if let Ok(mut book) = self.0.lock() {
            f(book.entry(fp.to_owned()).or_default());
        }
    }

    /// The member laptops lost since last asked: heard from earlier in this session, and not
    /// for `LOST_AFTER`. Each loss is told once; a laptop that comes back and goes again is told
    /// again.
    pub fn lost(&self, svc: &mut Service) -> Result<Vec<Notice>, ApiError> {
        let view = self.view(svc)?;
        let now = svc.now();
        let vi = svc.notify_settings().map_err(|e| e.to_api())?.lang == Lang::Vi;
        let Ok(mut told) = self.1.lock() else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for p in view.peers.iter().filter(|p| p.member) {
            let Some(seen) = p.last_seen.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
                continue;
            };
            let seen = seen.with_timezone(&Utc);
            if now - seen < LOST_AFTER {
                continue;
            }
            let key = format!("peer_lost:{}:{}", p.fingerprint, seen.timestamp_millis());
            if !told.insert(key.clone()) {
                continue;
            }
            let name = if p.name.is_empty() { shown(&p.fingerprint) } else { p.name.clone() };
            let mins = (now - seen).num_minutes();
            let (title, body) = if vi {
                (
                    format!("Mất kết nối với {name}"),
                    format!(
                        "Không liên lạc được {mins} phút. Máy đó còn thiếu {} thay đổi của bạn; chúng sẽ được gửi khi kết nối lại.",
                        view.my_changes.saturating_sub(p.has_mine)
                    ),
                )
            } else {
                (
                    format!("{name} is out of reach"),
                    format!(
                        "Not heard from for {mins} min. It lacks {} of your changes; they reach it when it is back.",
                        view.my_changes.saturating_sub(p.has_mine)
                    ),
                )
            };
            out.push(Notice {
                at: (seen + LOST_AFTER).to_rfc3339(),
                kind: NoticeKind::PeerLost,
                title,
                body,
                task_id: None,
                key,
            });
        }
        Ok(out)
    }

    /// The room as this laptop sees it now: its members from the log, each with how it was
    /// last seen.
    pub fn view(&self, svc: &mut Service) -> Result<RoomView, ApiError> {
        let seen = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        let api = |e: crate::service::ServiceError| e.to_api();
        let me = svc.identity().map_err(api)?.fingerprint();
        let store = svc.store();
        let origin = store.origin().to_owned();
        let mine = store.version_vector().map_err(|e| e.to_api())?;
        let my_changes = mine.get(&origin).copied().unwrap_or(0);
        let now = svc.now();
        let room = room::room(store).map_err(|e| e.to_api())?;
        let members = super::members::members(store).map_err(|e| e.to_api())?;
        let mut peers: Vec<PeerView> = Vec::new();
        let names: BTreeMap<&str, (&str, bool)> =
            members.iter().map(|m| (m.fingerprint.as_str(), (m.name.as_str(), !m.revoked))).collect();
        let mut fps: Vec<&String> = members.iter().map(|m| &m.fingerprint).collect();
        fps.extend(seen.keys().filter(|k| !names.contains_key(k.as_str())));
        for fp in fps {
            if *fp == me {
                continue;
            }
            let s = seen.get(fp).cloned().unwrap_or_default();
            let (name, member) = names.get(fp.as_str()).copied().unwrap_or(("", false));
            let have = s.have.unwrap_or_default();
            let behind = mine.iter().map(|(o, n)| n.saturating_sub(have.get(o).copied().unwrap_or(0))).sum();
            let ahead = have.iter().map(|(o, n)| n.saturating_sub(mine.get(o).copied().unwrap_or(0))).sum();
            peers.push(PeerView {
                fingerprint: fp.clone(),
                name: name.to_owned(),
                member,
                connected: s.at.is_some_and(|at| now - at < CONNECTED_FOR) && s.error.is_none(),
                last_seen: s.at.map(|t| t.to_rfc3339()),
                error: s.error,
                behind,
                ahead,
                has_mine: have.get(&origin).copied().unwrap_or(0),
                skew_ms: s.skew_ms,
            });
        }
        let shared = peers.iter().map(|p| p.has_mine).max().unwrap_or(0);
        let alarm = seen.iter().find_map(|(fp, s)| {
            let name = names.get(fp.as_str()).map(|(n, _)| n.to_string()).unwrap_or_else(|| shown(fp));
            s.conflict.as_ref().map(|c| format!("{name}: {c}. Sync with it has stopped: one of the two databases was copied or restored by hand; keep one and join the other laptop again with a new database."))
        });
        Ok(RoomView {
            room: room.map(|r| RoomInfo { id: r.id, name: r.name }),
            me: shown(&me),
            origin,
            addresses: room::serving_addresses(store).map_err(|e| e.to_api())?,
            online: peers.iter().any(|p| p.connected),
            alarm,
            unshared: my_changes.saturating_sub(shared),
            my_changes,
            peers,
        })
    }
}

/// Whose certificate the connection presented, and its session's exporter value (what a join
/// proof is bound to).
#[derive(Clone)]
struct Caller {
    fingerprint: String,
    exporter: [u8; 32],
}

struct Ctx<H> {
    host: Arc<H>,
    book: Arc<Book>,
    clock: Arc<dyn Clock>,
    /// LAN discovery, while it runs.
    discovery: Mutex<Option<super::discovery::Discovery>>,
}

/// The peer endpoints, for a connection whose caller is known.
fn router<H: Lock>(ctx: Arc<Ctx<H>>) -> Router {
    let members = Router::new()
        .route("/v1/hello", post(hello::<H>))
        .route("/v1/pull", post(pull::<H>))
        .route("/v1/push", post(push::<H>))
        .route("/v1/events", get(events::<H>))
        .layer(middleware::from_fn_with_state(Arc::clone(&ctx), admit::<H>));
    Router::new()
        .route("/v1/join", post(join::<H>))
        .merge(members)
        .fallback(|| async { Failure(ApiError::new(ErrorKind::NotFound, "no such peer endpoint")) })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::map_response(close_after_unread_body))
        .with_state(ctx)
}

/// A body refused for its size was never read to its end, so the connection cannot carry
/// another request: say so, or the caller's pool reuses it and its next request fails.
async fn close_after_unread_body(mut response: Response) -> Response {
    if response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
    }
    response
}

async fn admit<H: Lock>(
    State(c): State<Arc<Ctx<H>>>,
    Extension(Caller { fingerprint: fp, .. }): Extension<Caller>,
    req: Request,
    next: Next,
) -> Response {
    match c.host.with(|svc| svc.admitted(&fp).map_err(|e| e.to_api())) {
        Ok(true) => {
            let now = c.clock.now();
            c.book.update(&fp, |s| {
                s.at = Some(now);
                s.error = None;
            });
            next.run(req).await
        }
        Ok(false) => Failure(ApiError::new(
            ErrorKind::Forbidden,
            format!(
                "this laptop ({}) is not a member of the room: join with a join code, or on a member laptop run `warroom peers trust {fp}`",
                shown(&fp)
            ),
        ))
        .into_response(),
        Err(e) => Failure(e).into_response(),
    }
}

async fn join<H: Lock>(
    State(c): State<Arc<Ctx<H>>>,
    Extension(caller): Extension<Caller>,
    Json(req): Json<JoinRequest>,
) -> Result<Json<JoinAnswer>, Failure> {
    let answer =
        c.host.with(|svc| svc.room_admit(&caller.fingerprint, &caller.exporter, &req).map_err(|e| e.to_api()))?;
    Ok(Json(answer))
}

async fn events<H: Lock>(State(c): State<Arc<Ctx<H>>>) -> impl IntoResponse {
    change_stream(c.host.subscribe())
}

async fn hello<H: Lock>(State(c): State<Arc<Ctx<H>>>) -> Result<Json<Hello>, Failure> {
    Ok(Json(c.host.with(|svc| svc.sync_hello().map_err(|e| e.to_api()))?))
}

async fn pull<H: Lock>(
    State(c): State<Arc<Ctx<H>>>,
    Extension(caller): Extension<Caller>,
    Json(req): Json<PullRequest>,
) -> Result<Json<Page>, Failure> {
    let page = c.host.with(|svc| svc.sync_pull(&req).map_err(|e| e.to_api()))?;
    // What a peer asks with is what it holds; with this page, it holds these too.
    let mut have = req.have.clone();
    super::advance(&mut have, &page.events);
    c.book.update(&caller.fingerprint, |s| s.have = Some(have));
    Ok(Json(page))
}

async fn push<H: Lock>(State(c): State<Arc<Ctx<H>>>, Json(events): Json<Vec<Event>>) -> Result<Json<Applied>, Failure> {
    if events.len() > super::MAX_PAGE {
        return Err(Failure(ApiError::new(
            ErrorKind::Invalid,
            format!("{} events in one push; at most {}", events.len(), super::MAX_PAGE),
        )));
    }
    Ok(Json(c.host.with(|svc| svc.sync_push(&events).map_err(|e| e.to_api()))?))
}

/// A laptop's peer service: listens for peers and keeps in step with them.
pub struct Node<H: Lock> {
    ctx: Arc<Ctx<H>>,
    me: Identity,
}

impl<H: Lock> Node<H> {
    pub fn new(host: Arc<H>, me: Identity, clock: Arc<dyn Clock>) -> Self {
        Self { ctx: Arc::new(Ctx { host, book: Arc::default(), clock, discovery: Mutex::new(None) }), me }
    }

    /// How each peer was last seen.
    pub fn book(&self) -> Arc<Book> {
        Arc::clone(&self.ctx.book)
    }

    /// Listens for peers on `bind` until the runtime ends; the address it listens on, which is
    /// also recorded for the join codes this laptop makes.
    pub async fn listen(&self, bind: SocketAddr) -> std::io::Result<SocketAddr> {
        let tls = self.me.server_config().map_err(std::io::Error::other)?;
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        self.ctx
            .host
            .with(|svc| svc.set_listening(addr).map_err(|e| e.to_api()))
            .map_err(|e| std::io::Error::other(e.message))?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let app = router(Arc::clone(&self.ctx));
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { continue };
                let (acceptor, app) = (acceptor.clone(), app.clone());
                tokio::spawn(async move {
                    // A failed handshake (no certificate, a wrong pin on the other side) just ends it.
                    let Ok(tls) = acceptor.accept(tcp).await else { return };
                    let conn = tls.get_ref().1;
                    let Some(fp) = conn.peer_certificates().and_then(|c| c.first()).map(|c| fingerprint(c)) else {
                        return;
                    };
                    let mut exporter = [0u8; 32];
                    if conn.export_keying_material(&mut exporter, EXPORTER_LABEL, None).is_err() {
                        return;
                    }
                    let caller = Caller { fingerprint: fp, exporter };
                    let service = hyper_util::service::TowerToHyperService::new(app.layer(Extension(caller)));
                    let _ = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Ok(addr)
    }

    /// Advertises this laptop's room on the LAN (mDNS) and remembers the room's laptops seen
    /// there, members only, for `follow_all` to pick up. False when the database is not a room.
    pub fn discover(&self, port: u16) -> Result<bool, super::discovery::DiscoveryError> {
        let room = self.ctx.host.with(|svc| svc.room().map_err(|e| e.to_api())).ok().flatten();
        let Some(room) = room else { return Ok(false) };
        let ctx = Arc::clone(&self.ctx);
        let found = move |peer: KnownPeer| {
            let _ = ctx.host.with(|svc| {
                if svc.admitted(&peer.fingerprint).map_err(|e| e.to_api())? {
                    svc.remember_peer(&peer).map_err(|e| e.to_api())?;
                }
                Ok(())
            });
        };
        let d = super::discovery::Discovery::start(&room.id, &self.me.fingerprint(), port, found)?;
        if let Ok(mut slot) = self.ctx.discovery.lock() {
            *slot = Some(d);
        }
        Ok(true)
    }

    /// Keeps this laptop in step with the peers in `named` and with every peer it learns of
    /// while it runs (a laptop that joined through it, the one it joined through). Must be
    /// called within a tokio runtime.
    pub fn follow_all(&self, named: Vec<KnownPeer>) {
        let (ctx, me) = (Arc::clone(&self.ctx), self.me.clone());
        let rt = tokio::runtime::Handle::current();
        rt.spawn(async move {
            // One follower per laptop, however many addresses it is known at.
            let mut followed: BTreeMap<String, Urls> = BTreeMap::new();
            let mut tick = tokio::time::interval(EVERY);
            loop {
                tick.tick().await;
                let known =
                    ctx.host.with(|svc| room::known_peers(svc.store()).map_err(|e| e.to_api())).unwrap_or_default();
                for peer in named.iter().cloned().chain(known) {
                    if peer.fingerprint == me.fingerprint() {
                        continue;
                    }
                    if let Some(urls) = followed.get(&peer.fingerprint) {
                        if let Ok(mut urls) = urls.lock()
                            && !urls.contains(&peer.url)
                        {
                            urls.push(peer.url);
                        }
                        continue;
                    }
                    let urls: Urls = Arc::new(Mutex::new(vec![peer.url]));
                    followed.insert(peer.fingerprint.clone(), Arc::clone(&urls));
                    follow(Arc::clone(&ctx), &me, peer.fingerprint, urls);
                }
            }
        });
    }
}

/// The addresses one laptop is known at, best first.
type Urls = Arc<Mutex<Vec<String>>>;

/// Keeps this laptop and the one with certificate `fp` in step until the process ends:
/// exchanges at once after every change here or there (the peer's `/v1/events` pokes), else
/// every couple of seconds, backing off while it cannot be reached, and trying its other
/// addresses. A peer that is no longer a member is left alone.
fn follow<H: Lock>(ctx: Arc<Ctx<H>>, me: &Identity, fp: String, urls: Urls) {
    let me = me.clone();
    let mut changed = ctx.host.subscribe();
    let poked = Arc::new(tokio::sync::Notify::new());
    let rt = tokio::runtime::Handle::current();
    let first = urls.lock().ok().and_then(|u| u.first().cloned()).unwrap_or_default();
    let current: Arc<Mutex<Option<Arc<HttpPeer>>>> = Arc::default();
    let connect = {
        let me = me.clone();
        let fp = fp.clone();
        move |url: &str| HttpPeer::new(&me, url, &fp).map(Arc::new).map_err(|e| e.to_string())
    };
    // The blocking HTTP client lives on threads of its own, outside the async runtime.
    std::thread::spawn(move || {
        let mut url = first;
        let mut peer = match connect(&url) {
            Ok(p) => p,
            Err(e) => return tracing::warn!("cannot sync with {url}: {e}"),
        };
        if let Ok(mut c) = current.lock() {
            *c = Some(Arc::clone(&peer));
        }
        let (watched, poke) = (Arc::clone(&current), Arc::clone(&poked));
        std::thread::spawn(move || {
            loop {
                let peer = watched.lock().ok().and_then(|c| c.clone());
                if let Some(peer) = peer {
                    let _ = peer.watch(|| poke.notify_one());
                }
                std::thread::sleep(RECONNECT);
            }
        });
        let mut wait = EVERY;
        let mut last_error = String::new();
        loop {
            let member = ctx.host.with(|svc| svc.admitted(&fp).map_err(|e| e.to_api())).unwrap_or(false);
            let outcome = if member {
                super::exchange(&mut Shared(ctx.host.as_ref()), peer.as_ref(), ctx.clock.as_ref())
            } else {
                Err(SyncError::Refused(format!(
                    "{} is not a member of the room (revoked?): not syncing with it",
                    shown(&fp)
                )))
            };
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
                        if let Ok(mut c) = current.lock() {
                            *c = Some(Arc::clone(&peer));
                        }
                        wait = EVERY;
                    }
                }
            }
            rt.block_on(async {
                tokio::select! {
                    _ = changed.changed() => {}
                    () = poked.notified() => {}
                    () = tokio::time::sleep(wait) => {}
                }
            });
        }
    });
}

/// The shell's database as one side of an exchange: locked for each step, never while the
/// network is waited on.
struct Shared<'a, H>(&'a H);

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use crate::store::Store;

    #[test]
    fn a_member_laptop_not_heard_from_for_two_minutes_is_told_once_per_loss() {
        let clock = Arc::new(FakeClock::new("2026-01-31T06:00:00Z".parse().unwrap()));
        let mut svc = Service::with_demo(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        svc.set_me(&warroom_model::api::Me { name: "Lan".into(), role: "Tech Lead".into() }).unwrap();
        svc.room_create(Some("bridge")).unwrap();
        let huy = "b".repeat(64);
        let by = warroom_model::Author { name: "Lan".into(), role: "Tech Lead".into() };
        crate::sync::members::trust(svc.store_mut(), &by, &huy, "Huy's laptop", clock.as_ref()).unwrap();
        let book = Book::default();
        book.update(&huy, |s| s.at = Some(clock.now()));
        assert!(book.lost(&mut svc).unwrap().is_empty(), "just seen");
        clock.advance(chrono::Duration::seconds(119));
        assert!(book.lost(&mut svc).unwrap().is_empty(), "not yet two minutes");
        clock.advance(chrono::Duration::seconds(2));
        let lost = book.lost(&mut svc).unwrap();
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].kind, NoticeKind::PeerLost);
        assert_eq!(lost[0].title, "Huy's laptop is out of reach");
        assert!(lost[0].body.contains("lacks 3 of your changes"), "{}", lost[0].body);
        assert!(book.lost(&mut svc).unwrap().is_empty(), "told once");
        // Back, then gone again: told again.
        book.update(&huy, |s| s.at = Some(clock.now()));
        clock.advance(chrono::Duration::minutes(3));
        assert_eq!(book.lost(&mut svc).unwrap().len(), 1);
        assert!(book.view(&mut svc).unwrap().alarm.is_none());
        book.update(&huy, |s| s.conflict = Some("event 1a2b:7 arrived with a different content".into()));
        let alarm = book.view(&mut svc).unwrap().alarm.unwrap();
        assert!(alarm.starts_with("Huy's laptop: event 1a2b:7") && alarm.contains("copied or restored"), "{alarm}");
    }

    struct TestHost(Mutex<Service>, watch::Sender<Changed>);

    impl Lock for TestHost {
        fn with<T>(&self, f: impl FnOnce(&mut Service) -> Result<T, ApiError>) -> Result<T, ApiError> {
            f(&mut self.0.lock().unwrap())
        }

        fn subscribe(&self) -> watch::Receiver<Changed> {
            self.1.subscribe()
        }
    }

    #[test]
    fn an_event_contradicting_a_stored_one_comes_back_as_a_conflict_for_the_alarm() {
        let clock = Arc::new(FakeClock::new("2026-01-31T06:00:00Z".parse().unwrap()));
        let svc = Service::with_demo(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        let host = TestHost(Mutex::new(svc), watch::channel(Changed::default()).0);
        let mut shared = Shared(&host);
        let stored = shared.events_after(&VersionVector::new(), 1).unwrap().remove(0);
        let mut forged = stored.clone();
        forged.kind = "forged".into();
        forged.hash = crate::store::event_hash(&forged);
        let e = shared.apply(&[forged], clock.as_ref()).unwrap_err();
        assert!(matches!(e, SyncError::Store(crate::store::StoreError::Conflict { .. })), "{e}");
        assert_eq!(shared.apply(&[stored], clock.as_ref()).unwrap().duplicates, 1, "the stored one stands");
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_and_its_connection_closed() {
        use tower::ServiceExt as _;
        let clock = Arc::new(FakeClock::new("2026-01-31T06:00:00Z".parse().unwrap()));
        let svc = Service::with_demo(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        let host = Arc::new(TestHost(Mutex::new(svc), watch::channel(Changed::default()).0));
        let ctx = Arc::new(Ctx { host, book: Arc::default(), clock, discovery: Mutex::new(None) });
        let request = |size: usize| {
            let mut r = axum::http::Request::post("/v1/join")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(vec![b' '; size]))
                .unwrap();
            r.extensions_mut().insert(Caller { fingerprint: "c".repeat(64), exporter: [0; 32] });
            r
        };
        let over = router(Arc::clone(&ctx)).oneshot(request(BODY_LIMIT + 1)).await.unwrap();
        assert_eq!(over.status(), 413);
        assert_eq!(over.headers()["connection"], "close");
        let under = router(ctx).oneshot(request(16)).await.unwrap();
        assert_eq!(under.status(), 400, "an empty body is refused for what it is");
        assert!(under.headers().get("connection").is_none(), "a read body leaves the connection open");
    }
}
