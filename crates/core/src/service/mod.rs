//! The backend every shell serves: the desktop app's commands and `warroom serve`'s HTTP API
//! both call this one `Service`, so the UI gets the same answers through either transport. It
//! owns the open store, the person using this laptop, the state held in memory (brought along
//! with each event this service commits or receives from a peer, read again only when another
//! process committed or in doubt), and noticing changes that other processes (the CLI) commit
//! to the same database.

use crate::clock::Clock;
use crate::live::actions::Actions;
use crate::live::{self, LiveError, Snapshot};
use crate::report::Record;
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use warroom_model::Refusal;
use warroom_model::api::{About, Action, Activity, Changed, Done, Me, Missing, Request, Session};
use warroom_model::live::Status;
use warroom_model::{Author, Event, Instant, Loaded, RunId, WriteOp};

mod activity;
mod error;
mod importing;
mod notices;
mod perform;
mod rooms;

pub use error::ServiceError;
use perform::overwrites;
pub use perform::{Recorded, perform};

type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// Local settings keys of the person using this laptop.
pub const ME_NAME: &str = "me.name";
/// The local settings key of that person's role.
pub const ME_ROLE: &str = "me.role";
/// This laptop's notification settings and what it has already shown (JSON).
pub const NOTIFY_SETTINGS: &str = "notify.settings";
/// The local settings key of what this laptop has notified (`notify::Ledger`, JSON).
pub const NOTIFY_LEDGER: &str = "notify.ledger";

/// The open database and what is derived from it.
pub struct Service {
    store: Store,
    clock: Arc<dyn Clock>,
    /// The state in memory, and where the store stood when it was last current.
    cache: Option<Held>,
    /// Bumped by every change, ours or another process's.
    version: u64,
    /// Bumped when the runbook itself may have changed: views re-read it only then.
    runbook_version: u64,
    seen_data_version: i64,
    /// What this laptop goes without, as its shell found at start.
    missing: Vec<Missing>,
    /// The addresses last checked against the log, and where the room's members stood then
    /// (`Store::entity_stamp`): the follower asks every few seconds, and need not read the
    /// members again while neither moved, whatever else the room recorded meanwhile.
    published: Option<(Vec<String>, (u64, u64))>,
}

/// The state held in memory.
struct Held {
    /// The database's data version it includes (what other processes committed).
    data_version: i64,
    /// The store's generation it includes (what this process committed).
    generation: u64,
    snap: Snapshot,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("store", &self.store).field("version", &self.version).finish()
    }
}

impl Service {
    /// A service over `store` on `clock`, as it stands (no demo imported).
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Result<Self> {
        let seen_data_version = store.data_version()?;
        // Counted from the wall clock: a page that outlives a restart of `warroom serve` does not
        // take the new process's runbook for the one it read from the old.
        let runbook_version = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Ok(Self {
            store,
            clock,
            cache: None,
            version: 0,
            runbook_version,
            seen_data_version,
            missing: Vec::new(),
            published: None,
        })
    }

    /// Opens `store`, importing the bundled demo runbook when it holds none.
    pub fn with_demo(mut store: Store, clock: Arc<dyn Clock>) -> Result<Self> {
        let author = author_of(&store)?;
        store.ensure_demo(&author, clock.as_ref())?;
        Self::new(store, clock)
    }

    /// The store itself, for tests that write what has no action of its own.
    #[cfg(test)]
    pub(crate) fn store_mut(&mut self) -> &mut Store {
        self.changed();
        &mut self.store
    }

    /// The open database, to read from; writes go through the service so that changes are announced.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The clock this service runs on (a shifted one in a rehearsal).
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// The current instant on the service's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Changes so far; a shell tells its views to refresh when this moves.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// What moved so far: every change, and changes of the runbook itself.
    pub fn changes(&self) -> Changed {
        Changed { version: self.version, runbook: self.runbook_version }
    }

    fn changed(&mut self) {
        self.version += 1;
    }

    /// Whether another process committed to the database since last asked; if so `version`
    /// moves, and the state is read again at once to tell whether the runbook moved too.
    pub fn poll_external(&mut self) -> Result<bool> {
        let v = self.store.data_version()?;
        if v == self.seen_data_version {
            return Ok(false);
        }
        self.seen_data_version = v;
        let before = self.cache.take().map(|h| h.snap.runbook);
        let same = match self.snapshot() {
            Ok(snap) => before.as_ref() == Some(&snap.runbook),
            Err(_) => false,
        };
        if !same {
            self.runbook_version += 1;
        }
        self.changed();
        Ok(true)
    }

