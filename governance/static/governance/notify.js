/* Live notifications for an open page, no build step.
   1. A websocket to /ws/notifications/ (the user's own group) receives pushes from the web process.
   2. Every 30 s the page also asks GET /api/v1/notifications/?since=<newest seen>: events raised in the
      Celery worker reach the page this way when the channel layer is in-memory (the embedded default).
   It updates the unread badge ([data-testid=unread-badge]) and prepends new rows to [data-notification-list]. */
(function () {
  "use strict";
  var since = new Date().toISOString();
  var seen = {};

  function badge(n) {
    var link = document.querySelector("[data-testid=inbox-link]");
    if (!link) return;
    var el = link.querySelector("[data-testid=unread-badge]");
    if (!n) { if (el) el.remove(); return; }
    if (!el) { el = document.createElement("span"); el.className = "badge"; el.setAttribute("data-testid", "unread-badge"); link.appendChild(el); }
    el.textContent = n;
  }

  function show(n) {
    if (seen[n.id]) return;
    seen[n.id] = true;
    if (n.created_at > since) since = n.created_at;
    var list = document.querySelector("[data-notification-list]");
    if (!list || list.querySelector('[data-notification-id="' + n.id + '"]')) return;
    var empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
    var li = document.createElement("li");
    li.className = "card unread";
    li.setAttribute("data-notification-id", n.id);
    var h = document.createElement("h2");
    h.textContent = n.title;
    li.appendChild(h);
    if (n.body) { var p = document.createElement("p"); p.textContent = n.body; li.appendChild(p); }
    if (n.url && n.url.charAt(0) === "/") { var a = document.createElement("a"); a.href = n.url; a.textContent = "→"; li.appendChild(a); }
    list.insertBefore(li, list.firstChild);
  }

  function connect() {
    if (!window.WebSocket) return;
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/notifications/");
    ws.onmessage = function (e) {
      var data = JSON.parse(e.data);
      if (data.type === "notification") { show(data.notification); badge(data.unread); }
    };
    ws.onclose = function (e) { if (e.code !== 4401) setTimeout(connect, 15000); };
  }

  function poll() {
    fetch("/api/v1/notifications/?since=" + encodeURIComponent(since), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        (data.results || []).slice().reverse().forEach(show);
        if (typeof data.unread === "number") badge(data.unread);
      })
      .catch(function () {});
  }

  connect();
  setInterval(poll, 30000);
})();
