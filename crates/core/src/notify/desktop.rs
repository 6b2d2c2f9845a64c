//! Delivery: the `Notifier` trait the watchers call, the desktop's notification service
//! (org.freedesktop.Notifications on Linux, through notify-rust), and a recorder for tests.

use std::sync::Mutex;
use warroom_model::notify::Notice;

/// Why a notification could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The desktop's notification service refused it or is not there; what it said.
    #[error("the desktop's notification service did not take the notification: {0}")]
    Service(String),
}

/// Shows a notification. `on_click` runs if the person clicks it (where the desktop says so).
pub trait Notifier: Send + Sync {
    /// Shows `n` now; `Err` if the desktop would not take it.
    fn show(&self, n: &Notice, on_click: Option<Box<dyn FnOnce() + Send>>) -> Result<(), NotifyError>;
}

/// The desktop's own notifications, under the app name `warroom`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Desktop;

/// Notification servers read the body as simple markup.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl Notifier for Desktop {
    fn show(&self, n: &Notice, on_click: Option<Box<dyn FnOnce() + Send>>) -> Result<(), NotifyError> {
        let mut note = notify_rust::Notification::new();
        note.appname("warroom").summary(&n.title).body(&escape(&n.body)).icon("dialog-information");
        if n.kind.urgent() {
            #[cfg(all(unix, not(target_os = "macos")))]
            note.urgency(notify_rust::Urgency::Critical);
        }
        if on_click.is_some() {
            note.action("default", "Open");
        }
        let handle = note.show().map_err(|e| NotifyError::Service(e.to_string()))?;
        #[cfg(all(unix, not(target_os = "macos")))]
        if let Some(click) = on_click {
            // The service tells which action was taken when the notification closes; waiting
            // for it blocks, so it has a thread of its own.
            std::thread::spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" {
                        click();
                    }
                });
            });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let _ = (handle, on_click);
        Ok(())
    }
}

/// Whether the desktop's notification service answers (on Linux, org.freedesktop.Notifications
/// on the session bus); asked once at start, since without it the app runs on and lists its
/// notifications in the app only.
pub fn available() -> Result<(), NotifyError> {
    #[cfg(all(unix, not(target_os = "macos")))]
    notify_rust::get_server_information().map_err(|e| NotifyError::Service(e.to_string()))?;
    Ok(())
}

/// Keeps what it was asked to show: the fake for tests.
#[derive(Debug, Default)]
pub struct Recorder(pub Mutex<Vec<Notice>>);

impl Notifier for Recorder {
    fn show(&self, n: &Notice, _on_click: Option<Box<dyn FnOnce() + Send>>) -> Result<(), NotifyError> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(n.clone());
        Ok(())
    }
}
