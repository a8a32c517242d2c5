// Puts the split SPA into dist/ under content-hashed names and names them in index.html
// (scripts/build-spa.sh runs it after wasm-split, wasm-bindgen and wasm-opt).
//
//   node scripts/finish-spa.mjs <split dir> <bindgen dir> <dist dir>
//
// <split dir> holds what wasm-split wrote: the lazily loaded modules (`split_<group>_*.wasm`,
// one per group of pages, and `chunk_*.wasm`, code shared by some groups) and their loader `__wasm_split.js`,
// which fetches them by relative URL (`new URL("./chunk_7.wasm", import.meta.url)`) and
// imports `initSync` from the glue `./frontend.js`. <bindgen dir> holds wasm-bindgen's glue
// `frontend.js` (which imports `./__wasm_split.js`) and the main module `frontend_bg.wasm`.
//
// Every file gets `-<16 hex digits>` of a SHA-256 before its extension, the names that the
// web origin and nginx serve as immutable for a year (server/src/web.rs `is_hashed_asset`,
// deploy/nginx/dadashop-spa.inc):
// - each wasm file is named after its own content, and the loader is rewritten to fetch
//   the new names;
// - the glue and the loader import each other, so both are named after the digest of the
//   pair (any change to either renames both), and each import is rewritten.
// Then `<meta name="dadashop-boot" ...>` of dist/index.html (frontend/boot.js reads it) gets
// the glue's and the main module's names, with preload links for the three files of the
// first load (glue, loader, main module). Prints the names and sizes.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [splitDir, bindgenDir, dist] = process.argv.slice(2);
if (!dist) {
  console.error('usage: node scripts/finish-spa.mjs <split dir> <bindgen dir> <dist dir>');
  process.exit(2);
}

const digest = (...parts) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 16);
};
/** Replaces every occurrence of `from` in `text`, failing when there is none. */
const replaceAll = (text, from, to, what) => {
  if (!text.includes(from)) throw new Error(`finish-spa: ${what} does not mention ${from}`);
  return text.split(from).join(to);
};

// wasm-bindgen's inline JS snippets would be imported by the glue by relative path; the app
// has none, and this script would have to copy them.
if (existsSync(join(bindgenDir, 'snippets'))) {
  throw new Error('finish-spa: wasm-bindgen wrote snippets/, which this script does not copy');
}

const LOADER = '__wasm_split.js';
const GLUE = 'frontend.js';
let loader = readFileSync(join(splitDir, LOADER), 'utf8');
let glue = readFileSync(join(bindgenDir, GLUE), 'utf8');

// The lazily loaded modules: `split_shop_<n>.wasm` (the pages of `#[lazy(shop)]`) →
// `pages-shop-<hash>.wasm`, `chunk_12.wasm` → `chunk-12-<hash>.wasm`.
let lazyBytes = 0;
let lazyCount = 0;
for (const name of readdirSync(splitDir).sort()) {
  if (!name.endsWith('.wasm') || name === 'frontend.wasm') continue;
  const split = /^split_(.+?)_\d+\.wasm$/.exec(name);
  const chunk = /^chunk_(\d+)\.wasm$/.exec(name);
  if (!split && !chunk) throw new Error(`finish-spa: unexpected module ${name} in ${splitDir}`);
  const data = readFileSync(join(splitDir, name));
  const stem = split
    ? `pages-${split[1].replace(/^_+/, '').replaceAll('_', '-')}`
    : `chunk-${chunk[1]}`;
  const hashed = `${stem}-${digest(data)}.wasm`;
  writeFileSync(join(dist, hashed), data);
  loader = replaceAll(loader, `"./${name}"`, `"./${hashed}"`, LOADER);
  lazyBytes += data.length;
  lazyCount += 1;
  console.log(`lazily loaded ${hashed}: ${data.length} bytes`);
}
if (lazyCount === 0) throw new Error(`finish-spa: no lazily loaded module in ${splitDir}`);

