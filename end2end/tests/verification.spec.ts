import {
  WEB,
  expect,
  httpStatus,
  newShopper,
  registerViaApi,
  smsCodes,
  test,
  waitForMail,
} from './fixtures';
import { Header, LoginPage, RegisterPage } from './pages/shop';

/** The activation link of the newest activation mail to `email`. */
async function activationLink(
  request: Parameters<typeof waitForMail>[0],
  email: string,
  count = 1,
): Promise<string> {
  const mails = await waitForMail(request, email, count);
  const mail = mails[count - 1];
  expect(mail.subject).toBe('达达商城账户激活');
  const link = mail.text.match(/https?:\/\/\S+\/activation\?code=[A-Za-z0-9_-]+/);
  expect(link, mail.text).not.toBeNull();
  return link![0];
}

test('registering needs the SMS code from the provider, and the countdown survives a reload', async ({
  page,
  errors,
}) => {
  // The wrong code below is answered 400.
  errors.allow(httpStatus(400));
  const shopper = newShopper();
  const register = new RegisterPage(page);
  await register.goto();
  await page.getByLabel('手机号', { exact: true }).fill(shopper.phone);
  const button = page.getByTestId('send-sms');
  await button.click();
  await expect(page.getByTestId('sms-notice')).toHaveText('验证码已发送，5分钟内有效');
  await expect(button).toBeDisabled();
  await expect(button).toHaveText(/^\d+秒后重新获取$/);
  await expect.poll(async () => (await smsCodes(page.request, shopper.phone)).length).toBe(1);

  await page.reload();
  await expect(page.getByRole('heading', { name: '注册' })).toBeVisible();
  await expect(page.getByTestId('send-sms')).toBeDisabled();
  const seconds = Number((await page.getByTestId('send-sms').textContent())?.match(/^(\d+)/)?.[1]);
  expect(seconds).toBeGreaterThan(40);
  expect(seconds).toBeLessThanOrEqual(60);

  // A wrong code gets the server's message and creates nothing.
  const [code] = await smsCodes(page.request, shopper.phone);
  await page.getByLabel('用户名', { exact: true }).fill(shopper.username);
  await page.getByLabel('密码', { exact: true }).fill(shopper.password);
  await page.getByLabel('确认密码', { exact: true }).fill(shopper.password);
  await page.getByLabel('手机号', { exact: true }).fill(shopper.phone);
  await page.getByLabel('邮箱', { exact: true }).fill(shopper.email);
  await page.getByLabel('短信验证码', { exact: true }).fill(code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: '注册', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('验证码错误');
  await page.getByLabel('短信验证码', { exact: true }).fill(code);
  await page.getByRole('button', { name: '注册', exact: true }).click();
  await new Header(page).expectLoggedInAs(shopper.username);
});

test('the activation link from the mail activates the account in the browser', async ({ page }) => {
  const shopper = newShopper();
  const register = new RegisterPage(page);
  await register.goto();
  await register.register(shopper);
  await new Header(page).expectLoggedInAs(shopper.username);
  // Registration says where the activation mail went.
  await expect(page).toHaveURL('/');
  await expect(page.getByTestId('flash')).toContainText(`激活邮件已发到 ${shopper.email}`);

  await page.goto('/user');
  await expect(page.getByTestId('inactive-notice')).toBeVisible();

  const link = await activationLink(page.request, shopper.email);
  expect(link.startsWith(`${WEB}/activation?code=`)).toBe(true);
  await page.goto(link);
  await expect(page.getByTestId('activation-ok')).toHaveText('账户已激活，欢迎来到达达商城！');

  await page.goto('/user');
  await expect(page.getByTestId('profile')).toContainText('已激活');
  await expect(page.getByTestId('inactive-notice')).toHaveCount(0);
});

test('the legacy activation page works, a second click says the account is active, a bad link says so', async ({
  page,
  errors,
}) => {
  errors.allow(httpStatus(400));
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const link = await activationLink(page.request, shopper.email);
  const code = new URL(link).searchParams.get('code');
  await page.goto(`/dadashop/templates/active.html?code=${code}`);
  await expect(page.getByTestId('activation-ok')).toHaveText('账户已激活，欢迎来到达达商城！');
  await page.goto(`/dadashop/templates/active.html?code=${code}`);
  await expect(page.getByTestId('activation-ok')).toContainText('你的账户已经激活过了');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.goto('/activation?code=not-a-code-we-sent');
  await expect(page.getByRole('alert')).toContainText('激活链接无效或已过期');
});

test('an inactive shopper can have the activation mail sent again', async ({ page, errors }) => {
  errors.allow(httpStatus(429));
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  await activationLink(page.request, shopper.email);
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await new Header(page).expectLoggedInAs(shopper.username);
  await page.goto('/user');
  const notice = page.getByTestId('inactive-notice');
  await expect(notice).toBeVisible();
  await notice.getByRole('button', { name: '重新发送' }).click();
  await expect(page.getByTestId('resend-outcome')).toHaveText('激活邮件已重新发送，请查收');
  const link = await activationLink(page.request, shopper.email, 2);
  await notice.getByRole('button', { name: '重新发送' }).click();
  await expect(page.getByTestId('resend-outcome')).toContainText('发送过于频繁');
  await page.goto(link);
  await expect(page.getByTestId('activation-ok')).toBeVisible();
});

test('a forgotten password is reset with the mailed code, from the login page', async ({ page, errors }) => {
  errors.allow(httpStatus(400));
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const login = new LoginPage(page);
  await login.goto();
  await page.getByRole('link', { name: '忘记密码？' }).click();
  await expect(page).toHaveURL('/password/forgot');
  await expect(page.getByRole('heading', { name: '找回密码' })).toBeVisible();

  await page.getByLabel('邮箱', { exact: true }).fill(shopper.email);
  await page.getByRole('button', { name: '发送验证码' }).click();
  await expect(page.getByTestId('forgot-sent')).toBeVisible();
  const mails = await waitForMail(page.request, shopper.email, 2);
  const reset = mails.find((m) => m.subject === '达达商城找回密码验证码');
  expect(reset).toBeTruthy();
  const code = reset!.text.match(/验证码是：(\d{6})/)![1];

  await page.getByLabel('邮箱验证码').fill(code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page.getByRole('alert')).toContainText('验证码错误');
  await page.getByLabel('邮箱验证码').fill(code);
  await page.getByRole('button', { name: '下一步' }).click();

  const newPassword = `${shopper.password}-new`;
  await page.getByLabel('新密码', { exact: true }).fill(newPassword);
  await page.getByLabel('确认新密码').fill(newPassword);
  await page.getByRole('button', { name: '重置密码' }).click();
  await expect(page.getByTestId('forgot-done')).toHaveText('密码已重置，请使用新密码登录。');

  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await expect(page.getByRole('alert')).toBeVisible();
  await login.logIn(shopper.username, newPassword);
  await new Header(page).expectLoggedInAs(shopper.username);
});
