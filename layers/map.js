/* claimmap: draws the claims data embedded in the page and switches between worldviews.
   Every string from the data reaches the page through textContent, never as HTML, because site
   names come from users and news text. */
(function () {
  "use strict";

  // Dark, saturated rings that stand out against the light owner colours they surround.
  var STATUS = {inside: "#b0001a", near: "#e07000", undisputed: "#303030"};
  var STATUS_TEXT = {
    inside: "inside a disputed region",
    near: "near one (within its radius)",
    undisputed: "undisputed",
  };

  function el(tag, text, className) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    if (className) e.className = className;
    return e;
  }

  function init(map, data) {
    var viewer = "";  // "" is the de facto view: who administers each place
    var names = data.names, colors = data.colors, S = data.sites;

    function name(code) { return code ? names[code] || code : "unknown"; }
    function color(code) { return colors[code] || "#bdbdbd"; }
    // Worldviews hold only the viewers whose map differs from the de facto owner.
    function owner(admin, views) { return (viewer && views[viewer]) || admin; }
    function ownerLabel() {
      return "Owner " + (viewer ? "under " + name(viewer) + "\u2019s map" : "(de facto)");
    }

    function pane(id, z) { map.createPane(id).style.zIndex = z; }
    pane("cm-basemap", 250);
    pane("cm-claims", 450);
    // Regions and sites share one canvas: a canvas above another would take all its mouse events.
    var claims = L.canvas({pane: "cm-claims", tolerance: 3});

    // Thin stripes of the other claimants' colours across the owner's.
    var patterns = {};
    function hatch(codes) {
      var key = codes.join("|");
      if (!patterns[key]) {
        var u = 4, w = u * (codes.length + 2), tile = document.createElement("canvas");
        tile.width = tile.height = w;
        var ctx = tile.getContext("2d");
        codes.forEach(function (code, i) {
          ctx.fillStyle = color(code);
          ctx.fillRect(i ? u * (i + 2) : 0, 0, i ? u : 3 * u, w);
        });
        patterns[key] = ctx.createPattern(tile, "repeat");
        patterns[key].setTransform(new DOMMatrix().rotateSelf(45));
      }
      return patterns[key];
    }

    var basemap = L.geoJSON(data.basemap, {
      renderer: L.canvas({pane: "cm-basemap"}), pane: "cm-basemap", interactive: false,
      style: {color: "#8c8c8c", weight: 0.8, fillColor: "#f3f0e8", fillOpacity: 1},
      attribution: data.attribution,
    });

    function regionStyle(f) {
      var p = f.properties, own = owner(p.admin, p.views);
      var others = p.claimed.filter(function (c) { return c !== own; });
      return {color: "#333", weight: 1.5, dashArray: "6 4", fillOpacity: 0.6,
              fillColor: others.length ? hatch([own].concat(others)) : color(own)};
    }
    function regionInfo(p) {
      var div = el("div", null, "cm-info");
      div.appendChild(el("b", p.alt ? p.name + " (" + p.alt + ")" : p.name));
      div.appendChild(el("div", "Administered by: " + name(p.admin)));
      div.appendChild(el("div", "Claimed by: " + p.claimed.map(name).join(", ")));
      if (viewer) div.appendChild(el("div", ownerLabel() + ": " + name(owner(p.admin, p.views))));
      return div;
    }
    var regions = L.geoJSON(data.regions, {
      renderer: claims, pane: "cm-claims", style: regionStyle,
      onEachFeature: function (f, layer) {
        layer.bindTooltip(function () { return regionInfo(f.properties); }, {sticky: true});
      },
    });
    regions.on("add", function () { regions.bringToBack(); });  // under the sites when toggled back on

    function sitePopup(marker) {
      var i = marker.options.site, div = el("div", null, "cm-info");
      div.appendChild(el("b", S.name[i]));
      var table = el("table");
      function row(label, value) {
        var tr = el("tr");
        tr.appendChild(el("th", label));
        tr.appendChild(el("td", value));
        table.appendChild(tr);
      }
      row("Status", STATUS_TEXT[S.status[i]]);
      row("Disputed regions", S.regions[i].join(", ") || "none");
      row("Administered by", name(S.admin[i]));
      row("Claimed by", S.claimed[i].map(name).join(", ") || "no one else");
      row(ownerLabel(), name(owner(S.admin[i], S.views[i])));
      row("Nearest disputed area", S.nearest[i] ? S.nearest[i] + " (" + S.nearestKm[i] + " km)" : "none");
      row("Coordinates", S.lat[i] + ", " + S.lon[i] + " \u00b1 " + S.radius[i] + " km");
      row("Located by", S.source[i] + ": " + S.resolved[i]);
      row("Match", "score " + S.score[i] + (S.ambiguous[i] ? ", ambiguous: one of several places" : ""));
      div.appendChild(table);
      return div;
    }
    var sites = L.featureGroup(), markers = [];
    S.name.forEach(function (_, i) {
      L.circle([S.lat[i], S.lon[i]], {
        renderer: claims, pane: "cm-claims", interactive: false, radius: S.radius[i] * 1000,
        color: STATUS[S.status[i]], weight: 1, dashArray: "4 3", fillOpacity: 0.06,
      }).addTo(sites);
    });
    S.name.forEach(function (_, i) {
      markers.push(L.circleMarker([S.lat[i], S.lon[i]], {
        renderer: claims, pane: "cm-claims", site: i, radius: 6, weight: 3,
        color: STATUS[S.status[i]], fillColor: color(owner(S.admin[i], S.views[i])), fillOpacity: 1,
      }).addTo(sites));
    });
    // One popup and one tooltip for all sites: binding one of each per marker doubles the load time.
    var popup = L.popup({maxWidth: 380}), tip = L.tooltip({direction: "top", offset: [0, -6]});
    sites.on("click", function (e) {
      popup.setLatLng(e.layer.getLatLng()).setContent(function () { return sitePopup(e.layer); }).openOn(map);
    });
    sites.on("mouseover", function (e) {
      tip.setLatLng(e.layer.getLatLng()).setContent(el("span", S.name[e.layer.options.site]));
      map.openTooltip(tip);
    });
    sites.on("mouseout", function () { map.closeTooltip(tip); });

    function swatch(fill, ring) {
      var s = el("span", null, "cm-swatch");
      s.style.background = fill;
      if (ring) { s.style.borderColor = ring; s.classList.add("cm-ring"); }
      return s;
    }
    function entry(box, swatchEl, text) {
      var line = el("div");
      line.appendChild(swatchEl);
      line.appendChild(document.createTextNode(text));
      box.appendChild(line);
    }
    var owners = el("div");
    function updateLegend() {
      var seen = {};
      regions.eachLayer(function (l) {
        var p = l.feature.properties;
        seen[owner(p.admin, p.views)] = 1;
        p.claimed.forEach(function (c) { seen[c] = 1; });
      });
      S.admin.forEach(function (a, i) { seen[owner(a, S.views[i])] = 1; });
      owners.textContent = "";
      owners.appendChild(el("div", "Fill: " + ownerLabel() + ". Stripes: other claimants.", "cm-note"));
      Object.keys(seen).sort(function (a, b) { return name(a).localeCompare(name(b)); })
        .forEach(function (code) { entry(owners, swatch(color(code)), name(code)); });
    }

    function setViewer(code) {
      viewer = code;
      regions.setStyle(regionStyle);
      markers.forEach(function (m) {
        var i = m.options.site;
        m.setStyle({fillColor: color(owner(S.admin[i], S.views[i]))});
      });
      updateLegend();
      if (popup.isOpen()) popup.update();
    }

    // The worldview switcher heads the legend, whose owner colours it changes.
    var Legend = L.Control.extend({
      options: {position: "bottomright"},
      onAdd: function () {
        var box = el("div", null, "cm-box cm-legend");
        var label = el("label", "Borders as drawn by ", "cm-head");
        var select = el("select", null, "cm-viewer");
        select.appendChild(el("option", "de facto (who administers)")).value = "";
        data.viewers.forEach(function (code) { select.appendChild(el("option", name(code))).value = code; });
        select.addEventListener("change", function () { setViewer(select.value); });
        label.appendChild(select);
        box.appendChild(label);
        box.appendChild(owners);
        box.appendChild(el("div", "Marker ring: site status", "cm-head"));
        Object.keys(STATUS).forEach(function (s) { entry(box, swatch("#fff", STATUS[s]), STATUS_TEXT[s]); });
        updateLegend();
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      },
    });
    new Legend().addTo(map);

    return {basemap: basemap, regions: regions, sites: sites};
  }

  window.claimmap = {init: init};
})();
