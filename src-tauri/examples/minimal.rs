//! The smallest Tauri window, for the launch benchmark to compare warroom with: one window on a
//! blank page. `minimal --ready-file PATH` writes the milliseconds to its loaded page there.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = std::time::Instant::now();
    let mut args = std::env::args().skip(1);
    let ready: Option<PathBuf> = match (args.next().as_deref(), args.next()) {
        (Some("--ready-file"), Some(p)) => Some(p.into()),
        _ => None,
    };
    tauri::Builder::default()
        .register_uri_scheme_protocol("blank", |_, _| {
            tauri::http::Response::builder()
                .header(tauri::http::header::CONTENT_TYPE, "text/html")
                .body(b"<!DOCTYPE html><html><body></body></html>".to_vec())
                .unwrap_or_default()
        })
        .setup(move |app| {
            let url = "blank://localhost/".parse()?;
            tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::CustomProtocol(url))
                .inner_size(800.0, 600.0)
                .on_page_load(move |_, load| {
                    if load.event() == tauri::webview::PageLoadEvent::Finished
                        && let Some(p) = &ready
                        && let Err(e) = std::fs::write(p, started.elapsed().as_millis().to_string())
                    {
                        eprintln!("cannot write {}: {e}", p.display());
                    }
                })
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!())?;
    Ok(())
}
