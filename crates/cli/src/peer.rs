//! The peer service of `warroom serve --peer`: HTTPS with mutual TLS 1.3, where each
//! connection's client certificate names the laptop calling; only the room's members get past
//! the door, except to `/v1/join`, where a laptop with a join code proves it over its own TLS
//! session. `/v1/hello`, `/v1/pull` and `/v1/push` speak core's sync protocol, `/v1/events`
//! pokes followers at each change (server-sent events); refusals are typed errors with a status,
//! and change nothing. `follow` keeps this laptop in step with one peer.

use crate::serve::{AppState, Failure};
use anyhow::{Context, Result};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use futures_util::Stream;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use warroom_core::store::Applied;
use warroom_core::sync::http::HttpPeer;
use warroom_core::sync::room::{EXPORTER_LABEL, JoinAnswer, JoinRequest};
use warroom_core::sync::tls::Identity;
use warroom_core::sync::tls::{fingerprint, shown};
use warroom_core::sync::{Hello, Page, PullRequest, SyncError, VersionVector};
use warroom_model::{ApiError, ErrorKind, Event};

/// Whose certificate the connection presented, and its session's exporter value (what a join
/// proof is bound to).
#[derive(Clone)]
struct Caller {
    fingerprint: String,
    exporter: [u8; 32],
}

/// Largest body a peer may send: a page of `MAX_PAGE` events with room to spare.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

pub fn router(state: Arc<AppState>) -> Router {
    let members = Router::new()
        .route("/v1/hello", post(hello))
        .route("/v1/pull", post(pull))
        .route("/v1/push", post(push))
        .route("/v1/events", get(events))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), admit));
    Router::new()
        .route("/v1/join", post(join))
        .merge(members)
        .fallback(|| async { Failure(ApiError::new(ErrorKind::NotFound, "no such peer endpoint")) })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

async fn admit(
    State(s): State<Arc<AppState>>,
    Extension(Caller { fingerprint: fp, .. }): Extension<Caller>,
    req: Request,
    next: Next,
) -> Response {
    match s.with(|svc| svc.admitted(&fp).map_err(|e| e.to_api())) {
        Ok(true) => next.run(req).await,
        Ok(false) => Failure(ApiError::new(
            ErrorKind::Forbidden,
            format!(
                "this laptop ({}) is not a member of the room: on a member laptop run `warroom peers trust {fp}`",
                shown(&fp)
            ),
        ))
        .into_response(),
        Err(e) => Failure(e).into_response(),
    }
}

async fn join(
    State(s): State<Arc<AppState>>,
    Extension(c): Extension<Caller>,
    Json(req): Json<JoinRequest>,
) -> Result<Json<JoinAnswer>, Failure> {
    Ok(Json(s.with(|svc| svc.room_admit(&c.fingerprint, &c.exporter, &req).map_err(|e| e.to_api()))?))
}

/// A comment this often keeps the stream alive, so that a follower notices a dead connection.
const KEEP_ALIVE: Duration = Duration::from_secs(10);

async fn events(State(s): State<Arc<AppState>>) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let changes = tokio_stream_of(s.subscribe());
    Sse::new(changes).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// Each version the database moves to, as a `changed` event.
fn tokio_stream_of(rx: tokio::sync::watch::Receiver<u64>) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.changed().await.ok()?;
        let v = *rx.borrow_and_update();
        Some((Ok(SseEvent::default().event("changed").data(v.to_string())), rx))
    })
}

async fn hello(State(s): State<Arc<AppState>>) -> Result<Json<Hello>, Failure> {
    Ok(Json(s.with(|svc| svc.sync_hello().map_err(|e| e.to_api()))?))
}

async fn pull(State(s): State<Arc<AppState>>, Json(req): Json<PullRequest>) -> Result<Json<Page>, Failure> {
    Ok(Json(s.with(|svc| svc.sync_pull(&req).map_err(|e| e.to_api()))?))
}

async fn push(State(s): State<Arc<AppState>>, Json(events): Json<Vec<Event>>) -> Result<Json<Applied>, Failure> {
    if events.len() > warroom_core::sync::MAX_PAGE {
        return Err(Failure(ApiError::new(
            ErrorKind::Invalid,
            format!("{} events in one push; at most {}", events.len(), warroom_core::sync::MAX_PAGE),
        )));
    }
    Ok(Json(s.with(|svc| svc.sync_push(&events).map_err(|e| e.to_api()))?))
}

/// Listens on `bind` for peers until the process ends. Returns the address it listens on.
pub async fn listen(state: Arc<AppState>, bind: SocketAddr, tls: rustls::ServerConfig) -> Result<SocketAddr> {
    let listener =
        tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen for peers on {bind}"))?;
    let addr = listener.local_addr()?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let app = router(state);
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

/// A member laptop to keep in step with: `https://ADDR:PORT#FINGERPRINT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerSpec {
    pub url: String,
    pub fingerprint: String,
}

