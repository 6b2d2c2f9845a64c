//! `warroom serve`: the browser UI and its HTTP API over the same core `Service` the desktop
//! app uses, plus server-sent events so every open page refreshes by itself. On 127.0.0.1 the
//! local person may do everything; bound to a LAN address, anyone on the LAN gets the read-only
//! wall view and only a browser presenting the access token may write. Secrets come out hidden
//! unless a writer asks to reveal them (`?reveal=1`); a request by any name but this laptop's
//! addresses and `localhost` is refused before any handler (DNS rebinding); every answer carries
//! the security headers.

use anyhow::{Context, Result};
use axum::extract::{Query, Request as HttpRequest, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use subtle::ConstantTimeEq as _;
use warroom_core::host::{self, Host};
use warroom_core::report;
use warroom_core::secrets::{self, SecretsError};
use warroom_core::service::{Service, ServiceError};
use warroom_core::web::{self, Hosts};
use warroom_model::api::{ImportRequest, Me, Paper, ReportFormat, Request};
use warroom_model::notify::{Notice, NotifySettings, Shown, Snooze};
use warroom_model::peers::{Invitation, RoomView};
use warroom_model::{ApiError, ErrorKind, RunId};

/// Shared by every request: core's host, and who may write.
pub(crate) struct AppState {
    host: Arc<Host>,
    /// Required for writes unless `open`.
    token: String,
    /// Loopback: the person at this laptop may write without the token.
    open: bool,
    /// The names requests may be addressed to.
    hosts: Hosts,
}

impl AppState {
    /// For a server bound to `bind`: loopback-only binds are open to the person at the laptop.
    pub(crate) fn new(host: Arc<Host>, token: String, bind: IpAddr) -> Arc<Self> {
        Arc::new(Self { host, token, open: bind.is_loopback(), hosts: Hosts::new(bind) })
    }

    fn may_write(&self, headers: &HeaderMap) -> bool {
        self.open || bearer(headers).is_some_and(|t| bool::from(t.as_bytes().ct_eq(self.token.as_bytes())))
    }
}

/// Whether a request may see secrets in clear: only someone who may write and asked to reveal
/// them (`?reveal=1`), which the wall view never does.
struct Reveal(bool);

impl axum::extract::FromRequestParts<Arc<AppState>> for Reveal {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, s: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        Ok(Self(reveal_asked(&parts.uri) && s.may_write(&parts.headers)))
    }
}

impl Reveal {
    /// `value` as this request may see it.
    fn shown<T: serde::Serialize + serde::de::DeserializeOwned>(&self, value: T) -> Result<Json<T>, Failure> {
        if self.0 {
            return Ok(Json(value));
        }
        secrets::hidden(value).map(Json).map_err(hiding_failed)
    }
}

fn hiding_failed(e: SecretsError) -> Failure {
    Failure(ApiError::new(ErrorKind::Internal, e.to_string()))
}

fn reveal_asked(uri: &Uri) -> bool {
    uri.query().is_some_and(|q| q.split('&').any(|p| matches!(p, "reveal=1" | "reveal=true")))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}

pub(crate) use warroom_core::sync::node::Failure;

type ApiResult<T> = Result<Json<T>, Failure>;

