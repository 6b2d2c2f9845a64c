//! A laptop's peer service, the same in `warroom serve --peer` and in the desktop app: HTTPS
//! with mutual TLS 1.3 where each connection's client certificate names the laptop calling, and
//! only the room's members get past the door — except to `/v1/join`, where a laptop with a join
//! code proves it over its own TLS session. `/v1/hello`, `/v1/pull` and `/v1/push` speak the
//! sync protocol; `/v1/events` pokes followers at each change (server-sent events). Refusals are
//! typed errors with a status, and change nothing. `follow_all` keeps this laptop in step with
//! every member laptop it knows, a tokio task each; `Book` remembers how each one was last seen,
//! for the peers panel. Every task of a node ends when it is stopped or dropped, and a follower
//! ends when its laptop is revoked. The shell owns the service and its lock (`Lock`); the node
//! holds it only while it uses it, and never while the network is waited on. What a connection
//! meets before its caller is known (caps, the handshake's deadline) is `gate`'s.

use super::addresses;
pub use super::book::{Book, LOST_AFTER};
use super::follow::{Followed, Urls, follow, not_member};
use super::http::HttpPeer;
use super::room::{self, JoinAnswer, JoinRequest, KnownPeer};
use super::tls::{Identity, shown};
use super::{Hello, Page, PullRequest};
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
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use warroom_model::api::Changed;
use warroom_model::{ApiError, ErrorKind, Event};

/// Whoever owns the service (core's `host::Host`, a test's): runs `f` under its lock (and
/// tells its views of any change), and says when anything changed.
pub trait Lock: Send + Sync + 'static {
    /// Runs `f` on the service under the lock; the owner announces any change it made.
    fn with<T>(&self, f: impl FnOnce(&mut Service) -> Result<T, ApiError>) -> Result<T, ApiError>;
    /// A receiver of the change counters, moved at every change (ours, a peer's, another process's).
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
/// Largest body a member may send: a page of `MAX_PAGE` events with room to spare.
pub const BODY_LIMIT: usize = 32 * 1024 * 1024;
/// Largest body of what a laptop may send before it is known to be a member (a join request,
/// a hello): far more than either needs, refused before it is read.
pub const SMALL_BODY_LIMIT: usize = 64 * 1024;
/// The shortest and longest wait between exchanges with a peer: short while it answers,
/// longer (doubling) while it cannot be reached.
pub(super) const EVERY: Duration = Duration::from_secs(2);
pub(super) const AT_MOST: Duration = Duration::from_secs(30);
/// How soon a lost change stream is tried again: a peer coming back is caught up with at once.
pub(super) const RECONNECT: Duration = Duration::from_secs(1);
/// Whose certificate the connection presented, and its session's exporter value (what a join
/// proof is bound to).
#[derive(Clone)]
pub(super) struct Caller {
    pub(super) fingerprint: String,
    pub(super) exporter: [u8; 32],
}

/// What a node's tasks share.
pub(super) struct Ctx<H> {
    /// The shell's: a node that outlived it has nothing left to do.
    pub(super) host: Weak<H>,
    pub(super) book: Arc<Book>,
    pub(super) clock: Arc<dyn Clock>,
    /// LAN discovery, while it runs.
    pub(super) discovery: Mutex<Option<super::discovery::Discovery>>,
    /// Ends every task of the node.
    pub(super) stop: CancellationToken,
    /// Every task of the node while it runs: the listener and its connections, the followers
    /// and their change streams.
    pub(super) tasks: TaskTracker,
}

impl<H: Lock> Ctx<H> {
    fn new(host: &Arc<H>, clock: Arc<dyn Clock>) -> Self {
        Self {
            host: Arc::downgrade(host),
            book: Arc::default(),
            clock,
            discovery: Mutex::new(None),
            stop: CancellationToken::new(),
            tasks: TaskTracker::new(),
        }
    }

    /// `f` under the host's lock, unless the shell has let go of the host.
    fn with<T>(&self, f: impl FnOnce(&mut Service) -> Result<T, ApiError>) -> Result<T, ApiError> {
        self.host.upgrade().ok_or_else(closing)?.with(f)
    }

    fn admitted(&self, fp: &str) -> Result<bool, ApiError> {
        self.with(|svc| svc.admitted(fp).map_err(|e| e.to_api()))
    }
}

