// Glue between the page and the calculator. No formula lives here: the worker
// runs calc_py (Python, in Pyodide) and returns a display model (site_src/view.py)
// whose strings and numbers this file only copies into the DOM, with textContent.

const root = document.documentElement;
const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => Array.from(document.querySelectorAll(sel));
const boot = JSON.parse($("#calc-boot").textContent);
const KEYS = ["model", "params", "quant", "context", "engine", "batch", "ubatch",
  "flash-attn", "kv-cache", "gpu-layers", "gpu"];
const isEmbed = root.dataset.embed === "true";
const search = new URLSearchParams(location.search);

// ---- embed options: theme=, lock=model, lang= (besides the inputs) ----------------
// Only fixed values are used: a class name from a closed list, a page name from the
// build's own list; nothing from the URL is written into the page as markup.

const theme = search.get("theme");
if (theme === "light" || theme === "dark") root.classList.add(`theme-${theme}`);

function embedPageFor(lang) {
  // lang=zh-CN -> embed.zh-CN.html (exact tag, else the same primary language); else null
  if (!lang || !boot.langs) return null;
  const codes = Object.keys(boot.langs);
  const want = lang.toLowerCase();
  const code = codes.find((c) => c.toLowerCase() === want)
    || codes.find((c) => c.toLowerCase().split("-")[0] === want.split("-")[0]);
  return code && code !== boot.lang ? boot.langs[code] : null;
}
const langPage = isEmbed ? embedPageFor(search.get("lang")) : null;
if (langPage) location.replace(langPage + location.search + location.hash);

