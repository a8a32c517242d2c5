import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import {
  API,
  createOperator,
  expect,
  httpStatus,
  logInToConsole,
  newShopper,
  registerViaApi,
  test,
  type Operator,
} from './fixtures';
import { LoginPage, pickRegion } from './pages/shop';

// The console's catalog pages (issue 25, app/src/pages/admin/{skus,sku,pictures,spus,spu,
// catalog,brands}.rs): an operator of the 商品运营 role makes a product from nothing (an SPU of
// two colours and two sizes, its four SKUs from the grid, pictures, prices, stock, launched)
// that a shopper then finds, switches and buys, until it is unlaunched; the SKUs go out and
// back in as a CSV file; the SPU and SKU editors handle a value added to an attribute and a
// save that someone else's change overtook; catalogs and brands are made, changed and
// deleted. Everything a test makes that shoppers could see is gone again when it ends (the
// other specs count the demo catalog's goods).

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };

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

/**
 * A small valid PNG (8-bit RGB, `size` px square): a diagonal blend from `from` to `to`, so
 * that every picture of a test has other content (the shop stores pictures by content).
 */
function png(from: [number, number, number], to: [number, number, number], size = 64): Buffer {
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
  header[8] = 8; // bits per channel
  header[9] = 2; // RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 3); // filter byte 0, then the pixels
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

const menu = (page: Page): Locator => page.getByRole('navigation', { name: '后台菜单' });

/** Nothing sticks out sideways. */
async function fits(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

/**
 * Checks that nothing sticks out and saves a full-page screenshot of the page as it is, at
 * 1366 and at 390 px, to test-results/admin-catalog-screens/<name>-<width>.png; the page
 * is left at 1366 px.
 */
async function shootBoth(page: Page, name: string): Promise<void> {
  for (const screen of [PHONE, DESKTOP]) {
    await page.setViewportSize(screen);
    await shoot(page, name, screen.width);
  }
}

async function shoot(page: Page, name: string, width: number): Promise<void> {
  const shots = join(test.info().project.outputDir, 'admin-catalog-screens');
  await page.evaluate(() => document.fonts.ready);
  await fits(page, width);
  // From the top: the console's bar is sticky and would show mid-page otherwise.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
}

/** The console's calls for setting up a test, with an operator's token. */
class ConsoleApi {
  private constructor(
    private readonly request: APIRequestContext,
    private readonly token: string,
  ) {}

  static async logIn(request: APIRequestContext, operator: Operator): Promise<ConsoleApi> {
    const answer = await request.post(`${API}/v1/admin/tokens`, {
      data: { username: operator.username, password: operator.password },
    });
    expect(answer.status(), await answer.text()).toBe(200);
    return new ConsoleApi(request, (await answer.json()).data.token);
  }

  private async call(method: string, path: string, data?: unknown): Promise<any> {
    const answer = await this.request.fetch(`${API}/v1/admin${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}` },
      data,
    });
    expect(answer.status(), `${method} ${path}: ${await answer.text()}`).toBe(200);
    return (await answer.json()).data;
  }

  /** The id of the catalog or brand called `name`. */
  async idOf(kind: 'catalogs' | 'brands', name: string): Promise<number> {
    const list: { id: number; name: string }[] = await this.call('GET', `/${kind}`);
    const found = list.find((entry) => entry.name === name);
    expect(found, `${kind} ${name}`).toBeTruthy();
    return found!.id;
  }

  /** A new SPU of `attrs` in 手提包 / 木棉, with a SKU in every cell at `price` (not launched). */
  async spuWithSkus(name: string, attrs: { name: string; values: string[] }[], price: string): Promise<any> {
    const spu = await this.call('POST', '/spus', {
      name,
      catalog_id: await this.idOf('catalogs', '手提包'),
      brand_id: await this.idOf('brands', '木棉'),
      description: '',
      sale_attrs: attrs,
      specs: [],
    });
    return this.call('POST', `/spus/${spu.id}/skus`, { fill_grid: true, price, stock: 5 });
  }

  async sku(id: number): Promise<any> {
    return this.call('GET', `/skus/${id}`);
  }

  async changeSku(id: number, change: Record<string, unknown>): Promise<any> {
    return this.call('PATCH', `/skus/${id}`, change);
  }

  async spu(id: number): Promise<any> {
    return this.call('GET', `/spus/${id}`);
  }

  async changeSpu(id: number, change: Record<string, unknown>): Promise<any> {
    return this.call('PATCH', `/spus/${id}`, change);
  }
}

/** The option of a `<select>` whose text contains `text`: its value. */
async function optionValue(select: Locator, text: string): Promise<string> {
  const value = await select.locator('option', { hasText: text }).first().getAttribute('value');
  expect(value, `an option “${text}”`).toBeTruthy();
  return value!;
}

