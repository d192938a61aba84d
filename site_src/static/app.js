// Glue between the page and the calculator. No formula lives here: the worker
// runs calc_py (Python, in Pyodide) and returns a display model (site_src/view.py)
// whose strings and numbers this file only copies into the DOM, with textContent.

const root = document.documentElement;
const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => Array.from(document.querySelectorAll(sel));
const boot = JSON.parse($("#calc-boot").textContent);
// calc_py's query keys (api.KEYS, from the build), the machine's included
const KEYS = boot.keys || ["model", "params", "quant", "context", "engine", "batch", "ubatch",
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
// a config.json in use ({text, name}), one sent and not yet answered, and the text
// the request in flight carries (see "a config.json the reader has" below)
let config = null;
function hashConfig() {
  // the text after #config= as typed (a c1. fragment has no %-escapes; a hostile one is Python's to refuse)
  const raw = location.hash.startsWith("#config=") ? location.hash.slice("#config=".length) : "";
  try { return decodeURIComponent(raw); } catch { return raw; }
}
let pendingConfig = hashConfig() ? { text: hashConfig(), name: msg("config.link_name") } : null;
let sentConfig = "";
const configText = () => (pendingConfig ? pendingConfig.text : config ? config.text : "");

function setStatus(state, text) {
  statusLine.dataset.state = state;
  statusLine.textContent = text;
}

// ---- inputs -> query -----------------------------------------------------------

function field(key) { return form ? form.elements.namedItem(key) : null; }

function readForm() {
  // model is always sent (empty = custom, params only); params only in custom mode.
  // While a GGUF file is in use it stands for the model, params and quant: not sent.
  // A config.json in use (or being tried) stands for the model and params: not sent.
  const usingConfig = configText() !== "";
  const query = gguf || usingConfig ? {} : { model: field("model").value.trim() };
  for (const key of KEYS) {
    if (key === "gpu" && form) {          // the machine editor's rows: 2xrtx-3090,rtx-4090
      const machine = machineString();
      if (machine !== "") query.gpu = machine;
      continue;
    }
    const el = field(key);
    if (!el || key === "model" || (gguf && boot.file_keys.includes(key))) continue;
    if (usingConfig && boot.config_keys.includes(key)) continue;
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
// A GGUF file cannot go in a URL: while one is in use, what it stands for
// (view.file.omit: model, params, quant) is left out, and the page says so.
// A config.json in use: its query leaves out model/params (view.config.omit) and
// the fields calc_py reads travel in the fragment (linkHash), never in the query.
function permalinkQuery(inputs, omit = view.file ? view.file.omit : view.config ? view.config.omit : []) {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    if (omit.includes(key)) continue;
    const value = inputs[key] === undefined || inputs[key] === null ? "" : String(inputs[key]);
    if (value !== "" || key === "model") params.set(key, value);
  }
  return params.toString();
}
const pageUrl = (name, query) => new URL(query ? `${name}?${query}` : name, document.baseURI).href;
const linkHash = () => (view.config ? `#config=${view.config.fragment}` : "");

// ---- view -> DOM ---------------------------------------------------------------
// Updated in place: the elements are made once (the prerendered ones are reused)
// and each answer only writes the text, attributes and classes that differ from
// what is on screen, so an input change costs a few text-node writes instead of
// rebuilding the 100-odd GPU rows and the parts list (and the layout that follows).
// Nothing here reads layout; the one layout read (postHeight, embeds only) comes
// after all the writes.

function setText(el, text) {
  const node = el.firstChild;
  if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) {
    if (node.data !== text) node.data = text;
  } else if (el.textContent !== text) {
    el.textContent = text;
  }
}
function setData(el, key, value) {
  if (el.dataset[key] !== value) el.dataset[key] = value;
}
function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}
function setHidden(el, hidden) {
  if (el.hidden !== hidden) el.hidden = hidden;
}

const dom = {
  notices: $("#notices"), notes: $("#notes"), advice: $("#advice"),
  total: $('[data-part="total"]'), totalLabel: $("#total-label"), host: $('[data-part="host"]'),
  fit: $("#fit"), approx: $("#approx"), bar: $("#bar"), parts: $("#parts"),
  rule: $("#rule"), ruleExplain: $("#rule-explain"), gpuRows: $("#gpu-rows"),
  speed: $("#speed"), speedText: $("#speed-text"), speedHow: $("#speed-how"), speedLink: $("#speed-link"),
};
// the parts list of the compact embed has no explanations
const compactParts = !dom.parts.querySelector(".part-explain");

