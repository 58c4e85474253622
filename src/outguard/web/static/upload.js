// Dataset upload: the file is sent as the body of an API request (never a multipart form,
// so the server can encrypt it as it arrives), with a progress bar. Drop onto the zone or
// pick a file. On success the browser goes to the dataset's page, where the scan shows.
(function () {
  "use strict";
  function wire(form) {
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector("[data-dropzone]");
    var bar = form.querySelector("[data-progress]");
    var error = form.querySelector("[data-error]");
    var button = form.querySelector('button[type="submit"]');
    function fail(message) {
      error.textContent = message;
      error.hidden = false;
      bar.hidden = true;
      button.disabled = false;
    }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("is-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.hidden = true;
      var file = input.files && input.files[0];
      if (!file) { fail("Choose a file first."); return; }
      var params = new URLSearchParams({ filename: file.name });
      var name = form.querySelector('input[name="name"]');
      if (name && name.value.trim()) { params.set("name", name.value.trim()); }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.endpoint + "?" + params.toString());
      xhr.setRequestHeader("X-CSRF-Token", form.querySelector('input[name="csrf_token"]').value);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round((100 * e.loaded) / e.total); }
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = {}; }
        if (xhr.status === 201) {
          window.location.assign(form.dataset.done || body.url || "/datasets/" + body.dataset_id);
        } else {
          fail(body.detail || "The upload was refused (" + xhr.status + ").");
        }
      });
      xhr.addEventListener("error", function () { fail("The connection was lost; nothing was kept. Try again."); });
      bar.hidden = false;
      bar.value = 0;
      button.disabled = true;
      xhr.send(file);
    });
  }
  document.querySelectorAll("form[data-upload]").forEach(wire);
})();
