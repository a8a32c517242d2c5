//! The wasm entry point of the dadashop SPA: installs the panic hook and mounts [`app::App`]
//! on `<body>`. Everything else lives in the `app` crate; Trunk builds this binary
//! (`index.html`, `Trunk.toml`).

fn main() {
    // With `panic = "abort"` in the size profile a panic still reaches the console first.
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