function amountRefs(el) {
  return { el, gib: el.querySelector(".gib"), gb: el.querySelector(".gb") };
}
function setAmount(refs, a) {
  setData(refs.el, "bytes", String(a.bytes));
  setText(refs.gib, a.gib);
  setText(refs.gb, a.gb);
}
const totalRefs = amountRefs(dom.total);
const hostRefs = amountRefs(dom.host);
const downloadEl = $('[data-part="download"]');
const downloadRefs = downloadEl ? amountRefs(downloadEl) : null;
const ruleRefs = dom.rule ? amountRefs(dom.rule) : null;

function fillList(list, items) {
  // <li> per item, reused; only changed texts are written
  const lis = list.children;
  for (let i = 0; i < items.length; i++) {
    if (i < lis.length) setText(lis[i], items[i]);
    else {
      const li = document.createElement("li");
      li.textContent = items[i];
      list.append(li);
    }
  }
  while (lis.length > items.length) list.lastElementChild.remove();
  setHidden(list, items.length === 0);
}

function renderBar(bar) {
  const rects = dom.bar.getElementsByTagName("rect");
  for (let i = 0; i < bar.length; i++) {
    const s = bar[i];
    let rect = rects[i];
    if (!rect) {
      rect = document.createElementNS(dom.bar.namespaceURI, "rect");
      rect.setAttribute("y", "0");
      rect.setAttribute("height", "28");
      dom.bar.appendChild(rect);
    }
    setAttr(rect, "class", `seg seg-${s.part}`);
    setData(rect, "seg", s.part);
    setAttr(rect, "x", s.x);
    setAttr(rect, "width", s.width);
  }
  while (rects.length > bar.length) rects[rects.length - 1].remove();
}

// One entry per <li> of the parts list: the element and its parts.
const partRows = Array.from(dom.parts.children, (li) => ({
  li, swatch: li.querySelector(".swatch"), label: li.querySelector(".part-label"),
  amount: amountRefs(li), explain: li.querySelector(".part-explain"),
}));

function newPartRow() {
  const li = document.createElement("li");
  li.className = "part";
  const swatch = document.createElement("span");
  swatch.setAttribute("aria-hidden", "true");
  const label = document.createElement("span");
  label.className = "part-label";
  const value = document.createElement("span");
  value.className = "part-value";
  const gib = document.createElement("span");
  gib.className = "gib";
  const gb = document.createElement("span");
  gb.className = "gb";
  value.append(gib, " ", gb);
  li.append(swatch, label, value);
  let explain = null;
  if (!compactParts) {
    explain = document.createElement("span");
    explain.className = "part-explain";
    li.append(explain);
  }
  return { li, swatch, label, amount: { el: li, gib, gb }, explain };
}

function renderParts(parts) {
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i === partRows.length) {
      partRows.push(newPartRow());
      dom.parts.append(partRows[i].li);
    }
    const row = partRows[i];
    setData(row.li, "part", p.part);
    setAttr(row.swatch, "class", `swatch seg-${p.part}`);
    setText(row.label, p.label);
    setAmount(row.amount, p);
    if (row.explain) setText(row.explain, p.explain);
  }
  while (partRows.length > parts.length) partRows.pop().li.remove();
}

// One entry per row of the GPU table: the <tr> and its six cells.
const gpuRows = dom.gpuRows ? Array.from(dom.gpuRows.rows, (tr) => ({ tr, cells: Array.from(tr.cells) })) : [];
const GPU_CELLS = [["th", ""], ["td", "num"], ["td", "verdict"], ["td", "num"], ["td", "num"], ["td", "num"]];

function newGpuRow() {
  // as results.html writes them (roles included: the rows are laid out as grids)
  const tr = document.createElement("tr");
  tr.setAttribute("role", "row");
  const cells = GPU_CELLS.map(([tag, cls]) => {
    const cell = document.createElement(tag);
    cell.setAttribute("role", tag === "th" ? "rowheader" : "cell");
    if (tag === "th") cell.scope = "row";
    if (cls) cell.className = cls;
    tr.append(cell);
    return cell;
  });
  return { tr, cells };
}

function renderGpus(gpus) {
  // rows keep their place; a row shows whichever GPU is at its position now
  const added = [];
  for (let i = 0; i < gpus.length; i++) {
    const g = gpus[i];
    if (i === gpuRows.length) {
      gpuRows.push(newGpuRow());
      added.push(gpuRows[i].tr);
    }
    const { tr, cells } = gpuRows[i];
    setData(tr, "gpu", g.id);
    setData(tr, "fits", g.fits);
    setData(tr, "headroomBytes", String(g.headroom_bytes));
    setText(cells[0], g.name);
    setText(cells[1], g.memory);
    setText(cells[2], g.verdict);
    setText(cells[3], g.headroom);
    setText(cells[4], g.cards);
    setText(cells[5], g.speed);
  }
  if (added.length) dom.gpuRows.append(...added);
  while (gpuRows.length > gpus.length) gpuRows.pop().tr.remove();
}

