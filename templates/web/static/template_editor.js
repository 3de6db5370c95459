// The template editor: a live SMS counter as staff type (sms_count.js, the twin of
// core/rules/sms.py), merge fields inserted at the cursor, a preview rendered by the server in
// the sandbox, and for letters a WYSIWYG editor (Quill 2, vendored) whose HTML is copied into
// the form's textarea before it is sent. Without JavaScript the textarea is edited directly.
(function () {
  "use strict";
  var form = document.getElementById("tpl-form");
  if (!form) { return; }
  var body = document.getElementById("tpl-body");
  var subject = document.getElementById("tpl-subject");
  var channel = form.getAttribute("data-channel");
  var csrf = form.getAttribute("data-csrf");
  var samples = JSON.parse(form.getAttribute("data-samples") || "{}");
  var readOnly = body.hasAttribute("readonly");
  var quill = null;
  var MAX_IMAGE = 512 * 1024;

  // --- the SMS counter ---------------------------------------------------------------------

  var counter = document.getElementById("tpl-counter");

  // A simple {% if name %}…{% else %}…{% endif %} keeps the branch the sample values take
  // (a catch-up absence's "past" is false: today's text is counted); other tags count nothing.
  var IF_BLOCK = /{%-?\s*if\s+([A-Za-z_][A-Za-z0-9_.]*)\s*-?%}((?:(?!{%-?\s*(?:if|else|endif)\b)[\s\S])*?)(?:{%-?\s*else\s*-?%}((?:(?!{%-?\s*(?:if|else|endif)\b)[\s\S])*?))?{%-?\s*endif\s*-?%}/g;

  function truthy(name) {
    var value = Object.prototype.hasOwnProperty.call(samples, name) ? samples[name] : "";
    return Array.isArray(value) ? value.length > 0 : Boolean(value);
  }

  function withSamples(text) {
    var branches = text.replace(IF_BLOCK, function (whole, name, yes, no) {
      return truthy(name) ? yes : (no || "");
    });
    return branches.replace(/{%[\s\S]*?%}/g, "").replace(
      /{{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*}}/g,
      function (whole, name) { return Object.prototype.hasOwnProperty.call(samples, name) ? samples[name] : whole; });
  }

  function describe(info) {
    var text = form.getAttribute("data-counter")
      .replace("{length}", info.length).replace("{segments}", info.segments)
      .replace("{encoding}", info.encoding);
    if (info.unsupported && info.unsupported.length) {
      text += " · " + form.getAttribute("data-ucs2").replace("{chars}", info.unsupported.join(" "));
    }
    return text;
  }

  function count() {
    if (!counter || !window.smsSegments) { return; }
    var info = window.smsSegments(withSamples(body.value).trim());
    counter.textContent = describe(info);
    counter.setAttribute("data-segments", String(info.segments));
    counter.classList.toggle("tpl-ucs2", info.encoding === "UCS-2");
  }

  if (counter) {
    body.addEventListener("input", count);
    count();
  }

  // --- merge fields ------------------------------------------------------------------------

  function insertIntoTextarea(text) {
    var start = body.selectionStart, end = body.selectionEnd;
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    body.selectionStart = body.selectionEnd = start + text.length;
    body.focus();
    body.dispatchEvent(new Event("input"));
  }

  var lastFocus = body;
  if (subject) {
    subject.addEventListener("focus", function () { lastFocus = subject; });
    body.addEventListener("focus", function () { lastFocus = body; });
  }

  function insertField(text) {
    if (quill) {
      var range = quill.getSelection(true);
      quill.insertText(range.index, text, "user");
      quill.setSelection(range.index + text.length, 0, "user");
    } else if (lastFocus === subject) {
      var at = subject.selectionStart || subject.value.length;
      subject.value = subject.value.slice(0, at) + text + subject.value.slice(subject.selectionEnd || at);
      subject.focus();
    } else {
      insertIntoTextarea(text);
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".tpl-field"), function (button) {
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () { insertField(button.getAttribute("data-insert")); });
  });

  // --- the letter editor -------------------------------------------------------------------

  function chooseImage() {
    var input = document.createElement("input");
    input.type = "file";
    input.accept = "image/png,image/jpeg,image/gif";
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) { return; }
      if (file.size > MAX_IMAGE || !/^image\/(png|jpeg|gif)$/.test(file.type)) {
        window.alert(file.name + ": PNG, JPEG, GIF ≤ 512 KB");
        return;
      }
      var reader = new FileReader();
      reader.onload = function () {
        var range = quill.getSelection(true);
        quill.insertEmbed(range.index, "image", reader.result, "user");
      };
      reader.readAsDataURL(file);
    });
    input.click();
  }

  function tableTools() {
    var table = quill.getModule("table");
    var actions = {
      "tpl-table": function () { table.insertTable(2, 2); },
      "tpl-table-row": function () { table.insertRowBelow(); },
      "tpl-table-column": function () { table.insertColumnRight(); },
      "tpl-table-delete": function () { table.deleteTable(); }
    };
    Object.keys(actions).forEach(function (id) {
      var button = document.getElementById(id);
      if (button) {
        button.addEventListener("click", function () { quill.focus(); actions[id](); });
      }
    });
    var logo = document.getElementById("tpl-insert-logo");
    if (logo) {
      logo.addEventListener("click", function () {
        var range = quill.getSelection(true);
        quill.insertEmbed(range.index, "image", form.getAttribute("data-logo-url"), "user");
      });
    }
  }

  var holder = document.getElementById("tpl-quill");
  if (holder && window.Quill) {
    var toolbar = document.getElementById("tpl-toolbar");
    toolbar.hidden = false;
    holder.hidden = false;
    quill = new window.Quill(holder, {
      theme: "snow",
      readOnly: readOnly,
      modules: {
        table: true,
        toolbar: { container: toolbar, handlers: { image: chooseImage } }
      }
    });
    quill.setContents(quill.clipboard.convert({ html: body.value }), "silent");
    quill.history.clear();
    body.hidden = true;
    tableTools();
    form.addEventListener("submit", function () { body.value = quill.root.innerHTML; });
  }

  // --- the preview -------------------------------------------------------------------------

  var previewButton = document.getElementById("tpl-preview");
  var box = document.getElementById("tpl-preview-box");

  function show(result) {
    var error = document.getElementById("tpl-preview-error");
    var subjectLine = document.getElementById("tpl-preview-subject");
    var shown = document.getElementById("tpl-preview-body");
    var sms = document.getElementById("tpl-preview-sms");
    var warnings = document.getElementById("tpl-preview-warnings");
    box.hidden = false;
    error.hidden = !result.error;
    error.textContent = result.error || "";
    subjectLine.hidden = !result.subject;
    subjectLine.querySelector("span").textContent = result.subject || "";
    if (result.html) {
      shown.innerHTML = result.body || "";  // sanitised by the server (nh3) after rendering
    } else {
      shown.textContent = result.body || "";
    }
    sms.hidden = !result.sms;
    if (result.sms) { sms.textContent = describe(result.sms); }
    warnings.innerHTML = "";
    (result.warnings || []).forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      warnings.appendChild(item);
    });
    warnings.hidden = !(result.warnings && result.warnings.length);
    box.scrollIntoView({ block: "nearest" });
  }

  if (previewButton) {
    previewButton.addEventListener("click", function () {
      if (quill) { body.value = quill.root.innerHTML; }
      fetch(form.getAttribute("data-preview-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ subject: subject ? subject.value : "", body: body.value })
      })
        .then(function (response) { return response.json(); })
        .then(show)
        .catch(function (error) { show({ error: String(error) }); });
    });
  }
})();
