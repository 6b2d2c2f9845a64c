//! The Checkpoints screen: sign-offs and the GO / NO-GO / HOLD decisions.

use super::format::{happened_at, hm, need_run};
use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::api::Action;
use warroom_model::live::Decision;

pub(crate) fn checkpoints() -> impl IntoView {
    let c = ctx();
    // Outside the list, so a refresh of the picture keeps what was typed.
    let reason = RwSignal::new(String::new());
    move || {
        let Some(st) = c.status.get() else { return need_run() };
        st.checkpoints
            .into_iter()
            .map(|cp| {
                let (i1, i2, i3, i4) = (cp.id.clone(), cp.id.clone(), cp.id.clone(), cp.id.clone());
                let decision = match cp.decision {
                    Decision::Pending => t("not decided"),
                    Decision::Go => t("GO"),
                    Decision::NoGo => t("NO-GO"),
                    Decision::Hold => t("HOLD"),
                };
                let dclass = format!("decision {:?}", cp.decision).to_lowercase();
                // One sign-off per role (core refuses a second): once mine is in, Sign is off.
                let my_role = c.session.get().map(|s| s.me.role).unwrap_or_default();
                let mine_signed = cp.signed.iter().any(|s| warroom_model::same_role(&s.role, &my_role));
                let go_blocked = !cp.missing.is_empty();
                let blocked_note = (go_blocked && cp.decision != Decision::Go).then(|| (cp.id.clone(), cp.missing.join(", ")));
                let go_title = if go_blocked { format!("{}: {}", t("Missing"), cp.missing.join(", ")) } else { String::new() };
                view! {
                    <section class="card checkpoint" id=format!("checkpoint-{}", cp.id)>
                        <h2>{cp.name()}</h2>
                        <p class="muted">{t("Forecast")}" "<span class="num">{hm(&cp.forecast)}</span></p>
                        <p class=dclass><strong>{t("Decision")}": "</strong><span class="decision-text">{decision}</span>
                            {cp.reason.clone().map(|r| view! { <span class="muted">{format!(" — {r}")}</span> })}
                            {cp.decided_by.clone().map(|s| view! { <span class="muted">{format!(" ({}, {} {})", s.name, s.role, hm(&s.at))}</span> })}
                        </p>
                        <div class="signoffs">
                            <div><h3>{t("Signed")}</h3><ul class="signed">
                                {cp.signed.iter().map(|s| view! { <li class="ok">{format!("✔ {} — {} ({})", s.role, s.by.name, hm(&s.by.at))}</li> }).collect_view()}
                            </ul></div>
                            <div><h3>{t("Missing")}</h3><ul class="missing">
                                {cp.missing.iter().map(|r| view! { <li class="danger">{format!("✖ {r}")}</li> }).collect_view()}
                            </ul></div>
                        </div>
                        <Show when=move || c.can_write()>
                            <div class="form">
                                {happened_at()}
                                <button class="sign" disabled=mine_signed title=if mine_signed { t("Your role has signed") } else { "" } on:click={let i = i1.clone(); move |_| c.act(Action::CheckpointSign { id: i.clone(), role: None })}>{t("Sign")}</button>
                                <label>{t("Reason")}<input class="reason" type="text" bind:value=reason /></label>
                                <button class="go primary" disabled=go_blocked title=go_title.clone() on:click={let i = i2.clone(); move |_| c.act(Action::CheckpointDecide { id: i.clone(), decision: Decision::Go, reason: Some(reason.get()).filter(|r| !r.is_empty()) })}>{t("GO")}</button>
                                <button class="nogo danger" on:click={let i = i3.clone(); move |_| c.act(Action::CheckpointDecide { id: i.clone(), decision: Decision::NoGo, reason: Some(reason.get()).filter(|r| !r.is_empty()) })}>{t("NO-GO")}</button>
                                <button class="hold" on:click={let i = i4.clone(); move |_| c.act(Action::CheckpointDecide { id: i.clone(), decision: Decision::Hold, reason: Some(reason.get()).filter(|r| !r.is_empty()) })}>{t("HOLD")}</button>
                                {blocked_note.clone().map(|(id, who)| view! {
                                    <p class="go-blocked" id=format!("go-blocked-{id}")>{t("GO waits for")}": "<strong>{who}</strong></p>
                                })}
                            </div>
                        </Show>
                    </section>
                }
            })
            .collect_view()
            .into_any()
    }
}
