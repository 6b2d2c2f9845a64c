//! The Tauri shell: opens the local database (importing the bundled demo on first start) and
//! exposes core through commands that convert, call and map errors to `ApiError`.

use std::path::PathBuf;
use std::sync::Mutex;
use tauri::{Manager, State};
use warroom_core::{Store, SystemClock};
use warroom_model::{ApiError, Author, ErrorKind, Loaded};

/// The database the app works on; commands lock it for the length of one call.
pub struct AppState {
    store: Mutex<Store>,
}

impl AppState {
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut store =
            self.store.lock().map_err(|_| ApiError::new(ErrorKind::Internal, "the database lock was poisoned"))?;
        f(&mut store)
    }
}

#[tauri::command]
fn runbook(state: State<'_, AppState>) -> Result<Loaded, ApiError> {
    state.with(|s| {
        let runbook = s.require_runbook().map_err(|e| e.to_api())?;
        let is_demo = s.is_demo().map_err(|e| e.to_api())?;
        Ok(Loaded { runbook, is_demo })
    })
}

/// `WARROOM_DB`, else the shared default in the OS data folder.
fn db_path() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("WARROOM_DB") {
        return Ok(PathBuf::from(p));
    }
    warroom_core::store::default_path().ok_or_else(|| anyhow::anyhow!("no data folder on this system; set WARROOM_DB"))
}

fn open_store() -> anyhow::Result<Store> {
    let path = db_path()?;
    let mut store = Store::open(&path)?;
    let me = Author {
        name: store.local("me.name")?.or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "warroom".into()),
        role: store.local("me.role")?.unwrap_or_default(),
    };
    store.ensure_demo(&me, &SystemClock)?;
    Ok(store)
}

pub fn run() -> anyhow::Result<()> {
    let store = open_store()?;
    tauri::Builder::default()
        .setup(move |app| {
            app.manage(AppState { store: Mutex::new(store) });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![runbook])
        .run(tauri::generate_context!())?;
    Ok(())
}
