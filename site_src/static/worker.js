// The one Web Worker: loads Pyodide from this origin, installs the calc_py wheel
// and answers {type: "estimate", query} with site_src/view.py's display model.
// A module worker, because Pyodide's ES-module loader refuses classic workers.

let run = null; // view.run, a Python function: (query_json, vendor) -> view_json

async function init({ pyodide: indexURL, wheel, view }) {
  const { loadPyodide } = await import(indexURL + "pyodide.mjs");
  // packageBaseUrl: any package lookup stays on this origin (the default is a CDN).
  const py = await loadPyodide({ indexURL, packageBaseUrl: indexURL });
  const [wheelBytes, viewSource] = await Promise.all([
    fetch(wheel).then((r) => { if (!r.ok) throw new Error(`${wheel}: ${r.status}`); return r.arrayBuffer(); }),
    fetch(view).then((r) => { if (!r.ok) throw new Error(`${view}: ${r.status}`); return r.text(); }),
  ]);
  // A py3-none-any wheel is a zip of the package: unpack it into site-packages.
  py.unpackArchive(wheelBytes, "wheel");
  py.FS.mkdirTree("/calc_site");
  py.FS.writeFile("/calc_site/calc_view.py", viewSource);
  py.runPython("import sys; sys.path.insert(0, '/calc_site')");
  run = py.pyimport("calc_view").run;
}

self.addEventListener("message", async (event) => {
  const m = event.data;
  if (m.type === "init") {
    try {
      await init(m);
      self.postMessage({ type: "ready" });
    } catch (err) {
      self.postMessage({ type: "fatal", message: String(err && err.message ? err.message : err) });
    }
  } else if (m.type === "estimate") {
    try {
      self.postMessage({ type: "result", id: m.id, view: run(m.query, m.vendor || "") });
    } catch (err) {
      self.postMessage({ type: "failed", id: m.id, message: String(err && err.message ? err.message : err) });
    }
  }
});
