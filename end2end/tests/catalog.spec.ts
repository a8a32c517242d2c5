import { API, expect, httpStatus, newShopper, registerViaApi, test } from './fixtures';
import { LoginPage } from './pages/shop';

// The demo catalog (server/data/demo_catalog.toml): catalog 1 拉杆箱 has 19 SKUs (3 pages of 9);
// SKU 1 is 达达旅行 轻盈拉杆箱 黑色 20寸 at ¥299.00, SKU 5 深蓝 24寸 at ¥359.00.

for (const size of [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
]) {
  test.describe(`on a ${size.name}`, () => {
    test.use({ viewport: size.viewport });

    test('from home to a catalog, page 2, a product, switching 颜色 and 尺寸', async ({ page }) => {
      await page.goto('/');
      const nav = page.getByRole('navigation', { name: '商品分类' });
      await nav.getByRole('link', { name: '拉杆箱' }).click();
      await expect(page).toHaveURL(/\/catalog\/1$/);
      await expect(page.getByTestId('catalog-name')).toHaveText('拉杆箱');
      await expect(page.getByTestId('sku')).toHaveCount(9);
      const pager = page.getByTestId('pager');
      await pager.getByRole('link', { name: '下一页' }).click();
      await expect(page).toHaveURL(/\/catalog\/1\?page=2$/);
      await expect(page.getByTestId('sku')).toHaveCount(9);
      await expect(pager.getByRole('link', { name: '2' })).toHaveAttribute('aria-current', 'page');

      // Cheapest first, then into the first product of page 1.
      await page.getByRole('navigation', { name: '排序' }).getByRole('link', { name: '价格↑' }).click();
      await expect(page).toHaveURL(/sort=price/);
      // The previous list stays on screen until the sorted one has arrived.
      await expect
        .poll(async () => {
          const prices = await page.locator('.sku-price').allTextContents();
          const values = prices.map((p) => Number(p.replace('¥', '')));
          return values.length === 9 && values.every((v, i) => i === 0 || values[i - 1] <= v);
        })
        .toBe(true);

      await page.goto('/catalog/1');
      await page.getByTestId('sku').first().click();
      await expect(page).toHaveURL(/\/product\/1$/);
      await expect(page.getByTestId('product-name')).toHaveText('达达旅行 轻盈拉杆箱 黑色 20寸');
      await expect(page.getByTestId('price')).toHaveText('¥299.00');
      await expect(page.getByTestId('stock')).toHaveText(/有货|仅剩/);
      await expect(page.getByRole('row', { name: /材质/ })).toContainText('PC 聚碳酸酯');
      await expect(page).toHaveTitle(/达达旅行 轻盈拉杆箱 黑色 20寸/);

      // The gallery: three pictures, the second one on click.
      const main = page.getByTestId('main-image');
      await expect(main).toHaveAttribute('src', /sku\/1\.svg$/);
      await page.getByRole('button', { name: '查看第 2 张图片' }).click();
      await expect(main).toHaveAttribute('src', /sku\/1-2\.svg$/);

      const colour = page.getByTestId('sale-attr').filter({ hasText: '颜色' });
      const sizeAttr = page.getByTestId('sale-attr').filter({ hasText: '尺寸' });
      await colour.getByRole('link', { name: '深蓝' }).click();
      await expect(page).toHaveURL(/\/product\/4$/);
      await expect(page.getByTestId('product-name')).toHaveText('达达旅行 轻盈拉杆箱 深蓝 20寸');
      await sizeAttr.getByRole('link', { name: '24寸' }).click();
      await expect(page).toHaveURL(/\/product\/5$/);
      await expect(page.getByTestId('price')).toHaveText('¥359.00');
      await expect(colour.getByRole('link', { name: '深蓝' })).toHaveAttribute('aria-current', 'true');
      // Back goes to the previous SKU.
      await page.goBack();
      await expect(page).toHaveURL(/\/product\/4$/);
      await expect(page.getByTestId('price')).toHaveText('¥299.00');
    });

    test('a Chinese search finds products and opens one', async ({ page }) => {
      await page.goto('/');
      const box = page.getByRole('searchbox', { name: '搜索商品' });
      await box.fill('托特');
      await box.press('Enter');
      await expect(page).toHaveURL(/\/search\?q=%E6%89%98%E7%89%B9$/);
      await expect(page.getByTestId('search-total')).toHaveText('共 9 件商品');
      const first = page.getByTestId('sku').first();
      await expect(first).toContainText('托特包');
      await first.click();
      await expect(page).toHaveURL(/\/product\/\d+$/);
      await expect(page.getByTestId('product-name')).toContainText('托特包');

      // Nothing found says so; markup in the query is shown as text.
      await page.goto(`/search?q=${encodeURIComponent('<b>潜水艇</b>')}`);
      await expect(page.getByTestId('search-empty')).toContainText('没有找到与“<b>潜水艇</b>”相关的商品');
      await expect(page.locator('main b')).toHaveCount(0);
    });

    test('an unknown product shows the 404 page', async ({ page, errors }) => {
      errors.allow(httpStatus(404));
      const response = await page.goto('/product/99999');
      expect(response?.status()).toBe(404);
      await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
    });
  });
}

