// The open care alerts, live: the websocket says an alert was raised or changed and htmx
// re-fetches the list. While the socket is down the list refreshes by polling (hx-trigger
// "every N s", which skips its turn while the socket is up).
(function () {
  var script = document.currentScript;
  var path = script && script.getAttribute("data-ws");
  var list = document.getElementById("care-alerts");
  if (!path || !list || !window.WebSocket) return;
  var delay = 1000;
  var wasDown = false;
  function changed() {
    document.body.dispatchEvent(new CustomEvent("care-changed", {bubbles: true}));
  }
  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path);
    ws.onopen = function () {
      delay = 1000;
      list.setAttribute("data-live", "1");
      if (wasDown) changed();  // what happened while the socket was down
    };
    ws.onmessage = changed;
    ws.onclose = function () {
      list.removeAttribute("data-live");
      wasDown = true;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