/// The HTTP API and, when `ui` names the built UI, the UI itself.
pub(crate) fn router(state: Arc<AppState>, ui: Option<&Path>) -> Router {
    let api = Router::new()
        .route("/session", get(session))
        .route("/runbook", get(runbook))
        .route("/status", get(status))
        .route("/activity", get(activity))
        .route("/me", get(me).put(set_me))
        .route("/act", post(act))
        .route("/import", post(import))
        .route("/import/preview", post(import_preview))
        .route("/demo", post(open_demo))
        .route("/about", get(about))
        .route("/events", get(events))
        .route("/report", get(report))
        .route("/notify/settings", get(notify_settings).put(set_notify_settings))
        .route("/notify/recent", get(recent_notifications))
        .route("/notify/snooze", post(snooze))
        .route("/peers", get(peers))
        .route("/room", post(room_create))
        .route("/room/invite", post(room_invite))
        .fallback(|| async { Failure(ApiError::new(ErrorKind::NotFound, "no such API endpoint")) })
        .layer(middleware::from_fn_with_state(Arc::clone(&state), guard));
    let app = Router::new().nest("/api", api);
    let app = match ui {
        Some(dir) => app.fallback_service(
            tower_http::services::ServeDir::new(dir)
                .fallback(tower_http::services::ServeFile::new(dir.join("index.html"))),
        ),
        None => app.fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "warroom's UI is not built: run scripts/build-ui.sh, or pass --ui DIR. The API is under /api/.",
            )
        }),
    };
    let index = ui.and_then(|dir| std::fs::read_to_string(dir.join("index.html")).ok());
    let csp = HeaderValue::from_str(&web::content_security_policy(index.as_deref()))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"));
    app.layer(middleware::from_fn_with_state(Arc::clone(&state), addressed_to_us))
        .layer(middleware::map_response(move |mut r: Response| {
            let csp = csp.clone();
            async move {
                let h = r.headers_mut();
                h.insert(header::CONTENT_SECURITY_POLICY, csp);
                for (name, value) in web::SECURITY_HEADERS {
                    h.insert(name, HeaderValue::from_static(value));
                }
                r
            }
        }))
        .with_state(state)
}

/// Refuses, before any handler, a request addressed to a name that is not this laptop's: a
/// page whose name was rebound to this address must not reach the API or the UI.
async fn addressed_to_us(State(state): State<Arc<AppState>>, req: HttpRequest, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    if host.is_some_and(|h| state.hosts.allows(h)) {
        return next.run(req).await;
    }
    (
        StatusCode::MISDIRECTED_REQUEST,
        "warroom answers only at this laptop's addresses and localhost: open the link `warroom serve` printed",
    )
        .into_response()
}

/// Writes need the token unless the server is loopback-only.
async fn guard(State(state): State<Arc<AppState>>, req: HttpRequest, next: Next) -> Response {
    let writes = !matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    if writes && !state.may_write(req.headers()) {
        return Failure(ApiError::new(
            ErrorKind::Forbidden,
            "this is the read-only wall view: open the link with the access token that `warroom serve` printed to record anything",
        ))
        .into_response();
    }
    next.run(req).await
}

