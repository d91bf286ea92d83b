"use strict";
const API = "/api/v1/admin/platform-health";
const $ = (id) => document.getElementById(id);
const fmt = (n, d = 0) => (n == null || Number.isNaN(n)) ? "–" : Number(n).toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: 0 });
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const ICON = { ok: "✓", healthy: "✓", info: "ℹ", warning: "▲", degraded: "▲", critical: "✖" };
const badge = (status) => `<span class="badge s-${esc(status)}"><span aria-hidden="true">${ICON[status] || ""}</span>${esc(status)}</span>`;
const state = { days: 30, metric: "total_products", timer: null, tierLimits: null };
// Bars get their width through the CSSOM after rendering: the CSP allows no inline style attributes.
const bar = (status, percent) => `<span class="f-${esc(status)}" data-width="${Math.max(0, Math.min(100, Number(percent) || 0))}"></span>`;
function sizeBars(root) { root.querySelectorAll("[data-width]").forEach((el) => { el.style.width = `${el.dataset.width}%`; }); }

function token() { return sessionStorage.getItem("orion-token"); }
class AuthError extends Error {}
async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(API + path, { ...options, headers: { ...(options.headers || {}), Authorization: "Bearer " + token() } });
  } catch (e) { throw new Error("The API is unreachable. Check that admin-api is running."); }
  if (response.status === 401 || response.status === 403) throw new AuthError(response.status === 403 ? "This token is not an admin token." : "Your token expired or was revoked. Sign in again.");
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error.message; } catch (_) {}
    throw new Error(`${path}: ${message}`);
  }
  return response;
}
const json = async (path) => (await api(path)).json();

function showBanner(kind, text) { const b = $("banner"); b.className = `banner ${kind}`; b.textContent = text; }
function hideBanner() { $("banner").className = "banner hidden"; }

function signedIn(yes) {
  $("signin").classList.toggle("hidden", yes);
  $("dashboard").classList.toggle("hidden", !yes);
  for (const id of ["signout", "refresh", "overall"]) $(id).classList.toggle("hidden", !yes);
  if (!yes) { $("updated").textContent = ""; $("token").focus(); }
}

async function load() {
  if (!token()) return signedIn(false);
  try {
    const [health, capacity, subs, recs] = await Promise.all([json("/health"), json("/capacity?top_stores=10"), json("/subscription-capacity"), json("/recommendations")]);
    signedIn(true); hideBanner();
    renderHealth(health, capacity); renderSubscriptions(subs); renderRecommendations(recs, health.recommendations);
    sizeBars(document);
    $("updated").textContent = "Updated " + new Date().toLocaleTimeString();
    await Promise.all([renderAlerts(), renderTrend(), renderForecasts(), renderApiUsage()]);
  } catch (e) {
    if (e instanceof AuthError) { sessionStorage.removeItem("orion-token"); signedIn(false); showBanner("error", e.message); }
    else showBanner("error", e.message);
  }
}