function renderSpeed(s) {
  // the decode / prefill line calc_py/speed.py gives for this machine (hidden without a card)
  setHidden(dom.speed, !s.shown);
  setText(dom.speedText, s.text);
  setText(dom.speedHow, s.how);
  setText(dom.speedLink, s.link);
  setAttr(dom.speedLink, "href", s.href);
}

function renderResults(v) {
  fillList(dom.notices, v.notices);
  if (dom.notes) fillList(dom.notes, v.notes);
  fillList(dom.advice, v.fit.advice);

  setAmount(totalRefs, v.total);
  setText(dom.totalLabel, v.total_label);
  setAmount(hostRefs, v.host);
  if (downloadRefs && v.download) setAmount(downloadRefs, v.download);
  setData(dom.fit, "fits", v.fit.state);
  setText(dom.fit, v.fit.text);
  setHidden(dom.approx, !v.approximate);
  if (dom.speed && v.speed) renderSpeed(v.speed);

  renderBar(v.bar);
  renderParts(v.parts);

  if (ruleRefs) {
    setAmount(ruleRefs, v.rule);
    setText(dom.ruleExplain, v.rule.text);
  }
  if (dom.gpuRows && v.gpus) renderGpus(v.gpus);   // a first-paint view has no GPU table
  renderMachine(v.machine);
  setData(results, "query", v.query);
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

const inputsDom = form ? {
  params: field("params"), paramsRange: $("#in-params-range"), modeHint: $("#mode-hint"),
  contextRange: $("#in-context-range"), quick: $$("button[data-quant]"), quant: field("quant"),
} : null;

function setValue(el, value) {
  if (el.value !== value) el.value = value;
}

function renderInputs(v) {
  if (!form) return;
  const d = inputsDom;
  const focused = document.activeElement;
  for (const [key, options] of Object.entries(v.selects)) setOptions(field(key), options);
  for (const key of KEYS) {
    const el = field(key);
    if (el && el !== focused && v.inputs[key] !== undefined) setValue(el, String(v.inputs[key]));
  }
  renderMachineInputs(v);
  if (v.file) setValue(field("model"), v.file.name);   // the picker shows the file's model
  if (v.config) setValue(field("model"), v.config.name);
  for (const [key, text] of Object.entries(v.placeholders)) {
    const el = field(key);
    if (el.placeholder !== text) el.placeholder = text;
  }
  if (d.params.readOnly !== v.params_locked) d.params.readOnly = v.params_locked;
  if (d.paramsRange.disabled !== v.params_locked) d.paramsRange.disabled = v.params_locked;
  if (v.params_locked) setValue(d.params, v.params_billions);
  if (focused !== d.paramsRange) setValue(d.paramsRange, d.params.value);
  setText(d.modeHint, v.mode_hint);
  setData(d.modeHint, "approximate", String(v.approximate));

  stops = v.context_stops;
  setAttr(d.contextRange, "max", String(stops.length - 1));
  if (focused !== d.contextRange) setValue(d.contextRange, String(v.context_index));

  d.quick.forEach((b, i) => {
    const q = v.quick[i] || { id: "", label: b.textContent };
    setData(b, "quant", q.id);
    if (b.disabled !== (q.id === "")) b.disabled = q.id === "";
    setAttr(b, "aria-pressed", String(q.id !== "" && q.id === d.quant.value));
  });
}

function render(v) {
  view = v;
  if (root.dataset.answer) setData(root, "answer", "live");   // the worker's answer replaces the first paint
  if (!v.file && !v.config) modelView = v;
  markStale(false);
  renderResults(v);
  renderInputs(v);
  if (isEmbed) {
    // no address bar in a frame: the link to the full calculator carries the inputs
    // (the new height goes to the parent from the ResizeObserver, after layout)
    setAttr($("#embed-open"), "href", pageUrl(boot.index || "index.html", permalinkQuery(v.inputs)) + linkHash());
  } else {
    scheduleUrl();
  }
}

// ---- the machine: cards with counts, RAM, the per-device view and the plan ----------
// The rows only spell the gpu= key (count x catalog id, comma-separated, llama.cpp's
// device order); calc_py parses it, places every tensor and answers with each
// device's bytes (view.machine), which are copied here as text.

const machineDom = form && $("#machine-rows") ? {
  rows: $("#machine-rows"), add: $("#machine-add"),
} : null;

function machineRows() {
  return machineDom ? Array.from(machineDom.rows.querySelectorAll(".machine-row")) : [];
}

function machineString() {
  // "" when no card is chosen (no machine: the single-card answer of before)
  const parts = [];
  for (const row of machineRows()) {
    const id = row.querySelector(".machine-gpu").value;
    const count = row.querySelector(".machine-count").value.trim() || "1";
    if (id) parts.push(count === "1" ? id : `${count}x${id}`);
  }
  return parts.join(",");
}

function addMachineRow() {
  // a copy of the first row (the catalog's options), with its own label
  const first = machineRows()[0];
  const row = first.cloneNode(true);
  const n = machineRows().length + 1;
  const select = row.querySelector(".machine-gpu");
  select.removeAttribute("id");
  select.setAttribute("aria-label", msg("machine.card", { n: String(n) }));
  row.querySelector("label").remove();
  const count = row.querySelector(".machine-count");
  count.removeAttribute("id");
  count.value = "1";
  const remove = row.querySelector(".machine-remove");
  remove.hidden = false;
  remove.disabled = false;
  machineDom.rows.append(row);
  return row;
}

function renderMachineInputs(v) {
  if (!machineDom) return;
  const focused = document.activeElement;
  if (machineDom.rows.contains(focused)) return;   // the reader is editing it
  const rows = v.machine && v.machine.rows.length ? v.machine.rows
    : [{ gpu: String(v.inputs.gpu || ""), count: 1 }];
  while (machineRows().length < rows.length) addMachineRow();
  while (machineRows().length > rows.length) machineRows().pop().remove();
  machineRows().forEach((row, i) => {
    setValue(row.querySelector(".machine-gpu"), rows[i].gpu);
    setValue(row.querySelector(".machine-count"), String(rows[i].count));
  });
}

if (machineDom) {
  machineDom.add.addEventListener("click", () => {
    const row = addMachineRow();
    row.querySelector(".machine-gpu").disabled = false;
    row.querySelector(".machine-count").disabled = false;
    row.querySelector(".machine-gpu").focus();
  });
  machineDom.rows.addEventListener("click", (e) => {
    const button = e.target.closest(".machine-remove");
    if (!button) return;
    button.closest(".machine-row").remove();
    machineDom.add.focus();
    request(readForm());
  });
}

const devicesDom = $("#devices") ? {
  section: $("#devices"), rows: $("#device-rows"), plan: $("#plan"), messages: $("#plan-messages"),
  command: $("#plan-command"),
} : null;

function deviceBar(bar) {
  const svg = document.createElementNS(dom.bar.namespaceURI, "svg");   // the SVG namespace, as the page's own bar
  svg.setAttribute("viewBox", "0 0 1000 12");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("class", "device-bar");
  svg.setAttribute("aria-hidden", "true");
  for (const s of bar) {
    const rect = document.createElementNS(svg.namespaceURI, "rect");
    for (const [k, val] of [["class", `seg seg-${s.part}`], ["x", s.x], ["width", s.width], ["y", "0"], ["height", "12"]]) {
      rect.setAttribute(k, val);
    }
    svg.append(rect);
  }
  return svg;
}

function cell(tag, text, cls) {
  const c = document.createElement(tag);
  if (tag === "th") c.scope = "row";
  if (cls) c.className = cls;
  c.textContent = text;
  return c;
}

function renderMachine(m) {
  if (!devicesDom) return;
  const has = Boolean(m && m.devices.length);
  setHidden(devicesDom.section, !has);
  if (has) {
    const key = JSON.stringify([m.devices, m.host]);
    if (devicesDom.rows.dataset.key !== key) {   // a few rows: rebuilt when they change
      devicesDom.rows.dataset.key = key;
      const trs = m.devices.map((d) => {
        const tr = document.createElement("tr");
        tr.dataset.device = d.name;
        tr.dataset.fits = d.fits;
        tr.dataset.bytes = String(d.total.bytes);
        const head = cell("th", `${d.name} · ${d.label}`);
        head.append(deviceBar(d.bar));
        tr.append(head, cell("td", d.layers), cell("td", d.weights, "num"), cell("td", d.kv_cache, "num"),
          cell("td", d.compute, "num"), cell("td", d.overhead, "num"), cell("td", d.total.gib, "num"),
          cell("td", d.usable, "num"), cell("td", d.verdict, "verdict"));
        return tr;
      });
      if (m.host) {
        const h = m.host;
        const tr = document.createElement("tr");
        tr.dataset.device = "host";
        tr.dataset.fits = h.fits;
        tr.dataset.bytes = String(h.total.bytes);
        tr.append(cell("th", msg("device.host")), cell("td", ""), cell("td", h.weights, "num"),
          cell("td", h.kv_cache, "num"), cell("td", h.compute, "num"), cell("td", "", "num"),
          cell("td", h.total.gib, "num"), cell("td", h.ram, "num"), cell("td", h.verdict, "verdict"));
        trs.push(tr);
      }
      devicesDom.rows.replaceChildren(...trs);
    }
  }
  const plan = m && m.plan;
  setHidden(devicesDom.plan, !plan);
  if (plan) {
    fillList(devicesDom.messages, plan.messages);
    setValue(devicesDom.command, plan.command);
  }
}

if (devicesDom) {
  $("#plan-copy").addEventListener("click", () => copyFrom(devicesDom.command, $("#plan-status")));
}

// ---- the address bar -------------------------------------------------------------
// The URL follows the inputs with history.replaceState (one history entry however
// many steps a slider takes), but not on every answer: replaceState costs the main
// thread a few ms each (and Chromium ignores a page's calls beyond ~200 per 10 s),
// so it runs once the answers stop for URL_IDLE_MS, at the latest URL_MAX_MS after
// the first unwritten answer, and at once when the page is hidden or a link is
// copied. The permalink field, the language link and the embed code follow with it.
// <html data-url-state="pending"> while the address bar is behind the numbers.
const URL_IDLE_MS = 150;
const URL_MAX_MS = 1000;
let urlTimer = 0;
let urlDueBy = 0;

function scheduleUrl() {
  const now = performance.now();
  if (!urlDueBy) {
    urlDueBy = now + URL_MAX_MS;
    root.dataset.urlState = "pending";
  }
  clearTimeout(urlTimer);
  urlTimer = setTimeout(flushUrl, Math.max(0, Math.min(URL_IDLE_MS, urlDueBy - now)));
}

function flushUrl() {
  clearTimeout(urlTimer);
  urlTimer = 0;
  urlDueBy = 0;
  if (isEmbed) return;
  const query = permalinkQuery(view.inputs);
  const hash = linkHash();
  if (location.search !== `?${query}` || location.hash !== hash) history.replaceState(null, "", `?${query}${hash}`);
  showPermalink();
  updateEmbedCode();
  updateLangLinks(query, hash);
  if (root.dataset.urlState !== "current") root.dataset.urlState = "current";
}

addEventListener("pagehide", () => { if (urlDueBy) flushUrl(); });
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden" && urlDueBy) flushUrl();
});