    /// The state, as held when it is current, else read again.
    fn snapshot(&mut self) -> Result<&Snapshot> {
        let data_version = self.store.data_version()?;
        let generation = self.store.generation();
        let current = matches!(&self.cache, Some(h) if h.data_version == data_version && h.generation == generation);
        if !current {
            // Let go of the old one first: two states of a big run need not be held at once.
            self.cache = None;
            let snap = Snapshot::load(&self.store)?;
            self.cache = Some(Held { data_version, generation, snap });
        }
        match &self.cache {
            Some(h) => Ok(&h.snap),
            None => Err(ServiceError::Live(LiveError::NoRun)),
        }
    }

    /// Brings the state held along with `events`, which this service has just stored in
    /// transactions that moved the store's generation on from `before`. What it cannot follow
    /// is read again when next needed.
    fn follow(&mut self, before: u64, events: &[&Event]) {
        let after = self.store.generation();
        let edits = events.iter().any(|e| e.writes.iter().any(|w| crate::store::records::is_runbook_entity(&w.entity)));
        if edits {
            self.runbook_version += 1;
        }
        let Some(held) = self.cache.as_mut().filter(|h| h.generation == before) else { return };
        if events.iter().try_for_each(|e| held.snap.apply(e).map(drop)).is_ok() {
            held.generation = after;
        } else {
            self.cache = None;
        }
    }

    /// Drops the live picture kept in memory (the state changed in a way events do not replay),
    /// so the next read loads it from the database.
    pub(crate) fn forget_snapshot(&mut self) {
        self.cache = None;
        self.runbook_version += 1;
        self.changed();
    }

    /// A setting of this laptop only (window place, UI preferences); not a change of the run.
    pub fn set_local(&mut self, key: &str, value: &str) -> Result<()> {
        self.store.set_local(key, value)?;
        // Our own write moves the data version only for other connections; nothing to refresh.
        Ok(())
    }

    /// The person set on this laptop (`warroom me set`, or Settings); empty fields when not set.
    pub fn me(&self) -> Result<Me> {
        me_of(&self.store)
    }

    /// Sets the person using this laptop; refused with an empty name. Names and roles are trimmed.
    pub fn set_me(&mut self, me: &Me) -> Result<Me> {
        let name = me.name.trim();
        if name.is_empty() {
            return Err(LiveError::Refused(Refusal::NameNeeded).into());
        }
        self.store.set_local(ME_NAME, name)?;
        self.store.set_local(ME_ROLE, me.role.trim())?;
        self.changed();
        self.me()
    }

    /// What the UI learns first: whether it may write (the shell decides), the demo flag, who is
    /// at the keys, this laptop's short id and the change counters.
    pub fn session(&self, can_write: bool) -> Result<Session> {
        Ok(Session {
            can_write,
            is_demo: self.store.is_demo()?,
            has_runbook: self.store.has_runbook()?,
            me: self.me()?,
            device: self.store.origin().get(..8).unwrap_or_default().to_owned(),
            changes: self.changes(),
        })
    }

    /// Records what this laptop goes without (`about::missing`, asked once by the shell).
    pub fn set_missing(&mut self, missing: Vec<Missing>) {
        self.missing = missing;
    }

    /// What Settings → About shows.
    pub fn about(&self) -> About {
        About {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            db_path: self.store.path().to_owned(),
            log_dir: crate::logging::log_dir().map(|d| d.display().to_string()),
            missing: self.missing.clone(),
        }
    }

    /// The runbook as it reads now, and whether it is the bundled demo.
    pub fn loaded(&mut self) -> Result<Loaded> {
        let is_demo = self.store.is_demo()?;
        let runbook = self.snapshot()?.runbook.clone();
        let run_defaults = crate::go_live_day::run_defaults(&runbook);
        Ok(Loaded { runbook, is_demo, run_defaults })
    }