async fn session(State(s): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult<warroom_model::api::Session> {
    let can_write = s.may_write(&headers);
    Ok(Json(s.host.with(|svc| svc.session(can_write))?))
}

async fn runbook(State(s): State<Arc<AppState>>, r: Reveal) -> ApiResult<warroom_model::Loaded> {
    r.shown(s.host.with(|svc| svc.loaded())?)
}

#[derive(serde::Deserialize)]
struct StatusQuery {
    run: Option<RunId>,
    now: Option<DateTime<Utc>>,
}

async fn status(
    State(s): State<Arc<AppState>>,
    Query(q): Query<StatusQuery>,
    r: Reveal,
) -> ApiResult<Option<warroom_model::live::Status>> {
    r.shown(s.host.with(|svc| svc.status(q.run.as_ref(), q.now))?)
}

#[derive(serde::Deserialize)]
struct ActivityQuery {
    limit: Option<usize>,
}

async fn activity(
    State(s): State<Arc<AppState>>,
    Query(q): Query<ActivityQuery>,
    r: Reveal,
) -> ApiResult<Vec<warroom_model::api::Activity>> {
    let n = q.limit.unwrap_or(200).min(5000);
    r.shown(s.host.with(|svc| svc.activity(n))?)
}

async fn me(State(s): State<Arc<AppState>>) -> ApiResult<Me> {
    Ok(Json(s.host.with(|svc| svc.me())?))
}

async fn set_me(State(s): State<Arc<AppState>>, Json(me): Json<Me>) -> ApiResult<Me> {
    Ok(Json(s.host.with(|svc| svc.set_me(&me))?))
}

/// The room and its laptops as this one sees them (the peers panel).
async fn peers(State(s): State<Arc<AppState>>) -> ApiResult<RoomView> {
    Ok(Json(s.host.room_view()?))
}

async fn room_create(State(s): State<Arc<AppState>>) -> ApiResult<RoomView> {
    s.host.with(|svc| svc.room_create(None))?;
    peers(State(s)).await
}

#[derive(serde::Deserialize)]
struct InviteQuery {
    hours: Option<u32>,
    /// How many laptops the code admits (default one).
    uses: Option<std::num::NonZeroU32>,
}

async fn room_invite(State(s): State<Arc<AppState>>, Query(q): Query<InviteQuery>) -> ApiResult<Invitation> {
    use warroom_core::sync::room::{Terms, USES, VALID_HOURS};
    let terms = Terms { hours: q.hours.unwrap_or(VALID_HOURS), uses: q.uses.unwrap_or(USES) };
    Ok(Json(s.host.with(|svc| svc.invitation(terms))?))
}

async fn notify_settings(State(s): State<Arc<AppState>>) -> ApiResult<NotifySettings> {
    Ok(Json(s.host.with(|svc| svc.notify_settings())?))
}

async fn set_notify_settings(
    State(s): State<Arc<AppState>>,
    Json(settings): Json<NotifySettings>,
) -> ApiResult<NotifySettings> {
    let saved = s.host.with(|svc| svc.set_notify_settings(&settings))?;
    s.host.kick();
    Ok(Json(saved))
}

async fn recent_notifications(State(s): State<Arc<AppState>>) -> ApiResult<Vec<Shown>> {
    Ok(Json(s.host.with(|svc| svc.recent_notifications())?))
}

async fn snooze(State(s): State<Arc<AppState>>, Json(req): Json<Snooze>) -> ApiResult<Notice> {
    let notice = s.host.with(|svc| svc.snooze(&req.key, req.minutes))?;
    s.host.kick();
    Ok(Json(notice))
}

async fn act(
    State(s): State<Arc<AppState>>,
    r: Reveal,
    Json(req): Json<Request>,
) -> ApiResult<warroom_model::api::Done> {
    r.shown(s.host.with(|svc| svc.act(&req))?)
}

/// Only a writer imports, and the answer speaks of the file they sent: nothing to hide from them.
async fn import(
    State(s): State<Arc<AppState>>,
    Json(req): Json<ImportRequest>,
) -> ApiResult<warroom_model::api::ImportOutcome> {
    Ok(Json(s.host.with(|svc| svc.import(&req))?))
}

/// Settings → About: the version, the database, the log folder, and what this laptop lacks.
async fn about(State(s): State<Arc<AppState>>) -> ApiResult<warroom_model::api::About> {
    Ok(Json(s.host.with(|svc| Ok::<_, ServiceError>(svc.about()))?))
}

/// Opens the bundled demo on a laptop that holds no runbook yet (the Welcome screen's choice).
async fn open_demo(State(s): State<Arc<AppState>>) -> ApiResult<warroom_model::api::ImportOutcome> {
    Ok(Json(s.host.with(|svc| svc.open_demo())?))
}

/// What importing the file would change; nothing is written. A writer's, like the import.
async fn import_preview(
    State(s): State<Arc<AppState>>,
    Json(req): Json<ImportRequest>,
) -> ApiResult<warroom_model::api::ImportOutcome> {
    Ok(Json(s.host.with(|svc| svc.preview_import(&req))?))
}

#[derive(serde::Deserialize)]
struct ReportQuery {
    run: Option<RunId>,
    #[serde(default)]
    format: Option<ReportFormat>,
    #[serde(default)]
    paper: Paper,
}

/// The audit record: the printable page by default, or `?format=pdf` as a download, its secrets
/// hidden unless revealed. It is read under the lock and laid out outside it, so a long record
/// does not hold up the room.
async fn report(State(s): State<Arc<AppState>>, Query(q): Query<ReportQuery>, r: Reveal) -> Result<Response, Failure> {
    let rec = s.host.with(|svc| svc.record(q.run.as_ref()))?;
    let rec = if r.0 { rec } else { rec.hidden().map_err(hiding_failed)? };
    let format = q.format.unwrap_or(ReportFormat::Html);
    let (name, bytes) = tokio::task::spawn_blocking(move || {
        report::render(&rec, format, q.paper).map(|b| (report::file_name(&rec, format), b))
    })
    .await
    .map_err(|e| ApiError::new(ErrorKind::Internal, format!("the record could not be laid out: {e}")))?
    .map_err(ServiceError::from)
    .map_err(ApiError::from)?;
    Ok(match format {
        ReportFormat::Html => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes).into_response(),
        ReportFormat::Pdf => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            ],
            bytes,
        )
            .into_response(),
    })
}

