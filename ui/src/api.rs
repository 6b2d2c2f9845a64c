//! The only module that talks to the backend, through one interface over two transports:
//! inside the desktop app, Tauri commands (`window.__TAURI__.core.invoke`) and Tauri events;
//! in a plain browser, HTTP to `warroom serve` (`/api/...`) and server-sent events. Results and
//! errors arrive typed (`ApiError`), never as bare strings.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use warroom_model::api::{About, Activity, Changed, Done, ImportOutcome, ImportRequest, Me, Request, Saved, Session};
use warroom_model::live::Status;
use warroom_model::notify::{Notice, NotifySettings, Open, Shown, Snooze};
use warroom_model::peers::{Invitation, RoomView};
use warroom_model::{ApiError, ErrorKind, Loaded};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>) -> Result<JsValue, JsValue>;
}

/// Where the backend is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transport {
    Tauri,
    Http,
}

pub(crate) fn transport() -> Transport {
    if js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("__TAURI__")).unwrap_or(false) {
        Transport::Tauri
    } else {
        Transport::Http
    }
}

const TOKEN_KEY: &str = "warroom.token";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The access token for writes on a shared `warroom serve`: taken from the link's `#token=…`
/// once, kept in this browser, and removed from the address bar so it is not shown on a wall.
pub(crate) fn adopt_token_from_link() {
    let Some(window) = web_sys::window() else { return };
    let Ok(hash) = window.location().hash() else { return };
    if let Some(token) = hash.strip_prefix("#token=") {
        if storage().is_none_or(|s| s.set_item(TOKEN_KEY, token).is_err()) {
            warn("the access token could not be kept for this tab: reloading it will ask for the link again");
        }
        if let Ok(history) = window.history() {
            // Only hides the token from the address bar; the page works either way.
            history.replace_state_with_url(&JsValue::NULL, "", Some("/")).ok();
        }
    }
}

fn token() -> Option<String> {
    storage()?.get_item(TOKEN_KEY).ok().flatten()
}

fn unavailable(what: &str) -> ApiError {
    ApiError::new(ErrorKind::Unavailable, format!("cannot reach the warroom backend ({what})"))
}

fn to_js<A: Serialize>(args: &A) -> Result<JsValue, ApiError> {
    // Plain objects, not JS Maps: Tauri reads the arguments as JSON.
    args.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("cannot send the request: {e}")))
}

async fn invoke<T: DeserializeOwned>(cmd: &str, args: serde_json::Value) -> Result<T, ApiError> {
    match tauri_invoke(cmd, to_js(&args)?).await {
        Ok(v) => serde_wasm_bindgen::from_value(v)
            .map_err(|e| ApiError::new(ErrorKind::Internal, format!("unexpected answer to {cmd}: {e}"))),
        Err(e) => Err(serde_wasm_bindgen::from_value::<ApiError>(e.clone()).unwrap_or_else(|_| {
            ApiError::new(ErrorKind::Internal, e.as_string().unwrap_or_else(|| format!("{cmd} failed")))
        })),
    }
}

async fn http<T: DeserializeOwned>(method: &str, path: &str, body: Option<String>) -> Result<T, ApiError> {
    let text = http_text(method, path, body).await?;
    serde_json::from_str(&text)
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("unexpected answer from {path}: {e}")))
}

/// The body of a successful answer as text; a failure as the typed error it carries.
async fn http_text(method: &str, path: &str, body: Option<String>) -> Result<String, ApiError> {
    let window = web_sys::window().ok_or_else(|| unavailable("no window"))?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| unavailable("headers"))?;
    headers.set("content-type", "application/json").ok();
    if let Some(t) = token() {
        headers.set("authorization", &format!("Bearer {t}")).ok();
    }
    init.set_headers(&headers);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(&b));
    }
    let req = web_sys::Request::new_with_str_and_init(path, &init).map_err(|_| unavailable(path))?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(|_| unavailable("the network is down or the server stopped"))?
        .dyn_into()
        .map_err(|_| unavailable(path))?;
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    if resp.ok() {
        Ok(text)
    } else {
        Err(serde_json::from_str::<ApiError>(&text).unwrap_or_else(|_| {
            ApiError::new(ErrorKind::Internal, format!("{path}: HTTP {} {}", resp.status(), text.trim()))
        }))
    }
}

