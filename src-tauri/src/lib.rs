//! The Tauri shell: opens the local database (importing the bundled demo on first start),
//! exposes core's `Service` through commands that convert, call and map errors to `ApiError`,
//! and tells the UI about every change (its own, or the CLI's on the same database) with a
//! `changed` event. One instance per database; the window's size and place are remembered.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;
use tauri::{Emitter, Manager, Runtime, State, WindowEvent};
use warroom_core::notify::desktop::{Desktop, Notifier};
use warroom_core::report;
use warroom_core::service::{Service, ServiceError};
use warroom_core::{Store, SystemClock};
use warroom_model::api::{
    Activity, Done, ImportOutcome, ImportRequest, Me, Paper, ReportFormat, Request, Saved, Session,
};
use warroom_model::live::Status;
use warroom_model::notify::{Notice, NotifySettings, Open, Shown, Snooze};
use warroom_model::{ApiError, ErrorKind, Loaded};

mod peers;

/// The service the app works on; commands lock it for the length of one call.
pub struct AppState {
    svc: Mutex<Service>,
    /// Told of every change (for the peer service's followers and change stream).
    changed: tokio::sync::watch::Sender<u64>,
    /// How each peer was last seen, once the peer service runs.
    book: Mutex<Option<Arc<warroom_core::sync::node::Book>>>,
    /// The version last announced to the UI.
    announced: Mutex<u64>,
    /// The printable record the record window shows.
    printable: Mutex<String>,
    /// Wakes the notification watcher after a change, so it plans again at once.
    kick: Mutex<mpsc::Sender<()>>,
}

impl AppState {
    fn kick(&self) {
        if let Ok(kick) = self.kick.lock() {
            let _ = kick.send(());
        }
    }

    fn with<R: Runtime, T>(
        &self,
        app: &tauri::AppHandle<R>,
        f: impl FnOnce(&mut Service) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut svc =
            self.svc.lock().map_err(|_| ApiError::new(ErrorKind::Internal, "the database lock was poisoned"))?;
        let out = f(&mut svc);
        let version = svc.version();
        drop(svc);
        if let Ok(mut seen) = self.announced.lock()
            && *seen != version
        {
            *seen = version;
            self.changed.send_replace(version);
            let _ = app.emit("changed", version);
            self.kick();
        }
        out
    }
}

#[tauri::command]
fn session<R: Runtime>(app: tauri::AppHandle<R>, state: State<'_, AppState>) -> Result<Session, ApiError> {
    state.with(&app, |s| s.session(true).map_err(|e| e.to_api()))
}

#[tauri::command]
fn runbook<R: Runtime>(app: tauri::AppHandle<R>, state: State<'_, AppState>) -> Result<Loaded, ApiError> {
    state.with(&app, |s| s.loaded().map_err(|e| e.to_api()))
}

#[tauri::command]
fn status<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    run: Option<String>,
) -> Result<Option<Status>, ApiError> {
    state.with(&app, |s| s.status(run.as_deref(), None).map_err(|e| e.to_api()))
}

#[tauri::command]
fn act<R: Runtime>(app: tauri::AppHandle<R>, state: State<'_, AppState>, req: Request) -> Result<Done, ApiError> {
    state.with(&app, |s| s.act(&req).map_err(|e| e.to_api()))
}

#[tauri::command]
fn activity<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    limit: Option<usize>,
) -> Result<Vec<Activity>, ApiError> {
    state.with(&app, |s| s.activity(limit.unwrap_or(200).min(5000)).map_err(|e| e.to_api()))
}

#[tauri::command]
fn import_runbook<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    req: ImportRequest,
) -> Result<ImportOutcome, ApiError> {
    state.with(&app, |s| s.import(&req).map_err(|e| e.to_api()))
}

#[tauri::command]
fn me<R: Runtime>(app: tauri::AppHandle<R>, state: State<'_, AppState>) -> Result<Me, ApiError> {
    state.with(&app, |s| s.me().map_err(|e| e.to_api()))
}

#[tauri::command]
fn set_me<R: Runtime>(app: tauri::AppHandle<R>, state: State<'_, AppState>, me: Me) -> Result<Me, ApiError> {
    state.with(&app, |s| s.set_me(&me).map_err(|e| e.to_api()))
}

/// The scheme the record window loads the printable page from.
const RECORD_SCHEME: &str = "warroom-record";
/// The label of the record window.
const RECORD_WINDOW: &str = "record";

