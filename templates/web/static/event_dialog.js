// The details of one event, in a dialog: the grid, the follow-up's results and the student's
// file open it (``window.eventDetails.open(id, from)``). Saving calls ``onChange(events,
// message)`` when a page sets it (the grid repaints), else reloads the page. Plain script.
(function () {
  "use strict";

  const dialog = document.getElementById("event-dialog");
  const form = document.getElementById("event-form");
  const source = document.getElementById("event-dialog-data");
  if (!dialog || !form || !source) return;
  const data = JSON.parse(source.textContent);
  const T = data.t;
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");
  let current = null; // the event shown
  let returnTo = null;
  const api = { open: null, call: null, problem: null, onChange: null, onFailure: null };

  async function call(method, url, body) {
    const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = data.csrf;
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    let payload = {};
    try {
      payload = await response.json();
    } catch (e) {
      payload = { error: { message: response.statusText } };
    }
    return { status: response.status, ok: response.ok, body: payload };
  }

  function problem(answer) {
    return (answer.body.error && answer.body.error.message) || String(answer.status);
  }

  // --- the details dialog ---------------------------------------------------------------

  function eventUrl(id) {
    return data.urls.event.replace("{id}", String(id));
  }

  function listInto(list, items, render, empty) {
    list.replaceChildren();
    for (const item of items) {
      const li = document.createElement("li");
      li.textContent = render(item);
      list.appendChild(li);
    }
    if (!items.length && empty) {
      const li = document.createElement("li");
      li.textContent = empty;
      list.appendChild(li);
    }
  }

  function showDetails(ev) {
    current = ev;
    document.getElementById("event-title").textContent = ev.kind_label + " — " + ev.student_name;
    const until = ev.end ? " " + T["dialog.until"] + " " + ev.end : "";
    document.getElementById("event-when").textContent = ev.start + until;
    document.getElementById("event-constat").textContent = fill(T["dialog.recorded"], {
      who: ev.recorded_by || "—",
      when: ev.recorded_at,
      source: ev.source,
    });
    const kind = ev.kind === "lateness" ? "lateness" : "absence";
    for (const option of form.elements.reason.options) {
      const fits = !option.value || option.dataset[kind] === "1" || option.value === ev.reason;
      option.hidden = !fits;
      option.disabled = !fits;
    }
    form.elements.reason.value = ev.reason || "";
    form.elements.kind.value = ev.kind;
    form.elements.start.value = ev.start_local;
    form.elements.end.value = ev.end_local;
    const arrival = document.getElementById("event-arrival");
    if (arrival) {
      arrival.hidden = ev.kind !== "absence" || ev.deleted;
      const now = Date.now();
      const during = now > ev.s && (ev.e === null || now < ev.e);
      form.elements.arrival.value = during ? localNow() : ev.start_local;
    }
    form.elements.justification.value = ev.justification || "";
    const accepted = ev.accepted === null ? "" : String(ev.accepted);
    for (const radio of form.elements.accepted) radio.checked = radio.value === accepted;
    form.elements.settled.checked = ev.settled;
    form.elements.counts.checked = ev.counts;
    form.elements.comment.value = ev.comment;
    listInto(document.getElementById("event-history"), ev.history, (h) =>
      [h.at, h.actor, h.action].concat(h.changes).join(" · ")
    );
    listInto(
      document.getElementById("event-notices"),
      ev.notices,
      (n) =>
        [n.at, n.kind, n.status]
          .concat(n.deliveries)
          .join(" · "),
      ev.notice_note || T["dialog.no_notice"]
    );
    document.getElementById("event-error").textContent = "";
    resetDelete();
  }

  function localNow() {
    const d = new Date();
    const two = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + "T" +
      two(d.getHours()) + ":" + two(d.getMinutes());
  }

  async function openEvent(id, td) {
    const answer = await call("GET", eventUrl(id));
    if (!answer.ok) {
      if (api.onFailure) api.onFailure(T.failed + " " + problem(answer));
      return;
    }
    returnTo = td;
    showDetails(answer.body.event);
    if (!dialog.open) dialog.showModal();
  }

  function changes() {
    const accepted = form.elements.accepted.value;
    const now = {
      reason: form.elements.reason.value || null,
      justification: form.elements.justification.value || null,
      accepted: accepted === "" ? null : accepted === "true",
      settled: form.elements.settled.checked,
      counts: form.elements.counts.checked,
      comment: form.elements.comment.value,
    };
    const patch = { version: current.version };
    for (const [key, value] of Object.entries(now)) {
      if (value !== current[key]) patch[key] = value;
    }
    if (form.elements.kind.value !== current.kind) patch.kind = form.elements.kind.value;
    if (form.elements.start.value !== current.start_local) {
      patch.start_local = form.elements.start.value;
    }
    if (form.elements.end.value !== current.end_local) patch.end_local = form.elements.end.value;
    return patch;
  }

  function changed(painted, message) {
    if (api.onChange) api.onChange(painted, message);
    else window.location.reload();
  }

  async function save() {
    const patch = changes();
    if (Object.keys(patch).length === 1) {
      dialog.close();
      return;
    }
    const answer = await call("POST", eventUrl(current.id), patch);
    if (answer.status === 409) {
      const fresh = await call("GET", eventUrl(current.id));
      if (fresh.ok) showDetails(fresh.body.event);
      document.getElementById("event-error").textContent = T.conflict;
      return;
    }
    if (!answer.ok) {
      document.getElementById("event-error").textContent = T.failed + " " + problem(answer);
      return;
    }
    dialog.close();
    changed([answer.body.event], T.saved);
  }

  async function arrived() {
    const body = { arrival: form.elements.arrival.value, version: current.version };
    const answer = await call("POST", eventUrl(current.id) + "/arrival", body);
    if (!answer.ok) {
      document.getElementById("event-error").textContent = T.failed + " " + problem(answer);
      return;
    }
    dialog.close();
    const said = answer.body.events.map((ev) => ev.label).join(" ; ");
    changed(answer.body.events, fill(T["saved.arrival"], { label: said }));
  }

  function resetDelete() {
    const button = document.getElementById("event-delete");
    if (!button) return;
    delete button.dataset.confirm;
    button.textContent = T["dialog.delete"];
  }

  async function remove(button) {
    if (!button.dataset.confirm) {
      button.dataset.confirm = "1";
      button.textContent = T["dialog.confirm_delete"];
      return;
    }
    const answer = await call("POST", eventUrl(current.id) + "/delete", {});
    if (!answer.ok) {
      document.getElementById("event-error").textContent = T.failed + " " + problem(answer);
      return;
    }
    const gone = { id: current.id, student: current.student, deleted: true };
    dialog.close();
    changed([gone], T.deleted);
  }

  // A reason brings its flags (as the server applies them when the states are not set):
  // shown at once, and still changeable before saving.
  form.elements.reason.addEventListener("change", () => {
    const option = form.elements.reason.selectedOptions[0];
    if (!option) return;
    form.elements.counts.checked = !option.value || option.dataset.counts === "1";
    const legitimate = option.dataset.legitimate;
    if (legitimate === "1" || legitimate === "0") {
      const wanted = legitimate === "1" ? "true" : "false";
      for (const radio of form.elements.accepted) radio.checked = radio.value === wanted;
    }
  });
  const saveButton = document.getElementById("event-save");
  if (saveButton) saveButton.addEventListener("click", save);
  const deleteButton = document.getElementById("event-delete");
  if (deleteButton) deleteButton.addEventListener("click", () => remove(deleteButton));
  const arrivedButton = document.getElementById("event-arrived");
  if (arrivedButton) arrivedButton.addEventListener("click", arrived);
  document.getElementById("event-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    current = null;
    if (returnTo) returnTo.focus();
  });
  for (const opener of document.querySelectorAll("[data-open-event]")) {
    opener.addEventListener("click", (e) => {
      e.preventDefault();
      openEvent(Number(opener.dataset.openEvent), opener);
    });
  }

  Object.assign(api, { open: openEvent, call, problem });
  window.eventDetails = api;
})();
