// First paint for a link with inputs: a classic script in <head>, run before the
// body is parsed. The HTML holds the default configuration's numbers; for a URL
// with inputs (or a #config= model) those are not the answer, so <html
// data-answer="placeholder"> greys them from the first frame (style.css). Where the
// build computed the link's answer (every cell of the model tables,
// site_src/first_paint.py), the one small file that holds it is fetched now, in
// parallel with Pyodide, and app.js shows it (data-answer="precomputed") until
// the worker's own answer replaces it (data-answer="live"). No formula here: the
// file holds calc_py's display model; this script only finds it by its key (the
// URL's input keys in KEYS order, as URLSearchParams writes them).
(function () {
  var root = document.documentElement;
  var keys = (root.getAttribute("data-fp-keys") || "").split(" ");
  var search = new URLSearchParams(location.search);
  var inputs = new URLSearchParams();
  keys.forEach(function (k) { if (k && search.has(k)) inputs.set(k, search.get(k)); });
  var custom = location.hash.indexOf("#config=") === 0;
  if (!inputs.toString() && !custom) return;          // the prerendered default is the answer
  root.setAttribute("data-answer", "placeholder");
  var dir = root.getAttribute("data-fp-dir");
  var model = search.has("model") ? search.get("model") : root.getAttribute("data-fp-model");
  if (!dir || custom || !model || !window.fetch) return;
  // only a model the build precomputed has a file (the list is in the page): others wait for the worker
  var slug = model.split("/").join("--");
  if ((" " + (root.getAttribute("data-fp-models") || "") + " ").indexOf(" " + slug + " ") < 0) return;
  var file = dir + slug + ".json?v=" + root.getAttribute("data-fp-version");
  var key = inputs.toString();
  window.__calcFirstPaint = fetch(file).then(function (r) { return r.ok ? r.json() : null; })
    .then(function (d) {
      if (!d || !Object.prototype.hasOwnProperty.call(d.keys, key)) return null;
      var v = d.views[d.keys[key]];
      v.selects = d.selects[v.selects];
      return v;
    })
    .catch(function () { return null; });
})();
