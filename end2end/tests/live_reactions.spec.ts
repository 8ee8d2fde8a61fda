import { test, expect, Page } from '@playwright/test';
import { accessible, hydrated, signIn, ROOT_TOKEN } from './helpers';

// Demo data: heroes/website issue #1 has 👍 x3 (bob, dave, alice) and 👀 (erin);
// its first comment has ❤️ (carol).
const ISSUE = '/heroes/website/-/issues/1';

// The issue's own reaction bar: the first of the page's (each comment has one after it).
function itemBar(page: Page) {
  return page.getByRole('group', { name: 'Reactions', exact: true }).first();
}

function reaction(page: Page, name: string) {
  return itemBar(page).locator(`form:has(input[name="name"][value="${name}"]) .reaction`);
}

test('a project lists its issues and merge requests, which lead to their pages', async ({ page }) => {
  await page.goto('/heroes/website');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Website');
  await accessible(page);
  await page.getByRole('link', { name: /Dark mode flickers on load/ }).click();
  await expect(page).toHaveURL(new RegExp(`${ISSUE}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Dark mode flickers on load');
  await page.goto('/heroes/website/-/merge_requests/1');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Fix dark mode flicker');
  await expect(itemBar(page)).toContainText('🎉');
});

test('two browsers on one issue see each other\'s reactions live, and the API\'s too', async ({ browser, request }) => {
  const bobContext = await browser.newContext();
  const carolContext = await browser.newContext();
  const bob = await bobContext.newPage();
  const carol = await carolContext.newPage();
  await signIn(bob, 'bob');
  await signIn(carol, 'carol');
  await bob.goto(ISSUE);
  await carol.goto(ISSUE);
  await hydrated(bob);
  await hydrated(carol);
  await expect(reaction(carol, 'thumbsup').locator('.count')).toHaveText('3');
  await accessible(carol);

  // Bob adds 🎉 from the picker; Carol sees it appear without reloading.
  await itemBar(bob).locator('.picker summary').click();
  await itemBar(bob).locator('.picker').getByRole('button', { name: ':tada:' }).click();
  await expect(reaction(bob, 'tada')).toHaveAttribute('aria-pressed', 'true');
  await expect(reaction(carol, 'tada').locator('.count')).toHaveText('1');
  await expect(reaction(carol, 'tada')).toHaveAttribute('aria-pressed', 'false');
  await expect(reaction(carol, 'tada')).toHaveAttribute('title', /bob/);

  // Carol adds hers; both see 2. Bob takes back his 👍: Carol sees 2.
  await reaction(carol, 'tada').click();
  await expect(reaction(carol, 'tada')).toHaveAttribute('aria-pressed', 'true');
  await expect(reaction(bob, 'tada').locator('.count')).toHaveText('2');
  await reaction(bob, 'thumbsup').click();
  await expect(reaction(carol, 'thumbsup').locator('.count')).toHaveText('2');

  // A reaction made over the REST API shows up in both pages.
  const added = await request.post('/api/v4/projects/1/issues/1/award_emoji?name=rocket', {
    headers: { 'PRIVATE-TOKEN': ROOT_TOKEN },
  });
  expect(added.status()).toBe(201);
  await expect(reaction(bob, 'rocket').locator('.count')).toHaveText('1');
  await expect(reaction(carol, 'rocket').locator('.count')).toHaveText('1');

  // Comments react live too: Carol takes back her ❤️ and it leaves Bob's page.
  const heart = (page: Page) => page.locator('.note').first().locator('form:has(input[value="heart"]) .reaction');
  await expect(heart(bob).locator('.count')).toHaveText('1');
  await heart(carol).click();
  await expect(heart(bob)).toHaveCount(0);
  await bob.screenshot({ path: '../public/screenshots/issue.png', fullPage: true });
  await bobContext.close();
  await carolContext.close();
});

test('anonymous visitors see reactions but no buttons to press', async ({ page }) => {
  await page.goto(ISSUE);
  await hydrated(page);
  await expect(itemBar(page).locator('span.reaction').first()).toBeVisible();
  await expect(itemBar(page).locator('button')).toHaveCount(0);
  await expect(itemBar(page).locator('.picker')).toHaveCount(0);
});

test('reacting works with JavaScript disabled', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'dave');
  await page.goto(ISSUE);
  const eyes = reaction(page, 'eyes');
  await expect(eyes).toHaveAttribute('aria-pressed', 'false');
  const before = Number(await eyes.locator('.count').textContent());
  await eyes.click();
  await expect(page).toHaveURL(new RegExp(`${ISSUE}$`));
  await expect(reaction(page, 'eyes')).toHaveAttribute('aria-pressed', 'true');
  await expect(reaction(page, 'eyes').locator('.count')).toHaveText(String(before + 1));
  // The picker is a plain <details>: it opens and its choices post too.
  await itemBar(page).locator('.picker summary').click();
  await itemBar(page).locator('.picker').getByRole('button', { name: ':rocket:' }).click();
  await expect(reaction(page, 'rocket')).toHaveAttribute('aria-pressed', 'true');
  await context.close();
});
