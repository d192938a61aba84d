// For pages that embed the LLM VRAM calculator: copy this file next to your page
// (or load it from the calculator's site) and include it once:
//
//   <iframe src=".../embed.html?model=..." data-llm-vram-calc ...></iframe>
//   <script src="embed-resize.js" defer></script>
//
// The calculator inside the frame posts {height: N} (CSS pixels) when it loads and
// whenever its content changes size. This script sets that height on the one
// <iframe data-llm-vram-calc> the message came from: it checks that the sender is
// that frame's window (event.source) and that it comes from the frame's own origin,
// and accepts only a plain positive number. It never reads or sends anything else.
(function () {
  "use strict";
  var MAX_HEIGHT = 20000;

  function frameOf(event) {
    var frames = document.querySelectorAll("iframe[data-llm-vram-calc]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) return frames[i];
    }
    return null;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.height !== "number") return;
    var frame = frameOf(event);
    if (!frame) return;
    var origin;
    try { origin = new URL(frame.src, document.baseURI).origin; } catch (e) { return; }
    if (event.origin !== origin) return;
    var height = Math.ceil(data.height);
    if (!(height > 0 && height <= MAX_HEIGHT)) return;
    frame.style.height = height + "px";
    frame.style.border = "0";
  });
}());
