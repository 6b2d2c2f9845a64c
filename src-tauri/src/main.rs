//! Starts the warroom desktop app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// mimalloc: the live picture of a big run allocates ~100k small strings; glibc malloc made
// `status` three times slower (crates/core/benches).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let _logging = warroom_core::logging::init("warroom-desktop", 0);
    match warroom_desktop::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
