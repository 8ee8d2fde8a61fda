import { test, expect } from '@playwright/test';
import { accessible, hydrated, openAccountMenu } from './helpers';

test('the home page hydrates without console errors', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('/');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welcome to Laurel');
  expect(errors).toEqual([]);
  await accessible(page);
  await page.screenshot({ path: '../public/screenshots/home.png' });
});

test('a user signs in, sees the session everywhere, and signs out', async ({ page }) => {
  await page.goto('/users/sign_in');
  await hydrated(page);
  await accessible(page);
  await page.getByLabel('Username or email').fill('carol');
  await page.getByLabel('Password').fill('laurel-demo');
  await page.screenshot({ path: '../public/screenshots/sign-in.png' });
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  // Home, signed in: the feed of what carol may see, her groups with their counts.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Recent activity');
  await expect(page.getByRole('listitem').filter({ hasText: 'Carol Developer received Pixel perfect from Design' })).toBeVisible();
  await expect(page.getByRole('complementary').getByRole('listitem').filter({ hasText: 'Laurel Heroes' })).toContainText(/\d+ achievements/);
  await expect(page.locator('.user-link')).toContainText('carol');
  await accessible(page);
  // The account menu: one row on a phone, opened and closed from the keyboard.
  await page.setViewportSize({ width: 390, height: 844 });
  const bar = await page.locator('.top-bar').boundingBox();
  expect(bar?.height).toBeLessThanOrEqual(64);
  const summary = page.locator('details.account-menu summary');
  await summary.focus();
  await page.keyboard.press('Enter');
  const menu = page.locator('details.account-menu');
  await expect(menu.getByRole('link', { name: 'Edit profile' })).toBeVisible();
  await accessible(page);
  await page.screenshot({ path: '../public/screenshots/account-menu-phone.png' });
  await page.keyboard.press('Escape');
  await expect(menu.getByRole('link', { name: 'Edit profile' })).toBeHidden();
  await expect(summary).toBeFocused();
  await openAccountMenu(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
});

test('a wrong password is refused with a message', async ({ page }) => {
  await page.goto('/users/sign_in');
  await page.getByLabel('Username or email').fill('carol');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid login or password.');
  await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
});

test('the demo profile shows achievements grouped with a count', async ({ page }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/carol');
  await hydrated(page);
  // The link to share, and its copy button.
  await expect(page.getByLabel('Link to this profile')).toHaveValue(/\/carol$/);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Link copied.' })).toBeAttached();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/\/carol$/);
  const month = page.locator('.achievement', { hasText: 'Contributor of the month' });
  await expect(month.locator('.badge')).toHaveText('3x');
  // The private group's award is shown, its namespace is not.
  const bug = page.locator('.achievement', { hasText: 'Bug hunter' });
  await expect(bug).toContainText('a private namespace');
  await page.screenshot({ path: '../public/screenshots/profile.png', fullPage: true });
  await accessible(page);
  // Keyboard focus reveals the details, as hover does.
  await month.focus();
  await expect(month.locator('.achievement-detail')).toBeVisible();
  await expect(month.locator('.achievement-detail')).toContainText('For fixing the dark mode flicker');
});

test('the language switcher renders Korean and Japanese', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await page.locator('#lang-select').selectOption('ko');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Laurel에 오신 것을 환영합니다');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await page.screenshot({ path: '../public/screenshots/home-ko.png' });
  await page.locator('#lang-select').selectOption('ja');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Laurelへようこそ');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
});

test('sign-in works with JavaScript disabled', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/users/sign_in');
  await page.getByLabel('Username or email').fill('alice');
  await page.getByLabel('Password').fill('laurel-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Recent activity');
  await expect(page.locator('.user-link')).toContainText('alice');
  // The account menu is a plain disclosure: it opens and signs out without scripts.
  await page.locator('details.account-menu summary').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
  await context.close();
});