/** Searches the shop for `q` and answers the SKU ids of the results (none: `[]`). */
async function searchIds(page: Page, q: string): Promise<number[]> {
  await page.goto(`/search?q=${encodeURIComponent(q)}`);
  await expect(page.getByTestId('sku').first().or(page.getByTestId('search-empty'))).toBeVisible();
  const hrefs = await page.getByTestId('sku').evaluateAll((cards) => cards.map((card) => card.getAttribute('href') ?? ''));
  return hrefs.map((href) => Number(href.split('/').pop())).filter((id) => id > 0);
}

/** On a SKU's editor: the 基本信息 form. */
function skuForm(page: Page): Locator {
  return page.getByRole('form', { name: '商品信息' });
}

test('an operator makes a product of two colours and two sizes; a shopper finds it, switches, buys it; unlaunched it is gone', async ({
  page,
  errors,
}) => {
  test.setTimeout(180_000);
  // The refused upload below answers 422 (Chromium logs it).
  errors.allow(httpStatus(422));
  const operator = await createOperator('catalog');
  const stamp = Date.now().toString(36).slice(-4);
  const spuName = `测试云朵卫衣${stamp}`;

  // A console link opened without a session: the login form, then the new SPU's form.
  await page.goto('/admin/spus/new');
  await logInToConsole(page, operator);
  await expect(page.getByTestId('operator-role')).toHaveText('商品运营');
  await expect(menu(page).getByRole('link')).toHaveText(['统计', '订单', '商品', 'SPU', '分类', '品牌', '评价']);
  await expect(menu(page).getByRole('link', { name: 'SPU' })).toHaveAttribute('aria-current', 'page');
  const form = page.getByRole('form', { name: '新建 SPU' });
  await expect(form).toBeVisible();

  // Checked before anything is sent.
  await form.getByRole('button', { name: '创建 SPU' }).click();
  await expect(page.locator('#spu-name-error')).toHaveText('请填写名称');
  await expect(page.locator('#spu-catalog-error')).toHaveText('请选择分类');
  await expect(page.getByTestId('attrs-error')).toContainText('销售属性名称');

  await page.locator('#spu-name').fill(spuName);
  const catalog = page.locator('#spu-catalog');
  await catalog.selectOption(await optionValue(catalog, '手提包'));
  const brand = page.locator('#spu-brand');
  await brand.selectOption(await optionValue(brand, '木棉'));
  await page.locator('#spu-description').fill('云朵一样柔软的面料\n宽松版型，四季可穿');
  await page.locator('#attr-1-name').fill('颜色');
  await page.locator('#attr-1-values').fill('白色');
  await page.locator('#attr-1-values').press('Enter');
  await page.locator('#attr-1-values').fill('黑色');
  await page.getByTestId('attr-slot').first().getByRole('button', { name: '添加', exact: true }).click();
  await form.getByRole('button', { name: '添加销售属性' }).click();
  await page.locator('#attr-2-name').fill('尺寸');
  await page.locator('#attr-2-values').fill('M');
  await page.locator('#attr-2-values').press('Enter');
  // A value typed but not added is taken in by 创建 SPU.
  await page.locator('#attr-2-values').fill('L');
  await page.locator('#spu-specs').fill('材质');
  await page.locator('#spu-specs').press('Enter');
  await expect(page.getByTestId('attr-slot').first().getByTestId('chip')).toHaveText(['白色×', '黑色×']);
  await form.getByRole('button', { name: '创建 SPU' }).click();

  // The SPU's editor: its grid has four empty cells; all four are made at once.
  await expect(page).toHaveURL(/\/admin\/spus\/\d+\?created=1$/);
  await expect(page.getByTestId('spu-title')).toHaveText(spuName);
  await expect(page.getByRole('status').filter({ hasText: 'SPU 已创建' })).toBeVisible();
  const rows = page.getByTestId('grid-row');
  await expect(rows).toHaveCount(4);
  await expect(page.getByTestId('grid-missing')).toHaveCount(4);
  expect(await rows.evaluateAll((r) => r.map((row) => row.getAttribute('data-values')))).toEqual([
    '白色 / M',
    '白色 / L',
    '黑色 / M',
    '黑色 / L',
  ]);
  await page.getByRole('button', { name: '创建全部缺少的 SKU（4 个）' }).click();
  const make = page.getByTestId('make-skus');
  await expect(make.getByLabel('售价（元）')).toBeFocused();
  await make.getByLabel('售价（元）').fill('199.999');
  await make.getByRole('button', { name: '创建' }).click();
  await expect(page.locator('#make-price-error')).toHaveText('请输入金额，最多两位小数，如 199.50');
  await shootBoth(page, 'spu-make-skus');
  await make.getByLabel('售价（元）').fill('199');
  await make.getByLabel('成本价（元）').fill('80');
  await make.getByRole('button', { name: '创建' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已创建 4 个 SKU' })).toBeVisible();
  await expect(page.getByTestId('grid-missing')).toHaveCount(0);
  await expect(page.getByTestId('grid-price')).toHaveText(['¥199.00', '¥199.00', '¥199.00', '¥199.00']);
  await expect(page.getByTestId('grid-sku').first()).toHaveText(`${spuName} 白色 M`);
  const skuIds: Record<string, number> = {};
  for (const cell of ['白色 / M', '白色 / L', '黑色 / M', '黑色 / L']) {
    const href = await page
      .locator(`[data-testid="grid-row"][data-values="${cell}"]`)
      .getByTestId('grid-sku')
      .getAttribute('href');
    skuIds[cell] = Number(href!.split('/').pop());
  }

  // Pictures of 白色 M: three at once (and a file that is no picture), each with its bar.
  await page.locator('[data-testid="grid-row"][data-values="白色 / M"]').getByTestId('grid-sku').click();
  await expect(page).toHaveURL(`/admin/skus/${skuIds['白色 / M']}`);
  await expect(page.getByTestId('sku-title')).toHaveText(`${spuName} 白色 M`);
  await expect(page.getByTestId('no-pictures')).toBeVisible();
  await page.getByTestId('picture-input').setInputFiles([
    { name: '正面.png', mimeType: 'image/png', buffer: png([250, 250, 250], [200, 210, 230]) },
    { name: '背面.png', mimeType: 'image/png', buffer: png([230, 60, 60], [250, 200, 120]) },
    { name: '细节.png', mimeType: 'image/png', buffer: png([40, 90, 200], [120, 220, 160]) },
    { name: '说明.png', mimeType: 'image/png', buffer: Buffer.from('这不是一张图片') },
  ]);
  const uploads = page.getByTestId('upload');
  await expect(uploads).toHaveCount(4);
  await expect(uploads.nth(0)).toContainText('正面.png');
  await expect(page.locator('[data-testid="upload"][data-state="done"]')).toHaveCount(3);
  for (const n of [0, 1, 2]) {
    await expect(uploads.nth(n).getByTestId('upload-state')).toHaveText('已上传');
    await expect(uploads.nth(n).locator('progress')).toHaveAttribute('value', '100');
  }
  // The refused one says why, in the server's words.
  await expect(uploads.nth(3)).toHaveAttribute('data-state', 'failed');
  await expect(uploads.nth(3).getByTestId('upload-state')).not.toHaveText(/上传中|已上传|^$/);
  const pictures = page.getByTestId('picture');
  await expect(pictures).toHaveCount(3);
  const order = async (): Promise<string[]> =>
    pictures.evaluateAll((items) => items.map((item) => item.getAttribute('data-picture-id') ?? ''));
  const [front, back, detail] = await order();
  await shootBoth(page, 'sku-pictures');
  // The first one is the default.
  await expect(pictures.nth(0).getByTestId('picture-default')).toBeVisible();
  // Dragged: 细节 onto 正面 takes the first place.
  await pictures.nth(2).dragTo(pictures.nth(0));
  await expect.poll(order).toEqual([detail, front, back]);
  // 设为默认 on 背面 (now third); after a reload the order and the default hold.
  await pictures.nth(2).getByRole('button', { name: '设为默认' }).click();
  await expect(pictures.nth(2).getByTestId('picture-default')).toBeVisible();
  await page.reload();
  await expect(pictures).toHaveCount(3);
  expect(await order()).toEqual([detail, front, back]);
  await expect(page.locator('[data-picture-id="' + back + '"]').getByTestId('picture-default')).toBeVisible();
  // 前移 moves one back by one place.
  await pictures.nth(1).getByRole('button', { name: '前移第 2 张' }).click();
  await expect.poll(order).toEqual([front, detail, back]);

  // Prices, stock and launch: 黑色 L costs more, and its new price is confirmed first.
  for (const cell of ['白色 / M', '白色 / L', '黑色 / M', '黑色 / L']) {
    const id = skuIds[cell];
    await page.goto(`/admin/skus/${id}`);
    const edit = skuForm(page);
    await expect(edit.getByLabel('售价（元）')).toHaveValue('199.00');
    await expect(page.getByTestId('launch-state').first()).toHaveText('未上架');
    if (cell === '黑色 / L') {
      await edit.getByLabel('市场价（元）').fill('12.345');
      await edit.getByRole('button', { name: '保存' }).click();
      await expect(page.locator('#sku-market-price-error')).toHaveText('请输入金额，最多两位小数，如 199.50');
      await edit.getByLabel('市场价（元）').fill('299');
      await edit.getByLabel('售价（元）').fill('219');
    }
    await edit.getByLabel('上架（买家可见、可购买）').check();
    await edit.getByRole('button', { name: '保存' }).click();
    if (cell === '黑色 / L') {
      const dialog = page.getByRole('alertdialog', { name: '确认修改售价' });
      await expect(dialog).toContainText('¥199.00');
      await expect(dialog).toContainText('¥219.00');
      await dialog.getByRole('button', { name: '确认修改' }).click();
    }
    await expect(page.getByRole('status').filter({ hasText: '已保存' })).toBeVisible();
    await expect(page.getByTestId('launch-state').first()).toHaveText('已上架');
    if (cell === '黑色 / L') {
      // The SPU's spec 材质 gets this SKU's value (shown to shoppers under 规格参数).
      const specs = page.getByRole('form', { name: '规格参数' });
      await specs.getByLabel('材质').fill('  纯棉  ');
      await specs.getByRole('button', { name: '保存规格参数' }).click();
      await expect(specs.getByRole('status')).toHaveText('规格参数已保存');
      await expect(specs.getByLabel('材质')).toHaveValue('纯棉');
      await shootBoth(page, 'sku-specs');
    }
    const stock = page.getByRole('form', { name: '调整库存' });
    await stock.getByLabel('数量').fill('30');
    await stock.getByRole('button', { name: '调整库存' }).click();
    await expect(page.locator('#stock-reason-error')).toHaveText('请填写调整原因');
    await stock.getByLabel('原因').fill('首批到货');
    await stock.getByRole('button', { name: '调整库存' }).click();
    await expect(stock.getByRole('status')).toHaveText('库存已由 0 调整为 30');
    await expect(page.getByTestId('stock-now')).toHaveText('30');
    const adjustment = page.getByTestId('adjustment');
    await expect(adjustment).toHaveCount(1);
    await expect(adjustment).toContainText(operator.username);
    await expect(adjustment).toContainText('+30');
    await expect(adjustment).toContainText('首批到货');
  }
  await expect(page.getByTestId('sku-price')).toHaveText('¥219.00');

  // A shopper finds it by a word of its name, switches colour and size, and buys it.
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await expect(page).toHaveURL('/');
  const ids = Object.values(skuIds).sort((a, b) => a - b);
  await expect(async () => {
    expect((await searchIds(page, '云朵')).sort((a, b) => a - b)).toEqual(ids);
  }).toPass({ timeout: 20_000 });
  await page.getByTestId('sku').filter({ hasText: `${spuName} 白色 M` }).click();
  await expect(page).toHaveURL(`/product/${skuIds['白色 / M']}`);
  await expect(page.getByTestId('product-name')).toHaveText(`${spuName} 白色 M`);
  await expect(page.getByTestId('price')).toHaveText('¥199.00');
  await expect(page.getByTestId('description')).toContainText('云朵一样柔软的面料');
  const colour = page.getByTestId('sale-attr').filter({ hasText: '颜色' });
  const size = page.getByTestId('sale-attr').filter({ hasText: '尺寸' });
  await colour.getByRole('link', { name: '黑色' }).click();
  await expect(page).toHaveURL(`/product/${skuIds['黑色 / M']}`);
  await expect(page.getByTestId('product-name')).toHaveText(`${spuName} 黑色 M`);
  await size.getByRole('link', { name: 'L', exact: true }).click();
  await expect(page).toHaveURL(`/product/${skuIds['黑色 / L']}`);
  await expect(page.getByTestId('product-name')).toHaveText(`${spuName} 黑色 L`);
  await expect(page.getByTestId('price')).toHaveText('¥219.00');
  await expect(page.getByRole('region', { name: '规格参数' }).getByRole('row')).toHaveText(['材质纯棉']);
  await page.getByRole('button', { name: '立即购买' }).click();
  await expect(page).toHaveURL(`/order/confirm?settlement_type=1&sku_id=${skuIds['黑色 / L']}&buy_num=1`);
  const address = page.locator('form.address-form');
  await address.getByLabel('收货人').fill('赵六');
  await address.getByLabel('手机号').fill('13700000006');
  await pickRegion(address, { province: '浙江省', city: '杭州市', district: '西湖区' });
  await address.getByLabel('详细地址').fill('文三路1号');
  await address.getByLabel('邮编').fill('310012');
  await address.getByRole('button', { name: '添加地址' }).click();
  await expect(page.getByTestId('order-line')).toHaveCount(1);
  await expect(page.getByTestId('order-line')).toContainText(`${spuName} 黑色 L`);
  await page.getByTestId('submit-order').click();
  await expect(page).toHaveURL(/\/order\/result\?order_id=\d+$/);
  await expect(page.getByTestId('order-id')).toHaveText(/^\d+$/);

  // The operator unlaunches the four SKUs (the console's session is still in this tab).
  await page.goto(`/admin/skus?q=${encodeURIComponent(spuName)}`);
  await expect(page.getByTestId('sku-row')).toHaveCount(4);
  await expect(page.locator(`[data-testid="sku-row"][data-sku-id="${skuIds['黑色 / L']}"]`).getByTestId('sku-stock')).toHaveText('29');
  for (const id of ids) {
    await page.goto(`/admin/skus/${id}`);
    await skuForm(page).getByLabel('上架（买家可见、可购买）').uncheck();
    await skuForm(page).getByRole('button', { name: '保存' }).click();
    await expect(page.getByRole('status').filter({ hasText: '已保存' })).toBeVisible();
    await expect(page.getByTestId('launch-state').first()).toHaveText('未上架');
  }
  await page.goto(`/admin/skus?q=${encodeURIComponent(spuName)}&launched=1`);
  await expect(page.getByText('没有符合条件的商品')).toBeVisible();
  // The shopper's search no longer finds it.
  await expect(async () => {
    expect(await searchIds(page, '云朵')).toEqual([]);
  }).toPass({ timeout: 20_000 });
  await expect(page.getByTestId('search-empty')).toBeVisible();
});

/** A CSV line's fields (RFC 4180: quoted fields may hold commas and doubled quotes). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  fields.push(field);
  return fields;
}

/** Fields as a CSV line, quoted where needed. */
function csvLine(fields: string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}

test('the SKUs go out as CSV and come back with three new prices: previewed, then applied', async ({ page }) => {
  const operator = await createOperator('catalog');
  const api = await ConsoleApi.logIn(page.request, operator);
  const name = `测试CSV衬衫${Date.now().toString(36).slice(-4)}`;
  const spu = await api.spuWithSkus(name, [{ name: '颜色', values: ['红色', '蓝色', '绿色'] }], '100.00');
  const ids: number[] = spu.skus.map((s: { id: number }) => s.id);
  expect(ids).toHaveLength(3);

  await page.goto('/admin/skus');
  await logInToConsole(page, operator);
  await expect(page.getByTestId('sku-row').first()).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '导出 CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^skus-\d{8}\.csv$/);
  const bytes = await readFile((await download.path())!);
  // UTF-8 with a BOM, for Excel.
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(newline);
  expect(lines[0]).toBe('id,name,price,market_price,stock,launched');
  const prices = ['111.10', '122.20', '133.30'];
  let changed = 0;
  const edited = lines.map((line) => {
    const fields = csvFields(line);
    const at = ids.indexOf(Number(fields[0]));
    if (at < 0 || line === lines[0]) {
      return line;
    }
    expect(fields[1]).toContain(name);
    expect(fields[2]).toBe('100.00');
    fields[2] = prices[at];
    changed += 1;
    return csvLine(fields);
  });
  expect(changed).toBe(3);
  const file = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(edited.join(newline), 'utf8')]);

  await page.getByRole('button', { name: '导入 CSV' }).click();
  const panel = page.getByTestId('import-panel');
  await panel.getByLabel('CSV 文件').setInputFiles({ name: 'skus.csv', mimeType: 'text/csv', buffer: file });
  await expect(panel.getByTestId('import-summary')).toContainText('3 项修改，0 行有误');
  const changes = panel.getByTestId('import-change');
  await expect(changes).toHaveCount(3);
  expect(await changes.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-sku-id'))))).toEqual(ids);
  await expect(changes.getByTestId('import-after')).toHaveText(['¥111.10', '¥122.20', '¥133.30']);
  await expect(changes.first()).toContainText('售价');
  await expect(changes.first()).toContainText('¥100.00');
  await expect(panel.getByTestId('import-error')).toHaveCount(0);
  await panel.getByRole('button', { name: '应用' }).click();
  await expect(page.getByRole('status').filter({ hasText: '导入完成：已应用 3 项修改' })).toBeVisible();
  await expect(panel).toHaveCount(0);

  // The list shows the new prices.
  const filters = page.getByRole('form', { name: '筛选商品' });
  await filters.getByLabel('搜索').fill(name);
  await filters.getByRole('button', { name: '查询' }).click();
  await expect(page).toHaveURL(`/admin/skus?q=${encodeURIComponent(name)}`);
  await expect(page.getByTestId('sku-row')).toHaveCount(3);
  for (const [at, id] of ids.entries()) {
    await expect(page.locator(`[data-testid="sku-row"][data-sku-id="${id}"]`).getByTestId('sku-price')).toHaveText(
      `¥${prices[at]}`,
    );
  }

  // A file with a bad line: named with its line and reason, and 应用 stays off.
  const bad = Buffer.from(`\ufeffid,name,price,market_price,stock,launched\n${ids[0]},x,-5,0,1,1\n`, 'utf8');
  await page.getByRole('button', { name: '导入 CSV' }).click();
  await panel.getByLabel('CSV 文件').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: bad });
  await expect(panel.getByTestId('import-error')).toHaveCount(1);
  await expect(panel.getByTestId('import-error')).toContainText('2');
  await expect(panel.getByTestId('import-error')).toContainText('price');
  await expect(panel.getByRole('button', { name: '应用' })).toBeDisabled();
});

