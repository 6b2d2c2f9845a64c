//! The only module that talks to the backend, through one interface over two transports:
//! inside the desktop app, Tauri commands (`window.__TAURI__.core.invoke`) and Tauri events;
//! in a plain browser, HTTP to `warroom serve` (`/api/...`) and server-sent events. Results and
//! errors arrive typed (`ApiError`), never as bare strings.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use warroom_model::api::{Activity, Done, ImportOutcome, ImportRequest, Me, Request, Session};
use warroom_model::live::Status;
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
pub enum Transport {
    Tauri,
    Http,
}

pub fn transport() -> Transport {
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
pub fn adopt_token_from_link() {
    let Some(window) = web_sys::window() else { return };
    let Ok(hash) = window.location().hash() else { return };
    if let Some(token) = hash.strip_prefix("#token=") {
        if let Some(s) = storage() {
            let _ = s.set_item(TOKEN_KEY, token);
        }
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some("/"));
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
    let window = web_sys::window().ok_or_else(|| unavailable("no window"))?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| unavailable("headers"))?;
    let _ = headers.set("content-type", "application/json");
    if let Some(t) = token() {
        let _ = headers.set("authorization", &format!("Bearer {t}"));
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
        serde_json::from_str(&text)
            .map_err(|e| ApiError::new(ErrorKind::Internal, format!("unexpected answer from {path}: {e}")))
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

pub async fn session() -> Result<Session, ApiError> {
    match transport() {
        Transport::Tauri => invoke("session", json!({})).await,
        Transport::Http => http("GET", "/api/session", None).await,
    }
}

pub async fn runbook() -> Result<Loaded, ApiError> {
    match transport() {
        Transport::Tauri => invoke("runbook", json!({})).await,
        Transport::Http => http("GET", "/api/runbook", None).await,
    }
}

/// The live picture of the current run; `None` before a run is started.
pub async fn status() -> Result<Option<Status>, ApiError> {
    match transport() {
        Transport::Tauri => invoke("status", json!({ "run": null })).await,
        Transport::Http => http("GET", "/api/status", None).await,
    }
}

pub async fn act(req: &Request) -> Result<Done, ApiError> {
    match transport() {
        Transport::Tauri => invoke("act", json!({ "req": req })).await,
        Transport::Http => http("POST", "/api/act", body(req)?).await,
    }
}

pub async fn activity(limit: usize) -> Result<Vec<Activity>, ApiError> {
    match transport() {
        Transport::Tauri => invoke("activity", json!({ "limit": limit })).await,
        Transport::Http => http("GET", &format!("/api/activity?limit={limit}"), None).await,
    }
}

pub async fn import(req: &ImportRequest) -> Result<ImportOutcome, ApiError> {
    match transport() {
        Transport::Tauri => invoke("import_runbook", json!({ "req": req })).await,
        Transport::Http => http("POST", "/api/import", body(req)?).await,
    }
}

pub async fn set_me(me: &Me) -> Result<Me, ApiError> {
    match transport() {
        Transport::Tauri => invoke("set_me", json!({ "me": me })).await,
        Transport::Http => http("PUT", "/api/me", body(me)?).await,
    }
}

/// Calls `f` whenever the backend's state changes (a local action, another process, a peer).
pub fn on_change(f: impl Fn() + 'static) {
    match transport() {
        Transport::Tauri => {
            let cb = Closure::<dyn FnMut(JsValue)>::new(move |_| f());
            wasm_bindgen_futures::spawn_local(async move {
                let _ = tauri_listen("changed", &cb).await;
                // The listener lives as long as the page.
                cb.forget();
            });
        }
        Transport::Http => {
            let Ok(source) = web_sys::EventSource::new("/api/events") else { return };
            let cb = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| f());
            let _ = source.add_event_listener_with_callback("changed", cb.as_ref().unchecked_ref());
            cb.forget();
            // The browser reconnects on its own after a network loss; the page keeps the source.
            std::mem::forget(source);
        }
    }
}
