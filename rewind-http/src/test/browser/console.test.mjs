// Drives the Rewind console in Debian's headless Chromium: find a stream by prefix, open an event,
// follow a live tail while 1,000 events are appended through the API, see the charts fed by the
// metrics and the list of subscriptions (when the server has them), and save screenshots.
// Usage: node console.test.mjs BASE_URL SCREENSHOT.png [TOKEN]   (ConsoleBrowserTest runs it)
// With a TOKEN the server asks for one: the page must ask to log in, and keep the token for its tab.
import { chromium } from "playwright-core";

const [base, screenshot, token] = process.argv.slice(2);
const auth = token ? { Authorization: `Bearer ${token}` } : {};
const deadline = { timeout: 60_000 };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(base + "/", deadline);
  if (token) {
    // The page finds out it needs a token, takes one, and keeps it only in this tab's sessionStorage.
    await page.waitForSelector("body[data-login=needed]", deadline);
    await page.fill("#token", "rwt_000000000000_wrong");
    await page.click("#login button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#login-message").textContent.includes("not valid"), null,
      deadline);
    await page.fill("#token", token);
    await page.click("#login button[type=submit]");
    await page.waitForFunction(() => !document.body.dataset.login && !/unreachable|–/.test(
      document.querySelector("#head").textContent), null, deadline);
    const kept = await page.evaluate(() => [sessionStorage.getItem("rewind-token"), localStorage.length,
      document.cookie]);
    if (kept[0] !== token || kept[1] !== 0 || kept[2] !== "") throw new Error(`token kept as ${JSON.stringify(kept)}`);
  }

  // The stream browser: search by prefix, open a stream, open its newest event.
  await page.fill("#prefix", "orders-");
  await page.click("#stream-search button[type=submit]");
  // The first page (every stream) may still be on screen when orders-2 shows: wait for the
  // search's own list, then check it.
  const searched = await page.waitForFunction(() => {
    const names = [...document.querySelectorAll("#stream-list li")].map((item) => item.dataset.stream);
    return names.length > 0 && names.every((name) => name.startsWith("orders-")) ? names : null;
  }, null, deadline).catch(async () => page.$$eval("#stream-list li", (items) => items.map((i) => i.dataset.stream)));
  const listed = Array.isArray(searched) ? searched : await searched.jsonValue();
  if (listed.join(",") !== "orders-1,orders-2") throw new Error(`streams listed: ${listed}`);
  await page.click('#stream-list li[data-stream="orders-1"]');
  await page.waitForSelector("#events tbody tr", deadline);
  await page.click("#events tbody tr:last-child");
  await page.waitForSelector("#viewer pre.data-json", deadline);
  const data = await page.textContent("#viewer pre.data-json");
  if (!data.includes('"total": 12')) throw new Error(`event data shown: ${data}`);
  const metadata = await page.textContent("#viewer pre.metadata-json");
  if (!metadata.includes('"user": "ada"')) throw new Error(`metadata shown: ${metadata}`);
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-streams.png") });

  // A binary event is shown as hex.
  await page.click('#stream-list li[data-stream="orders-2"]');
  await page.waitForFunction(() => document.querySelector("#stream-title").textContent === "orders-2", null, deadline);
  await page.waitForSelector("#events tbody tr", deadline);
  await page.click("#events tbody tr");
  await page.waitForSelector("#viewer pre.data-binary", deadline);
  const hex = await page.textContent("#viewer pre.data-binary");
  if (!hex.startsWith("00000000  00 01 ff")) throw new Error(`binary shown: ${hex}`);

  // The live tail keeps up with 1,000 events appended through the API.
  await page.click("#tab-tail");
  await page.fill("#tail-prefix", "orders-");
  await page.click("#tail-start");
  await page.waitForSelector("body[data-tail=open]", deadline);
  for (let batch = 0; batch < 10; batch++) {
    const events = Array.from({ length: 100 }, (_, i) => ({ type: "OrderPlaced", data: { n: batch * 100 + i } }));
    const response = await fetch(`${base}/api/streams/orders-live/events`, {
      method: "POST", headers: { "Content-Type": "application/json", ...auth }, body: JSON.stringify({ events }),
    });
    if (response.status !== 200) throw new Error(`append answered ${response.status}`);
  }
  await page.waitForFunction(() => document.querySelector("#tail-count").textContent === "1,000 events", null, deadline);
  const rows = await page.$$eval("#tail-events tbody tr", (trs) => trs.length);
  if (rows !== 200) throw new Error(`tail rows drawn: ${rows}`);
  const newest = await page.textContent("#tail-events tbody tr:first-child td.data");
  if (newest !== '{"n":999}') throw new Error(`newest tail row: ${newest}`);

  // The charts are fed by /metrics: the appends' p99 latency and the open subscriptions (the tail),
  // when the server has real metrics (a metered store, as rewind serve runs it).
  const metrics = await fetch(`${base}/metrics`, { headers: auth });
  if (metrics.status === 200 && (await metrics.text()).includes("rewind_append_seconds")) {
    await page.waitForFunction(() => Number(document.querySelector("#append-chart").dataset.max) > 0, null, deadline);
    await page.waitForFunction(() => document.querySelector("#subscribers-chart").dataset.latest === "1", null, deadline);
    console.log("charts checked");
  }
  await page.screenshot({ path: screenshot });

  // Every subscription the store serves, with its lag: the tail's feed is one.
  const subscriptionList = await fetch(`${base}/api/subscriptions`, { headers: auth });
  await page.click("#tab-feeds");
  if (subscriptionList.status === 200) {
    await page.waitForSelector('#subscription-list tbody tr[data-scope="prefix"][data-name="orders-"]', deadline);
    const lag = await page.textContent('#subscription-list tbody tr[data-name="orders-"] td.lag');
    if (!/^\d+$/.test(lag)) throw new Error(`subscription lag shown: ${lag}`);
    console.log("subscriptions checked");
  }
  await page.waitForSelector("#feed-list tbody tr", deadline);
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-subscriptions.png") });
  if (errors.length > 0) throw new Error(`errors in the page: ${errors.join("; ")}`);
  console.log("console test passed");
} finally {
  await browser.close();
}
