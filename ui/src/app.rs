//! The app shell: the shared state every view reads (session, runbook, live status, clock),
//! loading and refreshing it when the backend says something changed, the navigation, the
//! keyboard (single keys, `?` help, a command palette), wall mode, language and theme.

use crate::api;
use crate::i18n::{Lang, t};
use crate::views;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use warroom_model::api::{Action, Changed, Request, Session, TaskVerb};
use warroom_model::live::Status;
use warroom_model::notify::NoticeKind;
use warroom_model::peers::RoomView;
use warroom_model::{Loaded, TaskId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum View {
    Now,
    Timeline,
    Checkpoints,
    Rollback,
    Incidents,
    Monitoring,
    Contacts,
    Commands,
    Activity,
    Settings,
    Room,
    Edit,
    Import,
}

impl View {
    pub(crate) const ALL: [View; 13] = [
        View::Now,
        View::Timeline,
        View::Checkpoints,
        View::Rollback,
        View::Incidents,
        View::Monitoring,
        View::Contacts,
        View::Commands,
        View::Activity,
        View::Settings,
        View::Room,
        View::Edit,
        View::Import,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            View::Now => t("Now"),
            View::Timeline => t("Timeline"),
            View::Checkpoints => t("Checkpoints"),
            View::Rollback => t("Rollback"),
            View::Incidents => t("Incidents"),
            View::Monitoring => t("Monitoring"),
            View::Contacts => t("Contacts"),
            View::Commands => t("Commands"),
            View::Activity => t("Activity"),
            View::Settings => t("Settings"),
            View::Room => t("Room"),
            View::Edit => t("Edit"),
            View::Import => t("Import"),
        }
    }

    /// Stable name, used in element ids and tests.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            View::Now => "now",
            View::Timeline => "timeline",
            View::Checkpoints => "checkpoints",
            View::Rollback => "rollback",
            View::Incidents => "incidents",
            View::Monitoring => "monitoring",
            View::Contacts => "contacts",
            View::Commands => "commands",
            View::Activity => "activity",
            View::Settings => "settings",
            View::Room => "room",
            View::Edit => "edit",
            View::Import => "import",
        }
    }
}

/// A toast's words, made when they are shown rather than when they were recorded: a reader
/// who switches language sees the toast in the new one.
#[derive(Clone)]
pub(crate) struct Words(std::sync::Arc<dyn Fn() -> String + Send + Sync>);

impl Words {
    pub(crate) fn new(words: impl Fn() -> String + Send + Sync + 'static) -> Self {
        Self(std::sync::Arc::new(words))
    }

    /// The words in the current language, reactively.
    pub(crate) fn say(&self) -> String {
        (self.0)()
    }
}

impl PartialEq for Words {
    /// The same toast, not merely the same words: a toast's timer takes down only its own.
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// What every view reads and the actions they take.
#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    pub session: RwSignal<Option<Session>>,
    pub loaded: RwSignal<Option<Loaded>>,
    pub status: RwSignal<Option<Status>>,
    /// Set once the first answer arrived (the status may be `None`: no run yet).
    pub ready: RwSignal<bool>,
    pub error: RwSignal<Option<Words>>,
    pub notice: RwSignal<Option<Words>>,
    /// Whether changes made elsewhere reach this screen (false while the stream is broken).
    pub live: RwSignal<bool>,
    pub view: RwSignal<View>,
    pub wall: RwSignal<bool>,
    pub light: RwSignal<bool>,
    pub lang: RwSignal<Lang>,
    /// The backend's clock (its `now` plus the seconds since), ticking every second.
    pub now_ms: RwSignal<f64>,
    /// The backend's clock minus this screen's, from the last picture.
    pub skew_ms: RwSignal<f64>,
    pub selected: RwSignal<Option<TaskId>>,
    pub help: RwSignal<bool>,
    pub palette: RwSignal<bool>,
    /// The audit record is being laid out (printing or saving).
    pub busy_record: RwSignal<bool>,
    /// The list of recent notifications is open.
    pub bell: RwSignal<bool>,
    /// Notifications shown since the list was last opened.
    pub unread: RwSignal<u32>,
    /// Milliseconds from the last click that recorded something to the frame showing its result
    /// (on the root element as `data-act-ms`, for the end-to-end tests' figures).
    pub act_ms: RwSignal<Option<f64>>,
    /// When the next record happened, if earlier (HH:MM; empty: now): the forms' "it happened at".
    pub at: RwSignal<String>,
    /// Bumped on every change the backend announces; views that fetch more (Activity) watch it.
    pub version: RwSignal<u64>,
    /// The backend's runbook version when the runbook shown was read.
    pub runbook_seen: RwSignal<Option<u64>>,
    /// The room and its laptops, as this one last saw them.
    pub room: RwSignal<Option<RoomView>>,
    /// The person chose to see the runbook's secrets on this screen (never on the wall): a
    /// shared server sends them only then, and only to a writer.
    pub reveal: RwSignal<bool>,
}

