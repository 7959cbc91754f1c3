// Publish → browser-side receipt latency of the HTTP API's Server-Sent Events, in Debian's headless
// Chromium: this Node process appends one event at a time over HTTP at a fixed rate, each carrying
// its send time; a page of the server's own origin follows the stream with an EventSource and
// notes, for every event, its receipt time minus its send time. Both clocks are the machine's wall
// clock (performance.timeOrigin + performance.now() in Node and in the page), so the two processes
// agree to well under a millisecond.
//
// Usage: node sse-latency.mjs BASE_URL RATE COUNT [WARMUP]
//   e.g. node sse-latency.mjs http://127.0.0.1:9004 1000 20000 5000
// The first WARMUP events (default: 3 s worth at RATE, at most a fifth of COUNT) are published and
// checked like the others but left out of the latency figures (the server's JIT, the browser's start).
// Prints one line of JSON: rate, events, received, gaps, append p50/p99 (the HTTP acknowledgement
// as Node saw it) and receipt p50/p99/p99.9/max, in milliseconds. Exits non-zero when an event
// is missing or arrives out of order.
import http from "node:http";
import { chromium } from "playwright-core";

const [base, rateText, countText, warmupText] = process.argv.slice(2);
const rate = Number(rateText);
const count = Number(countText);
const warmup = warmupText !== undefined ? Number(warmupText) : Math.min(rate * 3, Math.floor(count / 5));
if (!base || !(rate > 0) || !(count > 0)) {
  console.error("usage: node sse-latency.mjs BASE_URL RATE COUNT");
  process.exit(2);
}
const stream = `sse-latency-${process.pid}-${Date.now()}`;
const wallClock = () => performance.timeOrigin + performance.now();

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Number(sorted[Math.max(0, index)].toFixed(3));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  await page.goto(`${base}/openapi.json`);
  // The page follows the stream and keeps every latency; it answers once the feed is open.
  await page.evaluate((name) => new Promise((resolve, reject) => {
    window.latencies = [];
    window.disorder = 0;
    let expected = 0;
    const feed = new EventSource(`/api/feed?from=end&stream=${encodeURIComponent(name)}`);
    // The server's own "open" message (with data) says the subscription is in place; the
    // EventSource's built-in "open" event (no data) only that the response began.
    feed.addEventListener("open", (message) => { if (message.data !== undefined) resolve(); });
    feed.addEventListener("event", (message) => {
      const now = performance.timeOrigin + performance.now();
      const event = JSON.parse(message.data);
      if (event.version !== expected) window.disorder++;
      expected = event.version + 1;
      window.latencies.push([event.data.n, now - event.data.t]);
    });
    feed.onerror = () => reject(new Error("the feed failed"));
  }), stream);

  // Node's http with keep-alive connections (cheaper per request than fetch), at most 16 open.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const target = new URL(base);
  const path = `/api/streams/${encodeURIComponent(stream)}/events`;
  const post = (where, body) => new Promise((resolve, reject) => {
    const request = http.request({ host: target.hostname, port: target.port, path: where, method: "POST", agent,
      headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode));
    });
    request.on("error", reject);
    request.end(body);
  });
  const appendLatencies = [];
  const inFlight = new Set();
  let failures = 0;
  const start = performance.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const sentAt = wallClock();
      const n = sent;
      const body = JSON.stringify({ events: [{ type: "Latency", data: { t: sentAt, n: sent } }] });
      const request = post(path, body).then((status) => {
        if (status !== 200) failures++;
        if (n >= warmup) appendLatencies.push(wallClock() - sentAt);
      }, () => { failures++; });
      inFlight.add(request);
      request.finally(() => inFlight.delete(request));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all([...inFlight]);
  agent.destroy();
  const elapsed = (performance.now() - start) / 1000;
  // Every acknowledged event reaches the feed; wait (bounded) for the last of them.
  await page.waitForFunction((n) => window.latencies.length >= n, count - failures, { timeout: 60_000 })
    .catch(() => {});
  const { latencies, disorder } = await page.evaluate(() => ({ latencies: window.latencies, disorder: window.disorder }));
  const receipt = latencies.filter(([n]) => n >= warmup).map(([, latency]) => latency).sort((a, b) => a - b);
  const append = [...appendLatencies].sort((a, b) => a - b);
  const result = {
    rate, events: count, warmup_events: warmup, published_per_s: Math.round(count / elapsed), append_failures: failures,
    received: latencies.length, out_of_order: disorder,
    append_p50_ms: percentile(append, 50), append_p99_ms: percentile(append, 99),
    receipt_p50_ms: percentile(receipt, 50), receipt_p99_ms: percentile(receipt, 99),
    receipt_p999_ms: percentile(receipt, 99.9), receipt_max_ms: percentile(receipt, 100),
  };
  console.log(JSON.stringify(result));
  if (failures > 0 || latencies.length !== count || disorder > 0) process.exitCode = 1;
} finally {
  await browser.close();
}
