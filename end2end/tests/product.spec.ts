import type { Page } from '@playwright/test';
import { API, expect, test } from './fixtures';

// The product page's stock line, buy box and quantity stepper. The stock of a demo SKU is
// changed in the detail answer on its way to the page (the API's own stock rules are tested
// in server/tests/api): what is checked here is what the shopper sees for each stock. A
// product page the shopper lands on comes rendered with its answer (server/src/ssr.rs), so
// the page is reached from inside the shop: the app then asks the API for it.

async function withStock(page: Page, id: number, stock: number): Promise<void> {
  await page.route(`${API}/v1/goods/detail/${id}`, async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.data.stock = stock;
    await route.fulfill({ response, json: body });
  });
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  // A link of the shop followed in the app (the router takes every click on a link).
  await page.evaluate((path) => {
    const link = document.createElement('a');
    link.href = path;
    document.body.append(link);
    link.click();
    link.remove();
  }, `/product/${id}`);
  await expect(page).toHaveURL(new RegExp(`/product/${id}$`));
  await expect(page.getByTestId('product-name')).toBeVisible();
}

test('plenty of stock says 有货, and the stepper counts within it', async ({ page }) => {
  await withStock(page, 5, 120);
  await expect(page.getByTestId('stock')).toHaveText('有货');
  const less = page.getByRole('button', { name: '减少数量' });
  const more = page.getByRole('button', { name: '增加数量' });
  const count = page.getByLabel('数量', { exact: true });
  await expect(count).toHaveValue('1');
  await expect(less).toBeDisabled();
  await more.click();
  await more.click();
  await expect(count).toHaveValue('3');
  await less.click();
  await expect(count).toHaveValue('2');
  await expect(page.getByRole('button', { name: '加入购物车' })).toBeEnabled();
});

test('low stock says 仅剩 N 件 and the stepper stops there', async ({ page }) => {
  await withStock(page, 6, 3);
  await expect(page.getByTestId('stock')).toHaveText('仅剩 3 件');
  const more = page.getByRole('button', { name: '增加数量' });
  await more.click();
  await more.click();
  await expect(page.getByLabel('数量', { exact: true })).toHaveValue('3');
  await expect(more).toBeDisabled();
  await expect(page.getByText('最多可买 3 件')).toBeVisible();
  // A typed count above the stock is brought back to it.
  await page.getByLabel('数量', { exact: true }).fill('50');
  await page.getByLabel('数量', { exact: true }).blur();
  await expect(page.getByLabel('数量', { exact: true })).toHaveValue('3');
});

test('sold out says 无货 and cannot be bought', async ({ page }) => {
  await withStock(page, 7, 0);
  await expect(page.getByTestId('stock')).toHaveText('无货');
  await expect(page.getByTestId('sold-out')).toBeVisible();
  await expect(page.getByRole('button', { name: '加入购物车' })).toBeDisabled();
  await expect(page.getByRole('button', { name: '立即购买' })).toBeDisabled();
  await expect(page.getByRole('button', { name: '增加数量' })).toBeDisabled();
});

test('on a phone the price and the buy buttons are on the first screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/product/8');
  await expect(page.getByTestId('product-name')).toBeVisible();
  for (const target of [
    page.getByTestId('price'),
    page.getByRole('button', { name: '加入购物车' }),
    page.getByRole('button', { name: '立即购买' }),
  ]) {
    const box = await target.boundingBox();
    expect(box, 'laid out').not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(844);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
