import { expect, test } from './fixtures';

/**
 * The weight of the first load of the home page over the wire (every response's encoded
 * bytes as Chromium received them: HTML, JS, wasm, CSS, the goods JSON and the pictures),
 * with first contentful paint, on a fresh browser profile (nothing cached). The figures are
 * printed; the test guards against regressions: the wasm module must arrive brotli-compressed
 * and the whole first load under 310 KB (through nginx, scripts/stack-test.sh e2e, the same
 * load is about 304 KB: the page and the JSON are gzipped on the fly, not brotli). The goal is 250 KB and is not met yet: with the
 * catalog, verification, Weibo, cart, order and payment pages the first load is about
 * 294 KB in 15 responses, the wasm module 268 KB brotli of it; the rest is the JS glue
 * (8 KB), the CSS (5 KB), the goods index, nine pictures and the response headers (about
 * 0.75 KB apiece).
 */
test('the first load of the home page is light and precompressed', async ({ page }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const sizes = new Map<string, number>();
  const urls = new Map<string, string>();
  const encodings = new Map<string, string>();
  cdp.on('Network.responseReceived', (event) => {
    urls.set(event.requestId, event.response.url);
    const headers = event.response.headers as Record<string, string>;
    const encoding = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-encoding');
    encodings.set(event.response.url, encoding ? encoding[1] : '');
  });
  cdp.on('Network.loadingFinished', (event) => {
    sizes.set(event.requestId, event.encodedDataLength);
  });

  await page.goto('/');
  await expect(page.getByTestId('catalog').first()).toBeVisible();
  // Pictures below the fold load lazily, when scrolled to: not part of the first load.
  await page.waitForLoadState('networkidle');
  const fcp = await page.evaluate(
    () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
  );
  let total = 0;
  const lines: string[] = [];
  for (const [id, bytes] of sizes) {
    total += bytes;
    const url = urls.get(id) ?? id;
    lines.push(`${bytes.toString().padStart(8)}  ${encodings.get(url) || '-'}  ${url}`);
  }
  console.log(`first load: ${total} bytes over the wire in ${sizes.size} responses, FCP ${Math.round(fcp)} ms\n${lines.join('\n')}`);
  const wasm = [...encodings].find(([url]) => url.endsWith('.wasm'));
  expect(wasm?.[1]).toBe('br');
  expect(fcp).toBeGreaterThan(0);
  expect(total).toBeLessThan(310_000);
});
