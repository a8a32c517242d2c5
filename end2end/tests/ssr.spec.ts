import { expect, httpStatus, newShopper, registerViaApi, test } from './fixtures';
import { LoginPage } from './pages/shop';

// The public pages are rendered on the web origin (server/src/ssr.rs) and hydrated by the
// wasm. The demo catalog (server/data/demo_catalog.toml): catalog 1 拉杆箱 has 19 SKUs;
// SKU 1 is 达达旅行 轻盈拉杆箱 黑色 20寸 at ¥299.00, SKU 4 深蓝 20寸, SKU 5 深蓝 24寸 at ¥359.00.

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  for (const size of [
    { name: 'desktop', viewport: { width: 1280, height: 800 } },
    { name: 'phone', viewport: { width: 390, height: 844 } },
  ]) {
    test(`home, a catalog, a product, another colour and size, a search (${size.name})`, async ({ page }) => {
      await page.setViewportSize(size.viewport);
      await page.goto('/');
      await expect(page.getByTestId('catalog')).toHaveCount(4);
      await expect(page.getByTestId('catalog').first().getByTestId('sku')).toHaveCount(3);

      await page.getByRole('navigation', { name: '商品分类' }).getByRole('link', { name: '拉杆箱' }).click();
      await expect(page).toHaveURL(/\/catalog\/1$/);
      await expect(page.getByTestId('catalog-name')).toHaveText('拉杆箱');
      await expect(page.getByTestId('sku')).toHaveCount(9);
      await page.getByTestId('pager').getByRole('link', { name: '下一页' }).click();
      await expect(page).toHaveURL(/\/catalog\/1\?page=2$/);
      await expect(page.getByTestId('sku')).toHaveCount(9);

      // The price filter is a form of the page: the browser sends it itself.
      await page.getByPlaceholder('最低').fill('500');
      await page.getByPlaceholder('最高').fill('1000');
      await page.getByRole('button', { name: '筛选' }).click();
      await expect(page).toHaveURL(/\/catalog\/1\?min_price=500&max_price=1000$/);
      const prices = (await page.locator('.sku-price').allTextContents()).map((p) => Number(p.replace('¥', '')));
      expect(prices.length).toBeGreaterThan(0);
      expect(prices.every((p) => p >= 500 && p <= 1000)).toBe(true);

      await page.goto('/catalog/1');
      await page.getByTestId('sku').first().click();
      await expect(page).toHaveURL(/\/product\/1$/);
      await expect(page.getByTestId('product-name')).toHaveText('达达旅行 轻盈拉杆箱 黑色 20寸');
      await expect(page.getByTestId('price')).toHaveText('¥299.00');
      await expect(page.getByTestId('stock')).toHaveText(/有货|仅剩/);
      await expect(page.getByTestId('main-image')).toHaveAttribute('src', /sku\/1\.svg$/);
      await expect(page.getByRole('navigation', { name: '位置' }).getByRole('link', { name: '拉杆箱' })).toBeVisible();

      // Another colour, then another size: links that lead to the SKU with those values.
      const colour = page.getByTestId('sale-attr').filter({ hasText: '颜色' });
      const sizes = page.getByTestId('sale-attr').filter({ hasText: '尺寸' });
      await colour.getByRole('link', { name: '深蓝' }).click();
      await expect(page).toHaveURL(/\/product\/4$/);
      await expect(page.getByTestId('product-name')).toHaveText('达达旅行 轻盈拉杆箱 深蓝 20寸');
      await expect(colour.getByRole('link', { name: '深蓝' })).toHaveAttribute('aria-current', 'true');
      await sizes.getByRole('link', { name: '24寸' }).click();
      await expect(page).toHaveURL(/\/product\/5$/);
      await expect(page.getByTestId('price')).toHaveText('¥359.00');

      // The header's search box is a GET form of the results page.
      const box = page.getByRole('search').getByRole('searchbox');
      await box.fill('钱包');
      await box.press('Enter');
      await expect(page).toHaveURL(/\/search\?q=%E9%92%B1%E5%8C%85$/);
      await expect(page.getByRole('heading', { name: '“钱包”的搜索结果' })).toBeVisible();
      await expect(page.getByTestId('sku').filter({ hasText: '北岸 牛皮短款钱包' }).first()).toBeVisible();
      await page.getByTestId('sku').filter({ hasText: '北岸 牛皮短款钱包' }).first().click();
      await expect(page).toHaveURL(/\/product\/\d+$/);
      await expect(page.getByTestId('product-name')).toContainText('北岸 牛皮短款钱包');
    });
  }

  test('an unknown product is the shop 404 page', async ({ page, errors }) => {
    errors.allow(httpStatus(404));
    const response = await page.goto('/product/999999');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
    await expect(page.getByRole('link', { name: '返回首页' })).toBeVisible();
  });
});