test('adding a value offers to fill the grid; saves overtaken by another operator show the values now', async ({
  page,
  errors,
}) => {
  // The overtaken saves answer 409, the oversized stock change 400 (Chromium logs both).
  errors.allow(httpStatus(409), httpStatus(400));
  const operator = await createOperator('catalog');
  const api = await ConsoleApi.logIn(page.request, operator);
  const name = `测试并发外套${Date.now().toString(36).slice(-4)}`;
  const spu = await api.spuWithSkus(
    name,
    [
      { name: '颜色', values: ['红色'] },
      { name: '尺寸', values: ['M'] },
    ],
    '50.00',
  );
  const spuId: number = spu.id;

  await page.goto(`/admin/spus/${spuId}`);
  await logInToConsole(page, operator);
  await expect(page.getByTestId('grid-row')).toHaveCount(1);
  const colours = page.locator('[data-testid="attr"][data-attr="颜色"]');
  await colours.getByLabel('给“颜色”添加值').fill('红色');
  await colours.getByRole('button', { name: '添加值' }).click();
  await expect(colours).toContainText('“红色”已经有了');
  await colours.getByLabel('给“颜色”添加值').fill('蓝色');
  await colours.getByRole('button', { name: '添加值' }).click();
  const offer = page.getByRole('alertdialog', { name: '创建缺少的 SKU' });
  await expect(offer).toContainText('1 个规格组合还没有 SKU');
  await offer.getByRole('button', { name: '去创建' }).click();
  await expect(page.getByTestId('grid-missing')).toHaveCount(1);
  const make = page.getByTestId('make-skus');
  await expect(make.getByLabel('售价（元）')).toBeFocused();
  await make.getByLabel('售价（元）').fill('60');
  await make.getByLabel('库存').fill('8');
  await make.getByRole('button', { name: '创建' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已创建 1 个 SKU' })).toBeVisible();
  await expect(page.getByTestId('grid-price')).toHaveText(['¥50.00', '¥60.00']);
  await expect(page.getByTestId('grid-stock')).toHaveText(['5', '8']);

  // The SPU, renamed by someone else meanwhile: the save says so and shows the name now.
  const before = await api.spu(spuId);
  await api.changeSpu(spuId, { name: `${name}（新款）`, version: before.version });
  const spuForm = page.getByRole('form', { name: 'SPU 信息' });
  await spuForm.getByLabel('描述（纯文本，可换行）').fill('第一行\n第二行');
  await spuForm.getByRole('button', { name: '保存' }).click();
  await expect(spuForm.getByRole('alert')).toContainText('SPU 已被他人修改');
  await expect(page.getByTestId('stale')).toContainText(`${name}（新款）`);
  // Saving again (against the version now) keeps the operator's description.
  await spuForm.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已保存' })).toBeVisible();
  expect((await api.spu(spuId)).description).toBe('第一行\n第二行');

  // A SKU whose price someone changed meanwhile: the current values, then the operator's.
  const skuId: number = spu.skus[0].id;
  await page.goto(`/admin/skus/${skuId}`);
  const edit = skuForm(page);
  await expect(edit.getByLabel('售价（元）')).toHaveValue('50.00');
  const now = await api.sku(skuId);
  await api.changeSku(skuId, { price: '55.00', version: now.version });
  await edit.getByLabel('名称').fill(`${name} 红色 M 特价`);
  await edit.getByRole('button', { name: '保存' }).click();
  const stale = page.getByTestId('stale');
  await expect(stale).toContainText('商品已被他人修改');
  await expect(stale.getByTestId('stale-price')).toHaveText('¥55.00');
  await expect(edit.getByLabel('名称')).toHaveValue(`${name} 红色 M 特价`);
  await edit.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已保存' })).toBeVisible();
  await expect(page.getByTestId('sku-title')).toHaveText(`${name} 红色 M 特价`);
  // Its price stayed what the other operator set (only the name was the operator's change).
  await expect(edit.getByLabel('售价（元）')).toHaveValue('55.00');

  // Stock cannot go below 0: the server's message.
  const stock = page.getByRole('form', { name: '调整库存' });
  await stock.getByLabel('方式').selectOption('take');
  await stock.getByLabel('数量').fill('99');
  await stock.getByLabel('原因').fill('盘点');
  await stock.getByRole('button', { name: '调整库存' }).click();
  await expect(stock.getByRole('alert')).toContainText('库存现为 5');
  await stock.getByLabel('方式').selectOption('set');
  await stock.getByLabel('数量').fill('12');
  await stock.getByRole('button', { name: '调整库存' }).click();
  await expect(stock.getByRole('status')).toHaveText('库存已由 5 调整为 12');
  await expect(page.getByTestId('adjustment').first()).toContainText('+7');
});

test('catalogs and brands are made, renamed, reordered, hidden and deleted; one still in use says where', async ({
  page,
  errors,
}) => {
  // Deleting what SPUs still use answers 409 (Chromium logs it).
  errors.allow(httpStatus(409));
  const operator = await createOperator('catalog');
  const stamp = Date.now().toString(36).slice(-4);
  await page.goto('/admin/catalogs');
  await logInToConsole(page, operator);
  await expect(page.getByTestId('catalog-row').first()).toBeVisible();

  // A new catalog, hidden at once (shoppers never see it), then renamed and reordered.
  await page.getByRole('button', { name: '新建分类' }).click();
  const catalogForm = page.getByRole('form', { name: '分类' });
  await catalogForm.getByLabel('名称').fill(`测试分类${stamp}`);
  await catalogForm.getByLabel('排序（小的在前）').fill('1.5');
  await catalogForm.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('#catalog-order-error')).toContainText('整数');
  await catalogForm.getByLabel('排序（小的在前）').fill('900');
  await catalogForm.getByLabel('隐藏（买家看不到）').check();
  await catalogForm.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('status').filter({ hasText: `分类“测试分类${stamp}”已创建` })).toBeVisible();
  let row = page.locator(`[data-testid="catalog-row"][data-name="测试分类${stamp}"]`);
  await expect(row.getByTestId('catalog-state')).toHaveText('已隐藏');
  await expect(row.getByTestId('catalog-order')).toHaveText('900');
  await row.getByRole('button', { name: '编辑' }).click();
  await catalogForm.getByLabel('名称').fill(`测试分类改${stamp}`);
  await catalogForm.getByLabel('排序（小的在前）').fill('901');
  await catalogForm.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已保存' })).toBeVisible();
  row = page.locator(`[data-testid="catalog-row"][data-name="测试分类改${stamp}"]`);
  await expect(row.getByTestId('catalog-order')).toHaveText('901');
  await expect(page.getByTestId('catalog-row').last()).toHaveAttribute('data-name', `测试分类改${stamp}`);

  // A catalog with SPUs cannot go: the server says how many use it.
  await page
    .locator('[data-testid="catalog-row"][data-name="拉杆箱"]')
    .getByRole('button', { name: '删除' })
    .click();
  await page.getByRole('alertdialog', { name: '确认删除分类' }).getByRole('button', { name: '删除' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '不能删除' })).toContainText('个商品（SPU）在用');
  await expect(page.locator('[data-testid="catalog-row"][data-name="拉杆箱"]')).toHaveCount(1);
  await row.getByRole('button', { name: '删除' }).click();
  await page.getByRole('alertdialog', { name: '确认删除分类' }).getByRole('button', { name: '删除' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已删除' })).toBeVisible();
  await expect(row).toHaveCount(0);

  // Brands: a new one with its first letter, a logo put up and taken down, then deleted.
  await menu(page).getByRole('link', { name: '品牌' }).click();
  await expect(page).toHaveURL('/admin/brands');
  await page.getByRole('button', { name: '新建品牌' }).click();
  const brandForm = page.getByRole('form', { name: '品牌' });
  await brandForm.getByLabel('名称').fill(`测试品牌${stamp}`);
  await brandForm.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('#brand-letter-error')).toHaveText('请选择首字母');
  await brandForm.getByLabel('首字母').selectOption('C');
  await brandForm.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已创建' })).toBeVisible();
  const brand = page.locator(`[data-testid="brand-row"][data-name="测试品牌${stamp}"]`);
  await expect(brand.getByTestId('brand-letter')).toHaveText('C');
  await expect(brand.getByTestId('brand-logo-none')).toBeVisible();
  await brand.getByTestId('logo-input').setInputFiles({
    name: 'logo.png',
    mimeType: 'image/png',
    buffer: png([200, 16, 46], [255, 255, 255], 48),
  });
  await expect(page.getByRole('status').filter({ hasText: '标志已更新' })).toBeVisible();
  await expect(brand.getByTestId('brand-logo')).toBeVisible();
  await expect
    .poll(() => brand.getByTestId('brand-logo').evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBeGreaterThan(0);
  await brand.getByRole('button', { name: '删除标志' }).click();
  await expect(page.getByRole('status').filter({ hasText: '标志已删除' })).toBeVisible();
  await expect(brand.getByTestId('brand-logo-none')).toBeVisible();
  // Reordered to the top of the list, hidden from shoppers and shown again.
  await brand.getByRole('button', { name: '编辑' }).click();
  await brandForm.getByLabel('排序（小的在前）').fill('-5');
  await brandForm.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('status').filter({ hasText: `测试品牌${stamp}”已保存` })).toBeVisible();
  await expect(page.getByTestId('brand-row').first()).toHaveAttribute('data-name', `测试品牌${stamp}`);
  await expect(brand.getByTestId('brand-order')).toHaveText('-5');
  await brand.getByRole('button', { name: '隐藏', exact: true }).click();
  await expect(brand.getByTestId('brand-state')).toHaveText('已隐藏');
  await brand.getByRole('button', { name: '显示', exact: true }).click();
  await expect(brand.getByTestId('brand-state')).toHaveText('显示');
  await page
    .locator('[data-testid="brand-row"][data-name="达达旅行"]')
    .getByRole('button', { name: '删除' })
    .click();
  await page.getByRole('alertdialog', { name: '确认删除品牌' }).getByRole('button', { name: '删除' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '不能删除' })).toBeVisible();
  await brand.getByRole('button', { name: '删除' }).click();
  await page.getByRole('alertdialog', { name: '确认删除品牌' }).getByRole('button', { name: '删除' }).click();
  await expect(brand).toHaveCount(0);
});

