import type { APIRequestContext, Locator, Page } from '@playwright/test';
import {
  ALIPAY,
  API,
  createOperator,
  dadashop,
  expect,
  httpStatus,
  newShopper,
  registerViaApi,
  test,
  type Shopper,
} from './fixtures';
import { addToCart, Header, LoginPage, pickRegion } from './pages/shop';

// 订单详情 (/user/orders/<order_id>), reached from 我的订单: the lines, the address, the
// amounts, the payment, the timeline (下单, 付款, 发货, 收货, 取消), the order's buttons, and
// 再次购买, which puts the lines back into the cart. Payment runs against the fake Alipay
// gateway (payment.spec.ts).

const PHONE = { width: 390, height: 844 };
const CASHIER = new RegExp(`^${ALIPAY.replace(/[.]/g, '\\.')}/gateway\\.do\\?`);
/** `YYYY-mm-dd HH:MM:SS`, China time. */
const TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

/** A new shopper, registered and logged in through the login page. */
async function logInNewShopper(page: Page): Promise<Shopper> {
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await new Header(page).expectLoggedInAs(shopper.username);
  return shopper;
}

/** A SKU's name, unit price and the sale attribute values as its detail gives them. */
async function sku(request: APIRequestContext, id: number): Promise<{ name: string; fen: number; values: string[] }> {
  const answer = await request.get(`${API}/v1/goods/detail/${id}`);
  expect(answer.status()).toBe(200);
  const { data } = await answer.json();
  return { name: data.name, fen: Math.round(Number(data.price) * 100), values: data.sku_sale_attr_val_names };
}

const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;

/** On the confirmation page of a shopper without addresses: adds one and submits. */
async function submitOrder(page: Page): Promise<string> {
  await expect(page.getByText('还没有收货地址，请先添加。')).toBeVisible();
  const form = page.locator('form.address-form');
  await form.getByLabel('收货人').fill('钱七');
  await form.getByLabel('手机号').fill('13700000007');
  await pickRegion(form, { province: '四川省', city: '成都市', district: '武侯区' });
  await form.getByLabel('详细地址').fill('人民南路四段27号');
  await form.getByLabel('邮编').fill('610041');
  await form.getByRole('button', { name: '添加地址' }).click();
  await expect(page.getByTestId('address-option').getByRole('radio')).toBeChecked();
  await page.getByTestId('submit-order').click();
  await expect(page).toHaveURL(/\/order\/result\?order_id=\d+$/);
  return new URL(page.url()).searchParams.get('order_id')!;
}

/** 我的订单's entry for `orderId`. */
const orderCard = (page: Page, orderId: string): Locator =>
  page.locator(`[data-testid="order"][data-order-id="${orderId}"]`);

/** The order's page, from 我的订单 (reached through the personal center's menu). */
async function openFromMyOrders(page: Page, orderId: string, by: '订单号' | '订单详情'): Promise<void> {
  await page.getByRole('banner').getByRole('link', { name: '个人中心' }).click();
  await page.getByRole('navigation', { name: '个人中心导航' }).getByRole('link', { name: '我的订单' }).click();
  const card = orderCard(page, orderId);
  if (by === '订单号') {
    await card.getByRole('link', { name: orderId }).click();
  } else {
    await card.getByRole('link', { name: '订单详情' }).click();
  }
  await expect(page).toHaveURL(`/user/orders/${orderId}`);
  await expect(page.getByRole('heading', { name: '订单详情', level: 1 })).toBeVisible();
}

/** The steps of the timeline as `what` words. */
async function steps(page: Page): Promise<string[]> {
  return page.getByTestId('timeline-step').locator('.timeline-what').allTextContents();
}