test('a landed product page shows before the wasm runs, then switches colour in place', async ({ page }) => {
  // The wasm is held back until the page has been checked: what shows is the server's HTML.
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(/\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  const goods: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/v1/goods/')) goods.push(`${request.method()} ${url.pathname}`);
  });
  await page.goto('/product/1', { waitUntil: 'commit' });
  await expect(page.getByTestId('product-name')).toHaveText('达达旅行 轻盈拉杆箱 黑色 20寸');
  await expect(page.getByTestId('price')).toHaveText('¥299.00');
  await expect(page.locator('html')).not.toHaveAttribute('data-hydrated', 'true');
  await page.evaluate(() => {
    (window as unknown as { landed: boolean }).landed = true;
  });

  release();
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  // The page came with its goods: nothing of them is asked for again (the reviews either).
  expect(goods).toEqual([]);

  const colour = page.getByTestId('sale-attr').filter({ hasText: '颜色' });
  await colour.getByRole('link', { name: '深蓝' }).click();
  await expect(page).toHaveURL(/\/product\/4$/);
  await expect(page.getByTestId('product-name')).toHaveText('达达旅行 轻盈拉杆箱 深蓝 20寸');
  // The same document: the switch happened in place, not by loading a page.
  expect(await page.evaluate(() => (window as unknown as { landed?: boolean }).landed)).toBe(true);
  expect(goods).toContain('POST /v1/goods/sku');
  expect(goods).toContain('GET /v1/goods/detail/4');
});

test('a landed home page and catalog page hydrate without asking for their goods again', async ({ page }) => {
  const goods: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/v1/goods/')) goods.push(url.pathname);
  });
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('catalog')).toHaveCount(4);
  await page.goto('/catalog/1?page=2&sort=price');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('sku')).toHaveCount(9);
  await page.goto('/search?q=%E6%8B%89%E6%9D%86%E7%AE%B1');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByRole('heading', { name: '“拉杆箱”的搜索结果' })).toBeVisible();
  expect(goods).toEqual([]);

  // Hydrated, the page is the app: a sort link navigates in place and asks the API.
  await page.getByRole('navigation', { name: '商品分类' }).getByRole('link', { name: '双肩包' }).click();
  await expect(page.getByTestId('catalog-name')).toHaveText('双肩包');
  expect(goods).toContain('/v1/goods/catalogs/2');
});

test('a logged-in shopper lands on a rendered page and sees their own header', async ({ page, request }) => {
  const shopper = newShopper();
  await registerViaApi(request, shopper);
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password, { remember: true });
  await expect(page.getByTestId('welcome')).toBeVisible();
  // A new load of a rendered page: rendered logged out (the server never sees the token),
  // then the session from storage once hydrated.
  await page.goto('/product/1');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('welcome')).toHaveText(`欢迎，${shopper.username}`);
  await expect(page.getByTestId('cart-count')).toHaveText('0');
  // And a protected page reached from it lets them in.
  await page.getByRole('link', { name: '个人中心' }).click();
  await expect(page).toHaveURL(/\/user$/);
});
