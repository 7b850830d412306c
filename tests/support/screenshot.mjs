// Screenshot an HTML page with the headless Chromium that the npm package @sparticuz/chromium ships,
// driven by puppeteer-core with the package's own launch arguments (no browser from apt).
// Usage: node tests/support/screenshot.mjs PAGE.html OUT.png WIDTH HEIGHT
import chromium from "@sparticuz/chromium";
import puppeteer from "puppeteer-core";

const [page, png, width, height] = process.argv.slice(2);
const browser = await puppeteer.launch({
  args: chromium.args,
  executablePath: await chromium.executablePath(),
  headless: "shell",
  defaultViewport: { width: Number(width), height: Number(height), deviceScaleFactor: 1 },
});
try {
  const tab = await browser.newPage();
  await tab.goto(new URL(`file://${page}`).href, { waitUntil: "load" });
  await tab.screenshot({ path: png });
} finally {
  await browser.close();
}
