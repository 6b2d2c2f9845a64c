//! The only module that talks to the backend. Inside the desktop app it calls Tauri commands
//! through `window.__TAURI__.core.invoke`; results and errors arrive typed.

use serde::de::DeserializeOwned;
use warroom_model::{ApiError, ErrorKind, Loaded};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

fn in_tauri() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("__TAURI__")).unwrap_or(false)
}

async fn invoke<T: DeserializeOwned>(cmd: &str) -> Result<T, ApiError> {
    if !in_tauri() {
        return Err(ApiError::new(
            ErrorKind::Unavailable,
            "no warroom backend here: open this page from the warroom desktop app",
        ));
    }
    match tauri_invoke(cmd, JsValue::from(js_sys::Object::new())).await {
        Ok(v) => serde_wasm_bindgen::from_value(v)
            .map_err(|e| ApiError::new(ErrorKind::Internal, format!("unexpected answer to {cmd}: {e}"))),
        Err(e) => Err(serde_wasm_bindgen::from_value::<ApiError>(e.clone()).unwrap_or_else(|_| {
            ApiError::new(ErrorKind::Internal, e.as_string().unwrap_or_else(|| format!("{cmd} failed")))
        })),
    }
}

/// The runbook the backend holds.
pub async fn runbook() -> Result<Loaded, ApiError> {
    invoke("runbook").await
}
