// Progressive enhancement only: every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // The print button appears only where printing from a script works.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  // After a login link, move on (a same-site navigation carries the cookie).
  var next = document.querySelector("[data-autofollow]");
  if (next) { window.location.replace(next.getAttribute("href")); }
});
