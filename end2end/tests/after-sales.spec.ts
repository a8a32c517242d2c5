import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import {
  ALIPAY,
  API,
  createOperator,
  expect,
  httpStatus,
  newShopper,
  registerViaApi,
  test,
  type Operator,
  type Shopper,
} from './fixtures';
import { AddressPage, Header, LoginPage, pickRegion } from './pages/shop';

// After the sale, as the shopper sees it (issue 27): the 省 / 市 / 区 picker of the address
// forms, an order followed from payment to receipt, 评价 on the order's page that then shows
// on the product page (商品评价, with the average), the heart, and 申请退货 with a reason and a
// picture, which the shop approves and refunds (the operator's steps go through the console's
// API: admin-after-sales.spec.ts covers its pages). The product is the test's own, so that its
// reviews are the test's alone; it is taken off sale again at the end (other specs count the
// demo catalog's goods).

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };
const CASHIER = new RegExp(`^${ALIPAY.replace(/[.]/g, '\\.')}/gateway\\.do\\?`);
const MEDIA = new RegExp(`^${API.replace(/[.]/g, '\\.')}/media/`);

/** The CRC-32 of PNG chunks. */
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) {
      crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A small valid PNG (8-bit RGB, 48 px square) blending `from` into `to`. */
function png(from: [number, number, number], to: [number, number, number]): Buffer {
  const size = 48;
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 2;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x += 1) {
      const t = (x + y) / (2 * (size - 1));
      for (let c = 0; c < 3; c += 1) {
        row[1 + x * 3 + c] = Math.round(from[c] + (to[c] - from[c]) * t);
      }
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

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

/** The console's API with an operator's token. */
class Console {
  private constructor(
    private readonly request: APIRequestContext,
    private readonly token: string,
  ) {}

  static async as(request: APIRequestContext, operator: Operator): Promise<Console> {
    const login = await request.post(`${API}/v1/admin/tokens`, {
      data: { username: operator.username, password: operator.password },
    });
    expect(login.status(), await login.text()).toBe(200);
    return new Console(request, (await login.json()).data.token);
  }

  /** `data` of a successful call. */
  async call(method: string, path: string, data?: unknown): Promise<any> {
    const answer = await this.request.fetch(`${API}/v1/admin${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}` },
      data,
    });
    expect(answer.status(), `${method} ${path}: ${await answer.text()}`).toBe(200);
    return (await answer.json()).data;
  }

  async idOf(kind: string, name: string): Promise<number> {
    return (await this.call('GET', `/${kind}`)).find((entry: { name: string }) => entry.name === name).id;
  }
}

/**
 * A launched product of the test's own, one SKU a colour (`colours`, default one: 米白) at
 * ¥88.00 with 5 in stock each; answers the SKUs in the order of the colours.
 */
async function ownProduct(shop: Console, colours = ['米白']): Promise<{ id: number; name: string }[]> {
  const spu = await shop.call('POST', '/spus', {
    name: `售后测试包${Date.now().toString(36).slice(-5)}`,
    catalog_id: await shop.idOf('catalogs', '手提包'),
    brand_id: await shop.idOf('brands', '木棉'),
    description: '',
    sale_attrs: [{ name: '颜色', values: colours }],
    specs: [],
  });
  const made = await shop.call('POST', `/spus/${spu.id}/skus`, { fill_grid: true, price: '88.00', stock: 5 });
  const skus: { id: number; name: string }[] = [];
  for (const { id } of made.skus as { id: number }[]) {
    const detail = await shop.call('GET', `/skus/${id}`);
    await shop.call('PATCH', `/skus/${id}`, { is_launched: true, version: detail.version });
    skus.push({ id, name: detail.name });
  }
  return skus.sort((x, y) => colours.findIndex((c) => x.name.endsWith(c)) - colours.findIndex((c) => y.name.endsWith(c)));
}

/** Takes the test's SKUs off sale again. */
async function takeOffSale(shop: Console, skus: { id: number }[]): Promise<void> {
  for (const { id } of skus) {
    await shop.call('PATCH', `/skus/${id}`, {
      is_launched: false,
      version: (await shop.call('GET', `/skus/${id}`)).version,
    });
  }
}

