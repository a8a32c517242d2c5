import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

// Search as shoppers type it (server/data/search_words.toml, server/src/search.rs).

async function search(page: Page, q: string): Promise<void> {
  await page.goto('/');
  const box = page.getByRole('searchbox', { name: '搜索商品' });
  await box.fill(q);
  await box.press('Enter');
  await expect(page).toHaveURL(`/search?q=${encodeURIComponent(q)}`);
  // The answer is on the page (not the home page's cards of a moment before).
  await expect(page.getByRole('heading', { level: 1 })).toContainText('的搜索结果');
}

/** The names of the results on the page. */
async function resultNames(page: Page): Promise<string[]> {
  await expect(page.getByTestId('sku').first()).toBeVisible();
  return page.getByTestId('sku').locator('.sku-name').allTextContents();
}

test('the words shoppers use find the catalog\'s words', async ({ page }) => {
  for (const [typed, meant] of [
    ['背包', '双肩包'],
    ['书包', '双肩包'],
    ['行李箱', '拉杆箱'],
    ['旅行箱', '拉杆箱'],
    ['登机箱', '拉杆箱'],
  ]) {
    await search(page, typed);
    const names = await resultNames(page);
    expect(names.length, typed).toBeGreaterThan(0);
    for (const name of names) {
      expect(name, typed).toContain(meant);
    }
    await expect(page.getByTestId('search-partial')).toHaveCount(0);
  }
});

test('stop words are dropped, and pinyin and its initials find goods', async ({ page }) => {
  await search(page, '黑色的拉杆箱');
  for (const name of await resultNames(page)) {
    expect(name).toContain('黑色');
    expect(name).toContain('拉杆箱');
  }
  for (const [typed, meant] of [
    ['lagan', '拉杆'],
    ['lgx', '拉杆箱'],
    ['shuangjianbao', '双肩包'],
  ]) {
    await search(page, typed);
    const names = await resultNames(page);
    expect(names.length, typed).toBeGreaterThan(0);
    for (const name of names) {
      expect(name, typed).toContain(meant);
    }
  }
});

test('a query not every word of which matches shows the best partial matches, and says so', async ({ page }) => {
  await search(page, '粉色拉杆箱');
  await expect(page.getByTestId('search-partial')).toContainText('没有同时符合“粉色拉杆箱”全部词语的商品');
  for (const name of await resultNames(page)) {
    expect(name).toContain('拉杆箱');
  }
});

test('a near miss offers 你是不是要找 with a link that finds goods', async ({ page }) => {
  await search(page, '拉竿箱');
  const suggestion = page.getByTestId('search-suggestion');
  await expect(suggestion).toContainText('你是不是要找：拉杆箱');
  await suggestion.getByRole('link', { name: '拉杆箱' }).click();
  await expect(page).toHaveURL(`/search?q=${encodeURIComponent('拉杆箱')}`);
  await expect(page.getByTestId('search-suggestion')).toHaveCount(0);
  expect((await resultNames(page)).length).toBeGreaterThan(0);

  // A far miss gets no suggestion, only the empty result.
  await search(page, '潜水艇');
  await expect(page.getByTestId('search-empty')).toBeVisible();
  await expect(page.getByTestId('search-suggestion')).toHaveCount(0);
});
