// The Rewind console: plain ES module, no build step, no assets from elsewhere. It talks only to
// the HTTP API of the server that serves it (docs/HTTP.md).

const $ = (selector) => document.querySelector(selector);
const MAX_TAIL_ROWS = 200;
const CHART_POINTS = 60;

// --- login ------------------------------------------------------------------------------------
// A server with tokens answers 401 to the API without one. The token is kept in sessionStorage:
// only this tab has it, it is gone when the tab closes, and it travels only in the Authorization
// header (never in a URL, so never in a server's or proxy's request log).

const TOKEN_KEY = "rewind-token";

function authorized(headers = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { ...headers, Authorization: `Bearer ${token}` } : headers;
}

async function authFetch(path, options = {}) {
  const used = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch(path, { ...options, headers: authorized(options.headers) });
  // Only a refusal of the token still kept asks for another: a request sent with an earlier
  // (wrong) token that is answered after the user logged in again must not throw the new one away.
  if (response.status === 401 && sessionStorage.getItem(TOKEN_KEY) === used) {
    askForToken(used ? "That token is not valid." : "");
  }
  return response;
}

function askForToken(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  document.body.dataset.login = "needed";
  $("#logout").hidden = true;
  if (message || $("#login").hidden) $("#login-message").textContent = message;
  $("#login").hidden = false;
}

$("#login").addEventListener("submit", (e) => {
  e.preventDefault();
  const token = $("#token").value.trim();
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  $("#token").value = "";
  $("#login").hidden = true;
  $("#logout").hidden = false;
  delete document.body.dataset.login;
  pollHead();
  findStreams(false);
});

$("#logout").addEventListener("click", () => { stopTail(); askForToken(""); });
$("#logout").hidden = !sessionStorage.getItem(TOKEN_KEY);

/** A call refused for want of a token: the login form is showing, nothing else is to be done. */
class LoginNeeded extends Error {}
window.addEventListener("unhandledrejection", (e) => { if (e.reason instanceof LoginNeeded) e.preventDefault(); });

async function api(path) {
  const response = await authFetch(path, { headers: { Accept: "application/json" } });
  if (response.status === 401) throw new LoginNeeded("log in with a token");
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.detail || response.statusText);
  }
  return body;
}

function segment(name) {
  return encodeURIComponent(name).replace(/\./g, "%2E");
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function shortTime(timestamp) {
  return timestamp.replace("T", " ").replace(/\.\d+Z$/, "Z");
}

// --- tabs -------------------------------------------------------------------------------------

let activeTab = "streams";
for (const button of document.querySelectorAll("nav button")) {
  button.addEventListener("click", () => {
    activeTab = button.dataset.tab;
    for (const other of document.querySelectorAll("nav button")) other.classList.toggle("active", other === button);
    for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.id === activeTab);
    if (activeTab === "feeds") refreshFeeds();
    if (activeTab === "groups") refreshGroups();
  });
}

// --- head, rate and chart ---------------------------------------------------------------------

const rates = [];
let lastHead = null;
let lastHeadTime = null;
let head = -1;

async function pollHead() {
  try {
    const { position } = await api("/api/head");
    const now = performance.now();
    if (lastHead !== null) {
      const rate = Math.max(0, (position - lastHead) / ((now - lastHeadTime) / 1000));
      rates.push(rate);
      if (rates.length > CHART_POINTS) rates.shift();
      $("#rate").textContent = Math.round(rate).toLocaleString();
      drawChart();
    }
    head = position;
    lastHead = position;
    lastHeadTime = now;
    $("#head").textContent = position.toLocaleString();
  } catch (e) {
    $("#head").textContent = "unreachable";
  }
}

function drawChart() {
  plot($("#chart"), rates, "events/s", (v) => Math.round(v).toLocaleString());
  plot($("#append-chart"), appendP99, "append p99 (ms)", (v) => v.toFixed(2));
  plot($("#fsync-chart"), fsyncP99, "fsync p99 (ms)", (v) => v.toFixed(2));
  plot($("#subscribers-chart"), subscribers, "subscriptions", (v) => Math.round(v).toLocaleString());
}

