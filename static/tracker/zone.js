// The reader's clock, remembered in this browser (no cookie: public pages stay cacheable).
//
// Every link on a page already keeps the zone chosen with ?tz=, so pages work
// without this file. It only adds memory across visits: the zone shown is kept
// in localStorage, and an address opened without ?tz= is reopened with the
// remembered one. It also offers the browser's own zone in the picker.
(function () {
  "use strict";
  var KEY = "tracker.tz";
  var form = document.querySelector("form.zone-form");
  if (!form) {
    return;
  }
  var select = form.querySelector("select[name=tz]");
  var params = new URLSearchParams(window.location.search);
  var asked = params.get("tz");
  var storage;
  try {
    storage = window.localStorage;
  } catch (error) {
    storage = null;
  }

  if (storage) {
    if (form.hasAttribute("data-zone-refused")) {
      storage.removeItem(KEY);
    } else if (asked) {
      storage.setItem(KEY, select.value);
    } else {
      var remembered = storage.getItem(KEY);
      var reopenable = form.getAttribute("data-method") === "GET";
      if (reopenable && remembered && remembered !== select.value) {
        params.set("tz", remembered);
        window.location.replace(
          window.location.pathname + "?" + params.toString() + window.location.hash
        );
        return;
      }
    }
  }

  var own;
  try {
    own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    own = null;
  }
  if (own && !Array.prototype.some.call(select.options, function (o) { return o.value === own; })) {
    select.add(new Option(own, own));
  }
})();
