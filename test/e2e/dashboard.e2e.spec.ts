import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSystem, type RunningSystem, waitFor } from '@jobstream/testing';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { getJson, postJson } from './http';

jest.setTimeout(240_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = resolve(__dirname, '../../artifacts/screenshots');
const TENANT = 'acme';

/**
 * The dashboard in a real headless Chromium against the real system: jobs submitted through the API
 * show up and change status live (no reload), Cancel on a running delay job ends it CANCELLED, a
 * history opens, and the Jobs Management row of a definition follows its run.
 */
describe('dashboard end to end (headless Chromium, real processes)', () => {
  let system: RunningSystem;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  const api = (path: string) => `${system.gatewayUrl}/${TENANT}/api${path}`;
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const rowOf = (jobId: string) => page.locator(`tr[data-job-id="${jobId}"]`);

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    system = await startSystem({ env: { AUTH: 'off', SSE_POLL_MS: '2000' } });
    profile = mkdtempSync(join(tmpdir(), 'jobstream-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1366, height: 768 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    // The tenant is a dashboard setting kept in localStorage, like the API key.
    // Scripts run in the page are strings: this project compiles without the DOM library.
    await page.addInitScript(`localStorage.setItem('jobstream.tenant', ${JSON.stringify(TENANT)})`);
  });

  afterAll(async () => {
    await context?.close();
    await system?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('shows submitted jobs live, cancels a running delay job and opens its history', async () => {
    await page.goto(`${system.gatewayUrl}/dashboard#/jobs`);
    await page.locator('[data-testid="jobs-table"]').waitFor({ timeout: 20_000 });
    // Set once: if the page reloaded, the marker would be gone.
    await page.evaluate('window.noReload = true');

    const quick = await Promise.all(
      ['noop', 'echo', 'noop'].map(async (type, i) => (await postJson(api('/jobs'), { type, payload: type === 'echo' ? { message: `hello ${i}` } : {} })).body.jobId as string),
    );
    const delay = (await postJson(api('/jobs'), { type: 'delay', payload: { delay: 'PT120S' } })).body.jobId as string;
    const broken = (await postJson(api('/jobs'), { type: 'delay', payload: { delay: 'soon' }, retry: { maxAttempts: 1 } })).body.jobId as string;

    for (const jobId of quick) {
      await rowOf(jobId).locator('[data-testid="job-status"]', { hasText: 'COMPLETED' }).waitFor({ timeout: 30_000 });
    }
    await rowOf(broken).locator('[data-testid="job-status"]', { hasText: 'FAILED' }).waitFor({ timeout: 30_000 });
    await rowOf(delay).locator('[data-testid="job-status"]', { hasText: 'RUNNING' }).waitFor({ timeout: 30_000 });
    await shot('jobs-live');

    await rowOf(delay).getByRole('button', { name: 'Cancel' }).click();
    await rowOf(delay).locator('[data-testid="job-status"]', { hasText: 'CANCELLED' }).waitFor({ timeout: 30_000 });
    expect((await getJson(api(`/jobs/${delay}`))).body.status).toBe('CANCELLED');
    expect(await page.evaluate('window.noReload')).toBe(true);
    await shot('jobs-cancelled');

    await rowOf(delay).getByRole('link', { name: `History of job ${delay}` }).click();
    const timeline = page.locator('[data-testid="timeline"]');
    await timeline.waitFor({ timeout: 10_000 });
    await waitFor(async () => (await timeline.textContent())?.includes('job.cancelled') === true, 10_000, 100);
    const types = await timeline.locator('.event-type').allTextContents();
    expect(types[0]).toBe('job.submitted');
    expect(types).toEqual(expect.arrayContaining(['job.started', 'job.cancel-requested', 'job.cancelled']));
    await expect(page.locator('[data-testid="detail-status"]').textContent()).resolves.toContain('CANCELLED');
    await shot('job-history');

    // The failed job shows its error with the stack.
    await page.goto(`${system.gatewayUrl}/dashboard#/jobs/${broken}`);
    await page.locator('.job-error .stack').waitFor({ timeout: 10_000 });
    await shot('job-error');
  });

  it('follows a job definition run in the Jobs Management table', async () => {
    const created = await postJson(api('/job-definitions'), { name: 'nightly-report', description: 'Builds the nightly report', type: 'delay', configuration: { delay: 'PT2S' }, enabled: true });
    expect(created.status).toBe(201);
    const id = created.body.definitionId as string;
    await postJson(api('/job-definitions'), { name: 'archive-cleaner', description: 'Deletes archived files', type: 'noop', enabled: false });

    await page.goto(`${system.gatewayUrl}/dashboard#/definitions`);
    const table = page.locator('[data-testid="definitions-table"]');
    await table.waitFor({ timeout: 20_000 });
    const headers = await table.locator('thead th').allTextContents();
    expect(headers.map((h) => h.replace(/[▲▼]/g, '').trim())).toEqual(['Name', 'Description', 'Type', 'Status', 'Last Run Result', 'Last Run Time', 'Next Run Time', 'Active on Host', 'Actions']);
    const row = page.locator(`tr[data-definition-id="${id}"]`);
    await row.waitFor({ timeout: 20_000 });
    await row.getByRole('button', { name: 'Start' }).click();
    // The last run result is the run's job status (COMPLETED, FAILED, CANCELLED): one name per idea.
    await row.locator('td', { hasText: 'COMPLETED' }).waitFor({ timeout: 30_000 });
    await shot('jobs-management');

    // Its History lists the run.
    await row.getByRole('link', { name: 'History of nightly-report' }).click();
    const runs = page.locator('[data-testid="jobs-table"] tbody tr[data-job-id]');
    await runs.first().waitFor({ timeout: 10_000 });
    expect(await runs.count()).toBe(1);
  });

  it('serves the metrics of every service through the gateway', async () => {
    const res = await fetch(`${system.gatewayUrl}/metrics/all`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const service of ['gateway', 'scheduler', 'executor', 'lock-manager', 'projector']) expect(text).toContain(`service="${service}"`);
    expect(text).toMatch(/jobstream_jobs\{[^}]*tenant="acme"[^}]*status="COMPLETED"[^}]*\} [1-9]/);
    expect(text).toMatch(/jobstream_event_append_seconds_count\{[^}]*aggregate="job"/);
    expect(text).toMatch(/jobstream_queue_depth\{[^}]*type="delay"/);
    expect(text).toMatch(/jobstream_projector_lag_events\{/);
    expect(text).toMatch(/jobstream_executor_capacity\{/);
    expect(text).toMatch(/jobstream_handler_duration_seconds_count\{[^}]*type="noop"[^}]*outcome="returned"/);
  });

  it('shows the executors and the locks, with labelled controls throughout', async () => {
    await page.goto(`${system.gatewayUrl}/dashboard#/executors`);
    await page.getByRole('heading', { name: 'Executors' }).waitFor();
    await page.locator('table tbody tr').first().waitFor({ timeout: 20_000 });
    await shot('executors');

    await page.goto(`${system.gatewayUrl}/dashboard#/locks`);
    await page.getByRole('heading', { name: 'Locks' }).waitFor();
    await shot('locks');

    // Every control has an accessible name; every form field has its label.
    const unlabelled = await page.evaluate(`
      [...document.querySelectorAll('button, a, input, select')]
        .filter((el) => el.matches('input, select') ? !el.closest('label') : !((el.textContent || '').trim() || el.getAttribute('aria-label')))
        .map((el) => el.outerHTML.slice(0, 80))
    `);
    expect(unlabelled).toEqual([]);
  });
});
