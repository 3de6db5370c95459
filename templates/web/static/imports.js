// The SIECLE import's progress bar: polls the progress endpoint every 500 ms, then reloads
// the page to show the final summary (or the failure).
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("import-progress");
  var step = document.getElementById("import-step");
  var percent = document.getElementById("import-percent");
  var failure = document.getElementById("import-error");

  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + " %";
    percent.textContent = state.percent;
    step.textContent = state.label;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.state === "running") {
          window.setTimeout(poll, 500);
        } else {
          window.location.replace(window.location.pathname.replace(/\/apply$/, ""));
        }
      })
      .catch(function (error) {
        failure.hidden = false;
        failure.textContent = String(error);
        window.setTimeout(poll, 2000);
      });
  }

  window.setTimeout(poll, 500);
})();
