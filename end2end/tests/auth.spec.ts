import { API, WEB, expect, httpStatus, newShopper, registerViaApi, test } from './fixtures';
import { Header, LoginPage, RegisterPage } from './pages/shop';

const storedToken = (page: import('@playwright/test').Page) =>
  page.evaluate(() => ({
    local: window.localStorage.getItem('dashop_token'),
    session: window.sessionStorage.getItem('dashop_token'),
    localUser: window.localStorage.getItem('dashop_user'),
    sessionUser: window.sessionStorage.getItem('dashop_user'),
  }));

test('a new shopper registers, logs out, logs in with 自动登录 and stays logged in after a reload', async ({
  page,
}) => {
  const shopper = newShopper();
  const header = new Header(page);

  const register = new RegisterPage(page);
  await register.goto();
  await register.register(shopper);
  await expect(page).toHaveURL('/');
  await header.expectLoggedInAs(shopper.username);

  await header.logoutLink.click();
  await header.expectLoggedOut();
  expect(await storedToken(page)).toEqual({ local: null, session: null, localUser: null, sessionUser: null });

  await header.loginLink.click();
  const login = new LoginPage(page);
  await expect(login.username).toBeVisible();
  await login.logIn(shopper.username, shopper.password, { remember: true });
  await header.expectLoggedInAs(shopper.username);

  await page.reload();
  await header.expectLoggedInAs(shopper.username);
  const stored = await storedToken(page);
  expect(stored.local).toBeTruthy();
  expect(stored.localUser).toBe(shopper.username);
  expect(stored.session).toBeNull();
});

test('without 自动登录 the token lives in sessionStorage and a new browser context is logged out', async ({
  page,
  browser,
  errors,
}) => {
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);

  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await new Header(page).expectLoggedInAs(shopper.username);

  const stored = await storedToken(page);
  expect(stored.session).toBeTruthy();
  expect(stored.sessionUser).toBe(shopper.username);
  expect(stored.local).toBeNull();

  const context = await browser.newContext();
  try {
    const other = await context.newPage();
    errors.attach(other);
    await other.goto('/');
    await new Header(other).expectLoggedOut();
  } finally {
    await context.close();
  }
});

test('the register form validates inline and shows the server refusing a taken username', async ({
  page,
  errors,
}) => {
  errors.allow(httpStatus(409), httpStatus(400));
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);

  const register = new RegisterPage(page);
  await register.goto();
  await page.getByRole('button', { name: '注册', exact: true }).click();
  await expect(page.getByText('请输入用户名')).toBeVisible();
  await expect(page.getByText('密码至少8个字符')).toBeVisible();
  await expect(page.getByText('请输入11位中国大陆手机号')).toBeVisible();
  await expect(page.getByText('请输入有效的邮箱地址')).toBeVisible();
  await expect(page).toHaveURL('/register');

  // Inputs stop at the shop's limits, so a too-long value cannot be typed.
  await expect(page.locator('#register-username')).toHaveAttribute('maxlength', '11');
  await expect(page.locator('#register-phone')).toHaveAttribute('maxlength', '11');
  await expect(page.locator('#register-password')).toHaveAttribute('maxlength', '128');

  await register.register({ ...newShopper(), username: shopper.username });
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page).toHaveURL('/register');
  // The taken name is marked on the username field itself.
  await expect(page.locator('#register-username')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#register-username-error')).toHaveText('用户名已被占用');
  await new Header(page).expectLoggedOut();
});

test('a protected page sends a logged-out shopper to the login page and back after login', async ({ page }) => {
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);

  await page.goto('/user/address');
  await expect(page).toHaveURL(/\/login\?next=/);
  const login = new LoginPage(page);
  await login.logIn(shopper.username, shopper.password);
  await expect(page).toHaveURL('/user/address');
  await expect(page.getByRole('heading', { name: '收货地址', level: 1 })).toBeVisible();
});

test('the legacy login path shows the login page and unknown paths show 页面不存在', async ({ page, errors }) => {
  // An unknown path answers HTTP 404 (the web origin knows the app's routes); Chromium logs it.
  errors.allow(httpStatus(404));
  await page.goto('/dadashop/templates/login.html');
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible();
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
});

