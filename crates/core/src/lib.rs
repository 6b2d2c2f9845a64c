//! warroom's logic, with no GUI: importing and exporting runbooks, the SQLite store and its
//! event log, and (in later modules) the live engine, sync, notification planning and the
//! report. Shells (CLI, desktop, HTTP) only convert arguments and call in here.

pub mod clock;
pub mod demo;
pub mod encoding;
pub mod export;
pub mod host;
pub mod import;
pub mod live;
pub mod logging;
pub mod notify;
pub mod report;
pub mod service;
pub mod store;
pub mod sync;

pub use clock::{Clock, FakeClock, ShiftedClock, SystemClock};
pub use import::{ImportError, ImportReport, Imported, import_file, import_markdown};
pub use store::{Store, StoreError};
