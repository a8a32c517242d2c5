//! The wasm entry point of the dadashop SPA: installs the panic hook and mounts [`app::App`]
//! on `<body>`. Everything else lives in the `app` crate; Trunk builds this binary
//! (`index.html`, `Trunk.toml`).

fn main() {
    // With `panic = "abort"` in the size profile a panic still reaches the console first.
    console_error_panic_hook::set_once();
    // A new tab first takes over a session-only login from an open tab (when there is one),
    // so that the routes render with the session already known.
    wasm_bindgen_futures::spawn_local(async {
        app::state::adopt_session_from_open_tabs().await;
        leptos::mount::mount_to_body(app::App);
    });
}
