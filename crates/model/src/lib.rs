//! Types shared by the UI (wasm) and the backend: the runbook as imported, the events of the log,
//! and the small value types they are made of. No I/O here, so it compiles for wasm32.

#![warn(missing_docs)]

pub mod event;
pub mod ids;
pub mod roles;
pub mod runbook;
pub mod time;

pub use event::{Author, Event, Write, WriteOp};
pub use ids::{Fingerprint, RoomId, RunId, TaskId};
pub use roles::{fold, is_mine, same_role};
pub use runbook::*;
pub use time::{ClockTime, Instant};

pub mod agenda;
pub mod api;
pub mod live;
pub mod notify;
pub mod peers;
pub mod refusal;
pub mod reimport;
pub use api::{ApiError, ErrorKind, Loaded};
pub use refusal::Refusal;
