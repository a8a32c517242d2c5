import { join } from 'node:path';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import {
  ALIPAY,
  API,
  createOperator,
  expect,
  httpStatus,
  logInToConsole as logIn,
  newShopper,
  registerViaApi,
  test,
  type Shopper,
} from './fixtures';
import { Header, LoginPage } from './pages/shop';

// The operator console (/admin, app/src/pages/admin): its own login and session (the staff
// token in sessionStorage), a menu built from the role's permissions, orders found and
// shipped or refunded, and nothing that changes anything for a 只读 operator. Operators are
// made with `dadashop admin create` against the e2e shop's database; orders are placed
// through the API and paid on the fake Alipay gateway (its `/_fake/pay` is the cashier's
// 确认付款), so each test starts from a paid order of a shopper of its own.

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };
const TABLET = { width: 820, height: 1180 };

/**
 * A paid order of `shopper` (one unit of SKU `sku`, delivered to 钱七): placed through the
 * API, its cashier opened at the fake gateway (which makes the trade), paid there, and the
 * gateway's return checked by the shop as the payment result page does. Answers its id.
 */
async function paidOrder(request: APIRequestContext, shopper: Shopper, sku = 5): Promise<string> {
  const login = await request.post(`${API}/v1/tokens`, {
    data: { username: shopper.username, password: shopper.password },
  });
  expect(login.status(), await login.text()).toBe(200);
  const headers = { Authorization: `Bearer ${(await login.json()).token}` };
  const book = `${API}/v1/users/${shopper.username}/address`;
  const added = await request.post(book, {
    headers,
    data: { receiver: '钱七', address: '南京市鼓楼区中山路1号', receiver_phone: '13700000007', postcode: '210008', tag: '家' },
  });
  expect(added.status(), await added.text()).toBe(200);
  const addressId = (await (await request.get(book, { headers })).json()).addresslist[0].id;
  const created = await request.post(`${API}/v1/orders/${shopper.username}`, {
    headers,
    data: { settlement_type: 1, sku_id: sku, buy_count: 1, address_id: addressId },
  });
  expect(created.status(), await created.text()).toBe(200);
  const { order_id: orderId, pay_url: payUrl } = (await created.json()).data;
  expect((await request.get(payUrl)).status()).toBe(200);
  const paid = await request.post(`${ALIPAY}/_fake/pay`, { data: { out_trade_no: orderId } });
  expect(paid.status(), await paid.text()).toBe(200);
  const query = new URLSearchParams((await paid.json()).return_params).toString();
  const result = await request.get(`${API}/v1/orders/result/?${query}`, { headers });
  expect(result.status(), await result.text()).toBe(200);
  await expect
    .poll(async () => {
      const answer = await request.get(`${API}/v1/orders/${shopper.username}/${orderId}`, { headers });
      return (await answer.json()).data?.status;
    })
    .toBe(2);
  return orderId;
}

/** A new shopper with a paid order: the shopper and the order's id. */
async function shopperWithPaidOrder(request: APIRequestContext): Promise<{ shopper: Shopper; orderId: string }> {
  const shopper = newShopper();
  await registerViaApi(request, shopper);
  return { shopper, orderId: await paidOrder(request, shopper) };
}

const menu = (page: Page): Locator => page.getByRole('navigation', { name: '后台菜单' });

