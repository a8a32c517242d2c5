//! The wasm entry point of the dadashop app: installs the panic hook, then hydrates the page
//! when the web origin rendered it (the public pages: it holds the goods it was rendered with,
//! `app::preload`) or mounts [`app::App`] on `<body>` (the pages the browser renders alone).
//! Everything else lives in the `app` crate; scripts/build-spa.sh builds this binary (Trunk
//! for `trunk serve`: `index.html`, `Trunk.toml`).

use leptos::prelude::*;

fn main() {
    std::panic::set_hook(Box::new(|info| {
        // With `panic = "abort"` in the size profile a panic still reaches the console first.
        console_error_panic_hook::hook(info);
        show_failure_notice();
    }));
    if let Some(data) = app::preload::from_document() {
        // The same app over the server's HTML; lazily loaded pages are fetched first. The
        // session is read once hydration is done (`app::App`).
        leptos::mount::hydrate_lazy(move || {
            provide_context(app::preload::Preload::new(data));
            view! { <app::App /> }
        });
        return;
    }
    // A new tab first takes over a session-only login from an open tab (when there is one),
    // so that the routes render with the session already known.
    wasm_bindgen_futures::spawn_local(async {
        app::state::adopt_session_from_open_tabs().await;
        leptos::mount::mount_to_body(app::App);
    });
}

/// After a panic the app no longer answers (the size profile aborts): say so at the top of
/// the page, with a link that reloads it, rather than leave a page that ignores clicks. The
/// likeliest cause is a lazily loaded page module that could not be fetched even after the
/// loader's retries (scripts/finish-spa.mjs), i.e. the network. Plain DOM calls: nothing of
/// the app can run any more.
fn show_failure_notice() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document.get_element_by_id("fatal-notice").is_some() {
        return;
    }
    let (Ok(notice), Ok(text), Ok(reload), Some(body)) = (
        document.create_element("div"),
        document.create_element("p"),
        document.create_element("a"),
        document.body(),
    ) else {
        return;
    };
    notice.set_id("fatal-notice");
    notice.set_class_name("notice error fatal-notice");
    let _ = notice.set_attribute("role", "alert");
    text.set_text_content(Some("页面出错了，可能是网络中断。"));
    reload.set_text_content(Some("刷新页面"));
    // The address of this page: following the link loads it afresh.
    let here = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_else(|| "/".to_owned());
    let _ = reload.set_attribute("href", &here);
    // `rel="external"`: the router, whose click handler outlives the app, leaves the link to
    // the browser, which loads the page.
    let _ = reload.set_attribute("rel", "external");
    let _ = notice.append_child(&text);
    let _ = text.append_child(&document.create_text_node(" "));
    let _ = text.append_child(&reload);
    let _ = body.insert_before(&notice, body.first_child().as_ref());
}