function plot(canvas, values, unit, format) {
  const context = canvas.getContext("2d");
  const width = canvas.width;
  const height = canvas.height;
  context.clearRect(0, 0, width, height);
  const top = Math.max(unit === "events/s" ? 10 : 1, ...values);
  context.strokeStyle = "#dde2ea";
  context.beginPath();
  context.moveTo(0, height - 0.5);
  context.lineTo(width, height - 0.5);
  context.stroke();
  context.fillStyle = "#6b7484";
  context.font = "11px system-ui";
  context.fillText(`${format(top)} ${unit}` + (values.length ? ` · now ${format(values[values.length - 1])}` : ""), 6, 12);
  context.strokeStyle = "#2f6fde";
  context.lineWidth = 2;
  context.beginPath();
  values.forEach((value, i) => {
    const x = (i / (CHART_POINTS - 1)) * width;
    const y = height - 4 - (value / top) * (height - 20);
    if (i === 0) context.moveTo(x, y); else context.lineTo(x, y);
  });
  context.stroke();
  // What the chart shows, for a reader that cannot see it (and the browser test).
  canvas.dataset.points = String(values.length);
  if (values.length) {
    canvas.dataset.latest = String(values[values.length - 1]);
    canvas.dataset.max = String(Math.max(...values));
  }
}

setInterval(pollHead, 1000);
pollHead();

// --- metrics: p99s from the Prometheus histograms over the last interval, and gauges ----------

const appendP99 = [];
const fsyncP99 = [];
const subscribers = [];
let previousFsync = null;
let previousAppend = null;

/**
 * Cumulative bucket counts of the histogram {@code name}, by upper bound in seconds, of the series
 * whose labels contain {@code labels} (e.g. 'result="ok"'); null when the text has none.
 */
function histogram(text, name, labels) {
  const buckets = [];
  const pattern = new RegExp(`^${name}_bucket\\{(.*)\\} ([0-9.eE+]+)$`);
  for (const line of text.split("\n")) {
    const match = pattern.exec(line);
    if (!match || (labels && !match[1].includes(labels))) continue;
    const le = /le="([^"]+)"/.exec(match[1]);
    if (le) buckets.push([le[1] === "+Inf" ? Infinity : Number(le[1]), Number(match[2])]);
  }
  return buckets.length ? buckets.sort((a, b) => a[0] - b[0]) : null;
}

/** The value of the gauge {@code name} (its first series), or null. */
function gauge(text, name) {
  const pattern = new RegExp(`^${name}(\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$`);
  for (const line of text.split("\n")) {
    const match = pattern.exec(line);
    if (match) return Number(match[2]);
  }
  return null;
}

function push(values, value) {
  values.push(value);
  if (values.length > CHART_POINTS) values.shift();
}

