import { expect, newShopper, registerViaApi, test } from './fixtures';
import { AddressPage, Header, LoginPage, pickRegion } from './pages/shop';

test('the address book adds, edits, picks a default and deletes', async ({ page }) => {
  const shopper = newShopper();
  await registerViaApi(page.request, shopper);
  const login = new LoginPage(page);
  await login.goto();
  await login.logIn(shopper.username, shopper.password);
  await new Header(page).expectLoggedInAs(shopper.username);

  const book = new AddressPage(page);
  await book.goto();
  await expect(page.getByText('还没有收货地址')).toBeVisible();

  // Inline validation: nothing is sent while fields are invalid.
  await book.form.getByRole('button', { name: '添加地址' }).click();
  await expect(book.form.getByText('请填写收货人')).toBeVisible();
  await expect(book.form.getByText('请输入11位中国大陆手机号')).toBeVisible();
  await expect(book.form.getByText('邮编为6位数字')).toBeVisible();

  // The first address becomes the default.
  await book.add({
    receiver: '张三',
    mobile: '13800000001',
    region: { province: '北京市', city: '市辖区', district: '海淀区' },
    address: '中关村大街1号',
    postcode: '100080',
  });
  await expect(book.items).toHaveCount(1);
  // The emptied form starts clean: a field's error shows only once it is touched again.
  await expect(book.form.locator('.field-error:not(:empty)')).toHaveCount(0);
  await book.form.getByLabel('收货人').focus();
  await book.form.getByLabel('收货人').blur();
  await expect(book.form.getByText('请填写收货人')).toBeVisible();
  await expect(book.form.locator('.field-error:not(:empty)')).toHaveCount(1);
  await expect(book.item('张三')).toContainText('默认地址');
  // The region's names, then the street (a municipality's city level is named as the
  // division data names it: 市辖区).
  await expect(book.item('张三').locator('.address-line')).toHaveText(/^北京市 .*海淀区 中关村大街1号$/);

  await book.add({
    receiver: '李四',
    mobile: '13900000002',
    region: { province: '上海市', city: '市辖区', district: '浦东新区' },
    address: '世纪大道100号',
    postcode: '200120',
    tag: '公司',
  });
  await expect(book.items).toHaveCount(2);
  await expect(book.item('李四')).not.toContainText('默认地址');
  await expect(book.item('李四')).toContainText('公司');

  // Edit the second one.
  await book.item('李四').getByRole('button', { name: '编辑' }).click();
  await expect(page.getByRole('heading', { name: '编辑收货地址' })).toBeVisible();
  await expect(book.form.getByLabel('收货人')).toHaveValue('李四');
  await pickRegion(book.form, { province: '上海市', city: '市辖区', district: '黄浦区' });
  await book.form.getByLabel('详细地址').fill('南京东路200号');
  await book.form.getByLabel('邮编').fill('200001');
  await book.form.getByRole('button', { name: '保存修改' }).click();
  await expect(book.notice).toHaveText('地址已更新');
  await expect(book.item('李四').locator('.address-line')).toHaveText(/^上海市 .*黄浦区 南京东路200号$/);
  await expect(book.item('李四')).toContainText('200001');
  await expect(page.getByRole('heading', { name: '新增收货地址' })).toBeVisible();

  // Make it the default: it moves to the top and takes the badge.
  await book.item('李四').getByRole('button', { name: '设为默认' }).click();
  await expect(book.notice).toHaveText('已设为默认地址');
  await expect(book.item('李四')).toContainText('默认地址');
  await expect(book.item('张三')).not.toContainText('默认地址');
  await expect(book.item('张三').getByRole('button', { name: '设为默认' })).toBeVisible();
  await expect(book.items.first()).toContainText('李四');

  // Delete the other one: 删除 asks first, and 取消 keeps the address.
  const zhang = book.item('张三');
  await zhang.getByRole('button', { name: '删除', exact: true }).click();
  const confirm = zhang.getByRole('alertdialog');
  await expect(confirm).toContainText('确定删除这个地址吗？');
  await confirm.getByRole('button', { name: '取消' }).click();
  await expect(confirm).toBeHidden();
  await expect(book.items).toHaveCount(2);
  await zhang.getByRole('button', { name: '删除', exact: true }).click();
  await zhang.getByRole('button', { name: '确认删除' }).click();
  await expect(book.notice).toHaveText('地址已删除');
  await expect(book.items).toHaveCount(1);
  await expect(book.item('李四')).toContainText('默认地址');

  // What the page shows is what the server keeps.
  await page.reload();
  await expect(book.items).toHaveCount(1);
  await expect(book.item('李四').locator('.address-line')).toHaveText(/^上海市 .*黄浦区 南京东路200号$/);
});