pub(crate) fn ctx() -> Ctx {
    expect_context::<Ctx>()
}

/// A monotonic clock in milliseconds.
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

fn pref(key: &str) -> Option<String> {
    web_sys::window()?.local_storage().ok().flatten()?.get_item(key).ok().flatten()
}

pub(crate) fn set_pref(key: &str, value: &str) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if storage.is_none_or(|s| s.set_item(key, value).is_err()) {
        api::warn(&format!("the setting {key} could not be kept for the next time"));
    }
}

impl Ctx {
    /// Re-reads the session, the runbook and the live picture.
    pub(crate) fn refresh(self) {
        spawn_local(async move { self.reread(true).await });
    }

    /// Re-reads after the backend said what changed: the runbook only when it moved since it
    /// was read (or when the backend did not say), the session and the live picture always.
    pub(crate) fn refresh_after(self, change: Option<Changed>) {
        let runbook = match (change, self.runbook_seen.get_untracked()) {
            (Some(c), Some(seen)) => c.runbook != seen,
            _ => true,
        };
        spawn_local(async move { self.reread(runbook).await });
    }

    async fn reread(self, runbook: bool) {
        // Read before the runbook: a change in between is then announced as newer than it.
        let mut runbook_at = None;
        let mut held = true;
        match api::session().await {
            Ok(s) => {
                runbook_at = Some(s.changes.runbook);
                held = s.has_runbook;
                self.session.set(Some(s));
            }
            Err(e) => self.fail(e),
        }
        // Nothing to read yet: the Welcome screen shows instead.
        if !held {
            self.loaded.set(None);
            self.status.set(None);
        }
        if runbook && held {
            match api::runbook(self.reveal.get_untracked() && !self.wall.get_untracked()).await {
                Ok(l) => {
                    self.loaded.set(Some(l));
                    self.runbook_seen.set(runbook_at);
                }
                Err(e) => self.fail(e),
            }
        }
        self.refresh_status().await;
        self.refresh_room().await;
        if !self.ready.get_untracked() {
            self.ready.set(true);
            // After the frame that draws it.
            request_animation_frame(move || {
                spawn_local(async move {
                    if let Err(e) = api::shown().await {
                        self.fail(e);
                    }
                })
            });
        }
        self.version.update(|v| *v += 1);
    }

    /// The peers panel's picture; a backend without peer sync leaves it empty.
    pub(crate) async fn refresh_room(self) {
        if let Ok(r) = api::peers().await {
            self.room.set(Some(r));
        }
    }

    pub(crate) async fn refresh_status(self) {
        if self.session.get_untracked().is_some_and(|s| !s.has_runbook) {
            return;
        }
        match api::status().await {
            Ok(s) => self.set_status(s),
            Err(e) => self.fail(e),
        }
    }

    /// Shows a new picture; countdowns then run on the backend's clock, which may be a
    /// rehearsal's shifted clock or simply another laptop's.
    pub(crate) fn set_status(self, s: Option<Status>) {
        if let Some(st) = &s {
            let skew = st.now.millis() as f64 - js_sys::Date::now();
            if skew.is_finite() {
                self.skew_ms.set(skew);
                self.now_ms.set(js_sys::Date::now() + skew);
            }
        }
        self.status.set(s);
    }