/** The 99th percentile of the forces since the last scrape, as Prometheus's histogram_quantile. */
function p99(now, before) {
  const counts = now.map(([le, count], i) => [le, count - (before && before[i] ? before[i][1] : 0)]);
  const total = counts.length ? counts[counts.length - 1][1] : 0;
  if (total <= 0) return 0;
  const rank = 0.99 * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of counts) {
    if (count >= rank) {
      if (le === Infinity) return lowerBound * 1000;
      return (lowerBound + (le - lowerBound) * ((rank - lowerCount) / Math.max(1, count - lowerCount))) * 1000;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound * 1000;
}

async function pollMetrics() {
  try {
    const response = await authFetch("/metrics");
    if (!response.ok) return;
    const text = await response.text();
    const fsync = histogram(text, "rewind_fsync_seconds");
    if (fsync && previousFsync) push(fsyncP99, p99(fsync, previousFsync));
    previousFsync = fsync;
    const append = histogram(text, "rewind_append_seconds", 'result="ok"');
    if (append && previousAppend) push(appendP99, p99(append, previousAppend));
    previousAppend = append;
    const open = gauge(text, "rewind_subscriptions");
    if (open !== null && !Number.isNaN(open)) push(subscribers, open);
    drawChart();
  } catch (e) {
    // no metrics (or unreadable): the charts keep what they have
  }
}

setInterval(pollMetrics, 2000);
pollMetrics();

// --- streams ----------------------------------------------------------------------------------

let streamsAfter = null;
let selectedStream = null;
let olderFrom = null;

async function findStreams(append) {
  const prefix = $("#prefix").value;
  const params = new URLSearchParams({ prefix, limit: "50" });
  if (append && streamsAfter) params.set("after", streamsAfter);
  const page = await api(`/api/streams?${params}`);
  const list = $("#stream-list");
  if (!append) list.replaceChildren();
  for (const info of page.streams) {
    const item = document.createElement("li");
    item.dataset.stream = info.stream;
    const name = document.createElement("span");
    name.textContent = info.stream;
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = info.events.toLocaleString();
    item.append(name, count);
    item.addEventListener("click", () => openStream(info.stream, item));
    list.appendChild(item);
  }
  streamsAfter = page.next_after;
  $("#more-streams").hidden = !streamsAfter;
}

async function openStream(stream, item) {
  selectedStream = stream;
  for (const other of document.querySelectorAll("#stream-list li")) other.classList.toggle("selected", other === item);
  $("#stream-title").textContent = stream;
  $("#events tbody").replaceChildren();
  olderFrom = "end";
  await loadOlder();
}

async function loadOlder() {
  if (olderFrom === null) return;
  const params = new URLSearchParams({ direction: "backward", limit: "50", from: String(olderFrom) });
  const page = await api(`/api/streams/${segment(selectedStream)}/events?${params}`);
  const body = $("#events tbody");
  for (const event of page.events) {
    const row = document.createElement("tr");
    cell(row, event.version);
    cell(row, event.position);
    cell(row, event.type);
    cell(row, shortTime(event.timestamp));
    row.addEventListener("click", () => showEvent(event.id));
    body.appendChild(row);
  }
  olderFrom = page.next;
  $("#more-events").hidden = olderFrom === null;
}

function bytesOf(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function hexDump(bytes) {
  const lines = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const chunk = Array.from(bytes.slice(offset, offset + 16));
    lines.push(offset.toString(16).padStart(8, "0") + "  " + chunk.map((b) => b.toString(16).padStart(2, "0")).join(" "));
  }
  return lines.join("\n") || "(empty)";
}

/** JSON pretty-printed when the bytes are JSON text, else the text, else a hex dump. */
function render(bytes) {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    try {
      return { kind: "json", text: JSON.stringify(JSON.parse(text), null, 2) };
    } catch (notJson) {
      return { kind: "text", text };
    }
  } catch (notUtf8) {
    return { kind: "binary", text: hexDump(bytes) };
  }
}

async function showEvent(id) {
  const event = await api(`/api/events/${id}?encoding=base64`);
  const viewer = $("#viewer");
  viewer.replaceChildren();
  const fields = document.createElement("dl");
  for (const [name, value] of [["stream", event.stream], ["version", event.version], ["position", event.position],
    ["type", event.type], ["time", event.timestamp], ["id", event.id]]) {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = String(value);
    fields.append(dt, dd);
  }
  viewer.appendChild(fields);
  for (const [title, base64] of [["data", event.data_base64], ["metadata", event.metadata_base64]]) {
    if (base64 === undefined) continue;
    const shown = render(bytesOf(base64));
    const heading = document.createElement("h2");
    heading.textContent = `${title} (${shown.kind})`;
    const pre = document.createElement("pre");
    pre.className = `${title}-${shown.kind}`;
    pre.textContent = shown.text;
    viewer.append(heading, pre);
  }
}

$("#stream-search").addEventListener("submit", (e) => { e.preventDefault(); findStreams(false); });
$("#more-streams").addEventListener("click", () => findStreams(true));
$("#more-events").addEventListener("click", loadOlder);
findStreams(false);

// --- live tail --------------------------------------------------------------------------------

let pending = [];
let received = 0;
let frameRequested = false;

function flushTail() {
  frameRequested = false;
  const body = $("#tail-events tbody");
  // Only the newest rows are drawn: at thousands of events a second the page draws once a frame,
  // at most MAX_TAIL_ROWS rows, and never keeps more than that.
  const newest = pending.slice(-MAX_TAIL_ROWS);
  pending = [];
  const fragment = document.createDocumentFragment();
  for (let i = newest.length - 1; i >= 0; i--) {
    const event = newest[i];
    const row = document.createElement("tr");
    cell(row, event.position);
    cell(row, event.stream);
    cell(row, event.version);
    cell(row, event.type);
    cell(row, event.data !== undefined ? JSON.stringify(event.data) : `base64 ${event.data_base64}`, "data");
    row.addEventListener("click", () => { activeTab = "streams"; $("#tab-streams").click(); showEvent(event.id); });
    fragment.appendChild(row);
  }
  body.insertBefore(fragment, body.firstChild);
  while (body.rows.length > MAX_TAIL_ROWS) body.deleteRow(body.rows.length - 1);
  $("#tail-count").textContent = `${received.toLocaleString()} events`;
}

