import { test, expect, Page } from '@playwright/test';
import { accessible, hydrated, signIn } from './helpers';

// The award ids in the manager, top to bottom.
async function order(page: Page): Promise<string[]> {
  return page.locator('.award-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-award-id') ?? ''));
}

// Resolves once the server has answered the server function `endpoint`: a
// change is saved before the test reloads (`waitForLoadState('networkidle')`
// is no barrier: it resolves at once once the page has been idle before).
function saved(page: Page, endpoint: string) {
  return page.waitForResponse((r) => r.url().includes(`/${endpoint}`) && r.request().method() === 'POST');
}

// The live preview's tiles, left to right: the achievements' names.
async function preview(page: Page): Promise<string[]> {
  return page.locator('.profile-preview .preview-name').allTextContents();
}

// The names of the awards with these ids, one per achievement, first one first.
async function tilesFor(page: Page, ids: string[]): Promise<string[]> {
  const names: Record<string, string> = {};
  for (const row of await page.locator('.award-row').all()) {
    names[(await row.getAttribute('data-award-id')) ?? ''] = (await row.locator('.award-name').textContent()) ?? '';
  }
  return [...new Set(ids.map((id) => names[id]))];
}

test('the recipient reorders by keyboard, and the order survives a reload', async ({ page }) => {
  await signIn(page, 'carol');
  await page.goto('/-/profile');
  await hydrated(page);
  await accessible(page);
  const before = await order(page);
  expect(before.length).toBeGreaterThan(2);
  const second = page.locator('.award-row').nth(1).locator('.drag-handle');
  await second.focus();
  await page.keyboard.press('Space');
  await expect(page.locator('[role="status"][aria-live]')).toContainText('Picked up');
  await expect(second).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('ArrowUp');
  await expect(page.locator('[role="status"][aria-live]')).toContainText('position 1 of');
  const first = saved(page, 'reorder_awards');
  await page.keyboard.press('Space');
  await expect(page.locator('[role="status"][aria-live]')).toContainText('Dropped');
  const expected = [before[1], before[0], ...before.slice(2)];
  expect(await order(page)).toEqual(expected);
  expect((await first).ok()).toBe(true);
  await page.reload();
  await hydrated(page);
  expect(await order(page)).toEqual(expected);

  // Escape puts it back where it was.
  const handle = page.locator('.award-row').nth(0).locator('.drag-handle');
  await handle.focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await page.keyboard.press('Escape');
  await expect(page.locator('[role="status"][aria-live]')).toContainText('cancelled');
  expect(await order(page)).toEqual(expected);

  // Keys pressed back to back (key repeat, assistive technology) each count,
  // even while the moved row re-renders (sent without waiting for each other,
  // the second arrived while focus was away from the moved handle, and was lost).
  const third = page.locator('.award-row').nth(2).locator('.drag-handle');
  await third.focus();
  await page.keyboard.press('Space');
  await Promise.all([page.keyboard.press('ArrowUp'), page.keyboard.press('ArrowUp')]);
  const again = saved(page, 'reorder_awards');
  await page.keyboard.press('Space');
  await expect(page.locator('[role="status"][aria-live]')).toContainText('Dropped');
  const twice = [expected[2], expected[0], expected[1], ...expected.slice(3)];
  await expect.poll(() => order(page)).toEqual(twice);
  expect((await again).ok()).toBe(true);
  await page.reload();
  await hydrated(page);
  expect(await order(page)).toEqual(twice);
  await page.screenshot({ path: '../public/screenshots/profile-editor.png', fullPage: true });
});

