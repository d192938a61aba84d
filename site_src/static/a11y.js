// The calculator for screen readers and phones, from the result panel app.js writes
// (no number is computed here):
//  - a polite live region that speaks the result once the answers settle (SETTLE_MS
//    after the last one), not on every keystroke;
//  - a one-line total pinned to the bottom of the form while it scrolls (phones), so
//    the result stays in view without scrolling past the whole form.
const SETTLE_MS = 1200;
const results = document.getElementById("results");
const form = document.getElementById("calc-form");
const text = (sel) => (results.querySelector(sel)?.textContent || "").replace(/\s+/g, " ").trim();

if (results) {
  const live = document.createElement("p");
  live.id = "live-summary";
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("aria-atomic", "true");
  live.dataset.announced = "0";
  document.body.append(live);

  const sticky = document.createElement("p");
  sticky.id = "sticky-total";
  sticky.className = "sticky-total";
  sticky.setAttribute("aria-hidden", "true");   // the live region says it; this is for the eyes
  if (form) form.append(sticky);

  let timer = 0;
  let last = null;
  const summary = () => {
    const notices = results.querySelector("#notices:not([hidden])") ? text("#notices") : "";
    const stale = results.classList.contains("is-stale") ? text(".stale-tag") : "";
    return [notices, `${text("#total-label")}: ${text('[data-part="total"]')}`, stale, text("#fit")]
      .filter(Boolean).join(". ");
  };
  const update = () => {
    const total = text('[data-part="total"]');
    sticky.replaceChildren(`${text("#total-label")}: ${total}`);
    const fit = document.createElement("span");
    fit.className = "sticky-fit";
    fit.textContent = text("#fit");
    sticky.append(fit);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const said = summary();
      if (last === null) { last = said; return; }   // the page's first answer: the status says "ready"
      if (said !== last) {
        last = said;
        live.textContent = said;
        live.dataset.announced = String(Number(live.dataset.announced) + 1);
      }
    }, SETTLE_MS);
  };
  new MutationObserver(() => {
    if (results.getAttribute("aria-busy") === "false") update();
  }).observe(results, { attributes: true, attributeFilter: ["aria-busy", "class"] });
  update();
}