/** Nothing sticks out sideways. */
async function fits(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

test('an order operator logs in, finds a paid order by the buyer’s phone and ships it; the shopper sees it on the way', async ({
  page,
}) => {
  const { shopper, orderId } = await shopperWithPaidOrder(page.request);
  const operator = await createOperator('orders');

  // The console has its own frame: no shop header or footer, its own login.
  expect((await page.goto('/admin'))?.status()).toBe(200);
  await expect(page.locator('.site-header')).toHaveCount(0);
  await expect(page.locator('.site-footer')).toHaveCount(0);
  // Inline messages before anything is sent.
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByText('请输入密码')).toBeVisible();
  await logIn(page, operator);
  await expect(page.getByTestId('operator-role')).toHaveText('订单客服');

  // 统计: the figures and the two charts; the menu shows only what the role may do.
  await expect(page.getByRole('heading', { name: '统计', level: 1 })).toBeVisible();
  await expect(page.getByTestId('stat-total-users')).toHaveText(/^\d+$/);
  expect(Number(await page.getByTestId('stat-awaiting-shipment').textContent())).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('chart')).toHaveCount(2);
  await expect(menu(page).getByRole('link')).toHaveText(['统计', '订单', '退款', '退货', '用户', '商品', 'SPU', '分类', '品牌', '评价']);
  // The console's session is its own: the shopper's key is untouched.
  const keys = await page.evaluate(() => ({
    staff: sessionStorage.getItem('dashop_staff') !== null,
    shopper: sessionStorage.getItem('dashop_token') ?? localStorage.getItem('dashop_token'),
  }));
  expect(keys).toEqual({ staff: true, shopper: null });

  // 订单: filtered by the buyer's phone (kept in the URL), one row.
  await menu(page).getByRole('link', { name: '订单' }).click();
  await expect(page).toHaveURL('/admin/orders');
  const filters = page.getByRole('form', { name: '筛选订单' });
  // An amount that is not one is refused before anything is sent.
  await filters.getByLabel('最低金额').fill('12.345');
  await filters.getByRole('button', { name: '查询' }).click();
  await expect(filters.getByText('请输入金额，最多两位小数')).toBeVisible();
  await expect(page).toHaveURL('/admin/orders');
  await filters.getByLabel('最低金额').fill('');
  await filters.getByLabel('手机号').fill(shopper.phone);
  await filters.getByRole('button', { name: '查询' }).click();
  await expect(page).toHaveURL(`/admin/orders?phone=${shopper.phone}`);
  const rows = page.getByTestId('order-row');
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId('total')).toHaveText('共 1 条');
  const row = page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`);
  await expect(row.getByTestId('order-row-status')).toHaveText('待发货');
  // Reloading keeps the filter (and the session).
  await page.reload();
  await expect(filters.getByLabel('手机号')).toHaveValue(shopper.phone);
  await expect(row).toBeVisible();

  // The detail: lines, payment record with the trade number, timeline; 发货 with the
  // tracking number checked inline, then confirmed in the page's dialog.
  await row.getByRole('link', { name: orderId }).click();
  await expect(page).toHaveURL(`/admin/orders/${orderId}`);
  await expect(page.getByTestId('order-status')).toHaveText('待发货');
  await expect(page.getByTestId('trade-no')).toHaveText(/\S+/);
  await expect(page.getByTestId('timeline')).toContainText('付款');
  const ship = page.getByRole('form', { name: '发货' });
  await ship.getByRole('button', { name: '发货' }).click();
  await expect(page.locator('#ship-carrier-error')).toHaveText('请选择快递公司');
  await ship.getByLabel('快递公司').selectOption('顺丰速运');
  await ship.getByLabel('运单号').fill('SF 12');
  await ship.getByRole('button', { name: '发货' }).click();
  await expect(page.locator('#ship-tracking-no-error')).toHaveText('运单号为6-40位字母、数字或-');
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await ship.getByLabel('运单号').fill('SF1234567890');
  await ship.getByRole('button', { name: '发货' }).click();
  const dialog = page.getByRole('alertdialog', { name: '确认发货' });
  await expect(dialog).toContainText('SF1234567890');
  await dialog.getByRole('button', { name: '确认发货' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已发货' })).toBeVisible();
  await expect(page.getByTestId('order-status')).toHaveText('待收货');
  await expect(page.getByTestId('shipment')).toHaveText('顺丰速运 SF1234567890');
  await expect(page.getByTestId('timeline')).toContainText(`员工 ${operator.username}`);
  await expect(ship).toHaveCount(0);

  // The shopper's orders: on the way, with the carrier and the tracking number.
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await new Header(page).expectLoggedInAs(shopper.username);
  await page.goto('/user/orders');
  const card = page.locator(`[data-testid="order"][data-order-id="${orderId}"]`);
  await expect(card.getByTestId('order-status')).toHaveText('待收货');
  await expect(card.getByTestId('order-shipment')).toContainText('SF1234567890');
  await expect(card.getByTestId('order-shipment')).toContainText('顺丰速运');
});

test('a finance operator refunds a paid order from its detail, with a reason and the confirmation', async ({
  page,
}) => {
  const { orderId } = await shopperWithPaidOrder(page.request);
  const operator = await createOperator('finance');

  // A console link opened without a session: the login form, then the page asked for.
  await page.goto(`/admin/orders/${orderId}`);
  await logIn(page, operator);
  await expect(page.getByTestId('order-status')).toHaveText('待发货');
  await expect(menu(page).getByRole('link')).toHaveText(['统计', '订单', '退款', '退货', '用户']);
  // 财务 may refund, not ship.
  await expect(page.getByRole('form', { name: '发货' })).toHaveCount(0);
  const refund = page.getByRole('form', { name: '退款' });

  // A paid order's refund needs a reason; 取消 in the dialog changes nothing.
  await refund.getByRole('button', { name: '退款' }).click();
  await expect(page.locator('#refund-reason-error')).toHaveText('请填写原因');
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await refund.getByLabel('退款原因').fill('买家申请退款：尺码不合适');
  await refund.getByRole('button', { name: '退款' }).click();
  const dialog = page.getByRole('alertdialog', { name: '确认退款' });
  await expect(dialog).toContainText('原路退回');
  await dialog.getByRole('button', { name: '取消' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('order-status')).toHaveText('待发货');

  await refund.getByRole('button', { name: '退款' }).click();
  await dialog.getByRole('button', { name: '确认退款' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已退款' })).toBeVisible();
  await expect(page.getByTestId('order-status')).toHaveText('已取消，已退款');
  await expect(page.getByTestId('payment')).toContainText('买家申请退款：尺码不合适');
  await expect(page.getByTestId('timeline')).toContainText('退款');
  await expect(page.getByTestId('order-actions')).toHaveCount(0);

  // The gateway refunded it once.
  const trades = await (await page.request.get(`${ALIPAY}/_fake/trades`)).json();
  const trade = trades.find((t: { out_trade_no: string }) => t.out_trade_no === orderId);
  expect(trade.refund_count).toBe(1);

  // 退款 in the menu lists the refunds (status 6 and 7 are apart: this one is done).
  await menu(page).getByRole('link', { name: '退款' }).click();
  await expect(page).toHaveURL('/admin/orders?status=6');
  await expect(page.getByRole('heading', { name: '退款', level: 1 })).toBeVisible();
  await expect(menu(page).getByRole('link', { name: '退款' })).toHaveAttribute('aria-current', 'page');
});

test('a read-only operator sees no button that changes anything, and the API refuses its writes', async ({
  page,
  errors,
}) => {
  // The direct call below answers 403, the forged token 401 (Chromium logs both).
  errors.allow(httpStatus(403), httpStatus(401));
  const { orderId } = await shopperWithPaidOrder(page.request);
  const operator = await createOperator('readonly');

  await page.goto('/admin');
  await logIn(page, operator);
  await expect(page.getByTestId('operator-role')).toHaveText('只读');
  await expect(menu(page).getByRole('link')).toHaveText([
    '统计',
    '订单',
    '退款',
    '退货',
    '用户',
    '商品',
    'SPU',
    '分类',
    '品牌',
    '评价',
    '操作日志',
  ]);

  // A console page loaded directly is the app's page (200), not the 404 page.
  expect((await page.goto(`/admin/orders/${orderId}`))?.status()).toBe(200);
  await expect(page.getByTestId('order-status')).toHaveText('待发货');
  await expect(page.getByTestId('order-actions')).toHaveCount(0);
  await expect(page.locator('.console-main').getByRole('button')).toHaveCount(0);

  // The buyer's page: no 停用账号.
  await page.locator('.console-main').getByRole('link', { name: /^e2e/ }).click();
  await expect(page).toHaveURL(/\/admin\/users\/\d+$/);
  await expect(page.getByTestId('weibo')).toHaveText('未绑定');
  await expect(page.locator('.console-main').getByRole('button')).toHaveCount(0);

  // 员工 is not for this role, even by its address.
  await page.goto('/admin/staff');
  await expect(page.getByRole('alert')).toContainText('没有权限');

  // The token cannot ship either: 403 / 60101.
  const answer = await page.evaluate(
    async ({ api, id }) => {
      const session = JSON.parse(sessionStorage.getItem('dashop_staff') ?? '{}');
      const response = await fetch(`${api}/v1/admin/orders/${id}/ship`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${session.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ carrier: '顺丰速运', tracking_no: 'SF1234567890', version: 0 }),
      });
      return { status: response.status, body: await response.json() };
    },
    { api: API, id: orderId },
  );
  expect(answer.status).toBe(403);
  expect(answer.body.code).toBe(60101);

  // 退出 ends the session: back to the login form.
  await page.goto('/admin');
  await page.getByRole('button', { name: '退出' }).click();
  await expect(page.getByRole('heading', { name: '运营后台登录' })).toBeVisible();
  await expect(page.getByText('已退出登录')).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('dashop_staff'))).toBeNull();

  // A token the server no longer accepts (401): back to the login form, with a message.
  await logIn(page, operator);
  await page.evaluate(() => {
    const session = JSON.parse(sessionStorage.getItem('dashop_staff') ?? '{}');
    sessionStorage.setItem('dashop_staff', JSON.stringify({ ...session, token: 'not.a.token' }));
  });
  await page.goto('/admin/orders');
  await expect(page.getByRole('heading', { name: '运营后台登录' })).toBeVisible();
  await expect(page.getByText('登录已过期，请重新登录')).toBeVisible();
});

test('the console looks right at 1366, 820 and 390 px: dashboard, orders, an order, shoppers, staff, log', async ({
  page,
}) => {
  const { orderId } = await shopperWithPaidOrder(page.request);
  const operator = await createOperator('superuser');
  // Product views today, for the visits per catalog.
  for (const sku of [1, 1, 2, 5, 5, 5, 9]) {
    expect((await page.request.get(`${API}/v1/goods/detail/${sku}`)).status()).toBe(200);
  }
  const shots = join(test.info().project.outputDir, 'admin-screens');
  const shoot = async (name: string, width: number): Promise<void> => {
    await page.evaluate(() => document.fonts.ready);
    await fits(page, width);
    await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
  };
  await page.setViewportSize(PHONE);
  await page.goto('/admin');
  await expect(page.getByRole('heading', { name: '运营后台登录' })).toBeVisible();
  await shoot('login', PHONE.width);
  await logIn(page, operator);
  await expect(menu(page).getByRole('link')).toHaveText([
    '统计',
    '订单',
    '退款',
    '退货',
    '用户',
    '商品',
    'SPU',
    '分类',
    '品牌',
    '评价',
    '员工',
    '操作日志',
  ]);
  await page.goto(`/admin/orders/${orderId}`);
  const buyer = await page.locator('.console-main').getByRole('link', { name: /^e2e/ }).getAttribute('href');

  for (const screen of [DESKTOP, TABLET, PHONE]) {
    await page.setViewportSize(screen);
    await page.goto('/admin');
    await expect(page.getByTestId('chart')).toHaveCount(2);
    await shoot('dashboard', screen.width);

    await page.goto('/admin/orders');
    await expect(page.getByTestId('order-row').first()).toBeVisible();
    await shoot('orders', screen.width);

    await page.goto(`/admin/orders/${orderId}`);
    await expect(page.getByTestId('order-status')).toHaveText('待发货');
    await expect(page.getByRole('form', { name: '发货' })).toBeVisible();
    await shoot('order', screen.width);

    if (screen !== TABLET) {
      await page.goto('/admin/users');
      await expect(page.getByTestId('user-row').first()).toBeVisible();
      await shoot('users', screen.width);

      await page.goto(buyer!);
      await expect(page.getByTestId('weibo')).toHaveText('未绑定');
      await shoot('user', screen.width);

      await page.goto('/admin/staff');
      await expect(page.getByTestId('staff-row').first()).toBeVisible();
      await page.getByRole('button', { name: '新建员工' }).click();
      await shoot('staff', screen.width);

      await page.goto('/admin/audit');
      await expect(page.getByTestId('audit-row').first()).toBeVisible();
      await shoot('audit', screen.width);
    }
  }
});
