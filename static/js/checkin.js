/* Boarding check-in scanner: camera scanning (BarcodeDetector, else the vendored jsQR)
   and the manual forms, all through the check-in API without reloading the page.
   Without this script the page's forms post to the server and work the same way. */
(function () {
  "use strict";

  var root = document.querySelector("[data-checkin]");
  if (!root || !window.fetch || !window.JSON) return;

  var strings = JSON.parse(document.getElementById("checkin-strings").textContent);
  var departureId = Number(root.getAttribute("data-departure-id"));
  var csrfInput = root.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var language = (document.documentElement.lang || "ru").toLowerCase();
  var api = {
    scan: root.getAttribute("data-api-scan"),
    order: root.getAttribute("data-api-order"),
    orderPlaceholder: root.getAttribute("data-api-order-placeholder"),
    board: root.getAttribute("data-api-board"),
    boardPlaceholder: root.getAttribute("data-api-board-placeholder"),
  };
  var resultBox = root.querySelector("[data-result]");
  var orderBox = root.querySelector("[data-order]");
  var countsEl = root.querySelector("[data-counts]");
  var tokenForm = root.querySelector("[data-token-form]");
  var orderForm = root.querySelector("[data-order-form]");
  var camera = root.querySelector("[data-camera]");
  var video = root.querySelector("[data-video]");
  var cameraStatus = root.querySelector("[data-camera-status]");
  var cameraToggle = root.querySelector("[data-camera-toggle]");

  // --- small helpers ------------------------------------------------------------------

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function stateOf(code) {
    if (code === "ok") return "go";
    if (code === "already_used") return "warn";
    return "stop";
  }

  var ICONS = { go: "\u2713", warn: "!", stop: "\u2715", error: "?" };

  var audio = null;
  function unlockAudio() {
    if (audio || !(window.AudioContext || window.webkitAudioContext)) return;
    try {
      audio = new (window.AudioContext || window.webkitAudioContext)();
    } catch (error) {
      audio = null;
    }
  }

  function feedback(state) {
    if (navigator.vibrate) {
      navigator.vibrate(state === "go" ? 80 : [200, 80, 200]);
    }
    if (!audio) return;
    try {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = state === "go" ? 1200 : 300;
      gain.gain.value = 0.15;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + (state === "go" ? 0.12 : 0.35));
    } catch (error) {
      /* sound is optional */
    }
  }

  function call(method, url, body) {
    var headers = {
      Accept: "application/json",
      "Accept-Language": language,
      "X-CSRFToken": csrf,
    };
    if (body) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: body ? JSON.stringify(body) : undefined,
    }).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (data) {
            if (response.status === 401) throw new Error(strings.signed_out);
            if (!response.ok) throw new Error((data && data.message) || strings.network_error);
            return data;
          });
      },
      function () {
        throw new Error(strings.network_error);
      }
    );
  }

  // --- rendering ----------------------------------------------------------------------

  function showCounts(counts) {
    if (!counts || !countsEl) return;
    countsEl.textContent = format(strings.counts, counts);
  }

  function panel(state, headline, message) {
    var box = el("div", "checkin-result checkin-result--" + state + " is-fresh");
    box.setAttribute("data-state", state);
    var head = el("p", "checkin-result__headline");
    var icon = el("span", "checkin-result__icon", ICONS[state]);
    icon.setAttribute("aria-hidden", "true");
    head.appendChild(icon);
    head.appendChild(document.createTextNode(" " + headline));
    box.appendChild(head);
    if (message) box.appendChild(el("p", "checkin-result__message", message));
    return box;
  }

  function showResult(data) {
    var state = stateOf(data.code);
    var box = panel(state, strings["headline_" + state], data.message);
    box.setAttribute("data-code", data.code);
    var ticket = data.ticket;
    if (ticket) {
      var list = el("dl", "checkin-result__ticket");
      var rows = [
        [strings.order, ticket.order_code],
        [strings.name, ticket.name],
        [strings.ticket, ticket.ticket_type],
      ];
      if (ticket.seat) rows.push([strings.seat, ticket.seat]);
      rows.forEach(function (row) {
        list.appendChild(el("dt", "", row[0]));
        list.appendChild(el("dd", "", row[1]));
      });
      box.appendChild(list);
    }
    resultBox.replaceChildren(box);
    showCounts(data.counts);
    if (data.code === "ok" && ticket) markBoarded(ticket);
    feedback(state);
  }

  // The live manifest under the scanner: a ticket admitted here is ticked at once (the
  // page shows the whole list afresh on each load).
  function markBoarded(ticket) {
    var item = root.querySelector('[data-manifest-ticket="' + String(ticket.id) + '"]');
    if (!item) return;
    item.classList.add("is-boarded");
    item.setAttribute("data-state", "boarded");
    var mark = item.querySelector(".checkin-manifest__mark");
    if (mark) mark.textContent = "✓";
    var stateEl = item.querySelector("[data-manifest-state]");
    if (stateEl) stateEl.textContent = format(strings.boarded_at, { time: ticket.checked_in_time });
  }

  function showError(message) {
    resultBox.replaceChildren(panel("error", strings.not_checked, message));
    feedback("stop");
  }

  function boardForm(ticket, orderCode) {
    var form = el("form", "checkin-ticket__board");
    form.method = "post";
    form.setAttribute("data-board-form", "");
    [
      ["csrfmiddlewaretoken", csrf],
      ["action", "board"],
      ["order_code", orderCode],
      ["ticket_id", String(ticket.id)],
    ].forEach(function (pair) {
      var input = el("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    var button = el("button", "checkin-button", strings.board);
    button.type = "submit";
    form.appendChild(button);
    return form;
  }

  function showOrder(data) {
    orderBox.replaceChildren();
    if (!data.ok) {
      var box = panel("stop", strings.order_not_found, data.message);
      box.setAttribute("data-code", data.code);
      orderBox.appendChild(box);
      feedback("stop");
      return;
    }
    orderBox.appendChild(
      el(
        "h2",
        "checkin-order__title",
        format(strings.order_title, { code: data.order_code, name: data.name })
      )
    );
    var list = el("ul", "checkin-order__tickets");
    data.tickets.forEach(function (ticket) {
      var item = el("li", "checkin-ticket checkin-ticket--" + ticket.state);
      item.setAttribute("data-ticket-id", String(ticket.id));
      var what = el("span", "checkin-ticket__what");
      what.appendChild(el("strong", "", ticket.ticket_type));
      if (ticket.seat) what.appendChild(el("span", "", ticket.seat));
      item.appendChild(what);
      if (ticket.can_board) {
        item.appendChild(boardForm(ticket, data.order_code));
      } else if (ticket.state === "already_used") {
        item.appendChild(
          el(
            "span",
            "checkin-ticket__state",
            format(strings.boarded_at, { time: ticket.checked_in_time })
          )
        );
      } else {
        item.appendChild(
          el(
            "span",
            "checkin-ticket__state",
            ticket.state === "refunded" ? strings.refunded : strings.not_paid
          )
        );
      }
      list.appendChild(item);
    });
    orderBox.appendChild(list);
  }

  // --- actions ------------------------------------------------------------------------

  var busy = false;

  function checkToken(token) {
    if (busy) return Promise.resolve();
    busy = true;
    orderBox.replaceChildren();
    return call("POST", api.scan, { token: token, departure_id: departureId })
      .then(showResult, function (error) {
        showError(error.message);
      })
      .then(function () {
        busy = false;
      });
  }

  function lookUp(code) {
    var url = api.order.replace(api.orderPlaceholder, encodeURIComponent(code.trim() || "-"));
    return call("GET", url).then(showOrder, function (error) {
      showError(error.message);
    });
  }

  function board(ticketId, orderCode) {
    if (busy) return Promise.resolve();
    busy = true;
    var url = api.board.replace(api.boardPlaceholder, encodeURIComponent(ticketId));
    return call("POST", url, { departure_id: departureId })
      .then(
        function (data) {
          showResult(data);
          return lookUp(orderCode);
        },
        function (error) {
          showError(error.message);
        }
      )
      .then(function () {
        busy = false;
      });
  }

  function withButton(form, promise) {
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    return promise.then(function () {
      if (button) button.disabled = false;
    });
  }

  tokenForm.addEventListener("submit", function (event) {
    event.preventDefault();
    unlockAudio();
    var input = tokenForm.querySelector("input[name=token]");
    withButton(tokenForm, checkToken(input.value)).then(function () {
      input.value = "";
    });
  });

  orderForm.addEventListener("submit", function (event) {
    event.preventDefault();
    unlockAudio();
    resultBox.replaceChildren();
    var input = orderForm.querySelector("input[name=order_code]");
    withButton(orderForm, lookUp(input.value));
  });

  orderBox.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-board-form]");
    if (!form) return;
    event.preventDefault();
    unlockAudio();
    withButton(form, board(form.elements.ticket_id.value, form.elements.order_code.value));
  });

  // --- camera -------------------------------------------------------------------------

  var stream = null;
  var detector = null;
  var scanning = false;
  var canvas = null;
  var lastValue = "";
  var lastSeenAt = 0;
  // The same QR code held in front of the camera is checked once; it is checked again
  // only after it has been out of sight for this long.
  var SAME_CODE_PAUSE_MS = 2500;
  var FRAME_INTERVAL_MS = 180;

  function setStatus(text) {
    cameraStatus.textContent = text;
  }

  function prepareDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        return formats.indexOf("qr_code") >= 0
          ? new window.BarcodeDetector({ formats: ["qr_code"] })
          : null;
      })
      .catch(function () {
        return null;
      });
  }

  function decodeFrame() {
    if (!video || video.readyState < 2 || !video.videoWidth) return Promise.resolve(null);
    if (detector) {
      return detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      });
    }
    if (!window.jsQR) return Promise.resolve(null);
    var scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
    var width = Math.round(video.videoWidth * scale);
    var height = Math.round(video.videoHeight * scale);
    canvas = canvas || document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    var image = context.getImageData(0, 0, width, height);
    var code = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(code ? code.data : null);
  }

  function tick() {
    if (!scanning) return;
    decodeFrame()
      .then(function (value) {
        if (!value) return null;
        var now = Date.now();
        var fresh = value !== lastValue || now - lastSeenAt > SAME_CODE_PAUSE_MS;
        lastValue = value;
        lastSeenAt = now;
        if (fresh && !busy) return checkToken(value);
        return null;
      })
      .catch(function () {
        return null;
      })
      .then(function () {
        if (scanning) window.setTimeout(tick, FRAME_INTERVAL_MS);
      });
  }

  function stopCamera() {
    scanning = false;
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    video.srcObject = null;
    cameraToggle.textContent = strings.start_camera;
    setStatus("");
  }

  function startCamera() {
    unlockAudio();
    return navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        return Promise.all([video.play(), prepareDetector()]);
      })
      .then(function (results) {
        detector = results[1];
        scanning = true;
        cameraToggle.textContent = strings.stop_camera;
        setStatus(strings.aim);
        tick();
      })
      .catch(function (error) {
        stopCamera();
        setStatus(
          error && error.name === "NotAllowedError" ? strings.camera_denied : strings.no_camera
        );
      });
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && camera) {
    camera.hidden = false;
    cameraToggle.addEventListener("click", function () {
      if (scanning || stream) stopCamera();
      else startCamera();
    });
    document.addEventListener("visibilitychange", function () {
      if (document.hidden && scanning) stopCamera();
    });
    // Start at once when the camera is already allowed for this site.
    if (navigator.permissions && navigator.permissions.query) {
      navigator.permissions
        .query({ name: "camera" })
        .then(function (permission) {
          if (permission.state === "granted") startCamera();
        })
        .catch(function () {
          /* not supported: wait for the button */
        });
    }
  }
})();
