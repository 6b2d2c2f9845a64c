//! The peer listener of `warroom serve --peer-bind`: HTTPS with mutual TLS 1.3, where each
//! connection's client certificate names the laptop calling; only the room's members (see
//! `warroom peers trust`) get past the door. `/v1/hello`, `/v1/pull` and `/v1/push` speak
//! core's sync protocol; refusals are typed errors with a status, and change nothing.

use crate::serve::{AppState, Failure};
use anyhow::{Context, Result};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use std::net::SocketAddr;
use std::sync::Arc;
use warroom_core::store::Applied;
use warroom_core::sync::tls::{fingerprint, shown};
use warroom_core::sync::{Hello, Page, PullRequest};
use warroom_model::{ApiError, ErrorKind, Event};

/// Whose certificate the connection presented.
#[derive(Clone)]
struct Caller(String);

/// Largest body a peer may send: a page of `MAX_PAGE` events with room to spare.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/hello", post(hello))
        .route("/v1/pull", post(pull))
        .route("/v1/push", post(push))
        .fallback(|| async { Failure(ApiError::new(ErrorKind::NotFound, "no such peer endpoint")) })
        .layer(middleware::from_fn_with_state(Arc::clone(&state), admit))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

async fn admit(
    State(s): State<Arc<AppState>>,
    Extension(Caller(fp)): Extension<Caller>,
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
                let Some(fp) = tls.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| fingerprint(c))
                else {
                    return;
                };
                let service = hyper_util::service::TowerToHyperService::new(app.layer(Extension(Caller(fp))));
                let _ = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    Ok(addr)
}

/// A member laptop to keep in step with: `https://ADDR:PORT#FINGERPRINT`.
#[derive(Clone, Debug)]
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
const EVERY: std::time::Duration = std::time::Duration::from_secs(2);
const AT_MOST: std::time::Duration = std::time::Duration::from_secs(30);

/// Keeps this laptop and `spec` in step until the process ends: exchanges at once after every
/// local change, else every couple of seconds, backing off while the peer cannot be reached.
/// The network is never used while the database is locked.
pub fn follow(state: Arc<AppState>, me: &warroom_core::sync::tls::Identity, spec: PeerSpec) {
    let me = me.clone();
    let mut changed = state.subscribe();
    let rt = tokio::runtime::Handle::current();
    // The blocking HTTP client lives on a thread of its own, outside the async runtime.
    std::thread::spawn(move || {
        let peer = match warroom_core::sync::http::HttpPeer::new(&me, &spec.url, &spec.fingerprint) {
            Ok(p) => p,
            Err(e) => return eprintln!("warroom: cannot sync with {}: {e}", spec.url),
        };
        let mut wait = EVERY;
        let mut last_error = String::new();
        loop {
            match exchange(&state, &peer) {
                Ok(_) => {
                    if !last_error.is_empty() {
                        eprintln!("warroom: {} reachable again", spec.url);
                        last_error.clear();
                    }
                    wait = EVERY;
                }
                Err(e) => {
                    let e = e.to_string();
                    if e != last_error {
                        eprintln!("warroom: sync with {}: {e}", spec.url);
                        last_error = e;
                    }
                    wait = (wait * 2).min(AT_MOST);
                }
            }
            rt.block_on(async {
                let _ = tokio::time::timeout(wait, changed.changed()).await;
            });
        }
    });
}

/// The served database as one side of an exchange: locked for each step, never while the
/// network is waited on.
struct Shared<'a>(&'a AppState);

fn local(e: ApiError) -> warroom_core::sync::SyncError {
    warroom_core::sync::SyncError::Refused(e.message)
}

impl warroom_core::sync::Replica for Shared<'_> {
    fn have(&self) -> Result<warroom_core::sync::VersionVector, warroom_core::sync::SyncError> {
        self.0.with(|svc| svc.store().version_vector().map_err(|e| e.to_api())).map_err(local)
    }

    fn events_after(
        &self,
        have: &warroom_core::sync::VersionVector,
        limit: usize,
    ) -> Result<Vec<Event>, warroom_core::sync::SyncError> {
        self.0.with(|svc| svc.store().events_after(have, limit).map_err(|e| e.to_api())).map_err(local)
    }

    fn apply(
        &mut self,
        events: &[Event],
        _clock: &dyn warroom_core::Clock,
    ) -> Result<Applied, warroom_core::sync::SyncError> {
        // Through the service, so that open pages hear of what arrived.
        self.0.with(|svc| svc.sync_push(events).map_err(|e| e.to_api())).map_err(local)
    }
}

/// One exchange both ways.
fn exchange(state: &AppState, peer: &dyn warroom_core::sync::Peer) -> Result<usize, warroom_core::sync::SyncError> {
    let r = warroom_core::sync::exchange(&mut Shared(state), peer, &warroom_core::SystemClock)?;
    Ok(r.pulled + r.pushed)
}
