//! `warroom serve`'s API driven in-process: who may read and write, what each route answers,
//! and what a request from elsewhere gets.

use super::*;
use axum::body::Body;
use chrono::TimeZone;
use http_body_util::BodyExt;
use tower::ServiceExt;
use warroom_core::{FakeClock, Store};

fn state(open: bool) -> Arc<AppState> {
    let clock = Arc::new(FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).unwrap()));
    let svc = Service::with_demo(Store::open_in_memory().unwrap(), clock).unwrap();
    let bind = if open { "127.0.0.1" } else { "192.0.2.7" };
    AppState::new(Host::new(svc, tokio::runtime::Handle::current()), "s3cret".into(), bind.parse().unwrap())
}

async fn call(app: &Router, method: &str, uri: &str, token: Option<&str>, body: &str) -> (StatusCode, String) {
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "localhost:7878")
        .header("content-type", "application/json");
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

    let req = axum::http::Request::builder()
        .uri("/api/report?format=pdf")
        .header("host", "localhost")
        .body(Body::empty())
        .unwrap();
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
    let (code, body) = call(&app, "PUT", "/api/notify/settings", None, r#"{"task_due_minutes":10,"lang":"vi"}"#).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert!(body.contains("\"task_due_minutes\":10") && body.contains("\"lang\":\"vi\""), "{body}");
    let (code, body) = call(&app, "PUT", "/api/notify/settings", None, r#"{"task_due_minutes":100000}"#).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, body) = call(&app, "GET", "/api/notify/settings", None, "").await;
    assert!(body.contains("\"task_due_minutes\":10"), "the refused change changed nothing: {body}");
    assert_eq!(call(&app, "GET", "/api/notify/recent", None, "").await.1, "[]");
    let (code, body) = call(&app, "POST", "/api/notify/snooze", None, r#"{"key":"task_due:1.1","minutes":5}"#).await;
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
    let decide = r#"{"by":{"name":"Lan","role":"Tech Lead"},"action":"checkpoint_decide","id":"nope","decision":"go"}"#;
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
        let req =
            axum::http::Request::builder().uri("/api/events").header("host", "localhost").body(Body::empty()).unwrap();
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

async fn send(app: &Router, req: axum::http::Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let (code, headers) = (resp.status(), resp.headers().clone());
    (code, headers, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test]
async fn a_request_by_a_rebound_name_is_refused_before_any_route_and_changes_nothing() {
    let app = router(state(true), None);
    let rebound = |method: &str, uri: &str, body: &str| {
        axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "rebind.evil.example:7878")
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    for (method, uri, body) in
        [("POST", "/api/act", START), ("GET", "/api/runbook", ""), ("GET", "/api/events", ""), ("GET", "/", "")]
    {
        let (code, headers, body) = send(&app, rebound(method, uri, body)).await;
        assert_eq!(code, StatusCode::MISDIRECTED_REQUEST, "{method} {uri}");
        assert!(String::from_utf8_lossy(&body).contains("this laptop's addresses"), "{method} {uri}");
        assert_eq!(headers["x-frame-options"], "DENY", "a refusal carries the headers too");
    }
    assert_eq!(call(&app, "GET", "/api/status", None, "").await.1, "null", "the rebound POST started nothing");
    let no_host = axum::http::Request::builder().uri("/api/runbook").body(Body::empty()).unwrap();
    assert_eq!(send(&app, no_host).await.0, StatusCode::MISDIRECTED_REQUEST, "no Host at all is no better");
    for ok in ["127.0.0.1:7878", "[::1]:7878", "localhost"] {
        let req = axum::http::Request::builder().uri("/api/runbook").header("host", ok).body(Body::empty()).unwrap();
        assert_eq!(send(&app, req).await.0, StatusCode::OK, "{ok}");
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(ui.path().join("index.html"), "<script type=\"module\">init()</script>").unwrap();
    let app = router(state(false), Some(ui.path()));
    for uri in ["/api/runbook", "/api/nothing", "/", "/index.html", "/api/report"] {
        let req = axum::http::Request::builder().uri(uri).header("host", "192.0.2.7:7878").body(Body::empty()).unwrap();
        let (_, h, _) = send(&app, req).await;
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"), "{uri}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{uri}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{uri}");
    }
}

#[tokio::test]
async fn secrets_are_hidden_from_every_answer_unless_a_writer_asks_to_reveal_them() {
    let st = state(false);
    let app = router(Arc::clone(&st), None);
    let edit = r#"{"by":{"name":"Lan","role":"Tech Lead"},"action":"edit_set","kind":"command","id":"x1","fields":[["command","psql -W {{secret:hunter2}}"]]}"#;
    let (code, done) = call(&app, "POST", "/api/act", Some("s3cret"), edit).await;
    assert_eq!(code, StatusCode::OK, "{done}");
    assert!(!done.contains("hunter2"), "not even in the answer to the write: {done}");
    assert_eq!(call(&app, "POST", "/api/act", Some("s3cret"), START).await.0, StatusCode::OK);
    let read = |uri: String, token: Option<&'static str>| {
        let app = app.clone();
        async move {
            let mut req = axum::http::Request::builder().uri(uri.as_str()).header("host", "192.0.2.7:7878");
            if let Some(t) = token {
                req = req.header("authorization", format!("Bearer {t}"));
            }
            let (code, _, body) = send(&app, req.body(Body::empty()).unwrap()).await;
            assert_eq!(code, StatusCode::OK, "{uri}");
            String::from_utf8_lossy(&body).into_owned()
        }
    };
    let routes = ["/api/runbook", "/api/activity", "/api/status", "/api/report"];
    for uri in routes {
        let body = read(uri.into(), None).await;
        assert!(!body.contains("hunter2"), "{uri}: hidden on the wall");
        if uri != "/api/status" {
            assert!(body.contains("{{secret:••••••}}"), "{uri}: marked as a secret");
        }
        assert!(!read(format!("{uri}?reveal=1"), None).await.contains("hunter2"), "{uri}: asking needs the token");
        assert!(!read(uri.into(), Some("s3cret")).await.contains("hunter2"), "{uri}: the token alone does not reveal");
    }
    for uri in ["/api/runbook", "/api/activity", "/api/report"] {
        let body = read(format!("{uri}?reveal=1"), Some("s3cret")).await;
        assert!(body.contains("psql -W {{secret:hunter2}}"), "{uri}: revealed to a writer who asked");
    }
}
