import { test, expect, Page, APIRequestContext } from '@playwright/test';
import { accessible, hydrated, signIn, ROOT_TOKEN } from './helpers';

// Demo data: dave holds "First merge request" (Laurel Heroes); "Pixel perfect"
// belongs to Design (heroes/design), whose Owner is alice; carol holds it.
const DESIGN = '/groups/heroes/design/-/achievements';

async function graphql(request: APIRequestContext, query: string, variables: object = {}) {
  const answer = await request.post('/api/graphql', {
    headers: { Authorization: `Bearer ${ROOT_TOKEN}` },
    data: { query, variables },
  });
  expect(answer.status()).toBe(200);
  const body = await answer.json();
  expect(body.errors).toBeUndefined();
  return body.data;
}

function card(page: Page, name: string) {
  return page.locator('.achievement-card', { has: page.getByRole('heading', { name }) });
}

// Set on the page as it was loaded: still there means it was never reloaded.
async function mark(page: Page) {
  await page.evaluate(() => { (window as unknown as { notReloaded: boolean }).notReloaded = true; });
}
async function notReloaded(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
}

test('an award made over the API appears on an open profile, editor and dashboard without a reload', async ({ page, browser, request }) => {
  // A visitor on dave's profile, dave in his profile editor, alice on Design's dashboard.
  await page.goto('/dave');
  await hydrated(page);
  await expect(page.locator('.achievement', { hasText: 'First merge request' })).toBeVisible();
  await expect(page.locator('.achievement', { hasText: 'Pixel perfect' })).toHaveCount(0);
  const daveContext = await browser.newContext();
  const dave = await daveContext.newPage();
  await signIn(dave, 'dave');
  await dave.goto('/-/profile');
  await hydrated(dave);
  const aliceContext = await browser.newContext();
  const alice = await aliceContext.newPage();
  await signIn(alice, 'alice');
  await alice.goto(DESIGN);
  await hydrated(alice);
  await expect(card(alice, 'Pixel perfect')).toContainText('Awards: 1');
  for (const open of [page, dave, alice]) await mark(open);

  // Root awards it over GraphQL, as any API client would.
  const found = await graphql(request, '{ group(fullPath: "heroes/design") { achievements { nodes { id name } } } }');
  const pixel = found.group.achievements.nodes.find((n: { name: string }) => n.name === 'Pixel perfect').id;
  const users = await request.get('/api/v4/users?username=dave', { headers: { 'PRIVATE-TOKEN': ROOT_TOKEN } });
  const daveId = (await users.json())[0].id;
  const awarded = await graphql(
    request,
    'mutation($a: AchievementsAchievementID!, $u: UserID!) { achievementsAward(input: { achievementId: $a, userId: $u, awardMessage: "Live from the API" }) { userAchievement { id } errors } }',
    { a: pixel, u: `gid://gitlab/User/${daveId}` },
  );
  expect(awarded.achievementsAward.errors).toEqual([]);
  const awardId = awarded.achievementsAward.userAchievement.id;

  // It appears on all three, and screen readers hear of it.
  const badge = page.locator('.achievement', { hasText: 'Pixel perfect' });
  await expect(badge).toBeVisible();
  await expect(badge.locator('.achievement-detail')).toContainText('Live from the API');
  await expect(page.locator('[data-live-said]')).toHaveText('Achievements updated.');
  await expect(dave.locator('.award-row', { hasText: 'Pixel perfect' })).toBeVisible();
  await expect(dave.locator('.profile-preview')).toContainText('Pixel perfect');
  await expect(card(alice, 'Pixel perfect')).toContainText('Awards: 2');
  for (const open of [page, dave, alice]) await notReloaded(open);
  await accessible(page);
  await page.screenshot({ path: '../public/screenshots/live-award.png', fullPage: true });

  // The swapped editor works: dave hides the new award, and it leaves the
  // visitor's open profile. (The editor's own list catches up once focus leaves it.)
  const row = dave.locator('.award-row', { hasText: 'Pixel perfect' });
  await row.getByRole('button', { name: 'Hide' }).click();
  await expect(row.getByRole('button', { name: 'Show' })).toBeVisible();
  await expect(badge).toHaveCount(0);
  await expect(page.locator('.achievement', { hasText: 'First merge request' })).toBeVisible();
  await dave.locator('h1').click();

  // Revoked over the API: it leaves the editor and the dashboard's count.
  const revoked = await graphql(
    request,
    'mutation($id: AchievementsUserAchievementID!) { achievementsRevoke(input: { userAchievementId: $id }) { errors } }',
    { id: awardId },
  );
  expect(revoked.achievementsRevoke.errors).toEqual([]);
  await expect(dave.locator('.award-row', { hasText: 'Pixel perfect' })).toHaveCount(0);
  await expect(card(alice, 'Pixel perfect')).toContainText('Awards: 1');
  for (const open of [page, dave, alice]) await notReloaded(open);
  await daveContext.close();
  await aliceContext.close();
});
