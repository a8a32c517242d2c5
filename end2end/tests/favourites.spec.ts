import type { APIRequestContext, Locator, Page } from '@playwright/test';
import {
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
import { Header, LoginPage } from './pages/shop';

// 收藏: the heart (♡ / ♥) on the product page and on product cards, and 我的收藏 in the
// personal center. Every heart of a page reads one list of the shopper's favourites, asked
// for once per page load.

const PHONE = { width: 390, height: 844 };

/** A new shopper, registered and logged in through the login page (which ends on home). */
async function logInNewShopper(page: Page): Promise<Shopper> {
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await new Header(page).expectLoggedInAs(shopper.username);
  return shopper;
}

/** The heart of a card or of the product page, whatever it says now. */
const heart = (scope: Page | Locator): Locator => scope.getByTestId('favourite-toggle');

/** The card (link and heart) of product `id` on the page. */
const card = (page: Page, id: number): Locator =>
  page.locator('.sku-tile').filter({ has: page.locator(`a[data-testid="sku"][href="/product/${id}"]`) });

/** The product id a card links to. */
async function productOf(tile: Locator): Promise<number> {
  const href = await tile.getByTestId('sku').getAttribute('href');
  return Number(href!.split('/').pop());
}

/** 我的收藏, reached the way a shopper goes: 个人中心, then the personal center's menu. */
async function openFavourites(page: Page): Promise<void> {
  await page.getByRole('banner').getByRole('link', { name: '个人中心' }).click();
  await page.getByRole('navigation', { name: '个人中心导航' }).getByRole('link', { name: '我的收藏' }).click();
  await expect(page).toHaveURL('/user/favourites');
  await expect(page.getByRole('heading', { name: '我的收藏', level: 1 })).toBeVisible();
}

/** The shopper's favourites, by the API, newest first. */
async function favouriteIds(page: Page, username: string): Promise<number[]> {
  const token = await page.evaluate(
    () => sessionStorage.getItem('dashop_token') ?? localStorage.getItem('dashop_token'),
  );
  const answer = await page.request.get(`${API}/v1/users/${username}/favourites`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(answer.status(), await answer.text()).toBe(200);
  return (await answer.json()).data.map((f: { skuid: number }) => f.skuid);
}

test('a shopper keeps favourites from a card and from the product page, buys one from 我的收藏 and removes them', async ({
  page,
}) => {
  const shopper = await logInNewShopper(page);
  // The home page the login ended on has asked for its list: count from the next load on.
  await page.waitForLoadState('networkidle');
  const listLoads: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'GET' && /\/v1\/users\/[^/]+\/favourites$/.test(request.url())) {
      listLoads.push(request.url());
    }
  });

  // Home: every card has a heart, none pressed; the whole page asked for the list once.
  await page.goto('/');
  const tiles = page.getByTestId('catalog').locator('.sku-tile');
  await expect(tiles.first()).toBeVisible();
  const cards = await tiles.count();
  expect(cards).toBeGreaterThanOrEqual(6);
  await expect(heart(page)).toHaveCount(cards);
  await expect(heart(tiles.first())).toHaveAttribute('aria-pressed', 'false');
  await expect(heart(tiles.first())).toHaveAccessibleName('收藏');
  await expect.poll(() => listLoads.length).toBe(1);

  // A card's heart: ♡ becomes ♥, 收藏 becomes 已收藏.
  const fromCard = tiles.first();
  const a = await productOf(fromCard);
  await heart(fromCard).click();
  await expect(heart(fromCard)).toHaveAttribute('aria-pressed', 'true');
  await expect(heart(fromCard)).toHaveAccessibleName('已收藏');
  await expect(heart(fromCard)).toHaveText('♥');
  await expect(heart(tiles.nth(1))).toHaveAttribute('aria-pressed', 'false');

  // Its product page (reached by the card's link) shows it as kept, with no new list
  // request: the hearts share one list.
  await fromCard.getByTestId('sku').click();
  await expect(page).toHaveURL(`/product/${a}`);
  const nameA = (await page.getByTestId('product-name').textContent())!;
  await expect(page.getByRole('button', { name: '已收藏' })).toHaveAttribute('aria-pressed', 'true');
  expect(listLoads).toHaveLength(1);

  // Another product, kept from its product page, next to the buy buttons. (A higher id:
  // favourites added in the same second list the higher id first.)
  const b = a + 1;
  await page.goto(`/product/${b}`);
  const nameB = (await page.getByTestId('product-name').textContent())!;
  const buyBox = page.locator('.buy-box');
  const productHeart = buyBox.getByRole('button', { name: '收藏', exact: true });
  await expect(productHeart).toHaveAttribute('aria-pressed', 'false');
  await expect(productHeart).toContainText('♡');
  await productHeart.click();
  const kept = buyBox.getByRole('button', { name: '已收藏' });
  await expect(kept).toHaveAttribute('aria-pressed', 'true');
  await expect(kept).toContainText('♥');
  expect(await favouriteIds(page, shopper.username)).toEqual([b, a]);

  // 我的收藏: newest first, each with its price and stock now.
  await openFavourites(page);
  const items = page.getByTestId('favourite');
  await expect(items).toHaveCount(2);
  await expect(page.getByTestId('favourites-total')).toHaveText('共 2 件商品');
  await expect(items.nth(0)).toContainText(nameB);
  await expect(items.nth(1)).toContainText(nameA);
  for (const item of await items.all()) {
    await expect(item.getByTestId('favourite-price')).toHaveText(/^¥\d+\.\d\d$/);
    await expect(item.getByTestId('favourite-stock')).toHaveText('有货');
  }
  // The name leads to the product.
  await expect(items.nth(0).getByRole('link', { name: nameB })).toHaveAttribute('href', `/product/${b}`);

  // 加入购物车 from the list: one unit into the server cart, the header's count follows.
  const count = page.getByTestId('cart-count');
  await expect(count).toHaveText('0');
  await items.nth(0).getByRole('button', { name: '加入购物车' }).click();
  await expect(page.getByTestId('toast')).toHaveText('已加入购物车');
  await expect(count).toHaveText('1');

  // 取消收藏, one after the other: the empty list then links home.
  await items.nth(0).getByRole('button', { name: '取消收藏' }).click();
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText(nameA);
  await items.first().getByRole('button', { name: '取消收藏' }).click();
  const empty = page.getByTestId('favourites-empty');
  await expect(empty).toContainText('还没有收藏商品');
  expect(await favouriteIds(page, shopper.username)).toEqual([]);

  // The cart holds what was added from the list.
  await page.locator('.cart-link').click();
  await expect(page.getByTestId('cart-line')).toHaveCount(1);
  await expect(page.getByTestId('cart-line')).toContainText(nameB);

  // Back home by the empty list's link: the hearts show the list as it is now.
  await openFavourites(page);
  await empty.getByRole('link', { name: '去首页逛逛' }).click();
  await expect(page).toHaveURL('/');
  await expect(heart(card(page, a))).toHaveAttribute('aria-pressed', 'false');
});

