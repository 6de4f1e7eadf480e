/*
 * The session warning and drafts.
 *
 * The server logs a user out after a spell without activity and after a fixed number of
 * hours (cmm/core/sessions.py). This script warns before that happens, lets the user stay
 * logged in, and keeps any half-written form as a draft on the server just before the end,
 * so that it is filled in again when the user logs back in and returns to the page.
 *
 * Several tabs share one session: before warning (and every few seconds while warning) the
 * script asks the server how long is left, which does not count as activity, so work in one
 * tab postpones the warning in the others.
 */
(function () {
  "use strict";

  var dialog = document.getElementById("cmm-session-warning");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var cfg = dialog.dataset;
  var warning = Number(cfg.warning) || 120;
  var draftLead = Number(cfg.draftLead) || 20;
  var countdown = dialog.querySelector("[data-countdown]");
  var stayButton = dialog.querySelector("[data-keep-alive]");
  var closeButton = dialog.querySelector("[data-close]");
  var idleText = dialog.querySelector("[data-idle-text]");
  var finalText = dialog.querySelector("[data-final-text]");
  // Never kept in a draft, whatever the form: the CSRF token and anything that is a secret.
  var SECRET = /csrf|passw|otp|token|secret/i;
  var SKIPPED_TYPES = ["password", "hidden", "file", "submit", "button", "reset", "image"];

  // When the server ends the session, by this tab's clock.
  var deadline = Date.now() + (Number(cfg.secondsLeft) || 0) * 1000;
  var final = false; // the absolute limit ends the session: it cannot be extended
  var acknowledged = false; // the user closed the warning that cannot be acted on
  var lastCheck = 0;
  var busy = false;
  var leaving = false;
  var draftSaved = false; // the page has done its saving for this ending
  var draftStored = false; // and a draft of it is on the server

  function secondsLeft() {
    return Math.ceil((deadline - Date.now()) / 1000);
  }

  function call(url, method, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    };
    if (method === "POST") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = cfg.csrf;
      options.body = JSON.stringify(body || {});
    }
    return fetch(url, options).then(function (response) {
      return response.json().then(
        function (data) {
          return { status: response.status, data: data };
        },
        function () {
          return { status: response.status, data: null };
        }
      );
    });
  }

  function leave() {
    // Load the page again: the server has ended the session, so this leads to the login
    // page, which brings the user back here (?next=) where the draft is restored.
    leaving = true;
    window.location.assign(window.location.pathname + window.location.search);
  }

  // Takes the server's answer; true when it told us the time left.
  function applyStatus(result) {
    if (result.status === 401 || (result.data && result.data.logged_in === false)) {
      leave();
      return false;
    }
    if (!result.data || typeof result.data.seconds_left !== "number") {
      return false;
    }
    deadline = Date.now() + result.data.seconds_left * 1000;
    final = Boolean(result.data.final);
    return true;
  }

  function check() {
    lastCheck = Date.now();
    return call(cfg.statusUrl, "GET").then(applyStatus, function () {
      return false; // offline for a moment: go by this tab's clock
    });
  }

  function format(seconds) {
    var s = Math.max(0, seconds);
    var rest = s % 60;
    return Math.floor(s / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function openDialog() {
    stayButton.hidden = final;
    closeButton.hidden = !final;
    idleText.hidden = final;
    finalText.hidden = !final;
    countdown.textContent = format(secondsLeft());
    dialog.showModal();
  }

  function closeDialog() {
    if (dialog.open) {
      dialog.close();
    }
  }

  // The session goes on after all (this tab's "stay", or activity in another tab): a draft
  // saved meanwhile must not come back later over work that has been saved since.
  function sessionContinues() {
    closeDialog();
    acknowledged = false;
    draftSaved = false;
    if (draftStored) {
      draftStored = false;
      call(cfg.draftDiscardUrl, "POST", { path: window.location.pathname }).catch(function () {});
    }
  }

  function stay() {
    call(cfg.keepAliveUrl, "POST", {}).then(
      function (result) {
        if (applyStatus(result) && secondsLeft() > warning) {
          sessionContinues();
        }
      },
      function () {}
    );
  }

  // --- Drafts --------------------------------------------------------------------------

  // The forms of the page's main content, each with a key that finds it again on reload.
  function pageForms() {
    var main = document.getElementById("main");
    var seen = {};
    var forms = [];
    if (!main) {
      return forms;
    }
    Array.prototype.forEach.call(main.querySelectorAll("form"), function (form) {
      var action = form.getAttribute("action") || "";
      seen[action] = (seen[action] || 0) + 1;
      if (form.method === "post" && !form.hasAttribute("data-no-draft")) {
        forms.push({ key: action + "#" + seen[action], form: form });
      }
    });
    return forms;
  }

  function keepable(el) {
    if (!el.name || el.disabled || SECRET.test(el.name)) {
      return false;
    }
    if (SKIPPED_TYPES.indexOf((el.type || "").toLowerCase()) !== -1) {
      return false;
    }
    return (el.getAttribute("autocomplete") || "").indexOf("one-time-code") === -1;
  }

  function changed(el) {
    if (el.type === "checkbox" || el.type === "radio") {
      return el.checked !== el.defaultChecked;
    }
    if (el.tagName === "SELECT") {
      var options = Array.prototype.slice.call(el.options);
      var defaults = options.filter(function (o) {
        return o.defaultSelected;
      });
      if (!defaults.length && !el.multiple) {
        return el.selectedIndex > 0; // nothing marked: the first option is the default
      }
      return options.some(function (o) {
        return o.selected !== o.defaultSelected;
      });
    }
    return el.value !== el.defaultValue;
  }

  function valuesOf(form, name) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name || !keepable(el)) {
        return;
      }
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) {
          values.push(el.value);
        }
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) {
          values.push(o.value);
        });
      } else {
        values.push(el.value);
      }
    });
    return values;
  }

  // Only the fields the user changed, so a restore does not overwrite what the page shows
  // of the record itself.
  function unsavedForms() {
    var result = {};
    var any = false;
    pageForms().forEach(function (entry) {
      var names = [];
      Array.prototype.forEach.call(entry.form.elements, function (el) {
        if (keepable(el) && changed(el) && names.indexOf(el.name) === -1) {
          names.push(el.name);
        }
      });
      if (names.length) {
        var fields = {};
        names.forEach(function (name) {
          fields[name] = valuesOf(entry.form, name);
        });
        result[entry.key] = fields;
        any = true;
      }
    });
    return any ? result : null;
  }

  function saveDrafts() {
    draftSaved = true;
    if (!cfg.draftPage) {
      return Promise.resolve();
    }
    var forms = unsavedForms();
    if (!forms) {
      return Promise.resolve();
    }
    return call(cfg.draftSaveUrl, "POST", { path: window.location.pathname, forms: forms }).then(
      function (result) {
        draftStored = result.status === 201;
      },
      function () {}
    );
  }

  function fill(form, name, values) {
    var filled = false;
    var index = 0;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name || !keepable(el)) {
        return;
      }
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = values.indexOf(o.value) !== -1;
        });
      } else if (index < values.length) {
        el.value = values[index];
        index += 1;
      } else {
        return;
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
      filled = true;
    });
    return filled;
  }

  function restoreDraft() {
    var notice = document.getElementById("cmm-draft-restored");
    call(cfg.draftRestoreUrl, "POST", { path: window.location.pathname }).then(function (result) {
      if (!result.data || !result.data.forms || !notice) {
        return;
      }
      var restored = [];
      pageForms().forEach(function (entry) {
        var fields = result.data.forms[entry.key];
        if (!fields) {
          return;
        }
        var any = false;
        Object.keys(fields).forEach(function (name) {
          if (Array.isArray(fields[name]) && fill(entry.form, name, fields[name])) {
            any = true;
          }
        });
        if (any) {
          restored.push(entry.form);
          var details = entry.form.closest("details");
          if (details) {
            details.open = true;
          }
        }
      });
      if (!restored.length) {
        return;
      }
      notice.querySelector("[data-draft-message]").textContent = result.data.message;
      notice.hidden = false;
      notice.querySelector("[data-draft-discard]").addEventListener("click", function (event) {
        // The draft is already gone from the server; discarding puts back what the page
        // showed before it was filled in.
        restored.forEach(function (form) {
          form.reset();
        });
        event.currentTarget.hidden = true;
        notice.querySelector("[data-draft-message]").hidden = true;
        notice.querySelector("[data-draft-discarded]").hidden = false;
        notice.setAttribute("tabindex", "-1");
        notice.focus();
      });
    }, function () {});
  }

  // --- The clock -----------------------------------------------------------------------

  function tick() {
    if (busy || leaving) {
      return;
    }
    var left = secondsLeft();
    if (left > warning) {
      if (dialog.open || draftSaved || draftStored) {
        sessionContinues();
      }
      return;
    }
    // Near the end by this tab's clock: ask the server first (another tab may have been
    // busy), then every few seconds, and every second once the time is up.
    var interval = left <= 0 ? 1000 : 5000;
    var step = Date.now() - lastCheck >= interval ? check() : Promise.resolve(true);
    busy = true;
    step
      .then(function () {
        if (leaving) {
          return null;
        }
        left = secondsLeft();
        if (left > warning) {
          sessionContinues();
          return null;
        }
        if (!dialog.open && !acknowledged) {
          openDialog();
        }
        countdown.textContent = format(left);
        // A hidden tab's timers may run only once a minute: save early rather than late.
        if (!draftSaved && (left <= draftLead || document.hidden)) {
          return saveDrafts();
        }
        return null;
      })
      .then(
        function () {
          busy = false;
        },
        function () {
          busy = false;
        }
      );
  }

  stayButton.addEventListener("click", stay);
  closeButton.addEventListener("click", function () {
    acknowledged = true;
    closeDialog();
  });
  // Escape answers the warning: the user is plainly there, so it counts as staying
  // (the warning that cannot be acted on is just closed).
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    if (final) {
      acknowledged = true;
      closeDialog();
    } else {
      stay();
    }
  });

  if (cfg.draftWaiting) {
    restoreDraft();
  }
  window.setInterval(tick, 1000);
})();