// The tail reads the NDJSON feed through fetch, not EventSource: EventSource cannot send an
// Authorization header, and a token in the URL would end up in logs.
let tailAbort = null;

function startTail(e) {
  e.preventDefault();
  stopTail();
  const prefix = $("#tail-prefix").value;
  const params = new URLSearchParams({ from: "end" });
  if (prefix) params.set("prefix", prefix);
  received = 0;
  $("#tail-events tbody").replaceChildren();
  const abort = new AbortController();
  tailAbort = abort;
  $("#tail-start").disabled = true;
  $("#tail-stop").disabled = false;
  follow(`/api/feed?${params}`, abort).catch((error) => {
    if (!abort.signal.aborted) $("#tail-count").textContent = `feed ended: ${error.message}`;
  }).finally(() => { if (tailAbort === abort) stopTail(); });
}

async function follow(path, abort) {
  const response = await authFetch(path, { headers: { Accept: "application/x-ndjson" }, signal: abort.signal });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail || response.statusText);
  }
  document.body.dataset.tail = "open";
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line) receive(JSON.parse(line));
    }
  }
}

function receive(message) {
  if (message.control) return;
  received++;
  pending.push(message);
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(flushTail);
  }
}

function stopTail() {
  if (tailAbort) tailAbort.abort();
  tailAbort = null;
  delete document.body.dataset.tail;
  $("#tail-start").disabled = false;
  $("#tail-stop").disabled = true;
}

$("#tail-form").addEventListener("submit", startTail);
$("#tail-stop").addEventListener("click", stopTail);

// --- feeds ------------------------------------------------------------------------------------

async function refreshFeeds() {
  await refreshSubscriptions();
  const { feeds, head: storeHead } = await api("/api/feeds");
  const body = $("#feed-list tbody");
  body.replaceChildren();
  for (const feed of feeds) {
    const row = document.createElement("tr");
    cell(row, feed.request);
    cell(row, feed.format);
    cell(row, feed.last_position);
    cell(row, Math.max(0, storeHead - feed.last_position));
    body.appendChild(row);
  }
}

async function refreshSubscriptions() {
  const response = await authFetch("/api/subscriptions", { headers: { Accept: "application/json" } });
  $("#subscriptions-missing").hidden = response.status !== 404;
  const body = $("#subscription-list tbody");
  body.replaceChildren();
  if (!response.ok) return;
  const { subscriptions, head: storeHead } = await response.json();
  for (const subscription of subscriptions) {
    const row = document.createElement("tr");
    row.dataset.scope = subscription.scope;
    row.dataset.name = subscription.name ?? "";
    cell(row, subscription.scope === "all" ? "every stream"
      : `${subscription.scope} ${subscription.name}`);
    cell(row, subscription.types.length ? subscription.types.join(", ") : "all types");
    cell(row, subscription.from);
    cell(row, shortTime(subscription.opened));
    cell(row, subscription.last_position);
    cell(row, Math.max(0, storeHead - subscription.last_position), "lag");
    body.appendChild(row);
  }
}

setInterval(() => { if (activeTab === "feeds") refreshFeeds(); }, 2000);

// --- consumer groups --------------------------------------------------------------------------
// The groups the server runs (GET /api/groups), with their lag, consumers, in-flight and parked
// counts; a group's parked events, each with a Replay button, and Replay all. Consuming is not
// done here: consumers join over ZeroMQ (docs/GROUPS.md).

let selectedGroup = null;
// Each refresh takes a ticket; an answer to an older one (a poll overtaken by a replay's refresh)
// is dropped, so the page never goes back to counts from before a replay.
let groupsTicket = 0;

async function post(path) {
  const response = await authFetch(path, { method: "POST", headers: { Accept: "application/json" } });
  if (response.status === 401) throw new LoginNeeded("log in with a token");
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || response.statusText);
  return body;
}

function follows(filter) {
  const scope = filter.stream !== undefined ? `stream ${filter.stream}`
    : filter.prefix !== undefined ? `prefix ${filter.prefix}` : "every stream";
  return filter.types.length ? `${scope} (${filter.types.join(", ")})` : scope;
}

