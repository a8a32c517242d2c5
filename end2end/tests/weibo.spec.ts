import { type Page } from '@playwright/test';
import {
  WEB,
  WEIBO,
  expect,
  httpStatus,
  newShopper,
  registerViaApi,
  test,
  waitForMail,
  waitForSmsCode,
} from './fixtures';
import { Header, LoginPage } from './pages/shop';

/** Where the session is kept after a login. */
const storedSession = (page: Page) =>
  page.evaluate(() => ({
    local: window.localStorage.getItem('dashop_token'),
    session: window.sessionStorage.getItem('dashop_token'),
  }));

/** From the login page, through 微博登录, to the fake Weibo's authorize page. */
async function startWeiboLogin(page: Page, options: { remember?: boolean } = {}): Promise<void> {
  const login = new LoginPage(page);
  await login.goto();
  if (options.remember) {
    await login.remember.check();
  }
  await page.getByRole('button', { name: '微博登录' }).click();
  await expect(page).toHaveURL(new RegExp(`^${WEIBO}/oauth2/authorize\\?`));
  await expect(page.getByRole('heading', { name: '微博授权（本地模拟）' })).toBeVisible();
}

/** Presses 授权 as the fake Weibo user `screenName`. */
async function authorizeAs(page: Page, screenName: string): Promise<void> {
  await page.getByRole('button', { name: `以${screenName}的身份授权` }).click();
}

test('first Weibo login binds a new account; the next one goes straight in; the binding can be removed', async ({
  page,
}) => {
  const header = new Header(page);
  const shopper = newShopper();

  await startWeiboLogin(page);
  const url = new URL(page.url());
  expect(url.searchParams.get('response_type')).toBe('code');
  expect(url.searchParams.get('redirect_uri')).toBe(`${WEB}/weibo/callback`);
  expect(url.searchParams.get('state')?.length).toBeGreaterThanOrEqual(22);

  await authorizeAs(page, '达达测试一号');
  await expect(page).toHaveURL(/\/weibo\/callback\?code=/);
  await expect(page.getByTestId('weibo-who')).toContainText('微博账号「达达测试一号」还没有绑定达达商城账号');
  // The Weibo nickname is a valid username: it is offered.
  await expect(page.getByLabel('用户名', { exact: true })).toHaveValue('达达测试一号');
  const avatarLoaded = await page
    .locator('.weibo-who img')
    .evaluate((img: HTMLImageElement) => img.decode().then(() => true, () => false));
  expect(avatarLoaded).toBe(true);

  await page.getByLabel('用户名', { exact: true }).fill(shopper.username);
  await page.getByLabel('密码', { exact: true }).fill(shopper.password);
  await page.getByLabel('确认密码', { exact: true }).fill(shopper.password);
  await page.getByLabel('手机号', { exact: true }).fill(shopper.phone);
  // The new account's phone is verified by SMS, as at registration.
  await page.getByRole('button', { name: '获取短信验证码' }).click();
  await expect(page.getByTestId('sms-notice')).toHaveText('验证码已发送，5分钟内有效');
  await page.getByLabel('短信验证码', { exact: true }).fill(await waitForSmsCode(page.request, shopper.phone));
  await page.getByLabel('邮箱', { exact: true }).fill(shopper.email);
  await page.getByRole('button', { name: '注册并绑定' }).click();
  await expect(page).toHaveURL('/');
  await header.expectLoggedInAs(shopper.username);
  // And it gets its activation mail.
  expect((await waitForMail(page.request, shopper.email))[0].subject).toBe('达达商城账户激活');
  // Without 自动登录 the session ends with the browser.
  const first = await storedSession(page);
  expect(first.session).toBeTruthy();
  expect(first.local).toBeNull();

  await header.logoutLink.click();
  await header.expectLoggedOut();

  // Bound now: Weibo login goes straight in, remembered this time.
  await startWeiboLogin(page, { remember: true });
  await authorizeAs(page, '达达测试一号');
  await expect(page).toHaveURL('/');
  await header.expectLoggedInAs(shopper.username);
  const second = await storedSession(page);
  expect(second.local).toBeTruthy();
  expect(second.session).toBeNull();

  // The personal center shows the binding and removes it on a confirmed request.
  await header.profileLink.click();
  const binding = page.getByTestId('weibo-binding');
  await expect(binding).toContainText('已绑定微博账号「达达测试一号」');
  await page.getByRole('button', { name: '解除绑定' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: '取消' }).click();
  await expect(binding).toContainText('已绑定微博账号「达达测试一号」');
  await page.getByRole('button', { name: '解除绑定' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: '确认解除' }).click();
  await expect(binding).toContainText('未绑定微博账号');

  // Unbound again: the next Weibo login asks to bind.
  await header.logoutLink.click();
  await startWeiboLogin(page);
  await authorizeAs(page, '达达测试一号');
  await expect(page.getByTestId('weibo-who')).toBeVisible();
  await header.expectLoggedOut();
});

test('the legacy callback page binds an existing account by its password', async ({ page, errors }) => {
  errors.allow(httpStatus(400));
  const header = new Header(page);
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);

  // Old Weibo app registrations send the shopper to the original page path: the fake's
  // redirect to the callback is pointed there, query and all.
  await page.route(`${WEIBO}/oauth2/authorize`, async (route) => {
    const answer = await route.fetch({ maxRedirects: 0 });
    const location = answer.headers()['location'];
    if (!location) return route.fulfill({ response: answer });
    const back = new URL(location);
    expect(back.pathname).toBe('/weibo/callback');
    return route.fulfill({
      status: 302,
      headers: { Location: `${WEB}/dadashop/templates/callback.html${back.search}` },
    });
  });
  await startWeiboLogin(page, { remember: true });
  await authorizeAs(page, '旅行箱爱好者');
  await expect(page).toHaveURL(/\/dadashop\/templates\/callback\.html\?code=/);

  await page.getByRole('radio', { name: '绑定已有账号' }).click();
  await expect(page.getByLabel('手机号', { exact: true })).toHaveCount(0);
  await page.getByLabel('用户名', { exact: true }).fill(shopper.username);
  await page.getByLabel('密码', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: '绑定并登录' }).click();
  await expect(page.getByRole('alert')).toHaveText('用户名或密码错误');
  await header.expectLoggedOut();

  await page.getByLabel('密码', { exact: true }).fill(shopper.password);
  await page.getByRole('button', { name: '绑定并登录' }).click();
  await expect(page).toHaveURL('/');
  await header.expectLoggedInAs(shopper.username);
  expect((await storedSession(page)).local).toBeTruthy();

  await header.profileLink.click();
  await expect(page.getByTestId('weibo-binding')).toContainText('已绑定微博账号「旅行箱爱好者」');
});

test('a declined authorization and a callback this browser did not start are refused with a way back', async ({
  page,
}) => {
  const header = new Header(page);
  await startWeiboLogin(page);
  await page.getByRole('link', { name: '取消' }).click();
  await expect(page).toHaveURL(/\/weibo\/callback\?error=access_denied/);
  await expect(page.getByRole('alert')).toContainText('你取消了微博授权');
  await header.expectLoggedOut();

  // A code and state this tab never asked for (a forged or replayed link) are not even sent
  // to the server.
  const apiCalls: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/v1/users/weibo/users')) apiCalls.push(request.url());
  });
  await page.goto('/weibo/callback?code=forged&state=forged');
  await expect(page.getByRole('alert')).toContainText('微博登录已失效');
  expect(apiCalls).toEqual([]);
  await page.getByRole('link', { name: '返回登录页' }).click();
  await expect(page).toHaveURL('/login');
});
