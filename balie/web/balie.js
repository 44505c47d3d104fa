// The page's own behaviour (balie serve): the Start and "Opnieuw aanmelden" buttons
// load the page again for a new session. A file of its own, not inline, so that the
// Content-Security-Policy can forbid every inline script.
"use strict";

function startUrl() {
  const url = new URL(window.location.href);
  const params = new URLSearchParams(url.search);
  params.delete("delay");
  return url.pathname + "?" + params.toString();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const id of ["start", "restart"]) {
    const button = document.getElementById(id);
    if (button) {
      button.addEventListener("click", () => {
        window.location.href = startUrl();
      });
    }
  }
});