function updateLangLinks(query, hash = "") {
  // the other languages' calculator, with the same inputs
  for (const a of langLinks) setAttr(a, "href", pageUrl(a.dataset.langPage, query) + hash);
}
const langLinks = $$("a[data-lang-page]");

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

// aria-busy says at once that the numbers on screen are not the inputs' (for
// assistive technology and tests); the dimmed look and the "updating" tag only
// come when an answer takes longer than PENDING_SHOW_MS, so a fast recompute does
// not restyle and re-lay out the results twice (on and off) for nothing.
const PENDING_SHOW_MS = 150;
let pendingTimer = 0;

function setPending(pending) {
  setAttr(results, "aria-busy", String(pending));
  clearTimeout(pendingTimer);
  pendingTimer = 0;
  if (pending) {
    if (!results.classList.contains("is-pending")) {
      // the build's answer for these inputs is on screen: nothing to dim while Python starts
      pendingTimer = setTimeout(() => {
        if (root.dataset.answer !== "precomputed") results.classList.add("is-pending");
      }, PENDING_SHOW_MS);
    }
  } else if (results.classList.contains("is-pending")) {
    results.classList.remove("is-pending");
  }
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
  sentConfig = configText();
  worker.postMessage({ type: "estimate", id: inFlight, query: JSON.stringify(queued), vendor, lang: boot.lang,
    config: sentConfig });
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
    if (config || pendingConfig) lockForConfig(true);
    pump();
  } else if (m.type === "fatal") {
    root.dataset.calcState = "error";
    setStatus("error", msg("status.error", { error: m.message }));
    setPending(false);
  } else if (m.type === "result" || m.type === "failed") {
    inFlight = null;
    if (m.type === "failed") setStatus("error", msg("status.failed", { error: m.message }));
    if (queued === null) {            // only the newest answer is shown as current
      let settled = true;
      if (m.type === "result") {
        if (statusLine.dataset.state === "error") setStatus("ready", msg("status.ready"));
        settled = show(JSON.parse(m.view), sentConfig);
      }
      if (settled) setPending(false);
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
  lang: boot.lang,   // the warm-up estimate loads this language's messages
});

