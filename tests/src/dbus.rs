//! A private D-Bus session bus and a small org.freedesktop.Notifications server on it, so that
//! tests see exactly what warroom asks the desktop to show (and can click it) without touching
//! the real desktop.

use crate::{Child, Scratch};
use std::collections::HashMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A session bus of our own.
pub struct PrivateBus {
    pub address: String,
    _daemon: Child,
}

impl PrivateBus {
    pub fn start(s: &Scratch) -> Self {
        let socket = s.path("bus");
        let address = format!("unix:path={}", socket.display());
        let child = std::process::Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", &format!("--address={address}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("dbus-daemon (Debian package dbus; scripts/setup.sh --test installs it): {e}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "dbus-daemon did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { address, _daemon: Child(child) }
    }
}

/// One Notify call as the server received it.
#[derive(Debug)]
pub struct Call {
    pub id: u32,
    pub app: String,
    pub title: String,
    pub body: String,
    pub actions: Vec<String>,
    pub hints: Vec<String>,
    pub at: Instant,
}

struct Server {
    calls: mpsc::Sender<Call>,
    next: std::sync::atomic::AtomicU32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, zbus::OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let hints = hints.keys().cloned().collect();
        self.calls.send(Call { id, app: app_name, title: summary, body, actions, hints, at: Instant::now() }).ok();
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "actions".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("warroom-test".into(), "warroom".into(), "1".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}
}

/// The desktop's notification service, as far as warroom can tell.
pub struct NotificationServer {
    pub calls: mpsc::Receiver<Call>,
    conn: zbus::Connection,
    /// Always `Some` until dropped.
    rt: Option<tokio::runtime::Runtime>,
}

impl Drop for NotificationServer {
    fn drop(&mut self) {
        // A runtime may not be dropped inside another one (the test's), but it may be told to
        // shut down in the background.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl NotificationServer {
    pub fn start(bus: &PrivateBus) -> Self {
        let (tx, calls) = mpsc::channel();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("a runtime for the notification server: {e}"));
        let server = Server { calls: tx, next: std::sync::atomic::AtomicU32::new(0) };
        let conn = apart(|| {
            rt.block_on(async {
                zbus::connection::Builder::address(bus.address.as_str())
                    .name("org.freedesktop.Notifications")
                    .serve_at("/org/freedesktop/Notifications", server)
                    .build()
                    .await
            })
        })
        .unwrap_or_else(|e| panic!("the notification server on the private bus: {e}"));
        Self { calls, conn, rt: Some(rt) }
    }

    /// The person clicks notification `id`: the server says so, then that it closed.
    pub fn click(&self, id: u32) {
        let (Some(rt), conn) = (&self.rt, &self.conn) else { panic!("the notification server has stopped") };
        apart(|| {
            rt.block_on(async {
                let path = "/org/freedesktop/Notifications";
                let iface = "org.freedesktop.Notifications";
                conn.emit_signal(None::<&str>, path, iface, "ActionInvoked", &(id, "default")).await?;
                conn.emit_signal(None::<&str>, path, iface, "NotificationClosed", &(id, 2u32)).await
            })
        })
        .unwrap_or_else(|e| panic!("cannot click notification {id}: {e}"));
    }
}

/// Runs `f` on a thread of its own: the server's runtime may not be entered from a test that is
/// itself inside one.
fn apart<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|_| panic!("the D-Bus helper thread panicked"))
}
