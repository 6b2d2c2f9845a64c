//! The Settings screen: who you are, language and theme, notifications, ending the run, and
//! About (the version, where the data and the logs are, what this laptop goes without).

use super::format::{input_value, roles};
use super::now::start_run;
use crate::api;
use crate::app::{ctx, set_pref};
use crate::i18n::{Lang, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use warroom_model::api::{About, Action, Me, Missing};
use warroom_model::live::RunState;
use warroom_model::notify::NotifySettings;

pub(crate) fn settings() -> impl IntoView {
    let c = ctx();
    let me = c.session.get_untracked().map(|s| s.me).unwrap_or_default();
    let name = RwSignal::new(me.name);
    let role = RwSignal::new(me.role);
    let save = move |_| {
        let me = Me { name: name.get(), role: role.get() };
        spawn_local(async move {
            match api::set_me(&me).await {
                Ok(_) => {
                    c.notify(move || format!("{} ({})", me.name, me.role));
                    c.refresh();
                }
                Err(e) => c.fail(e),
            }
        });
    };
    view! {
        <section class="card form">
            <h2>{t("You")}</h2>
            <p class="muted">{t("Set your name and role: they go on everything you record.")}</p>
            <label>{t("Name")}<input id="me-name" type="text" bind:value=name /></label>
            <label>{t("Role")}<input id="me-role" type="text" list="roles" bind:value=role /></label>
            <datalist id="roles">{move || roles(c).into_iter().map(|r| view! { <option value=r></option> }).collect_view()}</datalist>
            <button id="me-save" class="primary" on:click=save disabled=move || !c.session.get().is_some_and(|s| s.can_write)>{t("Save")}</button>
        </section>
        <section class="card form">
            <label>{t("Language")}
                <select id="lang" on:change=move |e| c.set_lang(Lang::from_code(&input_value(&e)))>
                    <option value="en" selected=move || c.lang.get() == Lang::En>"English"</option>
                    <option value="vi" selected=move || c.lang.get() == Lang::Vi>"Tiếng Việt"</option>
                </select>
            </label>
            <label>{t("Theme")}
                <select id="theme" on:change=move |e| { let light = input_value(&e) == "light"; c.light.set(light); set_pref("warroom.theme", if light { "light" } else { "dark" }); }>
                    <option value="dark" selected=move || !c.light.get()>{t("Dark")}</option>
                    <option value="light" selected=move || c.light.get()>{t("Light")}</option>
                </select>
            </label>
        </section>
        {notify_settings}
        {move || c.status.get().map(|st| view! {
            <section class="card form">
                <h2>{t("The run")}</h2>
                <p>{format!("{} · {} · {} · {} · {}", st.run.id, if st.run.kind == warroom_model::live::RunKind::Live { t("Live") } else { t("Rehearsal") }, st.run.date, st.run.tz, super::format::run_state_label(st.run.state))}</p>
                <Show when=move || c.can_write() && !st.run.state.is_over()>
                    <button on:click=move |_| c.act(Action::RunEnd { state: RunState::Completed })>{t("Finish run (went live)")}</button>
                    <button class="danger" on:click=move |_| c.act(Action::RunEnd { state: RunState::Abandoned })>{t("Abandon run")}</button>
                </Show>
            </section>
        })}
        {move || c.status.get().filter(|s| s.run.state.is_over()).map(|_| start_run())}
        {about}
    }
}

/// The version, the database and the log folder, and what this laptop goes without.
fn about() -> impl IntoView {
    let c = ctx();
    let about = RwSignal::new(None::<About>);
    spawn_local(async move {
        match api::about().await {
            Ok(a) => about.set(Some(a)),
            Err(e) => c.fail(e),
        }
    });
    move || {
        about.get().map(|a| {
            view! {
                <section class="card" id="about">
                    <h2>{t("About")}</h2>
                    <dl class="about">
                        <dt>{t("Version")}</dt><dd id="about-version">{a.version}</dd>
                        <dt>{t("Database")}</dt><dd id="about-db"><code>{a.db_path}</code></dd>
                        <dt>{t("Log files")}</dt><dd id="about-logs"><code>{a.log_dir.unwrap_or_else(|| t("none").to_owned())}</code></dd>
                    </dl>
                    {a.missing.into_iter().map(|m| view! { <p class="amber missing">{missing_text(m)}</p> }).collect_view()}
                </section>
            }
        })
    }
}

/// What going without `m` means for the person, in their language.
pub(crate) fn missing_text(m: Missing) -> &'static str {
    match m {
        Missing::DesktopNotifications => t("Desktop notifications are unavailable: reminders show in the app only."),
    }
}

