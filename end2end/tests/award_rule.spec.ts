import { test, expect } from '@playwright/test';
import { accessible, signIn, ROOT_TOKEN } from './helpers';

const headers = { 'PRIVATE-TOKEN': ROOT_TOKEN };
let achievement: number;

// A fresh achievement for each run, deleted after (its rule and awards go with it).
test.beforeEach(async ({ request }) => {
  const made = await request.post('/api/v4/groups/heroes/achievements', {
    headers,
    data: { name: 'Well liked', description: 'Two reactions on your work' },
  });
  expect(made.status()).toBe(201);
  achievement = (await made.json()).id;
});
test.afterEach(async ({ request }) => {
  await request.delete(`/api/v4/groups/heroes/achievements/${achievement}`, { headers });
});

// A Maintainer chooses a rule, previews who meets it, saves it (which awards
// them), and removes it; a Developer finds no such page.
test('a Maintainer previews and saves an automatic award rule', async ({ browser, page, request }) => {
  await signIn(page, 'bob');
  await page.goto('/groups/heroes/-/achievements');
  const card = page.locator(`#achievement-${achievement}`);
  await card.locator('details.card-menu > summary').click();
  await card.getByRole('link', { name: 'Automatic award rule' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Automatic award rule for “Well liked”');
  await expect(page.getByText('This achievement has no rule')).toBeVisible();
  await accessible(page);

  // A rule that is not one says why, and saves nothing.
  await page.getByLabel('How many').fill('2');
  await page.getByLabel('Only this emoji').fill('not-an-emoji');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByRole('alert')).toHaveText('Emoji is not a valid emoji name');

  await page.getByLabel('Only this emoji').fill('');
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.locator('.rule-preview');
  await expect(preview).toContainText('Received 2 reactions on their issues, merge requests or comments in the group');
  await expect(preview).toContainText('People who meet it now and would get the achievement: 1.');
  await expect(preview.getByRole('link', { name: '@carol' })).toBeVisible();
  await accessible(page);
  await page.screenshot({ path: '../public/screenshots/award-rule.png', fullPage: true });
  let awards = await request.get(`/api/v4/groups/heroes/achievements/${achievement}/awards`, { headers });
  expect(await awards.json()).toEqual([]);

  await preview.getByRole('button', { name: 'Save the rule and award them' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.locator('.current-rule')).toContainText('Received 2 reactions');
  awards = await request.get(`/api/v4/groups/heroes/achievements/${achievement}/awards`, { headers });
  expect((await awards.json()).map((a: any) => a.user.username)).toEqual(['carol']);

  // The group's audit log (its Owner's) says which rule granted it.
  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, 'alice');
  await alice.goto('/groups/heroes/-/achievements/audit');
  const grant = alice.locator('.audit-table tbody tr', { hasText: 'awarded (by a rule)' }).first();
  await expect(grant).toContainText('reactions_received >= 2');
  await expect(grant).toContainText('@carol');
  await alice.context().close();

  const carol = await (await browser.newContext()).newPage();
  await signIn(carol, 'carol');
  await carol.goto(`/groups/heroes/-/achievements/${achievement}/rule`);
  await expect(carol.getByRole('button', { name: 'Preview' })).toHaveCount(0);
  await carol.context().close();

  await page.getByRole('button', { name: 'Remove the rule (its awards stay)' }).click();
  await expect(page.getByText('This achievement has no rule')).toBeVisible();
  awards = await request.get(`/api/v4/groups/heroes/achievements/${achievement}/awards`, { headers });
  expect((await awards.json()).length).toBe(1);
});
