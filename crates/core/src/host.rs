//! The host every shell runs warroom in: the one `Service` behind its lock, the version that
//! moves at each change (ours, a peer's, or another process's on the same database), and the
//! work that goes on in the background while a shell is open — noticing the CLI's commits,
//! serving and following the room's laptops, timing the notifications on the service's clock,
//! and joining a room. `warroom serve`, `warroom watch` and the desktop app are adapters over
//! this; none of them repeats it. Nothing in the background keeps the host alive: what runs
//! beside it ends when the shell lets go of it (the peer service also on `stop_peers`).

use crate::notify::desktop::Notifier;
use crate::service::{Service, ServiceError};
use crate::store::Store;
use crate::sync::join;
use crate::sync::node::{Book, Lock, Node};
use crate::sync::room::{self, JoinCode, KnownPeer, RoomError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use warroom_model::api::Changed;
use warroom_model::notify::Notice;
use warroom_model::peers::RoomView;
use warroom_model::{ApiError, ErrorKind};

/// How often commits by other processes (the CLI on the same database) are looked for.
const EXTERNAL_EVERY: Duration = Duration::from_millis(500);
/// The longest the notification timer sleeps: a laptop waking from sleep is noticed soon.
const NOTIFY_AT_MOST: Duration = Duration::from_secs(60);

/// Why the host could not do what a shell asked.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("cannot listen for peers on {bind}: {source}")]
    Listen { bind: SocketAddr, source: std::io::Error },
    #[error("the background thread failed: {0}")]
    Thread(String),
}

impl From<ServiceError> for HostError {
    fn from(e: ServiceError) -> Self {
        Self::Api(e.to_api())
    }
}

impl From<HostError> for ApiError {
    fn from(e: HostError) -> Self {
        match e {
            HostError::Api(e) => e,
            other => ApiError::new(ErrorKind::Internal, other.to_string()),
        }
    }
}

/// How a shell takes part in peer sync.
#[derive(Clone, Debug, Default)]
pub struct PeerOptions {
    /// Serve the room's laptops here; `None` only follows.
    pub bind: Option<SocketAddr>,
    /// When `bind`'s port is taken, take one of the system's choosing instead (the desktop app
    /// next to a `warroom serve --peer` on the same laptop).
    pub any_port: bool,
    /// Laptops to keep in step with besides those the room knows.
    pub connect: Vec<KnownPeer>,
    /// Advertise the room and find its laptops on the LAN (mDNS).
    pub mdns: bool,
}

/// What starting the peer service did.
#[derive(Debug, Default)]
pub struct PeersStarted {
    /// Where it serves peers.
    pub at: Option<SocketAddr>,
    /// What did not work but does not stop it (LAN discovery refused), for the person.
    pub warnings: Vec<String>,
}

/// The service under its lock and everything that runs beside it.
pub struct Host {
    svc: Mutex<Service>,
    changed: watch::Sender<Changed>,
    /// Wakes the notification timer when something that is not a change (a snooze) moved it.
    kick: Arc<Notify>,
    /// The peer service, while it runs.
    peers: Mutex<Option<Node<Host>>>,
    rt: tokio::runtime::Handle,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host").field("changes", &*self.changed.borrow()).finish_non_exhaustive()
    }
}

fn poisoned() -> ApiError {
    ApiError::new(ErrorKind::Internal, "the database lock was poisoned")
}

impl Lock for Host {
    fn with<T>(&self, f: impl FnOnce(&mut Service) -> Result<T, ApiError>) -> Result<T, ApiError> {
        Host::with(self, f)
    }

    fn subscribe(&self) -> watch::Receiver<Changed> {
        self.changed.subscribe()
    }
}

impl Host {
    /// Hosts `svc`; background work runs on `rt`.
    pub fn new(svc: Service, rt: tokio::runtime::Handle) -> Arc<Self> {
        let (changed, _) = watch::channel(svc.changes());
        Arc::new(Self { svc: Mutex::new(svc), changed, kick: Arc::default(), peers: Mutex::new(None), rt })
    }

    /// Runs `f` under the lock; if it changed anything, everyone subscribed hears what moved.
    pub fn with<T, E: Into<ApiError>>(&self, f: impl FnOnce(&mut Service) -> Result<T, E>) -> Result<T, ApiError> {
        let mut svc = self.svc.lock().map_err(|_| poisoned())?;
        let out = f(&mut svc).map_err(Into::into);
        let now = svc.changes();
        drop(svc);
        self.changed.send_if_modified(|v| (*v != now).then(|| *v = now).is_some());
        out
    }

