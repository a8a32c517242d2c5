import type { Locator, Page } from '@playwright/test';
import { expect, httpStatus, newShopper, registerViaApi, test, type Shopper } from './fixtures';
import { Header, LoginPage } from './pages/shop';

const PHONE = { width: 390, height: 844 };

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  expect(found, 'element has a box').not.toBeNull();
  return found!;
}

async function logIn(page: Page, shopper: Shopper, remember = false): Promise<void> {
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password, { remember });
  await expect(new Header(page).logoutLink).toBeVisible();
}

test('on a 390 px phone the logged-in header is one row inside its red border', async ({ page }) => {
  await page.setViewportSize(PHONE);
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  await logIn(page, shopper);

  const header = new Header(page);
  const bar = await box(header.root);
  const brand = await box(header.root.locator('.brand'));
  const nav = await box(header.root.getByRole('navigation'));
  // One row: brand and links share a middle line, and the bar stays low.
  expect(Math.abs(brand.y + brand.height / 2 - (nav.y + nav.height / 2))).toBeLessThan(4);
  expect(bar.height).toBeLessThanOrEqual(72);
  // Room above the logo, and the links end above the 3 px border.
  expect(brand.y - bar.y).toBeGreaterThanOrEqual(6);
  expect(nav.y + nav.height).toBeLessThanOrEqual(bar.y + bar.height - 3 - 4);
  for (const link of [header.profileLink, header.addressLink, header.logoutLink]) {
    await expect(link).toBeInViewport({ ratio: 1 });
  }
  // Nothing sticks out sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
});

test('on a phone the personal center menu is a row of tabs above the content', async ({ page }) => {
  await page.setViewportSize(PHONE);
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  await logIn(page, shopper);
  await page.goto('/user');

  const menu = page.getByRole('navigation', { name: '个人中心导航' });
  const tabs = menu.getByRole('link');
  // 个人信息, 我的订单, 我的收藏, 地址管理, 浏览记录, 修改密码.
  await expect(tabs).toHaveCount(6);
  const tops = new Set<number>();
  for (const tab of await tabs.all()) {
    await expect(tab).toBeInViewport({ ratio: 1 });
    tops.add(Math.round((await box(tab)).y));
  }
  expect(tops.size, 'all tabs on one row').toBe(1);
  const menuBox = await box(menu);
  expect(menuBox.height).toBeLessThan(60);
  const heading = await box(page.getByRole('heading', { name: '个人信息', level: 1 }));
  expect(heading.y - (menuBox.y + menuBox.height)).toBeLessThan(80);
  await expect(menu.getByRole('link', { name: '个人信息' })).toHaveAttribute('aria-current', 'page');
});

test('a session-only login follows a Ctrl+click into a new tab, and logging out there ends it in both', async ({
  page,
  context,
  errors,
}) => {
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  await logIn(page, shopper, false);

  const opened = context.waitForEvent('page');
  await new Header(page).addressLink.click({ modifiers: ['Control'] });
  const tab = await opened;
  errors.attach(tab);
  await tab.waitForLoadState();
  await expect(tab).toHaveURL('/user/address');
  await expect(tab.getByRole('heading', { name: '收货地址', level: 1 })).toBeVisible();
  await new Header(tab).expectLoggedInAs(shopper.username);
  // Still the browser session only: nothing went to localStorage.
  expect(await tab.evaluate(() => window.localStorage.getItem('dashop_token'))).toBeNull();
  expect(await tab.evaluate(() => window.sessionStorage.getItem('dashop_token'))).toBeTruthy();

  await new Header(tab).logoutLink.click();
  await new Header(tab).expectLoggedOut();
  await new Header(page).expectLoggedOut();
  expect(await page.evaluate(() => window.sessionStorage.getItem('dashop_token'))).toBeNull();

  // With every tab logged out, a new tab starts logged out too.
  const third = await context.newPage();
  errors.attach(third);
  await third.goto('/');
  await new Header(third).expectLoggedOut();
});

test('a new tab of a browser session that no longer has the login open starts logged out', async ({
  page,
  context,
  errors,
}) => {
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  await logIn(page, shopper, false);
  // The only tab holding the session closes; the browser stays open.
  const other = await context.newPage();
  errors.attach(other);
  await page.close();
  await other.goto('/user');
  await expect(other).toHaveURL(/\/login\?next=/);
  await new Header(other).expectLoggedOut();
});

for (const viewport of [{ width: 1280, height: 800 }, PHONE]) {
  test(`every page loads with a clean console at ${viewport.width} px`, async ({ page, errors }) => {
    // The fixture fails the test on any console warning or error; an unknown path answers
    // HTTP 404 by design (the web origin knows the app's routes), which Chromium logs.
    errors.allow(httpStatus(404));
    await page.setViewportSize(viewport);
    for (const path of ['/', '/login', '/register', '/cart', '/no/such/page']) {
      await page.goto(path);
      await expect(page.getByRole('heading').first()).toBeVisible();
    }
    const shopper = newShopper();
    await registerViaApi(page.request, shopper);
    await logIn(page, shopper, true);
    for (const [path, heading] of [
      ['/user', '个人信息'],
      ['/user/address', '收货地址'],
      ['/user/password', '修改密码'],
      ['/user/orders', '我的订单'],
      ['/cart', '购物车'],
      ['/', undefined],
    ] as const) {
      await page.goto(path);
      if (heading) {
        await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
      } else {
        await expect(page.getByTestId('catalog').first()).toBeVisible();
      }
    }
    // Chromium reports unused preloads a few seconds after load.
    await page.waitForTimeout(3_500);
  });
}
