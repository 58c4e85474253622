// The share form's live preview: when the template or a per-kind choice changes, the form
// is posted to the preview URL and only the preview is replaced. Without script, the
// "Update the preview" button does the same with a full page.
(function () {
  "use strict";
  var box = document.querySelector("[data-preview]");
  if (!box) { return; }
  var form = box.closest("form");
  var button = box.querySelector("[data-preview-button]");
  if (button) { button.hidden = true; }
  var pending = null;
  function refresh() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var current = document.getElementById("share-preview");
    current.setAttribute("aria-busy", "true");
    fetch(box.getAttribute("data-preview"), {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Preview": "fragment" },
      credentials: "same-origin",
      signal: pending.signal
    }).then(function (response) {
      if (!response.ok) { throw new Error("preview " + response.status); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("#share-preview");
      if (fresh) { document.getElementById("share-preview").replaceWith(fresh); }
    }).catch(function (error) {
      if (error.name !== "AbortError") {
        current.removeAttribute("aria-busy");
        if (button) { button.hidden = false; }
      }
    });
  }
  box.addEventListener("change", function (event) {
    if (event.target.matches("select")) {
      if (event.target.id === "f-policy") {
        // A new template has its own defaults: the per-kind choices start again from them.
        box.querySelectorAll('select[name^="protect_"]').forEach(function (s) { s.disabled = true; });
        form.action = box.getAttribute("data-preview");
        form.submit();
        return;
      }
      refresh();
    }
  });
})();
