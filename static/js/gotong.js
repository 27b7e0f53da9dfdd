/* Gotong: small progressive enhancements; every page works without this script. */
(function () {
  "use strict";
  // Regency select follows the province select (the server validates the pair either way).
  document.querySelectorAll(".region-fields").forEach(function (box) {
    var selects = box.querySelectorAll("select");
    if (selects.length < 2) return;
    var province = selects[0], regency = selects[1];
    var urlTemplate = box.getAttribute("data-regions-url");
    province.addEventListener("change", function () {
      var first = regency.options[0];
      regency.innerHTML = "";
      regency.appendChild(first);
      if (!province.value) return;
      fetch(urlTemplate.replace("__P__", encodeURIComponent(province.value)), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {regencies: []}; })
        .then(function (data) {
          data.regencies.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.code;
            option.textContent = item.name;
            regency.appendChild(option);
          });
        });
    });
  });
  // Checkout: the delivery address only matters when the order is delivered.
  var deliveryBlock = document.querySelector("[data-when-delivery]");
  if (deliveryBlock) {
    var radios = document.querySelectorAll("input[name=delivery_method]");
    var sync = function () {
      var chosen = document.querySelector("input[name=delivery_method]:checked");
      deliveryBlock.hidden = !!chosen && chosen.value !== "delivery";
    };
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
  }
  // Close the account menu when tapping elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
})();
