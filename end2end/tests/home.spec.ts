import { API, expect, test } from './fixtures';

for (const path of ['/', '/dadashop/templates/index.html']) {
  test(`the home page at ${path} shows the demo catalog with its images`, async ({ page }) => {
    await page.goto(path);
    const catalogs = page.getByTestId('catalog');
    await expect(catalogs.first()).toBeVisible();
    expect(await catalogs.count()).toBeGreaterThanOrEqual(3);

    for (const catalog of await catalogs.all()) {
      await expect(catalog.getByRole('heading', { level: 2 })).not.toBeEmpty();
      await expect(catalog.getByTestId('sku').first()).toBeVisible();
    }

    const prices = page.locator('.sku-price');
    await expect(prices.first()).toHaveText(/^¥\d+\.\d{2}$/);

    const images = page.locator('[data-testid="catalog"] img');
    expect(await images.count()).toBeGreaterThanOrEqual(3);
    for (const image of await images.all()) {
      await expect(image).toHaveAttribute('src', new RegExp(`^${API.replace(/\./g, '\\.')}/media/`));
      await expect(image).toHaveAttribute('alt', /.+/);
      await image.scrollIntoViewIfNeeded();
      await expect
        .poll(() => image.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)))
        .toBeGreaterThan(0);
    }
  });
}

test('the home page shows loading, then an error with 重试 when the API is unreachable, then recovers', async ({
  page,
  errors,
}) => {
  errors.allow(/Failed to load resource: net::ERR_FAILED/);
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  await page.route(`${API}/v1/goods/index`, async (route) => {
    calls += 1;
    if (calls === 1) {
      await held; // keep the first request pending to see the loading state
      await route.abort('failed');
    } else {
      await route.continue();
    }
  });

  // A landed home page comes rendered with its goods (server/src/ssr.rs); reached from a page
  // the browser renders alone, it waits for the API's answer like the header does.
  await page.goto('/login');
  await page.getByRole('link', { name: '达达商城' }).first().click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('status')).toContainText('正在加载商品');
  release();
  await expect(page.getByRole('alert')).toContainText('无法连接服务器');
  await page.getByRole('button', { name: '重试' }).click();
  await expect(page.getByTestId('catalog').first()).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a product image that cannot be loaded shows a neutral placeholder', async ({ page, errors }) => {
  errors.allow(/Failed to load resource: the server responded with a status of 404/);
  await page.route(`${API}/media/**`, (route) => route.fulfill({ status: 404, body: '' }));
  await page.goto('/');
  const first = page.getByTestId('sku').first();
  await expect(first.locator('.image-placeholder')).toHaveText('暂无图片');
  await expect(first.locator('img')).toHaveCount(0);
});
