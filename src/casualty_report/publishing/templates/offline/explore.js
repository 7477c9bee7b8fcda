// The claims tables, sorted and filtered in the page: an enhancement. Without script the whole
// table reads as it is; with it, each table of claims gets, above it, a menu per place, kind of
// count and claimant, and a sort order, all native controls (keyboard and screen readers work as
// they do everywhere), and a line saying how many figures are shown. Nothing is fetched.
(function () {
  "use strict";
  var FILTERS = ["Place", "Counted", "Claimed by"];
  var ORDERS = [
    ["", "as published"],
    ["Reported:desc", "newest first"],
    ["Reported:asc", "oldest first"],
    ["Figure:desc", "largest figure first"],
    ["Figure:asc", "smallest figure first"]
  ];
  function text(cell) { return cell ? (cell.textContent || "").trim() : ""; }
  function key(value, column) {
    if (column === "Reported") { var day = Date.parse(value); return isNaN(day) ? 0 : day; }
    var digits = value.replace(/,/g, "").match(/\d+/);
    return digits ? parseInt(digits[0], 10) : -1;
  }
  function control(id, label, options, onChange) {
    var wrap = document.createElement("span");
    wrap.className = "table-control";
    var name = document.createElement("label");
    name.htmlFor = id;
    name.textContent = label;
    var select = document.createElement("select");
    select.id = id;
    options.forEach(function (option) {
      var item = document.createElement("option");
      item.value = option[0];
      item.textContent = option[1];
      select.appendChild(item);
    });
    select.addEventListener("change", onChange);
    wrap.appendChild(name);
    wrap.appendChild(select);
    return [wrap, select];
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.report-table"), function (table, n) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), text);
    var body = table.tBodies[0];
    if (!body || heads.indexOf("Counted") < 0 || heads.indexOf("Place") < 0) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    var published = rows.slice();
    var tools = document.createElement("div");
    tools.className = "table-tools no-print";
    tools.setAttribute("role", "group");
    tools.setAttribute("aria-label", "Choose which figures this table shows, and their order");
    var status = document.createElement("p");
    status.className = "table-status";
    status.setAttribute("aria-live", "polite");
    var filters = [];
    var sizes = "";  // set when the figures are ordered by size: said under the menus
    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var keep = filters.every(function (filter) {
          return !filter[1].value || text(row.cells[filter[0]]) === filter[1].value;
        });
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      status.textContent = "Showing " + shown + " of " + rows.length + " figures" + sizes + ".";
    }
    FILTERS.forEach(function (column) {
      var at = heads.indexOf(column);
      if (at < 0) { return; }
      var values = [];
      rows.forEach(function (row) {
        var value = text(row.cells[at]);
        if (values.indexOf(value) < 0) { values.push(value); }
      });
      if (values.length < 2) { return; }
      values.sort();
      var options = [["", "all"]].concat(values.map(function (value) { return [value, value]; }));
      var made = control("table-" + n + "-filter-" + at, column + ":", options, apply);
      tools.appendChild(made[0]);
      filters.push([at, made[1]]);
    });
    // Figures are ordered within each kind of count (people killed, people detained, tenge
    // paid…), kinds in the order the table first gives them: a sum of money is never set above a
    // count of people, nor the dead among the detained.
    var counted = heads.indexOf("Counted");
    var kinds = {};
    published.forEach(function (row) {
      var kind = text(row.cells[counted]);
      if (!(kind in kinds)) { kinds[kind] = Object.keys(kinds).length; }
    });
    var order = control("table-" + n + "-order", "Order:", ORDERS, function (event) {
      var chosen = event.target.value.split(":");
      var at = heads.indexOf(chosen[0]);
      sizes = chosen[0] !== "Figure" ? "" :
        (chosen[1] === "asc" ? ", smallest" : ", largest") + " first within each kind of count";
      rows = at < 0 ? published.slice() : published.slice().sort(function (a, b) {
        if (chosen[0] === "Figure") {
          var apart = kinds[text(a.cells[counted])] - kinds[text(b.cells[counted])];
          if (apart) { return apart; }
        }
        var x = key(text(a.cells[at]), chosen[0]), y = key(text(b.cells[at]), chosen[0]);
        return chosen[1] === "asc" ? x - y : y - x;
      });
      rows.forEach(function (row) { body.appendChild(row); });
      apply();
    });
    tools.appendChild(order[0]);
    tools.appendChild(status);
    var box = table.closest(".table-box") || table;
    box.parentNode.insertBefore(tools, box);
    apply();
  });
})();
