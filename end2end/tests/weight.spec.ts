import { expect, test } from './fixtures';

/**
 * The weight of the first load of the home page over the wire (every response's encoded
 * bytes as Chromium received them: HTML, JS, wasm, CSS, the goods JSON and the pictures),
 * with first contentful paint, on a fresh browser profile (nothing cached). The figures are
 * printed. The goal is at most 250 KB: the wasm is split (scripts/build-spa.sh), and the
 * home page loads only the main module, which holds home, the header, the footer and the 404
 * page; every other page comes in a lazily loaded module of its group (`app/src/lib.rs`
 * `lazy`), fetched when a page of the group is first shown.
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
  const wasm = [...encodings].filter(([url]) => url.endsWith('.wasm'));
  expect(wasm.map(([url]) => new URL(url).pathname)).toEqual([
    expect.stringMatching(/^\/frontend-[0-9a-f]{16}_bg\.wasm$/),
  ]);
  expect(wasm[0][1]).toBe('br');
  expect(fcp).toBeGreaterThan(0);
  expect(total).toBeLessThanOrEqual(250_000);
});

test('a page outside the main module arrives with its group, once', async ({ page }) => {
  const modules: string[] = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.endsWith('.wasm')) modules.push(path);
  });
  await page.goto('/');
  await expect(page.getByTestId('catalog').first()).toBeVisible();
  expect(modules.filter((path) => !path.startsWith('/frontend-'))).toEqual([]);

  // A product page: the browsing pages' module (and chunks it shares), not the others.
  await page.getByTestId('catalog').first().getByTestId('sku').first().click();
  await expect(page).toHaveURL(/\/product\/\d+$/);
  await expect(page.getByTestId('product-name')).toBeVisible();
  const lazy = modules.filter((path) => !path.startsWith('/frontend-'));
  expect(lazy.filter((path) => path.startsWith('/pages-'))).toEqual([
    expect.stringMatching(/^\/pages-shop-[0-9a-f]{16}\.wasm$/),
  ]);

  // Another page of the same group fetches nothing more.
  const before = modules.length;
  await page.getByRole('link', { name: /购物车/ }).first().click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.getByRole('heading', { name: '购物车' })).toBeVisible();
  expect(modules.length).toBe(before);
});
