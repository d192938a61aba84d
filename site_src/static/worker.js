// The one Web Worker: loads Pyodide from this origin, installs the calc_py wheel
// and answers {type: "estimate", query, vendor, lang} with site_src/view.py's
// display model. A module worker, because Pyodide's ES-module loader refuses
// classic workers.
//
// Speed: the query goes in and the display model comes out as one JSON string
// each (no PyProxy per call: `run` is looked up once); app.js keeps at most
// one request in flight and sends only the newest query, so every message
// here is answered, in order.

let run = null; // view.run, a Python function: (query_json, vendor, lang) -> view_json

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
  run = py.pyimport("calc_view").run;
  return py;
}

function warm(py) {
  // After "ready": one estimate of the default loads the catalogs and message
  // tables and fills calc_py's caches, so the first input change is not the one
  // that pays for them; then the objects alive now (modules, catalogs) leave
  // the cyclic garbage collector's generations, so later collections skip them.
  try {
    run("{}", "", "en");
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
    warm(py);
  } else if (m.type === "estimate") {
    try {
      self.postMessage({ type: "result", id: m.id, view: run(m.query, m.vendor || "", m.lang || "en") });
    } catch (err) {
      self.postMessage({ type: "failed", id: m.id, message: String(err && err.message ? err.message : err) });
    }
  }
});