/// `changed` with what moved whenever anything changes; open pages then re-read.
async fn events(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    warroom_core::sync::node::change_stream(s.host.subscribe())
}

/// Where the built UI is: `--ui`, else next to the binary (`ui/`), else this source tree's.
pub(crate) fn find_ui(explicit: Option<PathBuf>) -> Option<PathBuf> {
    let candidates = explicit.into_iter().chain(
        std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(|d| d.join("ui")))
            .into_iter()
            .chain([PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/dist"))]),
    );
    candidates.into_iter().find(|d| d.join("index.html").is_file())
}

/// A fresh random access token (128 bits, hex). Without OS randomness there is no safe token.
pub(crate) fn new_token() -> Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no OS randomness for the access token: {e}"))?;
    Ok(hex::encode(b))
}

/// The writers' link as a QR code drawn with block characters, for a phone or laptop camera.
pub(crate) fn qr(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .build(),
        Err(_) => String::new(),
    }
}

/// How `serve` takes part in peer sync.
#[derive(Clone, Debug, Default)]
pub(crate) struct PeerOptions {
    /// Serve the room's member laptops on this address.
    pub bind: Option<SocketAddr>,
    /// Peers to keep in step with besides those this laptop knows.
    pub connect: Vec<crate::peer::PeerSpec>,
    /// Peers only: no browser UI or API.
    pub relay: bool,
    /// Advertise the room and find its laptops on the LAN (mDNS).
    pub mdns: bool,
}

/// Serves until interrupted. Prints the address first (tests read it), then the links.
pub(crate) async fn serve(svc: Service, bind: SocketAddr, ui: Option<PathBuf>, peers: PeerOptions) -> Result<()> {
    let open = bind.ip().is_loopback();
    let token = new_token()?;
    let host = Host::new(svc, tokio::runtime::Handle::current());
    let state = AppState::new(Arc::clone(&host), token.clone(), bind.ip());
    let mut lines = Vec::new();
    let listener = if peers.relay {
        None
    } else {
        let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
        let addr = listener.local_addr()?;
        lines.push(format!("warroom serving http://{addr}/"));
        if open {
            lines.push(format!(
                "Only this laptop can reach it. Bind a LAN address (--bind 0.0.0.0:{}) to share it.",
                addr.port()
            ));
        } else {
            let writers = format!("http://{addr}/#token={token}");
            lines.push(format!("Wall view (read-only, anyone on the network): http://{addr}/#wall"));
            lines.push(format!("Link for people who record (keep it in the room): {writers}"));
            lines.push(qr(&writers));
        }
        Some(listener)
    };
    if peers.bind.is_some() || !peers.connect.is_empty() {
        let opts = host::PeerOptions {
            bind: peers.bind,
            any_port: false,
            connect: peers.connect.into_iter().map(|p| p.0).collect(),
            mdns: peers.mdns,
        };
        let started = host.start_peers(opts)?;
        lines.extend(started.warnings.iter().map(|w| format!("warning: {w}")));
        if let Some(at) = started.at {
            let what = if peers.relay { "relaying for the room's laptops" } else { "peers" };
            let fingerprint = host.with(|svc| svc.identity())?.fingerprint();
            lines.push(format!("warroom {what}: https://{at}/ fingerprint {fingerprint}"));
            if host.with(|svc| svc.room())?.is_none() {
                lines.push("this database is not a room yet: `warroom room create` (or `room join CODE`)".into());
            }
        }
    }
    let ui = find_ui(ui);
    if ui.is_none() && listener.is_some() {
        lines.push("warning: the UI is not built (scripts/build-ui.sh); serving the API only".into());
    }
    {
        // Written, not printed: a closed stdout (a test that read the first line) is no reason
        // to stop.
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        for l in lines {
            if writeln!(out, "{l}").is_err() {
                break;
            }
        }
        if out.flush().is_err() {
            tracing::debug!("standard output is closed");
        }
    }
    host.watch_external();
    let Some(listener) = listener else {
        shutdown().await;
        return Ok(());
    };
    let app = router(state, ui.as_deref());
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await.context("the server stopped")?;
    Ok(())
}

/// Resolves at Ctrl+C; without a way to hear it, never.
async fn shutdown() {
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::warn!("cannot listen for Ctrl+C ({e}): stop warroom serve with a signal");
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests;
