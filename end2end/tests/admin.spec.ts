import { test, expect } from '@playwright/test';
import { accessible, hydrated, openAccountMenu, signIn } from './helpers';

test('the admin sees the dashboard and switches the achievements flag for a group', async ({ page }) => {
  await signIn(page, 'root', 'root-password-e2e');
  await openAccountMenu(page);
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Admin dashboard');
  await expect(page.locator('.counters li', { hasText: 'Users' }).locator('.counter')).not.toHaveText('0');
  await expect(page.locator('.chart svg rect').first()).toBeAttached();
  await accessible(page);
  await page.screenshot({ path: '../public/screenshots/admin.png', fullPage: true });

  const heroes = page.locator('tr', { has: page.getByRole('link', { name: 'heroes', exact: true }) });
  await expect(heroes).toContainText('On');
  await heroes.getByRole('button', { name: 'Turn off' }).click();
  await expect(page.locator('tr', { has: page.getByRole('link', { name: 'heroes', exact: true }) })).toContainText('Off');
  // With the flag off, the group's achievements are gone from its page and from profiles.
  await page.goto('/groups/heroes/-/achievements');
  await expect(page.locator('.achievement-card')).toHaveCount(0);
  await page.goto('/carol');
  await expect(page.locator('.achievement', { hasText: 'Contributor of the month' })).toHaveCount(0);
  await page.goto('/admin');
  await page.locator('tr', { has: page.getByRole('link', { name: 'heroes', exact: true }) }).getByRole('button', { name: 'Turn on' }).click();
  await page.goto('/carol');
  await expect(page.locator('.achievement', { hasText: 'Contributor of the month' })).toBeVisible();
});

test('the admin creates and blocks a user', async ({ page }) => {
  await signIn(page, 'root', 'root-password-e2e');
  await page.goto('/admin');
  await page.locator('.create-user summary').click();
  await page.getByLabel('Username').fill('newcomer');
  await page.getByLabel('Name', { exact: true }).fill('New Comer');
  await page.getByLabel('Email').fill('newcomer@example.com');
  await page.getByLabel('Password').fill('password123');
  await page.locator('.create-user').getByRole('button', { name: 'Create user' }).click();
  const row = page.locator('tr', { has: page.getByRole('link', { name: 'newcomer', exact: true }) });
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Block' }).click();
  await expect(page.locator('tr', { has: page.getByRole('link', { name: 'newcomer', exact: true }) })).toContainText('Blocked');
});

test('people who are not admins cannot use the dashboard', async ({ page }) => {
  await signIn(page, 'alice');
  await expect(page.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0);
  // As in GitLab, the page does not exist for them: a 404, not a refusal text.
  const response = await page.goto('/admin');
  expect(response?.status()).toBe(404);
  await expect(page.locator('.counters')).toHaveCount(0);
  await expect(page.locator('.create-user')).toHaveCount(0);
});

test('ten failed sign-ins lock an account until the admin unlocks it; the admin sets the limits', async ({ page }) => {
  // Twelve password checks (Argon2) and as many page loads: about 25 s alone, more beside the cargo tests.
  test.setTimeout(90_000);
  for (let attempt = 1; attempt <= 10; attempt++) {
    await page.goto('/users/sign_in');
    await page.getByLabel('Username or email').fill('grace');
    await page.getByLabel('Password').fill('not her password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText(attempt < 10 ? 'Invalid login or password.' : 'Your account is locked.');
  }
  // Locked: even the right password does not open a session.
  await page.getByLabel('Username or email').fill('grace');
  await page.getByLabel('Password').fill('laurel-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Your account is locked.');
  await expect(page.locator('.user-link')).toHaveCount(0);

  await signIn(page, 'root', 'root-password-e2e');
  await page.goto('/admin');
  await hydrated(page);
  const grace = () => page.locator('tr', { has: page.getByRole('link', { name: 'grace', exact: true }) });
  await expect(grace()).toContainText('locked');
  await grace().getByRole('button', { name: 'Unlock' }).click();
  await expect(grace()).not.toContainText('locked');
  await expect(grace().getByRole('button', { name: 'Unlock' })).toHaveCount(0);

  // The limits form shows the values in force and saves new ones.
  const reactions = page.getByLabel('Reactions per user per minute');
  await expect(reactions).toHaveValue('60');
  await expect(page.getByLabel('Failed sign-ins that lock an account')).toHaveValue('10');
  await reactions.fill('45');
  await page.getByRole('button', { name: 'Save limits' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByLabel('Reactions per user per minute')).toHaveValue('45');
  await page.locator('section', { hasText: 'Abuse limits' }).screenshot({ path: '../public/screenshots/admin-limits.png' });
  await page.getByLabel('Reactions per user per minute').fill('60');
  await page.getByRole('button', { name: 'Save limits' }).click();
  await expect(page.getByLabel('Reactions per user per minute')).toHaveValue('60');

  await openAccountMenu(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, 'grace');
});
