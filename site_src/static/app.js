// Glue between the page and the calculator. No formula lives here: the worker
// runs calc_py (Python, in Pyodide) and returns a display model (site_src/view.py)
// whose strings and numbers this file only copies into the DOM, with textContent.

const root = document.documentElement;
const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => Array.from(document.querySelectorAll(sel));
const boot = JSON.parse($("#calc-boot").textContent);
const KEYS = ["model", "params", "quant", "context", "engine", "batch", "ubatch",
  "flash-attn", "kv-cache", "gpu-layers", "gpu"];

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
  const params = new URLSearchParams(location.search);
  const query = {};
  for (const key of KEYS) if (params.has(key)) query[key] = params.get(key);
  return query;
}

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
  if (form) {
    const url = v.query ? `?${v.query}` : location.pathname;
    history.replaceState(null, "", url);
  }
  postHeight();
}

// ---- the worker ----------------------------------------------------------------

const abs = (path) => new URL(path, document.baseURI).href;
const worker = new Worker(abs(root.dataset.worker), { type: "module" });
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
  worker.postMessage({ type: "estimate", id: inFlight, query: JSON.stringify(queued), vendor });
  queued = null;
}

worker.addEventListener("message", (event) => {
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
worker.addEventListener("error", (event) => {
  root.dataset.calcState = "error";
  setStatus("error", msg("status.error", { error: event.message || "worker" }));
});
worker.postMessage({
  type: "init",
  pyodide: abs(root.dataset.pyodide),
  wheel: abs(root.dataset.wheel),
  view: abs(root.dataset.view),
});

// The URL's inputs go to Python as typed (it validates and reports notices);
// until the answer comes, the prerendered default is marked as not current.
const initial = urlQuery();
if (Object.keys(initial).length > 0) request(initial);

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
  $("#in-vendor").addEventListener("change", recompute);
  const copy = $("#copy-link");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      $("#copy-status").textContent = msg("copy.done");
    } catch {
      $("#copy-status").textContent = msg("copy.failed");
    }
  });
}

function modelIsComplete(value) {
  // While a model name is half typed, wait; empty (custom) or a catalog id computes.
  if (value.trim() === "") return true;
  return $$("#model-list option").some((o) => o.value === value.trim());
}

// ---- embed: tell the parent page how tall we are -------------------------------

function postHeight() {
  if (root.dataset.embed !== "true" || window.parent === window) return;
  window.parent.postMessage({ height: Math.ceil(document.documentElement.scrollHeight) }, "*");
}
if (root.dataset.embed === "true") {
  new ResizeObserver(postHeight).observe(document.body);
  const open = $("#embed-open");
  if (open) open.href = "index.html" + location.search;
}

// ---- offline: service worker ---------------------------------------------------

if ("serviceWorker" in navigator && root.dataset.sw && location.protocol !== "file:") {
  // Registered once the calculator is up, so its precache reads what the page
  // has just loaded from the HTTP cache instead of downloading it twice.
  const register = () => navigator.serviceWorker.register(abs(root.dataset.sw)).then((reg) => {
    reg.addEventListener("updatefound", () => {
      const next = reg.installing;
      next.addEventListener("statechange", () => {
        if (next.state === "installed" && navigator.serviceWorker.controller) {
          $("#update-notice").hidden = false;
        }
      });
    });
  }).catch(() => {});
  const whenReady = new MutationObserver(() => {
    if (root.dataset.calcState !== "loading") { whenReady.disconnect(); register(); }
  });
  whenReady.observe(root, { attributes: true, attributeFilter: ["data-calc-state"] });
  const reload = $("#update-reload");
  if (reload) reload.addEventListener("click", () => location.reload());
}
