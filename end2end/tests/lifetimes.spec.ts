import { expect, newShopper, registerViaApi, test } from './fixtures';
import { addToCart, Header, LoginPage } from './pages/shop';

// Work a page starts (the 已加入购物车 toast's timer, a request in flight) may outlive the
// page: leaving it must neither crash the app ("reactive value ... already disposed", then
// `unreachable`) nor lose the work. The fixture fails each test on any page error.

/** Longer than the toast shows (TOAST_MS, 2.5 s): its timer would have fired by then. */
const AFTER_TOAST_MS = 3500;

test('leaving the product page right after 加入购物车 (logged out) keeps the app alive and the line', async ({
  page,
}) => {
  await addToCart(page, 1, 2);
  await page.locator('.cart-link').click();
  await expect(page).toHaveURL('/cart');
  await page.waitForTimeout(AFTER_TOAST_MS);
  await expect(page.getByText('页面出错了')).toHaveCount(0);
  const line = page.getByTestId('cart-line');
  await expect(line).toHaveCount(1);
  await expect(line.getByTestId('line-count')).toHaveText('2');
  // Still a working app: the header's links navigate.
  await page.getByRole('banner').getByRole('link', { name: '登录', exact: true }).click();
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible();
});

test('退出 right after 加入购物车 logs out cleanly', async ({ page }) => {
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  const header = new Header(page);
  await header.expectLoggedInAs(shopper.username);

  await addToCart(page, 3, 1);
  await header.logoutLink.click();
  await header.expectLoggedOut();
  await page.waitForTimeout(AFTER_TOAST_MS);
  await expect(page.getByText('页面出错了')).toHaveCount(0);
  await expect(page).toHaveURL('/');
  await expect(page.getByTestId('cart-count')).toHaveText('0');
  // Logging in again shows the line the server kept.
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await header.expectLoggedInAs(shopper.username);
  await expect(page.getByTestId('cart-count')).toHaveText('1');
});
