import { API, expect, httpStatus, newShopper, registerViaApi, test } from './fixtures';
import { Header, LoginPage, PasswordPage } from './pages/shop';

test('changing the password logs the shopper out everywhere and the new password works', async ({
  page,
  errors,
}) => {
  // The revoked token answers 401 and the old password is refused: both show in the console.
  errors.allow(httpStatus(401), httpStatus(400));
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const header = new Header(page);
  const login = new LoginPage(page);

  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await header.expectLoggedInAs(shopper.username);
  const oldToken = await page.evaluate(() => window.sessionStorage.getItem('dashop_token'));
  expect(oldToken).toBeTruthy();

  const password = new PasswordPage(page);
  await password.goto();
  const newPassword = `${shopper.password}-2`;
  await password.change(shopper.password, newPassword);

  await expect(page).toHaveURL('/login');
  await expect(page.getByText('密码已修改，请重新登录')).toBeVisible();
  await header.expectLoggedOut();

  // The old token is revoked on the server ...
  const answer = await page.request.get(`${API}/v1/users/${shopper.username}`, {
    headers: { Authorization: `Bearer ${oldToken}` },
  });
  expect(answer.status()).toBe(401);

  // ... and the SPA, handed the old token, ends up on the login page.
  await page.evaluate(
    ([token, username]) => {
      window.sessionStorage.setItem('dashop_token', token);
      window.sessionStorage.setItem('dashop_user', username);
    },
    [oldToken as string, shopper.username],
  );
  await page.goto('/user');
  // The login page keeps the way back to where the shopper was.
  await expect(page).toHaveURL('/login?next=%2Fuser');
  await expect(page.getByText('登录已过期，请重新登录')).toBeVisible();
  await header.expectLoggedOut();
  expect(await page.evaluate(() => window.sessionStorage.getItem('dashop_token'))).toBeNull();

  // The old password no longer works; the new one does.
  await login.logIn(shopper.username, shopper.password);
  await expect(page.getByRole('alert')).toBeVisible();
  await header.expectLoggedOut();
  await login.password.fill(newPassword);
  await login.submit.click();
  await header.expectLoggedInAs(shopper.username);
  await expect(page).toHaveURL('/user');
});

test('the profile shows the account and the password form validates inline', async ({ page }) => {
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await new Header(page).profileLink.click();

  const profile = page.getByTestId('profile');
  await expect(profile).toContainText(shopper.username);
  // The phone is masked as Chinese shops show it: 138****5678.
  const masked = `${shopper.phone.slice(0, 3)}****${shopper.phone.slice(7)}`;
  await expect(page.getByTestId('profile-phone')).toHaveText(masked);
  await expect(profile).not.toContainText(shopper.phone);
  await expect(profile).toContainText(shopper.email);

  await page.getByRole('link', { name: '修改密码' }).click();
  await page.getByLabel('当前密码', { exact: true }).fill(shopper.password);
  await page.getByLabel('新密码', { exact: true }).fill('short');
  await page.getByLabel('确认新密码', { exact: true }).fill('different');
  await page.getByRole('button', { name: '确认修改' }).click();
  await expect(page.getByText('密码至少8个字符')).toBeVisible();
  await expect(page.getByText('两次输入的新密码不一致')).toBeVisible();
  await expect(page).toHaveURL('/user/password');
});
