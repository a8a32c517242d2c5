import { expect, type Locator, type Page } from '@playwright/test';
import { type Shopper, waitForSmsCode } from '../fixtures';

/** The header on every page. */
export class Header {
  readonly root: Locator;
  readonly welcome: Locator;
  readonly loginLink: Locator;
  readonly registerLink: Locator;
  readonly profileLink: Locator;
  readonly addressLink: Locator;
  readonly logoutLink: Locator;

  constructor(page: Page) {
    this.root = page.getByRole('banner');
    this.welcome = this.root.getByTestId('welcome');
    this.loginLink = this.root.getByRole('link', { name: '登录', exact: true });
    this.registerLink = this.root.getByRole('link', { name: '注册', exact: true });
    this.profileLink = this.root.getByRole('link', { name: '个人中心' });
    this.addressLink = this.root.getByRole('link', { name: '收货地址' });
    this.logoutLink = this.root.getByRole('link', { name: '退出' });
  }

  async expectLoggedInAs(username: string): Promise<void> {
    await expect(this.welcome).toHaveText(`欢迎，${username}`);
    await expect(this.loginLink).toHaveCount(0);
  }

  async expectLoggedOut(): Promise<void> {
    await expect(this.loginLink).toBeVisible();
    await expect(this.registerLink).toBeVisible();
    await expect(this.welcome).toHaveCount(0);
  }
}

/** On the product page of `id`: types the count and clicks 加入购物车. */
export async function addToCart(page: Page, id: number, count: number): Promise<void> {
  await page.goto(`/product/${id}`);
  await expect(page.getByTestId('product-name')).toBeVisible();
  await page.getByLabel('数量', { exact: true }).fill(String(count));
  await page.getByRole('button', { name: '加入购物车' }).click();
  await expect(page.getByTestId('toast')).toHaveText('已加入购物车');
}

/** `/login`. */
export class LoginPage {
  readonly username: Locator;
  readonly password: Locator;
  readonly remember: Locator;
  readonly submit: Locator;

  constructor(private readonly page: Page) {
    this.username = page.getByLabel('用户名', { exact: true });
    this.password = page.getByLabel('密码', { exact: true });
    this.remember = page.getByLabel('自动登录');
    this.submit = page.getByRole('button', { name: '登录', exact: true });
  }

  async goto(): Promise<void> {
    await this.page.goto('/login');
    await expect(this.page.getByRole('heading', { name: '登录' })).toBeVisible();
  }

  async logIn(username: string, password: string, options: { remember?: boolean } = {}): Promise<void> {
    await this.username.fill(username);
    await this.password.fill(password);
    if (options.remember) {
      await this.remember.check();
    }
    await this.submit.click();
  }
}

/** `/register`. */
export class RegisterPage {
  constructor(private readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto('/register');
    await expect(this.page.getByRole('heading', { name: '注册' })).toBeVisible();
  }

  async register(shopper: Shopper): Promise<void> {
    const page = this.page;
    await page.getByLabel('用户名', { exact: true }).fill(shopper.username);
    await page.getByLabel('密码', { exact: true }).fill(shopper.password);
    await page.getByLabel('确认密码', { exact: true }).fill(shopper.password);
    await page.getByLabel('手机号', { exact: true }).fill(shopper.phone);
    await page.getByRole('button', { name: '获取短信验证码' }).click();
    await expect(page.getByTestId('sms-notice')).toHaveText('验证码已发送，5分钟内有效');
    const code = await waitForSmsCode(page.request, shopper.phone);
    await page.getByLabel('短信验证码', { exact: true }).fill(code);
    await page.getByLabel('邮箱', { exact: true }).fill(shopper.email);
    await page.getByRole('button', { name: '注册', exact: true }).click();
  }
}

/** A choice of the address forms' 省 / 市 / 区 picker (no district for a city without). */
export interface RegionInput {
  province: string;
  city: string;
  district?: string;
}

/**
 * Picks `region` in the address form `form` (the address book's or the settlement's), level
 * by level: each level's choices load once the level above is picked.
 */
export async function pickRegion(form: Locator, region: RegionInput): Promise<void> {
  await form.getByLabel('省份').selectOption({ label: region.province });
  await expect(form.getByLabel('城市')).toBeEnabled();
  await form.getByLabel('城市').selectOption({ label: region.city });
  if (region.district !== undefined) {
    await expect(form.getByLabel('区县')).toBeEnabled();
    await form.getByLabel('区县').selectOption({ label: region.district });
  }
}

/** What the address form takes. */
export interface AddressInput {
  receiver: string;
  mobile: string;
  region: RegionInput;
  /** The street address (详细地址), below the region. */
  address: string;
  postcode: string;
  tag?: string;
}

/** `/user/address`. */
export class AddressPage {
  readonly list: Locator;
  readonly items: Locator;
  readonly notice: Locator;
  readonly form: Locator;

  constructor(private readonly page: Page) {
    this.list = page.getByRole('list', { name: '地址列表' });
    this.items = this.list.getByRole('listitem');
    this.notice = page.locator('.notice.success');
    this.form = page.locator('form.address-form');
  }

  async goto(): Promise<void> {
    await this.page.goto('/user/address');
    await expect(this.page.getByRole('heading', { name: '收货地址', level: 1 })).toBeVisible();
  }

  /** The list entry whose receiver is exactly `receiver`. */
  item(receiver: string): Locator {
    return this.items.filter({
      has: this.page.locator('.receiver', { hasText: new RegExp(`^${receiver}$`) }),
    });
  }

  async fill(input: AddressInput): Promise<void> {
    await this.form.getByLabel('收货人').fill(input.receiver);
    await this.form.getByLabel('手机号').fill(input.mobile);
    await pickRegion(this.form, input.region);
    await this.form.getByLabel('详细地址').fill(input.address);
    await this.form.getByLabel('邮编').fill(input.postcode);
    await this.form.getByLabel('地址标签').fill(input.tag ?? '家');
  }

  async add(input: AddressInput): Promise<void> {
    await this.fill(input);
    await this.form.getByRole('button', { name: '添加地址' }).click();
    await expect(this.notice).toHaveText('地址已添加');
  }
}

/** `/user/password`. */
export class PasswordPage {
  constructor(private readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto('/user/password');
    await expect(this.page.getByRole('heading', { name: '修改密码', level: 1 })).toBeVisible();
  }

  async change(oldPassword: string, newPassword: string): Promise<void> {
    await this.page.getByLabel('当前密码', { exact: true }).fill(oldPassword);
    await this.page.getByLabel('新密码', { exact: true }).fill(newPassword);
    await this.page.getByLabel('确认新密码', { exact: true }).fill(newPassword);
    await this.page.getByRole('button', { name: '确认修改' }).click();
  }
}
