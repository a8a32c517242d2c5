import type { Page } from '@playwright/test';
import { ALIPAY, API, dadashop, expect, httpStatus, newShopper, registerViaApi, test, type Shopper } from './fixtures';
import { addToCart, Header, LoginPage, pickRegion } from './pages/shop';

// Payment runs against the fake Alipay gateway (fakes/, started by scripts/e2e-server.sh with
// key pairs made for the run): its 收银台 shows the trade, 确认付款 pays it, sends the
// browser back to the shop's return URL (/payment/result) with Alipay's signed parameters and
// posts the asynchronous notification to the shop.

const PHONE = { width: 390, height: 844 };

/** The fake gateway's page-pay URL, whatever its parameters. */
const CASHIER = new RegExp(`^${ALIPAY.replace(/[.]/g, '\\.')}/gateway\\.do\\?`);

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

/**
 * On the confirmation page of a shopper without addresses: adds one, clicks 提交订单 and
 * answers the order id and amount the result page shows.
 */
async function submitOrder(page: Page): Promise<{ orderId: string; amount: string }> {
  await expect(page.getByText('还没有收货地址，请先添加。')).toBeVisible();
  const form = page.locator('form.address-form');
  await form.getByLabel('收货人').fill('赵六');
  await form.getByLabel('手机号').fill('13700000006');
  await pickRegion(form, { province: '浙江省', city: '杭州市', district: '西湖区' });
  await form.getByLabel('详细地址').fill('文三路90号');
  await form.getByLabel('邮编').fill('310012');
  await form.getByRole('button', { name: '添加地址' }).click();
  await expect(page.getByTestId('address-option').getByRole('radio')).toBeChecked();
  await page.getByTestId('submit-order').click();
  await expect(page).toHaveURL(/\/order\/result\?order_id=\d+$/);
  const orderId = new URL(page.url()).searchParams.get('order_id')!;
  const amount = page.getByTestId('order-amount');
  await expect(amount).toHaveText(/^¥\d+\.\d\d$/);
  return { orderId, amount: (await amount.textContent())! };
}

/** On the 收银台 of `orderId`: checks the trade shown and clicks 确认付款. */
async function payOnCashier(page: Page, orderId: string, amount: string): Promise<void> {
  await expect(page).toHaveURL(CASHIER);
  await expect(page.getByRole('heading', { name: '收银台' })).toBeVisible();
  await expect(page.getByTestId('alipay-out-trade-no')).toHaveText(orderId);
  await expect(page.getByTestId('alipay-amount')).toHaveText(amount);
  await page.getByRole('button', { name: '确认付款' }).click();
  await expect(page).toHaveURL(/\/payment\/result\?.*out_trade_no=/);
}

/** My orders' entry for `orderId`. */
const orderCard = (page: Page, orderId: string) =>
  page.locator(`[data-testid="order"][data-order-id="${orderId}"]`);

/** Goes to a tab of my orders. */
async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: '订单状态' }).getByRole('link', { name }).click();
}

test.describe('on a phone', () => {
  test.use({ viewport: PHONE });

  test('a shopper pays on the Alipay cashier, sees the payment result, also at the legacy path, and follows the order to completion', async ({
    page,
  }) => {
    await logInNewShopper(page);
    await addToCart(page, 4, 1);
    await page.goto('/cart');
    await page.getByRole('button', { name: '去结算' }).click();
    const { orderId, amount } = await submitOrder(page);

    // 去支付 leaves the shop for the gateway's cashier, which shows this order and amount.
    await page.getByRole('button', { name: '去支付' }).click();
    await payOnCashier(page, orderId, amount);

    // Back in the shop: the server checked Alipay's signed return and says it is paid.
    await expect(page.getByRole('status').filter({ hasText: '支付成功' })).toBeVisible();
    await expect(page.getByTestId('paid-order-id')).toHaveText(orderId);
    await expect(page.getByTestId('paid-amount')).toHaveText(amount);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // The original shop's return page answers the same parameters the same way.
    const query = new URL(page.url()).search;
    await page.goto(`/dadashop/templates/pay_success.html${query}`);
    await expect(page).toHaveURL(/\/payment\/result\?.*out_trade_no=/);
    await expect(page.getByRole('status').filter({ hasText: '支付成功' })).toBeVisible();
    await expect(page.getByTestId('paid-order-id')).toHaveText(orderId);
    await expect(page.getByTestId('paid-amount')).toHaveText(amount);

    // My orders: paid, waiting to be shipped, under 待发货; nothing left to pay.
    await page.getByRole('link', { name: '查看我的订单' }).click();
    await expect(page).toHaveURL('/user/orders');
    const order = orderCard(page, orderId);
    await expect(order.getByTestId('order-status')).toHaveText('待发货');
    await expect(order.getByRole('button', { name: '去支付' })).toHaveCount(0);
    await expect(order.getByTestId('countdown')).toHaveCount(0);
    await openTab(page, '待发货');
    await expect(page).toHaveURL('/user/orders?type=2');
    await expect(order.getByTestId('order-status')).toHaveText('待发货');

    // The shop ships it (an operator's command); the shopper confirms receipt.
    expect(await dadashop('orders', 'ship', orderId)).toContain(`order ${orderId} marked shipped`);
    await page.reload();
    await expect(page.getByText('还没有这类订单')).toBeVisible();
    await openTab(page, '待收货');
    await expect(order.getByTestId('order-status')).toHaveText('待收货');
    await order.getByRole('button', { name: '确认收货' }).click();
    await expect(page.getByRole('status').filter({ hasText: '已确认收货' })).toBeVisible();
    await expect(order).toHaveCount(0);
    await openTab(page, '已完成');
    await expect(order.getByTestId('order-status')).toHaveText('订单完成');
  });
});