test('the recipient reorders by mouse drag and by the move menu', async ({ page }) => {
  await signIn(page, 'carol');
  await page.goto('/-/profile');
  await hydrated(page);
  const before = await order(page);
  // Drag the third row's handle above the first row (the list in view).
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.locator('.award-manager').scrollIntoViewIfNeeded();
  const handle = page.locator('.award-row').nth(2).locator('.drag-handle');
  const target = await page.locator('.award-row').nth(0).boundingBox();
  const from = await handle.boundingBox();
  if (!target || !from) throw new Error('rows are laid out');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, target.y + 4, { steps: 12 });
  await expect(page.locator('.award-row.drop-before')).toHaveCount(1);
  // The preview of the profile already shows where the award would land.
  const dragged = [before[2], before[0], before[1], ...before.slice(3)];
  await expect.poll(() => preview(page)).toEqual(await tilesFor(page, dragged));
  const drop = saved(page, 'reorder_awards');
  await page.mouse.up();
  expect(await order(page)).toEqual(dragged);
  expect((await drop).ok()).toBe(true);

  // The move menu: the last one to the top.
  const last = page.locator('.award-row').last();
  await last.locator('.move-menu summary').click();
  const moved = saved(page, 'reorder_awards');
  await last.getByRole('button', { name: 'Move to top' }).click();
  const menu = [dragged[dragged.length - 1], ...dragged.slice(0, -1)];
  await expect.poll(() => order(page)).toEqual(menu);
  expect((await moved).ok()).toBe(true);
  await page.reload();
  await hydrated(page);
  expect(await order(page)).toEqual(menu);
});

test('a hidden achievement disappears for other viewers', async ({ page, browser }) => {
  await signIn(page, 'carol');
  await page.goto('/-/profile');
  await hydrated(page);
  const row = page.locator('.award-row', { hasText: 'Bug hunter' });
  await expect(page.locator('.profile-preview')).toContainText('Bug hunter');
  const hidden = saved(page, 'set_award_shown');
  await row.getByRole('button', { name: 'Hide' }).click();
  await expect(row.getByRole('button', { name: 'Show' })).toBeVisible();
  // The preview beside the list drops it at once.
  expect(await preview(page)).not.toContain('Bug hunter');
  expect(await preview(page)).toContain('Contributor of the month');
  expect((await hidden).ok()).toBe(true);
  const visitor = await browser.newContext();
  const other = await visitor.newPage();
  await other.goto('/carol');
  await expect(other.locator('.achievement', { hasText: 'Contributor of the month' })).toBeVisible();
  await expect(other.locator('.achievement', { hasText: 'Bug hunter' })).toHaveCount(0);
  // Shown again, it is back.
  const shown = saved(page, 'set_award_shown');
  await row.getByRole('button', { name: 'Show' }).click();
  await expect(row.getByRole('button', { name: 'Hide' })).toBeVisible();
  expect((await shown).ok()).toBe(true);
  await other.reload();
  await expect(other.locator('.achievement', { hasText: 'Bug hunter' })).toBeVisible();
  await visitor.close();
});

test('the editor works with JavaScript disabled', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'carol');
  await page.goto('/-/profile');
  const before = await order(page);
  const last = page.locator('.award-row').last();
  await last.locator('.move-menu summary').click();
  await last.getByRole('button', { name: 'Move to top' }).click();
  // Without scripts the toast stays until its close link, a plain link back.
  await expect(page).toHaveURL(/\/-\/profile\?done=reordered$/);
  const toast = page.getByRole('status').filter({ hasText: 'Order saved.' });
  await expect(toast).toBeVisible();
  await toast.getByRole('link', { name: 'Dismiss' }).click();
  await expect(page).toHaveURL(/\/-\/profile$/);
  await expect(toast).toHaveCount(0);
  expect(await order(page)).toEqual([before[before.length - 1], ...before.slice(0, -1)]);
  const row = page.locator('.award-row', { hasText: 'First merge request' });
  await row.getByRole('button', { name: 'Hide' }).click();
  await expect(page.locator('.award-row', { hasText: 'First merge request' }).getByRole('button', { name: 'Show' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Hidden from your profile.' })).toBeVisible();
  await page.locator('.award-row', { hasText: 'First merge request' }).getByRole('button', { name: 'Show' }).click();
  // Settings are a plain form too.
  await page.getByLabel('Display achievements on your profile').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await context.close();
});