test('a paid order shows its lines, address, amounts, payment and timeline, follows shipping to receipt, and is bought again', async ({
  page,
}) => {
  await logInNewShopper(page);
  const [a, b] = [4, 9];
  const skus = { a: await sku(page.request, a), b: await sku(page.request, b) };
  await addToCart(page, a, 1);
  await addToCart(page, b, 2);
  await page.goto('/cart');
  await page.getByRole('button', { name: '去结算' }).click();
  const orderId = await submitOrder(page);
  const goods = skus.a.fen + skus.b.fen * 2;
  await expect(page.getByTestId('order-amount')).toHaveText(yuan(goods + 1000));

  // Paid on the gateway's cashier.
  await page.getByRole('button', { name: '去支付' }).click();
  await expect(page).toHaveURL(CASHIER);
  await page.getByRole('button', { name: '确认付款' }).click();
  await expect(page.getByTestId('paid-order-id')).toHaveText(orderId);
  await expect(page.getByTestId('cart-count')).toHaveText('0');

  // From 我的订单, by the order number's link.
  await openFromMyOrders(page, orderId, '订单号');
  await expect(page.getByTestId('order-id')).toHaveText(orderId);
  await expect(page.getByTestId('order-status')).toHaveText('待发货');
  // 我的订单 stays marked in the personal center's menu.
  await expect(
    page.getByRole('navigation', { name: '个人中心导航' }).getByRole('link', { name: '我的订单' }),
  ).toHaveAttribute('aria-current', 'page');

  // The lines: picture, name, sale attributes, price × count, subtotal.
  const lines = page.getByTestId('order-line');
  await expect(lines).toHaveCount(2);
  const lineA = lines.filter({ has: page.locator(`a[href="/product/${a}"]`) });
  const lineB = lines.filter({ has: page.locator(`a[href="/product/${b}"]`) });
  await expect(lineA.locator('.line-name')).toHaveText(skus.a.name);
  await expect(lineA.locator('img')).toHaveAttribute('src', new RegExp(`^${API.replace(/\./g, '\\.')}/media/`));
  for (const value of skus.a.values) {
    await expect(lineA.locator('.line-attrs')).toContainText(value);
  }
  await expect(lineA.locator('.line-unit')).toHaveText(`${yuan(skus.a.fen)} × 1`);
  await expect(lineA.locator('.line-total')).toHaveText(yuan(skus.a.fen));
  await expect(lineB.locator('.line-unit')).toHaveText(`${yuan(skus.b.fen)} × 2`);
  await expect(lineB.locator('.line-total')).toHaveText(yuan(skus.b.fen * 2));

  // The amounts.
  await expect(page.getByTestId('goods-total')).toHaveText(yuan(goods));
  await expect(page.getByTestId('freight')).toHaveText('¥10.00');
  await expect(page.getByTestId('order-total')).toHaveText(yuan(goods + 1000));
  await expect(page.getByTestId('amounts')).toContainText('实付');

  // The address, the phone number partly hidden as in 我的订单.
  const address = page.getByTestId('order-address');
  await expect(address).toContainText('钱七');
  await expect(address).toContainText('137****0007');
  await expect(address).toContainText('四川省 成都市 武侯区 人民南路四段27号');

  // The payment.
  await expect(page.getByTestId('payment-trade-no')).toHaveText(/^\w{6,}$/);
  await expect(page.getByTestId('payment-time')).toHaveText(TIME);
  await expect(page.getByTestId('payment')).toContainText(yuan(goods + 1000));

  // The timeline: ordered, then paid (with the trade number), each with its time.
  expect(await steps(page)).toEqual(['下单', '付款']);
  const paid = page.getByTestId('timeline-step').nth(1);
  await expect(paid.locator('time')).toHaveText(TIME);
  await expect(paid).toContainText('支付宝交易号');
  await expect(page.getByTestId('timeline-step').first().locator('time')).toHaveText(TIME);
  // Paid, not shipped: nothing to pay, cancel or confirm.
  for (const name of ['去支付', '取消订单', '确认收货']) {
    await expect(page.getByRole('button', { name })).toHaveCount(0);
  }

  // Shipped by the shop: the carrier and tracking number show, 确认收货 ends it.
  await dadashop('orders', 'ship', orderId, '--carrier', '顺丰速运', '--tracking-no', 'SF1234567890');
  await openFromMyOrders(page, orderId, '订单详情');
  await expect(page.getByTestId('order-status')).toHaveText('待收货');
  expect(await steps(page)).toEqual(['下单', '付款', '发货']);
  await expect(page.getByTestId('timeline-step').nth(2)).toContainText('顺丰速运 SF1234567890');
  await expect(page.getByTestId('order-shipment')).toHaveText('物流：顺丰速运，运单号 SF1234567890');
  await page.getByRole('button', { name: '确认收货' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已确认收货' })).toBeVisible();
  await expect(page.getByTestId('order-status')).toHaveText('订单完成');
  expect(await steps(page)).toEqual(['下单', '付款', '发货', '收货']);
  await expect(page.getByRole('button', { name: '确认收货' })).toHaveCount(0);

  // 再次购买: the lines go back into the cart, and the cart says so.
  await page.getByRole('button', { name: '再次购买' }).click();
  await expect(page).toHaveURL('/cart');
  await expect(page.getByTestId('flash')).toHaveText('订单中的商品已加入购物车。');
  const cartLines = page.getByTestId('cart-line');
  await expect(cartLines).toHaveCount(2);
  await expect(cartLines.filter({ hasText: skus.a.name }).getByTestId('line-count')).toHaveText('1');
  await expect(cartLines.filter({ hasText: skus.b.name }).getByTestId('line-count')).toHaveText('2');
  await expect(page.getByTestId('cart-count')).toHaveText('2');
});

test.describe('on a phone', () => {
  test.use({ viewport: PHONE });

  test('an unpaid order is cancelled from its page, which then shows it cancelled', async ({ page }) => {
    await logInNewShopper(page);
    await page.goto('/product/6');
    await expect(page.getByTestId('product-name')).toBeVisible();
    await page.getByRole('button', { name: '立即购买' }).click();
    const orderId = await submitOrder(page);

    await page.getByRole('link', { name: '查看我的订单' }).click();
    await orderCard(page, orderId).getByRole('link', { name: '订单详情' }).click();
    await expect(page).toHaveURL(`/user/orders/${orderId}`);
    await expect(page.getByTestId('order-status')).toHaveText('待付款');
    await expect(page.getByTestId('countdown')).toHaveText(/^[0-3]\d:[0-5]\d$/);
    await expect(page.getByTestId('unpaid')).toHaveText('尚未支付');
    await expect(page.getByTestId('amounts')).toContainText('应付');
    expect(await steps(page)).toEqual(['下单']);
    await expect(page.getByRole('button', { name: '去支付' })).toBeEnabled();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    await page.getByRole('button', { name: '取消订单' }).click();
    await page.getByRole('button', { name: '确认取消' }).click();
    await expect(page.getByRole('status').filter({ hasText: '订单已取消' })).toBeVisible();
    await expect(page.getByTestId('order-status')).toHaveText('已取消');
    expect(await steps(page)).toEqual(['下单', '取消']);
    await expect(page.getByTestId('timeline-step').nth(1)).toContainText('买家取消');
    await expect(page.getByRole('button', { name: '去支付' })).toHaveCount(0);
    await expect(page.getByTestId('countdown')).toHaveCount(0);
    await expect(page.getByTestId('amounts')).toContainText('订单金额');
  });
});

test('再次购买 says which lines could not go back into the cart and which went back with fewer units', async ({
  page,
}) => {
  // Two SKUs of the test's own (the demo catalog's stock is shared by every test).
  const operator = await createOperator('catalog');
  const login = await page.request.post(`${API}/v1/admin/tokens`, {
    data: { username: operator.username, password: operator.password },
  });
  expect(login.status()).toBe(200);
  const token = (await login.json()).data.token;
  const admin = async (method: string, path: string, data?: unknown) => {
    const answer = await page.request.fetch(`${API}/v1/admin${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}` },
      data,
    });
    expect(answer.status(), `${method} ${path}: ${await answer.text()}`).toBe(200);
    return (await answer.json()).data;
  };
  const idOf = async (kind: string, name: string) =>
    (await admin('GET', `/${kind}`)).find((entry: { name: string }) => entry.name === name).id;
  const spu = await admin('POST', '/spus', {
    name: `再买测试包${Date.now().toString(36).slice(-4)}`,
    catalog_id: await idOf('catalogs', '手提包'),
    brand_id: await idOf('brands', '木棉'),
    description: '',
    sale_attrs: [{ name: '颜色', values: ['红色', '蓝色'] }],
    specs: [],
  });
  const made = await admin('POST', `/spus/${spu.id}/skus`, { fill_grid: true, price: '66.00', stock: 5 });
  const [short, gone] = await Promise.all(
    (made.skus as { id: number }[]).map(async ({ id }) => {
      const detail = await admin('GET', `/skus/${id}`);
      await admin('PATCH', `/skus/${id}`, { is_launched: true, version: detail.version });
      return { id, name: detail.name as string };
    }),
  );
  try {
    await logInNewShopper(page);
    await addToCart(page, short.id, 3);
    await addToCart(page, gone.id, 1);
    await page.goto('/cart');
    await page.getByRole('button', { name: '去结算' }).click();
    const orderId = await submitOrder(page);

    // Since then: one SKU is down to 1 unit, the other is off sale.
    const now = await admin('GET', `/skus/${short.id}`);
    await admin('POST', `/skus/${short.id}/stock`, { set_to: 1, seen: now.stock, reason: '再次购买测试' });
    const other = await admin('GET', `/skus/${gone.id}`);
    await admin('PATCH', `/skus/${gone.id}`, { is_launched: false, version: other.version });

    await openFromMyOrders(page, orderId, '订单详情');
    // Unpaid orders can be bought again too.
    await page.getByRole('button', { name: '再次购买' }).click();
    await expect(page).toHaveURL('/cart');
    const flash = page.getByTestId('flash');
    await expect(flash).toContainText('订单中的商品已加入购物车，以下除外');
    await expect(flash).toContainText(`未能加入：${gone.name}`);
    await expect(flash).toContainText(`库存不足，已按现有库存加入：${short.name}`);
    const line = page.getByTestId('cart-line');
    await expect(line).toHaveCount(1);
    await expect(line).toContainText(short.name);
    await expect(line.getByTestId('line-count')).toHaveText('1');

    // The word is for this visit only.
    await page.getByRole('banner').getByRole('link', { name: '个人中心' }).click();
    await page.locator('.cart-link').click();
    await expect(page.getByTestId('cart-line')).toHaveCount(1);
    await expect(page.getByTestId('flash')).toHaveCount(0);
  } finally {
    await admin('PATCH', `/skus/${short.id}`, {
      is_launched: false,
      version: (await admin('GET', `/skus/${short.id}`)).version,
    });
  }
});

test("an unknown order, or another shopper's, is the shop's 404 page", async ({ page, errors }) => {
  // The API answers 404 for both (and the web origin for a path its table does not list).
  errors.allow(httpStatus(404));
  await logInNewShopper(page);
  await page.goto('/product/3');
  await page.getByRole('button', { name: '立即购买' }).click();
  const orderId = await submitOrder(page);

  await page.goto('/user/orders/20990101000000000000000001');
  await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
  await expect(page.getByRole('link', { name: '返回首页' })).toBeVisible();

  // Another shopper cannot open it.
  await page.getByRole('banner').getByRole('link', { name: '退出' }).click();
  await logInNewShopper(page);
  await page.goto(`/user/orders/${orderId}`);
  await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
  await expect(page.getByTestId('order-id')).toHaveCount(0);
});