    /// A short-lived message: what was just recorded, said in the language of the moment.
    pub(crate) fn notify(self, words: impl Fn() -> String + Send + Sync + 'static) {
        let words = Words::new(words);
        self.notice.set(Some(words.clone()));
        set_timeout(
            move || {
                if self.notice.get_untracked().as_ref() == Some(&words) {
                    self.notice.set(None);
                }
            },
            std::time::Duration::from_secs(5),
        );
    }

    /// What went wrong, said in the language of the moment, until dismissed or the next action.
    pub(crate) fn complain(self, words: impl Fn() -> String + Send + Sync + 'static) {
        self.error.set(Some(Words::new(words)));
    }

    /// Opens the print dialog on the audit record (the printable page, not this screen).
    pub(crate) fn print_record(self) {
        self.busy_record.set(true);
        spawn_local(async move {
            let printed = api::print_record().await;
            self.busy_record.set(false);
            if let Err(e) = printed {
                self.fail(e);
            }
        });
    }

    /// Saves the audit record as a PDF and says where.
    pub(crate) fn save_record(self) {
        self.busy_record.set(true);
        spawn_local(async move {
            let saved = api::save_report().await;
            self.busy_record.set(false);
            match saved {
                Ok(Some(s)) => self.notify(move || format!("{} {}", t("Audit record saved:"), s.path)),
                Ok(None) => self.notify(|| t("Audit record downloaded.").to_owned()),
                Err(e) => self.fail(e),
            }
        });
    }

    /// May this screen record anything: a writer's browser or the app, not in wall mode.
    pub(crate) fn can_write(self) -> bool {
        !self.wall.get() && self.session.get().is_some_and(|s| s.can_write)
    }

    /// Shows what went wrong, in the person's language when the backend said which rule refused.
    pub(crate) fn fail(self, e: warroom_model::ApiError) {
        let lang = self.lang;
        self.complain(move || e.text(lang.get().model()));
    }

    /// Records an action in the current run; shows what happened or why not.
    pub(crate) fn act(self, action: Action) {
        let run = self.status.get_untracked().map(|s| s.run.id);
        let at = Some(self.at.get_untracked()).filter(|a| !a.trim().is_empty() && action.can_be_backfilled());
        let req = Request { at, run, by: None, action };
        let started = now_ms();
        spawn_local(async move {
            match api::act(&req).await {
                Ok(done) => {
                    if req.at.is_some() {
                        self.at.set(String::new());
                    }
                    self.set_status(done.status);
                    self.error.set(None);
                    // Said in the reader's language, as Activity says it; a server that does
                    // not describe its events yet gives the English summary alone.
                    self.notify(move || {
                        if done.kind.is_empty() {
                            done.summary.clone()
                        } else {
                            use crate::views::activity::{kind_words, said};
                            format!("{}{}", kind_words(&done.kind), said(done.outcome, &done.about, &done.summary))
                        }
                    });
                    request_animation_frame(move || self.act_ms.set(Some(now_ms() - started)));
                }
                Err(e) => self.fail(e),
            }
        });
    }

    pub(crate) fn task(self, id: &str, verb: TaskVerb, note: Option<String>) {
        self.act(Action::Task { task: id.into(), verb, note, at: None });
    }

    /// Task ids the keyboard moves through on the current view.
    pub(crate) fn nav_ids(self) -> Vec<TaskId> {
        let Some(st) = self.status.get_untracked() else { return Vec::new() };
        if self.view.get_untracked() == View::Timeline {
            st.tasks.iter().map(|t| t.id.clone()).collect()
        } else {
            st.agenda
        }
    }

    fn move_selection(self, delta: isize) {
        let ids = self.nav_ids();
        if ids.is_empty() {
            return;
        }
        let cur = self.selected.get_untracked().and_then(|s| ids.iter().position(|i| *i == s));
        let next = match cur {
            None => 0,
            Some(i) => (i as isize + delta).clamp(0, ids.len() as isize - 1) as usize,
        };
        self.selected.set(ids.get(next).cloned());
        if let Some(el) = ids.get(next).and_then(|id| document().get_element_by_id(&format!("task-{id}"))) {
            el.scroll_into_view_with_bool(false);
        }
    }

