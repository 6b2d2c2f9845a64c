//! The keyboard help (`?`): every key the app answers to, in the person's language.

use crate::app::ctx;
use crate::i18n::t;
use leptos::prelude::*;

pub(crate) fn help() -> impl IntoView {
    let c = ctx();
    let rows = [
        ("j / k, ↓ / ↑", t("move through tasks")),
        ("s", t("start the selected task")),
        ("d", t("finish the selected task")),
        ("Ctrl+K, :", t("command palette")),
        ("Ctrl+P", t("print the audit record")),
        ("1 … 9, 0", t("switch views")),
        ("w", t("wall mode")),
        ("l", t("Switch language")),
        ("t", t("Toggle theme")),
        ("?", t("this help")),
        ("Esc", t("close")),
    ];
    view! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" on:click=move |_| c.help.set(false)>
            <div class="dialog" on:click=|e| e.stop_propagation()>
                <h2 id="help-title">{t("Keyboard")}</h2>
                <table class="keys">
                    {rows.into_iter().map(|(k, what)| view! { <tr><td><kbd>{k}</kbd></td><td>{what}</td></tr> }).collect_view()}
                </table>
            </div>
        </div>
    }
}