fn body<A: Serialize>(a: &A) -> Result<Option<String>, ApiError> {
    serde_json::to_string(a)
        .map(Some)
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("cannot send the request: {e}")))
}

pub(crate) async fn session() -> Result<Session, ApiError> {
    match transport() {
        Transport::Tauri => invoke("session", json!({})).await,
        Transport::Http => http("GET", "/api/session", None).await,
    }
}

/// The runbook; over HTTP its secrets come hidden unless `reveal` (and this browser may write).
/// Tells the desktop app its first picture is on screen (its launch benchmark waits for it);
/// a browser has nobody to tell.
pub(crate) async fn shown() -> Result<(), ApiError> {
    match transport() {
        Transport::Tauri => invoke("shown", json!({})).await,
        Transport::Http => Ok(()),
    }
}

pub(crate) async fn runbook(reveal: bool) -> Result<Loaded, ApiError> {
    match transport() {
        Transport::Tauri => invoke("runbook", json!({})).await,
        Transport::Http => http("GET", if reveal { "/api/runbook?reveal=1" } else { "/api/runbook" }, None).await,
    }
}

/// The live picture of the current run; `None` before a run is started.
pub(crate) async fn status() -> Result<Option<Status>, ApiError> {
    match transport() {
        Transport::Tauri => invoke("status", json!({ "run": null })).await,
        Transport::Http => http("GET", "/api/status", None).await,
    }
}

pub(crate) async fn act(req: &Request) -> Result<Done, ApiError> {
    match transport() {
        Transport::Tauri => invoke("act", json!({ "req": req })).await,
        Transport::Http => http("POST", "/api/act", body(req)?).await,
    }
}

pub(crate) async fn activity(limit: usize) -> Result<Vec<Activity>, ApiError> {
    match transport() {
        Transport::Tauri => invoke("activity", json!({ "limit": limit })).await,
        Transport::Http => http("GET", &format!("/api/activity?limit={limit}"), None).await,
    }
}

pub(crate) async fn import(req: &ImportRequest) -> Result<ImportOutcome, ApiError> {
    match transport() {
        Transport::Tauri => invoke("import_runbook", json!({ "req": req })).await,
        Transport::Http => http("POST", "/api/import", body(req)?).await,
    }
}

pub(crate) async fn preview_import(req: &ImportRequest) -> Result<ImportOutcome, ApiError> {
    match transport() {
        Transport::Tauri => invoke("preview_import", json!({ "req": req })).await,
        Transport::Http => http("POST", "/api/import/preview", body(req)?).await,
    }
}

/// Settings → About: the version, the database, the log folder, and what this laptop lacks.
pub(crate) async fn about() -> Result<About, ApiError> {
    match transport() {
        Transport::Tauri => invoke("about", json!({})).await,
        Transport::Http => http("GET", "/api/about", None).await,
    }
}

/// Opens the bundled demo on a laptop that holds no runbook yet (the Welcome screen's choice).
pub(crate) async fn open_demo() -> Result<ImportOutcome, ApiError> {
    match transport() {
        Transport::Tauri => invoke("open_demo", json!({})).await,
        Transport::Http => http("POST", "/api/demo", None).await,
    }
}

pub(crate) async fn set_me(me: &Me) -> Result<Me, ApiError> {
    match transport() {
        Transport::Tauri => invoke("set_me", json!({ "me": me })).await,
        Transport::Http => http("PUT", "/api/me", body(me)?).await,
    }
}

/// Opens the print dialog on the audit record of the current run (its printable page, not
/// this screen). The desktop app opens the page in its own window; a browser prints it from a
/// hidden frame.
pub(crate) async fn print_record() -> Result<(), ApiError> {
    match transport() {
        Transport::Tauri => invoke("print_report", json!({ "run": null, "paper": null })).await,
        Transport::Http => print_page(&http_text("GET", "/api/report", None).await?),
    }
}

/// Saves the audit record as a PDF. The desktop app writes it to the Downloads folder and says
/// where (`Some`); a browser downloads it from `warroom serve` itself (`None`).
pub(crate) async fn save_report() -> Result<Option<Saved>, ApiError> {
    match transport() {
        Transport::Tauri => invoke("save_report", json!({ "run": null, "paper": null })).await.map(Some),
        Transport::Http => {
            let (name, blob) = http_blob("/api/report?format=pdf").await?;
            let url =
                web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| unavailable("cannot hold the file"))?;
            let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| unavailable("no document"))?;
            let link: web_sys::HtmlAnchorElement = document
                .create_element("a")
                .ok()
                .and_then(|e| e.dyn_into().ok())
                .ok_or_else(|| unavailable("no document"))?;
            link.set_href(&url);
            link.set_download(&name);
            link.click();
            web_sys::Url::revoke_object_url(&url).ok();
            Ok(None)
        }
    }
}