    /// Each change of the database: its version, and the runbook's.
    pub fn subscribe(&self) -> watch::Receiver<Changed> {
        self.changed.subscribe()
    }

    /// Wakes the notification timer to plan again (after a snooze or a settings change).
    pub fn kick(&self) {
        self.kick.notify_one();
    }

    /// How each peer was last seen (empty while the peer service does not run).
    pub fn book(&self) -> Arc<Book> {
        self.running_book().unwrap_or_default()
    }

    fn running_book(&self) -> Option<Arc<Book>> {
        self.peers.lock().ok().and_then(|p| p.as_ref().map(Node::book))
    }

    /// The room and its laptops as this one sees them.
    pub fn room_view(&self) -> Result<RoomView, ApiError> {
        let book = self.book();
        self.with(|svc| book.view(svc))
    }

    /// Notices, twice a second, what other processes commit to the same database, for as long
    /// as the host lives.
    pub fn watch_external(self: &Arc<Self>) {
        let host = Arc::downgrade(self);
        self.rt.spawn(async move {
            let mut tick = tokio::time::interval(EXTERNAL_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut failing = false;
            loop {
                tick.tick().await;
                let Some(host) = host.upgrade() else { return };
                match host.with(|svc| svc.poll_external()) {
                    Ok(_) => failing = false,
                    Err(e) if !failing => {
                        tracing::warn!("cannot look for changes made by other programs: {e}");
                        failing = true;
                    }
                    Err(_) => {}
                }
            }
        });
    }

    /// Shows each notification as it falls due, on the service's clock (a rehearsal's shifted
    /// or sped-up one too), with the member laptops lost from reach; plans again at every
    /// change. `show` runs on a thread of the timer's own. Stops when the host is gone.
    pub fn notifications(self: &Arc<Self>, show: impl Fn(&Notice) + Send + 'static) -> Result<(), HostError> {
        let host = Arc::downgrade(self);
        let rt = self.rt.clone();
        std::thread::Builder::new()
            .name("warroom-notify".into())
            .spawn(move || notify_loop(&host, &rt, show))
            .map(drop)
            .map_err(|e| HostError::Thread(e.to_string()))
    }

    /// Serves the room's laptops (when `opts.bind` says where) and keeps in step with every one
    /// it knows, until `stop_peers` or the shell lets go of the host. A second call while it
    /// runs does nothing.
    pub fn start_peers(self: &Arc<Self>, opts: PeerOptions) -> Result<PeersStarted, HostError> {
        let mut slot = self.peers.lock().map_err(|_| poisoned())?;
        if slot.is_some() {
            return Ok(PeersStarted::default());
        }
        let (identity, clock) = self.with(|svc| Ok::<_, ServiceError>((svc.identity()?, svc.clock())))?;
        let node = Node::new(self, identity, clock);
        let mut started = PeersStarted::default();
        if let Some(bind) = opts.bind {
            let listen = |b: SocketAddr| on_runtime(&self.rt, node.listen(b));
            let at = match listen(bind) {
                Ok(at) => at,
                Err(_) if opts.any_port => {
                    listen(SocketAddr::new(bind.ip(), 0)).map_err(|source| HostError::Listen { bind, source })?
                }
                Err(source) => return Err(HostError::Listen { bind, source }),
            };
            if opts.mdns
                && let Err(e) = node.discover(at.port())
            {
                tracing::warn!("LAN discovery is off: {e}");
                started.warnings.push(format!("{e}; join codes and --connect still work"));
            }
            started.at = Some(at);
        }
        {
            let _inside = self.rt.enter();
            node.follow_all(opts.connect);
        }
        *slot = Some(node);
        Ok(started)
    }

    /// Stops the peer service: its listener and connections, LAN discovery and every follower
    /// end, and how peers were seen is forgotten. `start_peers` may start it again.
    pub fn stop_peers(&self) {
        let node = self.peers.lock().ok().and_then(|mut p| p.take());
        drop(node);
    }

    /// Starts the peer service if the database is a room: a room's laptop serves and follows
    /// its peers for as long as the shell is open.
    pub fn serve_room(self: &Arc<Self>, opts: PeerOptions) -> Result<Option<PeersStarted>, HostError> {
        if self.with(|svc| svc.room())?.is_none() {
            return Ok(None);
        }
        self.start_peers(opts).map(Some)
    }

    /// Joins the room of `code` with a database of its own, next to the current one
    /// (`warroom-room-<id>.db`): takes the runbook and its history, carries over who is using
    /// this laptop and their notification settings, switches the host to it (stopping the peer
    /// service of the database left behind; `serve_room` starts the room's) and, when
    /// `make_default`, makes it the database the CLI and the app open from now on. Refused when
    /// this laptop already is in a room.
    pub fn join_room(self: &Arc<Self>, code: &str, make_default: bool) -> Result<PathBuf, HostError> {
        let code: JoinCode = code.parse().map_err(|e: RoomError| HostError::from(ServiceError::from(e)))?;
        let (current, laptop, me, settings) = self.with(|svc| {
            if let Some(r) = svc.room()? {
                return Err(ApiError::new(
                    ErrorKind::Invalid,
                    format!("this laptop is already in the room {}", r.name),
                ));
            }
            let me = svc.me()?;
            let settings = svc.notify_settings()?;
            Ok((PathBuf::from(svc.store().path()), room::laptop_name(&me.name), me, settings))
        })?;
        let dir = current.parent().map(PathBuf::from).unwrap_or_default();
        let path = dir.join(format!("warroom-room-{}.db", code.room.get(..8).unwrap_or(&code.room)));
        let clock = self.with(|svc| Ok::<_, ApiError>(svc.clock()))?;
        // Joining blocks on the network with a runtime of its own: not on one of ours.
        let store = std::thread::spawn(move || -> Result<Store, ApiError> {
            let mut store = Store::open(&path).map_err(|e| e.to_api())?;
            join::join(&mut store, &code, &laptop, Vec::new(), clock.as_ref()).map_err(|e| e.to_api())?;
            Ok(store)
        })
        .join()
        .map_err(|_| HostError::Thread("joining the room stopped unexpectedly".into()))??;
        let db = PathBuf::from(store.path());
        let clock = self.with(|svc| Ok::<_, ApiError>(svc.clock()))?;
        let mut svc = Service::new(store, clock)?;
        svc.set_me(&me)?;
        svc.set_notify_settings(&settings)?;
        // The peer service speaks for the database left behind (its certificate is that one's).
        self.stop_peers();
        self.with(|held| {
            svc.succeed(held);
            *held = svc;
            Ok::<_, ApiError>(())
        })?;
        if make_default {
            crate::store::make_default(&db).map_err(|e| {
                ApiError::new(ErrorKind::Storage, format!("cannot make {} the default database: {e}", db.display()))
            })?;
        }
        Ok(db)
    }
}

/// Runs `fut` on `rt` from any thread, also from within another runtime's task (where blocking
/// on a runtime directly is not allowed).
fn on_runtime<T: Send>(rt: &tokio::runtime::Handle, fut: impl std::future::Future<Output = T> + Send) -> T {
    std::thread::scope(|s| s.spawn(|| rt.block_on(fut)).join()).unwrap_or_else(|p| std::panic::resume_unwind(p))
}

fn notify_loop(host: &Weak<Host>, rt: &tokio::runtime::Handle, show: impl Fn(&Notice)) {
    let mut failing = false;
    loop {
        let Some(h) = host.upgrade() else { return };
        let mut changed = h.changed.subscribe();
        let book = h.running_book();
        let tick = h.with(|svc| {
            let (mut due, next) = svc.notify_tick()?;
            // Member laptops out of reach for a while: the peer service's picture, told once.
            if let Some(book) = &book {
                due.extend(book.lost(svc)?);
            }
            let wait = svc.clock().real(next - svc.now());
            Ok::<_, ApiError>((due, wait))
        });
        let wait = match tick {
            Ok((due, wait)) => {
                failing = false;
                for n in &due {
                    show(n);
                }
                wait.min(NOTIFY_AT_MOST)
            }
            Err(e) => {
                if !failing {
                    tracing::warn!("notifications could not be planned: {e}");
                }
                failing = true;
                NOTIFY_AT_MOST
            }
        };
        // Not holding the host while waiting: when the shell lets go of it, the change channel
        // closes and the timer ends.
        let kick = Arc::clone(&h.kick);
        drop(h);
        let woken = rt.block_on(async move {
            tokio::select! {
                r = changed.changed() => r.is_ok(),
                () = kick.notified() => true,
                () = tokio::time::sleep(wait) => true,
            }
        });
        if !woken {
            return;
        }
    }
}

/// Shows each notice on the desktop through `notifier`, opening what it is about when clicked
/// (`open`), and tells the shell (`told`) so its list under the bell grows.
pub fn desktop_sink<N: Notifier + 'static>(
    notifier: N,
    open: impl Fn(&Notice) + Send + Sync + Clone + 'static,
    told: impl Fn(&Notice) + Send + 'static,
) -> impl Fn(&Notice) + Send + 'static {
    let warned = std::cell::Cell::new(false);
    move |n: &Notice| {
        let target = n.clone();
        let open = open.clone();
        if let Err(e) = notifier.show(n, Some(Box::new(move || open(&target))))
            && !warned.replace(true)
        {
            tracing::warn!("{e}; notifications are listed in the app only");
        }
        told(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use chrono::TimeZone;
    use warroom_model::Author;
    use warroom_model::api::{Action, Me, Request};
    use warroom_model::live::RunKind;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
    }

    /// The demo runbook with a live run on its day, the clock at `h:m` in its zone, and Lan the
    /// Tech Lead at the keys.
    fn demo_at(h: u32, m: u32) -> (Service, Arc<FakeClock>) {
        let tz: chrono_tz::Tz = "Asia/Ho_Chi_Minh".parse().unwrap();
        let at = tz.with_ymd_and_hms(2026, 1, 31, h, m, 0).unwrap().with_timezone(&chrono::Utc);
        let clock = Arc::new(FakeClock::new(at));
        let mut svc = Service::with_demo(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        svc.set_me(&Me { name: "Lan".into(), role: "Tech Lead".into() }).unwrap();
        let start = Action::RunStart {
            kind: RunKind::Live,
            date: "2026-01-31".into(),
            tz: "Asia/Ho_Chi_Minh".into(),
            durations_from: None,
        };
        let by = Some(Author { name: "Lan".into(), role: "Tech Lead".into() });
        svc.act(&Request { at: None, run: None, by, action: start }).unwrap();
        (svc, clock)
    }

    fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
        let until = std::time::Instant::now() + Duration::from_secs(10);
        while !f() {
            assert!(std::time::Instant::now() < until, "waited 10 s for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_change_under_the_lock_moves_the_version_everyone_hears_and_a_read_does_not() {
        let rt = runtime();
        let (svc, _) = demo_at(5, 0);
        let host = Host::new(svc, rt.handle().clone());
        let rx = host.subscribe();
        host.with(|svc| svc.status(None, None)).unwrap();
        assert!(!rx.has_changed().unwrap(), "reading changes nothing");
        let by = Some(Author { name: "Lan".into(), role: "Tech Lead".into() });
        let start =
            Action::Task { task: "1.1".into(), verb: warroom_model::api::TaskVerb::Start, note: None, at: None };
        host.with(|svc| svc.act(&Request { at: None, run: None, by, action: start })).unwrap();
        assert!(rx.has_changed().unwrap());
        let e = host
            .with(|svc| {
                svc.act(&Request {
                    at: None,
                    run: None,
                    by: None,
                    action: Action::CheckpointSign { id: "nope".into(), role: None },
                })
            })
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid, "a refusal keeps its kind: {e}");
    }

    #[test]
    fn the_timer_shows_what_is_due_on_the_services_clock_and_plans_again_after_a_change() {
        let rt = runtime();
        // 05:56 on the go-live day by the service's clock, whatever the machine's says: the
        // Tech Lead's 1.1 at 06:00 is due (told 5 minutes before).
        let (svc, clock) = demo_at(5, 56);
        let host = Host::new(svc, rt.handle().clone());
        let shown: Arc<Mutex<Vec<Notice>>> = Arc::default();
        let sink = Arc::clone(&shown);
        host.notifications(move |n: &Notice| sink.lock().unwrap().push(n.clone())).unwrap();
        wait_for("1.1 to be due", || shown.lock().unwrap().iter().any(|n| n.task_id.as_deref() == Some("1.1")));
        let told = shown.lock().unwrap().len();
        // Later on the clock: nothing new until something changes; then the timer looks again.
        clock.advance(chrono::Duration::minutes(40));
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(shown.lock().unwrap().len(), told, "the timer waits for its moment or a change");
        host.kick();
        wait_for("the overdue notice after a kick", || shown.lock().unwrap().len() > told);
        assert!(shown.lock().unwrap().iter().all(|n| !n.title.is_empty()));
    }

    #[test]
    fn the_timer_ends_when_the_shell_lets_go_of_the_host() {
        let rt = runtime();
        let (svc, _) = demo_at(5, 0);
        let host = Host::new(svc, rt.handle().clone());
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        host.notifications(move |_: &Notice| {
            let _ = &tx;
        })
        .unwrap();
        let weak = Arc::downgrade(&host);
        drop(host);
        wait_for("the host to be gone", || weak.upgrade().is_none());
        // The timer's thread dropped its sink (and with it the sender) as it ended.
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Err(std::sync::mpsc::RecvTimeoutError::Disconnected));
    }

    #[test]
    fn a_commit_by_another_process_is_noticed_and_announced() {
        let rt = runtime();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let clock = Arc::new(FakeClock::new("2026-01-30T22:00:00Z".parse().unwrap()));
        let svc = Service::with_demo(Store::open(&path).unwrap(), clock.clone()).unwrap();
        let host = Host::new(svc, rt.handle().clone());
        host.watch_external();
        let rx = host.subscribe();
        let mut other = Store::open(&path).unwrap();
        let by = Author { name: "Huy".into(), role: "DBA".into() };
        let mut a = crate::live::actions::Actions::new(&mut other, by, clock.as_ref());
        a.run_start(RunKind::Rehearsal, "2026-01-31", "Asia/Ho_Chi_Minh", None).unwrap();
        wait_for("the other process's run", || rx.has_changed().unwrap_or(false));
        let runs = host.with(|svc| svc.status(None, None)).unwrap();
        assert!(runs.is_some(), "the run the other process started is seen");
    }

    #[test]
    fn stopping_the_peers_or_letting_go_of_the_host_ends_the_followers_and_the_listener() {
        let rt = runtime();
        let (mut lan, clock) = demo_at(5, 0);
        lan.room_create(Some("Lan's laptop")).unwrap();
        // Huy's laptop, a member with the room's log, serves it.
        let mut huy = Service::new(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        let huy_id = huy.identity().unwrap();
        let by = Author { name: "Lan".into(), role: "Tech Lead".into() };
        crate::sync::members::trust(lan.store_mut(), &by, &huy_id.fingerprint(), "Huy's laptop", clock.as_ref())
            .unwrap();
        huy.sync_push(&lan.store().events_after(&Default::default(), crate::sync::MAX_PAGE).unwrap()).unwrap();
        let huy = Host::new(huy, rt.handle().clone());
        let huy_node = Node::new(&huy, huy_id.clone(), clock.clone());
        let at = on_runtime(rt.handle(), huy_node.listen("127.0.0.1:0".parse().unwrap())).unwrap();
        let opts = PeerOptions {
            bind: Some("127.0.0.1:0".parse().unwrap()),
            connect: vec![KnownPeer { url: format!("https://{at}"), fingerprint: huy_id.fingerprint() }],
            ..PeerOptions::default()
        };
        let lan = Host::new(lan, rt.handle().clone());
        let following = |lan: &Host| lan.room_view().unwrap().peers.iter().any(|p| p.connected);

        let lan_at = lan.start_peers(opts.clone()).unwrap().at.unwrap();
        wait_for("Lan's laptop to follow Huy's", || following(&lan));
        lan.stop_peers();
        wait_for("Lan's connections to Huy's laptop to close", || huy_node.tasks() == 1);
        assert!(std::net::TcpStream::connect(lan_at).is_err(), "Lan's laptop no longer serves peers");
        assert!(!following(&lan), "how peers were seen went with the peer service");

        lan.start_peers(opts).unwrap();
        wait_for("Lan's laptop to follow Huy's again", || following(&lan));
        let gone = Arc::downgrade(&lan);
        drop(lan);
        wait_for("the host to be gone: its peer service does not keep it alive", || gone.upgrade().is_none());
        wait_for("Lan's connections to Huy's laptop to close again", || huy_node.tasks() == 1);
    }
}
