//! warroom's logic, with no GUI: importing and exporting runbooks, the SQLite store and its
//! event log, and (in later modules) the live engine, sync, notification planning and the
//! report. Shells (CLI, desktop, HTTP) only convert arguments and call in here.

#![warn(missing_docs)]

/// Appends formatted text to a `String`. `write!` into a `String` returns a `Result` that can
/// only be an error when a `Display` impl fails, and none of ours do; this says so once instead
/// of dropping that result at every line.
#[macro_export]
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {
        $out.push_str(&format!($($arg)*))
    };
}

/// `put!`, then a line break.
#[macro_export]
macro_rules! putln {
    ($out:expr, $($arg:tt)*) => {{
        $out.push_str(&format!($($arg)*));
        $out.push('\n');
    }};
}

pub mod about;
pub mod clock;
pub mod demo;
pub mod encoding;
pub mod export;
pub mod go_live_day;
pub mod host;
pub mod import;
pub mod keys;
pub mod live;
pub mod logging;
pub mod notify;
pub mod reimport;
pub mod report;
pub mod secrets;
pub mod service;
pub mod store;
pub mod sync;
#[cfg(test)]
mod test_support;
pub mod web;

pub use clock::{Clock, FakeClock, ShiftedClock, SystemClock};
pub use import::{ImportError, ImportReport, Imported, Mode, import_file, import_file_with, import_markdown};
pub use store::{Store, StoreError};