/// A file from `warroom serve` and the name it gives it; a failure (no run yet) as the typed
/// error, so the app says it instead of the browser saving an error page.
async fn http_blob(path: &str) -> Result<(String, web_sys::Blob), ApiError> {
    let window = web_sys::window().ok_or_else(|| unavailable("no window"))?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|_| unavailable("the network is down or the server stopped"))?
        .dyn_into()
        .map_err(|_| unavailable(path))?;
    if !resp.ok() {
        let text = match resp.text() {
            Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
            Err(_) => String::new(),
        };
        return Err(serde_json::from_str::<ApiError>(&text).unwrap_or_else(|_| {
            ApiError::new(ErrorKind::Internal, format!("{path}: HTTP {} {}", resp.status(), text.trim()))
        }));
    }
    let name = resp
        .headers()
        .get("content-disposition")
        .ok()
        .flatten()
        .and_then(|d| d.split("filename=\"").nth(1).map(|n| n.trim_end_matches('"').to_owned()))
        .unwrap_or_else(|| "audit-record.pdf".to_owned());
    let blob = resp.blob().map_err(|_| unavailable(path))?;
    let blob: web_sys::Blob =
        JsFuture::from(blob).await.map_err(|_| unavailable(path))?.dyn_into().map_err(|_| unavailable(path))?;
    Ok((name, blob))
}

/// Opens the print dialog on `page` (a whole HTML document) without leaving the page: the page
/// goes into a hidden frame, which is printed, and stays until the next print.
fn print_page(page: &str) -> Result<(), ApiError> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| unavailable("no document"))?;
    if let Some(old) = document.get_element_by_id("print-frame") {
        old.remove();
    }
    let frame: web_sys::HtmlIFrameElement = document
        .create_element("iframe")
        .ok()
        .and_then(|e| e.dyn_into().ok())
        .ok_or_else(|| unavailable("no document"))?;
    frame.set_id("print-frame");
    frame.set_title("audit record");
    frame.set_attribute("aria-hidden", "true").ok();
    frame.set_attribute("style", "position:fixed;right:0;bottom:0;width:0;height:0;border:0;visibility:hidden").ok();
    frame.set_srcdoc(page);
    let printed = frame.clone();
    let onload = Closure::once_into_js(move || {
        if printed.content_window().is_none_or(|w| w.print().is_err()) {
            warn("the browser refused to print the audit record");
        }
    });
    frame.set_onload(Some(onload.unchecked_ref()));
    document
        .body()
        .ok_or_else(|| unavailable("no document"))?
        .append_child(&frame)
        .map_err(|_| unavailable("print"))?;
    Ok(())
}

pub(crate) async fn notify_settings() -> Result<NotifySettings, ApiError> {
    match transport() {
        Transport::Tauri => invoke("notify_settings", json!({})).await,
        Transport::Http => http("GET", "/api/notify/settings", None).await,
    }
}

pub(crate) async fn set_notify_settings(settings: &NotifySettings) -> Result<NotifySettings, ApiError> {
    match transport() {
        Transport::Tauri => invoke("set_notify_settings", json!({ "settings": settings })).await,
        Transport::Http => http("PUT", "/api/notify/settings", body(settings)?).await,
    }
}

/// The notifications shown on this laptop, newest first.
pub(crate) async fn recent_notifications() -> Result<Vec<Shown>, ApiError> {
    match transport() {
        Transport::Tauri => invoke("recent_notifications", json!({})).await,
        Transport::Http => http("GET", "/api/notify/recent", None).await,
    }
}

pub(crate) async fn snooze(key: &str, minutes: u32) -> Result<Notice, ApiError> {
    let req = Snooze { key: key.to_owned(), minutes };
    match transport() {
        Transport::Tauri => invoke("snooze", json!({ "req": req })).await,
        Transport::Http => http("POST", "/api/notify/snooze", body(&req)?).await,
    }
}

