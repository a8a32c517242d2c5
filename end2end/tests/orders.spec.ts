import type { APIRequestContext, Page } from '@playwright/test';
import { API, expect, newShopper, registerViaApi, test } from './fixtures';
import { addToCart, Header, LoginPage, pickRegion, RegisterPage } from './pages/shop';

// The demo catalog (server/data/demo_catalog.toml) stocks every SKU with 20 to 200 units.
// Stock is read live through a buy-now settlement: the goods detail is cached and its stock
// figure may lag behind orders (server/src/catalog.rs, `availability_changed`).

const PHONE = { width: 390, height: 844 };

/** Price of a SKU in fen, from its detail. */
async function price(request: APIRequestContext, id: number): Promise<number> {
  const response = await request.get(`${API}/v1/goods/detail/${id}`);
  expect(response.status()).toBe(200);
  const { data } = await response.json();
  return Math.round(Number(data.price) * 100);
}

/** Units of a SKU in stock now, as the logged-in shopper of `page` may buy them. */
async function liveStock(page: Page, username: string, id: number): Promise<number> {
  const token = await page.evaluate(
    () => sessionStorage.getItem('dashop_token') ?? localStorage.getItem('dashop_token'),
  );
  const response = await page.request.get(
    `${API}/v1/orders/${username}/advance?settlement_type=1&sku_id=${id}&buy_num=1`,
    { headers: { Authorization: token ?? '' } },
  );
  expect(response.status(), await response.text()).toBe(200);
  const { data } = await response.json();
  return data.sku_list[0].stock;
}

const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;

/** Nothing on the page sticks out sideways on a phone. */
async function fitsThePhone(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
}

test.describe('on a phone', () => {
  test.use({ viewport: PHONE });

  test('an offline cart is merged at registration, checked out with a new address, and the cancelled order returns its stock', async ({
    page,
  }) => {
    const [a, b] = [2, 7];
    const fen = { a: await price(page.request, a), b: await price(page.request, b) };
    const header = new Header(page);
    const count = page.getByTestId('cart-count');

    // Logged out: two products into the offline cart (localStorage `cart`).
    await addToCart(page, a, 1);
    await expect(count).toHaveText('1');
    await addToCart(page, b, 2);
    await expect(count).toHaveText('2');
    const offline = await page.evaluate(() => JSON.parse(localStorage.getItem('cart') ?? '[]'));
    expect(offline.map((line: { id: number; count: number }) => [line.id, line.count])).toEqual([
      [a, 1],
      [b, 2],
    ]);
    await page.goto('/cart');
    await expect(page.getByTestId('cart-line')).toHaveCount(2);

    // Registering merges it into the server cart: the header's count is the server's.
    const shopper = newShopper();
    const register = new RegisterPage(page);
    await register.goto();
    await register.register(shopper);
    await header.expectLoggedInAs(shopper.username);
    await expect(count).toHaveText('2');
    expect(await page.evaluate(() => localStorage.getItem('cart'))).toBeNull();
    const stock = {
      a: await liveStock(page, shopper.username, a),
      b: await liveStock(page, shopper.username, b),
    };

    // The cart page: + twice and − once on the first line, totals follow.
    await page.goto('/cart');
    const lines = page.getByTestId('cart-line');
    await expect(lines).toHaveCount(2);
    const first = lines.filter({ has: page.locator(`a[href="/product/${a}"]`) });
    await expect(first.getByTestId('line-count')).toHaveText('1');
    await first.getByRole('button', { name: '增加数量' }).click();
    await expect(first.getByTestId('line-count')).toHaveText('2');
    await first.getByRole('button', { name: '增加数量' }).click();
    await expect(first.getByTestId('line-count')).toHaveText('3');
    await first.getByRole('button', { name: '减少数量' }).click();
    await expect(first.getByTestId('line-count')).toHaveText('2');
    const goods = fen.a * 2 + fen.b * 2;
    await expect(page.getByTestId('cart-total')).toHaveText(yuan(goods));
    // Unselecting everything leaves nothing to check out; select all again.
    await page.getByLabel('全选').uncheck();
    await expect(page.getByTestId('cart-total')).toHaveText('¥0.00');
    await expect(page.getByRole('button', { name: '去结算' })).toBeDisabled();
    await page.getByLabel('全选').check();
    await expect(page.getByTestId('cart-total')).toHaveText(yuan(goods));
    await fitsThePhone(page);

    // Confirmation: no address yet, one added inline, chosen at once.
    await page.getByRole('button', { name: '去结算' }).click();
    await expect(page).toHaveURL(/\/order\/confirm\?settlement_type=0$/);
    await expect(page.getByText('还没有收货地址，请先添加。')).toBeVisible();
    const form = page.locator('form.address-form');
    await form.getByLabel('收货人').fill('王五');
    await form.getByLabel('手机号').fill('13700000003');
    await pickRegion(form, { province: '广东省', city: '广州市', district: '天河区' });
    await form.getByLabel('详细地址').fill('天河路385号');
    await form.getByLabel('邮编').fill('510620');
    await form.getByRole('button', { name: '添加地址' }).click();
    const option = page.getByTestId('address-option');
    await expect(option).toHaveCount(1);
    await expect(option).toContainText('王五');
    await expect(option.getByRole('radio')).toBeChecked();
    await expect(page.getByTestId('order-line')).toHaveCount(2);
    await expect(page.getByTestId('freight')).toHaveText('¥10.00');
    await expect(page.getByTestId('payment-amount')).toHaveText(yuan(goods + 1000));
    await fitsThePhone(page);

    await page.getByTestId('submit-order').click();
    await expect(page).toHaveURL(/\/order\/result\?order_id=\d+$/);
    const orderId = new URL(page.url()).searchParams.get('order_id')!;
    await expect(page.getByTestId('order-id')).toHaveText(orderId);
    await expect(page.getByTestId('order-amount')).toHaveText(yuan(goods + 1000));
    await expect(page.getByTestId('pay-notice')).toContainText('内完成支付');
    await expect(page.getByRole('button', { name: '去支付' })).toBeEnabled();
    await expect(page.getByTestId('countdown')).toHaveText(/^[0-3]\d:[0-5]\d$/);
    // The ordered lines left the cart; the stock is taken.
    await expect(count).toHaveText('0');
    expect(await liveStock(page, shopper.username, a)).toBe(stock.a - 2);
    expect(await liveStock(page, shopper.username, b)).toBe(stock.b - 2);

    // My orders: the unpaid order with its countdown, under 全部 and 待付款.
    await page.getByRole('link', { name: '查看我的订单' }).click();
    await expect(page).toHaveURL('/user/orders');
    const order = page.locator(`[data-testid="order"][data-order-id="${orderId}"]`);
    await expect(order.getByTestId('order-status')).toHaveText('待付款');
    await expect(order.getByTestId('order-line')).toHaveCount(2);
    await expect(order).toContainText('王五');
    const countdown = order.getByTestId('countdown');
    await expect(countdown).toHaveText(/^[0-3]\d:[0-5]\d$/);
    const shown = await countdown.textContent();
    await expect(countdown).not.toHaveText(shown!, { timeout: 3_000 });
    await page.getByRole('navigation', { name: '订单状态' }).getByRole('link', { name: '待付款' }).click();
    await expect(page).toHaveURL('/user/orders?type=1');
    await expect(order).toBeVisible();
    await fitsThePhone(page);
    // Nothing was paid: the amount is what is due, not 实付.
    await expect(order.locator('.order-total')).toContainText('应付');

    // Cancel it (asked first): its stock comes back.
    await order.getByRole('button', { name: '取消订单' }).click();
    await order.getByRole('button', { name: '确认取消' }).click();
    await expect(page.getByRole('status').filter({ hasText: '订单已取消' })).toBeVisible();
    await expect(order).toHaveCount(0);
    await page.getByRole('navigation', { name: '订单状态' }).getByRole('link', { name: '全部' }).click();
    await expect(order.getByTestId('order-status')).toHaveText('已取消');
    await expect(order.getByTestId('countdown')).toHaveCount(0);
    // Cancelled before it was paid: no 实付.
    await expect(order.locator('.order-total')).toContainText('订单金额');
    await expect(order.locator('.order-total')).not.toContainText('实付');
    expect(await liveStock(page, shopper.username, a)).toBe(stock.a);
    expect(await liveStock(page, shopper.username, b)).toBe(stock.b);
  });
});