    /// Shows or hides the secrets, reading the runbook again with them or without.
    pub(crate) fn set_reveal(self, on: bool) {
        self.reveal.set(on);
        spawn_local(async move { self.reread(true).await });
    }

    pub(crate) fn set_wall(self, on: bool) {
        self.wall.set(on);
        if on && self.reveal.get_untracked() {
            self.set_reveal(false);
        }
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if on {
                if let Some(el) = doc.document_element() {
                    // The wall view works in the window as it is when full screen is refused.
                    el.request_fullscreen().ok();
                }
            } else if doc.fullscreen_element().is_some() {
                doc.exit_fullscreen();
            }
        }
    }

    pub(crate) fn toggle_lang(self) {
        self.set_lang(if self.lang.get_untracked() == Lang::En { Lang::Vi } else { Lang::En });
    }

    pub(crate) fn set_lang(self, next: Lang) {
        self.lang.set(next);
        set_pref("warroom.lang", next.code());
        // Notifications speak the UI's language.
        spawn_local(async move {
            let saved = match api::notify_settings().await {
                Ok(mut s) => {
                    s.lang = next.model();
                    api::set_notify_settings(&s).await.map(drop)
                }
                Err(e) => Err(e),
            };
            // The screen speaks the new language either way; the desktop notifications would not.
            if let Err(e) = saved {
                self.fail(e);
            }
        });
    }

    /// Goes to what a notification is about.
    pub(crate) fn open_notice(self, kind: NoticeKind, task_id: Option<TaskId>) {
        self.bell.set(false);
        self.set_wall(false);
        let view = match kind {
            NoticeKind::TaskDue | NoticeKind::TaskOverdue => View::Timeline,
            NoticeKind::CheckpointDue | NoticeKind::SignoffWaiting => View::Checkpoints,
            NoticeKind::RollbackDeadline
            | NoticeKind::PointOfNoReturn
            | NoticeKind::RollbackDecided
            | NoticeKind::RollbackStep
            | NoticeKind::FixForwardDecided => View::Rollback,
            NoticeKind::MetricAlert => View::Monitoring,
            NoticeKind::Incident => View::Incidents,
            NoticeKind::PeerLost | NoticeKind::Summary => View::Now,
        };
        if task_id.is_some() {
            self.selected.set(task_id);
        }
        self.view.set(view);
    }

    pub(crate) fn toggle_theme(self) {
        let light = !self.light.get_untracked();
        self.light.set(light);
        set_pref("warroom.theme", if light { "light" } else { "dark" });
    }
}

/// Whether the focus is in a text field.
fn typing() -> bool {
    document().active_element().is_some_and(|el| match el.tag_name().as_str() {
        "TEXTAREA" => true,
        "INPUT" => matches!(
            el.get_attribute("type").as_deref().unwrap_or("text"),
            "text" | "search" | "number" | "date" | "tel" | "email"
        ),
        _ => false,
    })
}

