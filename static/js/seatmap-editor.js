/* The seat-map editor in the Wagtail admin (crm/templates/crm/admin/includes/
   seat_map_editor.html). The server owns the layout: every change of the section and
   zone forms posts the form to the preview URL and shows the SVG the server draws from
   it. This script only adds and removes forms, keeps the zone pickers in step with the
   zones table, and turns clicks on seats into the section's seat marks (a hidden JSON
   field per section: {"<row>-<seat>": {"kind": "wheelchair", "zone": "vip"}}). */
(function () {
  "use strict";

  function debounce(fn, ms) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function fire(el) {
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function readMarks(input) {
    try {
      const marks = JSON.parse(input.value || "{}");
      return marks && typeof marks === "object" && !Array.isArray(marks) ? marks : {};
    } catch (e) {
      return {};
    }
  }

  function initEditor(root) {
    const form = root.closest("form");
    const preview = root.querySelector("[data-seatmap-preview]");
    const tools = root.querySelector("[data-seat-tools]");
    const toolZone = root.querySelector("[data-tool-zone]");
    const text = {
      section: root.dataset.textSection || "Section",
      previewError: root.dataset.textPreviewError || "The preview could not be loaded.",
      noZone: root.dataset.textNoZone || "No zone",
    };
    let controller = null;
    let painting = null; // {mode: "set" | "unset", touched: Set}

    root.classList.add("bk-js");
    tools.hidden = false;
    root.querySelectorAll("[data-add-form], [data-remove-form]").forEach((b) => {
      b.hidden = false;
    });

    /* Forms ------------------------------------------------------------------------ */

    function liveForms(prefix) {
      const box = root.querySelector(`[data-forms="${prefix}"]`);
      return Array.from(box.querySelectorAll(":scope > [data-form]")).filter((f) => !f.hidden);
    }

    function renumber() {
      liveForms("sections").forEach((f, i) => {
        const number = f.querySelector("[data-form-number]");
        if (number) number.textContent = String(i + 1);
      });
      const hasZones = liveForms("zones").length > 0;
      root.querySelector("[data-zones-empty]").hidden = hasZones;
      root.querySelector("[data-zones-table]").hidden = !hasZones;
    }

    function addForm(prefix) {
      const total = form.querySelector(`[name="${prefix}-TOTAL_FORMS"]`);
      const max = parseInt(form.querySelector(`[name="${prefix}-MAX_NUM_FORMS"]`).value, 10);
      if (liveForms(prefix).length >= max) return;
      const index = parseInt(total.value, 10);
      const template = root.querySelector(`template[data-empty-form="${prefix}"]`);
      const parser = document.createElement("template");
      parser.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
      const el = parser.content.firstElementChild;
      el.querySelectorAll("[data-remove-form]").forEach((b) => {
        b.hidden = false;
      });
      root.querySelector(`[data-forms="${prefix}"]`).appendChild(el);
      total.value = String(index + 1);
      if (prefix === "sections") {
        const name = el.querySelector("[data-section-name]");
        const names = new Set(liveForms("sections").map(sectionName));
        let n = liveForms("sections").length;
        while (names.has(`${text.section} ${n}`)) n += 1;
        name.value = `${text.section} ${n}`;
        fillZoneSelect(el.querySelector("[data-zone-select]"), zones());
      }
      renumber();
      const first = el.querySelector("input:not([type=hidden]), select");
      if (first) first.focus();
      fire(first || total);
    }

    function removeForm(el) {
      const del = el.querySelector('input[name$="-DELETE"]');
      if (del) del.checked = true;
      el.hidden = true;
      renumber();
      if (el.querySelector("[data-zone-code]")) refreshZones();
      fire(del || form);
    }

    /* Zones ------------------------------------------------------------------------ */

    function zones() {
      return liveForms("zones")
        .map((row) => ({
          code: row.querySelector("[data-zone-code]").value.trim(),
          name: row.querySelector("[data-zone-name]").value.trim(),
        }))
        .filter((z) => z.code);
    }

    function fillZoneSelect(select, list, emptyLabel) {
      if (!select) return;
      const current = select.value;
      const first = select.options[0];
      const label = emptyLabel || (first ? first.textContent : text.noZone);
      select.textContent = "";
      select.appendChild(new Option(label, ""));
      list.forEach((z) => {
        select.appendChild(new Option(z.name ? `${z.name} (${z.code})` : z.code, z.code));
      });
      select.value = list.some((z) => z.code === current) ? current : "";
    }

    function refreshZones() {
      const list = zones();
      root.querySelectorAll("[data-zone-select]").forEach((s) => fillZoneSelect(s, list));
      fillZoneSelect(toolZone, list);
    }

    function renameZone(from, to) {
      if (!from || !to || from === to) return;
      root.querySelectorAll("[data-zone-select]").forEach((select) => {
        if (select.value === from) {
          select.appendChild(new Option(to, to));
          select.value = to;
        }
      });
      root.querySelectorAll("[data-section-seats]").forEach((input) => {
        const marks = readMarks(input);
        let changed = false;
        Object.values(marks).forEach((mark) => {
          if (mark.zone === from) {
            mark.zone = to;
            changed = true;
          }
        });
        if (changed) input.value = JSON.stringify(marks);
      });
    }

    /* Preview ---------------------------------------------------------------------- */

    function refresh(focusSeat) {
      if (controller) controller.abort();
      controller = new AbortController();
      preview.setAttribute("aria-busy", "true");
      fetch(root.dataset.previewUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" },
        signal: controller.signal,
      })
        .then((response) => {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then((html) => {
          preview.innerHTML = html;
          preview.removeAttribute("aria-busy");
          if (focusSeat) {
            const seat = preview.querySelector(
              `.bk-seat[data-section="${CSS.escape(focusSeat.section)}"][data-key="${CSS.escape(focusSeat.key)}"]`,
            );
            if (seat) seat.focus();
          }
        })
        .catch((error) => {
          if (error.name === "AbortError") return;
          preview.removeAttribute("aria-busy");
          const p = document.createElement("p");
          p.className = "help-block help-critical";
          p.setAttribute("role", "alert");
          p.textContent = text.previewError;
          preview.prepend(p);
        });
    }

    const refreshSoon = debounce(refresh, 300);

    /* Marking seats ---------------------------------------------------------------- */

    function sectionName(el) {
      return el.querySelector("[data-section-name]").value.trim();
    }

    function currentTool() {
      const checked = tools.querySelector('input[name="_seat_tool"]:checked');
      const value = checked ? checked.value : "kind:wheelchair";
      if (value === "zone") return { type: "zone", value: toolZone.value };
      return { type: "kind", value: value.slice(5) };
    }

    function modeFor(seat, tool) {
      if (tool.type === "kind") {
        return tool.value !== "standard" && seat.dataset.kind === tool.value ? "unset" : "set";
      }
      return tool.value && seat.dataset.zone === tool.value ? "unset" : "set";
    }

    function mark(seat, mode) {
      const section = liveForms("sections").find((f) => sectionName(f) === seat.dataset.section);
      if (!section) return;
      const input = section.querySelector("[data-section-seats]");
      const marks = readMarks(input);
      const key = seat.dataset.key;
      const entry = Object.assign({}, marks[key] || {});
      const tool = currentTool();
      if (tool.type === "kind") {
        if (mode === "unset" || tool.value === "standard") delete entry.kind;
        else entry.kind = tool.value;
      } else if (mode === "unset" || !tool.value) {
        delete entry.zone;
      } else {
        entry.zone = tool.value;
      }
      if (Object.keys(entry).length) marks[key] = entry;
      else delete marks[key];
      input.value = JSON.stringify(marks);
      seat.classList.add("bk-seat--touched");
      seat.style.opacity = "0.55";
    }

    function commit(focusSeat) {
      const input = root.querySelector("[data-section-seats]");
      if (input) fire(input); // tells Wagtail's unsaved-changes warning
      refresh(focusSeat);
    }

    preview.addEventListener("pointerdown", (event) => {
      const seat = event.target.closest(".bk-seat");
      if (!seat || event.button !== 0) return;
      event.preventDefault();
      painting = { mode: modeFor(seat, currentTool()), touched: new Set([seat]) };
      mark(seat, painting.mode);
    });

    preview.addEventListener("pointerover", (event) => {
      if (!painting) return;
      const seat = event.target.closest(".bk-seat");
      if (!seat || painting.touched.has(seat)) return;
      painting.touched.add(seat);
      mark(seat, painting.mode);
    });

    document.addEventListener("pointerup", () => {
      if (!painting) return;
      painting = null;
      commit();
    });

    preview.addEventListener("keydown", (event) => {
      const seat = event.target.closest(".bk-seat");
      if (!seat || (event.key !== "Enter" && event.key !== " ")) return;
      event.preventDefault();
      mark(seat, modeFor(seat, currentTool()));
      commit({ section: seat.dataset.section, key: seat.dataset.key });
    });

    /* Wiring ----------------------------------------------------------------------- */

    root.addEventListener("click", (event) => {
      const add = event.target.closest("[data-add-form]");
      if (add) {
        addForm(add.dataset.addForm);
        return;
      }
      const remove = event.target.closest("[data-remove-form]");
      if (remove) removeForm(remove.closest("[data-form]"));
    });

    root.addEventListener("focusin", (event) => {
      if (event.target.matches("[data-zone-code]")) {
        event.target.dataset.previous = event.target.value.trim();
      }
    });

    root.addEventListener("change", (event) => {
      const target = event.target;
      if (target.matches("[data-zone-code]")) {
        renameZone(target.dataset.previous, target.value.trim());
        target.dataset.previous = target.value.trim();
      }
      if (target.matches("[data-zone-code], [data-zone-name]")) refreshZones();
      // Seat marks refresh the preview themselves (and keep the focus on the seat).
      if (target.matches("[data-section-seats]")) return;
      if (target.name === "_seat_tool" || target === toolZone) {
        if (target === toolZone) tools.querySelector('input[value="zone"]').checked = true;
        return;
      }
      refreshSoon();
    });

    root.addEventListener("input", (event) => {
      if (event.target.closest("[data-forms]")) refreshSoon();
    });

    refreshZones();
    renumber();
    if (root.hasAttribute("data-refresh-on-load")) refresh();
  }

  function init() {
    document.querySelectorAll("[data-seatmap-editor]").forEach(initEditor);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
