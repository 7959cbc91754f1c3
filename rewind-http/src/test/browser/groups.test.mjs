// Drives the console's Groups tab in Debian's headless Chromium: the server (ConsoleBrowserTest)
// runs a group "billing" with one parked event and a group "shipping" with two, parked by real
// consumers of its group service that ack what is replayed. The page must show the parked counts,
// replay billing's event with its Replay button and shipping's with Replay all, and show the
// counts go to 0. Every wait is on a condition, with a deadline.
// Usage: node groups.test.mjs BASE_URL SCREENSHOT.png
import { chromium } from "playwright-core";

const [base, screenshot] = process.argv.slice(2);
const deadline = { timeout: 60_000 };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** Waits until a group's row shows `count` parked and its parked list (when open) `rows` rows. */
async function parked(page, group, count, rows) {
  await page.waitForFunction(([g, c, r]) => {
    const cell = document.querySelector(`#group-list tbody tr[data-group="${g}"] td.parked`);
    const shown = document.querySelectorAll("#parked-list tbody tr[data-position]").length;
    return cell !== null && cell.textContent === c && (r === null || shown === r);
  }, [group, count, rows], deadline);
}

try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(base + "/", deadline);
  await page.click("#tab-groups");

  // The list: each group with its parked count, consumers and lag.
  await parked(page, "billing", "1", null);
  await parked(page, "shipping", "2", null);
  const consumers = await page.textContent('#group-list tbody tr[data-group="billing"] td.consumers');
  if (consumers !== "billing-worker") throw new Error(`billing's consumers shown: ${consumers}`);
  const lag = await page.textContent('#group-list tbody tr[data-group="billing"] td.lag');
  if (!/^\d+$/.test(lag)) throw new Error(`billing's lag shown: ${lag}`);

  // billing's parked list, and its Replay button.
  await page.click('#group-list tbody tr[data-group="billing"]');
  await page.waitForFunction(() => document.querySelector("#parked-title").textContent.includes("billing")
    && document.querySelectorAll("#parked-list tbody tr[data-position]").length === 1, null, deadline);
  const row = await page.$eval("#parked-list tbody tr[data-position]", (tr) => ({
    stream: tr.querySelector("td.stream").textContent, type: tr.querySelector("td.type").textContent,
    reason: tr.querySelector("td.reason").textContent, data: tr.querySelector("td.data").textContent,
  }));
  if (row.stream !== "invoices-1" || row.type !== "InvoiceFailed" || !row.reason.includes("parks it")
    || row.data !== '{"invoice":7}') {
    throw new Error(`billing's parked event shown: ${JSON.stringify(row)}`);
  }
  await page.screenshot({ path: screenshot });
  await page.click("#parked-list tbody tr[data-position] button.replay");
  await parked(page, "billing", "0", 0);
  console.log("replay checked");

  // shipping's two parked events, and Replay all.
  await page.click('#group-list tbody tr[data-group="shipping"]');
  await page.waitForFunction(() => document.querySelector("#parked-title").textContent.includes("shipping")
    && document.querySelectorAll("#parked-list tbody tr[data-position]").length === 2, null, deadline);
  await page.click("#replay-all");
  await parked(page, "shipping", "0", 0);
  const message = await page.textContent("#replay-message");
  if (message !== "replayed 2 events") throw new Error(`after Replay all: ${message}`);
  console.log("replay all checked");
  if (errors.length > 0) throw new Error(`errors in the page: ${errors.join("; ")}`);
  console.log("groups test passed");
} finally {
  await browser.close();
}