test.describe('on a phone', () => {
  test.use({ viewport: PHONE });

  test('a shopper who is not logged in goes by the login page and comes back to the heart', async ({ page }) => {
    const shopper = newShopper();
    await registerViaApi(page.request, shopper);

    // A card's heart on the home page: to the login page, which comes back home.
    await page.goto('/');
    const first = page.getByTestId('catalog').first().locator('.sku-tile').first();
    await expect(heart(first)).toHaveAttribute('aria-pressed', 'false');
    await heart(first).click();
    await expect(page).toHaveURL(`/login?next=${encodeURIComponent('/')}`);

    // The product page's heart, in the bar at the bottom of the screen.
    await page.goto('/product/7');
    const bar = page.locator('.buy-box .actions');
    await expect(bar).toHaveCSS('position', 'fixed');
    await bar.getByRole('button', { name: '收藏', exact: true }).click();
    await expect(page).toHaveURL(`/login?next=${encodeURIComponent('/product/7')}`);
    await new LoginPage(page).logIn(shopper.username, shopper.password);
    await expect(page).toHaveURL('/product/7');
    await bar.getByRole('button', { name: '收藏', exact: true }).click();
    await expect(bar.getByRole('button', { name: '已收藏' })).toHaveAttribute('aria-pressed', 'true');

    // 我的收藏 fits the phone.
    await openFavourites(page);
    await expect(page.getByTestId('favourite')).toHaveCount(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });
});

/** The console's calls that set up SKUs of a test's own, with an operator's token. */
class Catalog {
  private constructor(
    private readonly request: APIRequestContext,
    private readonly token: string,
  ) {}

  static async logIn(request: APIRequestContext, operator: Operator): Promise<Catalog> {
    const answer = await request.post(`${API}/v1/admin/tokens`, {
      data: { username: operator.username, password: operator.password },
    });
    expect(answer.status(), await answer.text()).toBe(200);
    return new Catalog(request, (await answer.json()).data.token);
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

  private async idOf(kind: 'catalogs' | 'brands', name: string): Promise<number> {
    const list: { id: number; name: string }[] = await this.call('GET', `/${kind}`);
    return list.find((entry) => entry.name === name)!.id;
  }

  /** A new SPU called `name` in 手提包 with a launched SKU of each colour, 5 in stock each. */
  async launchedSkus(name: string, colours: string[]): Promise<{ id: number; name: string }[]> {
    const spu = await this.call('POST', '/spus', {
      name,
      catalog_id: await this.idOf('catalogs', '手提包'),
      brand_id: await this.idOf('brands', '木棉'),
      description: '',
      sale_attrs: [{ name: '颜色', values: colours }],
      specs: [],
    });
    const made = await this.call('POST', `/spus/${spu.id}/skus`, { fill_grid: true, price: '88.00', stock: 5 });
    const skus: { id: number; name: string }[] = [];
    for (const { id } of made.skus as { id: number }[]) {
      const sku = await this.call('GET', `/skus/${id}`);
      await this.call('PATCH', `/skus/${id}`, { is_launched: true, version: sku.version });
      skus.push({ id, name: sku.name });
    }
    return skus;
  }

  async launch(id: number, on: boolean): Promise<void> {
    const sku = await this.call('GET', `/skus/${id}`);
    await this.call('PATCH', `/skus/${id}`, { is_launched: on, version: sku.version });
  }

  async setStock(id: number, units: number): Promise<void> {
    const sku = await this.call('GET', `/skus/${id}`);
    await this.call('POST', `/skus/${id}/stock`, { set_to: units, seen: sku.stock, reason: '收藏测试' });
  }
}

test('我的收藏 says 无货 and 已下架, and offers 加入购物车 only for what is for sale', async ({ page, errors }) => {
  // The cart refuses a unit past the stock (Chromium logs the error answer).
  errors.allow(httpStatus(400), httpStatus(409));
  const catalog = await Catalog.logIn(page.request, await createOperator('catalog'));
  const stamp = Date.now().toString(36).slice(-4);
  const [inStock, soldOut, offSale] = await catalog.launchedSkus(`收藏测试包${stamp}`, ['红色', '蓝色', '绿色']);
  try {
    const shopper = await logInNewShopper(page);
    // In the order of their ids: added in the same second, the higher id lists first.
    for (const sku of [inStock, soldOut, offSale]) {
      await page.goto(`/product/${sku.id}`);
      await page.locator('.buy-box').getByRole('button', { name: '收藏', exact: true }).click();
      await expect(page.locator('.buy-box').getByRole('button', { name: '已收藏' })).toBeVisible();
    }
    expect(await favouriteIds(page, shopper.username)).toEqual([offSale.id, soldOut.id, inStock.id]);
    await catalog.setStock(soldOut.id, 0);
    await catalog.launch(offSale.id, false);

    await openFavourites(page);
    const item = (id: number) => page.locator(`[data-testid="favourite"][data-sku-id="${id}"]`);
    await expect(page.getByTestId('favourite')).toHaveCount(3);
    await expect(item(inStock.id).getByTestId('favourite-stock')).toHaveText('有货');
    await expect(item(soldOut.id).getByTestId('favourite-stock')).toHaveText('无货');
    await expect(item(offSale.id).getByTestId('favourite-stock')).toHaveText('已下架');
    await expect(item(inStock.id).getByRole('button', { name: '加入购物车' })).toBeEnabled();
    await expect(item(soldOut.id).getByRole('button', { name: '加入购物车' })).toBeDisabled();
    await expect(item(offSale.id).getByRole('button', { name: '加入购物车' })).toBeDisabled();
    // Off sale, its product page is gone: the name is no link; it can still be removed.
    await expect(item(offSale.id)).toContainText(offSale.name);
    await expect(item(offSale.id).getByRole('link')).toHaveCount(0);
    await expect(item(offSale.id).getByRole('button', { name: '取消收藏' })).toBeEnabled();

    // Sold out while the list was open: the server's word shows on the line, the cart is
    // unchanged.
    await catalog.setStock(inStock.id, 0);
    await item(inStock.id).getByRole('button', { name: '加入购物车' }).click();
    await expect(item(inStock.id).getByRole('alert')).toContainText('库存');
    await expect(page.getByTestId('cart-count')).toHaveText('0');
  } finally {
    // Nothing of this test stays on sale.
    for (const sku of [inStock, soldOut]) {
      await catalog.launch(sku.id, false);
    }
  }
});
