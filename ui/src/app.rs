//! The app's views. For now: the runbook's phases and tasks, readable from across the room.

use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use warroom_model::{ApiError, Loaded, Phase, Task};

#[component]
pub fn App() -> impl IntoView {
    let (state, set_state) = signal(None::<Result<Loaded, ApiError>>);
    spawn_local(async move {
        set_state.set(Some(api::runbook().await));
    });
    view! {
        <main>
            {move || match state.get() {
                None => view! { <p class="status">"Loading the runbook…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status error" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(loaded)) => view! { <Runbook loaded /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn Runbook(loaded: Loaded) -> impl IntoView {
    let rb = loaded.runbook;
    let window = rb.window.as_ref().map(|w| format!("{} – {}", w.start, w.end)).unwrap_or_default();
    let deadline = rb.rollback.deadline.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let tasks = rb.tasks().count();
    view! {
        {loaded.is_demo.then(|| view! {
            <p class="banner" role="status">
                "This is the bundled demo runbook. Import your own with "
                <code>"warroom import FILE"</code>"."
            </p>
        })}
        <header>
            <h1>{rb.title.clone()}</h1>
            <dl class="facts">
                <div><dt>"Version"</dt><dd>{rb.version.clone().unwrap_or_default()}</dd></div>
                <div><dt>"Window"</dt><dd>{window}</dd></div>
                <div><dt>"Rollback deadline"</dt><dd class="deadline">{deadline}</dd></div>
                <div><dt>"Tasks"</dt><dd>{tasks}</dd></div>
            </dl>
        </header>
        {rb.phases.into_iter().map(|p| view! { <PhaseView phase=p /> }).collect_view()}
    }
}

#[component]
fn PhaseView(phase: Phase) -> impl IntoView {
    let span = match (phase.start, phase.end) {
        (Some(s), Some(e)) => format!("{s} – {e}{}", if phase.open_end { "+" } else { "" }),
        _ => String::new(),
    };
    view! {
        <section class="phase">
            <h2><span>{phase.display_name()}</span><span class="span">{span}</span></h2>
            <table>
                <thead><tr><th>"ID"</th><th>"Time"</th><th>"Task"</th><th>"Owner"</th></tr></thead>
                <tbody>{phase.tasks.into_iter().map(|t| view! { <TaskRow task=t /> }).collect_view()}</tbody>
            </table>
        </section>
    }
}

#[component]
fn TaskRow(task: Task) -> impl IntoView {
    let time = task.offset.clone().unwrap_or_else(|| task.time.to_string());
    let class = if task.checkpoint { "task checkpoint" } else { "task" };
    let title = if task.checkpoint {
        format!("◆ CHECKPOINT {}: {}", task.checkpoint_no.map(|n| n.to_string()).unwrap_or_default(), task.title)
    } else {
        task.title.clone()
    };
    view! {
        <tr class=class>
            <td class="id">{task.id.clone()}</td>
            <td class="time">{time}</td>
            <td class="title">{title}</td>
            <td class="owner">{task.owner.clone()}</td>
        </tr>
    }
}
