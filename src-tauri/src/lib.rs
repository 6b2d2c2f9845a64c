//! The Tauri shell: opens the local database (empty on first start: the UI welcomes),
//! exposes core's `Service` through commands that convert, call and map errors to `ApiError`,
//! and tells the UI about every change (its own, or the CLI's on the same database) with a
//! `changed` event. One instance per database; the window's size and place are remembered.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use tauri::{Emitter, Manager, Runtime, State, WindowEvent};
use warroom_core::Store;
use warroom_core::host::{Host, desktop_sink};
use warroom_core::notify::desktop::Desktop;
use warroom_core::report;
use warroom_core::service::{Service, ServiceError};
use warroom_model::api::{
    About, Activity, Done, ImportOutcome, ImportRequest, Me, Paper, ReportFormat, Request, Saved, Session,
};
use warroom_model::live::Status;
use warroom_model::notify::{Notice, NotifySettings, Open, Shown, Snooze};
use warroom_model::{ApiError, ErrorKind, Loaded, RunId};

mod options;
mod peers;
mod window;

pub use options::Options;

/// What the app's commands share: core's host, and the page the record window shows.
pub struct AppState {
    host: Arc<Host>,
    /// The printable record the record window shows.
    printable: Mutex<String>,
    /// Where to write how long the runbook took to show (`--ready-file`), and since when.
    ready: Option<(PathBuf, std::time::Instant)>,
}

impl AppState {
    fn with<T, E: Into<ApiError>>(&self, f: impl FnOnce(&mut Service) -> Result<T, E>) -> Result<T, ApiError> {
        self.host.with(f)
    }
}

#[tauri::command]
fn session(state: State<'_, AppState>) -> Result<Session, ApiError> {
    state.with(|s| s.session(true))
}

/// The UI has drawn its first picture: with `--ready-file`, how many milliseconds that took
/// from the start is written there (the launch benchmark waits for it).
#[tauri::command]
fn shown(state: State<'_, AppState>) -> Result<(), ApiError> {
    if let Some((path, started)) = &state.ready {
        let ms = started.elapsed().as_millis().to_string();
        std::fs::write(path, ms).map_err(|e| {
            ApiError::new(ErrorKind::Storage, format!("cannot write the ready file {}: {e}", path.display()))
        })?;
    }
    Ok(())
}

#[tauri::command]
fn runbook(state: State<'_, AppState>) -> Result<Loaded, ApiError> {
    state.with(|s| s.loaded())
}

#[tauri::command]
fn status(state: State<'_, AppState>, run: Option<RunId>) -> Result<Option<Status>, ApiError> {
    state.with(|s| s.status(run.as_ref(), None))
}

#[tauri::command]
fn act(state: State<'_, AppState>, req: Request) -> Result<Done, ApiError> {
    state.with(|s| s.act(&req))
}

#[tauri::command]
fn activity(state: State<'_, AppState>, limit: Option<usize>) -> Result<Vec<Activity>, ApiError> {
    state.with(|s| s.activity(limit.unwrap_or(200).min(5000)))
}

#[tauri::command]
fn import_runbook(state: State<'_, AppState>, req: ImportRequest) -> Result<ImportOutcome, ApiError> {
    state.with(|s| s.import(&req))
}

#[tauri::command]
fn preview_import(state: State<'_, AppState>, req: ImportRequest) -> Result<ImportOutcome, ApiError> {
    state.with(|s| s.preview_import(&req))
}

/// Settings → About: the version, the database, the log folder, and what this laptop lacks.
#[tauri::command]
fn about(state: State<'_, AppState>) -> Result<About, ApiError> {
    state.with(|s| Ok::<_, ServiceError>(s.about()))
}

/// Opens the bundled demo on a laptop that holds no runbook yet (the Welcome screen's choice).
#[tauri::command]
fn open_demo(state: State<'_, AppState>) -> Result<ImportOutcome, ApiError> {
    state.with(|s| s.open_demo())
}

#[tauri::command]
fn me(state: State<'_, AppState>) -> Result<Me, ApiError> {
    state.with(|s| s.me())
}

#[tauri::command]
fn set_me(state: State<'_, AppState>, me: Me) -> Result<Me, ApiError> {
    state.with(|s| s.set_me(&me))
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
    run: Option<RunId>,
    paper: Option<Paper>,
) -> Result<(), ApiError> {
    let rec = state.with(|s| s.record(run.as_ref()))?;
    let page = report::html(&rec, paper.unwrap_or_default());
    let title = format!("{} — {}", rec.runbook.title, report::file_name(&rec, ReportFormat::Html));
    *state.printable.lock().map_err(|_| ApiError::new(ErrorKind::Internal, "the record lock was poisoned"))? = page;
    if let Some(old) = app.get_webview_window(RECORD_WINDOW)
        && let Err(e) = old.destroy()
    {
        tracing::warn!("cannot close the previous record window: {e}");
    }
    let failed = |e: &dyn std::fmt::Display| ApiError::new(ErrorKind::Internal, format!("cannot open the record: {e}"));
    let url = format!("{RECORD_SCHEME}://localhost/").parse().map_err(|e| failed(&e))?;
    let record = tauri::WebviewWindowBuilder::new(&app, RECORD_WINDOW, tauri::WebviewUrl::CustomProtocol(url))
        .title(title)
        .inner_size(900.0, 1000.0)
        .on_page_load(|window, load| {
            if load.event() == tauri::webview::PageLoadEvent::Finished
                && let Err(e) = window.print()
            {
                tracing::warn!("cannot open the print dialog: {e}");
            }
        })
        .build()
        .map_err(|e| failed(&e))?;
    window::paint_in_software(&record).map_err(|e| failed(&e))?;
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
    run: Option<RunId>,
    paper: Option<Paper>,
) -> Result<Saved, ApiError> {
    let paths = app.path();
    let dir = paths
        .download_dir()
        .or_else(|_| paths.document_dir())
        .or_else(|_| paths.home_dir())
        .map_err(|e| ApiError::new(ErrorKind::Storage, format!("no folder to save the record in: {e}")))?;
    let rec = state.with(|s| s.record(run.as_ref()))?;
    Ok(report::save(&rec, ReportFormat::Pdf, paper.unwrap_or_default(), &dir).map_err(ServiceError::from)?)
}