function card(id, label, value, sub) { return `<div class="card" id="card-${id}"><div class="label">${esc(label)}</div><div class="value" data-value>${esc(value)}</div>${sub ? `<div class="sub">${esc(sub)}</div>` : ""}</div>`; }
function renderHealth(h, c) {
  state.tierLimits = h.infrastructure_tier_limits;
  const o = $("overall"); o.className = `badge s-${h.overall_status}`; o.innerHTML = `<span aria-hidden="true">${ICON[h.overall_status]}</span>Overall: ${esc(h.overall_status)}`;
  const db = h.database, img = h.image_storage;
  $("cards").innerHTML = [
    card("stores", "Active stores", fmt(c.active_stores), `active in 30 days · ${fmt(c.enabled_stores)} enabled · ${fmt(db.stores_count)} in all`),
    card("merchants", "Merchants", fmt(db.merchants_count)),
    card("products", "Products", fmt(db.products_count), db.freshness.counts.products === "planner_estimate" ? "estimate" : ""),
    card("orders", "Orders, last 30 days", fmt(c.orders_last_30_days), `${fmt(c.orders_this_month)} this month · ${fmt(db.orders_count)} in all`),
    card("images", "Images", fmt(img.total_files), `${fmt(img.total_size_gb, 2)} GB stored`),
    card("database", "Database", `${fmt(db.size_mb, 1)} MB`, db.freshness.database_reachable ? `measured ${fmt(db.freshness.age_seconds, 0)} s ago` : "unreachable"),
    card("tier", "Infrastructure tier", h.infrastructure_tier, h.next_tier_trigger || "No upgrade in sight"),
  ].join("");
  const s = h.system, byKey = Object.fromEntries(h.thresholds.map((t) => [t.key, t]));
  const meter = (label, value, t, detail) => {
    const status = t ? t.status : "ok";
    return `<div class="meter"><div class="row"><span>${esc(label)}</span><span>${fmt(value, 1)} % ${badge(status)}</span></div>
      <div class="bar" role="progressbar" aria-label="${esc(label)}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.round(value)}">${bar(status, value)}</div><div class="muted small">${esc(detail)}</div></div>`;
  };
  $("system").innerHTML = meter("CPU", s.cpu_percent, byKey.cpu_percent, "")
    + meter("Memory", s.memory_percent, byKey.memory_percent, `${fmt(s.memory_used_gb, 1)} of ${fmt(s.memory_total_gb, 1)} GB`)
    + meter("Disk", s.disk_percent, byKey.disk_percent, `${fmt(s.disk_used_gb, 1)} GB used · ${fmt(s.disk_free_gb, 1)} GB free · ${fmt(s.disk_total_gb, 0)} GB size`);
  $("thresholds").querySelector("tbody").innerHTML = h.thresholds.map((t) => `<tr><td>${esc(t.name)}</td><td class="num">${fmt(t.current, 1)}</td><td class="num">${fmt(t.warning)}</td><td class="num">${fmt(t.critical)}</td>
    <td><div class="bar" aria-hidden="true">${bar(t.status, t.percent_used)}</div><span class="muted small">${fmt(t.percent_used, 1)} %</span></td><td>${badge(t.status)}</td></tr>`).join("");
  const p = h.performance;
  $("performance").innerHTML = `<table><tbody>
    <tr><th>Requests (last ${p.window_seconds} s)</th><td class="num">${fmt(p.requests)} (${fmt(p.requests_per_second, 1)}/s)</td></tr>
    <tr><th>p50 / p95 / p99</th><td class="num" id="latency">${fmt(p.p50_ms, 2)} / ${fmt(p.p95_ms, 2)} / ${fmt(p.p99_ms, 2)} ms</td></tr>
    <tr><th>Mean</th><td class="num">${fmt(p.avg_response_ms, 2)} ms</td></tr>
    <tr><th>Error rate (5xx)</th><td class="num">${fmt(p.error_rate_percent, 1)} %</td></tr></tbody></table>`;
}

function renderSubscriptions(s) {
  const tiers = Object.entries(s.tier_distribution).map(([tier, n]) => `<tr><td>${esc(tier)}</td><td class="num">${fmt(n)}</td></tr>`).join("");
  const line = (label, l) => {
    const status = l.status;
    return `<div class="meter"><div class="row"><span>${esc(label)}</span><span>${fmt(l.utilization_percent, 1)} % ${badge(status)}</span></div>
      <div class="bar" role="progressbar" aria-label="${esc(label)} utilization" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.round(l.utilization_percent)}">${bar(status, l.utilization_percent)}</div>
      <div class="muted small">${fmt(l.actual)} of ${fmt(l.theoretical_limit)} sold · headroom ${fmt(l.headroom)}${l.unlimited_subscriptions ? ` · ${fmt(l.unlimited_subscriptions)} unlimited` : ""}</div></div>`;
  };
  const d = s.merchant_dynamics;
  const dynamics = `<table id="dynamics"><tbody>
    <tr><th>New merchants this month</th><td class="num">${fmt(d.new_this_month)}</td></tr>
    <tr><th>Churned this month</th><td class="num">${fmt(d.churned_this_month)}</td></tr>
    <tr><th>Churn, last 30 days</th><td class="num">${fmt(d.churn_rate_percent_30d, 1)} %</td></tr>
    <tr><th>Net growth, last 30 days</th><td class="num">${fmt(d.net_growth_percent_30d, 1)} %</td></tr></tbody></table>`;
  const resource = { products: "products", orders_per_month: "orders / month", team_members: "team members", images_per_product: "images / product" };
  const over = s.over_limit.length
    ? `<table id="over-limit"><caption class="muted left">Merchants over their tier's limits (largest overshoot first)</caption><thead><tr><th>Merchant</th><th>Tier</th><th>Resource</th><th class="num">Limit</th><th class="num">Current</th></tr></thead><tbody>`
      + s.over_limit.map((o) => `<tr><td>${esc(o.merchant)}</td><td>${esc(o.tier)}</td><td>${esc(resource[o.resource] || o.resource)}</td><td class="num">${fmt(o.limit)}</td><td class="num">${fmt(o.current)}</td></tr>`).join("") + `</tbody></table>`
    : `<p class="muted" id="over-limit-none">Every merchant is within its tier's limits.</p>`;
  $("subscriptions").innerHTML = `<p class="muted">${fmt(s.total_subscriptions)} live subscriptions</p><table id="tiers"><thead><tr><th>Tier</th><th class="num">Subscriptions</th></tr></thead><tbody>${tiers}</tbody></table>`
    + line("Products", s.products) + line("Orders, last 30 days", s.orders_monthly) + line("Team members", s.team_members) + dynamics + over;
}

