// Landing on a page over a slow network: how soon a shopper sees the page's content, how soon
// it answers a click, and the largest contentful paint. Chromium (Debian's /usr/bin/chromium)
// driven by the Playwright of end2end/ (`bash scripts/setup.sh --browser`), a fresh profile
// per run, the network emulated as 150 ms latency and 1.6 Mbit/s down (750 kbit/s up).
//
//   node bench/landing.mjs [web origin, default http://127.0.0.1:7000]   (RUNS=3)
//
// For the home page: navigation to the first catalog block, and LCP. For a product page
// (/product/1): navigation to the product's name and price on screen, to the page answering
// clicks (server-rendered pages: `<html data-hydrated="true">`; a page the browser renders
// alone answers once its content shows), to 深蓝 shown after a click on 深蓝 made at that
// moment, and LCP. Times in milliseconds from the start of navigation.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../end2end/package.json', import.meta.url));
const { chromium } = require('@playwright/test');

const base = process.argv[2] ?? 'http://127.0.0.1:7000';
const runs = Number(process.env.RUNS ?? 3);

async function fresh() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  await page.addInitScript(() => {
    window.__lcp = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__lcp = entry.startTime;
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  return { browser, page };
}

const since = (page) => page.evaluate(() => Math.round(performance.now()));
const lcp = (page) => page.evaluate(() => Math.round(window.__lcp));

async function home() {
  const { browser, page } = await fresh();
  await page.goto(`${base}/`, { waitUntil: 'commit' });
  await page.getByTestId('catalog').first().waitFor();
  const content = await since(page);
  await page.waitForLoadState('networkidle');
  const result = { content, lcp: await lcp(page) };
  await browser.close();
  return result;
}

async function product() {
  const { browser, page } = await fresh();
  await page.goto(`${base}/product/1`, { waitUntil: 'commit' });
  await page.getByTestId('product-name').waitFor();
  await page.getByTestId('price').waitFor();
  const content = await since(page);
  const rendered = await page.evaluate(() => !!document.getElementById('dadashop-preloaded'));
  if (rendered) await page.locator('html[data-hydrated="true"]').waitFor();
  const interactive = await since(page);
  await page.getByTestId('sale-attr').filter({ hasText: '颜色' }).getByRole('link', { name: '深蓝' })
    .or(page.getByTestId('sale-attr').filter({ hasText: '颜色' }).getByRole('button', { name: '深蓝' }))
    .click();
  await page.getByTestId('product-name').filter({ hasText: '深蓝' }).waitFor();
  const switched = await since(page);
  const result = { content, interactive, switched, lcp: await lcp(page) };
  await browser.close();
  return result;
}

const homes = [];
const products = [];
for (let i = 0; i < runs; i++) {
  homes.push(await home());
  products.push(await product());
}
const range = (rows, key) => {
  const values = rows.map((r) => r[key]).sort((a, b) => a - b);
  return values[0] === values.at(-1) ? `${values[0]}` : `${values[0]}-${values.at(-1)}`;
};
console.log(`landing on ${base}, ${runs} runs each, 150 ms / 1.6 Mbit/s, fresh profile (ms from navigation)`);
console.log(`home:    catalog blocks ${range(homes, 'content')}, LCP ${range(homes, 'lcp')}`);
console.log(
  `product: name and price ${range(products, 'content')}, answers clicks ${range(products, 'interactive')}, ` +
    `深蓝 shown after a click then ${range(products, 'switched')}, LCP ${range(products, 'lcp')}`,
);