fn closing() -> ApiError {
    ApiError::new(ErrorKind::Unavailable, "warroom is closing")
}

/// The peer endpoints, for a connection whose caller is known.
fn router<H: Lock>(ctx: Arc<Ctx<H>>) -> Router {
    let members = Router::new()
        .route("/v1/hello", post(hello::<H>).layer(DefaultBodyLimit::max(SMALL_BODY_LIMIT)))
        .route("/v1/pull", post(pull::<H>))
        .route("/v1/push", post(push::<H>))
        .route("/v1/events", get(events::<H>))
        .layer(middleware::from_fn_with_state(Arc::clone(&ctx), admit::<H>));
    Router::new()
        .route("/v1/join", post(join::<H>).layer(DefaultBodyLimit::max(SMALL_BODY_LIMIT)))
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
    match c.admitted(&fp) {
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
    let answer = c.with(|svc| svc.room_admit(&caller.fingerprint, &caller.exporter, &req).map_err(|e| e.to_api()))?;
    Ok(Json(answer))
}

async fn events<H: Lock>(State(c): State<Arc<Ctx<H>>>) -> Result<impl IntoResponse, Failure> {
    let host = c.host.upgrade().ok_or_else(closing)?;
    Ok(change_stream(host.subscribe()))
}

async fn hello<H: Lock>(State(c): State<Arc<Ctx<H>>>) -> Result<Json<Hello>, Failure> {
    Ok(Json(c.with(|svc| svc.sync_hello().map_err(|e| e.to_api()))?))
}

async fn pull<H: Lock>(
    State(c): State<Arc<Ctx<H>>>,
    Extension(caller): Extension<Caller>,
    Json(req): Json<PullRequest>,
) -> Result<Json<Page>, Failure> {
    let page = c.with(|svc| svc.sync_pull(&req).map_err(|e| e.to_api()))?;
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
    Ok(Json(c.with(|svc| svc.sync_push(&events).map_err(|e| e.to_api()))?))
}

/// A laptop's peer service: listens for peers and keeps in step with them, until it is stopped
/// or dropped.
pub struct Node<H: Lock> {
    ctx: Arc<Ctx<H>>,
    me: Identity,
}

impl<H: Lock> Node<H> {
    /// A node for `host`, which it does not keep alive: when the shell lets go of the host, the
    /// node's work ends.
    pub fn new(host: &Arc<H>, me: Identity, clock: Arc<dyn Clock>) -> Self {
        Self { ctx: Arc::new(Ctx::new(host, clock)), me }
    }

    /// How each peer was last seen.
    pub fn book(&self) -> Arc<Book> {
        Arc::clone(&self.ctx.book)
    }

    /// How many of its tasks are running: the listener and one per open connection, the
    /// followers' overseer, and per followed laptop its follower and change-stream reader.
    pub fn tasks(&self) -> usize {
        self.ctx.tasks.len()
    }

    /// Ends all its work: the listener and its connections, LAN discovery, and every follower.
    /// The tasks end at their next step, without waiting for the network.
    pub fn stop(&self) {
        self.ctx.stop.cancel();
        self.ctx.tasks.close();
        let discovery = self.ctx.discovery.lock().ok().and_then(|mut d| d.take());
        drop(discovery);
    }

    /// Listens for peers on `bind` until the node stops; the address it listens on, which is
    /// also recorded for the join codes this laptop makes.
    pub async fn listen(&self, bind: SocketAddr) -> std::io::Result<SocketAddr> {
        let tls = self.me.server_config().map_err(std::io::Error::other)?;
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        self.ctx
            .with(|svc| svc.set_listening(addr).map_err(|e| e.to_api()))
            .map_err(|e| std::io::Error::other(e.message))?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let app = router(Arc::clone(&self.ctx));
        let (stop, tasks) = (self.ctx.stop.clone(), self.ctx.tasks.clone());
        self.ctx.tasks.spawn(super::gate::accept_loop(listener, acceptor, app, stop, tasks));
        Ok(addr)
    }

    /// Advertises this laptop's room on the LAN (mDNS) and remembers the room's laptops seen
    /// there, members only, for `follow_all` to pick up. False when the database is not a room.
    pub fn discover(&self, port: u16) -> Result<bool, super::discovery::DiscoveryError> {
        let room = self.ctx.with(|svc| svc.room().map_err(|e| e.to_api())).ok().flatten();
        let Some(room) = room else { return Ok(false) };
        let ctx = Arc::downgrade(&self.ctx);
        let found = move |peer: KnownPeer| {
            let Some(ctx) = ctx.upgrade() else { return };
            let remembered = ctx.with(|svc| {
                if svc.admitted(&peer.fingerprint).map_err(|e| e.to_api())? {
                    svc.remember_peer(&peer).map_err(|e| e.to_api())?;
                }
                Ok(())
            });
            if let Err(e) = remembered {
                tracing::warn!("a laptop of the room was seen on the network but not remembered: {}", e.message);
            }
        };
        let d = super::discovery::Discovery::start(&room.id, &self.me.fingerprint(), port, found)?;
        if let Ok(mut slot) = self.ctx.discovery.lock() {
            *slot = Some(d);
        }
        Ok(true)
    }

    /// Keeps this laptop in step with the member laptops in `named` and every member it learns
    /// of while it runs (a laptop that joined through it, the one it joined through), with one
    /// follower per laptop however many addresses it is known at. A laptop that is not a member
    /// is not followed; a revoked one's follower ends, and starts again if it is trusted again.
    /// Must be called within a tokio runtime.
    pub fn follow_all(&self, named: Vec<KnownPeer>) {
        let (ctx, me) = (Arc::clone(&self.ctx), self.me.clone());
        self.ctx.tasks.spawn(async move {
            let mut followed: BTreeMap<String, Followed> = BTreeMap::new();
            let mut tick = tokio::time::interval(EVERY);
            loop {
                tokio::select! {
                    () = ctx.stop.cancelled() => return,
                    _ = tick.tick() => {}
                }
                if ctx.host.strong_count() == 0 {
                    return;
                }
                followed.retain(|_, f| !f.task.is_finished());
                // Where this laptop serves, for the others to find it without whoever invited
                // them; and where they serve, as they said.
                let fp = me.fingerprint();
                let known = ctx
                    .with(|svc| {
                        svc.publish_addresses(&fp).map_err(|e| e.to_api())?;
                        let mut known = room::known_peers(svc.store()).map_err(|e| e.to_api())?;
                        known.extend(addresses::gossiped(svc.store(), &fp).map_err(|e| e.to_api())?);
                        Ok(known)
                    })
                    .unwrap_or_default();
                for peer in named.iter().cloned().chain(known) {
                    if peer.fingerprint == me.fingerprint() {
                        continue;
                    }
                    if let Some(f) = followed.get(&peer.fingerprint) {
                        if let Ok(mut urls) = f.urls.lock()
                            && !urls.contains(&peer.url)
                        {
                            urls.push(peer.url);
                        }
                        continue;
                    }
                    let KnownPeer { url, fingerprint: fp } = peer;
                    if !ctx.admitted(&fp).unwrap_or(false) {
                        let why = not_member(&fp);
                        if ctx.book.not_syncing(&fp, &url, why.clone()) {
                            tracing::info!("{url}: {why}");
                        }
                        continue;
                    }
                    let http = match HttpPeer::new(&me, &url, &fp) {
                        Ok(http) => Arc::new(http),
                        Err(e) => {
                            let why = format!("cannot sync with it: {e}");
                            if ctx.book.not_syncing(&fp, &url, why.clone()) {
                                tracing::warn!("{url}: {why}");
                            }
                            continue;
                        }
                    };
                    let urls: Urls = Arc::new(Mutex::new(vec![url.clone()]));
                    let task =
                        ctx.tasks.spawn(follow(Arc::clone(&ctx), me.clone(), fp.clone(), Arc::clone(&urls), http));
                    followed.insert(fp, Followed { urls, task });
                }
            }
        });
    }
}

impl<H: Lock> Drop for Node<H> {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use crate::store::Store;
    use crate::sync::book::Seen;
    use crate::sync::follow::Shared;
    use crate::sync::{Replica, SyncError, VersionVector};
    use warroom_model::notify::NoticeKind;

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
            let mut svc = self.0.lock().unwrap();
            let out = f(&mut svc);
            let now = svc.changes();
            drop(svc);
            self.1.send_if_modified(|v| (*v != now).then(|| *v = now).is_some());
            out
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
        forged.sig = host.0.lock().unwrap().store().laptop_keys().unwrap().sign_hash(&forged.hash);
        let e = shared.apply(&[forged], clock.as_ref()).unwrap_err();
        assert!(matches!(e, SyncError::Store(crate::store::StoreError::Conflict { .. })), "{e}");
        assert_eq!(shared.apply(&[stored], clock.as_ref()).unwrap().duplicates, 1, "the stored one stands");
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_and_its_connection_closed() {
        use futures_util::StreamExt as _;
        use tower::ServiceExt as _;
        let clock = Arc::new(FakeClock::new("2026-01-31T06:00:00Z".parse().unwrap()));
        let svc = Service::with_demo(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        let host = Arc::new(TestHost(Mutex::new(svc), watch::channel(Changed::default()).0));
        let ctx = Arc::new(Ctx::new(&host, clock));
        let request = |body: axum::body::Body| {
            let mut r =
                axum::http::Request::post("/v1/join").header("content-type", "application/json").body(body).unwrap();
            r.extensions_mut().insert(Caller { fingerprint: "c".repeat(64), exporter: [0; 32] });
            r
        };
        let sized = |size: usize| request(axum::body::Body::from(vec![b' '; size]));
        let over = router(Arc::clone(&ctx)).oneshot(sized(SMALL_BODY_LIMIT + 1)).await.unwrap();
        assert_eq!(over.status(), 413, "a join is small: refused by its length, before reading");
        assert_eq!(over.headers()["connection"], "close");
        // Without a length (chunked), the body is read only up to the limit.
        let endless = futures_util::stream::repeat_with(|| Ok::<_, Infallible>(vec![b' '; 1024])).take(1024 * 1024);
        let streamed = router(Arc::clone(&ctx)).oneshot(request(axum::body::Body::from_stream(endless))).await.unwrap();
        assert_eq!(streamed.status(), 413, "a gigabyte sent in chunks is cut at the limit");
        let under = router(ctx).oneshot(sized(16)).await.unwrap();
        assert_eq!(under.status(), 400, "an empty body is refused for what it is");
        assert!(under.headers().get("connection").is_none(), "a read body leaves the connection open");
    }

    /// The runtime of the tests that follow a laptop, its threads named so: Linux names a
    /// thread after the one that started it unless it is given a name, so a thread started from
    /// one of its tasks carries this name too.
    const RT: &str = "node-test-rt";
    const WORKERS: usize = 2;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .thread_name(RT)
            .thread_keep_alive(Duration::from_millis(100))
            .enable_all()
            .build()
            .unwrap()
    }

    #[cfg(target_os = "linux")]
    fn threads_named(name: &str) -> usize {
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter(|t| {
                std::fs::read_to_string(t.as_ref().unwrap().path().join("comm")).is_ok_and(|c| c.trim_end() == name)
            })
            .count()
    }

    fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
        let until = std::time::Instant::now() + Duration::from_secs(10);
        while !f() {
            assert!(std::time::Instant::now() < until, "waited 10 s for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn lan() -> warroom_model::Author {
        warroom_model::Author { name: "Lan".into(), role: "Tech Lead".into() }
    }

    /// Two laptops of one room, each under a host of its own: Lan's, which made the room, and
    /// Huy's, a member that holds the same log.
    fn two_laptops(clock: &Arc<FakeClock>) -> [(Arc<TestHost>, Identity); 2] {
        let mut a = Service::with_demo(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        a.set_me(&warroom_model::api::Me { name: "Lan".into(), role: "Tech Lead".into() }).unwrap();
        a.room_create(Some("Lan's laptop")).unwrap();
        let mut b = Service::new(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        let (id_a, id_b) = (a.identity().unwrap(), b.identity().unwrap());
        crate::sync::members::trust(a.store_mut(), &lan(), &id_b.fingerprint(), "Huy's laptop", clock.as_ref())
            .unwrap();
        b.sync_push(&a.store().events_after(&VersionVector::new(), super::super::MAX_PAGE).unwrap()).unwrap();
        let host = |svc| Arc::new(TestHost(Mutex::new(svc), watch::channel(Changed::default()).0));
        [(host(a), id_a), (host(b), id_b)]
    }

    fn seen(node: &Node<TestHost>, fp: &str) -> Seen {
        node.book().0.lock().unwrap().get(fp).cloned().unwrap_or_default()
    }

    #[test]
    fn a_revoked_laptops_follower_ends_and_a_stopped_node_leaves_no_task_or_thread_behind() {
        let rt = runtime();
        let clock = Arc::new(FakeClock::new("2026-01-31T06:00:00Z".parse().unwrap()));
        let [(a, id_a), (b, id_b)] = two_laptops(&clock);
        let fp_b = id_b.fingerprint();
        let node_b = Node::new(&b, id_b, clock.clone());
        let at = rt.block_on(node_b.listen("127.0.0.1:0".parse().unwrap())).unwrap();
        let node_a = Node::new(&a, id_a, clock.clone());
        {
            let _inside = rt.enter();
            node_a.follow_all(vec![KnownPeer { url: format!("https://{at}"), fingerprint: fp_b.clone() }]);
        }
        wait_for("Lan's laptop to be in step with Huy's", || {
            let s = seen(&node_a, &fp_b);
            s.at.is_some() && s.error.is_none()
        });
        assert_eq!(node_a.tasks(), 3, "the overseer, Huy's follower and its change-stream reader");
        let huy = b.with(|svc| Ok(svc.store().origin().to_owned())).unwrap();
        b.with(|svc| {
            crate::sync::members::trust(svc.store_mut(), &lan(), &"c".repeat(64), "Mai's laptop", clock.as_ref())
                .map_err(|e| e.to_api())
        })
        .unwrap();
        wait_for("a change on Huy's laptop to reach Lan's", || {
            a.with(|svc| Ok(svc.store().version_vector().unwrap())).unwrap().contains_key(&huy)
        });

        a.with(|svc| {
            crate::sync::members::revoke(svc.store_mut(), &lan(), &fp_b, clock.as_ref()).map_err(|e| e.to_api())
        })
        .unwrap();
        wait_for("Huy's follower and its reader to end", || node_a.tasks() == 1);
        let error = seen(&node_a, &fp_b).error.unwrap_or_default();
        assert!(error.contains("not a member of the room"), "{error}");
        wait_for("Lan's connections to Huy's laptop to close", || node_b.tasks() == 1);

        a.with(|svc| {
            crate::sync::members::trust(svc.store_mut(), &lan(), &fp_b, "Huy's laptop", clock.as_ref())
                .map_err(|e| e.to_api())
        })
        .unwrap();
        wait_for("Huy's laptop to be followed again once trusted again", || {
            node_a.tasks() == 3 && seen(&node_a, &fp_b).error.is_none()
        });

        node_a.stop();
        wait_for("every task of Lan's node to end", || node_a.tasks() == 0);
        node_b.stop();
        wait_for("every task of Huy's node to end", || node_b.tasks() == 0);
        assert!(std::net::TcpStream::connect(at).is_err(), "the stopped listener let go of its port");
        #[cfg(target_os = "linux")]
        wait_for("no thread but the runtime's workers", || threads_named(RT) == WORKERS);
    }

    #[test]
    fn a_node_whose_host_is_gone_stops_following() {
        let rt = runtime();
        let clock = Arc::new(FakeClock::new("2026-01-31T06:00:00Z".parse().unwrap()));
        let [(a, id_a), (b, id_b)] = two_laptops(&clock);
        let fp_b = id_b.fingerprint();
        let node_b = Node::new(&b, id_b, clock.clone());
        let at = rt.block_on(node_b.listen("127.0.0.1:0".parse().unwrap())).unwrap();
        let node_a = Node::new(&a, id_a, clock.clone());
        {
            let _inside = rt.enter();
            node_a.follow_all(vec![KnownPeer { url: format!("https://{at}"), fingerprint: fp_b.clone() }]);
        }
        wait_for("Lan's laptop to be in step with Huy's", || seen(&node_a, &fp_b).at.is_some());
        let gone = Arc::downgrade(&a);
        drop(a);
        wait_for("the host to be gone: the node does not keep it alive", || gone.upgrade().is_none());
        wait_for("the follower, its reader and the overseer to end", || node_a.tasks() == 0);
        wait_for("Lan's connections to Huy's laptop to close", || node_b.tasks() == 1);
    }
}
