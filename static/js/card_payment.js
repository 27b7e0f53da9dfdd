/* Gotong card payment (templates/payments/card.html).
   1. Stripe.js tokenises the card in its own frame (the number never touches Gotong).
   2. The token goes to our server, which confirms the PaymentIntent and answers
      {state: "succeeded" | "processing" | "requires_action" | "failed", client_secret?, message?, reload?}.
   3. 3-D Secure, if the bank asks for it, is finished in the page with Stripe.js.
   4. The order becomes paid only when Stripe's signed webhook reaches the server, so the page polls the
      status URL until it says {paid: true} and then opens the order.
   Plain ES2017, no dependencies. */
(function () {
  "use strict";

  var POLL_INTERVAL_MS = 1000;
  var POLL_LIMIT = 30; // about 30 s; after that the buyer is told the status will update by itself

  function setup(box) {
    var form = box.querySelector("#card-form");
    var button = box.querySelector("#card-pay");
    var messageArea = box.querySelector("#card-message");
    var mount = box.querySelector("#card-element");
    var data = box.dataset;
    var payLabel = button.textContent;
    var busy = false;
    var reloadOnSubmit = false;

    function msg(name) {
      return data["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || "";
    }

    function say(text, isError) {
      messageArea.textContent = text || "";
      messageArea.classList.toggle("error", Boolean(isError));
    }

    function setBusy(value) {
      busy = value;
      button.disabled = value;
      button.setAttribute("aria-busy", value ? "true" : "false");
    }

    function fail(text, reload) {
      say(text || msg("error"), true);
      if (reload) {
        // The server made this attempt final; a fresh one comes with the page.
        reloadOnSubmit = true;
        button.textContent = msg("retry");
      }
      setBusy(false);
    }

    function sleep(ms) {
      return new Promise(function (resolve) { setTimeout(resolve, ms); });
    }

    async function readJson(response) {
      try {
        return await response.json();
      } catch (e) {
        return {};
      }
    }

    async function waitUntilPaid() {
      setBusy(true);
      say(msg("waiting"), false);
      for (var i = 0; i < POLL_LIMIT; i++) {
        await sleep(POLL_INTERVAL_MS);
        try {
          var response = await fetch(data.statusUrl, {
            credentials: "same-origin",
            cache: "no-store",
            headers: { Accept: "application/json" },
          });
          if (!response.ok) continue;
          var status = await readJson(response);
          if (status.paid) {
            say(msg("paid"), false);
            window.location.assign(data.doneUrl);
            return;
          }
          if (status.reload) {
            window.location.reload();
            return;
          }
        } catch (e) {
          // A dropped connection on a phone: keep polling, the webhook does not depend on this page.
        }
      }
      say(msg("timeout"), false);
    }

    if (typeof window.Stripe !== "function") {
      say(msg("unavailable"), true);
      return;
    }
    if (data.paymentStatus === "processing") {
      // Confirmed earlier (e.g. the page was reloaded): only the bank's answer is awaited.
      waitUntilPaid();
      return;
    }

    var stripe = window.Stripe(data.publishableKey, { locale: data.locale || "auto" });
    var card = stripe.elements().create("card", { hidePostalCode: true });
    card.mount(mount);
    card.on("change", function (event) {
      if (busy) return;
      if (event && event.error) say(event.error.message, true);
      else if (messageArea.classList.contains("error")) say("", false);
    });
    button.disabled = false;

    async function authenticate(clientSecret) {
      say(msg("authenticating"), false);
      var result = await stripe.confirmCardPayment(clientSecret);
      if (result.error) return false;
      var status = result.paymentIntent && result.paymentIntent.status;
      return status === "succeeded" || status === "processing" || status === "requires_capture";
    }

    async function pay() {
      setBusy(true);
      say(msg("paying"), false);
      var tokenResult;
      try {
        tokenResult = await stripe.createToken(card);
      } catch (e) {
        fail(msg("network"));
        return;
      }
      if (!tokenResult || tokenResult.error || !tokenResult.token) {
        fail(tokenResult && tokenResult.error && tokenResult.error.message);
        return;
      }
      var response;
      try {
        response = await fetch(data.confirmUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": data.csrfToken,
          },
          body: JSON.stringify({ token: tokenResult.token.id }),
        });
      } catch (e) {
        fail(msg("network"));
        return;
      }
      var answer = await readJson(response);
      if (answer.reload && response.ok && answer.state !== "failed") {
        window.location.reload();
        return;
      }
      if (!response.ok || answer.state === "failed") {
        var text = answer.message || answer.error;
        fail(text || (answer.state === "failed" ? msg("declined") : msg("error")), answer.reload);
        return;
      }
      if (answer.state === "requires_action") {
        var authenticated;
        try {
          authenticated = await authenticate(answer.client_secret);
        } catch (e) {
          fail(msg("network"));
          return;
        }
        if (!authenticated) {
          fail(msg("authFailed"), answer.reload);
          return;
        }
      } else if (["succeeded", "processing", "authorized"].indexOf(answer.state) < 0) {
        fail(answer.message || msg("error"), answer.reload);
        return;
      }
      await waitUntilPaid();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (reloadOnSubmit) {
        window.location.reload();
        return;
      }
      if (!busy) pay();
    });
    button.textContent = payLabel;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("card-payment");
    if (box) setup(box);
  });
})();
