// Resumable chunked upload of evidence to /api/evidence/uploads/ (no inline script: CSP).
(function () {
  "use strict";
  const CHUNK = 1024 * 1024;
  const form = document.getElementById("upload-form");
  if (!form) return;
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const error = document.getElementById("upload-error");
  const done = document.getElementById("upload-done");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const api = form.dataset.api;

  function key(file) {
    return "vigie-upload:" + [file.name, file.size, file.lastModified, form.case_ref.value].join(":");
  }

  async function call(url, options) {
    options.headers = Object.assign({ "X-CSRFToken": csrf }, options.headers || {});
    options.credentials = "same-origin";
    const response = await fetch(url, options);
    let body = {};
    try { body = await response.json(); } catch (e) { body = {}; }
    return { ok: response.ok, status: response.status, body: body };
  }

  function show(received, size) {
    bar.hidden = false;
    bar.max = size || 1;
    bar.value = received;
    status.textContent = Math.floor((100 * received) / (size || 1)) + " % — " + received + " / " + size + " " + form.dataset.msgBytes;
  }

  function fail(message) {
    error.hidden = false;
    error.textContent = message || form.dataset.msgFailed;
  }

  async function session(file) {
    const saved = localStorage.getItem(key(file));
    if (saved) {
      const r = await call(saved, { method: "GET" });
      if (r.ok && !r.body.item) {
        status.textContent = form.dataset.msgResume + " " + r.body.received;
        return { url: saved, received: r.body.received };
      }
      localStorage.removeItem(key(file));
    }
    const fields = { filename: file.name, size: file.size };
    for (const name of ["case_ref", "description", "collected_at", "collected_by", "place", "consent"]) {
      fields[name] = form.elements[name].value;
    }
    fields.external_case = form.elements.external_case.checked;
    for (const name of ["perpetrators", "incidents"]) {
      const select = form.elements[name];
      fields[name] = select ? Array.from(select.selectedOptions, function (o) { return o.value; }) : [];
    }
    const r = await call(api, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(fields),
    });
    if (!r.ok) throw new Error(Object.values(r.body).flat().join(" ") || String(r.status));
    const url = api + r.body.uuid + "/";
    localStorage.setItem(key(file), url);
    return { url: url, received: 0 };
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    error.hidden = true;
    done.hidden = true;
    const file = form.elements.file.files[0];
    if (!file) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const s = await session(file);
      let offset = s.received;
      show(offset, file.size);
      while (offset < file.size) {
        const piece = file.slice(offset, Math.min(offset + CHUNK, file.size));
        const r = await call(s.url, {
          method: "PUT", headers: { "Upload-Offset": String(offset), "Content-Type": "application/octet-stream" }, body: piece,
        });
        if (r.status === 409 && typeof r.body.received === "number") { offset = r.body.received; continue; }
        if (!r.ok) throw new Error(r.body.detail || String(r.status));
        offset = r.body.received;
        show(offset, file.size);
      }
      const r = await call(s.url + "complete/", { method: "POST" });
      if (!r.ok) throw new Error(r.body.detail || String(r.status));
      localStorage.removeItem(key(file));
      show(file.size, file.size);
      status.textContent = form.dataset.msgDone + " " + r.body.blob.sha256;
      document.getElementById("upload-link").href = "../" + r.body.uuid + "/";
      done.hidden = false;
    } catch (e) {
      fail(form.dataset.msgFailed + " (" + e.message + ")");
    } finally {
      button.disabled = false;
    }
  });
})();
