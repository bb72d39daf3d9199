/// The web map at /map: one HTML page and its script, served with Debian's Leaflet
/// (/usr/share/javascript/leaflet, under /map/leaflet/). It needs no network beyond the server:
/// no tile layer unless the server was started with --tiles, no CDN, no font download.
///
/// The page asks the service what it draws: /map/base.json (districts, towns, holders and their
/// colours), /days (the slider's marks), /collections/{facet}/items?datetime=D (the ground of the
/// day) and /status (the popup at a click). Its state is in its URL (`date`, `facet`, `lon`,
/// `lat`, `zoom`); `window.territoryMap` is its Leaflet map, and `document.body.dataset.drawn`
/// says which day and facet it has finished drawing (for tests and users' scripts).
enum MapPage {
    static let html = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>territory: map</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/map/leaflet/leaflet.css">
<style>
  html, body { height: 100%; margin: 0; font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
  body { display: flex; flex-direction: column; }
  #bar { padding: 8px 12px; background: #fafaf7; border-bottom: 1px solid #ccc; display: flex; flex-wrap: wrap; gap: 10px; align-items: center; font-size: 14px; }
  #bar h1 { font-size: 16px; margin: 0 12px 0 0; }
  #timeline { position: relative; flex: 1 1 420px; min-width: 280px; padding-bottom: 12px; }
  #slider { width: 100%; margin: 0; }
  #ticks { position: absolute; left: 8px; right: 8px; bottom: 0; height: 10px; }
  #ticks .tick { position: absolute; width: 2px; height: 10px; background: #444; transform: translateX(-1px); cursor: pointer; }
  #ticks .tick.current { background: #D55E00; width: 3px; }
  #map { flex: 1; background: #eef1f4; }
  .legend { background: rgba(255,255,255,0.92); padding: 8px 10px; border-radius: 4px; font-size: 13px; line-height: 20px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); max-width: 320px; }
  .legend .swatch { display: inline-block; width: 22px; height: 12px; margin-right: 6px; vertical-align: -1px; border: 1px solid #333; }
  .legend .line { display: inline-block; width: 22px; height: 0; margin-right: 6px; vertical-align: 3px; border-top: 4px solid; }
  .legend .note { color: #555; font-size: 11px; line-height: 14px; margin-top: 4px; }
  .district-name { background: transparent; border: none; box-shadow: none; font-style: italic; color: #222; text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
  .town-name { background: transparent; border: none; box-shadow: none; color: #111; font-size: 12px; text-shadow: 0 0 3px #fff, 0 0 3px #fff; padding: 0 0 0 2px; }
  .district-name::before, .town-name::before { display: none; }
  .status table { border-collapse: collapse; font-size: 13px; }
  .status td { padding: 2px 6px 2px 0; vertical-align: top; }
  .status .facet { font-weight: bold; text-transform: capitalize; }
  .status .since { color: #555; }
  .status ul { padding-left: 16px; margin: 6px 0 0; font-size: 12px; }
  .status .statement-id { font-family: monospace; color: #555; }
  #message { color: #a00; }
</style>
</head>
<body>
<div id="bar">
  <h1 id="title">territory</h1>
  <label>Date <input type="date" id="date"></label>
  <button type="button" id="play" aria-label="Play from change to change">▶ Play</button>
  <div id="timeline"><input type="range" id="slider" list="marks" aria-label="Date"><datalist id="marks"></datalist><div id="ticks"></div></div>
  <label>Facet <select id="facet"></select></label>
  <span id="message" role="status"></span>
</div>
<div id="map"></div>
<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs id="patterns"></defs></svg>
<script src="/map/leaflet/leaflet.js"></script>
<script src="/map/map.js"></script>
</body>
</html>

"""#

    static let script = #"""
"use strict";
(function () {
  const DAY = 86400000;
  const params = new URLSearchParams(location.search);
  const state = { date: params.get("date"), facet: params.get("facet") || "control", days: [], base: null, playing: null, drawn: 0 };
  const $ = (id) => document.getElementById(id);
  const message = (text) => { $("message").textContent = text || ""; };
  const dayNumber = (iso) => Math.round(Date.parse(iso + "T00:00:00Z") / DAY);
  const isoOf = (n) => new Date(n * DAY).toISOString().slice(0, 10);
  const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  const longDate = (iso) => { const [y, m, d] = iso.split("-").map(Number); return d + " " + months[m - 1] + " " + y; };
  const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  async function getJSON(url) {
    const r = await fetch(url);
    if (!r.ok) {
      let why = r.status + " " + r.statusText;
      try { why = (await r.json()).description || why; } catch (e) { /* not JSON */ }
      throw new Error(url + ": " + why);
    }
    return r.json();
  }

  const map = L.map("map", { zoomSnap: 0.25, preferCanvas: false });
  window.territoryMap = map;
  ["ground", "presence", "access", "districts"].forEach((name, i) => { map.createPane(name).style.zIndex = 401 + i; });
  const layers = { ground: null, presence: null, access: null };
  let legend = null;

  function colour(code) {
    const h = state.base.holders.find((x) => x.code === code);
    return (h && h.colour) || "#999999";
  }
  function darker(hex) {
    const v = parseInt(hex.slice(1), 16);
    const part = (s) => Math.floor(((v >> s) & 255) * 0.55).toString(16).padStart(2, "0");
    return "#" + part(16) + part(8) + part(0);
  }
  function holderName(code) {
    const h = state.base.holders.find((x) => x.code === code);
    return h ? h.name : code;
  }

  function saveState() {
    const c = map.getCenter();
    const q = new URLSearchParams({ date: state.date, facet: state.facet, lon: c.lng.toFixed(5), lat: c.lat.toFixed(5), zoom: String(map.getZoom()) });
    history.replaceState(null, "", location.pathname + "?" + q.toString());
  }

  function drawBase(base) {
    const patterns = $("patterns");
    base.holders.filter((h) => !h.access_state).forEach((h, i) => {
      const p = document.createElementNS("http://www.w3.org/2000/svg", "pattern");
      p.setAttribute("id", "hatch-" + h.code);
      p.setAttribute("patternUnits", "userSpaceOnUse");
      p.setAttribute("width", "8");
      p.setAttribute("height", "8");
      p.setAttribute("patternTransform", "rotate(" + (i % 2 ? -45 : 45) + ")");
      const l = document.createElementNS("http://www.w3.org/2000/svg", "line");
      l.setAttribute("x1", "0"); l.setAttribute("y1", "0"); l.setAttribute("x2", "0"); l.setAttribute("y2", "8");
      l.setAttribute("stroke", darker(h.colour || "#999999"));
      l.setAttribute("stroke-width", "2");
      p.appendChild(l);
      patterns.appendChild(p);
    });
    const districts = L.geoJSON(base.districts, {
      pane: "districts", interactive: false,
      style: () => ({ color: "#333", weight: 1.2, fill: false }),
      onEachFeature: (f, layer) => layer.bindTooltip(escape(f.properties.label), { permanent: true, direction: "center", className: "district-name", pane: "tooltipPane" }),
    }).addTo(map);
    // Cities and towns named always; villages and sites smaller, named on hover.
    L.geoJSON(base.towns, {
      pointToLayer: (f, latlng) => {
        const major = f.properties.kind === "city" || f.properties.kind === "town";
        return L.circleMarker(latlng, { radius: major ? 4 : 2.5, color: "#111", weight: major ? 1.5 : 1, fillColor: "#fff", fillOpacity: 1, interactive: !major, pane: "markerPane" })
          .bindTooltip(escape(f.properties.name), { permanent: major, direction: "right", offset: [4, 0], className: major ? "town-name" : "village-name" });
      },
    }).addTo(map);
    if (base.tiles) L.tileLayer(base.tiles, { attribution: escape(base.tiles_attribution || "") }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.attributionControl.addAttribution("territory: " + escape(base.credit));
    return districts.getBounds();
  }

  function buildTimeline(days) {
    const slider = $("slider"), marks = $("marks"), ticks = $("ticks");
    const first = dayNumber(days[0]), last = dayNumber(days[days.length - 1]);
    slider.min = String(first);
    slider.max = String(last);
    slider.step = "1";
    marks.innerHTML = "";
    ticks.innerHTML = "";
    for (const d of days) {
      const o = document.createElement("option");
      o.value = String(dayNumber(d));
      o.label = d;
      marks.appendChild(o);
      const t = document.createElement("div");
      t.className = "tick";
      t.dataset.date = d;
      t.title = longDate(d);
      t.style.left = (100 * (dayNumber(d) - first) / Math.max(1, last - first)) + "%";
      t.addEventListener("click", () => setDate(d));
      ticks.appendChild(t);
    }
    $("date").min = days[0];
  }

  function legendFor(features) {
    if (legend) legend.remove();
    legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("div", "legend");
      const seen = (facet) => [...new Set(features.filter((f) => f.properties.facet === facet).map((f) => f.properties.holder))];
      let html = "<b>" + escape(state.facet[0].toUpperCase() + state.facet.slice(1)) + " on " + longDate(state.date) + "</b><br>";
      const held = seen(state.facet);
      if (held.length === 0) html += '<span class="swatch" style="background:#f0f0f0"></span>No ' + escape(state.facet) + " stated<br>";
      for (const c of held) html += '<span class="swatch" data-holder="' + escape(c) + '" style="background:' + colour(c) + '"></span>' + escape(holderName(c)) + "<br>";
      if (state.facet !== "presence") for (const c of seen("presence")) html += '<svg width="22" height="12" style="margin-right:6px;vertical-align:-1px;border:1px solid #333"><rect width="22" height="12" fill="url(#hatch-' + escape(c) + ')"/></svg>Present: ' + escape(holderName(c)) + "<br>";
      if (state.facet !== "access") for (const c of seen("access")) html += '<span class="line" style="border-color:' + colour(c) + '"></span>Lachin corridor, access: ' + escape(holderName(c)) + "<br>";
      html += '<div class="note">Colours: ' + escape(state.base.palette || "catalog.json") + "</div>";
      div.innerHTML = html;
      return div;
    };
    legend.addTo(map);
  }

  async function draw() {
    const date = state.date, facet = state.facet;
    const wanted = [facet];
    if (facet !== "presence") wanted.push("presence");
    if (facet !== "access") wanted.push("access");
    let collections;
    try {
      collections = await Promise.all(wanted.map((f) => getJSON("/collections/" + f + "/items?datetime=" + date + "&limit=10000")));
    } catch (e) { message(e.message); return; }
    if (date !== state.date || facet !== state.facet) return; // a newer choice is on its way
    message("");
    for (const k of Object.keys(layers)) { if (layers[k]) { layers[k].remove(); layers[k] = null; } }
    const all = collections.flatMap((c) => c.features);
    const main = collections[0].features;
    layers.ground = L.geoJSON({ type: "FeatureCollection", features: main }, {
      pane: "ground", interactive: false,
      style: (f) => ({ color: colour(f.properties.holder), weight: 0.6, fillColor: colour(f.properties.holder), fillOpacity: facet === "presence" ? 0.6 : 0.8, className: "ground holder-" + f.properties.holder }),
    }).addTo(map);
    if (facet !== "presence") {
      const p = all.filter((f) => f.properties.facet === "presence");
      layers.presence = L.geoJSON({ type: "FeatureCollection", features: p }, {
        pane: "presence", interactive: false,
        style: (f) => ({ color: darker(colour(f.properties.holder)), weight: 1, fillColor: "url(#hatch-" + f.properties.holder + ")", fillOpacity: 1, className: "presence holder-" + f.properties.holder }),
      }).addTo(map);
    }
    if (facet !== "access") {
      const a = all.filter((f) => f.properties.facet === "access");
      layers.access = L.geoJSON({ type: "FeatureCollection", features: a }, {
        pane: "access", interactive: false,
        style: (f) => ({ color: colour(f.properties.holder), weight: 3, fill: false, className: "access holder-" + f.properties.holder }),
      }).addTo(map);
    }
    legendFor(all);
    for (const t of document.querySelectorAll("#ticks .tick")) t.classList.toggle("current", t.dataset.date === date);
    state.drawn += 1;
    document.body.dataset.drawn = date + " " + facet + " " + main.length;
    document.body.dataset.draws = String(state.drawn);
  }

  function setDate(iso, options) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso) || isNaN(Date.parse(iso + "T00:00:00Z"))) { message("not a date: " + iso); return; }
    state.date = iso;
    $("date").value = iso;
    $("slider").value = String(dayNumber(iso));
    if (!options || !options.keepPlaying) stop();
    saveState();
    map.closePopup();
    draw();
  }

  function stop() {
    if (state.playing) { clearInterval(state.playing); state.playing = null; }
    $("play").textContent = "▶ Play";
  }
  function play() {
    if (state.playing) { stop(); return; }
    $("play").textContent = "❚❚ Pause";
    const step = () => {
      const next = state.days.find((d) => d > state.date);
      if (!next) { stop(); return; }
      setDate(next, { keepPlaying: true });
    };
    if (!state.days.some((d) => d > state.date)) setDate(state.days[0], { keepPlaying: true });
    state.playing = setInterval(step, 1500);
  }

  async function popup(latlng) {
    const lon = latlng.lng.toFixed(5), lat = latlng.lat.toFixed(5), date = state.date;
    const p = L.popup({ maxWidth: 420, maxHeight: Math.max(160, Math.round(map.getSize().y * 0.6)) }).setLatLng(latlng).setContent("Looking up " + lon + ", " + lat + "…").openOn(map);
    let s;
    try { s = await getJSON("/status?lon=" + lon + "&lat=" + lat + "&date=" + date); } catch (e) { p.setContent(escape(e.message)); return; }
    const byId = Object.fromEntries((s.authority || []).map((a) => [a.id, a]));
    let html = '<div class="status" data-date="' + date + '"><b>' + lat + "° N, " + lon + "° E</b> on " + longDate(date) + "<br>";
    if (!s.covered) {
      html += "Outside the covered area: nothing is stated here.";
    } else {
      if (s.zones && s.zones.length) html += '<span class="since">' + s.zones.map(escape).join(" · ") + "</span>";
      html += "<table>";
      for (const facet of ["control", "sovereignty", "administration", "presence", "access"]) {
        const holders = (s.holders && s.holders[facet]) || [];
        if (!holders.length) continue;
        const text = holders.map((h) => {
          const since = h.statements.map((id) => byId[id]).filter(Boolean).map((a) => a.valid_from).sort()[0];
          const until = h.statements.map((id) => byId[id]).filter(Boolean).map((a) => a.valid_to).filter(Boolean).sort().slice(-1)[0];
          return escape(h.name) + (since ? ' <span class="since">since ' + longDate(since) + (until ? ", until " + longDate(until) : "") + "</span>" : "");
        }).join("<br>");
        html += '<tr data-facet="' + facet + '"><td class="facet">' + facet + "</td><td>" + text + "</td></tr>";
      }
      html += "</table><ul>";
      for (const a of s.authority || []) {
        html += '<li data-statement="' + escape(a.id) + '">' + escape(a.source.document) + ", " + escape(a.source.clause) + ' <span class="statement-id">' + escape(a.id) + "</span></li>";
      }
      html += "</ul>";
    }
    html += "</div>";
    if (date === state.date) p.setContent(html);
  }

  async function start() {
    let base, days;
    try {
      [base, days] = await Promise.all([getJSON("/map/base.json"), getJSON("/days")]);
    } catch (e) { message(e.message); return; }
    state.base = base;
    state.days = days.days.map((d) => d.date);
    document.title = "territory: " + base.title;
    $("title").textContent = base.title;
    const select = $("facet");
    for (const f of base.facets) {
      const o = document.createElement("option");
      o.value = f; o.textContent = f;
      select.appendChild(o);
    }
    if (!base.facets.includes(state.facet)) state.facet = "control";
    select.value = state.facet;
    buildTimeline(state.days);
    const bounds = drawBase(base);
    const lon = parseFloat(params.get("lon")), lat = parseFloat(params.get("lat")), zoom = parseFloat(params.get("zoom"));
    if (isFinite(lon) && isFinite(lat) && isFinite(zoom)) map.setView([lat, lon], zoom); else map.fitBounds(bounds);
    map.on("moveend", saveState);
    map.on("click", (e) => popup(e.latlng));
    $("slider").addEventListener("input", (e) => setDate(isoOf(Number(e.target.value))));
    $("date").addEventListener("change", (e) => { if (e.target.value) setDate(e.target.value); });
    select.addEventListener("change", (e) => { state.facet = e.target.value; saveState(); draw(); });
    $("play").addEventListener("click", play);
    setDate(state.date || base.default_date);
  }
  start();
})();

"""#
}