// Which files each group of pages needs (its module and the chunks it shares with other
// groups), read back from the loader: `dist/lazy-modules.json`, `{"shop": ["pages-shop-….wasm",
// "chunk-4-….wasm", …], …}`. The web origin preloads the `shop` files on the product and
// catalog pages it writes (server/src/web.rs), so a shopper landing there from a search
// engine or a shared link does not wait for the main module before fetching them.
const chunkFiles = new Map();
for (const m of loader.matchAll(/const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"/g)) {
  chunkFiles.set(m[1], m[2]);
}
const groups = {};
const loaderExport = /export const __wasm_split_load_(\w+?)_\d+ = wrapAsyncCb\(makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"[\s\S]*?\}\s*, \[([^\]]*)\]\)\)/g;
for (const m of loader.matchAll(loaderExport)) {
  const deps = m[3].split(',').map((d) => d.trim()).filter(Boolean);
  groups[m[1].replace(/^_+/, '')] = [
    m[2],
    ...deps.map((d) => {
      if (!chunkFiles.has(d)) throw new Error(`finish-spa: the loader's ${d} fetches no file`);
      return chunkFiles.get(d);
    }),
  ];
}
if (Object.keys(groups).length !== lazyCount - chunkFiles.size) {
  throw new Error(`finish-spa: read ${Object.keys(groups).length} groups from the loader, expected ${lazyCount - chunkFiles.size}`);
}
writeFileSync(join(dist, 'lazy-modules.json'), `${JSON.stringify(groups, null, 1)}\n`);

const main = readFileSync(join(bindgenDir, 'frontend_bg.wasm'));
const mainName = `frontend-${digest(main)}_bg.wasm`;
writeFileSync(join(dist, mainName), main);

// A lazily loaded module whose fetch fails (a dropped connection, a 5xx) is fetched again,
// twice, after 0.5 s and 1 s: the split point's Rust side treats a failed load as fatal
// (frontend/src/main.rs then tells the shopper to reload the page).
const fetches = loader.split('fetch(new URL(').length - 1;
if (fetches !== lazyCount) {
  throw new Error(`finish-spa: the loader fetches ${fetches} times, expected ${lazyCount}`);
}
loader = `${replaceAll(loader, 'fetch(new URL(', 'fetchRetrying(new URL(', LOADER)}
async function fetchRetrying(url) {
    for (let attempt = 0; ; attempt++) {
        try {
            const response = await fetch(url);
            if (response.ok || attempt >= 2) return response;
        } catch (error) {
            if (attempt >= 2) throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
}
`;

// The glue and the loader, named after the pair.
const pair = digest(glue, '\0', loader);
const glueName = `frontend-${pair}.js`;
const loaderName = `wasm-split-${pair}.js`;
loader = replaceAll(loader, `from "./${GLUE}"`, `from "./${glueName}"`, LOADER);
glue = replaceAll(glue, `from "./${LOADER}"`, `from "./${loaderName}"`, GLUE);
writeFileSync(join(dist, glueName), glue);
writeFileSync(join(dist, loaderName), loader);

const indexPath = join(dist, 'index.html');
const index = readFileSync(indexPath, 'utf8');
const boot = /<meta name="dadashop-boot"[^>]*>/;
if (!boot.test(index)) throw new Error('finish-spa: dist/index.html has no <meta name="dadashop-boot">');
const tags =
  `<meta name="dadashop-boot" data-js="/${glueName}" data-wasm="/${mainName}">` +
  `<link rel="modulepreload" href="/${glueName}">` +
  `<link rel="modulepreload" href="/${loaderName}">` +
  `<link rel="preload" href="/${mainName}" as="fetch" type="application/wasm" crossorigin>`;
writeFileSync(indexPath, index.replace(boot, tags));

console.log(`main module ${mainName}: ${main.length} bytes`);
console.log(`glue ${glueName}, loader ${loaderName}`);
console.log(`lazily loaded: ${lazyCount} modules, ${lazyBytes} bytes; groups ${JSON.stringify(groups)}`);
