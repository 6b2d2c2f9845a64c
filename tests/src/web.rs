//! Helpers for the WebDriver tests (headless Chromium and the desktop window): wait for a text,
//! click through redraws, fill a field, set a value the way typing would.

use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

/// Waits until the element's text satisfies `ok`; returns the text.
pub async fn wait_text(c: &Client, css: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < Duration::from_secs(60) {
        if let Ok(el) = c.find(Locator::Css(css)).await
            && let Ok(text) = el.text().await
        {
            if ok(&text) {
                return text;
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // What a person would see: the view that is open and the window's text, not its markup.
    let seen = c
        .execute(
            "const v = document.querySelector('nav [aria-current=page]'); \
             return [v ? v.id : 'no view', document.body ? document.body.innerText : ''];",
            vec![],
        )
        .await
        .unwrap_or_default();
    let err = c.find(Locator::Css("#error-text")).await;
    let err = match err {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let view = seen[0].as_str().unwrap_or("?");
    let text = seen[1].as_str().unwrap_or("");
    panic!(
        "{what}: `{css}` never matched; last text {last:?}; error shown: {err:?}; view open: {view}\nwindow text: {}",
        text.chars().take(4000).collect::<String>()
    );
}

/// The element, once it is on the page.
pub async fn element(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
}

/// An attribute of the element, read again if the view was redrawn between finding and reading
/// (the join code's picture is drawn again when the room's addresses are published).
pub async fn attribute(c: &Client, css: &str, name: &str) -> Option<String> {
    let mut last = String::new();
    for _ in 0..50 {
        match element(c, css).await.attr(name).await {
            Ok(value) => return value,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot read {name} of {css}: {last}");
}

/// Clicks, again if the view was redrawn between finding and clicking (a change arrived).
pub async fn click(c: &Client, css: &str) {
    let mut last = String::new();
    for _ in 0..50 {
        match element(c, css).await.click().await {
            Ok(()) => return,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot click {css}: {last}");
}

/// Opens a view from the navigation and waits until it is the open one. A click lands where the
/// item was when it was found; a window still laying itself out (the runbook arriving just after
/// launch) can move the item from under it, and a person would simply click again.
pub async fn open_view(c: &Client, name: &str) {
    let css = format!("#nav-{name}");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        click(c, &css).await;
        for _ in 0..10 {
            if let Ok(el) = c.find(Locator::Css(&css)).await
                && let Ok(Some(current)) = el.attr("aria-current").await
                && current == "page"
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    panic!("the {name} view never opened");
}

pub async fn fill(c: &Client, css: &str, text: &str) {
    let el = element(c, css).await;
    el.clear().await.unwrap_or_else(|e| panic!("cannot clear {css}: {e}"));
    el.send_keys(text).await.unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
}

/// Sets an input's value as typing would, for inputs whose typed form depends on the locale.
pub async fn set_value(c: &Client, css: &str, value: &str) {
    c.execute(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![css.into(), value.into()],
    )
    .await
    .unwrap_or_else(|e| panic!("cannot set {css}: {e}"));
}
