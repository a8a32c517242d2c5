// Starts the dadashop SPA without an inline script, so that the page runs under a
// Content-Security-Policy of `script-src 'self' 'wasm-unsafe-eval'` (no 'unsafe-inline').
//
// Trunk's `pattern_script` (Trunk.toml) writes the hashed names of the wasm-bindgen module
// and of the wasm file into <meta name="dadashop-boot">; this module imports the former and
// instantiates the latter.
const boot = document.querySelector('meta[name="dadashop-boot"]');
if (!boot) {
  throw new Error('dadashop: <meta name="dadashop-boot"> is missing from index.html');
}
const bindings = await import(boot.dataset.js);
await bindings.default({ module_or_path: boot.dataset.wasm });