test('an order operator sees the catalog but no button that changes it', async ({ page }) => {
  const operator = await createOperator('orders');
  await page.goto('/admin/skus/1');
  await logInToConsole(page, operator);
  await expect(page.getByTestId('sku-title')).toHaveText(/\S/);
  await expect(page.getByTestId('pictures')).toBeVisible();
  await expect(page.getByTestId('drop-zone')).toHaveCount(0);
  await expect(page.getByRole('form', { name: '调整库存' })).toHaveCount(0);
  await expect(page.locator('.console-main').getByRole('button')).toHaveCount(0);
  await page.goto('/admin/skus');
  await expect(page.getByRole('button', { name: '导入 CSV' })).toHaveCount(0);
  await page.goto('/admin/spus/new');
  await expect(page.getByRole('alert')).toContainText('没有权限');
});

test('the catalog pages look right at 1366 and 390 px', async ({ page }) => {
  test.setTimeout(120_000);
  const operator = await createOperator('superuser');
  await page.setViewportSize(DESKTOP);
  await page.goto('/admin/skus');
  await logInToConsole(page, operator);

  for (const screen of [DESKTOP, PHONE]) {
    await page.setViewportSize(screen);
    await page.goto('/admin/skus');
    await expect(page.getByTestId('sku-row').first()).toBeVisible();
    await shoot(page, 'skus', screen.width);

    await page.getByRole('button', { name: '导入 CSV' }).click();
    const bad = Buffer.from('\ufeffid,name,price,market_price,stock,launched\n1,x,299.5,0,7,1\n2,y,abc,0,1,1\n', 'utf8');
    await page.getByLabel('CSV 文件').setInputFiles({ name: 'skus.csv', mimeType: 'text/csv', buffer: bad });
    await expect(page.getByTestId('import-error')).toHaveCount(1);
    await shoot(page, 'skus-import', screen.width);

    await page.goto('/admin/skus/1');
    await expect(page.getByTestId('stock-now')).toHaveText(/\d/);
    await shoot(page, 'sku', screen.width);

    await page.goto('/admin/spus');
    await expect(page.getByTestId('spu-row').first()).toBeVisible();
    await shoot(page, 'spus', screen.width);

    await page.goto('/admin/spus/1');
    await expect(page.getByTestId('grid-row').first()).toBeVisible();
    await shoot(page, 'spu', screen.width);

    await page.goto('/admin/spus/new');
    await page.locator('#attr-1-name').fill('颜色');
    await page.locator('#attr-1-values').fill('红色');
    await page.locator('#attr-1-values').press('Enter');
    await page.getByRole('button', { name: '添加销售属性' }).click();
    await shoot(page, 'spu-new', screen.width);

    await page.goto('/admin/catalogs');
    await expect(page.getByTestId('catalog-row').first()).toBeVisible();
    await page.getByRole('button', { name: '新建分类' }).click();
    await shoot(page, 'catalogs', screen.width);

    await page.goto('/admin/brands');
    await expect(page.getByTestId('brand-row').first()).toBeVisible();
    await shoot(page, 'brands', screen.width);
  }
});