    /// The live picture of `run` (default: the current run) at `now` (default: the clock's).
    /// `None` when no run has been started yet.
    pub fn status(&mut self, run: Option<&RunId>, now: Option<DateTime<Utc>>) -> Result<Option<Status>> {
        let now = now.unwrap_or_else(|| self.clock.now());
        let snap = self.snapshot()?;
        let r = match snap.run(run.map(RunId::as_str)) {
            Ok(r) => r,
            Err(LiveError::NoRun) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(Some(live::status(snap, &r, now)?))
    }

    /// Records what a person did, then returns the picture after it.
    pub fn act(&mut self, req: &Request) -> Result<Done> {
        let recorded = self.perform(req)?;
        let (kind, about, outcome) = match &recorded.event {
            Some(e) => {
                let (about, outcome) = activity::describe(e, self.snapshot().ok().map(|s| &s.runbook));
                (e.kind.clone(), about, outcome)
            }
            None => (String::new(), String::new(), None),
        };
        let run = match &req.action {
            Action::RunStart { .. } => None,
            _ => req.run.as_ref(),
        };
        let status = self.status(run, None)?;
        Ok(Done { summary: recorded.summary, kind, about, outcome, status })
    }

    /// Records what a person did: the one path every shell's actions take (the app's, the
    /// browser's and the CLI's).
    pub fn perform(&mut self, req: &Request) -> Result<Recorded> {
        let author = match &req.by {
            // A blank name is refused, not taken for "not said": it would be recorded as nobody.
            Some(a) if a.name.trim().is_empty() => return Err(LiveError::Refused(Refusal::NameNeeded).into()),
            Some(a) => Author { name: a.name.trim().to_owned(), role: a.role.trim().to_owned() },
            None => named_author(&self.store)?,
        };
        let clock = Arc::clone(&self.clock);
        // The rules are checked against the state held; without one the actions read it (and
        // say why they cannot).
        let held = self.snapshot().is_ok();
        let typist = author_of(&self.store)?.name;
        let entered_by = (req.at.is_some() && typist != author.name).then_some(typist);
        let before = self.store.generation();
        let (done, events) = {
            let Self { store, cache, .. } = self;
            let mut a = Actions::new(store, author, clock.as_ref());
            if let Some(h) = cache.as_ref().filter(|_| held) {
                a = a.with_snapshot(&h.snap);
            }
            let done = perform(&mut a, req.run.as_deref(), req.at.as_deref(), entered_by, &req.action);
            (done, a.into_committed())
        };
        if !events.is_empty() {
            self.follow(before, &events.iter().collect::<Vec<_>>());
            self.changed();
        }
        Ok(done?)
    }

    /// Takes over from the service the shell held before (another database): its versions move
    /// past the previous one's, so open views re-read.
    pub fn succeed(&mut self, previous: &Service) {
        self.version = previous.version + 1;
        self.runbook_version = previous.runbook_version + 1;
        self.cache = None;
    }

    /// Who is recorded on changes this laptop makes without a person at the keys (a join, a room).
    fn author(&self) -> Result<Author> {
        author_of(&self.store)
    }

    /// The last `n` events, newest first, at the current run's time (UTC without a run).
    pub fn activity(&mut self, n: usize) -> Result<Vec<Activity>> {
        // Read before the snapshot, which holds `self` borrowed while the events are described.
        let events = self.store.recent_events(n)?;
        let snap = self.snapshot()?;
        let zone = snap.run(None).ok().and_then(|r| live::parse_tz(&r.tz).ok());
        let rb = &snap.runbook;
        let formatter = zone.map(live::schedule::Formatter::new);
        let at = |t: DateTime<Utc>| formatter.as_ref().map_or_else(|| Instant::utc(t), |f| f.format(t));
        let overwrites = overwrites(&events);
        Ok(events
            .into_iter()
            .zip(overwrites)
            .rev()
            .map(|(e, overwrote)| {
                let (about, outcome) = activity::describe(&e, Some(rb));
                Activity {
                    about,
                    outcome,
                    at: DateTime::<Utc>::from_timestamp_millis(e.wall_ms).map(at).unwrap_or_default(),
                    summary: e.summary().unwrap_or_default().to_owned(),
                    changes: e
                        .writes
                        .iter()
                        .map(|w| {
                            let op = if w.op == WriteOp::Add { "+=" } else { "=" };
                            format!("{} {} {} {op} {}", w.entity, w.id, w.field, w.value)
                        })
                        .collect(),
                    seq: e.seq,
                    origin: e.origin.get(..8).unwrap_or_default().to_owned(),
                    name: e.author.name,
                    role: e.author.role,
                    kind: e.kind,
                    overwrote,
                }
            })
            .collect())
    }

    /// The audit record of `run` (default: the current run) as of now. Shells read it under
    /// their lock and lay it out (`report::render`, `report::save`) outside it.
    pub fn record(&self, run: Option<&RunId>) -> Result<Record> {
        Ok(Record::load(&self.store, run.map(RunId::as_str), self.now())?)
    }
}

/// Who is recorded on what the laptop itself does (a room, a join, the bundled demo): the person
/// set with `me set` (or in Settings), else the login name, else "this laptop" — the one default
/// every shell uses. What a person does takes `named_author` instead.
pub fn author_of(store: &Store) -> Result<Author> {
    let me = me_of(store)?;
    let name = if me.name.trim().is_empty() { unnamed() } else { me.name };
    Ok(Author { name, role: me.role })
}

/// The person set on this laptop with `me set` (or in Settings), for what a person does (an
/// action, an import): refused with `WhoAreYou` when nobody is set, so that nothing in the record
/// is signed by a login name or by nobody.
pub fn named_author(store: &Store) -> Result<Author> {
    let me = me_of(store)?;
    if me.name.trim().is_empty() {
        return Err(LiveError::Refused(Refusal::WhoAreYou).into());
    }
    Ok(Author { name: me.name, role: me.role })
}

/// The name recorded when nobody said who they are.
fn unnamed() -> String {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|n| !n.trim().is_empty()))
        .unwrap_or_else(|| "this laptop".to_owned())
}

