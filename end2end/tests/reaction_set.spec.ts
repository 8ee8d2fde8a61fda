import { test, expect } from '@playwright/test';
import { accessible, hydrated, signIn, ROOT_TOKEN } from './helpers';

// Back to every emoji whatever happens: the other journeys react freely.
test.afterEach(async ({ request }) => {
  const reset = await request.put('/api/v4/groups/heroes/reaction_set', {
    headers: { 'PRIVATE-TOKEN': ROOT_TOKEN },
    data: { emoji: [], downvotes: true },
  });
  expect(reset.status()).toBe(200);
});

// An Owner narrows the group's reactions; an issue's picker then offers only those.
test('an Owner chooses the reaction set and the picker follows it', async ({ browser, page }) => {
  await signIn(page, 'alice');
  await page.goto('/groups/heroes/-/achievements');
  await hydrated(page);
  await page.locator('details.reaction-set > summary').click();
  const dialog = page.getByRole('dialog', { name: 'Reactions' });
  await expect(dialog).toBeVisible();
  await accessible(page);
  await dialog.getByLabel("Emoji this group's projects take").fill('thumbsup tada heart');
  await dialog.getByLabel('Allow 👎 (thumbsdown)').uncheck();
  await page.screenshot({ path: '../public/screenshots/reaction-set.png' });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  const carol = await (await browser.newContext()).newPage();
  await signIn(carol, 'carol');
  await carol.goto('/heroes/website/-/issues/1');
  await hydrated(carol);
  const bar = carol.locator('.reactions').first();
  await bar.locator('details.picker > summary').click();
  const choices = bar.locator('.picker-panel .emoji-choice');
  await expect(choices).toHaveCount(3);
  await expect(bar.locator('.picker-panel')).not.toContainText('👎');
  await expect(bar.locator('.picker-panel [title=":rocket:"]')).toHaveCount(0);
  await accessible(carol);
  await carol.context().close();
});
