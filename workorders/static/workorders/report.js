// The report form: the phone's GPS (WGS-84, stored as is) and, once a category and a place
// are known, the open orders of the same category nearby (so a duplicate becomes a "+1").
(function () {
  var form = document.getElementById("report-form");
  if (!form) return;
  var lon = form.querySelector("input[name=lon]"), lat = form.querySelector("input[name=lat]");
  var state = document.getElementById("gps-state"), nearby = document.getElementById("nearby");
  var category = form.querySelector("select[name=category]");
  function lookNearby() {
    if (!lon.value || !category.value || !window.htmx) return;
    htmx.ajax("GET", nearby.dataset.url + "?category=" + category.value + "&lon=" + lon.value + "&lat=" + lat.value,
              {target: "#nearby", swap: "innerHTML"});
  }
  var button = document.getElementById("use-gps");
  if (button && navigator.geolocation) {
    button.addEventListener("click", function () {
      state.textContent = "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        lon.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        state.textContent = "✓ " + lat.value + ", " + lon.value;
        lookNearby();
      }, function (err) { state.textContent = err.message; }, {enableHighAccuracy: true, timeout: 15000});
    });
  }
  category.addEventListener("change", lookNearby);
})();
