import { test, expect, Page } from '@playwright/test';
import { accessible, signIn, ROOT_TOKEN } from './helpers';

const headers = { 'PRIVATE-TOKEN': ROOT_TOKEN };
let achievement: number;

// A fresh achievement for each run, deleted after (its awards go with it).
test.beforeEach(async ({ request }) => {
  const made = await request.post('/api/v4/groups/heroes/achievements', {
    headers,
    data: { name: 'Docs hero', description: 'Awarded from a file' },
  });
  expect(made.status()).toBe(201);
  achievement = (await made.json()).id;
});
test.afterEach(async ({ request }) => {
  await request.delete(`/api/v4/groups/heroes/achievements/${achievement}`, { headers });
});

const FILE = {
  name: 'people.csv',
  mimeType: 'text/csv',
  buffer: Buffer.from('username,message\ncarol,Thank you for the docs!\nnobody-here,\n@carol,again\ndave,\n'),
};

const openPage = async (page: Page) => {
  await page.goto('/groups/heroes/-/achievements');
  const card = page.locator(`#achievement-${achievement}`);
  await card.locator('details.card-menu > summary').click();
  await card.getByRole('link', { name: 'Award from a file' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('from a file');
};

// A Maintainer checks a file (progress, the report line by line), downloads
// the report, then applies it; the awards are there.
test('a Maintainer awards an achievement from a CSV file after a dry run', async ({ page, request }) => {
  await signIn(page, 'bob');
  await openPage(page);
  await expect(page.getByRole('button', { name: 'Award everyone it names' })).toHaveCount(0);
  await expect(page.locator('.bulk-progress')).toBeHidden();
  await page.getByLabel('CSV file').setInputFiles(FILE);
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.locator('.bulk-progress progress')).toHaveJSProperty('value', 100);
  await expect(page.locator('.bulk-progress')).toContainText('File sent and read');
  await expect(page.locator('.bulk-summary')).toHaveText('Checked: nothing has changed yet.');
  await expect(page.locator('.bulk-counts')).toContainText('2 get it · 1 unknown');
  const rows = page.locator('table.bulk-report tbody tr');
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(1)).toContainText('Nobody by that name');
  await expect(rows.nth(2)).toContainText('Named before, on line 2');
  await accessible(page);
  await page.screenshot({ path: '../public/screenshots/bulk-award.png', fullPage: true });
  let awards = await request.get(`/api/v4/groups/heroes/achievements/${achievement}/awards`, { headers });
  expect(await awards.json()).toEqual([]);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download the report (CSV)' }).click(),
  ]);
  const report = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(report).toString();
  expect(text).toContain('line,given,username,outcome,first_line,reason');
  expect(text).toContain('3,nobody-here,,unknown,,');

  await page.getByRole('button', { name: 'Award the 2 who get it' }).click();
  await expect(page.locator('.bulk-summary')).toHaveText('Done: 2 awarded.');
  awards = await request.get(`/api/v4/groups/heroes/achievements/${achievement}/awards`, { headers });
  const holders = (await awards.json()).map((a: any) => a.user.username).sort();
  expect(holders).toEqual(['carol', 'dave']);
  // Checked again, the same file now says they hold it.
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.locator('.bulk-counts')).toContainText('0 get it');
  await expect(page.locator('.bulk-counts')).toContainText('3 already hold it');
});

// Without JavaScript the check answers with the report as a file; a
// Developer finds no such page.
test('without JavaScript the check downloads the report; others find no page', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, 'bob');
  await page.goto(`/groups/heroes/-/achievements/${achievement}/bulk`);
  await page.getByLabel('CSV file').setInputFiles(FILE);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Check the file' }).click(),
  ]);
  const text = Buffer.concat(await (await download.createReadStream()).toArray()).toString();
  expect(text).toContain('2,carol,carol,award,,');
  await context.close();

  const carol = await (await browser.newContext()).newPage();
  await signIn(carol, 'carol');
  await carol.goto(`/groups/heroes/-/achievements/${achievement}/bulk`);
  await expect(carol.getByLabel('CSV file')).toHaveCount(0);
  await carol.context().close();
});
