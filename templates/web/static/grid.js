// The entry grid. In lateness mode one click records a lateness (arrival: the time typed, else
// now during the half-period, else its start: the server decides). In absence mode one click
// arms a half-period, the same cell again records an absence of that half-period, another cell
// of the same row an absence from the first's start to the second's end; Escape cancels. A
// click on an entry opens its details. Plain script, no build step, no dependency.
(function () {
  "use strict";

  const table = document.getElementById("grid");
  const source = document.getElementById("grid-data");
  if (!table || !source) return;
  const data = JSON.parse(source.textContent);
  const T = data.t;
  const columns = data.columns;
  let events = data.events;
  const status = document.getElementById("grid-status");
  const dialog = document.getElementById("event-dialog");
  const form = document.getElementById("event-form");
  for (const swatch of document.querySelectorAll(".grid-legend .swatch[data-colour]")) {
    swatch.style.backgroundColor = swatch.dataset.colour; // no inline style: the CSP forbids it
    swatch.style.color = swatch.dataset.ink;
  }
  const modeBox = document.getElementById("grid-mode");
  const arrivalInput = document.getElementById("grid-arrival");
  let armed = null;
  let current = null; // the event shown in the dialog
  let returnTo = null;

  const rows = () => Array.from(table.tBodies[0].rows);
  const cellsOf = (tr) => Array.from(tr.querySelectorAll("td[data-c]"));
  const columnOf = (td) => columns[Number(td.dataset.c)];
  const studentOf = (td) => Number(td.parentElement.dataset.student);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  // --- painting -------------------------------------------------------------------------

  function eventAt(student, column) {
    let span = null;
    for (const ev of events) {
      if (ev.student !== student) continue;
      if (ev.kind === "lateness") {
        const arrival = ev.e === null ? ev.s : ev.e; // painted where the pupil arrived
        if (arrival >= column.sm && arrival < column.em) return ev;
      } else if (!span && ev.s < column.em && (ev.e === null || ev.e > column.sm)) {
        span = ev;
      }
    }
    return span;
  }

  function paintCell(td, student) {
    if (!td.dataset.name) td.dataset.name = td.getAttribute("aria-label");
    const ev = eventAt(student, columnOf(td));
    td.classList.remove("kind-absence", "kind-lateness", "kind-other", "has-event");
    if (ev) {
      const kind = ev.kind === "absence" || ev.kind === "lateness" ? ev.kind : "other";
      td.dataset.event = String(ev.id);
      td.style.backgroundColor = ev.colour;
      td.style.color = ev.ink;
      td.textContent = T["mark." + kind];
      const symbol = document.createElement("span");
      symbol.className = "state";
      symbol.setAttribute("aria-hidden", "true");
      symbol.textContent = data.symbols[ev.state];
      td.appendChild(symbol);
      td.dataset.state = ev.state;
      td.classList.add("has-event", "kind-" + kind);
      td.setAttribute("aria-label", td.dataset.name + ", " + ev.label + ", " + data.states[ev.state]);
    } else {
      delete td.dataset.event;
      delete td.dataset.state;
      td.style.backgroundColor = "";
      td.style.color = "";
      td.textContent = "";
      td.setAttribute("aria-label", td.dataset.name);
    }
  }

  function paintRow(tr) {
    const student = Number(tr.dataset.student);
    for (const td of cellsOf(tr)) paintCell(td, student);
  }

  function rowOf(student) {
    return table.querySelector('tr[data-student="' + student + '"]');
  }

  // --- selection ------------------------------------------------------------------------

  function clearPreview() {
    for (const td of table.querySelectorAll("td.in-span")) td.classList.remove("in-span");
  }

  function preview(td) {
    clearPreview();
    if (!armed || td.parentElement !== armed.parentElement) return;
    const a = Number(armed.dataset.c);
    const b = Number(td.dataset.c);
    for (const cell of cellsOf(td.parentElement)) {
      const c = Number(cell.dataset.c);
      if (c >= Math.min(a, b) && c <= Math.max(a, b)) cell.classList.add("in-span");
    }
  }

  function arm(td) {
    armed = td;
    td.classList.add("armed");
    td.setAttribute("aria-selected", "true");
    say(fill(T.armed, { cell: td.dataset.name || td.getAttribute("aria-label") }));
  }

  function disarm() {
    if (!armed) return;
    armed.classList.remove("armed");
    armed.removeAttribute("aria-selected");
    armed = null;
    clearPreview();
  }

  function mode() {
    const checked = modeBox && modeBox.querySelector('input[name="mode"]:checked');
    return checked ? checked.value : "absence";
  }

  function activate(td) {
    if (td.getAttribute("aria-disabled") === "true") {
      say(T.closed, true);
      return;
    }
    if (armed) {
      const first = armed;
      if (first === td) {
        disarm();
        record(first, first);
        return;
      }
      if (first.parentElement === td.parentElement) {
        disarm();
        record(first, td);
        return;
      }
      disarm();
    }
    if (td.dataset.event) {
      openEvent(Number(td.dataset.event), td);
    } else if (data.readonly) {
      say(T.readonly);
    } else if (mode() === "lateness") {
      record(td, null);
    } else {
      arm(td);
    }
  }

  // --- talking to the server ------------------------------------------------------------

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

  async function record(first, second) {
    const student = studentOf(first);
    let body;
    if (second === null) {
      const column = columnOf(first);
      body = { student_id: student, kind: "lateness", start: column.s, end: column.e };
      if (arrivalInput && arrivalInput.value) body.arrival = arrivalInput.value;
    } else {
      const [a, b] = [columnOf(first), columnOf(second)].sort((x, y) => x.sm - y.sm);
      body = { student_id: student, kind: "absence", start: a.s, end: b.e };
    }
    const answer = await call("POST", data.urls.record, body);
    if (!answer.ok) {
      say(T.failed + " " + problem(answer), true);
      return;
    }
    const ev = answer.body.event;
    events.push(ev);
    paintRow(first.parentElement);
    const name = first.dataset.name || "";
    const lateness = ev.kind === "lateness";
    say(lateness ? fill(T["saved.lateness"], { cell: name, time: ev.arrival }) : T["saved.absence"]);
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
      T["dialog.no_notice"]
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
      say(T.failed + " " + problem(answer), true);
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

  function replaceEvent(painted) {
    events = events.filter((ev) => ev.id !== painted.id);
    if (!painted.deleted) events.push(painted);
    const tr = rowOf(painted.student || (current && current.student));
    if (tr) paintRow(tr);
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
    replaceEvent(answer.body.event);
    dialog.close();
    say(T.saved);
  }

  async function arrived() {
    const body = { arrival: form.elements.arrival.value, version: current.version };
    const answer = await call("POST", eventUrl(current.id) + "/arrival", body);
    if (!answer.ok) {
      document.getElementById("event-error").textContent = T.failed + " " + problem(answer);
      return;
    }
    for (const painted of answer.body.events) replaceEvent(painted);
    dialog.close();
    say(fill(T["saved.arrival"], { label: answer.body.events.map((ev) => ev.label).join(" ; ") }));
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
    replaceEvent({ id: current.id, student: current.student, deleted: true });
    dialog.close();
    say(T.deleted);
  }

  // --- keyboard and mouse ---------------------------------------------------------------

  function focusCell(td) {
    if (!td) return;
    for (const cell of table.querySelectorAll('td[tabindex="0"]')) cell.tabIndex = -1;
    td.tabIndex = 0;
    td.focus();
    preview(td);
  }

  function neighbour(td, key) {
    const tr = td.parentElement;
    const cells = cellsOf(tr);
    const index = cells.indexOf(td);
    if (key === "ArrowLeft") return cells[index - 1];
    if (key === "ArrowRight") return cells[index + 1];
    if (key === "Home") return cells[0];
    if (key === "End") return cells[cells.length - 1];
    const all = rows();
    const other = all[all.indexOf(tr) + (key === "ArrowUp" ? -1 : 1)];
    return other ? cellsOf(other)[index] : null;
  }

  const MOVES = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"];

  table.addEventListener("keydown", (e) => {
    const td = e.target.closest("td[data-c]");
    if (!td) return;
    if (MOVES.includes(e.key)) {
      e.preventDefault();
      focusCell(neighbour(td, e.key));
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      activate(td);
    } else if (e.key === "Escape" && armed) {
      e.preventDefault();
      disarm();
      say(T.cancelled);
    }
  });

  table.addEventListener("click", (e) => {
    const td = e.target.closest("td[data-c]");
    if (!td) return;
    focusCell(td);
    activate(td);
  });

  table.addEventListener("mouseover", (e) => {
    const td = e.target.closest("td[data-c]");
    if (td) preview(td);
  });

  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && armed && !dialog.open) {
      disarm();
      say(T.cancelled);
    }
  });

  const saveButton = document.getElementById("event-save");
  if (saveButton) saveButton.addEventListener("click", save);
  const arrivedButton = document.getElementById("event-arrived");
  if (arrivedButton) arrivedButton.addEventListener("click", arrived);
  if (modeBox) {
    const kept = window.localStorage && localStorage.getItem("grid.mode");
    const radio = kept && modeBox.querySelector('input[name="mode"][value="' + kept + '"]');
    if (radio) radio.checked = true;
    modeBox.addEventListener("change", () => {
      disarm();
      if (window.localStorage) localStorage.setItem("grid.mode", mode());
    });
  }
  const deleteButton = document.getElementById("event-delete");
  if (deleteButton) deleteButton.addEventListener("click", () => remove(deleteButton));
  document.getElementById("event-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    current = null;
    if (returnTo) returnTo.focus();
  });

  for (const tr of rows()) {
    for (const td of cellsOf(tr)) td.tabIndex = -1;
    paintRow(tr);
  }
  const first = table.querySelector("td[data-c]");
  if (first) first.tabIndex = 0;
})();