fn in_field(e: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

fn on_key(c: Ctx, e: web_sys::KeyboardEvent) {
    let key = e.key();
    if key == "Escape" {
        c.help.set(false);
        c.palette.set(false);
        c.bell.set(false);
        if c.wall.get_untracked() {
            c.set_wall(false);
        }
        return;
    }
    if (e.ctrl_key() || e.meta_key()) && key == "k" {
        e.prevent_default();
        c.palette.update(|p| *p = !*p);
        return;
    }
    // What one prints from warroom is the audit record, not a picture of this screen.
    if (e.ctrl_key() || e.meta_key()) && key == "p" {
        e.prevent_default();
        c.print_record();
        return;
    }
    if in_field(&e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
        return;
    }
    let writable = c.can_write();
    match key.as_str() {
        "?" => c.help.update(|h| *h = !*h),
        ":" => {
            e.prevent_default();
            c.palette.set(true);
        }
        "j" | "ArrowDown" => {
            e.prevent_default();
            c.move_selection(1);
        }
        "k" | "ArrowUp" => {
            e.prevent_default();
            c.move_selection(-1);
        }
        "s" if writable => {
            if let Some(id) = c.selected.get_untracked() {
                c.task(&id, TaskVerb::Start, None);
            }
        }
        "d" if writable => {
            if let Some(id) = c.selected.get_untracked() {
                c.task(&id, TaskVerb::Done, None);
            }
        }
        "w" => c.set_wall(!c.wall.get_untracked()),
        "l" => c.toggle_lang(),
        "t" => c.toggle_theme(),
        d if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() => {
            let n = usize::from(d.as_bytes()[0] - b'0');
            let i = if n == 0 { 9 } else { n - 1 };
            if let Some(v) = View::ALL.get(i) {
                c.view.set(*v);
            }
        }
        _ => {}
    }
}

#[allow(unreachable_pub, reason = "the component macro gives the app a public props type")]
#[component]
pub(crate) fn App() -> impl IntoView {
    api::adopt_token_from_link();
    let hash = window().location().hash().unwrap_or_default();
    let lang = RwSignal::new(Lang::from_code(&pref("warroom.lang").unwrap_or_default()));
    provide_context(lang);
    let c = Ctx {
        session: RwSignal::new(None),
        loaded: RwSignal::new(None),
        status: RwSignal::new(None),
        ready: RwSignal::new(false),
        error: RwSignal::new(None),
        notice: RwSignal::new(None),
        live: RwSignal::new(true),
        view: RwSignal::new(View::Now),
        wall: RwSignal::new(hash == "#wall"),
        reveal: RwSignal::new(false),
        light: RwSignal::new(pref("warroom.theme").as_deref() == Some("light")),
        lang,
        now_ms: RwSignal::new(js_sys::Date::now()),
        skew_ms: RwSignal::new(0.0),
        selected: RwSignal::new(None),
        help: RwSignal::new(false),
        palette: RwSignal::new(false),
        busy_record: RwSignal::new(false),
        bell: RwSignal::new(false),
        unread: RwSignal::new(0),
        act_ms: RwSignal::new(None),
        at: RwSignal::new(String::new()),
        version: RwSignal::new(0),
        runbook_seen: RwSignal::new(None),
        room: RwSignal::new(None),
    };
    provide_context(c);
    c.refresh();
    // While someone types, a refresh would redraw the field under their fingers: it waits
    // until the field is left.
    let deferred: RwSignal<Option<Option<Changed>>> = RwSignal::new(None);
    api::on_change(
        move |change| if typing() { deferred.set(Some(change)) } else { c.refresh_after(change) },
        move |up| c.live.set(up),
    );
    let focus = window_event_listener(ev::focusout, move |_| {
        if let Some(change) = deferred.get_untracked() {
            deferred.set(None);
            c.refresh_after(change);
        }
    });
    on_cleanup(move || focus.remove());
    // The clock ticks every second; the forecast (computed by the backend at its `now`) is
    // re-read every 20 seconds so countdowns and "late" move without anyone clicking.
    ticking(set_interval_with_handle(
        move || c.now_ms.set(js_sys::Date::now() + c.skew_ms.get_untracked()),
        std::time::Duration::from_secs(1),
    ));
    ticking(set_interval_with_handle(
        move || {
            if !typing() {
                spawn_local(async move { c.refresh_status().await })
            }
        },
        std::time::Duration::from_secs(20),
    ));
    // Peers come and go without changing anything: the panel is re-read every few seconds.
    ticking(set_interval_with_handle(
        move || spawn_local(async move { c.refresh_room().await }),
        std::time::Duration::from_secs(3),
    ));
    api::on_notifications(move |_| c.unread.update(|n| *n += 1), move |o| c.open_notice(o.kind, o.task_id));
    let handle = window_event_listener(ev::keydown, move |e| on_key(c, e));
    on_cleanup(move || handle.remove());
    // A browser without the token on a shared server gets the wall view.
    Effect::new(move |_| {
        if c.session.get().is_some_and(|s| !s.can_write) && !c.wall.get_untracked() && hash != "#full" {
            c.wall.set(true);
        }
    });
    // A refusal belongs to the screen it happened on.
    Effect::new(move |_| {
        c.view.track();
        c.error.set(None);
    });
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            root.set_attribute("lang", c.lang.get().code()).ok();
            root.set_attribute("data-theme", if c.light.get() { "light" } else { "dark" }).ok();
        }
    });

    // Only a change between Welcome and the app redraws the screen: every session read does not.
    let welcome = Memo::new(move |_| c.ready.get() && c.session.get().is_some_and(|s| !s.has_runbook));
    view! {
        <div class="app" class:wall=move || c.wall.get() data-act-ms=move || c.act_ms.get().map(|m| format!("{m:.0}"))>
            {move || if c.wall.get() {
                view! { {views::wall()} <Toasts /> }.into_any()
            } else if welcome.get() {
                views::welcome().into_any()
            } else {
                shell().into_any()
            }}
            {move || c.help.get().then(views::help)}
            {move || c.palette.get().then(views::palette)}
            {move || c.bell.get().then(views::notifications)}
        </div>
    }
}

