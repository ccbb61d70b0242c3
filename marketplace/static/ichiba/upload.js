/* Upload of a dataset version with a progress bar, then polling until validation has decided.
 *
 * Progressive enhancement of the plain form (which still works without JavaScript): the file is sent as
 * multipart to the partner API with the session cookie and the CSRF token, the bar follows
 * xhr.upload.onprogress (bytes sent of the total, and the percentage), and the version is polled every second
 * until it is no longer "validating"; then its checks are shown here, as the version page renders them (that page
 * is fetched and its status, verdict and checks taken over), with a link to it. Every text shown comes translated
 * from the page (data-msg-* attributes).
 */
(function () {
  "use strict";

  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  var input = form.querySelector("input[type=file]");
  var button = form.querySelector("button[type=submit]");
  var progress = form.querySelector(".progress");
  var bar = form.querySelector(".progress .bar");
  var statusLine = form.querySelector(".upload-status");
  var result = document.getElementById("upload-result");
  var POLL_MS = 1000;
  var MAX_POLL_FAILURES = 30;

  function msg(name) {
    return form.getAttribute("data-msg-" + name) || name;
  }

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      if (part.substring(0, name.length + 1) === name + "=") {
        return decodeURIComponent(part.substring(name.length + 1));
      }
    }
    return "";
  }

  function csrfToken() {
    var hidden = form.querySelector("input[name=csrfmiddlewaretoken]");
    return cookie("csrftoken") || (hidden ? hidden.value : "");
  }

  function say(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  function setPercent(percent, text) {
    bar.style.width = percent + "%";
    progress.setAttribute("aria-valuenow", String(percent));
    if (text) {
      progress.setAttribute("aria-valuetext", text);
    }
  }

  function size(bytes) {
    // As Django's filesizeformat: powers of 1024, one decimal, the units from the page.
    var units = msg("units").split(",");
    var unit = 0;
    while (bytes >= 1024 && unit < units.length - 1) {
      bytes /= 1024;
      unit++;
    }
    var lang = document.documentElement.lang || undefined;
    return bytes.toLocaleString(lang, { maximumFractionDigits: unit ? 1 : 0 }) + " " + units[unit];
  }

  function uploading(sent, total) {
    var percent = total > 0 ? Math.min(100, Math.floor((sent * 100) / total)) : 0;
    var text = msg("uploading")
      .replace("{sent}", size(sent))
      .replace("{total}", size(total))
      .replace("{percent}", String(percent));
    setPercent(percent, text);
    say(text);
  }

  // The API answers in English (its problem details are for programs); the page's table says its refusals in the
  // page's language (catalog.web.checks): a pattern per refusal, its message, and the names it may quote.
  function refusals() {
    var element = document.getElementById("upload-refusals");
    try {
      return element ? JSON.parse(element.textContent) : null;
    } catch (e) {
      return null;
    }
  }

  function translated(detail) {
    var table = refusals();
    if (!table || !detail) {
      return null;
    }
    for (var i = 0; i < table.rules.length; i++) {
      var match;
      try {
        match = new RegExp("^(?:" + table.rules[i].pattern + ")$").exec(detail);
      } catch (e) {
        match = null;
      }
      if (match) {
        var groups = match.groups || {};
        return table.rules[i].message.replace(/%\((\w+)\)s/g, function (whole, name) {
          var value = groups[name] === undefined ? "" : groups[name];
          return Object.prototype.hasOwnProperty.call(table.names, value) ? table.names[value] : value;
        });
      }
    }
    return null;
  }

  function problemDetail(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      var said = translated(body.detail);
      if (said) {
        return said;
      }
      var text = body.detail || body.title || "";
      if (body.errors) {
        for (var field in body.errors) {
          if (Object.prototype.hasOwnProperty.call(body.errors, field)) {
            text += " (" + field + ": " + body.errors[field].join(", ") + ")";
          }
        }
      }
      return text;
    } catch (e) {
      return "";
    }
  }

  function fail(text) {
    say(text, true);
    button.disabled = false;
    input.disabled = false;
  }

  function versionUrl(number) {
    // The page gives the URL of version 0; the real number replaces that last path segment.
    return form.getAttribute("data-version-url").replace(/\/0\/$/, "/" + number + "/");
  }

  function poll(number, failures) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", form.getAttribute("data-api-url") + "/" + encodeURIComponent(number));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      if (xhr.status === 200) {
        var body = JSON.parse(xhr.responseText);
        if (body.status !== "validating") {
          showResult(number);
          return;
        }
        window.setTimeout(function () { poll(number, 0); }, POLL_MS);
      } else {
        retry(failures);
      }
    };
    xhr.onerror = function () { retry(failures); };
    xhr.send();

    function retry(count) {
      if (count + 1 >= MAX_POLL_FAILURES) {
        // Validation goes on on the server; the version page shows where it stands.
        window.location.assign(versionUrl(number));
        return;
      }
      window.setTimeout(function () { poll(number, count + 1); }, POLL_MS);
    }
  }

  function showResult(number) {
    // The version page renders the verdict and the checks (labels and details translated there): taken over
    // from it, so the upload page shows exactly what that page does. Without it, the page itself opens.
    var xhr = new XMLHttpRequest();
    xhr.open("GET", versionUrl(number));
    xhr.responseType = "document";
    xhr.onload = function () {
      var page = xhr.status === 200 ? xhr.response : null;
      var checks = page ? page.getElementById("checks") : null;
      if (!checks) {
        window.location.assign(versionUrl(number));
        return;
      }
      result.textContent = "";
      var status = page.getElementById("version-status");
      var verdict = page.querySelector("main .callout");
      if (status) {
        var line = document.createElement("p");
        line.appendChild(document.importNode(status, true));
        result.appendChild(line);
      }
      if (verdict) {
        result.appendChild(document.importNode(verdict, true));
      }
      result.appendChild(document.importNode(checks, true));
      var link = document.createElement("a");
      link.href = versionUrl(number);
      link.className = "button";
      link.textContent = msg("open").replace("{number}", String(number));
      result.appendChild(link);
      result.hidden = false;
      say(msg("done"));
    };
    xhr.onerror = function () { window.location.assign(versionUrl(number)); };
    xhr.send();
  }

  form.addEventListener("submit", function (event) {
    if (!input.files || input.files.length === 0) {
      return; // the browser's "required" message, or the server's, explains it
    }
    event.preventDefault();
    var data = new FormData();
    data.append("file", input.files[0], input.files[0].name);

    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("data-api-url"));
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    var total = input.files[0].size;
    xhr.upload.onprogress = function (e) {
      // e.total counts the multipart envelope too: the bar follows it, the text tells the file's bytes.
      if (e.lengthComputable && e.total > 0) {
        uploading(Math.min(total, Math.round((e.loaded * total) / e.total)), total);
      }
    };
    xhr.onload = function () {
      if (xhr.status === 202 || xhr.status === 201) {
        var body = JSON.parse(xhr.responseText);
        uploading(total, total);
        say(msg("validating"));
        poll(body.number, 0);
      } else {
        fail(problemDetail(xhr) || msg("failed"));
      }
    };
    xhr.onerror = function () { fail(msg("network")); };

    button.disabled = true;
    input.disabled = true;
    progress.hidden = false;
    result.hidden = true;
    uploading(0, total);
    xhr.send(data);
  });
}());
