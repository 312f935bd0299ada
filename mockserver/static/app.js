// The page works without this script. With it, it stays live (patching what changed in
// place, so open details stay open and a selection stays selected), keeps relative times
// up to date, asks before deleting, and copies ids.
(function () {
  "use strict";

  var parts = Array.prototype.slice.call(document.querySelectorAll("[data-src]"));
  var state = document.getElementById("live-state");

  function setState(value, words) {
    if (!state) return;
    state.dataset.state = value;
    state.textContent = words;
  }

  // -- patching: the new markup is merged into the old, node by node -------------------

  function sameKind(a, b) {
    return a.nodeType === b.nodeType && a.nodeName === b.nodeName && (a.id || "") === (b.id || "");
  }

  function syncAttributes(old, fresh) {
    Array.prototype.slice.call(old.attributes).forEach(function (attr) {
      // An open <details> is the reader's choice, and the script shows copy buttons.
      if (attr.name === "open" || (attr.name === "hidden" && old.dataset.copy !== undefined)) return;
      if (!fresh.hasAttribute(attr.name)) old.removeAttribute(attr.name);
    });
    Array.prototype.slice.call(fresh.attributes).forEach(function (attr) {
      if (attr.name === "open" || (attr.name === "hidden" && old.dataset.copy !== undefined)) return;
      if (old.getAttribute(attr.name) !== attr.value) old.setAttribute(attr.name, attr.value);
    });
  }

  function morph(old, fresh, lacking) {
    if (old.isEqualNode(fresh)) return old;
    if (old.nodeType !== 1) { old.nodeValue = fresh.nodeValue; return old; }
    syncAttributes(old, fresh);
    patchChildren(old, fresh, lacking);
    return old;
  }

  // Whitespace between tags carries nothing (but in <pre>): it is left as it is.
  function significant(parent) {
    return Array.prototype.slice.call(parent.childNodes).filter(function (n) {
      return n.nodeType === 1 || parent.nodeName === "PRE" || /\S/.test(n.nodeValue || "");
    });
  }

  // Children are matched by id, else by kind and order; matched ones are merged, never
  // moved unless the order changed (moving a node would drop a selection inside it).
  // A stub (data-same) stands for a piece this page holds at that version: it is kept as
  // it is. A stub with nothing to keep means the page must ask for all of it (``lacking``).
  function patchChildren(parent, fresh, lacking) {
    var olds = significant(parent);
    var byId = {};
    olds.forEach(function (n) { if (n.id) byId[n.id] = n; });
    var used = [], result = [], cursor = 0;
    significant(fresh).forEach(function (n) {
      var match = null;
      if (n.nodeType === 1 && n.hasAttribute("data-same")) {
        var kept = byId[n.id];
        if (kept && kept.dataset.v === n.dataset.v) { used.push(kept); result.push(kept); return; }
        lacking.missing = true;
      }
      if (n.id && byId[n.id] && sameKind(byId[n.id], n)) {
        match = byId[n.id];
      } else if (!n.id) {
        while (cursor < olds.length && (used.indexOf(olds[cursor]) >= 0 || olds[cursor].id)) cursor++;
        if (cursor < olds.length && sameKind(olds[cursor], n)) match = olds[cursor++];
      }
      if (match) { used.push(match); result.push(morph(match, n, lacking)); } else { result.push(n); }
    });
    olds.forEach(function (n) { if (used.indexOf(n) < 0) parent.removeChild(n); });
    var ref = significant(parent)[0] || null;
    result.forEach(function (n) {
      if (n === ref) {
        ref = ref.nextSibling;
        while (ref && !(ref.nodeType === 1 || parent.nodeName === "PRE" || /\S/.test(ref.nodeValue || ""))) {
          ref = ref.nextSibling;
        }
        return;
      }
      parent.insertBefore(n, ref);  // new, or out of order
    });
  }

  // -- live parts: one fetch at a time, and one more if a change came meanwhile ----------

  // The versions of the pieces this part holds, for the server to send only the others;
  // none when there are too many to say in a header (then all of it comes).
  function holding(part) {
    var versions = Array.prototype.map.call(part.querySelectorAll("[data-v]"), function (el) {
      return el.dataset.v;
    }).join(",");
    return versions.length <= 6000 ? versions : "";
  }

  function redraw(part, whole) {
    if (part.busy) { part.again = true; return; }
    part.busy = true;
    part.again = false;
    var src = part.dataset.src;
    var query = window.location.search.replace(/^\?/, "");
    var url = src + (query ? (src.indexOf("?") < 0 ? "?" : "&") + query : "");
    var lacking = { missing: false };
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html", "X-Have": whole ? "" : holding(part) } })
      .then(function (resp) { return resp.ok ? resp.text() : Promise.reject(resp.status); })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;
        patchChildren(part, template.content, lacking);
        showCopyButtons(part);
        tick();
        document.dispatchEvent(new CustomEvent("salesplay:refreshed"));
      })
      .catch(function () { /* the next change tries again */ })
      .then(function () {
        part.busy = false;
        if (lacking.missing) redraw(part, true);  // a stub of a piece this page lost: all of it
        else if (part.again) redraw(part);
      });
  }

  // -- the clock, and times relative to it ---------------------------------------------

  var clockEl = document.getElementById("sim-now");
  var clockBase = { epoch: 0, scale: 0, at: 0 };
  // Simulated time when this run of the server began: a moment before it has no known
  // real time (the server was stopped in between for a while the clock does not know).
  var runSince = clockEl && clockEl.dataset.since ? parseFloat(clockEl.dataset.since) : null;

  function setClock(epoch, scale) {
    clockBase = { epoch: epoch, scale: scale, at: Date.now() };
    tick();
  }

  function simNow() {
    return clockBase.epoch + (Date.now() - clockBase.at) / 1000 * clockBase.scale;
  }

  function span(seconds) {
    if (seconds < 60) return Math.round(seconds) + " s";
    if (seconds < 3600) return Math.round(seconds / 60) + " min";
    if (seconds <= 48 * 3600) return (seconds / 3600).toFixed(1).replace(/\.0$/, "") + " h";
    return (seconds / 86400).toFixed(1).replace(/\.0$/, "") + " d";
  }

  function relative(t, now) {
    var delta = t - now;
    if (Math.abs(delta) < 1) return "now";
    return delta > 0 ? "in " + span(delta) : span(-delta) + " ago";
  }

  // The same moment in real time, in words ("about 3 min from now"), or "" where there is none.
  function realEquivalent(t, now, scale) {
    if (scale <= 1 || Math.abs(t - now) < 1 || (runSince !== null && t < runSince)) return "";
    var real = Math.abs(t - now) / scale;
    if (real < 1) return t > now ? "in under a second" : "under a second ago";
    return "about " + span(real) + (t > now ? " from now" : " ago");
  }

  // Moments in the reader's own time zone ("2025-06-30 14:00:35 CEST"), UTC on hover.
  function two(n) { return (n < 10 ? "0" : "") + n; }

  function zoneOf(date) {
    try {
      var named = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" }).formatToParts(date)
        .filter(function (part) { return part.type === "timeZoneName"; })[0];
      return named ? " " + named.value : "";
    } catch (e) { return ""; }
  }

  function localText(seconds) {
    var d = new Date(seconds * 1000);
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " +
      two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds()) + zoneOf(d);
  }

  function utcText(seconds) {
    return new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ") + " UTC";
  }

  function tick() {
    if (!clockEl) return;
    var now = simNow();
    clockEl.textContent = localText(now);
    clockEl.title = utcText(now);
    document.querySelectorAll("time[data-epoch]").forEach(function (el) {
      if (el === clockEl) return;
      var t = parseFloat(el.dataset.epoch);
      var real = realEquivalent(t, now, clockBase.scale);
      el.textContent = relative(t, now) + (real ? " (" + real + ")" : "");
      // The hover says the exact time, and the real-time words of this moment, not the drawing's.
      el.title = localText(t) + " · " + utcText(t) + ", simulated" + (real ? "; " + real : "");
    });
    document.querySelectorAll("time[data-utc]").forEach(function (el) {
      var t = parseFloat(el.dataset.utc);
      el.textContent = localText(t);
      el.title = utcText(t);
    });
  }

  if (clockEl) {
    setClock(parseFloat(clockEl.dataset.epoch), parseFloat(clockEl.dataset.scale));
    if (clockBase.scale > 0) window.setInterval(tick, 1000);
  }

  // -- the stream of this merchant's changes -------------------------------------------

  // A change: redraw the live parts, and take the merchant's clock (each token has its
  // own time on the manual clock).
  function refresh(event) {
    parts.forEach(function (part) { redraw(part); });
    try {
      var change = JSON.parse(event.data);
      setClock(change.now_epoch, change.scale);
    } catch (e) { /* keep ticking as before */ }
  }

  function connect() {
    if (!window.EventSource || !parts.length) return;
    if (state) state.hidden = false;  // only a page with live parts says whether it is live
    // From the version the page was drawn from: a change made while it loaded is not missed.
    var seen = document.body.dataset.seen;
    var source = new EventSource("/ui/stream" + (seen ? "?seen=" + encodeURIComponent(seen) : ""));
    var lost = false;
    source.addEventListener("open", function () {
      setState("on", "live");
      if (lost) parts.forEach(function (part) { redraw(part); });  // whatever happened while the stream was down
      lost = false;
    });
    source.addEventListener("change", refresh);
    source.addEventListener("error", function () {
      lost = true;
      setState("reconnecting", "reconnecting…");
    });
  }

  // -- this browser's secret -------------------------------------------------------------

  // Cookies do not keep the ports of one host apart: a page on another port can set this
  // page's session cookie to one signed in elsewhere. This origin's storage no other port
  // can touch: a secret kept there goes with every form (the sign-in is bound to it), and
  // a page whose session was signed in with another secret signs out and asks again.
  var browserSecret = (function () {
    try {
      var kept = window.localStorage.getItem("spm-browser");
      if (!kept) {
        var bytes = new Uint8Array(16);
        window.crypto.getRandomValues(bytes);
        kept = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
        window.localStorage.setItem("spm-browser", kept);
      }
      return kept;
    } catch (e) {
      return null;  // no storage here: the page works as it does without this script
    }
  })();

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!browserSecret || (form.method || "").toLowerCase() !== "post" || form.elements.browser) return;
    var field = document.createElement("input");
    field.type = "hidden";
    field.name = "browser";
    field.value = browserSecret;
    form.appendChild(field);
  });

  function checkBrowser() {
    if (!browserSecret || !document.body.dataset.signedIn || !window.fetch) return;
    fetch("/ui/browser", { method: "POST", credentials: "same-origin", headers: { "X-Browser": browserSecret } })
      .then(function (resp) { if (resp.status === 409) window.location.reload(); })
      .catch(function () { /* the server is away; the next form says it */ });
  }

  // -- asking first, and copying -------------------------------------------------------

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.dataset && form.dataset.confirm;
    if (!message) return;
    if (!window.confirm(message)) { event.preventDefault(); return; }
    var confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirmed";
    confirmed.value = "1";
    form.appendChild(confirmed);  // asked here: the server need not ask again
  });

  function showCopyButtons(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) return;
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      // A tick beside the button's words (its name stays what it says), and said aloud.
      button.dataset.copied = "1";
      var said = document.getElementById("copy-status");
      if (said) said.textContent = "copied";
      window.setTimeout(function () {
        delete button.dataset.copied;
        if (said) said.textContent = "";
      }, 1500);
    });
  });

  // -- a timeline group opens its attempts, in a run of the list that may be closed ------

  function openTarget() {
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (!target) return;
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    target.scrollIntoView({ block: "center" });
  }

  window.addEventListener("hashchange", openTarget);
  openTarget();
  showCopyButtons(document);
  checkBrowser();
  connect();
})();