test('an unpaid order is paid later from my orders, and a tampered return is refused', async ({ page, errors }) => {
  // The tampered return's check answers 400.
  errors.allow(httpStatus(400));
  await logInNewShopper(page);
  await page.goto('/product/6');
  await expect(page.getByTestId('product-name')).toBeVisible();
  await page.getByRole('button', { name: '立即购买' }).click();
  const { orderId, amount } = await submitOrder(page);

  // Not paid now: later, from my orders, 去支付 opens the cashier of that order.
  await page.getByRole('link', { name: '查看我的订单' }).click();
  const order = orderCard(page, orderId);
  await expect(order.getByTestId('order-status')).toHaveText('待付款');
  await order.getByRole('button', { name: '去支付' }).click();
  await payOnCashier(page, orderId, amount);
  await expect(page.getByTestId('paid-order-id')).toHaveText(orderId);

  // The same return with another amount: the signature no longer holds, nothing is shown
  // as paid, and asking again changes nothing.
  const genuine = new URL(page.url()).search.slice(1);
  expect(genuine).toMatch(/(^|&)total_amount=/);
  const tampered = genuine.replace(/(^|&)total_amount=[^&]*/, '$1total_amount=0.01');
  await page.goto(`/payment/result?${tampered}`);
  const failure = page.getByRole('alert');
  await expect(failure).toContainText('支付结果校验失败');
  await expect(page.getByText('支付成功')).toHaveCount(0);
  await expect(page.getByTestId('paid-order-id')).toHaveCount(0);
  await failure.getByRole('button', { name: '重新查询' }).click();
  await expect(failure).toContainText('支付结果校验失败');
  await expect(page.getByTestId('paid-order-id')).toHaveCount(0);

  // The genuine payment stands.
  await page.getByRole('link', { name: '查看我的订单' }).click();
  await expect(order.getByTestId('order-status')).toHaveText('待发货');

  // Without a query there is nothing to check.
  await page.goto('/payment/result');
  await expect(page.getByText('没有可显示的支付结果')).toBeVisible();
});

test('the payment result page needs a login and comes back with its parameters', async ({ page, errors }) => {
  // These parameters carry no valid signature: the check answers 400.
  errors.allow(httpStatus(400));
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const query = 'out_trade_no=20240101000000000000000001&total_amount=88.00&sign=x';
  await page.goto(`/dadashop/templates/pay_success.html?${query}`);
  await expect(page).toHaveURL(`/login?next=${encodeURIComponent(`/payment/result?${query}`)}`);
  await new LoginPage(page).logIn(shopper.username, shopper.password);
  await expect(page).toHaveURL(`/payment/result?${query}`);
  await expect(page.getByRole('alert')).toContainText('支付结果校验失败');
  await expect(page.getByRole('link', { name: '查看我的订单' })).toBeVisible();
});

test('an order cancelled meanwhile cannot be paid: 去支付 says so and the list shows it cancelled', async ({
  page,
  errors,
}) => {
  // The re-pay request of the cancelled order answers 409.
  errors.allow(httpStatus(409));
  const shopper = await logInNewShopper(page);
  await page.goto('/product/8');
  await expect(page.getByTestId('product-name')).toBeVisible();
  await page.getByRole('button', { name: '立即购买' }).click();
  const { orderId } = await submitOrder(page);
  await page.getByRole('link', { name: '查看我的订单' }).click();
  const order = orderCard(page, orderId);
  await expect(order.getByTestId('order-status')).toHaveText('待付款');

  // Cancelled elsewhere (another tab, say) while this list still offers 去支付.
  const token = await page.evaluate(
    () => sessionStorage.getItem('dashop_token') ?? localStorage.getItem('dashop_token'),
  );
  const cancelled = await page.request.post(`${API}/v1/orders/${shopper.username}/${orderId}/cancel`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(cancelled.status(), await cancelled.text()).toBe(200);

  await order.getByRole('button', { name: '去支付' }).click();
  await expect(page.getByRole('alert')).toContainText('订单已不是待付款状态');
  await expect(order.getByTestId('order-status')).toHaveText('已取消');
  await expect(order.getByRole('button', { name: '去支付' })).toHaveCount(0);
  await expect(page).toHaveURL('/user/orders');
});
