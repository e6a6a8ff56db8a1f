// The alerts filter: shows the rows whose text holds every word typed.
// Each row's text comes from the page's JSON data block, read with
// textContent and only ever compared, never put into the page as markup.
// Without script the input stays hidden and every row is shown.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input.filter");
  Array.prototype.forEach.call(inputs, function (input) {
    var id = input.getAttribute("data-target");
    var table = document.getElementById(id);
    var data = document.getElementById(id + "-text");
    var count = document.getElementById(id + "-count");
    if (!table || !data || !table.tBodies.length) {
      return;
    }
    var text = JSON.parse(data.textContent) || [];
    var rows = table.tBodies[0].rows;
    input.hidden = false;
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var row = text[i] || "";
        var match = words.every(function (w) { return row.indexOf(w) >= 0; });
        rows[i].hidden = !match;
        if (match) {
          shown++;
        }
      }
      if (count) {
        count.textContent = words.length ? shown + " of " + rows.length + " alerts shown" : "";
      }
    });
  });
})();
