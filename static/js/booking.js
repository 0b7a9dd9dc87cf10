/* Prichal booking widget: a calendar, the times of the chosen day, then the seat map
   (assigned seating) or ticket steppers (general admission), and the timed hold.
   It enhances the form of content/templates/content/blocks/booking.html, which works
   without JavaScript for general admission. Every text comes from the page's
   <template data-booking-i18n>; the server (/api/v1/) decides everything else.
   No dependencies, no build step. */
(function () {
  "use strict";
  if (window.prichalBooking) return;
  window.prichalBooking = true;
  if (!window.fetch || !window.Intl || !("content" in document.createElement("template"))) return;

  var SVG = "http://www.w3.org/2000/svg";
  var PITCH = 30;
  var SCALES = [1, 1.5, 2, 3]; // seat cells of 30, 45, 60, 90 px; "fit" comes before them
  var ZONE_TINTS = ["#e0f2fe", "#fef3c7", "#ede9fe", "#dcfce7", "#fce7f3"];
  var count = 0;

  // ---------------------------------------------------------------- small helpers
  function put(node, attrs, children) {
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child) node.append(child);
    });
    return node;
  }
  function h(tag, attrs, children) {
    return put(document.createElement(tag), attrs, children);
  }
  function s(tag, attrs, children) {
    return put(document.createElementNS(SVG, tag), attrs, children);
  }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }
  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }
  function iso(y, m, d) {
    return y + "-" + pad(m + 1) + "-" + pad(d);
  }
  function parseIso(value) {
    var p = value.split("-").map(Number);
    return new Date(p[0], p[1] - 1, p[2]);
  }
  function clock(seconds) {
    return pad(Math.floor(seconds / 60)) + ":" + pad(seconds % 60);
  }
  function store(key, value) {
    try {
      if (value === null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, value);
    } catch (e) { /* storage off: no restoring after a reload */ }
  }
  function stored(key) {
    try {
      return sessionStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }
  function capital(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  // ---------------------------------------------------------------- the widget
  function Booking(root) {
    var t = {};
    root.querySelector("[data-booking-i18n]").content.querySelectorAll("[data-k]").forEach(function (n) {
      t[n.getAttribute("data-k")] = n.textContent.trim();
    });
    this.t = t;
    this.root = root;
    this.uid = "bw" + ++count;
    this.lang = root.getAttribute("data-lang") || document.documentElement.lang || "ru";
    this.api = root.getAttribute("data-api");
    this.product = root.getAttribute("data-product");
    // A rental slot is the whole boat: it is free or taken, it has no "places".
    this.rental = root.hasAttribute("data-rental");
    this.holdUrl = root.getAttribute("data-hold-url");
    this.maxTickets = Number(root.getAttribute("data-max-tickets")) || 10;
    this.firstDate = root.getAttribute("data-first-date") || "";
    this.decimal = root.getAttribute("data-decimal") || ",";
    this.thousands = root.hasAttribute("data-thousands") ? root.getAttribute("data-thousands") : "\u00a0";
    this.grouping = Number(root.getAttribute("data-grouping") || 3);
    this.months = {};
    this.day = null;
    this.slot = null;
    this.departure = null;
    this.seats = [];
    this.hold = null;
    this.sel = new Map();
    this.zoom = null;
    this.seq = 0;
    var now = new Date();
    this.today = iso(now.getFullYear(), now.getMonth(), now.getDate());
    this.fmtDay = new Intl.DateTimeFormat(this.lang, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    this.fmtMonth = new Intl.DateTimeFormat(this.lang, { month: "long", year: "numeric" });
    this.build(root.querySelector("[data-booking-form]"), root.querySelector("[data-booking-app]"));
    this.start();
  }

  // Like the server's `rub` filter: the page language's separators and grouping (given
  // by the template), kopecks only when there are any, then a no-break space and ₽.
  Booking.prototype.money = function (amount) {
    var value = Number(amount);
    var parts = value.toFixed(Number.isInteger(value) ? 0 : 2).split(".");
    var whole = parts[0];
    if (this.grouping > 0) whole = whole.replace(new RegExp("\\B(?=(\\d{" + this.grouping + "})+(?!\\d))", "g"), this.thousands);
    return whole + (parts[1] ? this.decimal + parts[1] : "") + "\u00a0₽";
  };

  Booking.prototype.call = function (method, path, body) {
    var t = this.t;
    var init = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "Accept-Language": this.lang, "X-Bind-Session": "1" },
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(this.api + path, init).then(
      function (response) {
        if (response.status === 204) return null;
        return response.json().catch(function () { return null; }).then(function (data) {
          if (response.ok) return data;
          throw { code: (data && data.code) || "http_" + response.status, message: (data && data.message) || t.errorGeneric };
        });
      },
      function () {
        throw { code: "network", message: t.errorNetwork };
      }
    );
  };

  Booking.prototype.say = function (text) {
    var status = this.status;
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 60);
  };

  Booking.prototype.alert = function (box, error) {
    box.textContent = "";
    if (error) box.append(h("p", { class: "booking-notice booking-notice--error", text: error.message || this.t.errorGeneric }));
  };

  // ---------------------------------------------------------------- structure
  Booking.prototype.build = function (form, app) {
    var self = this;
    var t = this.t;
    var id = this.uid;
    this.status = h("div", { class: "visually-hidden", role: "status" });
    this.calAlert = h("div", { class: "bw__alert", role: "alert" });
    this.prev = h("button", { type: "button", class: "bw-cal__nav", "aria-label": t.prevMonth, text: "‹", onclick: function () { self.shiftMonth(-1); } });
    this.next = h("button", { type: "button", class: "bw-cal__nav", "aria-label": t.nextMonth, text: "›", onclick: function () { self.shiftMonth(1); } });
    this.monthTitle = h("p", { class: "bw-cal__title", "aria-live": "polite", id: id + "-month" });
    var week = h("tr");
    for (var d = 1; d <= 7; d++) {
      var day = new Date(2024, 0, d); // 1 January 2024 was a Monday
      week.append(h("th", { scope: "col", abbr: new Intl.DateTimeFormat(this.lang, { weekday: "long" }).format(day), text: new Intl.DateTimeFormat(this.lang, { weekday: "short" }).format(day) }));
    }
    this.grid = h("tbody", { onkeydown: function (e) { self.calendarKey(e); } });
    this.calEmpty = h("p", { class: "bw-cal__empty", hidden: true, text: t.noDepartures });
    this.slotList = h("ul", { class: "bw-slots", role: "list" });
    this.timeStep = h("div", { class: "bw__step", hidden: true }, [h("h3", { class: "bw__heading", text: t.chooseTime }), this.slotList]);
    this.ticketsTitle = h("h3", { class: "bw__heading" });
    this.alertBox = h("div", { class: "bw__alert", role: "alert" });
    this.ticketsBody = h("div", { class: "bw__body" });
    this.ticketsStep = h("div", { class: "bw__step bw__step--wide", hidden: true }, [this.ticketsTitle, this.alertBox, this.ticketsBody]);

    this.lines = h("ul", { class: "bw-lines", role: "list" });
    this.empty = h("p", { class: "bw-summary__empty", text: t.nothingYet });
    this.totalValue = h("strong");
    this.total = h("p", { class: "bw-total" }, [h("span", { text: t.total }), this.totalValue]);
    this.clock = h("strong", { class: "bw-timer__clock" });
    this.timer = h("p", { class: "bw-timer", role: "timer", "aria-live": "off" }, [h("span", { text: t.timeLeft }), this.clock]);
    this.extendButton = h("button", { type: "button", class: "button button--ghost", text: t.extend, hidden: true, onclick: function () { self.extend(); } });
    this.releaseButton = h("button", { type: "button", class: "button button--ghost", text: t.release, onclick: function () { self.release(); } });
    this.continueLink = h("a", { class: "button", text: t.continue, href: "#" });
    this.busy = h("p", { class: "bw-busy", "aria-hidden": "true", hidden: true, text: t.saving });
    this.holdBox = h("div", { class: "bw-hold", hidden: true }, [
      this.lines, this.total, this.timer,
      h("div", { class: "bw-actions" }, [this.extendButton, this.releaseButton, this.continueLink]),
    ]);
    this.summaryTitle = h("h3", { class: "bw__heading", tabindex: "-1", id: id + "-summary", text: t.yourBooking });
    this.summary = h("section", { class: "bw-summary", hidden: true, "aria-labelledby": id + "-summary" }, [
      this.summaryTitle, this.empty, this.holdBox, this.busy,
    ]);

    put(app, {}, [
      this.status,
      h("div", { class: "bw__step" }, [
        h("h3", { class: "bw__heading", text: t.chooseDate }),
        this.calAlert,
        h("div", { class: "bw-cal" }, [
          h("div", { class: "bw-cal__head" }, [this.prev, this.monthTitle, this.next]),
          h("table", { class: "bw-cal__grid", "aria-labelledby": id + "-month" }, [h("thead", {}, [week]), this.grid]),
          this.calEmpty,
        ]),
      ]),
      this.timeStep,
      this.ticketsStep,
      this.summary,
    ]);
    form.hidden = true;
    app.hidden = false;
    window.addEventListener("resize", function () {
      clearTimeout(self.resizing);
      self.resizing = setTimeout(function () { self.applyZoom(); }, 150);
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && self.hold) self.tick();
    });
    this.poll = setInterval(function () {
      if (document.visibilityState === "visible" && !self.syncing && self.departure && self.assigned()) self.refreshSeats();
    }, 30000);
  };

  Booking.prototype.start = function () {
    var self = this;
    var last = null;
    try { last = JSON.parse(stored("prichal.booking." + this.product) || "null"); } catch (e) { last = null; }
    if (last && !(last.date >= this.today)) last = null;
    var target = (last && last.date) || (this.firstDate >= this.today ? this.firstDate : this.today);
    var date = parseIso(target);
    this.month = [date.getFullYear(), date.getMonth()];
    this.showMonth().then(function () {
      var slots = self.slotsOf(target);
      if (!slots.length) return;
      self.selectDay(target, false);
      var slot = last && slots.filter(function (x) { return x.id === last.departure; })[0];
      if (slot) self.selectSlot(slot, false);
    });
  };

  // ---------------------------------------------------------------- calendar
  Booking.prototype.monthKey = function () {
    return this.month[0] + "-" + pad(this.month[1] + 1);
  };

  Booking.prototype.loadMonth = function (force) {
    var self = this;
    var key = this.monthKey();
    if (this.months[key] && !force) return Promise.resolve();
    var y = this.month[0], m = this.month[1];
    var last = new Date(y, m + 1, 0).getDate();
    return this.call("GET", "products/" + this.product + "/departures?date_from=" + iso(y, m, 1) + "&date_to=" + iso(y, m, last)).then(
      function (slots) {
        self.months[key] = slots;
        self.alert(self.calAlert, null);
      },
      function (error) {
        self.alert(self.calAlert, error);
      }
    );
  };

  Booking.prototype.slotsOf = function (date) {
    var slots = this.months[date.slice(0, 7)] || [];
    return slots.filter(function (slot) { return slot.local_date === date; });
  };

  Booking.prototype.showMonth = function () {
    var self = this;
    this.renderCalendar();
    return this.loadMonth(false).then(function () { self.renderCalendar(); });
  };

  Booking.prototype.shiftMonth = function (step) {
    var date = new Date(this.month[0], this.month[1] + step, 1);
    this.month = [date.getFullYear(), date.getMonth()];
    this.showMonth();
  };

  Booking.prototype.renderCalendar = function () {
    var self = this;
    var y = this.month[0], m = this.month[1];
    var now = parseIso(this.today);
    var slots = this.months[this.monthKey()];
    this.monthTitle.textContent = capital(this.fmtMonth.format(new Date(y, m, 1)));
    this.prev.disabled = y * 12 + m <= now.getFullYear() * 12 + now.getMonth();
    this.next.disabled = y * 12 + m >= now.getFullYear() * 12 + now.getMonth() + 12;
    var byDay = {};
    (slots || []).forEach(function (slot) { (byDay[slot.local_date] = byDay[slot.local_date] || []).push(slot); });
    this.grid.textContent = "";
    var offset = (new Date(y, m, 1).getDay() + 6) % 7;
    var days = new Date(y, m + 1, 0).getDate();
    var row = h("tr");
    for (var i = 0; i < offset; i++) row.append(h("td"));
    var focusable = null;
    for (var d = 1; d <= days; d++) {
      var date = iso(y, m, d);
      var list = byDay[date] || [];
      var open = list.some(function (slot) { return slot.on_sale && slot.remaining > 0; });
      var button = h("button", {
        type: "button",
        class: "bw-day" + (list.length ? " has-slots" : "") + (list.length && !open ? " is-full" : ""),
        "data-date": date,
        "aria-label": capital(this.fmtDay.format(new Date(y, m, d))) + (list.length && !open ? " — " + this.t.soldOut : ""),
        "aria-pressed": date === this.day ? "true" : "false",
        "aria-current": date === this.today ? "date" : null,
        disabled: !list.length || date < this.today,
        tabindex: "-1",
        text: String(d),
        onclick: function () { self.selectDay(this.getAttribute("data-date"), false); },
      });
      if (!button.disabled && (date === this.day || !focusable)) focusable = button;
      row.append(h("td", {}, [button]));
      if ((offset + d) % 7 === 0) {
        this.grid.append(row);
        row = h("tr");
      }
    }
    if (row.children.length) {
      while (row.children.length < 7) row.append(h("td"));
      this.grid.append(row);
    }
    if (focusable) focusable.setAttribute("tabindex", "0");
    this.calEmpty.hidden = !slots || slots.length > 0;
  };

  Booking.prototype.calendarKey = function (e) {
    var steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 }[e.key];
    if (!steps) return;
    e.preventDefault();
    var buttons = Array.prototype.slice.call(this.grid.querySelectorAll(".bw-day"));
    var at = buttons.indexOf(document.activeElement);
    for (var i = at + steps; i >= 0 && i < buttons.length; i += steps) {
      if (!buttons[i].disabled) {
        buttons.forEach(function (b) { b.setAttribute("tabindex", "-1"); });
        buttons[i].setAttribute("tabindex", "0");
        buttons[i].focus();
        return;
      }
    }
  };

  Booking.prototype.selectDay = function (date, keepSlot) {
    this.day = date;
    var focused = document.activeElement && document.activeElement.getAttribute("data-date");
    this.renderCalendar();
    if (focused) {
      var again = this.grid.querySelector('[data-date="' + focused + '"]');
      if (again) again.focus();
    }
    this.renderSlots();
    this.timeStep.hidden = false;
    if (!keepSlot && this.slot && this.slot.local_date !== date) {
      this.slot = null;
      this.leaveDeparture();
    }
  };

  // ---------------------------------------------------------------- time slots
  Booking.prototype.slotState = function (slot) {
    var t = this.t;
    if (this.rental) return slot.remaining > 0 ? t.boatFree : t.boatTaken;
    return slot.remaining > 0 ? fill(t.placesLeft, { n: slot.remaining }) : t.soldOut;
  };

  Booking.prototype.renderSlots = function () {
    var self = this;
    var t = this.t;
    var focused = document.activeElement && document.activeElement.getAttribute("data-slot");
    this.slotList.textContent = "";
    this.slotsOf(this.day || "").forEach(function (slot) {
      var open = slot.on_sale && slot.remaining > 0;
      var button = h("button", {
        type: "button",
        class: "bw-slot",
        "data-slot": slot.id,
        "aria-pressed": self.slot && self.slot.id === slot.id ? "true" : "false",
        disabled: !open,
        onclick: function () { self.selectSlot(slot, true); },
      }, [
        h("span", { class: "bw-slot__time", text: slot.local_time }),
        h("span", { class: "bw-slot__left", text: !slot.on_sale ? t.notOnSale : self.slotState(slot) }),
        slot.from_price !== null ? h("span", { class: "bw-slot__price", text: fill(t.fromPrice, { price: self.money(slot.from_price) }) }) : null,
      ]);
      self.slotList.append(h("li", {}, [button]));
      if (String(slot.id) === focused) button.focus();
    });
  };

  Booking.prototype.refreshSlots = function () {
    var self = this;
    clearTimeout(this.slotTimer);
    this.slotTimer = setTimeout(function () {
      self.loadMonth(true).then(function () {
        var fresh = self.slot && self.slotsOf(self.slot.local_date).filter(function (x) { return x.id === self.slot.id; })[0];
        if (fresh) self.slot = fresh;
        self.renderSlots();
        if (!self.assigned()) self.updateQuantities();
      });
    }, 300);
  };

  Booking.prototype.assigned = function () {
    return this.departure && this.departure.seating_mode === "assigned";
  };

  Booking.prototype.leaveDeparture = function () {
    this.seq++;
    this.departure = null;
    this.stopTimer();
    this.hold = null;
    this.sel = new Map();
    this.ticketsStep.hidden = true;
    this.summary.hidden = true;
  };

  Booking.prototype.selectSlot = function (slot, moveFocus) {
    var self = this;
    this.leaveDeparture();
    this.slot = slot;
    var seq = this.seq;
    store("prichal.booking." + this.product, JSON.stringify({ departure: slot.id, date: slot.local_date }));
    this.renderSlots();
    this.ticketsStep.hidden = false;
    this.ticketsTitle.textContent = slot.seating_mode === "assigned" ? this.t.chooseSeats : this.t.chooseTickets;
    this.ticketsBody.textContent = this.t.loading;
    this.alert(this.alertBox, null);
    var token = stored("prichal.hold." + slot.id);
    this.call("GET", "departures/" + slot.id)
      .then(function (departure) {
        if (seq !== self.seq) return;
        self.departure = departure;
        if (!token) return null;
        return self.call("GET", "holds/" + encodeURIComponent(token)).then(
          function (hold) { if (seq === self.seq) self.setHold(hold); },
          function () { store("prichal.hold." + slot.id, null); }
        );
      })
      .then(function () {
        if (seq !== self.seq || !self.departure) return;
        self.selectionFromHold();
        if (self.assigned()) return self.loadSeats().then(function () { if (seq === self.seq) self.renderMap(); });
        self.renderQuantities();
      })
      .then(function () {
        if (seq !== self.seq || !self.departure) return;
        self.summary.hidden = false;
        self.renderSummary();
        if (moveFocus) self.ticketsTitle.focus();
      })
      .catch(function (error) {
        if (seq !== self.seq) return;
        self.ticketsBody.textContent = "";
        self.alert(self.alertBox, error);
      });
    this.ticketsTitle.setAttribute("tabindex", "-1");
  };

  // ---------------------------------------------------------------- the hold
  Booking.prototype.setHold = function (hold) {
    this.hold = hold;
    var key = "prichal.hold." + ((hold && hold.departure_id) || (this.departure && this.departure.id));
    if (!hold) {
      store(key, null);
      this.stopTimer();
      return;
    }
    store(key, hold.token);
    this.deadline = Date.now() + hold.seconds_left * 1000;
    this.said5 = hold.seconds_left <= 300;
    this.said1 = hold.seconds_left <= 60;
    this.startTimer();
  };

  Booking.prototype.selectionFromHold = function () {
    var sel = new Map();
    var assigned = this.assigned();
    ((this.hold && this.hold.lines) || []).forEach(function (line) {
      if (assigned) sel.set(line.seat_id, line.ticket_type_id);
      else sel.set(line.ticket_type_id, (sel.get(line.ticket_type_id) || 0) + line.quantity);
    });
    this.sel = sel;
  };

  Booking.prototype.selection = function () {
    var list = [];
    if (this.assigned()) {
      this.sel.forEach(function (type, seat) { list.push({ seat_id: Number(seat), ticket_type_id: type }); });
      return { seats: list };
    }
    this.sel.forEach(function (quantity, type) { if (quantity > 0) list.push({ ticket_type_id: Number(type), quantity: quantity }); });
    return { quantities: list };
  };

  Booking.prototype.sync = function () {
    var self = this;
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.summary.setAttribute("aria-busy", "true");
    this.busy.hidden = false;
    var run = function () {
      self.again = false;
      return self.push().then(function () { if (self.again) return run(); });
    };
    this.syncing = run().then(function () {
      self.syncing = null;
      self.summary.removeAttribute("aria-busy");
      self.busy.hidden = true;
    });
    return this.syncing;
  };

  Booking.prototype.push = function () {
    var self = this;
    var seq = this.seq;
    var departure = this.departure;
    var body = this.selection();
    var nothing = !(body.seats || body.quantities).length;
    var request;
    if (nothing) {
      request = this.hold ? this.call("DELETE", "holds/" + encodeURIComponent(this.hold.token)).then(function () { return null; }) : Promise.resolve(null);
    } else if (this.hold) {
      request = this.call("PUT", "holds/" + encodeURIComponent(this.hold.token), body);
    } else {
      body.departure_id = departure.id;
      request = this.call("POST", "holds", body);
    }
    var hadHold = !!this.hold;
    return request.then(
      function (hold) {
        if (seq !== self.seq) return;
        self.alert(self.alertBox, null);
        self.setHold(hold);
        if (!hold && hadHold) self.say(self.t.released);
        self.afterChange(false);
      },
      function (error) {
        if (seq !== self.seq) return;
        self.again = false;
        self.alert(self.alertBox, error);
        if (error.code === "hold_expired" || error.code === "hold_not_found") self.setHold(null);
        self.selectionFromHold();
        self.afterChange(true);
      }
    );
  };

  Booking.prototype.afterChange = function (failed) {
    if (this.assigned()) {
      var mine = new Set(((this.hold && this.hold.lines) || []).map(function (line) { return line.seat_id; }));
      this.seats.forEach(function (seat) {
        if (mine.has(seat.id)) seat.status = "mine";
        else if (seat.status === "mine") seat.status = "free";
      });
      if (failed) this.refreshSeats();
      else this.updateSeats();
    } else {
      this.updateQuantities();
    }
    this.renderSummary();
    this.refreshSlots();
  };

  Booking.prototype.startTimer = function () {
    var self = this;
    this.stopTimer();
    this.tick();
    this.ticking = setInterval(function () { self.tick(); }, 1000);
  };

  Booking.prototype.stopTimer = function () {
    clearInterval(this.ticking);
    this.ticking = null;
  };

  Booking.prototype.tick = function () {
    if (!this.hold) return;
    var left = Math.max(0, Math.round((this.deadline - Date.now()) / 1000));
    this.clock.textContent = clock(left);
    this.timer.classList.toggle("is-urgent", left <= 60);
    this.extendButton.hidden = this.hold.extended || left >= 300;
    if (left <= 300 && !this.said5) {
      this.said5 = true;
      if (left > 60) this.say(this.t.minutes5);
    }
    if (left <= 60 && !this.said1) {
      this.said1 = true;
      this.say(this.t.minutes1);
    }
    if (left === 0) this.expire();
  };

  Booking.prototype.expire = function () {
    this.setHold(null);
    this.sel = new Map();
    this.alert(this.alertBox, { message: this.t.timeUp });
    // The browser's clock may run a second ahead of the server's: ask again a bit later.
    var self = this;
    setTimeout(function () { self.afterChange(true); }, 2000);
    this.afterChange(false);
  };

  Booking.prototype.extend = function () {
    var self = this;
    if (!this.hold) return;
    this.call("POST", "holds/" + encodeURIComponent(this.hold.token) + "/extend").then(
      function (hold) {
        self.setHold(hold);
        self.renderSummary();
        self.say(self.t.extended);
        self.releaseButton.focus();
      },
      function (error) {
        self.alert(self.alertBox, error);
        if (error.code === "hold_expired" || error.code === "hold_not_found") self.expire();
      }
    );
  };

  Booking.prototype.release = function () {
    this.sel = new Map();
    if (this.assigned()) this.updateSeats();
    else this.updateQuantities();
    this.summaryTitle.focus();
    this.sync();
  };

  // ---------------------------------------------------------------- summary
  Booking.prototype.seatName = function (seat) {
    var name = fill(this.t.seatLabel, { row: seat.row, seat: seat.number });
    return this.sections > 1 ? seat.section + ", " + name : name;
  };

  Booking.prototype.renderSummary = function () {
    var self = this;
    var t = this.t;
    var hold = this.hold;
    this.lines.textContent = "";
    this.empty.hidden = !!hold;
    this.holdBox.hidden = !hold;
    if (!hold) return;
    var types = this.departure.ticket_types;
    var byId = this.seatsById || new Map();
    // Seats in the order of the map (the server returns lines in the order it wrote them).
    var order = function (line) {
      var seat = line.seat_id && byId.get(line.seat_id);
      return seat ? [seat.y, seat.x] : [0, 0];
    };
    hold.lines.slice().sort(function (a, b) {
      var p = order(a), q = order(b);
      return p[0] - q[0] || p[1] - q[1];
    }).forEach(function (line) {
      var item = h("li", { class: "bw-line" });
      if (line.seat_id) {
        var seat = byId.get(line.seat_id);
        var name = seat ? self.seatName(seat) : line.seat;
        var selectId = self.uid + "-type-" + line.seat_id;
        var select = h("select", {
          id: selectId,
          class: "bw-line__type",
          onchange: function () {
            self.sel.set(line.seat_id, Number(this.value));
            self.sync();
          },
        }, types.map(function (type) {
          var price = seat && seat.prices[type.id] !== undefined ? seat.prices[type.id] : type.price;
          return h("option", { value: type.id, selected: type.id === line.ticket_type_id, text: type.name + " — " + self.money(price) });
        }));
        put(item, {}, [
          h("span", { class: "bw-line__what", text: name }),
          h("label", { class: "visually-hidden", for: selectId, text: fill(t.ticketFor, { seat: name }) }),
          select,
          h("span", { class: "bw-line__price", text: self.money(line.unit_price) }),
          h("button", {
            type: "button",
            class: "bw-line__remove",
            "aria-label": fill(t.remove, { item: name }),
            text: "×",
            onclick: function () {
              self.sel.delete(line.seat_id);
              self.updateSeats();
              self.summaryTitle.focus();
              self.sync();
            },
          }),
        ]);
      } else {
        put(item, {}, [
          h("span", { class: "bw-line__what", text: line.ticket_type + " × " + line.quantity }),
          h("span", { class: "bw-line__price", text: self.money(Number(line.unit_price) * line.quantity) }),
        ]);
      }
      self.lines.append(item);
    });
    this.totalValue.textContent = this.money(hold.total);
    this.continueLink.href = this.holdUrl.replace("TOKEN", encodeURIComponent(hold.token));
    this.tick();
  };

  // ---------------------------------------------------------------- quantities
  Booking.prototype.renderQuantities = function () {
    var self = this;
    var t = this.t;
    this.inputs = new Map();
    var list = h("ul", { class: "bw-qty", role: "list" });
    this.departure.ticket_types.forEach(function (type) {
      var id = self.uid + "-qty-" + type.id;
      var input = h("input", {
        id: id,
        type: "number",
        inputmode: "numeric",
        min: "0",
        max: String(self.maxTickets),
        step: "1",
        value: "0",
        class: "bw-qty__input",
        onchange: function () {
          var n = parseInt(this.value, 10);
          self.setQuantity(type, isNaN(n) ? 0 : n, false);
        },
      });
      var minus = h("button", { type: "button", class: "bw-qty__step", "aria-label": fill(t.fewer, { name: type.name }), "aria-controls": id, text: "−", onclick: function () { self.setQuantity(type, (self.sel.get(type.id) || 0) - 1, true); } });
      var plus = h("button", { type: "button", class: "bw-qty__step", "aria-label": fill(t.more, { name: type.name }), "aria-controls": id, text: "+", onclick: function () { self.setQuantity(type, (self.sel.get(type.id) || 0) + 1, true); } });
      self.inputs.set(type.id, { input: input, minus: minus, plus: plus });
      list.append(h("li", { class: "bw-qty__row" }, [
        h("label", { class: "bw-qty__name", for: id }, [document.createTextNode(type.name + " "), h("span", { class: "bw-qty__price", text: self.money(type.price) })]),
        h("div", { class: "bw-qty__ctrl" }, [minus, input, plus]),
      ]));
    });
    this.left = h("p", { class: "bw-qty__left" });
    this.ticketsBody.textContent = "";
    this.ticketsBody.append(this.left, list);
    this.updateQuantities();
  };

  Booking.prototype.heldTotal = function () {
    return ((this.hold && this.hold.lines) || []).reduce(function (sum, line) { return sum + line.quantity; }, 0);
  };

  Booking.prototype.capacityLeft = function () {
    var remaining = this.slot ? this.slot.remaining : this.maxTickets;
    return Math.min(this.maxTickets, remaining + this.heldTotal());
  };

  Booking.prototype.setQuantity = function (type, n, announce) {
    var self = this;
    var others = 0;
    this.sel.forEach(function (q, id) { if (id !== type.id) others += q; });
    var cap = this.capacityLeft();
    if (n > cap - others) {
      n = Math.max(cap - others, 0);
      this.alert(this.alertBox, { message: cap >= this.maxTickets ? fill(this.t.maxTickets, { n: this.maxTickets }) : fill(this.t.placesLeft, { n: cap }) });
    }
    n = Math.max(0, n);
    this.sel.set(type.id, n);
    this.updateQuantities();
    if (announce) this.say(type.name + ": " + n);
    clearTimeout(this.debounce);
    this.debounce = setTimeout(function () { self.sync(); }, 400);
  };

  Booking.prototype.updateQuantities = function () {
    var self = this;
    if (!this.inputs) return;
    var total = 0;
    this.sel.forEach(function (q) { total += q; });
    var cap = this.capacityLeft();
    this.inputs.forEach(function (controls, id) {
      var n = self.sel.get(id) || 0;
      if (document.activeElement !== controls.input || Number(controls.input.value) !== n) controls.input.value = String(n);
      controls.minus.disabled = n <= 0;
      controls.plus.disabled = total >= cap;
    });
    if (this.left && this.slot) this.left.textContent = this.slotState(this.slot);
  };

  // ---------------------------------------------------------------- seat map
  Booking.prototype.loadSeats = function () {
    var self = this;
    var query = this.hold ? "?hold=" + encodeURIComponent(this.hold.token) : "";
    return this.call("GET", "departures/" + this.departure.id + "/seats" + query).then(function (data) {
      self.seats = data.seats;
      self.seatsById = new Map(data.seats.map(function (seat) { return [seat.id, seat]; }));
    });
  };

  Booking.prototype.refreshSeats = function () {
    var self = this;
    var seq = this.seq;
    return this.loadSeats().then(function () {
      if (seq !== self.seq) return;
      if (!self.syncing && self.hold) {
        // A seat of ours that the server no longer holds for us is not ours any more.
        self.sel.forEach(function (type, id) {
          var seat = self.seatsById.get(id);
          if (!seat || seat.status !== "mine") self.sel.delete(id);
        });
      }
      self.updateSeats();
    }, function () { /* the next poll tries again */ });
  };

  Booking.prototype.state = function (seat) {
    if (seat.kind === "blocked" || seat.status === "blocked") return "blocked";
    if (this.sel.has(seat.id)) return "selected";
    if (seat.status === "mine") return "free";
    return seat.status;
  };

  Booking.prototype.seatLabel = function (seat, state) {
    var t = this.t;
    var parts = [this.seatName(seat)];
    if (seat.kind === "wheelchair") parts.push(t.wheelchair);
    if (seat.kind === "companion") parts.push(t.companion);
    if (seat.zone && this.zones.length > 1 && seat.zone !== seat.section) parts.push(seat.zone);
    if (state === "held") parts.push(t.held);
    else if (state === "sold") parts.push(t.sold);
    else {
      var types = this.departure.ticket_types;
      var typeId = state === "selected" ? this.sel.get(seat.id) : types.length && types[0].id;
      var type = types.filter(function (x) { return x.id === typeId; })[0];
      if (type) parts.push(type.name + " " + this.money(seat.prices[type.id] !== undefined ? seat.prices[type.id] : type.price));
    }
    return parts.join(", ");
  };

  Booking.prototype.renderMap = function () {
    var self = this;
    var t = this.t;
    var seats = this.seats;
    this.ticketsBody.textContent = "";
    this.seatNodes = new Map();
    this.zoom = null;
    if (!seats.length) {
      this.ticketsBody.append(h("p", { class: "booking__note", text: t.noSeats }));
      return;
    }
    var xs = seats.map(function (x) { return x.x; });
    var ys = seats.map(function (x) { return x.y; });
    var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs);
    var minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
    this.box = [minX - 34, minY - 30, maxX - minX + PITCH + 40, maxY - minY + PITCH + 36];
    var sections = [];
    var zones = [];
    seats.forEach(function (seat) {
      if (sections.indexOf(seat.section) < 0) sections.push(seat.section);
      if (seat.zone && zones.indexOf(seat.zone) < 0) zones.push(seat.zone);
    });
    this.sections = sections.length;
    this.zones = zones;
    var hatch = this.uid + "-hatch";
    this.hatch = "url(#" + hatch + ")";
    var map = s("svg", {
      class: "bw-map__svg",
      viewBox: this.box.join(" "),
      role: "group",
      "aria-label": t.seatMap,
      "aria-describedby": this.uid + "-hint",
      onclick: function (e) {
        var node = e.target.closest && e.target.closest(".bw-seat");
        if (node) self.toggleSeat(Number(node.getAttribute("data-id")), node);
      },
      onkeydown: function (e) { self.mapKey(e); },
    }, [
      s("defs", {}, [
        s("pattern", { id: hatch, width: "6", height: "6", patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, [
          s("rect", { width: "6", height: "6", fill: "#e5e7eb" }),
          s("rect", { width: "3", height: "6", fill: "#6b7280" }),
        ]),
      ]),
    ]);
    // Section names above their first row, row labels on the left.
    var rows = new Map();
    seats.forEach(function (seat) {
      if (seat.kind === "blocked") return;
      var key = seat.section + "\u0000" + seat.row;
      if (!rows.has(key)) rows.set(key, []);
      rows.get(key).push(seat);
    });
    sections.forEach(function (section) {
      var top = Math.min.apply(null, seats.filter(function (x) { return x.section === section; }).map(function (x) { return x.y; }));
      if (sections.length > 1) map.append(s("text", { class: "bw-map__section", x: minX, y: top - 10, text: section }));
    });
    var labelled = new Set();
    seats.forEach(function (seat) {
      var key = seat.section + "\u0000" + seat.row;
      if (labelled.has(key)) return;
      labelled.add(key);
      map.append(s("text", { class: "bw-map__row", x: minX - 8, y: seat.y + 19.5, "text-anchor": "end", "aria-hidden": "true", text: seat.row }));
    });
    seats.forEach(function (seat) {
      var tint = ZONE_TINTS[Math.max(zones.indexOf(seat.zone), 0) % ZONE_TINTS.length];
      var node = s("g", { class: "bw-seat", transform: "translate(" + seat.x + " " + seat.y + ")", "data-id": seat.id, "data-tint": tint }, [
        s("rect", { class: "bw-seat__hit", width: PITCH, height: PITCH }),
        s("rect", { class: "bw-seat__ring", x: "0.5", y: "0.5", width: PITCH - 1, height: PITCH - 1, rx: "7" }),
        s("rect", { class: "bw-seat__box", x: "3", y: "3", width: "24", height: "24", rx: "5" }),
        seat.kind === "wheelchair" ? s("text", { class: "bw-seat__icon", x: "15", y: "20.5", "text-anchor": "middle", text: "♿" }) : null,
        seat.kind === "companion" ? s("circle", { class: "bw-seat__icon-dot", cx: "15", cy: "15", r: "3.5" }) : null,
        s("path", { class: "bw-seat__cross", d: "M9 9l12 12M21 9 9 21" }),
        s("path", { class: "bw-seat__check", d: "M8.5 15.5l4.5 4.5 8.5-10" }),
      ]);
      self.seatNodes.set(seat.id, node);
      map.append(node);
    });
    // Keyboard order: rows top to bottom, seats left to right.
    this.rowList = Array.from(rows.values())
      .map(function (list) { return list.sort(function (a, b) { return a.x - b.x; }); })
      .sort(function (a, b) { return a[0].y - b[0].y; });
    this.svg = map;
    this.scroller = h("div", { class: "bw-map__scroll" }, [map]);
    this.zoomOut = h("button", { type: "button", class: "bw-map__zoom", "aria-label": t.zoomOut, text: "−", onclick: function () { self.setZoom(-1); } });
    this.zoomIn = h("button", { type: "button", class: "bw-map__zoom", "aria-label": t.zoomIn, text: "+", onclick: function () { self.setZoom(1); } });
    this.ticketsBody.append(
      h("p", { class: "bw-map__hint", id: this.uid + "-hint", text: t.mapHint }),
      h("div", { class: "bw-map" }, [h("div", { class: "bw-map__tools" }, [this.zoomOut, this.zoomIn]), this.scroller]),
      this.legend(zones)
    );
    this.updateSeats();
    this.applyZoom();
  };

  Booking.prototype.legend = function (zones) {
    var self = this;
    var t = this.t;
    function swatch(cls, extra) {
      return s("svg", { class: "bw-legend__swatch", viewBox: "0 0 30 30", width: "30", height: "30", "aria-hidden": "true" }, [
        s("g", { class: "bw-seat " + cls }, [s("rect", { class: "bw-seat__box", x: "3", y: "3", width: "24", height: "24", rx: "5", fill: cls === "is-held" ? self.hatch : extra || "#fff" }),
          s("path", { class: "bw-seat__cross", d: "M9 9l12 12M21 9 9 21" }),
          s("path", { class: "bw-seat__check", d: "M8.5 15.5l4.5 4.5 8.5-10" }),
          cls === "is-wheelchair" ? s("text", { class: "bw-seat__icon", x: "15", y: "20.5", "text-anchor": "middle", text: "♿" }) : null,
          cls === "is-companion" ? s("circle", { class: "bw-seat__icon-dot", cx: "15", cy: "15", r: "3.5" }) : null]),
      ]);
    }
    var items = zones.length > 1 ? [] : [["is-free", t.free, ZONE_TINTS[0]]];
    items.push(["is-selected", t.selected], ["is-held", t.held], ["is-sold", t.sold]);
    if (this.seats.some(function (x) { return x.kind === "wheelchair"; })) items.push(["is-wheelchair", t.wheelchair]);
    if (this.seats.some(function (x) { return x.kind === "companion"; })) items.push(["is-companion", t.companion]);
    var list = h("ul", { class: "bw-legend", role: "list" }, items.map(function (item) {
      return h("li", {}, [swatch(item[0], item[2]), h("span", { text: item[1] })]);
    }));
    if (zones.length > 1) {
      var first = this.departure.ticket_types[0];
      zones.forEach(function (zone, i) {
        var prices = self.seats.filter(function (x) { return x.zone === zone && first; }).map(function (x) { return Number(x.prices[first.id]); });
        var from = prices.length ? Math.min.apply(null, prices) : null;
        list.append(h("li", {}, [swatch("is-free", ZONE_TINTS[i % ZONE_TINTS.length]), h("span", { text: zone + (from !== null ? " — " + fill(t.fromPrice, { price: self.money(from) }) : "") })]));
      });
    }
    return list;
  };

  Booking.prototype.updateSeats = function () {
    var self = this;
    if (!this.seatNodes) return;
    var focusable = null;
    var current = document.activeElement && document.activeElement.closest && document.activeElement.closest(".bw-seat");
    this.seats.forEach(function (seat) {
      var node = self.seatNodes.get(seat.id);
      if (!node) return;
      var state = self.state(seat);
      node.setAttribute("class", "bw-seat is-" + state + (seat.kind === "wheelchair" ? " is-wheelchair" : ""));
      node.querySelector(".bw-seat__box").setAttribute("fill", state === "held" ? self.hatch : node.getAttribute("data-tint"));
      if (state === "blocked") {
        node.setAttribute("aria-hidden", "true");
        return;
      }
      node.setAttribute("role", "checkbox");
      node.setAttribute("aria-checked", state === "selected" ? "true" : "false");
      node.setAttribute("aria-disabled", state === "held" || state === "sold" ? "true" : "false");
      node.setAttribute("aria-label", self.seatLabel(seat, state));
      node.setAttribute("tabindex", "-1");
      if (!focusable && (state === "free" || state === "selected")) focusable = node;
    });
    var first = this.rowList && this.rowList[0] && this.seatNodes.get(this.rowList[0][0].id);
    (current && this.svg.contains(current) ? current : focusable || first || { setAttribute: function () {} }).setAttribute("tabindex", "0");
  };

  Booking.prototype.toggleSeat = function (id, node) {
    var seat = this.seatsById.get(id);
    if (!seat) return;
    var state = this.state(seat);
    this.seatNodes.forEach(function (other) { if (other.getAttribute("tabindex") === "0") other.setAttribute("tabindex", "-1"); });
    node.setAttribute("tabindex", "0");
    if (state === "held" || state === "sold" || state === "blocked") {
      this.say(this.seatLabel(seat, state));
      return;
    }
    if (state === "selected") {
      this.sel.delete(id);
    } else {
      if (this.sel.size >= this.maxTickets) {
        this.alert(this.alertBox, { message: fill(this.t.maxTickets, { n: this.maxTickets }) });
        return;
      }
      var types = this.departure.ticket_types;
      if (!types.length) return;
      this.sel.set(id, types[0].id);
    }
    this.updateSeats();
    this.sync();
  };

  Booking.prototype.mapKey = function (e) {
    var node = e.target.closest && e.target.closest(".bw-seat");
    if (!node) return;
    var id = Number(node.getAttribute("data-id"));
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      this.toggleSeat(id, node);
      return;
    }
    var rows = this.rowList;
    var r = -1, c = -1;
    rows.forEach(function (row, i) {
      row.forEach(function (seat, j) { if (seat.id === id) { r = i; c = j; } });
    });
    if (r < 0) return;
    var target = null;
    if (e.key === "ArrowLeft") target = rows[r][c - 1];
    else if (e.key === "ArrowRight") target = rows[r][c + 1];
    else if (e.key === "Home") target = rows[r][0];
    else if (e.key === "End") target = rows[r][rows[r].length - 1];
    else if (e.key === "ArrowUp" || e.key === "ArrowDown") {
      var next = rows[r + (e.key === "ArrowUp" ? -1 : 1)];
      var x = rows[r][c].x;
      if (next) target = next.reduce(function (best, seat) { return Math.abs(seat.x - x) < Math.abs(best.x - x) ? seat : best; });
    } else return;
    e.preventDefault();
    if (!target) return;
    var goal = this.seatNodes.get(target.id);
    node.setAttribute("tabindex", "-1");
    goal.setAttribute("tabindex", "0");
    goal.focus();
  };

  Booking.prototype.setZoom = function (step) {
    var scroller = this.scroller;
    var cx = (scroller.scrollLeft + scroller.clientWidth / 2) / (scroller.scrollWidth || 1);
    var cy = (scroller.scrollTop + scroller.clientHeight / 2) / (scroller.scrollHeight || 1);
    this.zoom += step;
    this.applyZoom();
    scroller.scrollLeft = cx * scroller.scrollWidth - scroller.clientWidth / 2;
    scroller.scrollTop = cy * scroller.scrollHeight - scroller.clientHeight / 2;
  };

  // Zoom levels: the whole map in the box, then fixed scales larger than that. A map
  // opens at the whole map if its seats are big enough to tap there, else at 30 px seats.
  Booking.prototype.applyZoom = function () {
    if (!this.svg || !this.svg.isConnected) return;
    var width = (this.scroller.clientWidth || this.box[2]) - 16;
    var fit = Math.min(1.6, width / this.box[2]);
    var levels = [fit].concat(SCALES.filter(function (scale) { return scale > fit * 1.1; }));
    if (this.zoom === null) this.zoom = fit >= 1 ? 0 : 1;
    this.zoom = Math.min(Math.max(this.zoom, 0), levels.length - 1);
    var scale = levels[this.zoom];
    this.svg.setAttribute("width", Math.floor(this.box[2] * scale));
    this.svg.setAttribute("height", Math.floor(this.box[3] * scale));
    this.zoomOut.disabled = this.zoom === 0;
    this.zoomIn.disabled = this.zoom === levels.length - 1;
  };

  // ---------------------------------------------------------------- the hold page
  function countdown(node) {
    var deadline = Date.now() + Number(node.getAttribute("data-seconds")) * 1000;
    var status = document.getElementById(node.getAttribute("data-status"));
    var said5 = Number(node.getAttribute("data-seconds")) <= 300;
    var said1 = Number(node.getAttribute("data-seconds")) <= 60;
    var output = node.querySelector("[data-clock]") || node;
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      output.textContent = clock(left);
      node.classList.toggle("is-urgent", left <= 60);
      if (status && left <= 300 && !said5) { said5 = true; if (left > 60) status.textContent = node.getAttribute("data-minutes5"); }
      if (status && left <= 60 && !said1) { said1 = true; status.textContent = node.getAttribute("data-minutes1"); }
      if (left === 0) {
        clearInterval(timer);
        setTimeout(function () { window.location.reload(); }, 1500);
      }
    }
    var timer = setInterval(tick, 1000);
    tick();
  }

  function init() {
    document.querySelectorAll("[data-booking]").forEach(function (root) {
      if (root.hasAttribute("data-booking-ready") || !root.querySelector("[data-booking-app]")) return;
      root.setAttribute("data-booking-ready", "");
      new Booking(root);
    });
    document.querySelectorAll("[data-booking-countdown]").forEach(countdown);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
