// The web app end to end in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core)
// against a real `oeuvre serve` on SQLite: sign in, upload the two sample files, fix a mapping and
// re-parse, run a job and watch it finish, confirm / reject / undo with the keyboard, a manual match
// of two ledger lines to one bank line, export, the audit trail, and a second user who cannot see
// the first one's project. Every main screen is screenshotted into --artifacts and checked with
// axe-core (no serious or critical violation), and no Content-Security-Policy violation may occur.
// Then the review speed on a 10,000-result job (timings printed, never asserted: see bench/web).
//
//   node tests/web/app_e2e.mjs --oeuvre build/test/oeuvre --source-dir . --artifacts build/test/web-artifacts
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

// --name value pairs.
const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  if (!process.argv[i].startsWith("--") || i + 1 >= process.argv.length) throw new Error(`usage: --name value …, not ${process.argv[i]}`);
  args[process.argv[i].slice(2)] = process.argv[i + 1];
}
const sourceDir = resolve(args["source-dir"] ?? ".");
const oeuvre = resolve(args.oeuvre ?? "build/test/oeuvre");
const artifacts = resolve(args.artifacts ?? "web-artifacts");
const reviewResults = Number(args["review-results"] ?? 10000);
const chromiumPath = args.chromium ?? "/usr/bin/chromium";
mkdirSync(artifacts, { recursive: true });

const nodeModules = join(sourceDir, "web", "node_modules");
const { chromium } = await import(pathToFileURL(join(nodeModules, "playwright-core", "index.mjs")).href).catch(() => {
  throw new Error(`playwright-core not found under ${nodeModules}: run scripts/build_web.sh (npm ci in web/)`);
});
const axeSource = readFileSync(join(nodeModules, "axe-core", "axe.min.js"), "utf8");

const started = Date.now();
const log = (...m) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s]`, ...m);
let failures = 0;
const check = (ok, what) => {
  if (ok) log("ok:", what);
  else {
    failures++;
    log("FAILED:", what);
  }
};

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on("error", rej);
  });
}

// --- the server ----------------------------------------------------------------------------------

const folder = mkdtempSync(join(tmpdir(), "oeuvre-web-e2e-"));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
let serverLog = "";
const server = spawn(oeuvre, ["serve"], {
  env: {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: String(port),
    VAR_DIR: join(folder, "var"),
    DATABASE_URL: `sqlite://${join(folder, "oeuvre.db")}`,
    PASSWORD_HASH_COST: "minimal",
    ALLOW_REGISTRATION: "true",
    JOB_WORKERS: "1",
    LOG_LEVEL: "warn",
    SHUTDOWN_GRACE_SECONDS: "2",
    METRICS_PORT: "0",
  },
  stdio: ["ignore", "pipe", "pipe"],
});
server.stdout.on("data", (d) => (serverLog += d));
server.stderr.on("data", (d) => (serverLog += d));
const serverEnded = new Promise((res) => server.on("exit", res));

async function waitFor(what, predicate, timeoutMs = 60000, everyMs = 100) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

