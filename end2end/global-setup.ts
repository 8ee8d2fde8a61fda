// The suite signs in far faster than people do (dozens of times a minute from
// one address): the per-address sign-in throttle, tested over HTTP in
// server/tests/abuse_limits.rs, is turned off for it through the admin API.
// (Playwright starts the webServer before this runs.)
import { ROOT_TOKEN } from './tests/helpers';

export default async function globalSetup() {
  const port = Number(process.env.E2E_PORT ?? 3917);
  const response = await fetch(`http://127.0.0.1:${port}/api/v4/application/settings`, {
    method: 'PUT',
    headers: { 'PRIVATE-TOKEN': ROOT_TOKEN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ throttle_protected_paths_requests_per_period: 0 }),
  });
  if (response.status !== 200) {
    throw new Error(`could not set the e2e limits: ${response.status} ${await response.text()}`);
  }
}