function renderRecommendations(capacity, health) {
  const all = [...capacity, ...health.map((r) => ({ ...r, severity: r.priority, category: "health" }))];
  const groups = ["critical", "warning", "info"].map((sev) => [sev, all.filter((r) => r.severity === sev)]).filter(([, list]) => list.length);
  $("recommendations").innerHTML = groups.map(([sev, list]) => `<h3 class="group">${badge(sev)}</h3>` + list.map((r) =>
    `<div class="rec ${esc(sev)}"><div class="t">${esc(r.title)}</div><div class="d">${esc(r.description)}</div>${r.action ? `<div class="a">${esc(r.action)}</div>` : ""}</div>`).join("")).join("") || `<p class="muted">No recommendations.</p>`;
}

function since(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  return s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : s < 172800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`;
}

async function renderAlerts() {
  const a = await json("/alerts?limit=20");
  const when = (x) => x.state === "resolved" ? `resolved ${since(x.resolved_at)} ago` : `${x.state} for ${since(x.fired_at || x.started_at)}`;
  const row = (x, ack) => `<tr><td>${badge(x.severity)}</td><td><strong>${esc(x.rule)}</strong><div class="muted small">${esc(x.summary)}</div>
    <div class="small">${esc(when(x))} · value ${fmt(x.last_value, 1)} · action ${esc(x.action)}</div></td>
    <td>${x.acknowledged_by ? `<span class="muted small">ack by ${esc(x.acknowledged_by)}</span>` : ack ? `<button type="button" data-ack="${x.id}">Acknowledge</button>` : ""}</td></tr>`;
  const head = `<thead><tr><th>Severity</th><th>Alert</th><th></th></tr></thead>`;
  $("alerts").innerHTML = a.active.length
    ? `<div class="scroll"><table id="active-alerts">${head}<tbody>${a.active.map((x) => row(x, true)).join("")}</tbody></table></div>`
    : `<p class="muted" id="alerts-none">No alert is firing or pending.</p>`;
  $("alert-history").innerHTML = a.recent.length
    ? `<div class="scroll"><table id="recent-alerts">${head}<tbody>${a.recent.map((x) => row(x, false)).join("")}</tbody></table></div>`
    : `<p class="muted">Nothing resolved recently.</p>`;
}

async function acknowledge(id) {
  try {
    await api(`/alerts/${id}/ack`, { method: "POST" });
    $("ack-status").textContent = `Alert ${id} acknowledged.`;
    await renderAlerts();
  } catch (e) { $("ack-status").textContent = e.message; }
}

async function renderApiUsage() {
  let u;
  try { u = await json("/api-usage?top=10"); } catch (e) { $("api-usage").innerHTML = `<p class="muted">${esc(e.message)}</p>`; return; }
  const where = u.backend === "redis" ? "every instance and service sharing the rate limiter's Redis" : "this instance only (rate_limit.backend = memory)";
  const used = (m) => m.daily_allowance == null ? `${fmt(m.requests_today)} · unlimited` : `${fmt(m.requests_today)} of ${fmt(m.daily_allowance)} · ${fmt(m.percent_of_allowance, 1)} %`;
  const rows = u.merchants.map((m) => `<tr><td>${esc(m.merchant || `#${m.merchant_id}`)}<div class="muted small">${esc(m.tier || "no live plan")}</div></td><td class="num">${used(m)}</td><td class="num">${fmt(m.refused_today)}</td></tr>`).join("");
  const n = u.merchants_calling;
  $("api-usage").innerHTML = `<p class="muted small">${fmt(n)} ${n === 1 ? "merchant" : "merchants"} called on ${esc(u.day)} (UTC), counted on ${esc(where)}.</p>`
    + (rows ? `<table id="usage"><thead><tr><th>Merchant</th><th class="num">Requests of daily allowance</th><th class="num">429s</th></tr></thead><tbody>${rows}</tbody></table>` : `<p class="muted" id="usage-none">No merchant API traffic today.</p>`)
    + u.recommendations.map((r) => `<div class="rec warning"><div class="d">${esc(r)}</div></div>`).join("");
}

async function renderForecasts() {
  const metrics = ["total_products", "orders_last_30_days", "storage_used_gb", "db_size_mb"];
  const results = await Promise.all(metrics.map((m) => json(`/forecast?metric=${m}`)));
  $("forecasts").querySelector("tbody").innerHTML = results.map((f) => {
    const e = f.estimate;
    return `<tr><td>${esc(f.label)}</td><td class="num">${fmt(f.current_value, 1)}</td><td class="num">${fmt(f.threshold)}</td><td class="num">${e ? fmt(e.days, 0) : "–"}</td>
      <td>${e ? `${fmt(e.interval_80.low, 0)}–${e.interval_80.high == null ? "beyond 10 years" : fmt(e.interval_80.high, 0)} days` : esc(f.reason || "")}</td><td>${e ? esc(e.method.replace("_", "-")) : ""}</td></tr>`;
  }).join("");
}

async function renderTrend() {
  document.querySelectorAll("#ranges button").forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.days) === state.days)));
  // Stores have no configured level: forecast them against the current infrastructure tier's store limit.
  const storeLimit = state.tierLimits && state.tierLimits.max_stores;
  const wanted = state.metric === "total_stores" ? (storeLimit ? `&threshold=${storeLimit}` : null) : "";
  const [snapshots, forecast] = await Promise.all([json(`/snapshots?days=${state.days}`),
    wanted === null ? Promise.resolve({ label: "Stores", estimate: null, reason: "the current infrastructure tier has no store limit" }) : json(`/forecast?metric=${state.metric}${wanted}`)]);
  const points = snapshots.snapshots.map((s) => ({ date: s.snapshot_date, value: s[state.metric] }));
  const chart = $("chart");
  if (points.length === 0) {
    chart.innerHTML = `<p class="muted" id="chart-empty">No capacity snapshots yet. They are captured daily at 00:00 UTC and at start-up; <code>admin-api snapshot</code> takes one now.</p>`;
    $("chart-note").textContent = ""; return;
  }
  const W = 760, H = 240, L = 56, R = 12, T = 12, B = 28;
  const estimate = forecast.estimate, last = points.length - 1;
  // The forecast is drawn only when the crossing lies within one history-length ahead (at least
  // 30 days); further out it would flatten the history, so the note says when instead.
  const reach = Math.max(last, 30);
  const e = estimate && estimate.days <= reach ? estimate : null;
  const total = last + (e ? Math.max(e.days, Math.min(e.interval_80.high ?? reach, reach)) : 0);
  const values = points.map((p) => p.value).concat(e ? [forecast.threshold] : []);
  const lo = Math.min(...values), hi = Math.max(...values), span = hi - lo || 1;
  const x = (i) => L + (W - L - R) * (total ? i / total : 0), y = (v) => T + (H - T - B) * (1 - (v - lo) / span);
  const path = points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join("");
  let extra = "";
  if (e) {
    const ty = y(forecast.threshold);
    const b0 = x(last + e.interval_80.low), b1 = x(last + Math.min(e.interval_80.high ?? total, total - last));
    extra = `<rect x="${b0}" y="${T}" width="${Math.max(2, b1 - b0)}" height="${H - T - B}" fill="#2457c5" opacity=".15"><title>80 % interval</title></rect>
      <line x1="${L}" x2="${W - R}" y1="${ty}" y2="${ty}" stroke="#c62828" stroke-dasharray="5 4"/><text x="${L + 4}" y="${ty + 14}">critical level ${fmt(forecast.threshold)}</text>
      <path d="M${x(last)},${y(points[last].value)}L${x(last + e.days)},${ty}" stroke="#2457c5" stroke-dasharray="4 3" fill="none" stroke-width="2"/>`;
  }
  chart.innerHTML = `<svg viewBox="0 0 ${W} ${H}" width="100%" preserveAspectRatio="xMidYMid meet">
    <line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#dfe3ea"/><line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#dfe3ea"/>
    <text x="4" y="${T + 10}">${fmt(hi)}</text><text x="4" y="${H - B}">${fmt(lo)}</text>
    <text x="${L}" y="${H - 8}">${esc(points[0].date)}</text>${last > 0 ? `<text x="${Math.max(L + 90, x(last) - 70)}" y="${H - 8}">${esc(points[last].date)}</text>` : ""}
    ${extra}<path d="${path}" stroke="#1d2330" fill="none" stroke-width="2"/></svg>`;
  chart.setAttribute("aria-label", `${forecast.label} over ${points.length} days, from ${fmt(points[0].value)} to ${fmt(points[points.length - 1].value)}`);
  const describe = (f) => `${forecast.label} reach ${fmt(forecast.threshold)} in about ${fmt(f.days)} days (80 %: ${fmt(f.interval_80.low)}–${f.interval_80.high == null ? "beyond 10 years" : fmt(f.interval_80.high)}), ${f.method.replace("_", "-")} fit on ${f.points} days.`;
  $("chart-note").textContent = e ? `${describe(e)} Dashed blue: forecast; shaded: 80 % interval; dashed red: the level.`
    : estimate ? `${describe(estimate)} Too far ahead to draw.` : `No forecast: ${forecast.reason || "not enough history"}.`;
}

async function exportReport(kind, format) {
  const status = $("export-status");
  status.textContent = `Preparing the ${kind} ${format.toUpperCase()}…`;
  try {
    const response = await api(`/reports/${kind}?format=${format}`);
    const blob = await response.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = `orion-${kind}-${new Date().toISOString().slice(0, 10)}.${format}`;
    document.body.appendChild(a); a.click(); a.remove(); setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    status.textContent = `Downloaded ${a.download} (${fmt(blob.size)} bytes).`;
  } catch (e) { status.textContent = e.message; }
}

function schedule() {
  clearInterval(state.timer); state.timer = null;
  if ($("autorefresh").checked && !document.hidden && token()) state.timer = setInterval(load, 30000);
}

$("signin-form").addEventListener("submit", (ev) => { ev.preventDefault(); sessionStorage.setItem("orion-token", $("token").value.trim()); $("token").value = ""; load().then(schedule); });
$("signout").addEventListener("click", () => { sessionStorage.removeItem("orion-token"); clearInterval(state.timer); signedIn(false); showBanner("info", "Signed out."); });
$("refresh").addEventListener("click", load);
$("ranges").addEventListener("click", (ev) => { const d = ev.target.dataset?.days; if (d) { state.days = Number(d); renderTrend().catch((e) => showBanner("error", e.message)); } });
$("metric").addEventListener("change", (ev) => { state.metric = ev.target.value; renderTrend().catch((e) => showBanner("error", e.message)); });
$("exports").addEventListener("click", (ev) => { const b = ev.target.closest("button"); if (b) exportReport(b.dataset.report, b.dataset.format); });
$("autorefresh").addEventListener("change", schedule);
$("alerts").addEventListener("click", (ev) => { const b = ev.target.closest("button[data-ack]"); if (b) { b.disabled = true; acknowledge(b.dataset.ack); } });
document.addEventListener("visibilitychange", () => { if (!document.hidden) load(); schedule(); });
load().then(schedule);