test('the browsing history shows the products just viewed, newest first', async ({ page, request }) => {
  const shopper = newShopper();
  await registerViaApi(request, shopper);
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await expect(page).toHaveURL(/\/$/);
  for (const id of [2, 7, 12]) {
    await page.goto(`/product/${id}`);
    await expect(page.getByTestId('product-name')).toBeVisible();
    // The view is recorded in the background: wait for it before moving on.
    await expect
      .poll(async () => {
        const token = await page.evaluate(
          () => sessionStorage.getItem('dashop_token') ?? localStorage.getItem('dashop_token'),
        );
        const answer = await request.get(`${API}/v1/users/${shopper.username}/history`, {
          headers: { Authorization: token ?? '' },
        });
        const body = await answer.json();
        return body.data.map((s: { skuid: number }) => s.skuid)[0];
      })
      .toBe(id);
  }
  await page.getByRole('link', { name: '个人中心' }).click();
  await page.getByRole('link', { name: '浏览记录' }).click();
  await expect(page).toHaveURL(/\/user\/history$/);
  const cards = page.getByTestId('history').getByTestId('sku');
  await expect(cards).toHaveCount(3);
  await expect(cards.first()).toHaveAttribute('href', '/product/12');
  await expect(cards.last()).toHaveAttribute('href', '/product/2');
});

test('the legacy page paths lead to the new pages', async ({ page }) => {
  await page.goto('/dadashop/templates/product_list.html?catalog_id=2');
  await expect(page).toHaveURL(/\/catalog\/2$/);
  await expect(page.getByTestId('catalog-name')).toHaveText('双肩包');
  await page.goto('/dadashop/templates/product_details.html?skuid=5');
  await expect(page).toHaveURL(/\/product\/5$/);
  await expect(page.getByTestId('price')).toHaveText('¥359.00');
  await page.goto(`/dadashop/templates/search_list.html?q=${encodeURIComponent('钱包')}`);
  await expect(page).toHaveURL(/\/search\?q=/);
  await expect(page.getByTestId('sku').first()).toBeVisible();
});

test('home cards fill the row and sit two to a row on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  const block = page.getByTestId('catalog').first();
  const cards = block.getByTestId('sku');
  await expect(cards).toHaveCount(3);
  const grid = await block.locator('.sku-grid').boundingBox();
  const last = await cards.nth(2).boundingBox();
  expect(grid && last && Math.abs(grid.x + grid.width - (last.x + last.width))).toBeLessThan(2);
  await cards.first().click();
  await expect(page).toHaveURL(/\/product\/\d+$/);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  const phoneCards = page.getByTestId('catalog').first().getByTestId('sku');
  const [a, b, c] = await Promise.all([0, 1, 2].map((i) => phoneCards.nth(i).boundingBox()));
  expect(a && b && Math.abs(a.y - b.y)).toBeLessThan(2);
  expect(a && c && c.y > a.y + a.height - 1).toBe(true);
  // Nothing is wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(overflow).toBeLessThanOrEqual(390);
});

test('a bad price filter says what to change and sends nothing', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/v1/goods/catalogs/')) requests.push(request.url());
  });
  await page.goto('/catalog/1');
  await expect(page.getByTestId('sku')).toHaveCount(9);
  const sent = requests.length;
  const filter = page.locator('form.price-filter');
  await filter.getByPlaceholder('最低').fill('abc');
  await filter.getByRole('button', { name: '筛选' }).click();
  await expect(page.getByTestId('price-error')).toContainText('最低价“abc”不是价格：请填写数字');
  await expect(page).toHaveURL('/catalog/1');
  await filter.getByPlaceholder('最低').fill('500');
  await filter.getByPlaceholder('最高').fill('100');
  await filter.getByRole('button', { name: '筛选' }).click();
  await expect(page.getByTestId('price-error')).toContainText('最低价高于最高价');
  expect(requests.length).toBe(sent);

  await filter.getByPlaceholder('最高').fill('1000');
  await filter.getByRole('button', { name: '筛选' }).click();
  await expect(page).toHaveURL('/catalog/1?min_price=500&max_price=1000');
  await expect(page.getByTestId('price-error')).toHaveCount(0);
});

test('a link with a filter the shop cannot use offers the fix instead of 重试', async ({ page, errors }) => {
  errors.allow(httpStatus(400));
  await page.goto('/catalog/1?sort=cheapest');
  const problem = page.getByTestId('filter-problem');
  await expect(problem).toContainText('没有“cheapest”这种排序方式');
  await expect(problem.getByRole('button', { name: '重试' })).toHaveCount(0);
  await problem.getByRole('link', { name: '按默认排序' }).click();
  await expect(page).toHaveURL('/catalog/1');
  await expect(page.getByTestId('sku')).toHaveCount(9);

  await page.goto('/catalog/1?min_price=%C2%A5100');
  await expect(page.getByTestId('filter-problem')).toContainText('最低价“¥100”不是价格');
  await page.getByTestId('filter-problem').getByRole('link', { name: '清除价格筛选' }).click();
  await expect(page).toHaveURL('/catalog/1');

  await page.goto('/catalog/1?min_price=900&max_price=100');
  await page.getByTestId('filter-problem').getByRole('link', { name: '交换最低价和最高价' }).click();
  await expect(page).toHaveURL('/catalog/1?min_price=100&max_price=900');
  await expect(page.getByTestId('sku').first()).toBeVisible();

  // A page past the end (the catalog shrank since the link was made).
  await page.goto('/catalog/1?page=99');
  await expect(page.getByTestId('filter-problem')).toContainText('没有第 99 页了');
  await page.getByTestId('filter-problem').getByRole('link', { name: '回到第 1 页' }).click();
  await expect(page).toHaveURL('/catalog/1');
});

test('an unknown catalog shows only the 404 page, without the filter', async ({ page, errors }) => {
  errors.allow(httpStatus(404));
  await page.goto('/catalog/999');
  await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
  await expect(page.locator('form.price-filter')).toBeHidden();
});
