//! Where warroom's diagnostics go, the same for every binary: standard error at `warn` (raised
//! by `-v` or `RUST_LOG`), and a log file that rolls daily in the OS's state folder
//! (`~/.local/state/warroom/logs` on Linux), kept for a week, at `info` — the file to send with
//! a support request after a bad night.

use std::path::PathBuf;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

/// How many daily files are kept.
const KEEP_DAYS: usize = 7;

/// Keeps the log file written to; dropping it flushes what is pending.
#[derive(Debug)]
pub struct Logging {
    _file: Option<tracing_appender::non_blocking::WorkerGuard>,
    /// The folder the log files are in, when there is one.
    pub dir: Option<PathBuf>,
}

/// The folder warroom's log files go in: `WARROOM_LOG_DIR`, else the OS's state (or data)
/// folder.
pub fn log_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("WARROOM_LOG_DIR") {
        return Some(PathBuf::from(dir));
    }
    Some(dirs::state_dir().or_else(dirs::data_local_dir)?.join("warroom").join("logs"))
}

/// Lines waiting for the log file's writer thread. The default (128,000) is a channel the
/// process lays out in full at start, some 5 MB touched before any work; a desktop app's log
/// comes in bursts of tens of lines.
const LINES_BUFFERED: usize = 4_096;

/// Installs the subscriber for the process: `verbose` 0 is `warn` on standard error, 1 `info`,
/// 2 `debug`, more `trace`; `RUST_LOG` overrides it. `app` names the log files
/// (`app.log.YYYY-MM-DD`). A log folder that cannot be made is said on standard error and
/// otherwise ignored: a diagnostic never stops the work.
pub fn init(app: &str, verbose: u8) -> Logging {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let stderr_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_filter(stderr_filter);
    let dir = log_dir();
    let mut problem = None;
    let file = dir.as_ref().and_then(|dir| {
        let made = std::fs::create_dir_all(dir).map_err(|e| e.to_string()).and_then(|()| {
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix(app)
                .filename_suffix("log")
                .max_log_files(KEEP_DAYS)
                .build(dir)
                .map_err(|e| e.to_string())
        });
        match made {
            Ok(appender) => Some(
                tracing_appender::non_blocking::NonBlockingBuilder::default()
                    .buffered_lines_limit(LINES_BUFFERED)
                    .finish(appender),
            ),
            Err(e) => {
                problem = Some(format!("no log file in {}: {e}", dir.display()));
                None
            }
        }
    });
    let (file_layer, guard) = match file {
        Some((writer, guard)) => {
            let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
            let layer = tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(false).with_filter(filter);
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let installed = tracing_subscriber::registry().with(stderr).with(file_layer).try_init().is_ok();
    if let Some(p) = problem {
        tracing::warn!("{p}");
    }
    if installed {
        tracing::info!(version = env!("CARGO_PKG_VERSION"), "{app} started");
    }
    Logging { _file: guard, dir: if installed { dir } else { None } }
}