/// Opens the audit record as a printable page in its own window, and the system's print
/// dialog on it: what is printed is the record, not the app. The window stays as a preview.
#[tauri::command(async)]
fn print_report<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    run: Option<String>,
    paper: Option<Paper>,
) -> Result<(), ApiError> {
    let rec = state.with(&app, |s| s.record(run.as_deref()).map_err(|e| e.to_api()))?;
    let page = report::html(&rec, paper.unwrap_or_default());
    let title = format!("{} — {}", rec.runbook.title, report::file_name(&rec, ReportFormat::Html));
    *state.printable.lock().map_err(|_| ApiError::new(ErrorKind::Internal, "the record lock was poisoned"))? = page;
    if let Some(old) = app.get_webview_window(RECORD_WINDOW) {
        let _ = old.destroy();
    }
    let failed = |e: &dyn std::fmt::Display| ApiError::new(ErrorKind::Internal, format!("cannot open the record: {e}"));
    let url = format!("{RECORD_SCHEME}://localhost/").parse().map_err(|e| failed(&e))?;
    tauri::WebviewWindowBuilder::new(&app, RECORD_WINDOW, tauri::WebviewUrl::CustomProtocol(url))
        .title(title)
        .inner_size(900.0, 1000.0)
        .on_page_load(|window, load| {
            if load.event() == tauri::webview::PageLoadEvent::Finished {
                let _ = window.print();
            }
        })
        .build()
        .map_err(|e| failed(&e))?;
    Ok(())
}

/// Serves the page `print_report` laid out to the record window.
fn printable<R: Runtime>(
    ctx: tauri::UriSchemeContext<'_, R>,
    _req: tauri::http::Request<Vec<u8>>,
) -> tauri::http::Response<Vec<u8>> {
    let state = ctx.app_handle().state::<AppState>();
    let page = state.printable.lock().map(|p| p.clone()).unwrap_or_default();
    tauri::http::Response::builder()
        .header(tauri::http::header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(page.into_bytes())
        .unwrap_or_default()
}

/// Saves the audit record as a PDF in the person's Downloads folder (else Documents, else
/// home) and says where.
#[tauri::command(async)]
fn save_report<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    run: Option<String>,
    paper: Option<Paper>,
) -> Result<Saved, ApiError> {
    let paths = app.path();
    let dir = paths
        .download_dir()
        .or_else(|_| paths.document_dir())
        .or_else(|_| paths.home_dir())
        .map_err(|e| ApiError::new(ErrorKind::Storage, format!("no folder to save the record in: {e}")))?;
    let rec = state.with(&app, |s| s.record(run.as_deref()).map_err(|e| e.to_api()))?;
    report::save(&rec, ReportFormat::Pdf, paper.unwrap_or_default(), &dir).map_err(|e| ServiceError::from(e).to_api())
}

#[tauri::command]
fn notify_settings<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<NotifySettings, ApiError> {
    state.with(&app, |s| s.notify_settings().map_err(|e| e.to_api()))
}

#[tauri::command]
fn set_notify_settings<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    settings: NotifySettings,
) -> Result<NotifySettings, ApiError> {
    state.with(&app, |s| s.set_notify_settings(&settings).map_err(|e| e.to_api()))
}

#[tauri::command]
fn recent_notifications<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Vec<Shown>, ApiError> {
    state.with(&app, |s| s.recent_notifications().map_err(|e| e.to_api()))
}

#[tauri::command]
fn snooze<R: Runtime>(app: tauri::AppHandle<R>, state: State<'_, AppState>, req: Snooze) -> Result<Notice, ApiError> {
    let n = state.with(&app, |s| s.snooze(&req.key, req.minutes).map_err(|e| e.to_api()))?;
    state.kick();
    Ok(n)
}

/// Brings the window forward; the UI opens the task, checkpoint or panel the notice is about.
fn open<R: Runtime>(app: &tauri::AppHandle<R>, to: Open) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
    let _ = app.emit("open", to);
}