async function refreshGroups() {
  const ticket = ++groupsTicket;
  const response = await authFetch("/api/groups", { headers: { Accept: "application/json" } });
  if (response.status === 401) return;
  const body = await response.json().catch(() => ({}));
  if (ticket !== groupsTicket) return;
  const list = $("#group-list tbody");
  const missing = $("#groups-missing");
  list.replaceChildren();
  if (!response.ok) {
    // 503 on a server without groups, or a cluster node that does not lead: the problem says why.
    missing.textContent = body.detail || response.statusText;
    missing.hidden = false;
    closeGroup();
    return;
  }
  missing.hidden = true;
  for (const group of body.groups) {
    const row = document.createElement("tr");
    row.dataset.group = group.name;
    cell(row, group.name, "name");
    cell(row, follows(group.filter));
    cell(row, group.settings.strategy);
    cell(row, group.consumers.length ? group.consumers.join(", ") : "none", "consumers");
    cell(row, group.in_flight, "in-flight");
    cell(row, group.parked, group.parked > 0 ? "parked some" : "parked");
    cell(row, group.checkpoint, "checkpoint");
    cell(row, group.lag, "lag");
    row.classList.toggle("selected", group.name === selectedGroup);
    row.addEventListener("click", () => openGroup(group.name));
    list.appendChild(row);
  }
  if (selectedGroup !== null) {
    if (body.groups.some((group) => group.name === selectedGroup)) await refreshParked(ticket);
    else closeGroup();
  }
}

function openGroup(name) {
  selectedGroup = name;
  $("#replay-message").textContent = "";
  for (const row of document.querySelectorAll("#group-list tbody tr")) {
    row.classList.toggle("selected", row.dataset.group === name);
  }
  refreshGroups();
}

function closeGroup() {
  selectedGroup = null;
  $("#group-detail").hidden = true;
  $("#groups-hint").hidden = false;
}

async function refreshParked(ticket) {
  const name = selectedGroup;
  const page = await api(`/api/groups/${segment(name)}/parked?limit=100`);
  if (ticket !== groupsTicket || name !== selectedGroup) return;
  $("#groups-hint").hidden = true;
  $("#group-detail").hidden = false;
  $("#parked-title").textContent = page.total > page.parked.length
    ? `Parked events of ${name}: the first ${page.parked.length} of ${page.total.toLocaleString()}`
    : `Parked events of ${name}: ${page.total.toLocaleString()}`;
  $("#replay-all").disabled = page.total === 0;
  const body = $("#parked-list tbody");
  body.replaceChildren();
  for (const parked of page.parked) {
    const event = parked.event;
    const row = document.createElement("tr");
    row.dataset.position = String(parked.position);
    cell(row, parked.position);
    cell(row, event.stream, "stream");
    cell(row, event.version);
    cell(row, event.type, "type");
    cell(row, parked.attempts);
    cell(row, parked.reason, "reason").title = parked.reason;
    cell(row, event.data !== undefined ? JSON.stringify(event.data) : `base64 ${event.data_base64}`, "data");
    const actions = cell(row, "");
    const replay = document.createElement("button");
    replay.type = "button";
    replay.className = "replay";
    replay.textContent = "Replay";
    replay.addEventListener("click", () => replayParked(name, parked.position, replay));
    actions.appendChild(replay);
    body.appendChild(row);
  }
}

async function replayParked(name, position, button) {
  button.disabled = true;
  try {
    await post(`/api/groups/${segment(name)}/parked/${position}/replay`);
    $("#replay-message").textContent = `replayed position ${position}`;
  } catch (error) {
    $("#replay-message").textContent = `replay failed: ${error.message}`;
  }
  await refreshGroups();
}

$("#replay-all").addEventListener("click", async () => {
  const name = selectedGroup;
  if (name === null) return;
  $("#replay-all").disabled = true;
  try {
    const { replayed } = await post(`/api/groups/${segment(name)}/parked/replay`);
    $("#replay-message").textContent = `replayed ${replayed.toLocaleString()} events`;
  } catch (error) {
    $("#replay-message").textContent = `replay failed: ${error.message}`;
  }
  await refreshGroups();
});

setInterval(() => { if (activeTab === "groups") refreshGroups(); }, 2000);
