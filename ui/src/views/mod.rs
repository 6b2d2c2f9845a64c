//! The screens: Now (home), Timeline, Checkpoints, Rollback, Incidents, Monitoring, Contacts,
//! Commands, Activity, Settings, Edit, Import, the wall view, the command palette, and the
//! Welcome shown while there is no runbook. Each
//! reads the shared state in `app::Ctx` and records through `Ctx::act`; none talks to the
//! backend except through `api`.
//!
//! One file per screen; `format` holds the time and text helpers they share. The shell in
//! `app` reaches the screens only through the re-exports below.

pub(crate) mod activity;
pub(crate) mod alerts;
mod checkpoints;
mod contacts;
mod edit;
mod format;
mod gauge;
mod help;
mod import;
mod incidents;
mod mode;
mod monitoring;
pub(crate) mod next;
mod notifications;
mod now;
mod palette;
mod rollback;
mod room;
mod settings;
mod timeline;
mod top_bar;
mod wall;
mod welcome;

pub(crate) use activity::activity;
pub(crate) use checkpoints::checkpoints;
pub(crate) use contacts::{commands, contacts};
pub(crate) use edit::edit;
pub(crate) use help::help;
pub(crate) use import::import;
pub(crate) use incidents::incidents;
pub(crate) use mode::far_from_today;
pub(crate) use monitoring::monitoring;
pub(crate) use notifications::notifications;
pub(crate) use now::now;
pub(crate) use palette::palette;
pub(crate) use rollback::rollback;
pub(crate) use room::room;
pub(crate) use settings::settings;
pub(crate) use timeline::timeline;
pub(crate) use top_bar::top_bar;
pub(crate) use wall::wall;
pub(crate) use welcome::welcome;
