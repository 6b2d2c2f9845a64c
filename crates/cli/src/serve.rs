//! `warroom serve`: the browser UI and its HTTP API over the same core `Service` the desktop
//! app uses, plus server-sent events so every open page refreshes by itself. On 127.0.0.1 the
//! local person may do everything; bound to a LAN address, anyone on the LAN gets the read-only
//! wall view and only a browser presenting the access token may write.

use anyhow::{Context, Result};
use axum::extract::{Query, Request as HttpRequest, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use subtle::ConstantTimeEq as _;
use warroom_core::host::{self, Host};
use warroom_core::report;
use warroom_core::service::{Service, ServiceError};
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
}

impl AppState {
    pub(crate) fn new(host: Arc<Host>, token: String, open: bool) -> Arc<Self> {
        Arc::new(Self { host, token, open })
    }

    fn may_write(&self, headers: &HeaderMap) -> bool {
        self.open || bearer(headers).is_some_and(|t| bool::from(t.as_bytes().ct_eq(self.token.as_bytes())))
    }
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
    app.with_state(state)
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

async fn runbook(State(s): State<Arc<AppState>>) -> ApiResult<warroom_model::Loaded> {
    Ok(Json(s.host.with(|svc| svc.loaded())?))
}

#[derive(serde::Deserialize)]
struct StatusQuery {
    run: Option<RunId>,
    now: Option<DateTime<Utc>>,
}

async fn status(
    State(s): State<Arc<AppState>>,
    Query(q): Query<StatusQuery>,
) -> ApiResult<Option<warroom_model::live::Status>> {
    Ok(Json(s.host.with(|svc| svc.status(q.run.as_ref(), q.now))?))
}

#[derive(serde::Deserialize)]
struct ActivityQuery {
    limit: Option<usize>,
}

async fn activity(
    State(s): State<Arc<AppState>>,
    Query(q): Query<ActivityQuery>,
) -> ApiResult<Vec<warroom_model::api::Activity>> {
    let n = q.limit.unwrap_or(200).min(5000);
    Ok(Json(s.host.with(|svc| svc.activity(n))?))
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

async fn act(State(s): State<Arc<AppState>>, Json(req): Json<Request>) -> ApiResult<warroom_model::api::Done> {
    Ok(Json(s.host.with(|svc| svc.act(&req))?))
}

async fn import(
    State(s): State<Arc<AppState>>,
    Json(req): Json<ImportRequest>,
) -> ApiResult<warroom_model::api::ImportOutcome> {
    Ok(Json(s.host.with(|svc| svc.import(&req))?))
}

#[derive(serde::Deserialize)]
struct ReportQuery {
    run: Option<RunId>,
    #[serde(default)]
    format: Option<ReportFormat>,
    #[serde(default)]
    paper: Paper,
}

/// The audit record: the printable page by default, or `?format=pdf` as a download. It is read
/// under the lock and laid out outside it, so a long record does not hold up the room.
async fn report(State(s): State<Arc<AppState>>, Query(q): Query<ReportQuery>) -> Result<Response, Failure> {
    let rec = s.host.with(|svc| svc.record(q.run.as_ref()))?;
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
    let state = AppState::new(Arc::clone(&host), token.clone(), open);
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
mod tests {
    use super::*;
    use axum::body::Body;
    use chrono::TimeZone;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    use warroom_core::{FakeClock, Store};

    fn state(open: bool) -> Arc<AppState> {
        let clock = Arc::new(FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).unwrap()));
        let svc = Service::with_demo(Store::open_in_memory().unwrap(), clock).unwrap();
        AppState::new(Host::new(svc, tokio::runtime::Handle::current()), "s3cret".into(), open)
    }

    async fn call(app: &Router, method: &str, uri: &str, token: Option<&str>, body: &str) -> (StatusCode, String) {
        let mut req = axum::http::Request::builder().method(method).uri(uri).header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let resp = app.clone().oneshot(req.body(Body::from(body.to_owned())).unwrap()).await.unwrap();
        let code = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (code, String::from_utf8_lossy(&bytes).into_owned())
    }

    const START: &str = r#"{"by":{"name":"Lan","role":"Tech Lead"},"action":"run_start","kind":"live","date":"2026-01-31","tz":"Asia/Ho_Chi_Minh"}"#;

    #[tokio::test]
    async fn the_local_person_reads_and_writes() {
        let app = router(state(true), None);
        let (code, body) = call(&app, "GET", "/api/runbook", None, "").await;
        assert_eq!(code, StatusCode::OK);
        assert!(body.contains("\"is_demo\":true"));
        assert_eq!(call(&app, "GET", "/api/status", None, "").await.1, "null", "no run yet");
        let (code, body) = call(&app, "POST", "/api/act", None, START).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let (code, body) = call(&app, "GET", "/api/status", None, "").await;
        assert_eq!(code, StatusCode::OK);
        assert!(body.contains("\"schema\":\"warroom.status/1\""), "{body}");
    }

    #[tokio::test]
    async fn the_audit_record_prints_as_a_page_or_downloads_as_a_pdf() {
        let app = router(state(true), None);
        let (code, body) = call(&app, "GET", "/api/report", None, "").await;
        assert_eq!(code, StatusCode::NOT_FOUND, "no run yet: {body}");
        assert!(body.contains("no run yet"), "{body}");
        call(&app, "POST", "/api/act", None, START).await;

        let (code, page) = call(&app, "GET", "/api/report?paper=letter", None, "").await;
        assert_eq!(code, StatusCode::OK);
        assert!(page.contains("PARTIAL") && page.contains("size: letter"), "{page}");

        let req = axum::http::Request::builder().uri("/api/report?format=pdf").body(Body::empty()).unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/pdf");
        let disposition = resp.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_owned();
        assert!(disposition.starts_with("attachment; filename=\"audit-record-"), "{disposition}");
        assert!(disposition.ends_with("-partial.pdf\""), "{disposition}");
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        assert!(bytes.starts_with(b"%PDF-"));
    }

    #[tokio::test]
    async fn notification_settings_are_read_and_changed_and_bad_ones_refused() {
        let app = router(state(true), None);
        let (code, body) = call(&app, "GET", "/api/notify/settings", None, "").await;
        assert_eq!(code, StatusCode::OK);
        assert!(body.contains("\"task_due_minutes\":5") && body.contains("\"deadline_minutes\":[30,15,5,0]"), "{body}");
        let (code, body) =
            call(&app, "PUT", "/api/notify/settings", None, r#"{"task_due_minutes":10,"lang":"vi"}"#).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        assert!(body.contains("\"task_due_minutes\":10") && body.contains("\"lang\":\"vi\""), "{body}");
        let (code, body) = call(&app, "PUT", "/api/notify/settings", None, r#"{"task_due_minutes":100000}"#).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (_, body) = call(&app, "GET", "/api/notify/settings", None, "").await;
        assert!(body.contains("\"task_due_minutes\":10"), "the refused change changed nothing: {body}");
        assert_eq!(call(&app, "GET", "/api/notify/recent", None, "").await.1, "[]");
        let (code, body) =
            call(&app, "POST", "/api/notify/snooze", None, r#"{"key":"task_due:1.1","minutes":5}"#).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "nothing shown yet: {body}");
    }

    #[tokio::test]
    async fn on_the_lan_writes_need_the_token_and_refusals_change_nothing() {
        let st = state(false);
        let app = router(Arc::clone(&st), None);
        let (code, body) = call(&app, "POST", "/api/act", None, START).await;
        assert_eq!(code, StatusCode::FORBIDDEN);
        assert!(body.contains("\"kind\":\"forbidden\"") && body.contains("access token"), "{body}");
        let (code, _) = call(&app, "POST", "/api/act", Some("wrong"), START).await;
        assert_eq!(code, StatusCode::FORBIDDEN);
        let (code, _) = call(&app, "PUT", "/api/me", None, r#"{"name":"Eve","role":"x"}"#).await;
        assert_eq!(code, StatusCode::FORBIDDEN);
        assert_eq!(call(&app, "GET", "/api/status", None, "").await.1, "null", "nothing was recorded");
        let (_, session) = call(&app, "GET", "/api/session", None, "").await;
        assert!(session.contains("\"can_write\":false"), "{session}");
        let (_, session) = call(&app, "GET", "/api/session", Some("s3cret"), "").await;
        assert!(session.contains("\"can_write\":true"), "{session}");
        let (code, body) = call(&app, "POST", "/api/act", Some("s3cret"), START).await;
        assert_eq!(code, StatusCode::OK, "{body}");
    }

    #[tokio::test]
    async fn rule_refusals_are_typed_and_bad_json_is_a_client_error() {
        let app = router(state(true), None);
        call(&app, "POST", "/api/act", None, START).await;
        let decide =
            r#"{"by":{"name":"Lan","role":"Tech Lead"},"action":"checkpoint_decide","id":"nope","decision":"go"}"#;
        let (code, body) = call(&app, "POST", "/api/act", None, decide).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("\"kind\":\"invalid\"") && body.contains("nope"), "{body}");
        let go = r#"{"by":{"name":"Lan","role":"Tech Lead"},"action":"checkpoint_decide","id":"1.5","decision":"go"}"#;
        let (code, body) = call(&app, "POST", "/api/act", None, go).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let e: ApiError = serde_json::from_str(&body).unwrap();
        let Some(warroom_model::Refusal::SignOffsMissing { id, missing }) = &e.refusal else {
            panic!("the rule travels with its values: {body}")
        };
        assert_eq!((id.as_str(), missing.len()), ("1.5", 5), "{body}");
        assert!(e.text(warroom_model::notify::Lang::Vi).starts_with("chưa thể quyết định GO cho 1.5"), "{body}");
        let (code, _) = call(&app, "POST", "/api/act", None, "{not json").await;
        assert!(code.is_client_error());
        let (code, body) = call(&app, "GET", "/api/nothing", None, "").await;
        assert_eq!(code, StatusCode::NOT_FOUND);
        assert!(body.contains("not_found"), "{body}");
    }

    #[tokio::test]
    async fn a_change_moves_the_event_stream() {
        let st = state(true);
        let mut rx = st.host.subscribe();
        let before = *rx.borrow_and_update();
        let app = router(Arc::clone(&st), None);
        call(&app, "POST", "/api/act", None, START).await;
        assert!(rx.has_changed().unwrap());
        assert!(rx.borrow_and_update().version > before.version);
    }

    #[tokio::test]
    async fn the_event_stream_says_whether_the_runbook_changed() {
        let st = state(true);
        let app = router(Arc::clone(&st), None);
        let first = |app: Router| async move {
            let req = axum::http::Request::builder().uri("/api/events").body(Body::empty()).unwrap();
            let mut body = app.oneshot(req).await.unwrap().into_body();
            let frame = body.frame().await.unwrap().unwrap().into_data().unwrap();
            let text = String::from_utf8_lossy(&frame).into_owned();
            let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap_or_else(|| panic!("{text}"));
            assert!(text.contains("event: changed"), "{text}");
            serde_json::from_str::<warroom_model::api::Changed>(data).unwrap()
        };
        let before = first(app.clone()).await;
        call(&app, "POST", "/api/act", None, START).await;
        let task = r#"{"by":{"name":"Lan","role":"Tech Lead"},"action":"task","task":"1.1","verb":"start"}"#;
        assert_eq!(call(&app, "POST", "/api/act", None, task).await.0, StatusCode::OK);
        let acted = first(app.clone()).await;
        assert!(acted.version > before.version);
        assert_eq!(acted.runbook, before.runbook, "a run and a task: the runbook is as it was");
        let edit = r#"{"by":{"name":"Lan","role":"Tech Lead"},"action":"edit_set","kind":"task","id":"1.2","fields":[["owner","QA Lead"]]}"#;
        assert_eq!(call(&app, "POST", "/api/act", None, edit).await.0, StatusCode::OK);
        let edited = first(app.clone()).await;
        assert!(edited.runbook > acted.runbook && edited.version > acted.version);
        let (_, session) = call(&app, "GET", "/api/session", None, "").await;
        let session: warroom_model::api::Session = serde_json::from_str(&session).unwrap();
        assert_eq!(session.changes, edited, "the session says where the changes stand");
    }

    #[tokio::test]
    async fn the_peers_panel_shows_the_room_and_a_join_code_says_where_to_reach_this_laptop() {
        let st = state(false);
        let app = router(Arc::clone(&st), None);
        let (code, body) = call(&app, "GET", "/api/peers", None, "").await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let view: RoomView = serde_json::from_str(&body).unwrap();
        assert!(view.room.is_none() && view.peers.is_empty() && !view.online);
        let (code, _) = call(&app, "POST", "/api/room", None, "").await;
        assert_eq!(code, StatusCode::FORBIDDEN, "the wall view makes no room");
        let (code, body) = call(&app, "POST", "/api/room", Some("s3cret"), "").await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let view: RoomView = serde_json::from_str(&body).unwrap();
        assert_eq!(view.room.unwrap().name, "GO-LIVE RUNBOOK");
        let (code, body) = call(&app, "POST", "/api/room/invite", Some("s3cret"), "").await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("does not serve peers"), "{body}");
        st.host.with(|svc| svc.set_listening("192.0.2.7:7879".parse().unwrap())).unwrap();
        let (code, body) = call(&app, "POST", "/api/room/invite?hours=2", Some("s3cret"), "").await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let inv: Invitation = serde_json::from_str(&body).unwrap();
        assert!(inv.code.starts_with("warroom://join?room=") && inv.code.ends_with("&at=192.0.2.7:7879"), "{inv:?}");
        assert!(inv.qr_svg.contains("<svg") && inv.hours == 2);
    }
}