// The URL's inputs go to Python as typed (it validates and reports notices);
// until the answer comes, the prerendered default is marked as not current.
const initial = urlQuery();
// ---- first paint: the build's answer for the link's inputs -----------------------
// first-paint.js (in <head>) fetched the one file that may hold it; if it does, it is
// shown now: the display model calc_py computed at build time for exactly these
// inputs (<html data-answer="precomputed">; the GPU table stays dimmed, it is not in
// the file). Otherwise the numbers stay greyed (data-answer="placeholder") until the
// worker answers. data-calc-state=ready still means Python is up.
if (window.__calcFirstPaint && !langPage) {
  window.__calcFirstPaint.then((v) => {
    if (!v || root.dataset.answer !== "placeholder") return;   // none, or the worker was first
    view = v;
    renderResults(v);
    renderInputs(v);
    setData(root, "answer", "precomputed");
    results.classList.remove("is-pending");
    postHeight();
  });
}

// A link's #config=c1.... (a custom model) goes with it; Python reads and checks it.
if (worker && (Object.keys(initial).length > 0 || pendingConfig)) request(initial);

// ---- a GGUF file the reader has ----------------------------------------------
// Only the start of the file is read (File.slice): GGUF_READS[0] bytes, and more
// only when Python answers that the header goes on beyond them. The bytes go to
// the worker once (transferred, not copied); the worker keeps them as one Python
// bytes object while the file stays selected, so each later input change is an
// ordinary {query} message. Nothing leaves the browser.
// <html data-gguf-state>: none | reading | ready | error.