/// The room and its laptops as this one sees them (the peers panel).
pub(crate) async fn peers() -> Result<RoomView, ApiError> {
    match transport() {
        Transport::Tauri => invoke("peers", json!({})).await,
        Transport::Http => http("GET", "/api/peers", None).await,
    }
}

/// Makes this runbook a room the other laptops can join.
pub(crate) async fn room_create() -> Result<RoomView, ApiError> {
    match transport() {
        Transport::Tauri => invoke("room_create", json!({})).await,
        Transport::Http => http("POST", "/api/room", None).await,
    }
}

/// A join code for another laptop, with its QR code.
pub(crate) async fn room_invite() -> Result<Invitation, ApiError> {
    match transport() {
        Transport::Tauri => invoke("room_invite", json!({ "hours": null })).await,
        Transport::Http => http("POST", "/api/room/invite", None).await,
    }
}

/// Joins a room with a join code (the desktop app only: a browser shows `warroom serve`'s
/// database, which joins from the command line).
pub(crate) async fn room_join(code: &str) -> Result<RoomView, ApiError> {
    match transport() {
        Transport::Tauri => invoke("room_join", json!({ "code": code })).await,
        Transport::Http => Err(ApiError::new(
            ErrorKind::Invalid,
            "join from the laptop that runs `warroom serve`: warroom room join CODE",
        )),
    }
}

/// Calls `shown` when the desktop app shows a notification and `open` when one is clicked.
/// A browser has no watcher of its own: neither happens there.
pub(crate) fn on_notifications(shown: impl Fn(Notice) + 'static, open: impl Fn(Open) + 'static) {
    if transport() != Transport::Tauri {
        return;
    }
    fn listen<T: DeserializeOwned + 'static>(event: &'static str, f: impl Fn(T) + 'static) {
        let cb = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let payload = js_sys::Reflect::get(&e, &JsValue::from_str("payload")).unwrap_or(JsValue::NULL);
            if let Ok(v) = serde_wasm_bindgen::from_value::<T>(payload) {
                f(v);
            }
        });
        wasm_bindgen_futures::spawn_local(async move {
            if tauri_listen(event, &cb).await.is_err() {
                web_sys::console::error_1(&JsValue::from_str(&format!("warroom: cannot listen for {event}")));
            }
            cb.forget();
        });
    }
    listen("notified", shown);
    listen("open", open);
}

/// Calls `f` whenever the backend's state changes (a local action, another process, a peer),
/// with what moved (`None` when the backend does not say: it announced a bare version), and
/// `live` with whether such news can arrive: false while the stream of changes is broken (the
/// browser reconnects by itself, and `f` runs once it is back, to catch up).
pub(crate) fn on_change(f: impl Fn(Option<Changed>) + 'static, live: impl Fn(bool) + 'static) {
    let f = std::rc::Rc::new(f);
    match transport() {
        Transport::Tauri => {
            let changed = std::rc::Rc::clone(&f);
            let cb = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                let payload = js_sys::Reflect::get(&e, &JsValue::from_str("payload")).unwrap_or(JsValue::NULL);
                changed(serde_wasm_bindgen::from_value(payload).ok());
            });
            wasm_bindgen_futures::spawn_local(async move {
                live(tauri_listen("changed", &cb).await.is_ok());
                // The listener lives as long as the page.
                cb.forget();
            });
        }
        Transport::Http => {
            let Ok(source) = web_sys::EventSource::new("/api/events") else {
                live(false);
                return;
            };
            let live = std::rc::Rc::new(live);
            let changed = std::rc::Rc::clone(&f);
            let on_change = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                changed(e.data().as_string().and_then(|d| serde_json::from_str(&d).ok()));
            });
            let (up, down) = (std::rc::Rc::clone(&live), live);
            let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
                up(true);
                f(None);
            });
            let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| down(false));
            let wired = source
                .add_event_listener_with_callback("changed", on_change.as_ref().unchecked_ref())
                .and_then(|()| source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref()))
                .and_then(|()| source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref()));
            if wired.is_err() {
                web_sys::console::error_1(&JsValue::from_str("warroom: cannot listen for changes"));
            }
            // They live as long as the page; the browser reconnects the source by itself.
            on_change.forget();
            on_open.forget();
            on_error.forget();
            std::mem::forget(source);
        }
    }
}

/// Tells the browser's console what went wrong where nothing on screen is about it.
pub(crate) fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("warroom: {msg}")));
}
