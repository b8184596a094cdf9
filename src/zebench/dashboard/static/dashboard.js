// zebench dashboard: live refresh of running batches and tidy filter URLs.
// Loaded from /static (the CSP forbids inline scripts). No dependencies.
(function () {
  "use strict";

  var POLL_MS = 3000;
  var MAX_BACKOFF_MS = 30000;

  // Live refresh: the server marks <body> with data-live-url and the fingerprint the page was
  // rendered from; reload when the fingerprint the endpoint reports differs.
  function startLive() {
    var body = document.body;
    var url = body.getAttribute("data-live-url");
    var seen = body.getAttribute("data-live-fingerprint");
    if (!url || !seen || !window.fetch) { return; }
    var indicator = document.getElementById("live-indicator");
    var delay = POLL_MS;

    function schedule() { window.setTimeout(poll, delay); }

    function poll() {
      if (document.hidden) { schedule(); return; }
      fetch(url, { cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          delay = POLL_MS;
          if (indicator) { indicator.classList.remove("stale"); }
          if (data && data.fingerprint && data.fingerprint !== seen) {
            window.location.reload();
            return;
          }
          schedule();
        })
        .catch(function () {
          // Server restarting or unreachable: back off, keep the page, try again later.
          delay = Math.min(delay * 2, MAX_BACKOFF_MS);
          if (indicator) { indicator.classList.add("stale"); }
          schedule();
        });
    }
    schedule();
  }

  // Filters: drop empty fields from the query string so URLs stay short and bookmarkable,
  // and apply a select's choice at once.
  function tidyFilters() {
    var form = document.getElementById("run-filters");
    if (!form) { return; }
    form.addEventListener("submit", function () {
      var fields = form.querySelectorAll("input[name], select[name]");
      for (var i = 0; i < fields.length; i++) {
        if (!fields[i].value) { fields[i].disabled = true; }
      }
    });
    // Coming back with the back button restores the page with those fields still disabled.
    window.addEventListener("pageshow", function () {
      var disabled = form.querySelectorAll("[disabled]");
      for (var k = 0; k < disabled.length; k++) { disabled[k].disabled = false; }
    });
    var selects = form.querySelectorAll("select");
    for (var j = 0; j < selects.length; j++) {
      selects[j].addEventListener("change", function () {
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      });
    }
  }

  // Compare: refuse more than five ticked batches before the round trip.
  function limitCompare() {
    var forms = [document.getElementById("compare-form"), document.getElementById("compare-picker")];
    forms.forEach(function (form) {
      if (!form) { return; }
      form.addEventListener("submit", function (event) {
        var ticked = form.querySelectorAll("input[name=ids]:checked").length;
        if (ticked < 2 || ticked > 5) {
          event.preventDefault();
          var note = form.querySelector(".compare-note");
          if (!note) {
            note = document.createElement("p");
            note.className = "notice compare-note";
            form.appendChild(note);
          }
          note.textContent = "Tick between 2 and 5 batches (" + ticked + " ticked).";
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startLive();
    tidyFilters();
    limitCompare();
  });
})();
