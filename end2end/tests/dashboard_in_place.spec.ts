import { test, expect, Page } from '@playwright/test';
import { accessible, hydrated, signIn } from './helpers';

const DASHBOARD = '/groups/heroes/-/achievements';
const card = (page: Page, name: string) => page.locator('.achievement-card', { hasText: name });

// Once the page has loaded, the dashboard's actions apply in place: no reload
// (a marker set on the window survives), the list follows, a toast says what
// was done, and focus lands on the card acted on or the page's heading.
test('create, award, revoke and delete apply in place', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, 'bob');
  await page.goto(DASHBOARD);
  await hydrated(page);
  await page.evaluate(() => { (window as any).__stayed = 'yes'; });
  const stayed = () => page.evaluate(() => (window as any).__stayed);

  await page.locator('.new-achievement summary').click();
  const form = page.locator('.new-achievement form');
  await form.getByLabel('Name').fill('In place');
  await form.getByRole('button', { name: 'Create' }).click();
  await expect(card(page, 'In place')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Achievement created.' })).toBeVisible();
  await expect(page.locator('.new-achievement')).not.toHaveAttribute('open', '');
  await expect(page.locator('.dashboard h1')).toBeFocused();
  await expect(page).toHaveURL(new RegExp(`${DASHBOARD}$`));
  expect(await stayed()).toBe('yes');
  // The create form is empty again for the next one.
  await page.locator('.new-achievement summary').click();
  await expect(form.getByLabel('Name')).toHaveValue('');
  await page.keyboard.press('Escape');

  const placed = card(page, 'In place');
  await placed.locator('details.manage', { hasText: 'Award' }).first().locator('summary').click();
  await placed.locator('.award-form').getByLabel('Usernames (separated by commas)').fill('dave');
  await placed.locator('.award-form').getByRole('button', { name: 'Award' }).click();
  await expect(card(page, 'In place')).toContainText('Awards: 1');
  await expect(card(page, 'In place').locator('.card-head h2')).toBeFocused();
  expect(await stayed()).toBe('yes');

  await card(page, 'In place').locator('details.history summary').click();
  await card(page, 'In place').locator('.holders li').first().getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Award revoked.' })).toBeVisible();
  await expect(card(page, 'In place')).toContainText('Not yet awarded');
  expect(await stayed()).toBe('yes');

  // A refusal is said where the forms are, and what was typed stays.
  await page.locator('.new-achievement summary').click();
  await form.getByLabel('Name').fill('In place');
  await form.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('alert')).toContainText('Name has already been taken');
  await expect(form.getByLabel('Name')).toHaveValue('In place');
  expect(await stayed()).toBe('yes');
  await page.keyboard.press('Escape');

  const menu = card(page, 'In place').locator('details.card-menu');
  await menu.locator('summary').first().click();
  const remove = menu.locator('details.manage:not(.dialog)');
  await remove.locator('summary').click();
  await remove.locator('form.confirm button[type=submit]').click();
  await expect(card(page, 'In place')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Achievement deleted.' })).toBeVisible();
  await expect(page.locator('.dashboard h1')).toBeFocused();
  expect(await stayed()).toBe('yes');
  await accessible(page);
});
