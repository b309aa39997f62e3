// Swagger UI in a real browser: open /swagger-ui/, authorize with a real access token, run
// "Try it out" on GET /me and check the answer shown; save a screenshot. The page runs under the
// Content-Security-Policy the server sends: any violation it reports fails the test.
//
// usage: node tests/browser/swagger.mjs BASE_URL ACCESS_TOKEN EXPECTED_LOGON SCREENSHOT_PATH
// playwright-core lives under target/tools (installed by `make browser-test`), outside this
// folder's module resolution: load it from there.
import { createRequire } from "node:module";

const require = createRequire(`${process.env.TOOLS_DIR}/`);
const { chromium } = require("playwright-core");

const [base, token, logon, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
    "--no-first-run", "--disable-component-update", "--disable-sync",
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  const violations = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  const answer = await page.goto(`${base}/swagger-ui/`);
  const policy = answer.headers()["content-security-policy"] || "";
  if (!policy.includes("script-src 'self'")) throw new Error(`Swagger UI without its policy: ${policy}`);
  await page.waitForSelector(".swagger-ui .info .title", { timeout: 30000 });
  const title = await page.textContent(".swagger-ui .info .title");
  if (!title.includes("Partner Hub API")) throw new Error(`unexpected title: ${title}`);

  // Authorize: the bearer scheme's dialog takes the token alone.
  await page.click("button.authorize");
  await page.fill(".modal-ux input[type=text]", token);
  await page.click(".modal-ux button.authorize");
  await page.click(".modal-ux button.btn-done");

  // GET /me → Try it out → Execute.
  const operation = page.locator("#operations-me-get_me");
  await operation.locator(".opblock-summary").click();
  await operation.locator("button.try-out__btn").click();
  await operation.locator("button.execute").click();
  const status = operation.locator(".live-responses-table .response .response-col_status").first();
  await status.waitFor({ timeout: 30000 });
  const code = (await status.textContent()).trim();
  const body = await operation.locator(".live-responses-table .response-col_description pre").first().textContent();
  await page.screenshot({ path: screenshot, fullPage: true });
  if (!code.startsWith("200")) throw new Error(`GET /me answered ${code}: ${body}`);
  if (!body.includes(logon)) throw new Error(`GET /me does not show ${logon}: ${body}`);
  if (violations.length) throw new Error(`the policy blocked Swagger UI:\n${violations.join("\n")}`);
  console.log(`Swagger UI: authorized under its CSP, GET /me answered ${code} for ${logon}; screenshot ${screenshot}`);
} finally {
  await browser.close();
}