const GGUF_READS = [16, 64, 256].map((mib) => mib * 1024 * 1024);
const ggufDom = form && $("#in-gguf") ? {
  input: $("#in-gguf"), clear: $("#gguf-clear"), status: $("#gguf-status"), error: $("#gguf-error"),
  linkNote: $("#link-note"),
} : null;
let gguf = null;          // {file, step, sent} while a file is in use (step: index into GGUF_READS)
let savedInputs = null;   // the model picker's values from before the file, restored after it
let modelView = boot.view;  // the newest view without a file: its quant options and quick buttons

function markStale(stale) {
  // the numbers on screen are not the answer to what the inputs now say
  if (results.classList.contains("is-stale") !== stale) results.classList.toggle("is-stale", stale);
  setData(results, "stale", String(stale));
}

function sendGguf(buffer) {
  worker.postMessage({ type: "gguf", buffer }, buffer ? [buffer] : []);
}

function lockForFile(locked) {
  // the file stands for the model, its parameter count and its quantization
  for (const el of [field("model"), field("params"), field("quant"), inputsDom.paramsRange, ...inputsDom.quick]) {
    if (el.disabled !== locked) el.disabled = locked;
  }
  setHidden(ggufDom.linkNote, !locked);
}

function restoreInputs() {
  lockForFile(false);
  const d = inputsDom;
  setOptions(d.quant, modelView.selects.quant);
  d.quick.forEach((b, i) => {
    const id = (modelView.quick[i] || { id: "" }).id;
    setData(b, "quant", id);
    b.disabled = id === "";
  });
  d.paramsRange.disabled = modelView.params_locked;
  d.params.readOnly = modelView.params_locked;
  if (savedInputs) {
    for (const [key, value] of Object.entries(savedInputs)) setValue(field(key), value);
    savedInputs = null;
  }
}

async function readGguf(step) {
  const g = gguf;
  const limit = GGUF_READS[step];
  g.sent = false;
  root.dataset.ggufState = "reading";
  setPending(true);
  setText(ggufDom.status, msg("gguf.reading", { name: g.file.name, mib: String(limit / 1048576) }));
  let buffer;
  try {
    buffer = await g.file.slice(0, limit).arrayBuffer();
  } catch (err) {
    if (g === gguf) ggufFailed(msg("gguf.unreadable", { name: g.file.name, error: String(err && err.message || err) }));
    return;
  }
  if (g !== gguf) return;      // another file, or none, was chosen meanwhile
  g.step = step;
  g.sent = true;
  sendGguf(buffer);
  request(readForm());
}

function ggufFailed(text) {
  // back to the model picker; the numbers on screen stay, marked as not current
  gguf = null;
  sendGguf(null);
  restoreInputs();
  ggufDom.input.value = "";    // the same file can be chosen again
  setText(ggufDom.status, "");
  setText(ggufDom.error, text);
  setHidden(ggufDom.error, false);
  setHidden(ggufDom.clear, false);
  markStale(true);
  root.dataset.ggufState = "error";
}