/// How early this laptop tells its person, and about whose tasks.
fn notify_settings() -> impl IntoView {
    let c = ctx();
    let current = RwSignal::new(None::<NotifySettings>);
    let (enabled, everyone) = (RwSignal::new(true), RwSignal::new(false));
    let (due, overdue, checkpoint, deadline) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let show = move |s: NotifySettings| {
        enabled.set(s.enabled);
        everyone.set(s.everyone);
        due.set(s.task_due_minutes.to_string());
        overdue.set(s.overdue_minutes.to_string());
        checkpoint.set(s.checkpoint_minutes.to_string());
        deadline.set(s.deadline_minutes.iter().map(u32::to_string).collect::<Vec<_>>().join(", "));
        current.set(Some(s));
    };
    spawn_local(async move {
        match api::notify_settings().await {
            Ok(s) => show(s),
            Err(e) => c.fail(e),
        }
    });
    let save = move |_| {
        let Some(mut s) = current.get_untracked() else { return };
        let minutes = |text: String, what: &str| -> Result<u32, String> {
            text.trim().parse().map_err(|_| format!("{what}: {} `{text}`", t("not a number of minutes:")))
        };
        let parsed = (|| -> Result<(), String> {
            s.task_due_minutes = minutes(due.get_untracked(), t("Before my tasks"))?;
            s.overdue_minutes = minutes(overdue.get_untracked(), t("After a task is late"))?;
            s.checkpoint_minutes = minutes(checkpoint.get_untracked(), t("Before checkpoints"))?;
            s.deadline_minutes = deadline
                .get_untracked()
                .split([',', ' '])
                .filter(|p| !p.is_empty())
                .map(|p| minutes(p.to_owned(), t("Before the rollback deadline")))
                .collect::<Result<_, _>>()?;
            Ok(())
        })();
        if let Err(e) = parsed {
            c.complain(move || e.clone());
            return;
        }
        s.enabled = enabled.get_untracked();
        s.everyone = everyone.get_untracked();
        spawn_local(async move {
            match api::set_notify_settings(&s).await {
                Ok(s) => {
                    show(s);
                    c.notify(|| t("Notification settings saved.").to_owned());
                }
                Err(e) => c.fail(e),
            }
        });
    };
    view! {
        <section class="card form" id="notify-settings">
            <h2>{t("Notifications")}</h2>
            <p class="muted">{t("This laptop tells you on the desktop, even offline. Times are minutes.")}</p>
            <label class="check"><input id="notify-enabled" type="checkbox" bind:checked=enabled />{t("Notify me on this laptop")}</label>
            <label>{t("Before my tasks")}<input id="notify-due" type="number" min="0" max="1440" bind:value=due /></label>
            <label>{t("After a task is late")}<input id="notify-overdue" type="number" min="0" max="1440" bind:value=overdue /></label>
            <label>{t("Before checkpoints")}<input id="notify-checkpoint" type="number" min="0" max="1440" bind:value=checkpoint /></label>
            <label>{t("Before the rollback deadline")}<input id="notify-deadline" type="text" bind:value=deadline /></label>
            <label class="check"><input id="notify-everyone" type="checkbox" bind:checked=everyone />{t("Everyone's tasks, not only my role's")}</label>
            <button id="notify-save" class="primary" on:click=save disabled=move || current.get().is_none() || !c.session.get().is_some_and(|s| s.can_write)>{t("Save")}</button>
        </section>
    }
}