test('the API answers a request from the SPA origin with CORS headers', async ({ page }) => {
  // The SPA depends on this: without it every fetch fails as a network error.
  const response = await page.request.fetch(`${API}/v1/goods/index`, {
    headers: { Origin: WEB },
  });
  expect(response.status()).toBe(200);
  expect(response.headers()['access-control-allow-origin']).toBe(WEB);
});

test('after login, ?next= leads only to a page of this shop, never to another site', async ({ page }) => {
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  // Each of these would leave the shop if taken as written (a browser strips tab, newline
  // and carriage return from a URL and reads a backslash as a slash): every one lands home.
  const hostile = [
    '/\t/localhost:18999/pwned',
    '/\n/localhost:18999/pwned',
    '/\r/localhost:18999/pwned',
    '\t//localhost:18999/pwned',
    '//localhost:18999/pwned',
    '/\\localhost:18999/pwned',
    '\\\\localhost:18999/pwned',
    '\\/localhost:18999/pwned',
    '/%09/localhost:18999/pwned',
    '/%5Clocalhost:18999/pwned',
    'http://localhost:18999/pwned',
    'https:localhost:18999/pwned',
    'javascript:alert(document.domain)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/no-such-page',
  ];
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  const login = new LoginPage(page);
  /** Logs in on `/login?<query>` as a fresh session (the previous one forgotten). */
  const logInWith = async (query: string) => {
    await page.goto('/');
    await page.evaluate(() => {
      window.localStorage.clear();
      window.sessionStorage.clear();
    });
    await page.goto(`/login?${query}`);
    await login.logIn(shopper.username, shopper.password);
  };
  for (const next of hostile) {
    await logInWith(`next=${encodeURIComponent(next)}`);
    await expect(page, JSON.stringify(next)).toHaveURL(`${WEB}/`);
    await new Header(page).expectLoggedInAs(shopper.username);
  }
  // Encoded once more (`%2509` is `%09` after one decoding): still home.
  await logInWith('next=%2F%2509%2Flocalhost%3A18999%2Fpwned');
  await expect(page).toHaveURL(`${WEB}/`);
  expect(dialogs).toEqual([]);
  // A page of the shop, with its query, is where the shopper goes.
  await logInWith(`next=${encodeURIComponent('/user/orders?type=1')}`);
  await expect(page).toHaveURL(`${WEB}/user/orders?type=1`);
});

test('after five wrong passwords the owner solves an image captcha and logs in at once', async ({ page, errors }) => {
  // The wrong passwords (400) and the captcha request (429) are expected in the console.
  errors.allow(httpStatus(400), httpStatus(429));
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const login = new LoginPage(page);
  await login.goto();
  for (let n = 1; n <= 5; n += 1) {
    await login.logIn(shopper.username, `wrong-password-${n}`);
    await expect(page.getByRole('alert')).toContainText('用户名或密码错误');
  }
  // The right password now needs a captcha (this address is the owner's own: no lock-out).
  const asked = page.waitForResponse((r) => r.url().endsWith('/v1/users/captcha'));
  await login.logIn(shopper.username, shopper.password);
  await expect(page.getByRole('alert')).toContainText('图形验证码');
  const first = await asked;
  const image = page.getByRole('img', { name: '图形验证码' });
  await expect(image).toBeVisible();
  await expect(image).toHaveAttribute('src', /^data:image\/png;base64,/);
  // A wrong text: refused, and a fresh captcha replaces the used one.
  const second = page.waitForResponse((r) => r.url().endsWith('/v1/users/captcha'));
  await page.getByLabel('图形验证码').fill('xxxxx');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('图形验证码错误');
  const fresh = await second;
  expect((await fresh.json()).data.captcha_id).not.toBe((await first.json()).data.captcha_id);
  // The development shop tells the text in a header (never in production).
  const text = (await fresh.headerValue('x-dev-captcha-text')) ?? '';
  expect(text).toHaveLength(5);
  await page.getByLabel('图形验证码').fill(text);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).toHaveURL(`${WEB}/`);
  await new Header(page).expectLoggedInAs(shopper.username);
});
