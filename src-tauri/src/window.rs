//! The main window: made from tauri.conf.json's description, sized to fit the screen's work
//! area (a 1366×768 laptop has about 1366×740 of it below its panel) and centred, on the dark
//! background the UI paints, so no white shows before the UI loads.

use tauri::{AppHandle, LogicalSize, Monitor, Runtime, WebviewWindow, WebviewWindowBuilder};

/// The label of the main window, as tauri.conf.json names it.
pub(crate) const MAIN: &str = "main";

/// The space left around the window inside the work area, in logical pixels: its frame and
/// title bar, which the window manager adds outside the size asked for.
const FRAME: LogicalSize<f64> = LogicalSize { width: 16.0, height: 48.0 };

/// Why the window could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WindowError {
    /// tauri.conf.json lost its main window's description.
    #[error("tauri.conf.json describes no `{MAIN}` window")]
    NotConfigured,
    /// Tauri or the windowing system refused.
    #[error("cannot open the window: {0}")]
    Tauri(#[from] tauri::Error),
}

/// Opens the main window, at most the size of the primary screen's work area.
pub(crate) fn open<R: Runtime>(app: &AppHandle<R>) -> Result<WebviewWindow<R>, WindowError> {
    let config = app.config().app.windows.iter().find(|w| w.label == MAIN).ok_or(WindowError::NotConfigured)?;
    let wanted = LogicalSize::new(config.width, config.height);
    let mut builder = WebviewWindowBuilder::from_config(app, config)?;
    if let Some(screen) = app.primary_monitor()? {
        let size = fit(wanted, &screen);
        builder = builder.inner_size(size.width, size.height).center();
    }
    let window = builder.build()?;
    paint_in_software(&window)?;
    // The size remembered from last time (the window-state plugin restored it while the window
    // was made) may be from a larger screen.
    if let Some(screen) = window.current_monitor()?.or(app.primary_monitor()?) {
        let scale = window.scale_factor()?;
        let now = window.inner_size()?.to_logical::<f64>(scale);
        let fits = fit(now, &screen);
        if fits != now {
            window.set_size(fits)?;
            window.center()?;
        }
    }
    Ok(window)
}

/// Has WebKitGTK paint the page itself rather than through a GL compositor. Lists and text need
/// no GPU; entering compositing loads a GL driver into the web process (under Xvfb, Mesa's
/// llvmpipe: 97 MiB more resident) and, on some graphics stacks, leaves the view blank. The
/// tests run this way too (`WEBKIT_DISABLE_COMPOSITING_MODE`).
pub(crate) fn paint_in_software<R: Runtime>(window: &WebviewWindow<R>) -> tauri::Result<()> {
    #[cfg(target_os = "linux")]
    window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    })?;
    #[cfg(not(target_os = "linux"))]
    let _ = window;
    Ok(())
}

/// `wanted`, made no larger than the work area of `screen` leaves inside the window's frame.
fn fit(wanted: LogicalSize<f64>, screen: &Monitor) -> LogicalSize<f64> {
    let area = screen.work_area().size.to_logical::<f64>(screen.scale_factor());
    within(wanted, area)
}

fn within(wanted: LogicalSize<f64>, area: LogicalSize<f64>) -> LogicalSize<f64> {
    LogicalSize::new(
        wanted.width.min((area.width - FRAME.width).max(1.0)),
        wanted.height.min((area.height - FRAME.height).max(1.0)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_larger_than_the_screen_shrinks_to_it_and_a_smaller_one_keeps_its_size() {
        let laptop = LogicalSize::new(1366.0, 740.0);
        assert_eq!(within(LogicalSize::new(1280.0, 820.0), laptop), LogicalSize::new(1280.0, 692.0));
        assert_eq!(within(LogicalSize::new(1600.0, 900.0), laptop), LogicalSize::new(1350.0, 692.0));
        assert_eq!(within(LogicalSize::new(1000.0, 600.0), laptop), LogicalSize::new(1000.0, 600.0));
    }
}
