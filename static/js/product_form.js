/* Gotong product form: progressive enhancements only; the form works fully without this script.
   - Changing the category swaps in that category's attribute fields at once (no round trip), keeping what was
     typed in fields both categories share; switching back restores the earlier fields as they were.
   - The main button says "submit for review" or "publish now" according to the chosen cooperative.
   - Photos are shrunk on the phone (longest side 1600 px, JPEG) before upload: faster on slow connections,
     and the server re-encodes them anyway. */
(function () {
  "use strict";

  function copyValues(from, to) {
    to.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (target) {
      var source = from.querySelector('[name="' + target.name + '"]');
      if (!source) return;
      if (target.type === "checkbox") {
        target.checked = source.checked;
      } else if (target.tagName !== "SELECT" || target.querySelector('option[value="' + source.value + '"]')) {
        target.value = source.value;
      }
    });
  }

  function setupCategory(form) {
    var category = form.querySelector("select[name=category]");
    var box = document.getElementById("attribute-fields");
    var refresh = form.querySelector(".refresh-category");
    if (!category || !box) return;
    var cache = {};
    if (refresh) refresh.hidden = true;
    category.addEventListener("change", function () {
      var current = box.querySelector(".attribute-fields");
      if (current) cache[current.getAttribute("data-category")] = current;
      var next = cache[category.value];
      if (!next) {
        var template = form.querySelector('template.attribute-template[data-category="' + category.value + '"]');
        var fresh = template && template.content.querySelector(".attribute-fields");
        if (!fresh) {
          if (refresh) refresh.click(); // let the server render them
          return;
        }
        next = fresh.cloneNode(true);
        if (current) copyValues(current, next);
      }
      while (box.firstChild) box.removeChild(box.firstChild);
      box.appendChild(next);
    });
  }

  function setupCooperative(form) {
    var cooperative = form.querySelector("select[name=cooperative_id]");
    var button = form.querySelector(".submit-listing");
    var hint = form.querySelector(".approval-hint");
    if (!cooperative || !button) return;
    cooperative.addEventListener("change", function () {
      var option = cooperative.options[cooperative.selectedIndex];
      var approval = option && option.getAttribute("data-approval") === "1";
      var suffix = approval ? "approval" : "direct";
      button.textContent = button.getAttribute("data-label-" + suffix);
      if (hint && hint.getAttribute("data-text-" + suffix)) hint.textContent = hint.getAttribute("data-text-" + suffix);
    });
  }

  function shrink(file, maxSide) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || file.size < 300 * 1024) return Promise.resolve(file);
    return createImageBitmap(file, {imageOrientation: "from-image"}).then(function (bitmap) {
      var scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // JPEG has no transparency: a white background rather than black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) return resolve(file);
          resolve(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", {type: "image/jpeg"}));
        }, "image/jpeg", 0.88);
      });
    }).catch(function () { return file; });
  }

  function setupPhotoUpload(upload) {
    var input = upload.querySelector("input[type=file]");
    var maxSide = parseInt(upload.getAttribute("data-max-side"), 10) || 1600;
    if (!input || !window.DataTransfer || !window.createImageBitmap || !window.Promise) return;
    var sending = false;
    upload.addEventListener("submit", function (event) {
      var files = Array.prototype.slice.call(input.files || []);
      if (sending || !files.length) return;
      event.preventDefault();
      sending = true;
      var button = upload.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      Promise.all(files.map(function (file) { return shrink(file, maxSide); }))
        .then(function (shrunk) {
          var transfer = new DataTransfer();
          shrunk.forEach(function (file) { transfer.items.add(file); });
          input.files = transfer.files;
        })
        .catch(function () { /* send the originals */ })
        .then(function () { upload.submit(); });
    });
  }

  var form = document.getElementById("product-form");
  if (form) {
    setupCategory(form);
    setupCooperative(form);
  }
  document.querySelectorAll("form.photo-upload").forEach(setupPhotoUpload);
})();