fn shell() -> impl IntoView {
    let c = ctx();
    view! {
        <header class="top">
            {views::top_bar}
            <nav aria-label="Views">
                {View::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let key = if i < 9 { format!("{}", i + 1) } else if i == 9 { "0".into() } else { String::new() };
                        view! {
                            <button
                                id=format!("nav-{}", v.slug())
                                class="tab"
                                class:active=move || c.view.get() == v
                                aria-current=move || (c.view.get() == v).then_some("page")
                                title=key
                                on:click=move |_| c.view.set(v)
                            >
                                {move || v.label()}
                            </button>
                        }
                    })
                    .collect_view()}
                <button id="nav-wall" class="tab" on:click=move |_| c.set_wall(true)>{move || t("Wall")}</button>
            </nav>
            // In the header's flow, under the tabs: a toast pushes the page down, it never covers it.
            <Toasts />
        </header>
        {move || {
            c.loaded.get().filter(|l| l.is_demo).map(|_| view! {
                <p class="banner" role="status">
                    {t("This is the bundled demo runbook.")} " "
                    <button class="link" on:click=move |_| c.view.set(View::Import)>{t("Import your own")}</button>
                </p>
            })
        }}
        {views::far_from_today()}
        {move || (!c.live.get()).then(|| view! {
            <p class="banner alarm" role="alert" id="live-lost">{t("Live updates stopped — reconnecting…")}</p>
        })}
        {move || {
            c.room.get().and_then(|r| r.alarm).map(|alarm| view! {
                <p class="banner alarm" role="alert" id="sync-alarm">"⚠ " {alarm}</p>
            })
        }}
        <main id=move || format!("view-{}", c.view.get().slug())>
            {move || {
                if !c.ready.get() {
                    return view! { <p class="muted big">{t("Loading…")}</p> }.into_any();
                }
                match c.view.get() {
                    View::Now => views::now().into_any(),
                    View::Timeline => views::timeline().into_any(),
                    View::Checkpoints => views::checkpoints().into_any(),
                    View::Rollback => views::rollback().into_any(),
                    View::Incidents => views::incidents().into_any(),
                    View::Monitoring => views::monitoring().into_any(),
                    View::Contacts => views::contacts().into_any(),
                    View::Commands => views::commands().into_any(),
                    View::Activity => views::activity().into_any(),
                    View::Settings => views::settings().into_any(),
                    View::Room => views::room().into_any(),
                    View::Edit => views::edit().into_any(),
                    View::Import => views::import().into_any(),
                }
            }}
        </main>
    }
}

#[component]
fn Toasts() -> impl IntoView {
    let c = ctx();
    view! {
        <div class="toasts" aria-live="polite">
            {move || c.error.get().map(|e| view! {
                <p class="toast error" role="alert">
                    <span id="error-text">{move || e.say()}</span>
                    <button class="link" aria-label="Dismiss" on:click=move |_| c.error.set(None)>"×"</button>
                </p>
            })}
            {move || c.notice.get().map(|n| view! {
                <p class="toast ok" role="status">
                    <span id="notice-text">{move || n.say()}</span>
                    <button class="link" aria-label="Dismiss" on:click=move |_| c.notice.set(None)>"×"</button>
                </p>
            })}
        </div>
    }
}

/// A timer that could not be set leaves the clock or the forecast still: say so where it can be
/// seen when someone asks why.
fn ticking<T, E>(timer: Result<T, E>) {
    if timer.is_err() {
        api::warn("a timer could not be set: the clock or the live picture may stop moving; reload the page");
    }
}
