import { expect, test } from './fixtures';

/**
 * The pages outside the main module come in lazily loaded wasm modules
 * (scripts/build-spa.sh). Fetching one can fail on a shopper's network: the loader tries
 * again twice, and when it still fails the app says so with a link that reloads the page.
 */
test('a lazily loaded module that fails once is fetched again', async ({ page, errors }) => {
  errors.allow(/Failed to load resource: net::ERR_CONNECTION_RESET/);
  let failed = 0;
  await page.route(/\/pages-shop-[0-9a-f]{16}\.wasm$/, async (route) => {
    if (failed === 0) {
      failed += 1;
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await page.goto('/');
  await page.getByTestId('catalog').first().getByTestId('sku').first().click();
  await expect(page.getByTestId('product-name')).toBeVisible();
  expect(failed).toBe(1);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a lazily loaded module that cannot be fetched asks the shopper to reload', async ({ page, errors }) => {
  // The failed fetches, then the app's panic as the console shows it.
  errors.allow(
    /Failed to load resource: net::ERR_INTERNET_DISCONNECTED/,
    /TypeError: Failed to fetch/,
    /load callback should succeed/,
    /^console\.error: Error$/,
    /^pageerror: unreachable/,
  );
  await page.route(/\/pages-shop-[0-9a-f]{16}\.wasm$/, (route) => route.abort('internetdisconnected'));
  await page.goto('/');
  await page.getByTestId('catalog').first().getByTestId('sku').first().click();
  const notice = page.getByRole('alert').filter({ hasText: '页面出错了' });
  await expect(notice).toBeVisible({ timeout: 10_000 });

  // The network is back: the link loads the page afresh (the page the shopper was on: the
  // router changes the address once the new page's code is there), and the product opens.
  await page.unroute(/\/pages-shop-[0-9a-f]{16}\.wasm$/);
  await notice.getByRole('link', { name: '刷新页面' }).click();
  await expect(notice).toHaveCount(0);
  await page.getByTestId('catalog').first().getByTestId('sku').first().click();
  await expect(page).toHaveURL(/\/product\/\d+$/);
  await expect(page.getByTestId('product-name')).toBeVisible();
});
