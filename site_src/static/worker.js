// The one Web Worker: loads Pyodide from this origin, installs the calc_py wheel
// and answers {type: "estimate", query, vendor, lang} with site_src/view.py's
// display model ({config}: the text of a config.json in use, or a link's
// c1. fragment, read by calc_py on every estimate). {type: "gguf", buffer} (no answer) hands over the first bytes
// of a GGUF file the reader picked (an ArrayBuffer, transferred; null forgets
// it): they become one Python bytes object, kept in view.py, and every later
// estimate uses it until the next "gguf" message. A module worker, because Pyodide's ES-module loader refuses
// classic workers.
//
// Speed: the query goes in and the display model comes out as one JSON string
// each (no PyProxy per call: `run` is looked up once); app.js keeps at most
// one request in flight and sends only the newest query, so every message
// here is answered, in order.

let run = null; // view.run, a Python function: (query_json, vendor, lang, config_text) -> view_json
let setGguf = null; // view.set_gguf: (Uint8Array | null) -> length kept

function download(url, as) {
  return fetch(url).then((r) => {
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return as === "text" ? r.text() : r.arrayBuffer();
  });
}

async function init({ pyodide: indexURL, wheel, view }) {
  // The wheel and view.py download while Pyodide compiles and starts.
  const files = Promise.all([download(wheel, "bytes"), download(view, "text")]);
  files.catch(() => {}); // a failure is reported where it is awaited, below
  const { loadPyodide } = await import(indexURL + "pyodide.mjs");
  // packageBaseUrl: any package lookup stays on this origin (the default is a CDN).
  const py = await loadPyodide({ indexURL, packageBaseUrl: indexURL });
  const [wheelBytes, viewSource] = await files;
  // A py3-none-any wheel is a zip of the package: unpack it into site-packages.
  py.unpackArchive(wheelBytes, "wheel");
  py.FS.mkdirTree("/calc_site");
  py.FS.writeFile("/calc_site/calc_view.py", viewSource);
  py.runPython("import sys; sys.path.insert(0, '/calc_site')");
  const calcView = py.pyimport("calc_view");
  run = calcView.run;
  setGguf = calcView.set_gguf;
  return py;
}

function warm(py, lang) {
  // After "ready": one estimate of the default loads the catalogs and message
  // tables and fills calc_py's caches, so the first input change is not the one
  // that pays for them; then the objects alive now (modules, catalogs) leave
  // the cyclic garbage collector's generations, so later collections skip them.
  try {
    run("{}", "", lang || "en");   // the page's language: its messages load now
    py.runPython("import gc; gc.collect(); gc.freeze()");
  } catch (err) {
    // a real request reports its own error
  }
}

self.addEventListener("message", async (event) => {
  const m = event.data;
  if (m.type === "init") {
    let py;
    try {
      py = await init(m);
    } catch (err) {
      self.postMessage({ type: "fatal", message: String(err && err.message ? err.message : err) });
      return;
    }
    self.postMessage({ type: "ready" });
    warm(py, m.lang);
  } else if (m.type === "gguf") {
    // copied once into Python (bytes); the JS buffer is dropped with this message.
    // No argument (not null, which reaches Python as JsNull) forgets the file.
    try {
      if (m.buffer) setGguf(new Uint8Array(m.buffer));
      else setGguf();
    } catch (err) {
      // the estimate that follows answers without a file; app.js reports that
      try { setGguf(); } catch (ignored) { /* nothing kept */ }
    }
  } else if (m.type === "estimate") {
    try {
      self.postMessage({ type: "result", id: m.id, view: run(m.query, m.vendor || "", m.lang || "en", m.config || "") });
    } catch (err) {
      self.postMessage({ type: "failed", id: m.id, message: String(err && err.message ? err.message : err) });
    }
  }
});
