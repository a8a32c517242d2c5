import type { Locator, Page } from '@playwright/test';
import { expect, newShopper, registerViaApi, test } from './fixtures';
import { AddressPage, addToCart, LoginPage } from './pages/shop';

// Screenshot comparisons of the shop's main pages at a phone's 390 px and a desktop's
// 1366 px, against the pictures kept in visual.spec.ts-snapshots/ (made on this project's
// machines: Debian's Chromium with the WenQuanYi Micro Hei font, scripts/setup.sh --browser).
// A stylesheet mistake (an unclosed @media block once turned the phone cart into a bulleted
// list) changes far more than the tolerance below. What differs between runs is masked:
// order numbers and times, the payment countdown, the shopper's name, sales figures.
//
// After an intended change of the look: `npx playwright test visual --update-snapshots`,
// then look at every new picture before committing it.

const WIDTHS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1366, height: 900 },
];

/** Waits until every picture (lazy ones too) and every font of the page has loaded. */
async function settled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const images = Array.from(document.images);
    for (const image of images) {
      image.loading = 'eager';
    }
    await Promise.all(
      images.map((image) =>
        image.complete
          ? null
          : new Promise((resolve) => {
              image.addEventListener('load', resolve, { once: true });
              image.addEventListener('error', resolve, { once: true });
            }),
      ),
    );
    await document.fonts.ready;
  });
}

async function looksAsKept(page: Page, name: string, mask: Locator[] = []): Promise<void> {
  await settled(page);
  await expect(page).toHaveScreenshot(`${name}.png`, {
    fullPage: true,
    animations: 'disabled',
    caret: 'hide',
    mask: [page.getByTestId('welcome'), ...mask],
    maskColor: '#888888',
    maxDiffPixelRatio: 0.02,
  });
}

for (const screen of WIDTHS) {
  test.describe(`at ${screen.width} px`, () => {
    test.use({ viewport: { width: screen.width, height: screen.height } });

    test(`home, catalog, product and login look as kept (${screen.name})`, async ({ page }) => {
      await page.goto('/');
      await expect(page.getByTestId('catalog')).toHaveCount(4);
      await looksAsKept(page, `home-${screen.name}`);

      await page.goto('/catalog/2');
      await expect(page.getByTestId('sku')).toHaveCount(9);
      await looksAsKept(page, `catalog-${screen.name}`);

      await page.goto('/product/24');
      await expect(page.getByTestId('product-name')).toBeVisible();
      // 商品评价 loads after the product: wait for it (no test reviews this product).
      await expect(page.getByTestId('reviews').getByTestId('no-reviews')).toBeVisible();
      await looksAsKept(page, `product-${screen.name}`, [page.locator('.sales'), page.getByTestId('stock')]);

      await page.goto('/login');
      await expect(page.getByRole('heading', { name: '登录' })).toBeVisible();
      await looksAsKept(page, `login-${screen.name}`);
    });

    test(`cart, settlement and my orders look as kept (${screen.name})`, async ({ page }) => {
      // The offline cart of a shopper not logged in.
      await addToCart(page, 25, 2);
      await addToCart(page, 40, 1);
      await page.goto('/cart');
      await expect(page.getByTestId('cart-line')).toHaveCount(2);
      await page.getByTestId('toast').waitFor({ state: 'detached' }).catch(() => undefined);
      await looksAsKept(page, `cart-${screen.name}`);

      const shopper = newShopper();
      await registerViaApi(page.request, shopper);
      await page.evaluate(() => localStorage.removeItem('cart'));
      const login = new LoginPage(page);
      await login.goto();
      await login.logIn(shopper.username, shopper.password);
      await expect(page.getByRole('banner').getByRole('link', { name: '退出' })).toBeVisible();
      const addresses = new AddressPage(page);
      await addresses.goto();
      await addresses.add({
        receiver: '王小明',
        mobile: '13800138000',
        region: { province: '广东省', city: '深圳市', district: '南山区' },
        address: '科苑路 15 号 3 单元 502',
        postcode: '518057',
        tag: '家',
      });

      await page.goto('/order/confirm?settlement_type=1&sku_id=25&buy_num=2');
      await expect(page.getByTestId('payment-amount')).toBeVisible();
      await looksAsKept(page, `settlement-${screen.name}`);

      await page.getByTestId('submit-order').click();
      await expect(page).toHaveURL(/\/order\/result/);
      await page.goto('/user/orders');
      await expect(page.getByTestId('order')).toHaveCount(1);
      await looksAsKept(page, `my-orders-${screen.name}`, [
        page.locator('.order-head > span'),
        page.getByTestId('countdown'),
      ]);
    });
  });
}
