//! What Settings → About shows (the version, the database, the log folder) and what this
//! laptop goes without: found once at start, said once in the log, kept for the UI.

use warroom_model::api::Missing;

/// What this laptop goes without, asked once at start; each is said once in the log. Without
/// a notification service the app still runs: its reminders show in the app only.
pub fn missing() -> Vec<Missing> {
    let mut missing = Vec::new();
    if let Err(e) = crate::notify::desktop::available() {
        tracing::warn!("desktop notifications are unavailable: reminders show in the app only ({e})");
        missing.push(Missing::DesktopNotifications);
    }
    missing
}