function msg(key, values = {}) {
  const text = boot.messages["site.js." + key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

const form = $("#calc-form");            // absent on embed.html
const results = $("#results");
const statusLine = $("#calc-status");
let view = boot.view;                     // what is on screen now
let stops = view.context_stops;

function setStatus(state, text) {
  statusLine.dataset.state = state;
  statusLine.textContent = text;
}

// ---- inputs -> query -----------------------------------------------------------

function field(key) { return form ? form.elements.namedItem(key) : null; }

function readForm() {
  // model is always sent (empty = custom, params only); params only in custom mode.
  const query = { model: field("model").value.trim() };
  for (const key of KEYS) {
    const el = field(key);
    if (!el || key === "model") continue;
    const value = el.value.trim();
    if (value === "" || (key === "params" && query.model !== "")) continue;
    query[key] = value;
  }
  return query;
}

function urlQuery() {
  const query = {};
  for (const key of KEYS) if (search.has(key)) query[key] = search.get(key);
  return query;
}

// The permalink: every input Python settled on, in the query (model= empty means
// "no model, parameter count only"); empty values (engine defaults) are left out.
function permalinkQuery(inputs) {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = inputs[key] === undefined || inputs[key] === null ? "" : String(inputs[key]);
    if (value !== "" || key === "model") params.set(key, value);
  }
  return params.toString();
}
const pageUrl = (name, query) => new URL(query ? `${name}?${query}` : name, document.baseURI).href;

// ---- view -> DOM ---------------------------------------------------------------

function setAmount(el, a) {
  el.dataset.bytes = String(a.bytes);
  el.querySelector(".gib").textContent = a.gib;
  el.querySelector(".gb").textContent = a.gb;
}

function renderResults(v) {
  fillList($("#notices"), v.notices);
  if ($("#notes")) fillList($("#notes"), v.notes);
  fillList($("#advice"), v.fit.advice);

  setAmount($('[data-part="total"]'), v.total);
  $("#total-label").textContent = v.total_label;
  setAmount($('[data-part="host"]'), v.host);
  const fit = $("#fit");
  fit.dataset.fits = v.fit.state;
  fit.textContent = v.fit.text;
  $("#approx").hidden = !v.approximate;

  const bar = $("#bar");
  for (const rect of $$("#bar rect")) rect.remove();
  for (const s of v.bar) {
    const rect = document.createElementNS(bar.namespaceURI, "rect");
    rect.setAttribute("class", `seg seg-${s.part}`);
    rect.dataset.seg = s.part;
    rect.setAttribute("x", s.x);
    rect.setAttribute("y", "0");
    rect.setAttribute("width", s.width);
    rect.setAttribute("height", "28");
    bar.appendChild(rect);
  }

  const template = $("#parts li");
  const compact = !template.querySelector(".part-explain");
  $("#parts").replaceChildren(...v.parts.map((p) => {
    const li = document.createElement("li");
    li.className = "part";
    li.dataset.part = p.part;
    li.dataset.bytes = String(p.bytes);
    const swatch = document.createElement("span");
    swatch.className = `swatch seg-${p.part}`;
    swatch.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.className = "part-label";
    label.textContent = p.label;
    const value = document.createElement("span");
    value.className = "part-value";
    const gib = document.createElement("span");
    gib.className = "gib";
    const gb = document.createElement("span");
    gb.className = "gb";
    value.append(gib, " ", gb);
    li.append(swatch, label, value);
    if (!compact) {
      const explain = document.createElement("span");
      explain.className = "part-explain";
      explain.textContent = p.explain;
      li.append(explain);
    }
    setAmount(li, p);
    return li;
  }));

  const rule = $("#rule");
  if (rule) {
    setAmount(rule, v.rule);
    $("#rule-explain").textContent = v.rule.text;
  }

  const rows = $("#gpu-rows");
  if (rows) {
    rows.replaceChildren(...v.gpus.map((g) => {
      const tr = document.createElement("tr");
      tr.dataset.gpu = g.id;
      tr.dataset.fits = g.fits;
      tr.dataset.headroomBytes = String(g.headroom_bytes);
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = g.name;
      tr.append(th);
      for (const [cls, text] of [["num", g.memory], ["verdict", g.verdict],
        ["num", g.headroom], ["num", g.cards]]) {
        const td = document.createElement("td");
        td.className = cls;
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
  }
  results.dataset.query = v.query;
}

function setOptions(select, options) {
  // Rebuild a select's options (grouped) only when the list itself changed.
  const key = JSON.stringify(options);
  if (select.dataset.options === key) return;
  select.dataset.options = key;
  const nodes = [];
  let group = null;
  for (const o of options) {
    const opt = document.createElement("option");
    opt.value = o.value;
    opt.textContent = o.label;
    if (o.group) {
      if (!group || group.label !== o.group) {
        group = document.createElement("optgroup");
        group.label = o.group;
        nodes.push(group);
      }
      group.append(opt);
    } else {
      group = null;
      nodes.push(opt);
    }
  }
  select.replaceChildren(...nodes);
}

function renderInputs(v) {
  if (!form) return;
  const focused = document.activeElement;
  for (const [key, options] of Object.entries(v.selects)) setOptions(field(key), options);
  for (const key of KEYS) {
    const el = field(key);
    if (el && el !== focused && v.inputs[key] !== undefined) el.value = v.inputs[key];
  }
  for (const [key, text] of Object.entries(v.placeholders)) field(key).placeholder = text;
  const params = field("params");
  const range = $("#in-params-range");
  params.readOnly = v.params_locked;
  range.disabled = v.params_locked;
  if (v.params_locked) params.value = v.params_billions;
  if (focused !== range) range.value = params.value;
  $("#mode-hint").textContent = v.mode_hint;
  $("#mode-hint").dataset.approximate = String(v.approximate);

  stops = v.context_stops;
  const ctx = $("#in-context-range");
  ctx.max = String(stops.length - 1);
  if (focused !== ctx) ctx.value = String(v.context_index);

  $$("button[data-quant]").forEach((b, i) => {
    const q = v.quick[i] || { id: "", label: b.textContent };
    b.dataset.quant = q.id;
    b.disabled = q.id === "";
    b.setAttribute("aria-pressed", String(q.id !== "" && q.id === field("quant").value));
  });
}

function fillList(list, items) {
  list.replaceChildren(...items.map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
  list.hidden = items.length === 0;
}

function render(v) {
  view = v;
  renderResults(v);
  renderInputs(v);
  const query = permalinkQuery(v.inputs);
  if (isEmbed) {
    // no address bar in a frame: the link to the full calculator carries the inputs
    $("#embed-open").href = pageUrl("index.html", query);
  } else {
    // replaceState: one history entry however many steps a slider takes
    history.replaceState(null, "", `?${query}`);
    showPermalink();
    updateEmbedCode();
  }
  postHeight();
}

function showPermalink() {
  const field = $("#permalink");
  if (field) field.value = location.href;
}

// ---- the worker ----------------------------------------------------------------

const abs = (path) => new URL(path, document.baseURI).href;
// (a page leaving for its language's embed starts nothing)
const worker = langPage ? null : new Worker(abs(root.dataset.worker), { type: "module" });
let seq = 0;          // id of the newest request
let inFlight = null;  // id of the request the worker is busy with
let queued = null;    // newest query waiting for the worker

function setPending(pending) {
  results.setAttribute("aria-busy", String(pending));
  results.classList.toggle("is-pending", pending);
}

function request(query) {
  setPending(true);
  queued = query;
  pump();
}

function pump() {
  if (inFlight !== null || queued === null || root.dataset.calcState !== "ready") return;
  inFlight = ++seq;
  const vendor = $("#in-vendor") ? $("#in-vendor").value : "";
  worker.postMessage({ type: "estimate", id: inFlight, query: JSON.stringify(queued), vendor, lang: boot.lang });
  queued = null;
}

if (worker) worker.addEventListener("message", (event) => {
  const m = event.data;
  if (m.type === "ready") {
    root.dataset.calcState = "ready";
    setStatus("ready", msg("status.ready"));
    for (const el of $$("[disabled]")) {
      if (el.id === "in-params-range" && view.params_locked) continue;
      if (el.dataset.quant === "") continue;
      el.disabled = false;
    }
    pump();
  } else if (m.type === "fatal") {
    root.dataset.calcState = "error";
    setStatus("error", msg("status.error", { error: m.message }));
    setPending(false);
  } else if (m.type === "result" || m.type === "failed") {
    inFlight = null;
    if (m.type === "failed") setStatus("error", msg("status.failed", { error: m.message }));
    if (queued === null) {            // only the newest answer is shown as current
      if (m.type === "result") {
        if (statusLine.dataset.state === "error") setStatus("ready", msg("status.ready"));
        render(JSON.parse(m.view));
      }
      setPending(false);
      root.dataset.calcSeq = String(m.id);
    }
    pump();
  }
});
if (worker) worker.addEventListener("error", (event) => {
  root.dataset.calcState = "error";
  setStatus("error", msg("status.error", { error: event.message || "worker" }));
});
if (worker) worker.postMessage({
  type: "init",
  pyodide: abs(root.dataset.pyodide),
  wheel: abs(root.dataset.wheel),
  view: abs(root.dataset.view),
});

// The URL's inputs go to Python as typed (it validates and reports notices);
// until the answer comes, the prerendered default is marked as not current.
const initial = urlQuery();
if (worker && Object.keys(initial).length > 0) request(initial);

// ---- input events --------------------------------------------------------------

if (form) {
  const recompute = () => request(readForm());
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("input", (e) => {
    const t = e.target;
    if (t.id === "in-params-range") field("params").value = t.value;
    if (t.id === "in-context-range") field("context").value = String(stops[Number(t.value)]);
    if (t.id === "in-model" && !modelIsComplete(t.value)) return;  // typing a name
    if (t.id === "in-engine") {
      // keep the quantization / KV type only where the new engine takes them
      const takes = boot.engines[t.value] || { quants: [], kv: [] };
      if (!takes.quants.includes(field("quant").value)) field("quant").value = "";
      if (!takes.kv.includes(field("kv-cache").value)) field("kv-cache").value = "";
    }
    recompute();
  });
  form.addEventListener("change", (e) => {
    if (e.target.id === "in-model") recompute();
  });
  for (const b of $$("button[data-quant]")) {
    b.addEventListener("click", () => {
      field("quant").value = b.dataset.quant;
      recompute();
    });
  }
  if ($("#in-vendor")) $("#in-vendor").addEventListener("change", recompute);
  if ($("#more-settings")) $("#more-settings").addEventListener("toggle", postHeight);
}

// ---- copy link, embed code -------------------------------------------------------

async function copyFrom(field, status) {
  // the text is selected in its read-only field first: if the clipboard is refused,
  // the reader copies the selection by hand
  field.focus();
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
    status.textContent = msg("copy.done");
  } catch {
    status.textContent = msg("copy.failed");
  }
}

if ($("#copy-link")) {
  showPermalink();
  $("#copy-link").addEventListener("click", () => {
    showPermalink();
    copyFrom($("#permalink"), $("#copy-status"));
  });
}

const embedCode = $("#embed-code");
const attr = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;")
  .replace(/</g, "&lt;").replace(/>/g, "&gt;");

function updateEmbedCode() {
  // The snippet for the current inputs and the chosen options (string building only).
  if (!embedCode) return;
  const query = new URLSearchParams(permalinkQuery(view.inputs));
  if ($("#embed-lock").checked) query.set("lock", "model");
  const chosenTheme = $("#embed-theme").value;
  if (chosenTheme === "light" || chosenTheme === "dark") query.set("theme", chosenTheme);
  const chosenLang = $("#embed-lang").value;
  if (chosenLang && chosenLang !== boot.lang) query.set("lang", chosenLang);
  const src = pageUrl("embed.html", query.toString());
  embedCode.value =
    `<iframe src="${attr(src)}" title="${attr(embedCode.dataset.title)}" width="100%" height="640" ` +
    `loading="lazy" data-llm-vram-calc></iframe>\n` +
    `<script src="${attr(abs("embed-resize.js"))}" defer></script>`;
}

if (embedCode) {
  // each language named in its own language, by the browser
  for (const option of $$("#embed-lang option")) {
    try {
      option.textContent = new Intl.DisplayNames([option.value], { type: "language" }).of(option.value);
    } catch { /* keep the code */ }
  }
  updateEmbedCode();
  $("#embed").addEventListener("change", updateEmbedCode);
  $("#embed-copy").addEventListener("click", () => copyFrom(embedCode, $("#embed-status")));
}

function modelIsComplete(value) {
  // While a model name is half typed, wait; empty (custom) or a catalog id computes.
  if (value.trim() === "") return true;
  return $$("#model-list option").some((o) => o.value === value.trim());
}

// ---- embed: tell the parent page how tall we are -------------------------------
// {height: N} to the parent on load and on every size change; the parent's
// embed-resize.js sets it on the frame. Nothing else is sent, and this page never
// touches the parent (no frame-busting): it works in any frame, on any site.

let postedHeight = -1;
function postHeight() {
  if (!isEmbed || window.parent === window) return;
  const height = Math.ceil(root.getBoundingClientRect().height);
  if (height === postedHeight) return;
  postedHeight = height;
  window.parent.postMessage({ height }, "*");
}
if (isEmbed && !langPage) {
  new ResizeObserver(postHeight).observe(document.body);
  postHeight();
  addEventListener("load", postHeight);
  $("#embed-open").href = pageUrl("index.html", new URLSearchParams(urlQuery()).toString());
  if ((search.get("lock") || "").split(",").includes("model")) $("#field-model").hidden = true;
  if (window.parent === window && $("#embed-standalone")) $("#embed-standalone").hidden = false;
}

// ---- offline: service worker ---------------------------------------------------
// sw.js precaches this build; a page it serves comes from that cache (see sw.js).
// When a newer build's worker has installed and waits, the page says so; Reload
// lets it take over (it deletes the old cache) and reloads from the new one.

const sw = "serviceWorker" in navigator && location.protocol !== "file:" && !langPage
  ? navigator.serviceWorker : null;
if (sw) {
  let updating = false;  // the reader asked for the new version
  const notice = $("#update-notice");

  const showIfWaiting = (reg) => {
    if (reg.waiting && sw.controller && notice) {
      notice.hidden = false;
      postHeight();
    }
  };
  const track = (reg, next) => next && next.addEventListener("statechange", () => {
    if (next.state === "installed") showIfWaiting(reg);
  });
  const watch = (reg) => {
    if (!reg) return;
    showIfWaiting(reg);
    track(reg, reg.installing);
    reg.addEventListener("updatefound", () => track(reg, reg.installing));
    const check = () => reg.update().catch(() => {});
    addEventListener("online", check);
    if (sw.controller) check();
  };

  sw.addEventListener("controllerchange", () => {
    if (updating) location.reload();
  });
  const reload = $("#update-reload");
  if (reload) {
    reload.addEventListener("click", () => sw.getRegistration().then((reg) => {
      if (reg && reg.waiting) {
        updating = true;
        reg.waiting.postMessage({ type: "skip-waiting" });
      } else {
        location.reload();
      }
    }, () => location.reload()));
  }

  if (root.dataset.sw) {
    const register = () => sw.register(abs(root.dataset.sw)).then(watch).catch(() => {});
    if (sw.controller) {
      register();
    } else {
      // First visit: registered once the calculator is up, so the precache reads what
      // the page has just loaded from the HTTP cache instead of downloading it twice.
      const whenReady = new MutationObserver(() => {
        if (root.dataset.calcState !== "loading") { whenReady.disconnect(); register(); }
      });
      whenReady.observe(root, { attributes: true, attributeFilter: ["data-calc-state"] });
    }
  } else {
    // embed.html does not install the worker (a frame on someone's blog should not
    // download the whole calculator for later), but uses one the site already has.
    sw.getRegistration().then(watch).catch(() => {});
  }
}