#[tauri::command]
fn notify_settings(state: State<'_, AppState>) -> Result<NotifySettings, ApiError> {
    state.with(|s| s.notify_settings())
}

#[tauri::command]
fn set_notify_settings(state: State<'_, AppState>, settings: NotifySettings) -> Result<NotifySettings, ApiError> {
    let saved = state.with(|s| s.set_notify_settings(&settings))?;
    state.host.kick();
    Ok(saved)
}

#[tauri::command]
fn recent_notifications(state: State<'_, AppState>) -> Result<Vec<Shown>, ApiError> {
    state.with(|s| s.recent_notifications())
}

#[tauri::command]
fn snooze(state: State<'_, AppState>, req: Snooze) -> Result<Notice, ApiError> {
    let n = state.with(|s| s.snooze(&req.key, req.minutes))?;
    state.host.kick();
    Ok(n)
}

/// Brings the window forward; the UI opens the task, checkpoint or panel the notice is about.
fn open<R: Runtime>(app: &tauri::AppHandle<R>, to: Open) {
    if let Some(w) = app.get_webview_window(window::MAIN) {
        for (what, r) in [("unminimize", w.unminimize()), ("show", w.show()), ("focus", w.set_focus())] {
            if let Err(e) = r {
                tracing::warn!("cannot {what} the window: {e}");
            }
        }
    }
    if let Err(e) = app.emit("open", to) {
        tracing::warn!("cannot tell the window what to open: {e}");
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

/// The runtime the host's background work (peers, the notification timer, noticing the CLI's
/// commits) runs on, made once.
fn runtime() -> anyhow::Result<&'static tokio::runtime::Runtime> {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(rt) = RT.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("warroom-host")
        .enable_all()
        .build()?;
    Ok(RT.get_or_init(|| rt))
}

/// Opens the window on the database and runs until it is closed.
pub fn run(options: Options) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let path = db_path()?;
    let _lock = lock_instance(&path)?;
    // A database without a runbook opens on the Welcome screen: nothing is imported unasked.
    let mut svc = Service::new(Store::open(&path)?, options.clock())?;
    svc.set_missing(warroom_core::about::missing());
    let rt = runtime()?;
    let host = Host::new(svc, rt.handle().clone());
    let closing = Arc::clone(&host);
    tauri::Builder::default()
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .setup(move |app| {
            app.manage(AppState {
                host: Arc::clone(&host),
                printable: Mutex::new(String::new()),
                ready: options.ready_file.clone().map(|p| (p, started)),
            });
            window::open(app.handle())?;
            // Every change, ours, a peer's or the CLI's: the views re-read.
            let (handle, mut changed) = (app.handle().clone(), host.subscribe());
            rt.spawn(async move {
                while changed.changed().await.is_ok() {
                    let changes = *changed.borrow_and_update();
                    if let Err(e) = handle.emit("changed", changes) {
                        tracing::warn!("cannot tell the window of a change: {e}");
                    }
                }
            });
            let (opener, teller) = (app.handle().clone(), app.handle().clone());
            host.notifications(desktop_sink(
                Desktop,
                move |n: &Notice| open(&opener, Open { kind: n.kind, task_id: n.task_id.clone() }),
                move |n: &Notice| {
                    if let Err(e) = teller.emit("notified", n) {
                        tracing::warn!("cannot list a notification in the window: {e}");
                    }
                },
            ))?;
            // A room's laptop serves and follows its peers for as long as the app is open.
            if let Err(e) = peers::start(&host) {
                tracing::error!("peer sync did not start: {e}");
            }
            host.watch_external();
            Ok(())
        })
        .register_uri_scheme_protocol(RECORD_SCHEME, printable)
        .on_window_event(|window, event| {
            // A record window left open does not keep the app running without its main window.
            if window.label() == window::MAIN && matches!(event, WindowEvent::Destroyed) {
                window.app_handle().exit(0);
            }
        })
        .invoke_handler(tauri::generate_handler![
            session,
            shown,
            runbook,
            status,
            act,
            activity,
            import_runbook,
            preview_import,
            open_demo,
            about,
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
        .build(tauri::generate_context!())?
        .run(move |_, event| {
            // The peer service ends in order: its followers stop, its connections close, and the
            // LAN is told goodbye (mDNS) before the process goes.
            if let tauri::RunEvent::Exit = event {
                closing.stop_peers();
            }
        });
    Ok(())
}