impl std::str::FromStr for PeerSpec {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (url, fp) = s.split_once('#').ok_or_else(|| format!("`{s}`: expected https://ADDR:PORT#FINGERPRINT"))?;
        let fingerprint = warroom_core::sync::tls::normalize(fp);
        if !url.starts_with("https://") || fingerprint.len() != 64 {
            return Err(format!("`{s}`: expected https://ADDR:PORT#FINGERPRINT (64 hex digits)"));
        }
        Ok(Self { url: url.to_owned(), fingerprint })
    }
}

/// The shortest and longest wait between exchanges with a peer: short while it answers, longer
/// (doubling) while it cannot be reached.
const EVERY: Duration = Duration::from_secs(2);
const AT_MOST: Duration = Duration::from_secs(30);
/// How soon a lost change stream is tried again.
const RECONNECT: Duration = Duration::from_secs(1);

/// Keeps this laptop in step with the peers named on the command line and with every peer it
/// learns of while it runs (a laptop that joined through it, one it joined through).
pub fn follow_all(state: Arc<AppState>, me: Identity, named: Vec<PeerSpec>) {
    let rt = tokio::runtime::Handle::current();
    rt.spawn(async move {
        let mut followed: Vec<PeerSpec> = Vec::new();
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            let known = state
                .with(|svc| warroom_core::sync::room::known_peers(svc.store()).map_err(|e| e.to_api()))
                .unwrap_or_default();
            let known = known.into_iter().map(|k| PeerSpec { url: k.url, fingerprint: k.fingerprint });
            for spec in named.iter().cloned().chain(known) {
                if spec.fingerprint == me.fingerprint() || followed.contains(&spec) {
                    continue;
                }
                followed.push(spec.clone());
                follow(Arc::clone(&state), &me, spec);
            }
        }
    });
}

/// Keeps this laptop and `spec` in step until the process ends: exchanges at once after every
/// change here or there (the peer's `/v1/events` pokes), else every couple of seconds, backing
/// off while the peer cannot be reached. The network is never used while the database is
/// locked. A peer that is no longer a member of the room is left alone.
pub fn follow(state: Arc<AppState>, me: &Identity, spec: PeerSpec) {
    let me = me.clone();
    let mut changed = state.subscribe();
    let poked = Arc::new(tokio::sync::Notify::new());
    let rt = tokio::runtime::Handle::current();
    // The blocking HTTP client lives on threads of its own, outside the async runtime.
    std::thread::spawn(move || {
        let peer = match HttpPeer::new(&me, &spec.url, &spec.fingerprint) {
            Ok(p) => Arc::new(p),
            Err(e) => return eprintln!("warroom: cannot sync with {}: {e}", spec.url),
        };
        let (watcher, poke) = (Arc::clone(&peer), Arc::clone(&poked));
        std::thread::spawn(move || {
            loop {
                let _ = watcher.watch(|| poke.notify_one());
                // Soon: a peer coming back should be caught up with at once, not at the next backoff.
                std::thread::sleep(RECONNECT);
            }
        });
        let mut wait = EVERY;
        let mut last_error = String::new();
        loop {
            let member = state.with(|svc| svc.admitted(&spec.fingerprint).map_err(|e| e.to_api())).unwrap_or(false);
            let outcome = if member {
                exchange(&state, peer.as_ref()).map_err(|e| e.to_string())
            } else {
                Err(format!("{} is not a member of the room (revoked?): not syncing with it", shown(&spec.fingerprint)))
            };
            match outcome {
                Ok(_) => {
                    if !last_error.is_empty() {
                        eprintln!("warroom: {} reachable again", spec.url);
                        last_error.clear();
                    }
                    wait = EVERY;
                }
                Err(e) => {
                    if e != last_error {
                        eprintln!("warroom: sync with {}: {e}", spec.url);
                        last_error = e;
                    }
                    wait = (wait * 2).min(AT_MOST);
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

/// The served database as one side of an exchange: locked for each step, never while the
/// network is waited on.
struct Shared<'a>(&'a AppState);

fn local(e: ApiError) -> SyncError {
    SyncError::Refused(e.message)
}

impl warroom_core::sync::Replica for Shared<'_> {
    fn have(&self) -> Result<VersionVector, SyncError> {
        self.0.with(|svc| svc.store().version_vector().map_err(|e| e.to_api())).map_err(local)
    }

    fn events_after(&self, have: &VersionVector, limit: usize) -> Result<Vec<Event>, SyncError> {
        self.0.with(|svc| svc.store().events_after(have, limit).map_err(|e| e.to_api())).map_err(local)
    }

    fn apply(&mut self, events: &[Event], _clock: &dyn warroom_core::Clock) -> Result<Applied, SyncError> {
        // Through the service, so that open pages hear of what arrived.
        self.0.with(|svc| svc.sync_push(events).map_err(|e| e.to_api())).map_err(local)
    }
}

/// One exchange both ways.
fn exchange(state: &AppState, peer: &dyn warroom_core::sync::Peer) -> Result<usize, SyncError> {
    let r = warroom_core::sync::exchange(&mut Shared(state), peer, &warroom_core::SystemClock)?;
    Ok(r.pulled + r.pushed)
}