test('a logged-in shopper adds to the server cart, and deleting the last line empties it', async ({ page }) => {
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await new Header(page).expectLoggedInAs(shopper.username);
  const count = page.getByTestId('cart-count');
  await expect(count).toHaveText('0');

  await addToCart(page, 3, 2);
  await expect(count).toHaveText('1');
  // Nothing went to the offline cart: the server holds it.
  expect(await page.evaluate(() => localStorage.getItem('cart'))).toBeNull();
  await addToCart(page, 3, 1);
  await expect(count).toHaveText('1');

  await page.locator('.cart-link').click();
  await expect(page).toHaveURL('/cart');
  const line = page.getByTestId('cart-line');
  await expect(line).toHaveCount(1);
  await expect(line.getByTestId('line-count')).toHaveText('3');
  await line.getByRole('button', { name: '删除' }).click();
  await expect(page.getByTestId('empty-cart')).toBeVisible();
  await expect(count).toHaveText('0');
});

test('an empty cart says so and links home; buying now while logged out goes by the login page', async ({
  page,
}) => {
  await page.goto('/dadashop/templates/cart.html');
  await expect(page.getByRole('heading', { name: '购物车', level: 1 })).toBeVisible();
  const empty = page.getByTestId('empty-cart');
  await expect(empty).toContainText('购物车是空的');
  await empty.getByRole('link', { name: '去首页逛逛' }).click();
  await expect(page).toHaveURL('/');

  await page.goto('/product/1');
  await page.getByLabel('数量', { exact: true }).fill('2');
  await page.getByRole('button', { name: '立即购买' }).click();
  await expect(page).toHaveURL(
    `/login?next=${encodeURIComponent('/order/confirm?settlement_type=1&sku_id=1&buy_num=2')}`,
  );

  // The legacy 我的订单 path needs a login too.
  await page.goto('/dadashop/templates/myorders.html');
  await expect(page).toHaveURL(/\/login\?next=%2Fuser%2Forders/);
});
