#!/usr/bin/env node
// tests/browser/run.mjs -- the dashboard's browser tests: playwright-core driving Debian's Chromium.
//
//   CSPD=build/cspd TEST_OUTPUT=test-output node tests/browser/run.mjs [FILTER...]
//
// Starts its own cspd (`$CSPD serve --store memory --sandbox --demo --port 0`) unless BASE_URL names a
// running sandbox server with the demo world (the tests reset it: never point it at data you keep).
// Runs every tests/browser/*.test.mjs (or those whose file name contains a FILTER). A test file exports
//
//   export const tests = [{ name, run: async (t) => {...} }, ...];
//   export const serial = true;   // optional: the tests are the steps of one walk: they share t.state
//                                 // and their browser contexts; after a failure the rest are skipped
//
// Each test (each serial file) gets fresh browser contexts: t.page is one (1280x800); t.party(label,
// opts) opens another (one per signed-in user); t.note(text) prints "#   note: text" under the result
// (e.g. a step done through the API because its page is missing). Prints "ok - name" / "not ok - name" per test and a
// last line "N passed, N failed[, N skipped]"; for each failure it saves a screenshot, the page's HTML
// and the page's console of every open page into $TEST_OUTPUT/browser/; exits 1 on any failure.
//
// Environment: CSPD (default build/cspd), BASE_URL, TEST_OUTPUT (default ./test-output),
// CHROMIUM (default /usr/bin/chromium), TEST_TIMEOUT_MS (one test, default 60000), BROWSER_SHOTS=1
// (save the screenshots of passing tests too, to look at the pages).
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const OUT_ROOT = path.resolve(process.env.TEST_OUTPUT || path.join(process.cwd(), 'test-output'));
const OUT = path.join(OUT_ROOT, 'browser');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TEST_TIMEOUT = Number(process.env.TEST_TIMEOUT_MS || 60000);
const filters = process.argv.slice(2);

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
process.env.no_proxy = '*';
process.env.NO_PROXY = '*';

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

// --- the server ----------------------------------------------------------------------------------

// Mirrors tests/lib.sh start_server: cspd prints "... listening on http://ADDR:PORT ..." on stdout.
function startServer() {
  const cspd = path.resolve(process.cwd(), process.env.CSPD || path.join(ROOT, 'build/cspd'));
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('CSPD_')) delete env[k];
  const child = spawn(cspd, ['serve', '--store', 'memory', '--sandbox', '--demo', '--port', '0'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(path.join(OUT, 'cspd.out'));
  const err = createWriteStream(path.join(OUT, 'cspd.err'));
  child.stderr.pipe(err);
  return new Promise((resolve, reject) => {
    let buf = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`cspd did not say where it listens within 10 s (${cspd})`)), 10000);
    function finish(e, url) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (e) { child.kill('SIGKILL'); reject(e); } else resolve({ url, child });
    }
    child.stdout.on('data', (d) => {
      out.write(d);
      if (done) return;
      buf += d.toString();
      const m = buf.match(/listening on (http:[^ \n]+)/);
      if (m) finish(null, m[1]);
    });
    child.on('error', (e) => finish(new Error(`cannot start ${cspd}: ${e.message}`)));
    child.on('exit', (code) => finish(new Error(`cspd exited (${code}) before listening; see ${path.join(OUT, 'cspd.err')}`)));
  });
}

async function stopServer(child) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

// --- one run of a test (or of a serial file) -----------------------------------------------------

const safe = (s) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);

class Session {
  constructor(browser, base) {
    this.browser = browser;
    this.base = base;
    this.parties = [];   // {label, context, page, console: []}
    this.state = {};
    this.stepName = null;
    this.page = null;
  }

  // A fresh browser context (own cookies) with one page; pages are kept for the failure artifacts.
  async party(label, opts = {}) {
    const context = await this.browser.newContext({
      baseURL: this.base,
      viewport: opts.viewport || { width: 1280, height: 800 },
      ...(opts.context || {}),
    });
    context.setDefaultTimeout(opts.timeout || 10000);
    const page = await context.newPage();
    const entry = { label, context, page, console: [] };
    page.on('console', (m) => entry.console.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => entry.console.push(`[pageerror] ${e.message}`));
    page.on('requestfailed', (r) => entry.console.push(`[requestfailed] ${r.method()} ${r.url()} ${r.failure() && r.failure().errorText}`));
    page.on('response', (r) => { if (r.status() >= 400) entry.console.push(`[http ${r.status()}] ${r.request().method()} ${r.url()}`); });
    this.parties.push(entry);
    return page;
  }