let browser;
const openPages = [];
try {
  await waitFor("oeuvre serve to listen", () => serverLog.includes("listening on http://") || server.exitCode !== null, 120000);
  if (server.exitCode !== null) throw new Error(`oeuvre serve ended:\n${serverLog}`);
  log(`oeuvre serve on ${base}`);

  // The app needs no Node at run time: the binary serves it, with its security headers.
  const index = await fetch(`${base}/`);
  const csp = index.headers.get("content-security-policy") ?? "";
  check(index.status === 200 && (await index.text()).includes('<div id="app">'), "GET / serves the app's index.html");
  check(csp.includes("default-src 'self'") && csp.includes("script-src 'self'") && !csp.includes("unsafe-inline"), `a strict CSP: ${csp}`);
  const deep = await fetch(`${base}/projects/00000000-0000-0000-0000-000000000000`);
  check(deep.status === 200 && (deep.headers.get("content-type") ?? "").startsWith("text/html"), "a deep link loads the app");
  const apiMiss = await fetch(`${base}/api/v1/nope`);
  check(apiMiss.status === 404 && (apiMiss.headers.get("content-type") ?? "").includes("problem+json"), "an unknown API path stays a problem+json 404");

  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });

  // --- user A --------------------------------------------------------------------------------------
  const a = await newUserPage("a");
  const page = a.page;
  await page.goto(`${base}/`);
  await page.getByRole("heading", { name: /Sign in/ }).waitFor();
  await shoot(page, "01-sign-in");
  await page.getByRole("button", { name: "Create one" }).click();
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Your name").fill("Ada Lovelace");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  // A problem+json field error is shown in words next to its field.
  const pwError = page.locator(".field.invalid .field-error");
  await pwError.waitFor();
  check(/at least 10/.test(await pwError.textContent()), `the password's field error is shown beside it: ${await pwError.textContent()}`);
  await page.getByLabel("Password").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Projects" }).waitFor();
  check(true, "registered and signed in");

  // The session survives a reload (the refresh cookie), and the token is not in web storage.
  await page.reload();
  await page.getByRole("heading", { name: "Projects" }).waitFor();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  check(!/ey[A-Za-z0-9_-]{10,}|token/i.test(stored), "no token in localStorage or sessionStorage");
  const cookies = await a.context.cookies();
  const refresh = cookies.find((c) => c.name === "oeuvre_refresh");
  check(refresh && refresh.httpOnly && refresh.sameSite === "Strict", "the refresh token is an HttpOnly, SameSite=Strict cookie");

  await page.getByLabel("Name").fill("March close");
  await page.getByLabel("Description").fill("Bank against ledger, March 2025");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("heading", { name: "March close" }).waitFor();
  const projectId = page.url().split("/projects/")[1];
  await page.getByRole("link", { name: "Projects" }).first().click();
  await page.getByTestId("projects").waitFor();
  await shoot(page, "02-projects");
  await page.getByTestId("projects").getByRole("link", { name: "March close" }).click();
  await page.getByRole("heading", { name: "March close" }).waitFor();

  // Data sources: the bank without any mapping (its dates are ambiguous, so its file fails).
  await addSource(page, "Bank", "bank");
  await addSource(page, "Ledger", "ledger");
  await page.getByTestId("upload-Bank").setInputFiles(join(sourceDir, "samples", "bank.csv"));
  await page.getByTestId("upload-Ledger").setInputFiles(join(sourceDir, "samples", "ledger.csv"));
  // A third file dropped on the ledger's drop zone: two ledger lines that together pay one bank line.
  await dropFile(page, "Ledger", "ledger-late.csv", readFileSync(join(sourceDir, "tests", "web", "ledger-late.csv"), "utf8"));
  await waitForFileStatus(page, "bank.csv", "failed");
  await waitForFileStatus(page, "ledger.csv", "parsed");
  await waitForFileStatus(page, "ledger-late.csv", "parsed");
  await shoot(page, "03-data");

  // The bad-rows report: the dropped file's third row has a word for its amount.
  check((await page.getByTestId("file-ledger-late.csv").locator("td").nth(3).textContent()) === "1", "ledger-late.csv: one bad row counted");
  await page.getByRole("link", { name: "ledger-late.csv" }).click();
  await page.getByTestId("bad-rows").waitFor();
  const badRows = await page.getByTestId("bad-rows").textContent();
  check(badRows.includes("twelve") && badRows.includes("amount"), `the bad-rows report names the row and why: ${badRows.slice(0, 160)}`);
  await shoot(page, "03b-bad-rows");
  await page.goBack();
  await page.getByTestId("file-bank.csv").waitFor();

  // Fix the mapping and parse again.
  await page.getByRole("link", { name: "bank.csv" }).click();
  await page.getByRole("heading", { name: "bank.csv" }).waitFor();
  await page.getByTestId("preview").waitFor();
  await page.getByLabel("Date format", { exact: true }).selectOption("dd/mm/yyyy");
  await page.getByLabel("Default currency").fill("EUR");
  // Tried first, without saving: the preview reads the rows.
  await page.getByRole("button", { name: "Preview with this mapping" }).click();
  await waitFor("the preview with the tried mapping", async () => (await page.getByTestId("preview").locator("tr.bad").count()) === 0);
  check((await page.getByTestId("preview").textContent()).includes("2025-03-03"), "the preview with the tried mapping reads the dates");
  await shoot(page, "04-file-mapping");
  await page.getByRole("button", { name: "Save mapping and re-parse" }).click();
  await waitFor("bank.csv to parse with the new mapping", async () => (await page.getByTestId("file-status").textContent()).includes("parsed"), 60000);
  check((await page.getByTestId("rows-ok").textContent()) === "10", "bank.csv re-parsed: 10 rows read");
  await shoot(page, "05-file-parsed");

  // A job, followed live until it completes.
  await page.goto(`${base}/projects/${projectId}/jobs`);
  await page.getByRole("link", { name: "New job" }).click();
  await page.getByRole("heading", { name: "New reconciliation job" }).waitFor();
  await shoot(page, "06-new-job");
  await page.getByRole("button", { name: "Run job" }).click();
  await waitFor("the job to complete", async () => (await page.getByTestId("job-status").textContent()).includes("completed"), 120000);
  await page.getByTestId("summary").waitFor();
  const jobId = page.url().split("/jobs/")[1];
  check(true, "the job ran and its page followed it to completed");
  await page.locator(".result-row").first().waitFor();
  await shoot(page, "07-job-review");

  // The keyboard: the queue opens on the suggested results; c confirms, u undoes, r rejects.
  const rows = page.locator(".result-row");
  const statusOf = async (i) => rows.nth(i).getAttribute("data-status");
  const first = await statusOf(0);
  check(first === "suggested", `the queue opens on suggested results (first: ${first})`);
  await page.locator("body").press("c");
  await waitFor("the confirm", async () => (await statusOf(0)) === "confirmed");
  check(true, "c confirmed the current result");
  await page.locator("body").press("u");
  await waitFor("the undo", async () => (await statusOf(0)) === "suggested");
  check(true, "u took the confirm back (reopened: suggested again)");
  await page.locator("body").press("k");
  await page.locator("body").press("r");
  await waitFor("the reject", async () => (await statusOf(0)) === "rejected");
  check(true, "r rejected it");
  await page.locator("body").press("?");
  await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
  await shoot(page, "08-shortcuts");
  await page.keyboard.press("Escape");

  // Matched results: x selects, shift+x a range, c confirms the selection in one review call.
  await page.getByRole("button", { name: /^Matched/ }).click();
  await waitFor("matched results", async () => (await rows.count()) >= 3 && (await statusOf(0)) === "matched");
  await page.locator("body").press("x");
  await page.locator("body").press("j");
  await page.locator("body").press("j");
  await page.locator("body").press("Shift+X");
  check((await page.getByTestId("selection").textContent()).startsWith("3"), "x and shift+x selected three results");
  await page.locator("body").press("c");
  await waitFor("the bulk confirm", async () => (await statusOf(0)) === "confirmed" && (await statusOf(2)) === "confirmed");
  check(true, "c confirmed the three selected results");
  await page.locator("body").press("u");
  await waitFor("the bulk undo", async () => (await statusOf(0)) === "matched" && (await statusOf(2)) === "matched");
  check(true, "u reopened all three");

  // The detail: both sides and the reasons for the confidence.
  const detail = page.getByTestId("result-detail");
  check((await detail.locator(".explanation .segment").count()) > 0, "the detail shows the confidence's breakdown");

  // A manual match: the unknown sender's 42.00 is paid by two ledger lines.
  await page.getByRole("button", { name: /^Unmatched/ }).click();
  const unknown = rows.filter({ hasText: "42.00" });
  await unknown.first().waitFor();
  await unknown.first().click();
  await page.locator("body").press("m");
  const dialog = page.getByTestId("manual-match");
  await dialog.waitFor();
  const right = page.getByTestId("picker-right");
  await right.getByText("LATE-1").waitFor();
  await right.locator("li", { hasText: "LATE-1" }).getByRole("checkbox").check();
  check((await page.getByTestId("match-difference").textContent()) === "12.00", "the difference shows as records are picked");
  await right.locator("li", { hasText: "LATE-2" }).getByRole("checkbox").check();
  check((await page.getByTestId("match-difference").textContent()) === "0.00", "…and reaches 0.00");
  await shoot(page, "09-manual-match");
  await dialog.getByRole("button", { name: /^Match 3 records/ }).click();
  await dialog.waitFor({ state: "detached" });
  await page.getByRole("button", { name: /^Confirmed/ }).click();
  await waitFor("the manual match among confirmed results", async () => (await rows.filter({ hasText: "42.00" }).count()) === 1);
  check(true, "the manual match (1 bank line, 2 ledger lines) is a confirmed result");

  // Export.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  const csvPath = join(artifacts, "export.csv");
  await download.saveAs(csvPath);
  const csv = readFileSync(csvPath, "utf8");
  check(csv.startsWith("result_id,match_group,kind,status,confidence,side,record_id") && csv.includes("LATE-1"), "the CSV export downloads");

  // Run again: a new job over the records still open, opened in place and followed to its end.
  await page.getByRole("button", { name: "Run again" }).click();
  await waitFor("the rerun's page", () => !page.url().endsWith(jobId) && page.url().includes("/jobs/"));
  await waitFor("the rerun to complete", async () => (await page.getByTestId("job-status").textContent()).includes("completed"), 120000);
  check(true, "run again opened the new job and followed it to completed");

  // The audit trail.
  await page.goto(`${base}/projects/${projectId}/audit`);
  await page.getByTestId("audit").waitFor();
  const audit = await page.getByTestId("audit").textContent();
  for (const action of ["result.confirm", "result.reject", "result.reopen", "match.create", "file.reparse"])
    check(audit.includes(action), `the audit trail shows ${action}`);
  await shoot(page, "10-audit");

  // A narrow laptop screen.
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(`${base}/jobs/${jobId}`);
  await page.locator(".result-row").first().waitFor();
  await shoot(page, "11-job-narrow");
  await page.setViewportSize({ width: 1280, height: 800 });

  // --- user B cannot see A's project -------------------------------------------------------------------
  const b = await newUserPage("b");
  await b.page.goto(`${base}/`);
  await b.page.getByRole("button", { name: "Create one" }).click();
  await b.page.getByLabel("Email").fill("bob@example.com");
  await b.page.getByLabel("Your name").fill("Bob");
  await b.page.getByLabel("Password").fill("another long passphrase");
  await b.page.getByRole("button", { name: "Create account" }).click();
  await b.page.getByRole("heading", { name: "Projects" }).waitFor();
  check(!(await b.page.locator("main").textContent()).includes("March close"), "user B's project list does not show A's project");
  await b.page.goto(`${base}/projects/${projectId}`);
  await b.page.getByRole("alert").waitFor();
  check(/not found/i.test(await b.page.getByRole("alert").textContent()), "user B opening A's project gets not found");
  await shoot(b.page, "12-other-user");

  for (const u of [a, b]) check(u.cspViolations.length === 0, `no CSP violation (${u.name}): ${u.cspViolations.join("; ")}`);
  for (const u of [a, b]) check(u.pageErrors.length === 0, `no script error (${u.name}): ${u.pageErrors.join("; ")}`);

  // --- review speed on a large job ------------------------------------------------------------------
  if (reviewResults > 0) await reviewSpeed(a);
} catch (e) {
  failures++;
  log("FAILED:", e.stack ?? e);
  for (const [i, p] of openPages.entries()) {
    await p.screenshot({ path: join(artifacts, `failure-${i}.png`), fullPage: true }).catch(() => {});
    log(`page ${i} at failure: ${p.url()}; toasts: ${await p.locator(".toasts").textContent().catch(() => "?")}`);
  }
  log("server output:\n" + serverLog.slice(-4000));
} finally {
  await browser?.close().catch(() => {});
  server.kill("SIGTERM");
  await Promise.race([serverEnded, new Promise((r) => setTimeout(r, 10000))]);
  if (server.exitCode === null) server.kill("SIGKILL");
  rmSync(folder, { recursive: true, force: true });
}
log(failures === 0 ? "web app end to end: all checks passed" : `web app end to end: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);

// --- helpers -------------------------------------------------------------------------------------

async function newUserPage(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  openPages.push(page);
  const user = { name, context, page, cspViolations: [], pageErrors: [] };
  page.on("console", (m) => {
    if (/Content.Security.Policy/i.test(m.text())) user.cspViolations.push(m.text());
  });
  page.on("pageerror", (e) => user.pageErrors.push(e.message));
  return user;
}

async function shoot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  // axe-core, evaluated through the DevTools protocol (the page's CSP allows no inline script).
  const violations = await page.evaluate(async (source) => {
    if (!window.axe) (0, eval)(source);
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  }, axeSource);
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  writeFileSync(join(artifacts, `${name}.axe.json`), JSON.stringify(violations, null, 2));
  check(serious.length === 0, `${name}: no serious accessibility violation${serious.length ? ": " + JSON.stringify(serious) : ""}`);
}

async function addSource(page, name, kind) {
  const form = page.locator("form", { has: page.getByRole("heading", { name: "New data source" }) });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Kind").selectOption(kind);
  await form.getByRole("button", { name: "Add data source" }).click();
  await page.getByTestId(`source-${name}`).waitFor();
}

async function dropFile(page, sourceName, fileName, text) {
  const zone = page.getByTestId(`source-${sourceName}`).locator(".dropzone");
  const transfer = await page.evaluateHandle(
    ([n, t]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], n, { type: "text/csv" }));
      return dt;
    },
    [fileName, text],
  );
  await zone.dispatchEvent("dragover", { dataTransfer: transfer });
  await zone.dispatchEvent("drop", { dataTransfer: transfer });
}

async function waitForFileStatus(page, fileName, status) {
  const row = page.getByTestId(`file-${fileName}`);
  await waitFor(`${fileName} to be ${status}`, async () => (await row.count()) > 0 && (await row.locator(".status").textContent()).startsWith(status), 60000);
  check(true, `${fileName} is ${status}`);
}

// A job of `reviewResults` suggested results, made through the API; then in the browser: the time
// the results view takes to open, and to move through 100 results with j and confirm each with c.
async function reviewSpeed(user) {
  const n = reviewResults;
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: "ada@example.com", password: "correct horse battery staple" }),
  });
  const token = (await login.json()).access_token;
  const call = async (path, init = {}) => {
    const r = await fetch(`${base}/api/v1${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...init.headers } });
    if (!r.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${r.status} ${await r.text()}`);
    return r.status === 204 ? null : r.json();
  };
  const project = await call("/projects", { method: "POST", body: JSON.stringify({ name: `Review speed ${n}` }) });
  const left = await call(`/projects/${project.id}/data-sources`, { method: "POST", body: JSON.stringify({ name: "Bank", kind: "bank" }) });
  const right = await call(`/projects/${project.id}/data-sources`, { method: "POST", body: JSON.stringify({ name: "Ledger", kind: "ledger" }) });
  // Each pair agrees on its reference and date and differs by one cent: suggested, held amount_difference.
  let bank = "id,date,amount,currency,reference,counterparty\n";
  let ledger = "id,date,amount,currency,reference,counterparty\n";
  for (let i = 0; i < n; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    const cents = 10000 + i * 7;
    bank += `B${i},2025-03-${day},${(cents / 100).toFixed(2)},EUR,INV-${100000 + i},Customer ${i % 97}\n`;
    ledger += `L${i},2025-03-${day},${((cents + 1) / 100).toFixed(2)},EUR,INV-${100000 + i},Customer ${i % 97}\n`;
  }
  for (const [source, body, name] of [
    [left, bank, "bank.csv"],
    [right, ledger, "ledger.csv"],
  ]) {
    const f = await call(`/data-sources/${source.id}/files?filename=${name}`, { method: "POST", body, headers: { "Content-Type": "text/csv" } });
    await waitFor(`${name} to parse`, async () => (await call(`/files/${f.id}`)).status === "parsed", 300000, 250);
  }
  const job = await call(`/projects/${project.id}/jobs`, {
    method: "POST",
    body: JSON.stringify({ name: "Ten thousand", left_data_source_id: left.id, right_data_source_id: right.id }),
  });
  await waitFor("the large job", async () => (await call(`/jobs/${job.id}`)).status === "completed", 600000, 500);
  const summary = await call(`/jobs/${job.id}/summary`);
  log(`review speed: job of ${JSON.stringify(summary.groups)}`);

  const page = user.page;
  const t0 = Date.now();
  await page.goto(`${base}/jobs/${job.id}`);
  await page.locator(".result-row").first().waitFor();
  const openMs = Date.now() - t0;
  const rows = page.locator(".result-row");
  // 100 results: j to move, c to confirm; each confirm is waited for before the next key.
  const times = [];
  const t1 = Date.now();
  for (let i = 0; i < 100; i++) {
    const k0 = Date.now();
    await page.locator("body").press("c");
    await waitFor(`result ${i} confirmed`, async () => (await rows.nth(i).getAttribute("data-status")) === "confirmed", 30000, 5);
    times.push(Date.now() - k0);
  }
  const totalMs = Date.now() - t1;
  times.sort((x, y) => x - y);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const moved = await page.evaluate(() => document.querySelector(".result-row.current")?.getAttribute("data-index"));
  check(Number(moved) === 100, `c moved on after each confirm (now at ${moved})`);
  const line = `review speed (${n} results): results view opened in ${openMs} ms; 100 confirms with c in ${totalMs} ms, per key median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${times[times.length - 1]} ms`;
  log(line);
  writeFileSync(join(artifacts, "review-speed.txt"), line + "\n");
  // With 2,000 records or more a side the job learned its match model: the detail gives each rule's
  // match weight in bits, with its level, m and u.
  const explanation = page.getByTestId("result-detail").locator(".explanation");
  await explanation.waitFor();
  const explained = await explanation.innerText();
  check(/Match weight/.test(explained) && /bits/.test(explained) && /· m \d/.test(explained) && /· u \d/.test(explained),
        `the learned model's match weights, m and u are shown (${explained.replace(/\s+/g, " ").slice(0, 160)})`);
  await shoot(page, "13-review-large");
}
