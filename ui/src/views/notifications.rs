//! The notifications dialog behind the bell: what this laptop has shown, to open or snooze.

use crate::api;
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use leptos::task::spawn_local;
use warroom_model::notify::{NoticeKind, Shown};
use wasm_bindgen::JsValue;

/// The notifications shown on this laptop, newest first: read a missed one, open what it is
/// about, or snooze it.
pub(crate) fn notifications() -> impl IntoView {
    let c = ctx();
    let items = RwSignal::new(None::<Vec<Shown>>);
    let load = move || {
        spawn_local(async move {
            match api::recent_notifications().await {
                Ok(list) => items.set(Some(list)),
                Err(e) => c.fail(e),
            }
        })
    };
    load();
    let snooze = move |key: String, minutes: u32| {
        spawn_local(async move {
            match api::snooze(&key, minutes).await {
                Ok(n) => c.notify(move || format!("{} {minutes} {}: {}", t("Snoozed"), t("min"), n.title)),
                Err(e) => c.fail(e),
            }
        })
    };
    view! {
        <div class="overlay" role="dialog" aria-modal="true" aria-label=t("Notifications") on:click=move |_| c.bell.set(false)>
            <div class="dialog notifications" id="notifications" on:click=|e| e.stop_propagation()>
                <h2>{t("Notifications")}</h2>
                {move || c.status.get().and_then(|st| super::alerts::alerts(&st, "bell-alerts"))}
                {move || match items.get() {
                    None => view! { <p class="muted">"…"</p> }.into_any(),
                    Some(list) if list.is_empty() => view! {
                        <p class="muted">{t("Nothing yet. You are told before your tasks, checkpoints and the rollback deadline.")}</p>
                    }.into_any(),
                    Some(list) => view! {
                        <ul class="notices">
                            {list.into_iter().map(|s| {
                                let n = s.notice;
                                let (key5, key15) = (n.key.clone(), n.key.clone());
                                let (kind, task) = (n.kind, n.task_id.clone());
                                let snoozable = n.kind != NoticeKind::Summary;
                                view! {
                                    <li class="notice" class:urgent=n.kind.urgent()>
                                        <span class="num muted">{local_hm(&s.shown_at.rfc3339())}</span>
                                        <div>
                                            <strong>{n.title.clone()}</strong>
                                            <div>{n.body.clone()}</div>
                                        </div>
                                        <div class="buttons">
                                            <button class="open" on:click=move |_| c.open_notice(kind, task.clone())>{t("Open")}</button>
                                            <Show when=move || snoozable>
                                                <button class="snooze" on:click={let k = key5.clone(); move |_| snooze(k.clone(), 5)}>{t("5 min")}</button>
                                                <button on:click={let k = key15.clone(); move |_| snooze(k.clone(), 15)}>{t("15 min")}</button>
                                            </Show>
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
                <p><button on:click=move |_| c.bell.set(false)>{t("close")}</button></p>
            </div>
        </div>
    }
}

/// `HH:MM` of an RFC 3339 instant in this browser's zone.
fn local_hm(at: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(at));
    if d.get_time().is_nan() {
        return at.to_owned();
    }
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}