// An answer from the worker: shown, or (a file whose header goes on beyond what
// was read) the next read started. Returns whether the page is settled.
function show(v, usedConfig = "") {
  if (v.config_error !== undefined || v.config) return showConfig(v, usedConfig);
  if (configText()) return true;  // an answer from before the config: the config's comes next
  if (!gguf) {
    if (v.file || v.file_error !== undefined) return true;   // a file's answer after it was cleared
    render(v);
    return true;
  }
  if (!gguf.sent) return false;   // an answer from before these bytes: the read goes on
  if (v.file_error === undefined && v.file) {
    render(v);
    root.dataset.ggufState = "ready";
    setText(ggufDom.status, msg("gguf.in_use", { name: gguf.file.name, model: v.file.name, quant: v.file.quant }));
    return true;
  }
  const { file, step } = gguf;
  if (v.truncated && step + 1 < GGUF_READS.length && file.size > GGUF_READS[step]) {
    readGguf(step + 1);
    return false;
  }
  if (v.truncated && file.size > GGUF_READS[step]) {
    ggufFailed(msg("gguf.header_too_long", { name: file.name, mib: String(GGUF_READS[step] / 1048576) }));
  } else {
    ggufFailed(msg("gguf.error", { name: file.name, error: v.file_error || "" }));
  }
  return true;
}

if (ggufDom) {
  ggufDom.input.addEventListener("change", () => {
    const file = ggufDom.input.files && ggufDom.input.files[0];
    if (!file) return;
    if (config || pendingConfig) dropConfig();
    if (!gguf && !savedInputs) {
      savedInputs = { model: field("model").value, params: field("params").value, quant: field("quant").value };
    }
    gguf = { file, step: 0, sent: false };
    setHidden(ggufDom.error, true);
    setHidden(ggufDom.clear, false);
    lockForFile(true);
    readGguf(0);
  });
  ggufDom.clear.addEventListener("click", () => {
    dropGguf();
    request(readForm());
  });
}

function dropGguf() {
  // back to the model picker (no request: the caller sends the next one)
  if (!ggufDom) return;
  const had = gguf !== null;
  gguf = null;
  if (had) sendGguf(null);
  restoreInputs();
  ggufDom.input.value = "";
  setText(ggufDom.status, "");
  setHidden(ggufDom.error, true);
  setHidden(ggufDom.clear, true);
  root.dataset.ggufState = "none";
}

// ---- a config.json the reader has ------------------------------------------------
// Pasted into the box, dropped on it, or picked: its text goes to the worker with
// each estimate, where calc_py reads it (api.read_config) and answers with the
// architecture it recognised, the parameter count and the fields it defaulted. A
// config calc_py cannot use gets its message and the previous answer stays. A link
// carries the fields calc_py reads in its fragment (#config=c1....), never the query.
// <html data-config-state>: none | reading | ready | error. Nothing leaves the browser.

const CONFIG_MAX_BYTES = 1024 * 1024;
const configDom = $("#field-config") ? {
  field: $("#field-config"), text: $("#in-config"), file: $("#in-config-file"), use: $("#config-use"),
  clear: $("#config-clear"), status: $("#config-status"), error: $("#config-error"),
  linkNote: $("#config-link-note"),
} : null;

function lockForConfig(locked) {
  // the config stands for the model and its parameter count
  for (const el of [field("model"), field("params"), inputsDom && inputsDom.paramsRange]) {
    if (el && el.disabled !== locked) el.disabled = locked;
  }
  if (configDom) setHidden(configDom.clear, !locked);
  if (configDom && configDom.linkNote && !locked) setHidden(configDom.linkNote, true);
}

function fillParagraphs(box, lines) {
  // one <p> per line, each written with textContent
  const ps = box.children;
  for (let i = 0; i < lines.length; i++) {
    if (i < ps.length) setText(ps[i], lines[i]);
    else {
      const p = document.createElement("p");
      p.className = "hint";
      p.textContent = lines[i];
      box.append(p);
    }
  }
  while (ps.length > lines.length) box.lastElementChild.remove();
}

function useConfig(text, name) {
  if (!configDom) return;
  setHidden(configDom.error, true);
  if (text.trim() === "") {
    configFailed(msg("config.empty"));
    return;
  }
  if (gguf) dropGguf();
  if (!config && !pendingConfig && !savedInputs) {
    savedInputs = { model: field("model") ? field("model").value : "", params: field("params") ? field("params").value : "" };
  }
  pendingConfig = { text, name };
  root.dataset.configState = "reading";
  fillParagraphs(configDom.status, [msg("config.reading", { name })]);
  lockForConfig(true);
  request(readForm());
}

function configFailed(text) {
  // the config in use before (or the model picker) and its answer stay
  pendingConfig = null;
  setText(configDom.error, text);
  setHidden(configDom.error, false);
  if (config) {
    root.dataset.configState = "ready";
    showConfigStatus(view);
  } else {
    fillParagraphs(configDom.status, []);
    lockForConfig(false);
    restoreSaved();
    root.dataset.configState = "error";
  }
  postHeight();
}

