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
  const details = window.eventDetails;
  for (const swatch of document.querySelectorAll(".grid-legend .swatch[data-colour]")) {
    swatch.style.backgroundColor = swatch.dataset.colour; // no inline style: the CSP forbids it
    swatch.style.color = swatch.dataset.ink;
  }
  const modeBox = document.getElementById("grid-mode");
  const arrivalInput = document.getElementById("grid-arrival");
  let armed = null;

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
      details.open(Number(td.dataset.event), td);
    } else if (data.readonly) {
      say(T.readonly);
    } else if (mode() === "lateness") {
      record(td, null);
    } else {
      arm(td);
    }
  }

  // --- talking to the server ------------------------------------------------------------

  const { call, problem } = details;

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

  function replaceEvent(painted) {
    events = events.filter((ev) => ev.id !== painted.id);
    if (!painted.deleted) events.push(painted);
    const tr = rowOf(painted.student);
    if (tr) paintRow(tr);
  }

  details.onChange = (painted, message) => {
    for (const ev of painted) replaceEvent(ev);
    say(message);
  };
  details.onFailure = (message) => say(message, true);

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

  if (modeBox) {
    const kept = window.localStorage && localStorage.getItem("grid.mode");
    const radio = kept && modeBox.querySelector('input[name="mode"][value="' + kept + '"]');
    if (radio) radio.checked = true;
    modeBox.addEventListener("change", () => {
      disarm();
      if (window.localStorage) localStorage.setItem("grid.mode", mode());
    });
  }

  for (const tr of rows()) {
    for (const td of cellsOf(tr)) td.tabIndex = -1;
    paintRow(tr);
  }
  const first = table.querySelector("td[data-c]");
  if (first) first.tabIndex = 0;
})();