/// The app's own notification timer: core's planner decides what is due; this sleeps until
/// then (or until something changes) and shows it on the desktop.
fn watch_notifications<R: Runtime>(app: tauri::AppHandle<R>, kicks: mpsc::Receiver<()>) {
    let notifier = Desktop;
    loop {
        let state = app.state::<AppState>();
        let book = state.book.lock().ok().and_then(|b| b.clone());
        let tick = state.with(&app, |s| {
            let (mut show, next) = s.notify_tick().map_err(|e| e.to_api())?;
            // Member laptops out of reach for a while: the peer service's picture, told once.
            if let Some(book) = &book {
                show.extend(book.lost(s)?);
            }
            Ok((show, next))
        });
        let wait = match tick {
            Ok((show, next)) => {
                for n in show {
                    let target = Open { kind: n.kind, task_id: n.task_id.clone() };
                    let handle = app.clone();
                    if let Err(e) = notifier.show(&n, Some(Box::new(move || open(&handle, target)))) {
                        eprintln!("warroom: {e}");
                    }
                    let _ = app.emit("notified", &n);
                }
                (next - chrono::Utc::now()).to_std().unwrap_or_default()
            }
            Err(e) => {
                eprintln!("warroom: notifications: {e}");
                Duration::from_secs(60)
            }
        };
        match kicks.recv_timeout(wait) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) => while kicks.try_recv().is_ok() {},
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// `WARROOM_DB`, else the shared default in the OS data folder.
fn db_path() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("WARROOM_DB") {
        return Ok(PathBuf::from(p));
    }
    warroom_core::store::default_path().ok_or_else(|| anyhow::anyhow!("no data folder on this system; set WARROOM_DB"))
}

/// Holds an exclusive lock on `<db>.lock` while the app runs: a second window on the same
/// database would show a picture the first one does not know it changed.
fn lock_instance(db: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let path = db.with_extension("db.lock");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            anyhow::bail!("warroom is already open on {}: use that window", db.display())
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Local setting holding the window's place and size: `x,y,width,height` in physical pixels.
const GEOMETRY: &str = "window.geometry";

fn restore_geometry<R: Runtime>(window: &tauri::WebviewWindow<R>, svc: &Service) {
    let Ok(Some(text)) = svc.store().local(GEOMETRY) else { return };
    let v: Vec<i64> = text.split(',').filter_map(|p| p.trim().parse().ok()).collect();
    if let [x, y, w, h] = v[..]
        && w >= 400
        && h >= 300
    {
        let (Ok(x), Ok(y), Ok(w), Ok(h)) = (i32::try_from(x), i32::try_from(y), u32::try_from(w), u32::try_from(h))
        else {
            return;
        };
        let _ = window.set_size(tauri::PhysicalSize::new(w, h));
        let _ = window.set_position(tauri::PhysicalPosition::new(x, y));
    }
}

fn save_geometry<R: Runtime>(window: &tauri::Window<R>) {
    let (Ok(pos), Ok(size)) = (window.outer_position(), window.inner_size()) else { return };
    let state = window.state::<AppState>();
    if let Ok(mut svc) = state.svc.lock() {
        let _ = svc.set_local(GEOMETRY, &format!("{},{},{},{}", pos.x, pos.y, size.width, size.height));
    }
}

pub fn run() -> anyhow::Result<()> {
    let path = db_path()?;
    let _lock = lock_instance(&path)?;
    let svc = Service::with_demo(Store::open(&path)?, Arc::new(SystemClock))?;
    tauri::Builder::default()
        .setup(move |app| {
            let version = svc.version();
            if let Some(window) = app.get_webview_window("main") {
                restore_geometry(&window, &svc);
            }
            let (kick, kicks) = mpsc::channel();
            app.manage(AppState {
                svc: Mutex::new(svc),
                changed: tokio::sync::watch::channel(version).0,
                book: Mutex::new(None),
                announced: Mutex::new(version),
                printable: Mutex::new(String::new()),
                kick: Mutex::new(kick),
            });
            let handle = app.handle().clone();
            std::thread::spawn(move || watch_notifications(handle, kicks));
            // A room's laptop serves and follows its peers for as long as the app is open.
            if let Err(e) = peers::start(app.handle()) {
                eprintln!("warroom: peer sync did not start: {}", e.message);
            }
            // Notice what the CLI (another process) commits to the same database.
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_millis(500));
                    let state = handle.state::<AppState>();
                    let _ = state.with(&handle, |s| s.poll_external().map_err(|e| e.to_api()));
                }
            });
            Ok(())
        })
        .register_uri_scheme_protocol(RECORD_SCHEME, printable)
        .on_window_event(|window, event| {
            if window.label() != "main" {
                return;
            }
            match event {
                WindowEvent::CloseRequested { .. } => save_geometry(window),
                // A record window left open does not keep the app running without its main window.
                WindowEvent::Destroyed => window.app_handle().exit(0),
                _ => {}
            }
        })
        .invoke_handler(tauri::generate_handler![
            session,
            runbook,
            status,
            act,
            activity,
            import_runbook,
            me,
            set_me,
            print_report,
            save_report,
            notify_settings,
            set_notify_settings,
            recent_notifications,
            snooze,
            peers::peers,
            peers::room_create,
            peers::room_invite,
            peers::room_join
        ])
        .run(tauri::generate_context!())?;
    Ok(())
}