/// The person set on this laptop as stored; empty fields when not set.
pub fn me_of(store: &Store) -> Result<Me> {
    Ok(Me { name: store.local(ME_NAME)?.unwrap_or_default(), role: store.local(ME_ROLE)?.unwrap_or_default() })
}

#[cfg(test)]
mod held_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FakeClock;
    use chrono::TimeZone;
    use warroom_model::ErrorKind;
    use warroom_model::api::{ImportRequest, TaskVerb};
    use warroom_model::live::{Decision, RunKind, TaskStatus};

    fn service() -> (Service, Arc<FakeClock>) {
        let clock = Arc::new(FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).unwrap()));
        let svc = Service::with_demo(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        (svc, clock)
    }

    fn req(action: Action) -> Request {
        Request { at: None, run: None, by: Some(Author { name: "Lan".into(), role: "Tech Lead".into() }), action }
    }

    /// Starts a run on the seed's day.
    fn start(svc: &mut Service, kind: RunKind, tz: &str) {
        svc.act(&req(Action::RunStart { kind, date: "2026-01-31".into(), tz: tz.into(), durations_from: None }))
            .unwrap();
    }

    #[test]
    fn a_run_started_and_a_task_done_show_in_the_picture() {
        let (mut svc, clock) = service();
        assert!(svc.loaded().unwrap().is_demo);
        assert!(svc.status(None, None).unwrap().is_none(), "no run yet");
        start(&mut svc, RunKind::Live, "Asia/Ho_Chi_Minh");
        let first = svc.loaded().unwrap().runbook.tasks().next().unwrap().id.clone();
        let v = svc.version();
        clock.advance(chrono::Duration::minutes(3));
        let done =
            svc.act(&req(Action::Task { task: first.clone(), verb: TaskVerb::Done, note: None, at: None })).unwrap();
        assert!(svc.version() > v);
        let st = done.status.unwrap();
        let t = st.tasks.iter().find(|t| t.id == first).unwrap();
        assert_eq!(t.status, TaskStatus::Done);
        assert_eq!(t.finished_by.as_ref().unwrap().name, "Lan");
        let log = svc.activity(5).unwrap();
        assert!(log[0].changes.iter().any(|c| c.contains("status") && c.contains("done")), "{log:?}");
        assert_eq!(log[0].name, "Lan");
    }

    use crate::report;
    use std::path::Path;
    use warroom_model::api::{Paper, ReportFormat, Saved};

    /// As the desktop app saves it: read through the service, laid out and saved by `report`.
    fn save_report(svc: &Service, paper: Paper, dir: &Path) -> Result<Saved> {
        Ok(report::save(&svc.record(None)?, ReportFormat::Pdf, paper, dir)?)
    }

    #[test]
    fn the_record_is_saved_whole_under_a_name_that_says_what_it_is() {
        let (mut svc, _) = service();
        let dir = tempfile::tempdir().unwrap();
        let err = save_report(&svc, Paper::A4, dir.path()).unwrap_err().to_api();
        assert_eq!(err.kind, ErrorKind::NotFound, "no run yet: {err:?}");
        start(&mut svc, RunKind::Live, "Asia/Ho_Chi_Minh");
        let saved = save_report(&svc, Paper::Letter, &dir.path().join("records")).unwrap();
        let name = std::path::Path::new(&saved.path).file_name().unwrap().to_str().unwrap().to_owned();
        // Printed at 06:00 in Ho Chi Minh City while the run is still going.
        assert!(name.starts_with("audit-record-") && name.ends_with("-20260131-0600-partial.pdf"), "{name}");
        let bytes = std::fs::read(&saved.path).unwrap();
        assert_eq!(bytes.len() as u64, saved.bytes);
        assert!(bytes.starts_with(b"%PDF-"));
        let left: Vec<_> = std::fs::read_dir(dir.path().join("records")).unwrap().collect();
        assert_eq!(left.len(), 1, "nothing but the record is left behind");

        let blocked = dir.path().join("a-file");
        std::fs::write(&blocked, "x").unwrap();
        let err = save_report(&svc, Paper::A4, &blocked).unwrap_err();
        assert!(err.to_string().contains("a-file"), "the error names where: {err}");
        assert_eq!(err.to_api().kind, ErrorKind::Storage);
    }

    #[test]
    fn refusals_come_back_typed_and_nothing_is_recorded() {
        let (mut svc, _) = service();
        start(&mut svc, RunKind::Rehearsal, "UTC");
        let before = svc.store().event_count().unwrap();
        let cp = svc.loaded().unwrap().runbook.tasks().find(|t| t.checkpoint).unwrap().id.clone();
        let err = svc
            .act(&req(Action::CheckpointDecide { id: cp, decision: Decision::Go, reason: None }))
            .unwrap_err()
            .to_api();
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert!(err.message.contains("sign"), "{}", err.message);
        assert_eq!(svc.store().event_count().unwrap(), before);
        let anonymous = Request { at: None, run: None, by: None, action: Action::RollbackApprove };
        assert_eq!(svc.act(&anonymous).unwrap_err().to_api().refusal, Some(Refusal::WhoAreYou));
    }

    /// A run started without a zone takes the runbook's; one given wins; a runbook without a
    /// zone gives the laptop's.
    #[test]
    fn a_run_without_a_zone_takes_the_runbooks_else_the_laptops() {
        let (mut svc, _) = service();
        svc.set_me(&Me { name: "Lan".into(), role: "Tech Lead".into() }).unwrap();
        let md = "# Night\n\n**Time zone**: Asia/Tokyo\n\n| Time | Task | Owner |\n|---|---|---|\n| 22:00 | Freeze | DBA |\n";
        let text = md.to_owned();
        assert!(
            svc.import(&ImportRequest { name: "n.md".into(), text, replace: true, ..Default::default() })
                .unwrap()
                .imported
        );
        start(&mut svc, RunKind::Rehearsal, "");
        start(&mut svc, RunKind::Live, "Europe/Paris");
        let zones: Vec<(RunKind, String)> =
            svc.snapshot().unwrap().runs().into_iter().map(|r| (r.kind, r.tz)).collect();
        assert!(zones.contains(&(RunKind::Rehearsal, "Asia/Tokyo".into())), "{zones:?}");
        assert!(zones.contains(&(RunKind::Live, "Europe/Paris".into())), "{zones:?}");
        assert_eq!(crate::live::default_run_zone(Some("Asia/Tokyo")), "Asia/Tokyo");
        let laptop = crate::live::default_run_zone(None);
        assert!(crate::live::parse_tz(&laptop).is_ok(), "{laptop}");
        assert_eq!(crate::live::default_run_zone(Some("Not/AZone")), laptop, "a zone that is no zone is not taken");
    }

    #[test]
    fn imports_replace_the_demo_and_report_problems_in_place() {
        let (mut svc, _) = service();
        svc.set_me(&Me { name: "Lan".into(), role: "Tech Lead".into() }).unwrap();
        let bad = svc.import(&ImportRequest {
            name: "bad.md".into(),
            text: "# Nothing here\n".into(),
            replace: false,
            ..Default::default()
        });
        let bad = bad.unwrap();
        assert!(!bad.imported);
        assert!(bad.summary.contains("no timeline"), "{}", bad.summary);
        let md = crate::demo::synthetic_markdown(60);
        let ok = svc
            .import(&ImportRequest { name: "synthetic.md".into(), text: md, replace: false, ..Default::default() })
            .unwrap();
        assert!(ok.imported, "{}", ok.summary);
        assert!(ok.summary.contains("60 tasks"), "{}", ok.summary);
        assert!(!svc.loaded().unwrap().is_demo);
        let again = svc
            .import(&ImportRequest {
                name: "x.md".into(),
                text: crate::demo::synthetic_markdown(5),
                replace: false,
                ..Default::default()
            })
            .unwrap();
        assert!(!again.imported && again.summary.contains("Replace"), "{}", again.summary);
    }

    #[test]
    fn nobody_named_or_a_blank_name_records_nothing() {
        let (mut svc, _) = service();
        let md = crate::demo::synthetic_markdown(5);
        let import = ImportRequest { name: "x.md".into(), text: md, replace: true, ..Default::default() };
        assert_eq!(svc.import(&import).unwrap_err().to_api().refusal, Some(Refusal::WhoAreYou));
        for blank in ["", "   ", "\t"] {
            let me = Me { name: blank.into(), role: "Tech Lead".into() };
            assert_eq!(svc.set_me(&me).unwrap_err().to_api().refusal, Some(Refusal::NameNeeded), "{blank:?}");
            let mut r = req(Action::RunStart {
                kind: RunKind::Live,
                date: "2026-01-31".into(),
                tz: "UTC".into(),
                durations_from: None,
            });
            r.by = Some(Author { name: blank.into(), role: "Tech Lead".into() });
            assert_eq!(svc.act(&r).unwrap_err().to_api().refusal, Some(Refusal::NameNeeded), "{blank:?}");
        }
        assert!(svc.status(None, None).unwrap().is_none(), "no run was started");
        assert!(svc.loaded().unwrap().is_demo, "nothing was imported");
    }

    #[test]
    fn another_process_writing_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let clock: Arc<dyn Clock> = Arc::new(FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).unwrap()));
        let mut svc = Service::with_demo(Store::open(&path).unwrap(), clock.clone()).unwrap();
        assert!(!svc.poll_external().unwrap());
        let mut other = Store::open(&path).unwrap();
        other.set_local("x", "y").unwrap();
        assert!(svc.poll_external().unwrap());
        assert!(!svc.poll_external().unwrap());
    }

    #[test]
    fn a_change_that_overwrote_another_laptops_moments_before_is_marked_with_both_values() {
        let (mut a, clock) = service();
        start(&mut a, RunKind::Live, "Asia/Ho_Chi_Minh");
        let mut b = Service::new(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        let all = |s: &Service| s.store().events_after(&Default::default(), 10_000).unwrap();
        b.sync_push(&all(&a)).unwrap();
        let task = |verb| Action::Task { task: "1.1".into(), verb, note: Some("by hand".into()), at: None };
        a.act(&req(task(TaskVerb::Start))).unwrap();
        clock.advance(chrono::Duration::seconds(2));
        let mut huy = req(task(TaskVerb::Skip));
        huy.by = Some(Author { name: "Huy".into(), role: "DBA".into() });
        b.act(&huy).unwrap();
        a.sync_push(&all(&b)).unwrap();
        let activity = a.activity(10).unwrap();
        let marked: Vec<_> = activity.iter().filter(|e| !e.overwrote.is_empty()).collect();
        assert_eq!(marked.len(), 1, "{activity:#?}");
        assert_eq!(marked[0].name, "Huy");
        let o = marked[0]
            .overwrote
            .iter()
            .find(|o| o.field.ends_with("1.1 status"))
            .unwrap_or_else(|| panic!("{marked:#?}"));
        assert_eq!(
            (o.value.as_str(), o.replaced.as_str(), o.replaced_by.as_str()),
            ("\"skipped\"", "\"in_progress\"", "Lan")
        );
        assert!((o.seconds_before - 2.0).abs() < 0.01, "{o:?}");

        // Later, or by the same laptop: an ordinary change, not marked.
        clock.advance(chrono::Duration::seconds(30));
        a.act(&req(task(TaskVerb::Undo))).unwrap();
        assert!(a.activity(1).unwrap()[0].overwrote.is_empty());
    }
}
