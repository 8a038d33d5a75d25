/* The explorer (explore.html): pick an indicator and places; see a chart, a map or a table.
 *
 * The data are scripts of explore/data/ that call MinshengExplore.register(name, data): the
 * index (catalog, places, county and towns) at load, a town's villages when a view needs them
 * (a page opened from disk may run its folder's scripts, but may not fetch its JSON).
 * The view lives in the URL (?indicator=&place=&year=&tab=): pushed on every choice, read back
 * on Back. Every name reaches the page as text (textContent, or Vega's own escaping), never as
 * markup. Charts are Vega-Lite specs written in Python (analysis/reporting/explorer.py) with
 * the data filled in here; Vega evaluates their expressions with its interpreter, since the
 * pages' CSP forbids eval.
 */
(function () {
  "use strict";

  var MAX_PLACES = 8;
  var TABS = ["chart", "map", "table"];
  var DATA_DIR = "explore/data/";
  var registered = {};
  var waiting = {};
  var index = null;
  var indicators = {};
  var places = {};
  var childrenOf = {};
  var state = null;
  var embedded = null;
  var shown = { header: [], rows: [], plain: [] };
  var sort = { column: -1, ascending: true };
  var drawCount = 0;

  // --- numbers, as analysis.core.numbers.number(context="column") writes a rounded figure

  function plainNumber(value, decimals) {
    if (value === null || value === undefined || !isFinite(value)) { return ""; }
    var text = Number(value).toFixed(decimals);
    return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
  }

  function formatNumber(value, decimals) {
    var text = plainNumber(value, decimals);
    if (text === "") { return "—"; }
    var sign = text.charAt(0) === "-" ? "-" : "";
    var parts = text.slice(sign.length).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + whole + (parts.length > 1 ? "." + parts[1] : "");
  }

  // A figure that is, or counts, a village value pending review (待核实) reads as the report
  // pages write it: 76.8 %（待核实）.
  function marked(text, pending) {
    return pending ? word("review.marked", { figure: text }) : text;
  }

  function figure(value, ind, pending) {
    return marked(formatNumber(value, ind.decimals) + " " + ind.unit, pending);
  }

  // A download's figures are plain numbers: its last column says which are pending review,
  // as a count of the village values pending review a figure is or counts (blank for none).
  function pendingCount(pending) {
    return pending ? String(pending) : "";
  }

  // --- data files

  function register(name, payload) {
    registered[name] = payload;
    (waiting[name] || []).forEach(function (done) { done(); });
    delete waiting[name];
    if (name === "index") { start(payload); }
  }

  function load(name, file) {
    return new Promise(function (resolve, reject) {
      if (registered[name]) { resolve(registered[name]); return; }
      var first = !waiting[name];
      waiting[name] = (waiting[name] || []).concat([function () { resolve(registered[name]); }]);
      if (!first) { return; }
      var script = document.createElement("script");
      script.src = DATA_DIR + file;
      script.onerror = function () { reject(new Error(file)); };
      document.body.appendChild(script);
    });
  }

  function townData(town) {
    var file = index.townFiles[town];
    return file ? load("town:" + town, file) : Promise.resolve(null);
  }

  // --- words and places

  function word(key, fields) {
    var text = index.words[key] || key;
    Object.keys(fields || {}).forEach(function (k) { text = text.split("{" + k + "}").join(fields[k]); });
    return text;
  }

  function townOf(code) {
    var place = places[code];
    if (!place) { return null; }
    if (place.level === "village") { return place.parent; }
    return place.level === "town" ? code : null;
  }

  function dataOf(code) {
    var place = places[code];
    if (place && place.level === "village") { return registered["town:" + place.parent] || null; }
    return index;
  }

  function seriesOf(indicator, code) {
    var data = dataOf(code);
    var values = data && data.values[indicator];
    return (values && values[code]) || null;
  }

  function pendingOf(indicator, code) {
    var data = dataOf(code);
    var pending = data && data.pending && data.pending[indicator];
    return (pending && pending[code]) || [];
  }

  function pathOf(indicator, code) {
    var data = dataOf(code);
    var paths = data && data.paths[indicator];
    return (paths && paths[code]) || null;
  }

  function levelWord(code) { return word("places." + places[code].level); }

  // --- the view in the URL

  function readState() {
    var query = new URLSearchParams(window.location.search);
    var indicator = indicators[query.get("indicator")] ? query.get("indicator") : index.defaultIndicator;
    var chosen = [];
    (query.get("place") || "").split(",").forEach(function (code) {
      if (places[code] && chosen.indexOf(code) < 0 && chosen.length < MAX_PLACES) { chosen.push(code); }
    });
    if (!chosen.length) { chosen = [index.top]; }
    var year = parseInt(query.get("year"), 10);
    if (index.years.indexOf(year) < 0) { year = index.year; }
    var tab = TABS.indexOf(query.get("tab")) >= 0 ? query.get("tab") : "chart";
    return { indicator: indicator, places: chosen, year: year, tab: tab };
  }

  function urlOf(view) {
    return "?indicator=" + encodeURIComponent(view.indicator) +
      "&place=" + view.places.map(encodeURIComponent).join(",") +
      "&year=" + view.year + "&tab=" + view.tab;
  }

  function change(patch) {
    var next = Object.assign({}, state, patch);
    if (urlOf(next) === urlOf(state)) { return; }
    state = next;
    window.history.pushState(null, "", urlOf(state));
    render();
  }

  // --- controls

  function el(id) { return document.getElementById(id); }

  function fillIndicators(filter) {
    var select = el("ex-indicator");
    var needle = (filter || "").trim().toLowerCase();
    select.textContent = "";
    var groups = {};
    index.indicators.forEach(function (ind) {
      var text = ind.label;
      var hit = !needle || ind.id === state.indicator ||
        (text + " " + ind.other + " " + ind.id + " " + ind.category).toLowerCase().indexOf(needle) >= 0;
      if (!hit) { return; }
      if (!groups[ind.category]) {
        groups[ind.category] = document.createElement("optgroup");
        groups[ind.category].label = ind.category;
        select.appendChild(groups[ind.category]);
      }
      var option = document.createElement("option");
      option.value = ind.id;
      option.textContent = text;
      groups[ind.category].appendChild(option);
    });
    select.value = state.indicator;
  }

  function fillPlaces() {
    var list = el("ex-places");
    index.places.forEach(function (row) {
      var option = document.createElement("option");
      option.value = row[1] + " " + row[0];
      list.appendChild(option);
    });
  }

  function findPlace(text) {
    var needle = text.trim();
    if (!needle) { return null; }
    var code = (needle.match(/\d{6,12}$/) || needle.match(/^\d{6,12}/) || [])[0];
    if (code && places[code]) { return code; }
    var hits = index.places.filter(function (row) { return row[1] === needle; });
    if (!hits.length) {
      hits = index.places.filter(function (row) { return row[1].indexOf(needle) >= 0; });
    }
    return hits.length === 1 || (hits.length && hits[0][1] === needle) ? hits[0][0] : null;
  }

  function addPlace() {
    var input = el("ex-place");
    var code = findPlace(input.value);
    if (!code) { status(word("explore.not_found", { text: input.value })); return; }
    if (state.places.indexOf(code) >= 0) { input.value = ""; return; }
    if (state.places.length >= MAX_PLACES) { status(word("explore.too_many", { n: MAX_PLACES })); return; }
    input.value = "";
    change({ places: state.places.concat([code]) });
  }

  function syncControls() {
    fillIndicators(el("ex-filter").value);
    var chosen = el("ex-chosen");
    chosen.textContent = "";
    state.places.forEach(function (code) {
      var item = document.createElement("li");
      item.appendChild(document.createTextNode(places[code].name + " · " + levelWord(code) + " "));
      if (state.places.length > 1) {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", word("explore.remove", { name: places[code].name }));
        remove.addEventListener("click", function () {
          change({ places: state.places.filter(function (c) { return c !== code; }) });
        });
        item.appendChild(remove);
      }
      chosen.appendChild(item);
    });
    document.querySelectorAll(".ex-tabs button").forEach(function (button) {
      var on = button.getAttribute("data-tab") === state.tab;
      button.setAttribute("aria-selected", on ? "true" : "false");
      button.tabIndex = on ? 0 : -1;
    });
    el("ex-panel").setAttribute("aria-labelledby", "ex-tab-" + state.tab);
    el("ex-year-box").hidden = state.tab !== "map";
    el("ex-year").value = String(state.year);
    el("ex-year-out").textContent = String(state.year);
    document.querySelectorAll("[data-download=svg], [data-download=png]").forEach(function (b) {
      b.disabled = state.tab === "table";
    });
  }

  function bindControls() {
    el("ex-filter").addEventListener("input", function () { fillIndicators(el("ex-filter").value); });
    el("ex-indicator").addEventListener("change", function () { change({ indicator: el("ex-indicator").value }); });
    el("ex-add").addEventListener("click", addPlace);
    el("ex-place").addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); addPlace(); }
    });
    var tabs = Array.prototype.slice.call(document.querySelectorAll(".ex-tabs button"));
    tabs.forEach(function (button, i) {
      button.addEventListener("click", function () { change({ tab: button.getAttribute("data-tab") }); });
      button.addEventListener("keydown", function (event) {
        var step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (!step) { return; }
        var next = tabs[(i + step + tabs.length) % tabs.length];
        next.focus();
        change({ tab: next.getAttribute("data-tab") });
      });
    });
    var year = el("ex-year");
    year.min = String(index.years[0]);
    year.max = String(index.years[index.years.length - 1]);
    year.addEventListener("input", function () { el("ex-year-out").textContent = year.value; });
    year.addEventListener("change", function () { change({ year: parseInt(year.value, 10) }); });
    document.querySelectorAll("[data-download]").forEach(function (button) {
      button.addEventListener("click", function () { download(button.getAttribute("data-download")); });
    });
    window.addEventListener("popstate", function () { state = readState(); render(); });
  }

  function status(text) { el("ex-status").textContent = text; }

  // --- drawing

  function needed() {
    var towns = {};
    state.places.forEach(function (code) {
      var town = townOf(code);
      if (town && (places[code].level === "village" || state.tab !== "chart")) { towns[town] = true; }
    });
    return Promise.all(Object.keys(towns).map(townData));
  }

  function render() {
    syncControls();
    var count = ++drawCount;
    status(word("explore.loading"));
    return needed().then(function () {
      if (count !== drawCount) { return null; }
      var ind = indicators[state.indicator];
      el("ex-heading").textContent = ind.label;
      var table = state.tab === "table";
      el("ex-table").hidden = !table;
      el("ex-view").hidden = table;
      if (table) { return drawTable(ind); }
      return state.tab === "map" ? drawMap(ind) : drawChart(ind);
    }).then(function () {
      if (count !== drawCount) { return; }
      status("");
      document.body.setAttribute("data-drawn", urlOf(state));
      if (!window.performance.getEntriesByName("explore-drawn").length) {
        window.performance.mark("explore-drawn");
      }
    }, function (error) { status(String(error)); });
  }

  function embed(spec) {
    if (embedded) { embedded.finalize(); embedded = null; }
    el("ex-view").textContent = "";
    return window.vegaEmbed(el("ex-view"), spec, {
      actions: false, renderer: "svg", ast: true, expr: window.vega.expressionInterpreter
    }).then(function (result) { embedded = result; });
  }

  function layerOf(spec, name) {
    return spec.layer.filter(function (layer) { return layer.data && layer.data.name === name; })[0];
  }

  function drawChart(ind) {
    var series = [], band = [], target = [];
    var header = [word("explore.code"), word("explore.name"), word("explore.year"),
      ind.label, word("explore.projection"), "", word("explore.target"),
      word("explore.pending_count")];
    var rows = [];
    state.places.forEach(function (code) {
      var name = places[code].name;
      var values = seriesOf(ind.id, code) || [];
      var pending = pendingOf(ind.id, code);
      var path = pathOf(ind.id, code);
      var goal = path && path.target !== null ? plainNumber(path.target, ind.decimals) : "";
      index.years.forEach(function (year, i) {
        var value = values[i];
        if (value === null || value === undefined) { return; }
        var text = figure(value, ind, pending[i]);
        series.push({ place: name, year: year, value: value, text: text });
        rows.push([code, name, String(year), plainNumber(value, ind.decimals), "", "", goal,
          pendingCount(pending[i])]);
      });
      if (path) {
        path.band.forEach(function (b) {
          if (b[1] === null || b[2] === null) { return; }
          band.push({ place: name, year: b[0], lower: b[1], upper: b[2] });
          rows.push([code, name, String(b[0]), "", plainNumber(b[1], ind.decimals),
            plainNumber(b[2], ind.decimals), goal, ""]);
        });
        if (path.target !== null) {
          target.push({ place: name, target: path.target,
            text: path.targetYear + " " + formatNumber(path.target, ind.decimals) + " " + ind.unit });
        }
      }
    });
    header[5] = header[4];
    shown = { header: header, rows: rows };
    var spec = JSON.parse(JSON.stringify(index.charts.trend));
    spec.datasets = { series: series, band: band, target: target };
    layerOf(spec, "series").encoding.y.title = ind.unit;
    if (!series.length) { status(word("explore.no_data")); }
    return embed(spec);
  }

  function mapRegion() {
    var code = state.places[0];
    var place = places[code];
    if (place.level === "village") { return place.parent; }
    if (place.level !== "town" && !index.shapes.length) {
      var towns = (childrenOf[code] || []).filter(function (c) { return places[c].level === "town"; });
      return towns.length === 1 ? towns[0] : code;
    }
    return code;
  }

  function drawMap(ind) {
    var region = mapRegion();
    var level = places[region].level;
    var source = level === "town" ? registered["town:" + region] : index;
    return (level === "town" ? townData(region) : Promise.resolve(index)).then(function () {
      source = level === "town" ? registered["town:" + region] : index;
      var i = index.years.indexOf(state.year);
      var rows = [];
      var shapes = (source && source.shapes || []).map(function (feature) {
        var code = feature.properties.code;
        var values = (source.values[ind.id] || {})[code];
        var value = values ? values[i] : null;
        value = value === undefined ? null : value;
        var pending = ((source.pending || {})[ind.id] || {})[code] || [];
        var name = places[code] ? places[code].name : code;
        rows.push([code, name, String(state.year), plainNumber(value, ind.decimals),
          pendingCount(value === null ? 0 : pending[i])]);
        return { type: "Feature", geometry: feature.geometry, properties: {
          code: code, name: name, value: value,
          text: value === null ? word("explore.no_data") : figure(value, ind, pending[i]) } };
      });
      shown = { header: [word("explore.code"), word("explore.name"), word("explore.year"),
        ind.label, word("explore.pending_count")], rows: rows };
      if (!shapes.length) {
        if (embedded) { embedded.finalize(); embedded = null; }
        el("ex-view").textContent = word("explore.no_data");
        return null;
      }
      var edges = source.classes[ind.id] || [];
      var inner = edges.slice(1, -1);
      var spec = JSON.parse(JSON.stringify(index.charts.map));
      spec.datasets = { shapes: shapes };
      var color = spec.encoding.color;
      color.scale = { type: "threshold", domain: inner, range: index.colors[String(inner.length + 1)] };
      color.legend = { orient: "bottom", format: ",." + ind.decimals + "f", title: ind.unit };
      return embed(spec);
    });
  }

  function tableRows() {
    var codes = state.places.slice();
    var first = state.places[0];
    (childrenOf[first] || []).forEach(function (code) {
      if (codes.indexOf(code) < 0) { codes.push(code); }
    });
    return codes;
  }

  function drawTable(ind) {
    if (embedded) { embedded.finalize(); embedded = null; }
    var codes = tableRows();
    var first = places[state.places[0]];
    var load = first.level === "town" ? townData(state.places[0]) : Promise.resolve(null);
    return load.then(function () {
      var header = [word("explore.code"), word("explore.name"), word("explore.level")]
        .concat(index.years.map(String));
      var rows = codes.map(function (code) {
        var values = seriesOf(ind.id, code) || [];
        return { code: code, child: state.places.indexOf(code) < 0, pending: pendingOf(ind.id, code),
          cells: [code, places[code].name, levelWord(code)].concat(index.years.map(function (y, i) {
            return values[i] === undefined ? null : values[i];
          })) };
      });
      if (sort.column >= 0) {
        rows.sort(function (a, b) {
          var x = a.cells[sort.column], y = b.cells[sort.column];
          var r;
          if (typeof x === "number" || typeof y === "number" || x === null || y === null) {
            r = (x === null ? -Infinity : x) - (y === null ? -Infinity : y);
          } else { r = String(x).localeCompare(String(y), "zh"); }
          return sort.ascending ? r : -r;
        });
      }
      // The years whose figure is pending review, as the table marks them.
      shown = { header: header.concat([word("explore.pending_years")]), rows: rows.map(function (row) {
        var years = index.years.filter(function (y, i) { return row.cells[i + 3] !== null && row.pending[i]; });
        return row.cells.map(function (cell, c) { return c < 3 ? cell : plainNumber(cell, ind.decimals); })
          .concat([years.join(" ")]);
      }) };
      var table = document.createElement("table");
      var caption = document.createElement("caption");
      caption.textContent = ind.label;
      table.appendChild(caption);
      var head = table.createTHead().insertRow();
      header.forEach(function (text, c) {
        var th = document.createElement("th");
        th.scope = "col";
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = text;
        if (sort.column === c) { th.setAttribute("aria-sort", sort.ascending ? "ascending" : "descending"); }
        button.addEventListener("click", function () {
          sort = { column: c, ascending: sort.column === c ? !sort.ascending : true };
          drawTable(ind).then(function () { el("ex-table").querySelectorAll("th button")[c].focus(); });
        });
        th.appendChild(button);
        head.appendChild(th);
      });
      var body = table.createTBody();
      rows.forEach(function (row) {
        var tr = body.insertRow();
        tr.setAttribute("data-code", row.code);
        row.cells.forEach(function (cell, c) {
          var td = tr.insertCell();
          if (c >= 3) {
            td.className = "num";
            td.textContent = cell === null ? formatNumber(cell, ind.decimals)
              : marked(formatNumber(cell, ind.decimals), row.pending[c - 3]);
          }
          else { td.textContent = cell; if (c === 1 && row.child) { td.className = "child"; } }
        });
      });
      el("ex-table").textContent = "";
      el("ex-table").appendChild(table);
    });
  }

  // --- downloads: exactly what is shown

  function csvCell(text) {
    var s = String(text === null || text === undefined ? "" : text);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function csv() {
    return "\ufeff" + [shown.header].concat(shown.rows).map(function (row) {
      return row.map(csvCell).join(",");
    }).join("\r\n") + "\r\n";
  }

  function fileName(extension) {
    return [state.indicator, state.places.join("-"), state.tab === "map" ? state.year : "", state.tab]
      .filter(Boolean).join("_") + "." + extension;
  }

  function save(url, name) {
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function download(kind) {
    if (kind === "csv") {
      var url = URL.createObjectURL(new Blob([csv()], { type: "text/csv;charset=utf-8" }));
      save(url, fileName("csv"));
      setTimeout(function () { URL.revokeObjectURL(url); }, 0);
    } else if (embedded && state.tab !== "table") {
      embedded.view.toImageURL(kind, kind === "png" ? 2 : 1).then(function (u) { save(u, fileName(kind)); });
    }
  }

  // --- start

  function start(data) {
    index = data;
    index.indicators.forEach(function (ind) { indicators[ind.id] = ind; });
    index.places.forEach(function (row) {
      places[row[0]] = { code: row[0], name: row[1], level: row[2], parent: row[3] };
      if (row[3]) { (childrenOf[row[3]] = childrenOf[row[3]] || []).push(row[0]); }
    });
    state = readState();
    window.history.replaceState(null, "", urlOf(state));
    el("explore").hidden = false;
    fillPlaces();
    bindControls();
    render();
  }

  window.MinshengExplore = {
    register: register,
    formatNumber: formatNumber,
    csv: function () { return csv(); },
    state: function () { return state; },
    view: function () { return embedded && embedded.view; }
  };
})();
