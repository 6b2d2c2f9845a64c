//! warroom's UI: a Leptos client-side app. `api` talks to the backend (the desktop app or
//! `warroom serve`), `app` holds the shared state and the shell, `views` the screens, `i18n`
//! the English and Vietnamese words.

mod api;
mod app;
mod i18n;
mod views;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
