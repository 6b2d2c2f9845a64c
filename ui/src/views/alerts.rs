//! What is wrong right now, for Now, the Wall and the bell: open incidents (worst first) and
//! metrics whose last reading missed its target or crossed its alert threshold.

use super::format::hm;
use crate::i18n::t;
use leptos::prelude::*;
use warroom_model::live::{MetricState, Severity, Status};

/// The CSS class of a severity: each its own colour (P1 red, P2 orange, P3 amber, P4 grey).
pub(super) fn severity_class(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::P1) => "sev p1",
        Some(Severity::P2) => "sev p2",
        Some(Severity::P3) => "sev p3",
        Some(Severity::P4) | None => "sev p4",
    }
}

/// How many open incidents and metric alerts or warnings there are.
pub(crate) fn count(st: &Status) -> usize {
    st.incidents.iter().filter(|i| i.open).count()
        + st.metrics.iter().filter(|m| matches!(m.state, MetricState::Alert | MetricState::Warning)).count()
}

/// The open incidents and metric alerts as a list; nothing when all is quiet.
pub(crate) fn alerts(st: &Status, id: &'static str) -> Option<AnyView> {
    let mut open: Vec<_> = st.incidents.iter().filter(|i| i.open).cloned().collect();
    open.sort_by_key(|i| i.severity.unwrap_or(Severity::P4));
    let metrics: Vec<_> =
        st.metrics.iter().filter(|m| matches!(m.state, MetricState::Alert | MetricState::Warning)).cloned().collect();
    if open.is_empty() && metrics.is_empty() {
        return None;
    }
    Some(
        view! {
            <section class="card alerts" id=id>
                <h2 class="danger">{t("Open now")}</h2>
                <ul class="alert-list">
                    {open.into_iter().map(|i| view! {
                        <li class="incident">
                            <span class=format!("chip {}", severity_class(i.severity))>{i.severity.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}</span>
                            <span class="ttitle">{i.title.clone()}</span>
                            <span class="muted num">{t("since")}" "{hm(&i.opened_by.at)}
                                {i.eta.as_ref().map(|e| format!(" · {} {}", t("ETA"), hm(e)))}</span>
                        </li>
                    }).collect_view()}
                    {metrics.into_iter().map(|m| {
                        let alert = m.state == MetricState::Alert;
                        let reading = m.last.as_ref().map(|r| format!("{} {}", r.value, r.unit.clone().unwrap_or_default())).unwrap_or_default();
                        view! {
                            <li class="metric">
                                <span class=if alert { "chip alert" } else { "chip warning" }>{if alert { t("ALERT") } else { t("warning") }}</span>
                                <span class="ttitle">{m.name.clone()}</span>
                                <span class="num">{reading.trim().to_owned()}</span>
                                <span class="muted">{t("target")}" "{m.target.clone()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
        .into_any(),
    )
}
