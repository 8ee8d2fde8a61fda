import { test, expect } from '@playwright/test';
import * as http from 'http';
import { AddressInfo } from 'net';
import { accessible, hydrated, signIn, ROOT_TOKEN } from './helpers';

const headers = { 'PRIVATE-TOKEN': ROOT_TOKEN };

// Whatever happens: no hooks left on the group, local addresses refused again.
test.afterEach(async ({ request }) => {
  const hooks = await request.get('/api/v4/groups/heroes/hooks', { headers });
  for (const hook of await hooks.json()) {
    await request.delete(`/api/v4/groups/heroes/hooks/${hook.id}`, { headers });
  }
  const reset = await request.put('/api/v4/application/settings', {
    headers,
    data: { allow_local_requests_from_web_hooks_and_services: false },
  });
  expect(reset.status()).toBe(200);
});

// The admin lets hooks reach the local network; an Owner adds a webhook on the
// group's webhooks page, a reaction reaches a real receiver, the page lists the
// delivery, and "Send again" delivers it once more with the same Idempotency-Key.
test('an Owner adds a webhook, sees its deliveries and sends one again', async ({ browser, page, request }) => {
  const received: { event: string; token: string; key: string; body: any }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({
        event: String(req.headers['x-gitlab-event']),
        token: String(req.headers['x-gitlab-token']),
        key: String(req.headers['idempotency-key']),
        body: JSON.parse(body),
      });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('thanks');
    });
  });
  await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', ready));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  let reaction: number | undefined;
  try {
    // Refused until the admin allows local addresses, from the admin dashboard.
    const alice = await (await browser.newContext()).newPage();
    await signIn(alice, 'alice');
    await alice.goto('/groups/heroes/-/achievements');
    await alice.getByRole('link', { name: 'Webhooks' }).click();
    await expect(alice.getByRole('heading', { level: 1 })).toHaveText('Webhooks of Laurel Heroes');
    await hydrated(alice);
    await expect(alice.getByText('No webhooks yet.')).toBeVisible();
    const add = async () => {
      await alice.locator('details.new-hook > summary').click();
      const dialog = alice.getByRole('dialog', { name: 'Add webhook' });
      await dialog.getByLabel('URL').fill(url);
      await dialog.getByLabel('Name').fill('Team chat');
      await dialog.getByLabel('Secret token').fill('chat-secret');
      await dialog.getByRole('button', { name: 'Save' }).click();
    };
    await add();
    await expect(alice.getByRole('alert')).toContainText('Requests to the local network are not allowed');

    await signIn(page, 'root', 'root-password-e2e');
    await page.goto('/admin');
    const setting = () => page.locator('form.setting', { hasText: 'Webhooks may reach local network addresses' });
    await expect(setting()).toContainText('Off');
    await setting().getByRole('button', { name: 'Turn on' }).click();
    await expect(setting()).toContainText('On');

    await add();
    await expect(alice.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
    const card = alice.locator('section.hook', { hasText: 'Team chat' });
    await expect(card).toContainText('Active');
    await expect(card).toContainText('secret token set');
    await expect(card).toContainText('Nothing sent yet.');

    // A reaction made over the API reaches the receiver as GitLab's emoji event.
    const made = await request.post('/api/v4/projects/heroes%2Fwebsite/issues/1/award_emoji', {
      headers,
      data: { name: 'hibiscus' },
    });
    expect(made.status()).toBe(201);
    reaction = (await made.json()).id;
    await expect.poll(() => received.length).toBe(1);
    expect(received[0].event).toBe('Emoji Hook');
    expect(received[0].token).toBe('chat-secret');
    expect(received[0].body.object_attributes.name).toBe('hibiscus');

    await alice.reload();
    const row = card.locator('table.deliveries tbody tr').first();
    await expect(row).toContainText('Emoji Hook');
    await expect(row).toContainText('Delivered · HTTP 200');
    await accessible(alice);
    await alice.screenshot({ path: '../public/screenshots/webhooks.png', fullPage: true });
    await row.getByRole('button', { name: 'Send again' }).click();
    await expect(alice.getByRole('status').filter({ hasText: 'Sent.' })).toBeVisible();
    await expect.poll(() => received.length).toBe(2);
    expect(received[1].key).toBe(received[0].key);

    // A Maintainer finds no such page; the Owner deletes the hook.
    const bob = await (await browser.newContext()).newPage();
    await signIn(bob, 'bob');
    await bob.goto('/groups/heroes/-/hooks');
    await expect(bob.getByRole('heading', { level: 1 })).not.toContainText('Webhooks');
    await expect(bob.locator('section.hook')).toHaveCount(0);
    await card.locator('details.manage > summary', { hasText: 'Delete' }).click();
    await card.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(alice.getByText('No webhooks yet.')).toBeVisible();
    await alice.context().close();
    await bob.context().close();
  } finally {
    receiver.close();
    if (reaction !== undefined) {
      await request.delete(`/api/v4/projects/heroes%2Fwebsite/issues/1/award_emoji/${reaction}`, { headers });
    }
  }
});
