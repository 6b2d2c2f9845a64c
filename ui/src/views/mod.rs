//! The screens: Now (home), Timeline, Checkpoints, Rollback, Incidents, Monitoring, Contacts,
//! Commands, Activity, Settings, Edit, Import, the wall view and the command palette. Each
//! reads the shared state in `app::Ctx` and records through `Ctx::act`; none talks to the
//! backend except through `api`.
//!
//! One file per screen; `format` holds the time and text helpers they share. The shell in
//! `app` reaches the screens only through the re-exports below.

mod activity;
mod checkpoints;
mod contacts;
mod edit;
mod format;
mod import;
mod incidents;
mod monitoring;
mod notifications;
mod now;
mod palette;
mod rollback;
mod room;
mod settings;
mod timeline;
mod top_bar;
mod wall;

pub use activity::activity;
pub use checkpoints::checkpoints;
pub use contacts::{commands, contacts};
pub use edit::edit;
pub use import::import;
pub use incidents::incidents;
pub use monitoring::monitoring;
pub use notifications::notifications;
pub use now::now;
pub use palette::palette;
pub use rollback::rollback;
pub use room::room;
pub use settings::settings;
pub use timeline::timeline;
pub use top_bar::top_bar;
pub use wall::wall;