/** Nothing sticks out sideways. */
async function fits(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

/**
 * A full-page screenshot of the page at 1366 and at 390 px (nothing sticking out), to
 * test-results/after-sales-screens/<name>-<width>.png; the viewport is set back after.
 */
async function shootBoth(page: Page, name: string): Promise<void> {
  const before = page.viewportSize();
  const shots = join(test.info().project.outputDir, 'after-sales-screens');
  for (const screen of [DESKTOP, PHONE]) {
    await page.setViewportSize(screen);
    await page.evaluate(() => document.fonts.ready);
    await fits(page, screen.width);
    await page.screenshot({ path: join(shots, `${name}-${screen.width}.png`), fullPage: true });
  }
  if (before) {
    await page.setViewportSize(before);
  }
}

/** The steps of the order's timeline as `what` words. */
async function steps(page: Page): Promise<string[]> {
  return page.getByTestId('timeline-step').locator('.timeline-what').allTextContents();
}

test('a shopper buys to a picked region, follows the order to receipt, reviews and favourites the product, and returns it for a refund', async ({
  page,
  errors,
}) => {
  test.setTimeout(120_000);
  // The file that is no picture is refused with 422 (Chromium logs it).
  errors.allow(httpStatus(422));
  const operator = await createOperator('superuser');
  const shop = await Console.as(page.request, operator);
  const [product] = await ownProduct(shop);
  try {
    const shopper = await logInNewShopper(page);

    // A product nobody has reviewed yet.
    await page.goto(`/product/${product.id}`);
    await expect(page.getByTestId('product-name')).toHaveText(product.name);
    const reviews = page.getByTestId('reviews');
    await expect(reviews.getByTestId('no-reviews')).toHaveText('暂无评价');

    // 立即购买; the settlement's form adds the first address, its region picked.
    await page.getByRole('button', { name: '立即购买' }).click();
    await expect(page.getByText('还没有收货地址，请先添加。')).toBeVisible();
    const form = page.locator('form.address-form');
    await form.getByLabel('收货人').fill('周八');
    await form.getByLabel('手机号').fill('13700000008');
    await expect(form.getByLabel('城市')).toBeDisabled();
    await pickRegion(form, { province: '广东省', city: '深圳市', district: '南山区' });
    await form.getByLabel('详细地址').fill('科技园南区深南大道10000号');
    await form.getByLabel('邮编').fill('518057');
    await shootBoth(page, 'settlement-address-form');
    await form.getByRole('button', { name: '添加地址' }).click();
    const option = page.getByTestId('address-option');
    await expect(option.getByRole('radio')).toBeChecked();
    await expect(option).toContainText('广东省 深圳市 南山区 科技园南区深南大道10000号');
    await page.getByTestId('submit-order').click();
    await expect(page).toHaveURL(/\/order\/result\?order_id=\d+$/);
    const orderId = new URL(page.url()).searchParams.get('order_id')!;

    // Paid on the gateway's cashier.
    await page.getByRole('button', { name: '去支付' }).click();
    await expect(page).toHaveURL(CASHIER);
    await page.getByRole('button', { name: '确认付款' }).click();
    await expect(page.getByTestId('paid-order-id')).toHaveText(orderId);

    // The order's page, from 我的订单.
    await page.getByRole('banner').getByRole('link', { name: '个人中心' }).click();
    await page.getByRole('navigation', { name: '个人中心导航' }).getByRole('link', { name: '我的订单' }).click();
    await page.locator(`[data-testid="order"][data-order-id="${orderId}"]`).getByRole('link', { name: '订单详情' }).click();
    await expect(page).toHaveURL(`/user/orders/${orderId}`);
    await expect(page.getByTestId('order-status')).toHaveText('待发货');
    await expect(page.getByTestId('order-address')).toContainText('广东省 深圳市 南山区 科技园南区深南大道10000号');
    // Nothing to review or return before receipt.
    await expect(page.getByRole('heading', { name: '评价商品' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: '申请退货' })).toHaveCount(0);

    // The shop ships it; the page shows the carrier and the tracking number.
    const shipped = await shop.call('GET', `/orders/${orderId}`);
    await shop.call('POST', `/orders/${orderId}/ship`, {
      carrier: '顺丰速运',
      tracking_no: 'SF2026120600027',
      version: shipped.version,
    });
    await page.reload();
    await expect(page.getByTestId('order-status')).toHaveText('待收货');
    expect(await steps(page)).toEqual(['下单', '付款', '发货']);
    await expect(page.getByTestId('timeline-step').nth(2)).toContainText('顺丰速运 SF2026120600027');
    await expect(page.getByTestId('order-shipment')).toHaveText('物流：顺丰速运，运单号 SF2026120600027');

    // 确认收货: now the line may be reviewed and returned.
    await page.getByRole('button', { name: '确认收货' }).click();
    await expect(page.getByTestId('order-status')).toHaveText('订单完成');
    await expect(page.getByRole('heading', { name: '评价商品' })).toBeVisible();

    // 评价: stars, text (looking like markup: it stays text), the character count.
    const line = page.getByTestId('review-line');
    await expect(line).toHaveCount(1);
    await expect(line.locator('.line-name')).toHaveText(product.name);
    const review = line.getByRole('form', { name: '评价' });
    await review.getByRole('button', { name: '发表评价' }).click();
    await expect(review.getByText('请选择评分')).toBeVisible();
    await review.getByRole('radio', { name: '4 星' }).check();
    await expect(review.getByText('好', { exact: true })).toBeVisible();
    const text = '包很能装，<b>做工</b>不错';
    await review.getByLabel('评价内容').fill(text);
    await expect(review.getByTestId('review-count')).toHaveText(`${[...text].length}/500`);
    await review.getByLabel('评价内容').fill('好'.repeat(501));
    await expect(review.getByTestId('review-count')).toHaveText('501/500');
    await review.getByRole('button', { name: '发表评价' }).click();
    await expect(review.getByText('评价内容最多 500 个字')).toBeVisible();
    await review.getByLabel('评价内容').fill(text);
    await shootBoth(page, 'order-review-form');
    await review.getByRole('button', { name: '发表评价' }).click();
    const mine = line.getByTestId('my-review');
    await expect(mine.getByTestId('my-review-text')).toHaveText(text);
    await expect(mine.getByRole('img', { name: '4 星' })).toHaveText('★★★★☆');
    await expect(mine.getByText(/^可修改至 \d{4}-\d\d-\d\d \d\d:\d\d$/)).toBeVisible();

    // 修改: five stars now.
    await mine.getByRole('button', { name: '修改' }).click();
    await expect(review.getByRole('radio', { name: '4 星' })).toBeChecked();
    await expect(review.getByLabel('评价内容')).toHaveValue(text);
    await review.getByRole('radio', { name: '5 星' }).check();
    await review.getByRole('button', { name: '保存修改' }).click();
    await expect(mine.getByRole('img', { name: '5 星' })).toBeVisible();
    await expect(mine.getByTestId('my-review-text')).toHaveText(text);

    // The product page shows it, with the average; the heart keeps the product.
    await line.locator('.line-name').click();
    await expect(page).toHaveURL(`/product/${product.id}`);
    await expect(reviews.getByRole('heading', { name: '商品评价（1）' })).toBeVisible();
    await expect(reviews.getByTestId('review-average')).toHaveText('5.0');
    await expect(reviews.getByTestId('review-summary').getByRole('img', { name: '5 星' })).toBeVisible();
    await expect(reviews.getByTestId('review-count')).toHaveText('共 1 条评价');
    const shown = reviews.getByTestId('review');
    await expect(shown).toHaveCount(1);
    await expect(shown.getByTestId('review-text')).toHaveText(text);
    await expect(shown.getByTestId('review-text').locator('b')).toHaveCount(0);
    await expect(shown).toContainText('颜色: 米白');
    // Not anonymous: the name, masked.
    const author = (await shown.getByTestId('review-author').textContent()) ?? '';
    expect(author).toMatch(/^.\*\*\*.$/u);
    expect(author[0]).toBe(shopper.username[0]);
    await expect(reviews.getByRole('navigation', { name: '评价分页' })).toHaveCount(0);
    await shootBoth(page, 'product-reviews');
    const heart = page.getByTestId('favourite-toggle');
    await expect(heart).toHaveAttribute('aria-pressed', 'false');
    await heart.click();
    await expect(heart).toHaveAttribute('aria-pressed', 'true');
    await expect(heart).toContainText('已收藏');

    // 申请退货, until the deadline shown; a picture that is no picture is refused by the server.
    await page.goto(`/user/orders/${orderId}`);
    const returns = page.getByTestId('returns');
    await expect(returns.getByTestId('return-until')).toHaveText(/^可申请至 \d{4}-\d\d-\d\d \d\d:\d\d$/);
    await returns.getByRole('button', { name: '申请退货' }).click();
    const ask = returns.getByRole('form', { name: '申请退货' });
    const choice = ask.getByTestId('return-line');
    await expect(choice.getByRole('checkbox', { name: product.name })).toBeChecked();
    await expect(choice.getByLabel(`${product.name} 退货数量`)).toHaveValue('1');
    await expect(choice).toContainText('共 1 件，可退 1 件');
    await ask.getByRole('button', { name: '提交申请' }).click();
    await expect(ask.getByText('请填写退货原因')).toBeVisible();
    await ask.getByLabel('退货原因').fill('拉链拉不上，边角有划痕');
    const pictureInput = ask.locator('input[type="file"]');
    await pictureInput.setInputFiles([
      { name: '划痕.png', mimeType: 'image/png', buffer: png([240, 240, 235], [120, 110, 100]) },
      { name: '说明.png', mimeType: 'image/png', buffer: Buffer.from('这不是一张图片') },
    ]);
    const thumbs = ask.getByTestId('return-picture');
    await expect(thumbs).toHaveCount(1);
    await expect(thumbs.getByRole('img', { name: '退货图片 1' })).toHaveAttribute('src', MEDIA);
    await expect(ask.getByRole('alert')).toContainText('说明.png：');
    // A second one, then taken off again.
    await pictureInput.setInputFiles({ name: '拉链.png', mimeType: 'image/png', buffer: png([30, 30, 30], [200, 160, 40]) });
    await expect(thumbs).toHaveCount(2);
    await expect(ask.getByRole('alert')).toHaveCount(0);
    await shootBoth(page, 'order-return-form');
    await ask.getByRole('button', { name: '删除图片 2' }).click();
    await expect(thumbs).toHaveCount(1);
    await ask.getByRole('button', { name: '提交申请' }).click();

    // Asked: 待审核, the form gone, the timeline says so.
    await expect(returns.getByRole('status')).toHaveText('退货申请已提交，请等待商家审核');
    const asked = returns.getByTestId('return');
    await expect(asked).toHaveCount(1);
    await expect(asked.getByTestId('return-status')).toHaveText('待审核');
    await expect(asked.getByTestId('return-amount')).toHaveText('¥88.00');
    await expect(asked).toContainText('拉链拉不上，边角有划痕');
    await expect(asked).toContainText(`${product.name}`);
    await expect(asked.getByRole('img', { name: '退货图片 1' })).toHaveAttribute('src', MEDIA);
    await expect(returns.getByRole('button', { name: '申请退货' })).toHaveCount(0);
    expect(await steps(page)).toEqual(['下单', '付款', '发货', '收货', '申请退货']);

    // The shop approves it with a word, then has the goods back: the refund goes through.
    const list = await shop.call('GET', '/returns?status=requested&page_size=100');
    const returned = list.items.find((r: { order_id: string }) => r.order_id === orderId);
    expect(returned, JSON.stringify(list)).toBeTruthy();
    await shop.call('POST', `/returns/${returned.id}/approve`, {
      message: '请寄回：深圳市南山区科技园1号 达达商城售后部',
      version: (await shop.call('GET', `/returns/${returned.id}`)).version,
    });
    await page.reload();
    await expect(asked.getByTestId('return-status')).toHaveText('待寄回');
    await expect(asked.getByTestId('return-reply')).toHaveText('请寄回：深圳市南山区科技园1号 达达商城售后部');
    await shop.call('POST', `/returns/${returned.id}/receive`, {
      version: (await shop.call('GET', `/returns/${returned.id}`)).version,
    });
    await expect
      .poll(async () => {
        await page.reload();
        await expect(asked.getByTestId('return-status')).toBeVisible();
        return asked.getByTestId('return-status').textContent();
      })
      .toBe('已退款');
    await expect(asked.getByTestId('return-refunded')).toContainText('¥88.00');
    await expect(page.getByTestId('timeline-step').last()).toContainText('退货退款');
    await expect(page.getByTestId('timeline-step').last()).toContainText('¥88.00');
    await shootBoth(page, 'order-refunded');
  } finally {
    await takeOffSale(shop, [product]);
  }
});

test('商品评价 shows ten reviews a page, newest first, anonymous ones as 匿名用户', async ({ page }) => {
  test.setTimeout(90_000);
  // Eleven colours, one order of all eleven, a review of each line: two pages.
  const colours = ['红', '橙', '黄', '绿', '青', '蓝', '紫', '黑', '白', '灰', '棕'].map((c) => `${c}色`);
  const operator = await createOperator('superuser');
  const shop = await Console.as(page.request, operator);
  const skus = await ownProduct(shop, colours);
  try {
    const shopper = newShopper();
    await registerViaApi(page.request, shopper);
    const login = await page.request.post(`${API}/v1/tokens`, {
      data: { username: shopper.username, password: shopper.password },
    });
    const headers = { Authorization: `Bearer ${(await login.json()).token}` };
    const call = async (method: string, path: string, data?: unknown): Promise<any> => {
      const answer = await page.request.fetch(`${API}${path}`, { method, headers, data });
      expect(answer.status(), `${method} ${path}: ${await answer.text()}`).toBe(200);
      return answer.json();
    };
    const user = shopper.username;
    for (const { id } of skus) {
      await call('POST', `/v1/carts/${user}`, { sku_id: id, count: 1 });
    }
    const book = await call('POST', `/v1/users/${user}/address`, {
      receiver: '郑十',
      receiver_phone: '13700000010',
      address: '科苑路15号',
      postcode: '518057',
      tag: '家',
      region_code: '440305',
    });
    const created = await call('POST', `/v1/orders/${user}`, {
      settlement_type: 0,
      address_id: book.addresslist[0].id,
    });
    const { order_id: orderId, pay_url: payUrl } = created.data;
    expect((await page.request.get(payUrl)).status()).toBe(200);
    const paid = await page.request.post(`${ALIPAY}/_fake/pay`, { data: { out_trade_no: orderId } });
    expect(paid.status(), await paid.text()).toBe(200);
    await call('GET', `/v1/orders/result/?${new URLSearchParams((await paid.json()).return_params).toString()}`);
    await expect.poll(async () => (await call('GET', `/v1/orders/${user}/${orderId}`)).data.status).toBe(2);
    const order = await shop.call('GET', `/orders/${orderId}`);
    await shop.call('POST', `/orders/${orderId}/ship`, { carrier: '顺丰速运', tracking_no: 'SF2026120600011', version: order.version });
    await call('PUT', `/v1/orders/${user}`, { order_id: orderId });
    // Written in the colours' order: 棕色's review is the newest. Every other one anonymous;
    // ten fours and a five: 45 / 11 = 4.1.
    for (const [i, { id }] of skus.entries()) {
      await call('POST', `/v1/orders/${user}/${orderId}/reviews`, {
        sku_id: id,
        score: i === 0 ? 5 : 4,
        content: `第${i + 1}条：${colours[i]}很好看`,
        anonymous: i % 2 === 1,
      });
    }

    // A visitor (not logged in) reads them.
    await page.goto(`/product/${skus[0].id}`);
    const reviews = page.getByTestId('reviews');
    await expect(reviews.getByRole('heading', { name: '商品评价（11）' })).toBeVisible();
    await expect(reviews.getByTestId('review-average')).toHaveText('4.1');
    await expect(reviews.getByTestId('review-summary').getByRole('img', { name: '4 星' })).toBeVisible();
    await expect(reviews.getByTestId('review-count')).toHaveText('共 11 条评价');
    const shown = reviews.getByTestId('review');
    await expect(shown).toHaveCount(10);
    await expect(shown.getByTestId('review-text')).toHaveText(
      [...Array(10).keys()].map((k) => `第${11 - k}条：${colours[10 - k]}很好看`),
    );
    // 第11条 (i = 10) was signed, 第10条 (i = 9) anonymous.
    await expect(shown.nth(0).getByTestId('review-author')).toHaveText(/^.\*\*\*.$/u);
    await expect(shown.nth(1).getByTestId('review-author')).toHaveText('匿名用户');
    await expect(shown.nth(0)).toContainText('颜色: 棕色');
    const pager = reviews.getByRole('navigation', { name: '评价分页' });
    await expect(pager.getByTestId('review-page')).toHaveText('第 1 / 2 页');
    await expect(pager.getByRole('button', { name: '上一页' })).toBeDisabled();
    await shootBoth(page, 'product-reviews-paged');

    await pager.getByRole('button', { name: '下一页' }).click();
    await expect(pager.getByTestId('review-page')).toHaveText('第 2 / 2 页');
    await expect(shown).toHaveCount(1);
    await expect(shown.getByTestId('review-text')).toHaveText('第1条：红色很好看');
    await expect(shown.getByRole('img', { name: '5 星' })).toBeVisible();
    await expect(pager.getByRole('button', { name: '下一页' })).toBeDisabled();
    await expect(reviews).toBeInViewport();
    await pager.getByRole('button', { name: '上一页' }).click();
    await expect(pager.getByTestId('review-page')).toHaveText('第 1 / 2 页');
    await expect(shown).toHaveCount(10);
  } finally {
    await takeOffSale(shop, skus);
  }
});

test.describe('on a phone', () => {
  test.use({ viewport: PHONE });

  test('the region picker takes a city without districts and refuses an incomplete choice', async ({ page }) => {
    await logInNewShopper(page);
    const book = new AddressPage(page);
    await book.goto();
    const form = book.form;
    await form.getByLabel('收货人').fill('吴九');
    await form.getByLabel('手机号').fill('13700000009');
    await form.getByLabel('详细地址').fill('松山湖大道1号');
    await form.getByLabel('邮编').fill('523808');

    // Only a province: refused, nothing saved.
    await form.getByLabel('省份').selectOption({ label: '广东省' });
    await expect(form.getByLabel('城市')).toBeEnabled();
    await form.getByRole('button', { name: '添加地址' }).click();
    await expect(form.getByText('请选择完整的省、市、区')).toBeVisible();
    // The level to pick next is the one marked.
    await expect(form.getByLabel('省份')).toHaveAttribute('aria-invalid', 'false');
    await expect(form.getByLabel('城市')).toHaveAttribute('aria-invalid', 'true');
    // A city with districts but none picked: still refused.
    await form.getByLabel('城市').selectOption({ label: '深圳市' });
    await expect(form.getByLabel('区县')).toBeEnabled();
    await form.getByRole('button', { name: '添加地址' }).click();
    await expect(form.getByText('请选择完整的省、市、区')).toBeVisible();
    await expect(form.getByLabel('城市')).toHaveAttribute('aria-invalid', 'false');
    await expect(form.getByLabel('区县')).toHaveAttribute('aria-invalid', 'true');
    await shootBoth(page, 'address-incomplete');
    await expect(page.getByText('还没有收货地址')).toBeVisible();
    await expect(book.items).toHaveCount(0);

    // 东莞市 has no districts: no 区县, and the choice is complete.
    await form.getByLabel('城市').selectOption({ label: '东莞市' });
    await expect(form.getByLabel('区县')).toHaveCount(0);
    await expect(form.getByText('请选择完整的省、市、区')).toHaveCount(0);
    await form.getByRole('button', { name: '添加地址' }).click();
    await expect(book.notice).toHaveText('地址已添加');
    await expect(book.items).toHaveCount(1);
    await expect(book.item('吴九').locator('.address-line')).toHaveText('广东省 东莞市 松山湖大道1号');
    // The emptied form starts clean, its picker too.
    await expect(form.getByLabel('省份')).toHaveValue('');
    await expect(form.locator('.field-error:not(:empty)')).toHaveCount(0);
    await shootBoth(page, 'address-book');

    // 编辑 brings the region back into the picker; another district is saved.
    await book.item('吴九').getByRole('button', { name: '编辑' }).click();
    await expect(form.getByLabel('省份')).toHaveValue('440000');
    await expect(form.getByLabel('城市')).toHaveValue('441900');
    await expect(form.getByLabel('区县')).toHaveCount(0);
    await form.getByLabel('省份').selectOption({ label: '四川省' });
    await expect(form.getByLabel('城市')).toHaveValue('');
    await pickRegion(form, { province: '四川省', city: '成都市', district: '武侯区' });
    await form.getByLabel('详细地址').fill('人民南路四段27号');
    await form.getByRole('button', { name: '保存修改' }).click();
    await expect(book.notice).toHaveText('地址已更新');
    await expect(book.item('吴九').locator('.address-line')).toHaveText('四川省 成都市 武侯区 人民南路四段27号');
    await page.reload();
    await expect(book.item('吴九').locator('.address-line')).toHaveText('四川省 成都市 武侯区 人民南路四段27号');
    await fits(page, PHONE.width);
  });
});