function restoreSaved() {
  if (!savedInputs) return;
  for (const [key, value] of Object.entries(savedInputs)) if (field(key)) setValue(field(key), value);
  savedInputs = null;
  if (inputsDom) inputsDom.paramsRange.disabled = modelView.params_locked || root.dataset.calcState !== "ready";
  if (inputsDom) inputsDom.params.readOnly = modelView.params_locked;
}

function dropConfig() {
  // back to the model picker (no request: the caller sends the next one)
  config = null;
  pendingConfig = null;
  if (!configDom) return;
  lockForConfig(false);
  restoreSaved();
  configDom.text.value = "";
  configDom.file.value = "";
  fillParagraphs(configDom.status, []);
  setHidden(configDom.error, true);
  root.dataset.configState = "none";
}

function showConfigStatus(v) {
  if (!v.config || !config) return;
  const c = v.config;
  fillParagraphs(configDom.status, [
    msg("config.in_use", { name: config.name, model_type: c.model_type, arch: c.arch, params: c.params }),
    ...c.defaulted, ...c.notes]);
  if (configDom.linkNote) {
    setText(configDom.linkNote, c.link);
    setHidden(configDom.linkNote, false);
  }
}

// An answer computed with a config (or a config calc_py refused): shown if it is for
// the config being tried or in use. Returns whether the page is settled.
function showConfig(v, usedConfig) {
  if (!configDom) return true;
  const forPending = pendingConfig !== null && usedConfig === pendingConfig.text;
  if (v.config_error !== undefined) {
    if (forPending) configFailed(msg("config.error", { name: pendingConfig.name, error: v.config_error }));
    return true;
  }
  if (forPending) {
    config = pendingConfig;
    pendingConfig = null;
    root.dataset.configState = "ready";
  } else if (!config || usedConfig !== config.text) {
    return true;           // an answer for a config no longer in use
  }
  render(v);
  showConfigStatus(v);
  return true;
}

async function readConfigFile(file) {
  if (file.size > CONFIG_MAX_BYTES) {
    configFailed(msg("config.too_large", { name: file.name, mib: String(CONFIG_MAX_BYTES / 1048576) }));
    return;
  }
  let text;
  try {
    text = await file.text();
  } catch (err) {
    configFailed(msg("config.error", { name: file.name, error: String(err && err.message || err) }));
    return;
  }
  configDom.text.value = text;
  useConfig(text, file.name);
}

if (configDom) {
  const pasted = () => msg("config.pasted");
  configDom.text.addEventListener("paste", () => {
    // the pasted text is in the box once the event is over
    setTimeout(() => useConfig(configDom.text.value, pasted()), 0);
  });
  configDom.use.addEventListener("click", () => useConfig(configDom.text.value, pasted()));
  configDom.file.addEventListener("change", () => {
    const file = configDom.file.files && configDom.file.files[0];
    if (file) readConfigFile(file);
  });
  configDom.field.addEventListener("dragover", (e) => {
    e.preventDefault();
    configDom.field.classList.add("is-drop");
  });
  configDom.field.addEventListener("dragleave", () => configDom.field.classList.remove("is-drop"));
  configDom.field.addEventListener("drop", (e) => {
    e.preventDefault();
    configDom.field.classList.remove("is-drop");
    if (configDom.text.disabled) return;      // Python is not up yet
    const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (file) readConfigFile(file);
    else {
      const text = e.dataTransfer ? e.dataTransfer.getData("text/plain") : "";
      configDom.text.value = text;
      useConfig(text, pasted());
    }
  });
  configDom.clear.addEventListener("click", () => {
    dropConfig();
    request(readForm());
  });
}

// ---- input events --------------------------------------------------------------

if (form) {
  const recompute = () => request(readForm());
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("input", (e) => {
    const t = e.target;
    if (t.id === "in-gguf") return;   // its own "change" handler below
    if (t.id === "in-config" || t.id === "in-config-file") return;   // used on paste, drop, pick or "Use"
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
    // the link of the inputs on screen, even within URL_IDLE_MS of a change
    if (urlDueBy) flushUrl(); else showPermalink();
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
  // lang= unless it is embed.html's own language (whichever page this is)
  const chosenLang = $("#embed-lang").value;
  if (chosenLang && boot.langs[chosenLang] !== "embed.html") query.set("lang", chosenLang);
  const src = pageUrl("embed.html", query.toString()) + linkHash();
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
  $("#embed-open").href = pageUrl(boot.index || "index.html", new URLSearchParams(urlQuery()).toString()) + location.hash;
  if ((search.get("lock") || "").split(",").includes("model")) {
    $("#field-model").hidden = true;
    if ($("#config-more")) $("#config-more").hidden = true;   // locked: no other model either
  }
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
