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
    offline: root.getAttribute("data-api-offline"),
    sync: root.getAttribute("data-api-sync"),
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
        var error = new Error(strings.network_error);
        error.network = true; // no answer at all: the page may go on offline
        throw error;
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
    var head = box.querySelector(".checkin-result__headline");
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
    if (data.offline) {
      box.setAttribute("data-checked-offline", "");
      head.appendChild(el("span", "checkin-result__tag", strings.offline_tag));
    }
    if (data.note) box.appendChild(el("p", "checkin-result__message", data.note));
    resultBox.replaceChildren(box);
    showCounts(data.counts);
    if (data.code === "ok" && ticket) markBoarded(ticket);
    // What the server said online is kept for offline: this phone will not admit it again.
    if (!data.offline && ticket && (data.code === "ok" || data.code === "already_used")) {
      offline.remember(ticket);
    }
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

  // --- boarding offline ----------------------------------------------------------------
  // While online the page keeps the departure's offline bundle (public keys, boarding
  // window, manifest rows by the digest of each ticket's secret, revoked tickets) in
  // localStorage. Without a connection it checks a ticket here: the Ed25519 signature
  // (WebCrypto), the departure, the window, revoked, boarded (by the bundle or by a check-in
  // queued on this phone); it admits and queues the check-in, and syncs the queue when the
  // connection is back. The server decides again on sync: a ticket is never admitted twice.

  var offline = (function () {
    var BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    var TOKEN_LENGTH = 143;
    var SIGNED_BYTES = 25; // version, secret (16), departure id (8)
    var TOKEN_BYTES = 89;
    var SYNC_BATCH = 200;
    var REFRESH_MS = 5 * 60 * 1000;
    var RETRY_MS = 30 * 1000;
    var V1 = /^([A-Za-z0-9_-]{16,64})\.([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{22})$/;
    var bundleKey = "prichal.checkin." + departureId + ".bundle";
    var queueKey = "prichal.checkin." + departureId + ".queue";
    var box = root.querySelector("[data-offline]");
    var statusEl = root.querySelector("[data-offline-status]");
    var pendingEl = root.querySelector("[data-offline-pending]");
    var conflictsEl = root.querySelector("[data-offline-conflicts]");
    var subtle = window.crypto && window.crypto.subtle;
    var online = navigator.onLine;
    var syncing = false;
    var noEd25519 = false;

    function load(key, fallback) {
      try {
        var value = window.localStorage.getItem(key);
        return value ? JSON.parse(value) : fallback;
      } catch (error) {
        return fallback;
      }
    }

    function save(key, value) {
      try {
        window.localStorage.setItem(key, JSON.stringify(value));
      } catch (error) {
        /* storage full or refused: the page still works online */
      }
    }

    var bundle = load(bundleKey, null);
    var queue = load(queueKey, []);

    // --- encodings ---

    function base32Decode(text) {
      var bytes = [];
      var buffer = 0;
      var bits = 0;
      for (var i = 0; i < text.length; i++) {
        buffer = (buffer << 5) | BASE32.indexOf(text.charAt(i));
        bits += 5;
        if (bits >= 8) {
          bits -= 8;
          bytes.push((buffer >> bits) & 0xff);
        }
      }
      // One spelling per token: the unused low bits of the last character are zero.
      if (buffer & ((1 << bits) - 1)) return null;
      return new Uint8Array(bytes);
    }

    function base64url(bytes) {
      var binary = "";
      for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
      return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    }

    function fromBase64url(text) {
      var binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return bytes;
    }

    function digestOf(secret) {
      return subtle
        .digest("SHA-256", new TextEncoder().encode(secret))
        .then(function (hash) {
          return base64url(new Uint8Array(hash).slice(0, 16));
        });
    }

    function verify(body, signature) {
      var keys = (bundle && bundle.public_keys) || [];
      return keys.reduce(function (found, key) {
        return found.then(function (ok) {
          if (ok) return true;
          return subtle
            .importKey("raw", fromBase64url(key), { name: "Ed25519" }, false, ["verify"])
            .then(
              function (imported) {
                return subtle.verify({ name: "Ed25519" }, imported, signature, body);
              },
              function (error) {
                // An older browser without Ed25519 in WebCrypto: the ticket is then
                // checked as an old one is, by its secret on the manifest.
                if (error && error.name === "NotSupportedError") noEd25519 = true;
                return false;
              }
            )
            .catch(function () {
              return false;
            });
        });
      }, Promise.resolve(false));
    }

    // The token's secret and departure, its signature checked: {secret, departure, signed}
    // or null when it is not a ticket of ours.
    function readToken(token) {
      token = String(token || "").trim();
      if (token.length === TOKEN_LENGTH && /^[A-Z2-7]+$/.test(token)) {
        var raw = base32Decode(token);
        if (!raw || raw.length !== TOKEN_BYTES || raw[0] !== 2) return Promise.resolve(null);
        var body = raw.slice(0, SIGNED_BYTES);
        var departure = new DataView(body.buffer).getBigUint64(17).toString();
        return verify(body, raw.slice(SIGNED_BYTES)).then(function (ok) {
          if (!ok && !noEd25519) return null;
          return { secret: base64url(body.slice(1, 17)), departure: departure, signed: ok };
        });
      }
      // A ticket sent before signed tokens: its MAC cannot be checked here, but its secret
      // (128 random bits) found on the manifest is proof enough.
      var match = V1.exec(token);
      if (!match) return Promise.resolve(null);
      return Promise.resolve({ secret: match[1], departure: match[2], signed: false });
    }

    // --- checking a ticket offline ---

    function refusal(code, message, row) {
      return { ok: false, code: code, message: message, ticket: ticketOf(row), offline: true };
    }

    function ticketOf(row, time) {
      if (!row) return null;
      return {
        id: row.id,
        order_code: row.order_code,
        name: row.name,
        ticket_type: row.ticket_type,
        seat: row.seat,
        checked_in_time: time || row.boarded_time,
      };
    }

    function hhmm(date) {
      return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
    }

    function queued(digest) {
      for (var i = 0; i < queue.length; i++) if (queue[i].digest === digest) return queue[i];
      return null;
    }

    function check(token) {
      if (!bundle || !subtle) return Promise.reject(new Error(strings.offline_no_bundle));
      var now = Date.now();
      if (bundle.departure.cancelled) {
        return Promise.resolve(refusal("departure_cancelled", strings.departure_cancelled));
      }
      if (now < Date.parse(bundle.departure.boarding_opens_at)) {
        return Promise.resolve(refusal("boarding_not_open", strings.boarding_not_open));
      }
      if (now >= Date.parse(bundle.departure.boarding_closes_at)) {
        return Promise.resolve(refusal("boarding_closed", strings.boarding_closed));
      }
      return readToken(token).then(function (data) {
        if (!data) return refusal("invalid", strings.invalid);
        if (data.departure !== String(departureId)) {
          return refusal("wrong_departure", strings.wrong_departure);
        }
        return digestOf(data.secret).then(function (digest) {
          var row = null;
          bundle.rows.forEach(function (candidate) {
            if (candidate.digest === digest) row = candidate;
          });
          if (bundle.revoked.indexOf(digest) >= 0) {
            return row && row.state === "refunded"
              ? refusal("refunded", strings.refunded_message, row)
              : refusal("not_paid", strings.cancelled_message, row);
          }
          if (row && row.state === "boarded") {
            return refusal("already_used", format(strings.already_used, { time: row.boarded_time }), row);
          }
          var earlier = queued(digest);
          if (earlier) {
            return refusal("already_used", format(strings.already_used, { time: earlier.time }), row);
          }
          if (!row && !data.signed) return refusal("invalid", strings.offline_unknown);
          var time = hhmm(new Date(now));
          queue.push({
            client_id: window.crypto.randomUUID ? window.crypto.randomUUID() : digest + now,
            token: String(token).trim(),
            scanned_at: new Date(now).toISOString(),
            digest: digest,
            time: time,
          });
          save(queueKey, queue);
          showPending();
          return {
            ok: true,
            code: "ok",
            message: strings.offline_admitted,
            note: row ? "" : strings.offline_not_listed,
            ticket: ticketOf(row, time),
            offline: true,
          };
        });
      });
    }

    // A ticket the server admitted (or found boarded) while online: the kept bundle knows,
    // so that this phone refuses it offline later.
    function remember(ticket) {
      if (!bundle || !ticket) return;
      bundle.rows.forEach(function (row) {
        if (row.id === ticket.id && row.state === "valid") {
          row.state = "boarded";
          row.boarded_time = ticket.checked_in_time;
        }
      });
      save(bundleKey, bundle);
    }

    // --- status ---

    function showStatus() {
      box.hidden = false;
      if (!bundle) {
        statusEl.textContent = online ? strings.offline_not_ready : strings.offline_no_bundle;
      } else {
        var text = online ? strings.offline_ready : strings.offline_now;
        statusEl.textContent = format(text, { time: bundle.generated_time });
      }
      box.setAttribute("data-online", online ? "yes" : "no");
      box.setAttribute("data-ready", bundle ? "yes" : "no");
    }

    function showPending() {
      pendingEl.hidden = queue.length === 0;
      pendingEl.textContent = format(strings.pending, { count: queue.length });
      pendingEl.setAttribute("data-count", String(queue.length));
    }

    function setOnline(value) {
      var back = value && !online;
      online = value;
      showStatus();
      if (back) {
        sync();
        refresh();
      }
    }

    // --- talking to the server ---

    // `data-busy` while the bundle or the queue is on its way (tests wait on it).
    var inFlight = 0;
    function tracked(promise) {
      inFlight += 1;
      box.setAttribute("data-busy", "");
      return promise.then(
        function (value) {
          if (--inFlight === 0) box.removeAttribute("data-busy");
          return value;
        },
        function (error) {
          if (--inFlight === 0) box.removeAttribute("data-busy");
          throw error;
        }
      );
    }

    function refresh() {
      if (!api.offline) return Promise.resolve();
      return tracked(call("GET", api.offline)).then(
        function (data) {
          bundle = data;
          // Check-ins still queued here are boarded as far as this phone knows.
          save(bundleKey, bundle);
          online = true;
          showStatus();
        },
        function (error) {
          if (error.network) setOnline(false);
        }
      );
    }

    function showConflicts(conflicts) {
      if (!conflicts.length) return;
      conflictsEl.replaceChildren(el("p", "checkin-offline__title", strings.conflicts));
      var list = el("ul", "checkin-offline__list");
      conflicts.forEach(function (result) {
        var item = el("li", "", result.message);
        item.setAttribute("data-code", result.code);
        if (result.ticket) {
          item.prepend(el("strong", "", result.ticket.order_code + " · " + result.ticket.name + " — "));
        }
        list.appendChild(item);
      });
      conflictsEl.appendChild(list);
      feedback("stop");
    }

    function sync() {
      if (syncing || !queue.length || !api.sync) return Promise.resolve();
      syncing = true;
      var batch = queue.slice(0, SYNC_BATCH);
      var body = {
        items: batch.map(function (item) {
          return { token: item.token, scanned_at: item.scanned_at, client_id: item.client_id };
        }),
      };
      return tracked(call("POST", api.sync, body))
        .then(
          function (data) {
            var done = {};
            var conflicts = [];
            var synced = 0;
            data.results.forEach(function (result) {
              done[result.client_id] = true;
              if (result.ok || result.repeat) synced += 1;
              else conflicts.push(result);
              if (result.ticket && (result.ok || result.code === "already_used")) {
                markBoarded(result.ticket);
              }
            });
            queue = load(queueKey, queue).filter(function (item) {
              return !done[item.client_id];
            });
            save(queueKey, queue);
            showPending();
            showCounts(data.counts);
            statusEl.textContent = format(strings.synced, { count: synced });
            showConflicts(conflicts);
            online = true;
            // The server's state after the sync (and what other phones boarded).
            return queue.length ? null : refresh();
          },
          function (error) {
            if (error.network) setOnline(false);
            else statusEl.textContent = format(strings.sync_failed, { message: error.message });
          }
        )
        .then(function () {
          syncing = false;
        });
    }

    // Passengers' names stay on the phone no longer than needed: the kept bundles of
    // departures that stopped boarding a day ago, with nothing left to sync, are removed.
    function forgetOldBundles() {
      var dayAgo = Date.now() - 24 * 60 * 60 * 1000;
      var keys = [];
      for (var i = 0; i < window.localStorage.length; i++) keys.push(window.localStorage.key(i));
      keys.forEach(function (key) {
        var match = /^prichal\.checkin\.(\d+)\.bundle$/.exec(key || "");
        if (!match) return;
        var kept = load(key, null);
        var waiting = load("prichal.checkin." + match[1] + ".queue", []);
        var closes = kept && kept.departure ? Date.parse(kept.departure.boarding_closes_at) : 0;
        if (!waiting.length && !(closes > dayAgo)) window.localStorage.removeItem(key);
      });
    }

    if (box && subtle && window.localStorage) {
      forgetOldBundles();
      showStatus();
      showPending();
      window.addEventListener("online", function () {
        setOnline(true);
      });
      window.addEventListener("offline", function () {
        setOnline(false);
      });
      window.setInterval(function () {
        if (navigator.onLine && queue.length) sync();
      }, RETRY_MS);
      window.setInterval(function () {
        if (navigator.onLine) refresh();
      }, REFRESH_MS);
      if (navigator.onLine) refresh().then(sync);
    }

    return { check: check, remember: remember, setOnline: setOnline };
  })();

  // --- actions ------------------------------------------------------------------------

  var busy = false;

  function checkToken(token) {
    if (busy) return Promise.resolve();
    busy = true;
    orderBox.replaceChildren();
    var checked = navigator.onLine
      ? call("POST", api.scan, { token: token, departure_id: departureId }).then(
          function (data) {
            offline.setOnline(true);
            return data;
          },
          function (error) {
            if (!error.network) throw error;
            offline.setOnline(false);
            return offline.check(token);
          }
        )
      : offline.check(token);
    return checked
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
