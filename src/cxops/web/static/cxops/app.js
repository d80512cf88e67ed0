/* CXOps agent UI behaviour: shortcuts, bulk selection, toasts, dropdowns, the reply box.
   Plain JavaScript next to htmx; no build step, no external assets. */
(function () {
  "use strict";

  var doc = document;

  function msg(key, fallback) {
    var node = doc.querySelector('#cx-messages [data-key="' + key + '"]');
    return node ? node.textContent : fallback;
  }

  function csrfToken() {
    var input = doc.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = doc.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function announce(text) {
    var live = doc.getElementById("live");
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  /* ---- toasts ------------------------------------------------------------------------------- */
  function dismissLater(toast) {
    var delay = toast.classList.contains("toast-error") ? 9000 : 4500;
    window.setTimeout(function () { toast.remove(); }, delay);
  }

  function toast(text, level) {
    var box = doc.getElementById("toasts");
    if (!box || !text) return;
    var node = doc.createElement("div");
    node.className = "toast toast-" + (level || "success");
    node.textContent = text;
    var close = doc.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", msg("close", "닫기"));
    close.textContent = "×";
    node.appendChild(close);
    box.appendChild(node);
    dismissLater(node);
  }
  window.cxToast = toast;

  doc.addEventListener("click", function (event) {
    var close = event.target.closest(".toast-close");
    if (close) close.parentElement.remove();
  });

  doc.body.addEventListener("cx-toast", function (event) {
    var detail = event.detail || {};
    toast(detail.message || detail.value, detail.level);
  });

  /* ---- htmx errors, announcements ------------------------------------------------------------- */
  doc.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = {
      403: msg("forbidden", "이 작업을 할 권한이 없습니다."),
      404: msg("notfound", "찾을 수 없습니다. 이미 삭제되었거나 다른 워크스페이스의 항목입니다."),
      405: msg("method", "허용되지 않는 요청입니다."),
      413: msg("toolarge", "보내는 내용이 너무 큽니다. 첨부 파일 크기를 줄여 주세요.")
    }[status] || msg("servererror", "서버 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.");
    toast(text, "error");
  });
  doc.body.addEventListener("htmx:sendError", function () {
    toast(msg("offline", "서버에 연결할 수 없습니다. 네트워크를 확인해 주세요."), "error");
  });
  doc.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var note = target && target.querySelector ? target.querySelector("[data-announce]") : null;
    if (note) announce(note.getAttribute("data-announce"));
    if (target && target.id === "inbox-results") initInbox();
  });

  /* ---- dropdowns (details) ------------------------------------------------------------------ */
  doc.addEventListener("click", function (event) {
    doc.querySelectorAll("details[data-dropdown][open]").forEach(function (details) {
      if (!details.contains(event.target)) details.removeAttribute("open");
    });
    var suggest = doc.getElementById("search-suggest");
    if (suggest && !event.target.closest(".global-search")) suggest.innerHTML = "";
  });

  doc.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-autosubmit]")) el.form.submit();
    var pop = el.closest(".filter-pop");
    if (pop && el.type === "checkbox") {
      var count = pop.querySelectorAll("input[type=checkbox]:checked").length;
      var summary = pop.querySelector("summary");
      var badge = summary.querySelector(".filter-count");
      summary.classList.toggle("is-set", count > 0);
      if (count && !badge) {
        badge = doc.createElement("span");
        badge.className = "filter-count";
        summary.insertBefore(badge, summary.querySelector("svg"));
      }
      if (badge) { if (count) badge.textContent = String(count); else badge.remove(); }
    }
  });

  /* ---- sidebar drawer (tablets) ------------------------------------------------------------- */
  function setSidebar(open) {
    var app = doc.getElementById("app");
    var toggle = doc.querySelector("[data-sidebar-toggle]");
    var backdrop = doc.querySelector("[data-sidebar-close]");
    if (!app) return;
    app.classList.toggle("sidebar-open", open);
    if (toggle) toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (backdrop) backdrop.hidden = !open;
    if (open) {
      var first = doc.querySelector("#sidebar a, #sidebar summary");
      if (first) first.focus();
    }
  }
  doc.addEventListener("click", function (event) {
    if (event.target.closest("[data-sidebar-toggle]")) {
      var app = doc.getElementById("app");
      setSidebar(!(app && app.classList.contains("sidebar-open")));
    } else if (event.target.closest("[data-sidebar-close]")) {
      setSidebar(false);
    }
  });

  /* ---- dialogs ------------------------------------------------------------------------------ */
  function openShortcuts() {
    var dialog = doc.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }
  doc.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-open]")) openShortcuts();
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) closer.closest("dialog").close();
  });

  /* ---- confirmations for plain forms -------------------------------------------------------- */
  doc.addEventListener("submit", function (event) {
    var form = event.target;
    var text = form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) event.preventDefault();
  }, true);

  /* ---- inbox: rows, selection, bulk bar ----------------------------------------------------- */
  var focusIndex = -1;

  function rows() {
    return Array.prototype.slice.call(doc.querySelectorAll(".inbox-table tbody tr[data-href]"));
  }

  function focusRow(index) {
    var list = rows();
    if (!list.length) return;
    focusIndex = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (row, i) { row.classList.toggle("is-focused", i === focusIndex); });
    var row = list[focusIndex];
    row.scrollIntoView({ block: "nearest" });
    var link = row.querySelector(".subject-link");
    if (link) link.focus({ preventScroll: true });
  }

  function updateBulkBar() {
    var checked = doc.querySelectorAll(".inbox-table tbody input[name=ticket_ids]:checked");
    var bar = doc.getElementById("bulkbar");
    if (!bar) return;
    bar.hidden = checked.length === 0;
    var count = doc.getElementById("bulk-count");
    if (count) count.textContent = String(checked.length);
    rows().forEach(function (row) {
      var box = row.querySelector("input[name=ticket_ids]");
      row.classList.toggle("is-selected", !!(box && box.checked));
    });
    var all = doc.getElementById("select-all");
    var boxes = doc.querySelectorAll(".inbox-table tbody input[name=ticket_ids]");
    if (all) {
      all.checked = boxes.length > 0 && checked.length === boxes.length;
      all.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
  }

  function initInbox() {
    focusIndex = -1;
    updateBulkBar();
  }

  doc.addEventListener("change", function (event) {
    var el = event.target;
    if (el.id === "select-all") {
      doc.querySelectorAll(".inbox-table tbody input[name=ticket_ids]").forEach(function (box) { box.checked = el.checked; });
      updateBulkBar();
    } else if (el.name === "ticket_ids") {
      updateBulkBar();
    }
  });

  doc.addEventListener("click", function (event) {
    var row = event.target.closest(".inbox-table tbody tr[data-href]");
    if (!row || event.target.closest("a, input, button, label, select")) return;
    if (event.metaKey || event.ctrlKey) { window.open(row.getAttribute("data-href"), "_blank"); return; }
    window.location.href = row.getAttribute("data-href");
  });

  /* ---- reply box ---------------------------------------------------------------------------- */
  function composer() { return doc.getElementById("composer-form"); }

  function setMode(mode) {
    var form = composer();
    if (!form) return;
    var radio = form.querySelector('input[name=mode][value="' + mode + '"]');
    if (radio) radio.checked = true;
    var area = form.querySelector("textarea[name=body]");
    if (area) { area.focus(); area.setAttribute("placeholder", area.getAttribute("data-placeholder-" + mode) || ""); }
  }

  doc.addEventListener("change", function (event) {
    var el = event.target;
    if (el.name === "mode" && el.closest("#composer-form")) setMode(el.value);
    if (el.matches("select[data-macro-apply]")) applyMacro(el);
    if (el.matches("input[type=file][data-max-bytes]")) checkFiles(el);
  });

  function insertAtCursor(area, text) {
    var start = area.selectionStart || 0;
    var end = area.selectionEnd || 0;
    var before = area.value.slice(0, start);
    var after = area.value.slice(end);
    var glue = before && !/\n$/.test(before) ? "\n" : "";
    area.value = before + glue + text + after;
    var pos = (before + glue + text).length;
    area.setSelectionRange(pos, pos);
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function applyMacro(select) {
    var url = select.value;
    if (!url) return;
    var form = composer();
    fetch(url, { method: "POST", headers: { "X-CSRFToken": csrfToken(), "HX-Request": "false" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        var area = form.querySelector("textarea[name=body]");
        insertAtCursor(area, data.body);
        if (data.set_status) {
          var status = form.querySelector("select[name=set_status]");
          if (status && status.querySelector('option[value="' + data.set_status + '"]')) status.value = data.set_status;
        }
        toast(msg("macro", "매크로를 넣었습니다:") + " " + data.title, "success");
      })
      .catch(function () { toast(msg("macrofail", "매크로를 불러오지 못했습니다."), "error"); })
      .finally(function () { select.value = ""; });
  }

  function checkFiles(input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var maxCount = parseInt(input.getAttribute("data-max-count"), 10);
    var list = doc.getElementById(input.getAttribute("aria-describedby") || "");
    var names = [];
    var problem = "";
    Array.prototype.forEach.call(input.files, function (file) {
      names.push(file.name + " (" + Math.ceil(file.size / 1024) + " KB)");
      if (file.size > max) problem = msg("filetoobig", "파일이 너무 큽니다:") + " " + file.name;
    });
    if (input.files.length > maxCount) problem = msg("toomanyfiles", "첨부 파일이 너무 많습니다.");
    if (list) list.textContent = names.join(", ");
    if (problem) { toast(problem, "error"); input.value = ""; if (list) list.textContent = ""; }
  }

  doc.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("#composer-form");
    if (form && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  /* ---- insert helpers (macro variables, call lookup) ---------------------------------------- */
  doc.addEventListener("click", function (event) {
    var insert = event.target.closest("[data-insert]");
    if (insert) {
      var area = doc.getElementById(insert.getAttribute("data-target"));
      if (area) insertAtCursor(area, insert.getAttribute("data-insert"));
    }
    var fill = event.target.closest("[data-fill]");
    if (fill) {
      var field = doc.getElementById(fill.getAttribute("data-fill"));
      if (field) { field.value = fill.getAttribute("data-value"); field.focus(); }
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = doc.getElementById(copy.getAttribute("data-copy"));
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () { toast(msg("copied", "복사했습니다."), "success"); });
      } else if (source) {
        var range = doc.createRange();
        range.selectNodeContents(source);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
      }
    }
  });

  /* ---- search suggestions: arrow keys move through the list ---------------------------------- */
  doc.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var box = doc.getElementById("search-suggest");
    if (!box || !event.target.closest || !event.target.closest(".global-search")) return;
    var items = Array.prototype.slice.call(box.querySelectorAll("a"));
    if (!items.length) return;
    event.preventDefault();
    var index = items.indexOf(doc.activeElement);
    if (event.key === "ArrowDown") index = index < 0 ? 0 : Math.min(index + 1, items.length - 1);
    else if (index <= 0) { doc.getElementById("global-search").focus(); return; }
    else index -= 1;
    items[index].focus();
  });

  /* ---- keyboard shortcuts ------------------------------------------------------------------- */
  doc.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (isTyping(event.target)) { event.target.blur(); }
      doc.querySelectorAll("details[data-dropdown][open]").forEach(function (d) { d.removeAttribute("open"); });
      var suggest = doc.getElementById("search-suggest");
      if (suggest) suggest.innerHTML = "";
      setSidebar(false);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    var dialog = doc.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    var key = event.key;
    if (key === "?") { event.preventDefault(); openShortcuts(); return; }
    if (key === "/") {
      var search = doc.getElementById("global-search");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    var page = doc.body.getAttribute("data-page");
    if (page === "inbox") {
      var list = rows();
      if (key === "j") { event.preventDefault(); focusRow(focusIndex + 1); }
      else if (key === "k") { event.preventDefault(); focusRow(focusIndex <= 0 ? 0 : focusIndex - 1); }
      else if ((key === "o" || key === "Enter") && focusIndex >= 0 && list[focusIndex]) {
        event.preventDefault();
        window.location.href = list[focusIndex].getAttribute("data-href");
      } else if (key === "x" && focusIndex >= 0 && list[focusIndex]) {
        event.preventDefault();
        var box = list[focusIndex].querySelector("input[name=ticket_ids]");
        if (box) { box.checked = !box.checked; updateBulkBar(); }
      }
    } else if (page === "ticket") {
      if (key === "r") { event.preventDefault(); setMode("reply"); }
      else if (key === "n") { event.preventDefault(); setMode("note"); }
    }
  });

  /* Focus tracking for rows focused by Tab rather than j/k. */
  doc.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest(".inbox-table tbody tr[data-href]");
    if (!row) return;
    var list = rows();
    focusIndex = list.indexOf(row);
    list.forEach(function (r, i) { r.classList.toggle("is-focused", i === focusIndex); });
  });

  /* ---- ticket page: open at the newest message; follow the conversation after sending ------ */
  var followTimeline = false;
  function scrollToNewest() {
    var timeline = doc.getElementById("timeline");
    var last = timeline ? timeline.lastElementChild : null;
    if (last) last.scrollIntoView({ block: "end" });
  }
  doc.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "composer-form") followTimeline = true;
  });
  doc.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "timeline" && followTimeline) {
      followTimeline = false;
      scrollToNewest();
    }
  });
  if (doc.body.getAttribute("data-page") === "ticket" && !window.location.hash) scrollToNewest();

  doc.querySelectorAll("#toasts .toast").forEach(dismissLater);
  if (doc.body.getAttribute("data-page") === "inbox") initInbox();
})();
