//! warroom's UI: a Leptos client-side app. It asks the backend for the runbook through
//! `api` and shows it; the views of the live run grow from here.

mod api;
mod app;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
