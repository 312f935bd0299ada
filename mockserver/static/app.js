// The page works without this script; with it, it stays live and asks before deleting.
(function () {
  "use strict";

  var parts = Array.prototype.slice.call(document.querySelectorAll("[data-src]"));
  var state = document.getElementById("live-state");

  function setState(value) {
    if (state) state.dataset.state = value;
  }

  // Redraw one live part from the server, keeping open <details> open.
  function redraw(part) {
    if (part.dataset.busy) return;
    part.dataset.busy = "1";
    var src = part.dataset.src;
    var query = window.location.search.replace(/^\?/, "");
    var url = src + (query ? (src.indexOf("?") < 0 ? "?" : "&") + query : "");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (resp) { return resp.ok ? resp.text() : Promise.reject(resp.status); })
      .then(function (html) {
        var open = {};
        part.querySelectorAll("li[id] > details").forEach(function (d) { open[d.parentNode.id] = d.open; });
        part.innerHTML = html;
        Object.keys(open).forEach(function (id) {
          var d = document.querySelector("#" + id + " > details");
          if (d) d.open = open[id];
        });
        document.dispatchEvent(new CustomEvent("salesplay:refreshed"));
      })
      .catch(function () { /* the next change will try again */ })
      .finally(function () { delete part.dataset.busy; });
  }

  // The header's simulated time: ticks at the clock's scale, re-read after each change.
  var clockEl = document.getElementById("sim-now");
  var clockBase = { epoch: 0, scale: 0, at: 0 };

  function setClock(epoch, scale) {
    clockBase = { epoch: epoch, scale: scale, at: Date.now() };
    showClock();
  }

  function showClock() {
    if (!clockEl) return;
    var t = clockBase.epoch + (Date.now() - clockBase.at) / 1000 * clockBase.scale;
    clockEl.textContent = new Date(t * 1000).toISOString().slice(0, 19).replace("T", " ");
  }


  if (clockEl) {
    setClock(parseFloat(clockEl.dataset.epoch), parseFloat(clockEl.dataset.scale));
    if (clockBase.scale > 0) window.setInterval(showClock, 1000);
  }

  // A change of this merchant's: redraw the live parts, and take its clock (each token
  // has its own time on the manual clock).
  function refresh(event) {
    parts.forEach(redraw);
    try {
      var change = JSON.parse(event.data);
      setClock(change.now_epoch, change.scale);
    } catch (e) { /* an older server: the clock keeps ticking as it was */ }
  }

  function connect() {
    if (!window.EventSource || !parts.length) return;
    var source = new EventSource("/ui/stream");
    source.addEventListener("open", function () { setState("on"); });
    source.addEventListener("change", refresh);
    // EventSource reconnects by itself; show that it is trying.
    source.addEventListener("error", function () { setState("reconnecting"); });
  }

  document.addEventListener("submit", function (event) {
    var message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  connect();
})();
