// Swagger UI in a real browser: open /swagger-ui/, authorize with a real access token, run
// "Try it out" on GET /me and check the answer shown; save a screenshot.
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
  await page.goto(`${base}/swagger-ui/`);
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
  console.log(`Swagger UI: authorized, GET /me answered ${code} for ${logon}; screenshot ${screenshot}`);
} finally {
  await browser.close();
}
