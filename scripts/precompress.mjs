// Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip -9) beside every compressible
// file of the built SPA (wasm, js, css, svg, txt, xml), so that the web origin can send them
// as they are (tower-http ServeDir with precompressed_br / precompressed_gzip, chosen by the
// request's Accept-Encoding). index.html is left out: the server rewrites it per answer.
// Prints the sizes. Node's zlib does both, so no further tool is needed.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const compressible = /\.(wasm|js|css|svg|txt|xml)$/;
let raw = 0;
let br = 0;
let gz = 0;
for (const name of readdirSync(dist)) {
  const path = join(dist, name);
  if (!statSync(path).isFile() || !compressible.test(name)) continue;
  const data = readFileSync(path);
  const brotli = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const gzip = gzipSync(data, { level: 9 });
  writeFileSync(`${path}.br`, brotli);
  writeFileSync(`${path}.gz`, gzip);
  raw += data.length;
  br += brotli.length;
  gz += gzip.length;
  console.log(`${name}: ${data.length} bytes, br ${brotli.length}, gzip ${gzip.length}`);
}
console.log(`precompressed: ${raw} bytes raw, ${br} brotli, ${gz} gzip`);
