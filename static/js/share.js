/* Gotong share kit: progressive enhancement; without this script every button is a plain link. */
(function () {
  "use strict";
  // "Salin tautan": copy the page's link instead of opening it.
  document.querySelectorAll("[data-copy-link]").forEach(function (link) {
    if (!navigator.clipboard || !window.isSecureContext) return;
    var status = link.parentNode.querySelector(".share-status");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      navigator.clipboard.writeText(link.getAttribute("data-copy-link")).then(
        function () { if (status) status.textContent = link.getAttribute("data-copied"); },
        function () { if (status) status.textContent = link.getAttribute("data-copy-failed"); }
      );
    });
  });
  // "Pesan via WhatsApp": the message follows the quantity the buyer types.
  document.querySelectorAll("[data-order-template]").forEach(function (link) {
    var input = document.getElementById(link.getAttribute("data-quantity-from"));
    var template = link.getAttribute("data-order-template");
    if (!input || !template) return;
    var sync = function () {
      var min = parseInt(input.getAttribute("min"), 10) || 1;
      var quantity = parseInt(input.value, 10);
      if (!(quantity >= min)) quantity = min;
      link.href = template.replace("__JUMLAH__", encodeURIComponent(String(quantity)));
    };
    input.addEventListener("input", sync);
    sync();
  });
})();
