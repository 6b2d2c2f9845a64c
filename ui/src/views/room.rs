//! The Room screen: the laptops that sync with this one, joining and inviting, and the sync
//! state shown in the top bar and the Activity screen.

use crate::api;
use crate::app::{Ctx, View, ctx};
use crate::i18n::t;
use leptos::prelude::*;
use leptos::task::spawn_local;
use warroom_model::api::Activity;
use warroom_model::peers::{Invitation, PeerView, RoomView};

pub(crate) fn room() -> impl IntoView {
    let c = ctx();
    let invitation = RwSignal::new(None::<Invitation>);
    let code = RwSignal::new(String::new());
    let joining = RwSignal::new(false);
    let create = move |_| {
        spawn_local(async move {
            match api::room_create().await {
                Ok(r) => {
                    c.room.set(Some(r));
                    c.notify(|| t("This runbook is now a room: invite the other laptops.").to_owned());
                }
                Err(e) => c.fail(e),
            }
        });
    };
    let invite = move |_| {
        spawn_local(async move {
            match api::room_invite().await {
                Ok(i) => invitation.set(Some(i)),
                Err(e) => c.fail(e),
            }
        });
    };
    let join = move |_| {
        let text = code.get_untracked();
        joining.set(true);
        spawn_local(async move {
            let joined = api::room_join(&text).await;
            joining.set(false);
            match joined {
                Ok(r) => {
                    c.room.set(Some(r));
                    c.notify(|| t("Joined: this laptop now holds the room's runbook and history.").to_owned());
                    c.refresh();
                }
                Err(e) => c.fail(e),
            }
        });
    };
    move || {
        let Some(r) = c.room.get() else {
            return view! { <p class="muted big">{t("Peer sync is not available here.")}</p> }.into_any();
        };
        let Some(info) = r.room.clone() else {
            return view! {
                <section class="card form" id="no-room">
                    <h2>{t("This laptop is not in a room yet")}</h2>
                    <p class="muted">{t("In a room, every laptop holds the whole runbook and keeps in step with the others whenever they can reach each other.")}</p>
                    <button id="room-create" class="primary" disabled=move || !c.can_write() on:click=create>{t("Make this runbook a room")}</button>
                </section>
                <section class="card form" id="join-room">
                    <h2>{t("Join a room")}</h2>
                    <p class="muted">{t("Paste the join code another laptop shows (Room → Show a join code).")}</p>
                    <textarea id="join-code" rows="3" spellcheck="false" bind:value=code></textarea>
                    <button id="room-join" class="primary" disabled=move || joining.get() || code.get().trim().is_empty() on:click=join>
                        {move || if joining.get() { t("Joining…") } else { t("Join") }}
                    </button>
                </section>
            }
            .into_any();
        };
        let peers = r.peers.clone();
        let mine = r.my_changes;
        let members = peers.iter().filter(|p| p.member).count() + 1;
        let connected = peers.iter().filter(|p| p.connected).count();
        view! {
            <section class="card" id="room-summary">
                <h2>{info.name.clone()}</h2>
                <p class="big" class:warn=!r.online id="room-state">{room_state(&r)}</p>
                <p class="muted">{format!("{} {connected}/{} · {}: {}", t("connected"), members - 1, t("This laptop"), r.me)}</p>
                <p class="muted">{if r.addresses.is_empty() { t("Not serving peers.").to_owned() } else { format!("{} {}", t("Serving peers at"), r.addresses.join(", ")) }}</p>
            </section>
            <table class="card" id="peers">
                <thead><tr><th>{t("Laptop")}</th><th>{t("State")}</th><th>{t("In step")}</th><th>{t("My changes")}</th><th>{t("Clock")}</th></tr></thead>
                <tbody>
                    {peers.into_iter().map(|p| {
                        let name = if p.name.is_empty() { p.fingerprint.get(..8).unwrap_or_default().to_owned() } else { p.name.clone() };
                        view! {
                            <tr class:offline=!p.connected data-fingerprint=p.fingerprint.to_string()>
                                <td>{name}{(!p.member).then(|| view! { " " <span class="badge">{t("not a member")}</span> })}</td>
                                <td>{peer_state(c, &p)}</td>
                                <td>{if p.behind == 0 && p.ahead == 0 { t("up to date").to_owned() } else {
                                    let mut parts = Vec::new();
                                    if p.behind > 0 { parts.push(format!("{} {}", t("lacks"), p.behind)); }
                                    if p.ahead > 0 { parts.push(format!("{} {}", t("has new"), p.ahead)); }
                                    parts.join(" · ")
                                }}</td>
                                <td class="num">{format!("{}/{mine}", p.has_mine)}</td>
                                <td class:warn=p.skew_ms.is_some()>{p.skew_ms.map(|ms| format!("⚠ {} {}", minutes_off(ms), if ms > 0 { t("fast") } else { t("slow") })).unwrap_or_else(|| "✓".into())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <section class="card" id="invite">
                <h2>{t("Invite a laptop")}</h2>
                <p class="muted">{t("On the new laptop: Room → Join a room, and paste this code; or scan it. It is good for 12 hours; keep it in the room.")}</p>
                <button id="room-invite" disabled=move || !c.can_write() on:click=invite>{move || if invitation.get().is_some() { t("Show a new join code") } else { t("Show a join code") }}</button>
                {move || invitation.get().map(|i| view! {
                    <div class="join">
                        <div class="qr" id="join-qr" inner_html=i.qr_svg.clone()></div>
                        <code id="join-code-text" class="code">{i.code.clone()}</code>
                    </div>
                })}
            </section>
        }
        .into_any()
    }
}

/// "offline — 12 changes not yet shared", or how many laptops are in step.
fn room_state(r: &RoomView) -> String {
    if r.online {
        let n = r.peers.iter().filter(|p| p.connected).count();
        format!("● {} {}", n + 1, t("laptops online"))
    } else if r.unshared > 0 {
        format!("{} — {} {}", t("offline"), r.unshared, t("changes not yet shared"))
    } else {
        t("offline").to_owned()
    }
}

fn peer_state(c: Ctx, p: &PeerView) -> String {
    if p.connected {
        return format!("● {}", t("connected"));
    }
    let seen = p.last_seen.map(|at| {
        let ago = ((c.now_ms.get_untracked() - at.millis() as f64) / 60_000.0).max(0.0).round();
        format!("{} {ago} {}", t("last seen"), t("min ago"))
    });
    let seen = seen.unwrap_or_else(|| t("not seen yet").to_owned());
    match &p.error {
        Some(e) => format!("{seen} · {e}"),
        None => seen,
    }
}

fn minutes_off(ms: i64) -> String {
    let s = ms.unsigned_abs() / 1000;
    if s >= 120 { format!("{} min", s / 60) } else { format!("{s} s") }
}

/// The top bar's sync state: how many laptops are in step, or that this one is offline with
/// changes not yet shared. Shown once the runbook is a room.
pub(super) fn sync_chip() -> impl IntoView {
    let c = ctx();
    move || {
        c.room.get().filter(|r| r.room.is_some()).map(|r| {
            view! {
                <button id="sync-chip" class="chip" class:warn=!r.online title=t("Room")
                    on:click=move |_| c.view.set(View::Room)>{room_state(&r)}</button>
            }
        })
    }
}

/// On how many of the room's laptops one of this laptop's changes already is.
pub(super) fn reach(c: Ctx, a: &Activity) -> Option<String> {
    let r = c.room.get()?;
    r.room.as_ref()?;
    if !r.origin.starts_with(&a.origin) {
        return None;
    }
    let members = r.peers.iter().filter(|p| p.member).count() + 1;
    let on = 1 + r.peers.iter().filter(|p| p.member && p.has_mine >= a.seq).count();
    Some(format!(" · {} {on}/{members}", t("on")))
}
