import { test, expect } from '@playwright/test';
import { accessible, hydrated, signIn } from './helpers';

// An Owner opens the group's audit log from its dashboard and narrows it to
// one person; the rarity line says how widely each achievement is held.
test('an Owner reads and filters the group audit log', async ({ page }) => {
  await signIn(page, 'alice');
  await page.goto('/groups/heroes/-/achievements');
  await hydrated(page);
  const month = page.locator('.achievement-card', { hasText: 'Contributor of the month' });
  await expect(month.locator('.rarity-line')).toContainText(/Held by \d+ members?, \d+%/);
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log of Laurel Heroes' })).toBeVisible();
  const rows = page.locator('.audit-table tbody tr');
  await expect(rows.first()).toBeVisible();
  const all = await rows.count();
  await expect(page.locator('.audit-table')).toContainText('awarded');

  await page.getByLabel('Person', { exact: true }).fill('dave');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/person=dave/);
  const filtered = await rows.count();
  expect(filtered).toBeGreaterThan(0);
  expect(filtered).toBeLessThan(all);
  for (const row of await rows.all()) await expect(row).toContainText('@dave');
  await accessible(page);

  // By achievement, from its menu: every row names it.
  await page.getByRole('link', { name: 'Clear' }).click();
  await page.getByLabel('Achievement', { exact: true }).selectOption({ label: 'First merge request' });
  await page.getByRole('button', { name: 'Filter' }).click();
  for (const row of await rows.all()) await expect(row).toContainText('First merge request');
  await page.screenshot({ path: '../public/screenshots/group-audit.png', fullPage: true });
});

// A Maintainer has no such page.
test('a Maintainer finds no audit log', async ({ page }) => {
  await signIn(page, 'bob');
  await page.goto('/groups/heroes/-/achievements');
  await hydrated(page);
  await expect(page.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  const response = await page.goto('/groups/heroes/-/achievements/audit');
  expect(response?.status()).toBe(404);
  await expect(page.locator('.audit-table')).toHaveCount(0);
});
