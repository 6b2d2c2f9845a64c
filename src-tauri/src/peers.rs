//! The desktop app's part in peer sync: once its database is in a room, it serves the room's
//! laptops and keeps in step with them in-process (core's `sync::node`), for as long as the app
//! is open. Joining a room from the app takes a database of its own for that room, next to the
//! current one, and switches the app (and the CLI's default) to it.

use crate::AppState;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tauri::{AppHandle, Manager, Runtime, State};
use tokio::sync::watch;
use warroom_core::service::{Service, ServiceError};
use warroom_core::sync::join;
use warroom_core::sync::node::{Book, Host, Node};
use warroom_core::sync::room::{self, JoinCode, VALID_HOURS};
use warroom_core::{Store, SystemClock};
use warroom_model::peers::{Invitation, RoomView};
use warroom_model::{ApiError, ErrorKind};

/// Where the app serves peers unless `WARROOM_PEER_BIND` says otherwise; a port of the
/// system's choosing if that one is taken (a `warroom serve --peer` on the same laptop).
const PEER_BIND: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 7879);

/// The app as the peer service's host.
struct Shell<R: Runtime>(AppHandle<R>);

impl<R: Runtime> Host for Shell<R> {
    fn with<T>(&self, f: impl FnOnce(&mut Service) -> Result<T, ApiError>) -> Result<T, ApiError> {
        self.0.state::<AppState>().with(&self.0, f)
    }

    fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.state::<AppState>().changed.subscribe()
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::Internal, e.to_string())
}

/// The runtime the peer service runs on, made once.
fn runtime() -> Result<&'static tokio::runtime::Runtime, ApiError> {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(rt) = RT.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("warroom-peers")
        .enable_all()
        .build()
        .map_err(internal)?;
    Ok(RT.get_or_init(|| rt))
}

/// Runs `f` on a thread of its own and waits for it: commands may run inside Tauri's async
/// runtime, where blocking on another runtime is not allowed.
fn aside<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    std::thread::spawn(f).join().map_err(|_| internal("the peer service failed to start"))?
}

/// Starts the peer service if the database is a room and it is not running yet.
pub fn start<R: Runtime>(app: &AppHandle<R>) -> Result<(), ApiError> {
    let app = app.clone();
    aside(move || {
        let state = app.state::<AppState>();
        let mut book = state.book.lock().map_err(internal)?;
        if book.is_some() {
            return Ok(());
        }
        let (room, me, clock) = state.with(&app, |s| {
            Ok((s.room().map_err(|e| e.to_api())?, s.identity().map_err(|e| e.to_api())?, s.clock()))
        })?;
        if room.is_none() {
            return Ok(());
        }
        let rt = runtime()?;
        let node = Node::new(Arc::new(Shell(app.clone())), me, clock);
        let bind = std::env::var("WARROOM_PEER_BIND").ok().and_then(|b| b.parse().ok()).unwrap_or(PEER_BIND);
        let at = match rt.block_on(node.listen(bind)) {
            Ok(at) => at,
            Err(_) => rt.block_on(node.listen(SocketAddr::new(bind.ip(), 0))).map_err(internal)?,
        };
        if std::env::var_os("WARROOM_NO_MDNS").is_none()
            && let Err(e) = node.discover(at.port())
        {
            eprintln!("warroom: {e}; join codes still work");
        }
        let _inside = rt.enter();
        node.follow_all(Vec::new());
        *book = Some(node.book());
        Ok(())
    })
}

fn view<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> Result<RoomView, ApiError> {
    let book: Arc<Book> = state.book.lock().ok().and_then(|b| b.clone()).unwrap_or_default();
    state.with(app, |s| book.view(s))
}

/// The room and its laptops as this one sees them.
#[tauri::command]
pub fn peers<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<RoomView, ApiError> {
    view(&app, &state)
}

/// Makes this database's runbook a room, and starts serving it.
#[tauri::command]
pub fn room_create<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<RoomView, ApiError> {
    state.with(&app, |s| s.room_create(None).map_err(|e| e.to_api()))?;
    start(&app)?;
    view(&app, &state)
}

/// A join code for another laptop, with its QR code.
#[tauri::command]
pub fn room_invite<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    hours: Option<u32>,
) -> Result<Invitation, ApiError> {
    state.with(&app, |s| s.invitation(hours.unwrap_or(VALID_HOURS)).map_err(|e| e.to_api()))
}

/// Joins the room of `code` with a database of its own (next to the current one), takes the
/// runbook and its history, then switches the app to it and starts serving the room.
#[tauri::command(async)]
pub fn room_join<R: Runtime>(app: AppHandle<R>, code: String) -> Result<RoomView, ApiError> {
    let code: JoinCode =
        code.parse().map_err(|e: warroom_core::sync::room::RoomError| ServiceError::from(e).to_api())?;
    let state = app.state::<AppState>();
    let (current, laptop, me, settings) = state.with(&app, |s| {
        if let Some(r) = s.room().map_err(|e| e.to_api())? {
            return Err(ApiError::new(ErrorKind::Invalid, format!("this laptop is already in the room {}", r.name)));
        }
        let me = s.me().map_err(|e| e.to_api())?;
        let settings = s.notify_settings().map_err(|e| e.to_api())?;
        Ok((PathBuf::from(s.store().path()), room::laptop_name(&me.name), me, settings))
    })?;
    let dir = current.parent().map(PathBuf::from).unwrap_or_default();
    let path = dir.join(format!("warroom-room-{}.db", &code.room[..8]));
    let store = aside(move || {
        let mut store = Store::open(&path).map_err(|e| e.to_api())?;
        join::join(&mut store, &code, &laptop, Vec::new(), &SystemClock).map_err(|e| e.to_api())?;
        Ok(store)
    })?;
    let db = PathBuf::from(store.path());
    let mut svc = Service::new(store, Arc::new(SystemClock)).map_err(|e| e.to_api())?;
    svc.set_me(&me).map_err(|e| e.to_api())?;
    svc.set_notify_settings(&settings).map_err(|e| e.to_api())?;
    {
        let mut held = state.svc.lock().map_err(internal)?;
        svc.succeed(&held);
        *held = svc;
    }
    if std::env::var_os("WARROOM_DB").is_none() {
        warroom_core::store::make_default(&db).map_err(internal)?;
    }
    // Announces the new database to the views (its version moved past the old one's).
    state.with(&app, |_| Ok(()))?;
    start(&app)?;
    view(&app, &state)
}
