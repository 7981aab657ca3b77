// Live progress: a websocket tells the page that the order changed; htmx re-fetches the
// status block. When the socket is down the block still refreshes by polling (hx-trigger).
(function () {
  var script = document.currentScript;
  var path = script && script.getAttribute("data-ws");
  var reload = script && script.getAttribute("data-reload");
  if (!path || !window.WebSocket) return;
  var delay = 1000;
  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path);
    ws.onmessage = function () {
      if (reload) { location.reload(); return; }
      document.body.dispatchEvent(new CustomEvent("order-changed", {bubbles: true}));
    };
    ws.onopen = function () { delay = 1000; };
    ws.onclose = function () { setTimeout(connect, delay); delay = Math.min(delay * 2, 30000); };
  }
  connect();
})();