  // Marks where a long test is (reported with a failure).
  step(name) { this.stepName = name; }

  async artifacts(testName) {
    const saved = [];
    for (const [i, p] of this.parties.entries()) {
      const stem = path.join(OUT, `${safe(testName)}--${i + 1}-${safe(p.label)}`);
      try {
        if (p.page.isClosed()) continue;
        await p.page.screenshot({ path: `${stem}.png`, fullPage: true, timeout: 5000 });
        saved.push(`${stem}.png`);
        writeFileSync(`${stem}.html`, `<!-- ${p.page.url()} -->\n${await p.page.content()}`);
        writeFileSync(`${stem}.console.txt`, `${p.page.url()}\n${p.console.join('\n')}\n`);
      } catch (e) {
        writeFileSync(`${stem}.error.txt`, `could not save artifacts: ${e.message}\n`);
      }
    }
    return saved;
  }

  async close() {
    for (const p of this.parties) await p.context.close().catch(() => {});
    this.parties = [];
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`${what} took longer than ${ms} ms`)), ms); }),
  ]);
}

// --- main ----------------------------------------------------------------------------------------

const results = { passed: 0, failed: 0, skipped: 0 };

async function runTest(session, test) {
  session.stepName = null;
  const t = {
    base: session.base,
    page: session.page,
    state: session.state,
    party: (label, opts) => session.party(label, opts),
    step: (name) => session.step(name),
    note: (text) => notes.push(text),
    out: OUT,
  };
  const notes = [];
  const started = Date.now();
  try {
    await withTimeout(Promise.resolve().then(() => test.run(t)), test.timeout || TEST_TIMEOUT, `"${test.name}"`);
    results.passed += 1;
    console.log(`ok - ${test.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    for (const n of notes) console.log(`#   note: ${n}`);
    if (process.env.BROWSER_SHOTS) await session.artifacts(`ok-${test.name}`);
    return true;
  } catch (e) {
    results.failed += 1;
    console.log(`not ok - ${test.name}`);
    for (const n of notes) console.log(`#   note: ${n}`);
    if (session.stepName) console.log(`#   at step: ${session.stepName}`);
    const text = String((e && e.stack) || e).replace(/\x1b\[[0-9;]*m/g, '');
    for (const line of text.split('\n').filter((l) => l.trim()).slice(0, 14)) console.log(`#   ${line}`);
    const saved = await session.artifacts(test.name);
    for (const s of saved) console.log(`#   screenshot: ${s}`);
    return false;
  }
}

async function main() {
  let files = readdirSync(HERE).filter((f) => f.endsWith('.test.mjs')).sort();
  if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));

  let server = null;
  let base = process.env.BASE_URL;
  if (base) base = base.replace(/\/+$/, '');
  else {
    server = await startServer();
    base = server.url;
  }
  console.log(`# cspd at ${base}; Chromium ${CHROMIUM}; output in ${OUT}`);
  let browser = null;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    for (const file of files) {
      let mod;
      try {
        mod = await import(pathToFileURL(path.join(HERE, file)).href);
      } catch (e) {
        results.failed += 1;
        console.log(`not ok - ${file} (cannot load it)`);
        console.log(`#   ${String((e && e.stack) || e).split('\n').slice(0, 6).join('\n#   ')}`);
        continue;
      }
      const tests = Array.isArray(mod.tests) ? mod.tests : [];
      if (mod.serial) {
        const session = new Session(browser, base);
        session.page = await session.party('page');
        let broken = false;
        for (const test of tests) {
          if (broken) {
            results.skipped += 1;
            console.log(`not ok - ${test.name} # SKIP an earlier step of ${file} failed`);
            continue;
          }
          if (!(await runTest(session, test))) broken = true;
        }
        await session.close();
      } else {
        for (const test of tests) {
          const session = new Session(browser, base);
          session.page = await session.party('page', test.viewport ? { viewport: test.viewport } : {});
          await runTest(session, test);
          await session.close();
        }
      }
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopServer(server && server.child);
  }
}

try {
  await main();
} catch (e) {
  results.failed += 1;
  console.log(`not ok - browser test run (${e.message})`);
}
console.log(`${results.passed} passed, ${results.failed} failed${results.skipped ? `, ${results.skipped} skipped` : ''}`);
process.exit(results.failed ? 1 : 0);
