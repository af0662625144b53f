/* claimmap: draws the claims data embedded in the page and switches between worldviews.
   Every string from the data reaches the page through textContent, never as HTML, because site
   names come from users and news text. */
(function () {
  "use strict";

  // Dark, saturated rings that stand out against the owner colours they surround.
  var STATUS = {inside: "#b0001a", near: "#e07000", undisputed: "#404040"};
  var STATUS_TEXT = {
    inside: "inside a disputed region",
    near: "near one (within its radius)",
    undisputed: "undisputed",
  };
  var DRAW_ORDER = ["undisputed", "near", "inside"];  // later ones are drawn on top
  var DETAIL_ZOOM = 5;  // the basemap's detailed level starts here
  var LABEL_FONT = "12px system-ui, sans-serif";
  var MAX_LABELS = 400;
  var FEW = 300;  // up to this many sites, every site is labelled that has room

  function el(tag, text, className) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    if (className) e.className = className;
    return e;
  }

  // Rings or lines stored as integer deltas on a 1/scale-degree grid (see htmlmap._encode).
  function decode(parts, scale) {
    return parts.map(function (flat) {
      var out = [], x = 0, y = 0;
      for (var k = 0; k < flat.length; k += 2) {
        x += flat[k];
        y += flat[k + 1];
        out.push([y / scale, x / scale]);
      }
      return out;
    });
  }

  var measureCtx = document.createElement("canvas").getContext("2d");
  function textWidth(text, font) {
    measureCtx.font = font || LABEL_FONT;
    return measureCtx.measureText(text).width;
  }

  function init(map, data) {
    var viewer = "";  // "" is the de facto view: who administers each place
    var names = data.names, colors = data.colors, S = data.sites, n = S.name.length;
    var shown = {inside: true, near: true, undisputed: true};

    function name(code) { return code ? names[code] || code : "no country"; }  // at sea, or Bir Tawil
    function color(code) { return colors[code] || "#bdbdbd"; }
    // Worldviews hold only the viewers whose map differs from the de facto owner.
    function owner(admin, views) { return (viewer && views[viewer]) || admin; }
    function ownerLabel() {
      return "Owner " + (viewer ? "under " + name(viewer) + "\u2019s map" : "(de facto)");
    }
    function state(code) { return data.context[code] || code; }
    // An entity without an ISO code (Siachen Glacier) is named with the state it is drawn as.
    function ownerName(code) {
      var state = data.context[code];
      if (state) return name(code) + " (Natural Earth unit; " + name(state) + " on most maps)";
      return data.selfAdmin.indexOf(code) >= 0 ? name(code) + " (self-administered)" : name(code);
    }

    function pane(id, z, cls) {
      var p = map.createPane(id);
      p.style.zIndex = z;
      if (cls) p.classList.add(cls);
      return p;
    }
    pane("cm-basemap", 250);
    pane("cm-regions", 400);
    pane("cm-sites", 450).style.pointerEvents = "none";  // the map hit-tests sites itself
    pane("cm-labels", 620).style.pointerEvents = "none";

    /* ---- basemap: Natural Earth land, lakes, rivers and borders; coarse below DETAIL_ZOOM ---- */
    var baseRenderer = L.canvas({pane: "cm-basemap", padding: 0.3});
    function baseLevel(level) {
      var g = L.layerGroup(), s = level.scale, common = {renderer: baseRenderer, pane: "cm-basemap",
                                                      interactive: false, smoothFactor: 1.5};
      function add(key, style, Kind) {
        level[key].forEach(function (parts) {
          g.addLayer(new (Kind || L.Polygon)(decode(parts, s), L.extend({}, common, style)));
        });
      }
      add("land", {stroke: false, fillColor: "#f4f1e9", fillOpacity: 1});
      add("lakes", {color: "#8fb3c9", weight: 0.6, fillColor: "#cddfea", fillOpacity: 1});
      add("rivers", {color: "#8fb3c9", weight: 0.8}, L.Polyline);
      add("borders", {color: "#8c8c8c", weight: 0.9}, L.Polyline);
      add("disputedBorders", {color: "#8c8c8c", weight: 0.9, dashArray: "4 3"}, L.Polyline);
      return g;
    }
    var levels = {};  // built when first shown: a page opened on Kashmir never builds the world level
    var basemap = L.layerGroup([], {attribution: data.attribution});
    var level = null;
    function syncBasemap() {
      var want = map.getZoom() >= DETAIL_ZOOM ? "detail" : "world";
      if (want !== level) {
        if (level) basemap.removeLayer(levels[level]);
        levels[want] = levels[want] || baseLevel(data.basemap[want]);
        basemap.addLayer(levels[want]);
        level = want;
      }
    }
    // After the page's script has set the first view (fitBounds), so that one level is built.
    basemap.on("add", function () { requestAnimationFrame(syncBasemap); });
    map.on("zoomend", function () { if (map.hasLayer(basemap)) syncBasemap(); });

    /* ---- disputed regions: owner's colour, striped with the other claimants' ---- */
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
    function regionOwner(r) { return owner(r.admin, r.views); }
    function regionStyle(r) {
      var own = regionOwner(r);
      var others = r.claimed.filter(function (c) { return c !== own; });
      return {color: "#333", weight: 1.5, dashArray: "6 4", fillOpacity: 0.45,
              fillColor: others.length ? hatch([own].concat(others)) : color(own)};
    }
    function regionInfo(r) {
      var div = el("div", null, "cm-info");
      div.appendChild(el("b", r.alt ? r.name + " (" + r.alt + ")" : r.name));
      div.appendChild(el("div", "Administered by: " + ownerName(r.admin)));
      div.appendChild(el("div", "Claimed by: " + r.claimed.map(name).join(", ")));
      if (viewer) div.appendChild(el("div", ownerLabel() + ": " + name(regionOwner(r))));
      return div;
    }
    var regionRenderer = L.canvas({pane: "cm-regions", tolerance: 2});
    var regions = L.featureGroup();
    var regionLayers = data.regions.map(function (r) {
      var layer = L.polygon(decode(r.rings, 1000), L.extend({renderer: regionRenderer, pane: "cm-regions"},
                                                            regionStyle(r)));
      layer.region = r;
      layer.on("click", function (e) {
        if (measuring || hitSite(e.containerPoint)) return;  // the site above takes the click
        L.popup({maxWidth: 320}).setLatLng(e.latlng).setContent(regionInfo(r)).openOn(map);
      });
      regions.addLayer(layer);
      return layer;
    });

    /* ---- sites: one canvas, clustered per status so inside/near never hide among undisputed ---- */
    var byStatus = {inside: [], near: [], undisputed: []};
    for (var i = 0; i < n; i++) (byStatus[S.status[i]] || byStatus.undisputed).push(i);
    var drawn = [];  // what the last redraw put on screen, top last: {x, y, r, sites: [i...]}

    var SiteLayer = L.Layer.extend({
      onAdd: function () {
        this._canvas = L.DomUtil.create("canvas", "cm-site-canvas leaflet-zoom-hide",
                                        map.getPane("cm-sites"));
        map.on("moveend zoomend resize viewreset", this.redraw, this);
        this.redraw();
        schedule();
      },
      onRemove: function () {
        L.DomUtil.remove(this._canvas);
        map.off("moveend zoomend resize viewreset", this.redraw, this);
        drawn = [];
        schedule();
      },
      redraw: function () {
        var size = map.getSize(), ratio = window.devicePixelRatio || 1, canvas = this._canvas;
        L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
        canvas.width = size.x * ratio;
        canvas.height = size.y * ratio;
        canvas.style.width = size.x + "px";
        canvas.style.height = size.y + "px";
        var ctx = canvas.getContext("2d");
        ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
        drawn = cluster(size);
        drawSites(ctx, drawn);
      },
    });
    var sites = new SiteLayer();
    // The sites on screen, singly or in a cluster, in data order: what a reader can find by looking.
    sites.visible = function () {
      var out = [];
      drawn.forEach(function (g) { out = out.concat(g.sites); });
      return out.sort(function (a, b) { return a - b; });
    };

    // Greedy grid clustering in screen space: a site joins a cluster whose centre is within `reach`
    // pixels, else starts one. Each status is clustered on its own.
    function cluster(size) {
      var out = [], margin = 20, zoom = map.getZoom();
      DRAW_ORDER.forEach(function (status) {
        if (!shown[status]) return;
        var idx = byStatus[status];
        var reach = status === "undisputed" && idx.length > 300 ? 40 : 14;
        var grid = {}, groups = [];
        idx.forEach(function (i) {
          var p = map.latLngToContainerPoint([S.lat[i], S.lon[i]]);
          if (p.x < -margin || p.y < -margin || p.x > size.x + margin || p.y > size.y + margin) return;
          var gx = Math.floor(p.x / reach), gy = Math.floor(p.y / reach), best = null, bestD = reach * reach;
          for (var dx = -1; dx <= 1; dx++) for (var dy = -1; dy <= 1; dy++) {
            (grid[(gx + dx) + ":" + (gy + dy)] || []).forEach(function (g) {
              var d = (g.x - p.x) * (g.x - p.x) + (g.y - p.y) * (g.y - p.y);
              if (d < bestD) { best = g; bestD = d; }
            });
          }
          if (best) { best.sites.push(i); return; }
          var g = {x: p.x, y: p.y, sites: [i], status: status};
          (grid[gx + ":" + gy] = grid[gx + ":" + gy] || []).push(g);
          groups.push(g);
        });
        groups.forEach(function (g) {
          g.r = g.sites.length > 1 ? 9 + 4 * Math.log10(g.sites.length) : (status === "undisputed" ? 5 : 6.5);
          g.zoom = zoom;
        });
        out = out.concat(groups);
      });
      return out;
    }

    function metresPerPixel(lat) {
      return 40075016.686 * Math.cos(lat * Math.PI / 180) / Math.pow(2, map.getZoom() + 8);
    }

    function drawSites(ctx, groups) {
      groups.forEach(function (g) {  // uncertainty radii first, under every marker
        if (g.sites.length !== 1) return;
        var i = g.sites[0], r = S.radius[i] * 1000 / metresPerPixel(S.lat[i]);
        if (r < g.r + 3) return;
        ctx.beginPath();
        ctx.arc(g.x, g.y, r, 0, 2 * Math.PI);
        ctx.setLineDash([4, 3]);
        ctx.strokeStyle = STATUS[g.status];
        ctx.lineWidth = 1;
        ctx.fillStyle = "rgba(0,0,0,0.04)";
        ctx.fill();
        ctx.stroke();
        ctx.setLineDash([]);
      });
      groups.forEach(function (g) {
        ctx.beginPath();
        ctx.arc(g.x, g.y, g.r, 0, 2 * Math.PI);
        if (g.sites.length === 1) {
          var i = g.sites[0];
          ctx.fillStyle = color(owner(S.admin[i], S.views[i]));
          ctx.fill();
          ctx.lineWidth = g.status === "undisputed" ? 2 : 3;
          ctx.strokeStyle = STATUS[g.status];
          ctx.stroke();
        } else {
          // Undisputed clusters stay quiet, so that the disputed ones stand out among them.
          var quiet = g.status === "undisputed";
          ctx.fillStyle = quiet ? "rgba(255,255,255,0.75)" : "rgba(255,255,255,0.95)";
          ctx.fill();
          ctx.lineWidth = quiet ? 1.5 : 3;
          ctx.strokeStyle = quiet ? "#8a8a8a" : STATUS[g.status];
          ctx.stroke();
          ctx.fillStyle = quiet ? "#555" : STATUS[g.status];
          ctx.font = "bold 11px system-ui, sans-serif";
          ctx.textAlign = "center";
          ctx.textBaseline = "middle";
          var count = g.sites.length;
          ctx.fillText(count >= 10000 ? Math.round(count / 1000) + "k" : String(count), g.x, g.y + 0.5);
        }
      });
    }

    function hitSite(point) {
      for (var k = drawn.length - 1; k >= 0; k--) {
        var g = drawn[k], dx = g.x - point.x, dy = g.y - point.y;
        if (dx * dx + dy * dy <= (g.r + 3) * (g.r + 3)) return g;
      }
      return null;
    }

    function row(table, label, value) {
      var tr = el("tr");
      tr.appendChild(el("th", label));
      tr.appendChild(el("td", value));
      table.appendChild(tr);
    }
    function sitePopup(i) {
      var div = el("div", null, "cm-info");
      div.appendChild(el("b", S.name[i]));
      var table = el("table");
      row(table, "Status", STATUS_TEXT[S.status[i]]);
      row(table, "Disputed regions", S.regions[i].join(", ") || "none");
      row(table, "Administered by", ownerName(S.admin[i]));
      row(table, "Claimed by", S.claimed[i].map(name).join(", ") || "no one else");
      row(table, ownerLabel(), name(owner(S.admin[i], S.views[i])));
      if (S.status[i] !== "inside") {
        row(table, "Nearest disputed area",
            S.nearest[i] ? S.nearest[i] + " (" + S.nearestKm[i] + " km)" : "none");
      }
      row(table, "Coordinates", S.lat[i] + ", " + S.lon[i] + " \u00b1 " + S.radius[i] + " km");
      row(table, "Located by", S.source[i] + ": " + S.resolved[i]);
      row(table, "Match", "score " + S.score[i] + (S.ambiguous[i] ? ", ambiguous: one of several places" : ""));
      if (S.asOf && S.asOf[i]) row(table, "Claims as of", S.asOf[i]);
      div.appendChild(table);
      var says = S.says ? S.says[i] : [];
      if (says.length) {
        div.appendChild(el("div", "What the article says", "cm-head"));
        says.slice(0, 5).forEach(function (pair) {
          // The sentence as text, with the words that named the site marked.
          var q = el("blockquote"), sentence = pair[0], at = pair[1] ? sentence.indexOf(pair[1]) : -1;
          if (at < 0) q.textContent = sentence;
          else {
            q.appendChild(document.createTextNode(sentence.slice(0, at)));
            q.appendChild(el("mark", pair[1]));
            q.appendChild(document.createTextNode(sentence.slice(at + pair[1].length)));
          }
          div.appendChild(q);
        });
      }
      return div;
    }

    var popup = L.popup({maxWidth: 400}), popupSite = null;
    var tip = L.tooltip({direction: "top", offset: [0, -8]});
    function openSite(i) {
      popupSite = i;
      popup.setLatLng([S.lat[i], S.lon[i]]).setContent(sitePopup(i)).openOn(map);
    }
    popup.on("remove", function () { popupSite = null; });
    map.on("click", function (e) {
      if (measuring || !map.hasLayer(sites)) return;
      var g = hitSite(e.containerPoint);
      if (!g) return;
      if (g.sites.length === 1) return openSite(g.sites[0]);
      var bounds = L.latLngBounds(g.sites.map(function (i) { return [S.lat[i], S.lon[i]]; }));
      if (bounds.getNorthEast().equals(bounds.getSouthWest()) || map.getZoom() >= map.getMaxZoom()) {
        return openSite(g.sites[0]);  // sites on one spot: nothing to zoom into
      }
      map.fitBounds(bounds.pad(0.3), {maxZoom: map.getZoom() + 4});
    });
    map.on("mousemove", function (e) {
      var g = map.hasLayer(sites) ? hitSite(e.containerPoint) : null;
      map.getContainer().style.cursor = g ? "pointer" : "";
      if (!g) { map.closeTooltip(tip); return; }
      var text = g.sites.length === 1 ? S.name[g.sites[0]]
        : g.sites.length + " sites " + STATUS_TEXT[g.status] + ": click to zoom in";
      tip.setLatLng(map.containerPointToLatLng([g.x, g.y])).setContent(el("span", text));
      map.openTooltip(tip);
    });

    /* ---- labels: sites, regions and countries placed greedily without overlaps ---- */
    var labelBox = L.DomUtil.create("div", "cm-labels", map.getPane("cm-labels"));
    // Boxes taken on screen, in 64 px cells: labels and controls, and (apart) the site markers.
    var labelGrid, markerGrid, keyGrid;  // keyGrid: clusters and inside/near markers only
    function free(grid, box) {
      var x0 = Math.floor(box[0] / 64), x1 = Math.floor(box[2] / 64);
      var y0 = Math.floor(box[1] / 64), y1 = Math.floor(box[3] / 64);
      for (var x = x0; x <= x1; x++) for (var y = y0; y <= y1; y++) {
        var cell = grid[x + ":" + y] || [];
        for (var k = 0; k < cell.length; k++) {
          var b = cell[k];
          if (box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]) return false;
        }
      }
      return true;
    }
    function take(grid, box) {
      for (var x = Math.floor(box[0] / 64); x <= Math.floor(box[2] / 64); x++) {
        for (var y = Math.floor(box[1] / 64); y <= Math.floor(box[3] / 64); y++) {
          (grid[x + ":" + y] = grid[x + ":" + y] || []).push(box);
        }
      }
    }
    // Puts a label at the first free spot among `spots` ([dx, dy] of its top-left corner), clear of
    // the markers in `markers` (default: all; null: none).
    function place(lines, className, x, y, spots, font, markers) {
      if (markers === undefined) markers = markerGrid;
      var w = Math.max.apply(null, lines.map(function (t) { return textWidth(t, font); })) + 6;
      var h = 15 * lines.length + 2, size = map.getSize();
      for (var k = 0; k < spots.length; k++) {
        var left = x + spots[k][0](w, h), top = y + spots[k][1](w, h);
        var box = [left, top, left + w, top + h];
        if (left < 0 || top < 0 || left + w > size.x || top + h > size.y || !free(labelGrid, box)) continue;
        if (markers && !free(markers, box)) continue;
        take(labelGrid, box);
        var div = el("div", null, "cm-label " + className);
        lines.forEach(function (t, j) { div.appendChild(el(j ? "small" : "span", t)); });
        L.DomUtil.setPosition(div, map.containerPointToLayerPoint([left, top]));
        labelBox.appendChild(div);
        return true;
      }
      return false;
    }
    function fixed(v) { return function () { return v; }; }
    function SITE_SPOTS(r) {
      return [[fixed(r + 3), function (w, h) { return -h / 2; }],
              [function (w) { return -w - r - 3; }, function (w, h) { return -h / 2; }],
              [function (w) { return -w / 2; }, function (w, h) { return -h - r - 1; }],
              [function (w) { return -w / 2; }, fixed(r + 1)],
              [fixed(r - 2), function (w, h) { return -h - r + 2; }],
              [fixed(r - 2), fixed(r - 2)],
              [function (w) { return -w - r + 2; }, function (w, h) { return -h - r + 2; }],
              [function (w) { return -w - r + 2; }, fixed(r - 2)]];
    }
    var CENTRED = [[function (w) { return -w / 2; }, function (w, h) { return -h / 2; }]];
    // A region's label may move off its label point by up to a label's height or half its width.
    var AROUND = CENTRED.concat([
      [function (w) { return -w / 2; }, function (w, h) { return -1.5 * h; }],
      [function (w) { return -w / 2; }, function (w, h) { return 0.5 * h; }],
      [function (w) { return -w; }, function (w, h) { return -h / 2; }],
      [fixed(0), function (w, h) { return -h / 2; }]]);

    function placeLabels() {
      labelBox.textContent = "";
      labelGrid = {};
      markerGrid = {};
      keyGrid = {};
      var size = map.getSize(), placed = 0, origin = map.getContainer().getBoundingClientRect();
      // No label under the legend, the search box or the buttons.
      map.getContainer().querySelectorAll(".leaflet-control").forEach(function (c) {
        var b = c.getBoundingClientRect();
        take(labelGrid, [b.left - origin.left, b.top - origin.top, b.right - origin.left, b.bottom - origin.top]);
      });
      // A site label keeps off other markers; with a few hundred sites or fewer it may cover a single
      // undisputed one rather than be left out.
      function siteLabels(status) {
        drawn.forEach(function (g) {
          if (g.status !== status || g.sites.length !== 1 || placed >= MAX_LABELS) return;
          var text = [S.name[g.sites[0]]], cls = "cm-label-site cm-" + status, spots = SITE_SPOTS(g.r);
          if (place(text, cls, g.x, g.y, spots) || (n <= FEW && place(text, cls, g.x, g.y, spots, null, keyGrid))) {
            placed++;
          }
        });
      }
      drawn.forEach(function (g) {
        var box = [g.x - g.r, g.y - g.r, g.x + g.r, g.y + g.r];
        take(markerGrid, box);
        if (g.sites.length > 1 || g.status !== "undisputed") take(keyGrid, box);
      });
      // Regions first: they are few, and name the places the sites are in. A region is named once it
      // is 40 px across, clear of the markers if there is room, else over them.
      if (map.hasLayer(regions)) {
        var view = map.getBounds();
        regionLayers.forEach(function (layer) {
          var r = layer.region, b = layer.getBounds();
          if (!view.contains(r.label)) return;
          var ne = map.latLngToContainerPoint(b.getNorthEast()), sw = map.latLngToContainerPoint(b.getSouthWest());
          if (Math.max(ne.x - sw.x, sw.y - ne.y) < 40) return;
          var p = map.latLngToContainerPoint(r.label), own = state(regionOwner(r));
          var others = r.claimed.filter(function (c) { return c !== own; }).map(name);
          var who = data.selfAdmin.indexOf(own) >= 0 ? "self-administered" : name(own);
          var sub = viewer ? who + " on " + name(viewer) + "\u2019s map"
                           : who + (others.length ? "; claimed by " + others.join(", ") : "");
          place([r.name, sub], "cm-label-region", p.x, p.y, AROUND) ||
            place([r.name, sub], "cm-label-region", p.x, p.y, AROUND, null, null);
        });
      }
      siteLabels("inside");
      siteLabels("near");
      siteLabels("undisputed");
      if (map.hasLayer(basemap)) {
        var zoom = map.getZoom(), middle = size.divideBy(2);
        var onScreen = function (p) { return p.x >= 0 && p.y >= 0 && p.x <= size.x && p.y <= size.y; };
        data.basemap.countries.forEach(function (c) {
          if (c[3] > zoom + 1) return;
          var p = map.latLngToContainerPoint([c[1], c[2]]);
          // Natural Earth's label point, else (zoomed in) the spare point nearest the middle.
          if (!onScreen(p) && zoom >= 4) {
            p = c[4].map(function (q) { return map.latLngToContainerPoint(q); }).filter(onScreen)
              .sort(function (a, b) { return a.distanceTo(middle) - b.distanceTo(middle); })[0];
          }
          if (p && onScreen(p)) place([c[0]], "cm-label-country", p.x, p.y, CENTRED, "11px system-ui, sans-serif");
        });
      }
    }
    map.on("zoomstart", function () { labelBox.style.display = "none"; });
    map.on("zoomend", function () { labelBox.style.display = ""; });

    /* ---- legend: worldview switch, owners in view, status filter ---- */
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
      return line;
    }
    var owners = el("div");
    function updateLegend() {
      var seen = {}, view = map.getBounds();
      function see(code) {
        var state = data.context[code] || code;
        seen[state] = seen[state] || [];
        if (state !== code && seen[state].indexOf(code) < 0) seen[state].push(code);
      }
      if (map.hasLayer(regions)) {
        regionLayers.forEach(function (layer) {
          if (!view.intersects(layer.getBounds())) return;
          var r = layer.region;
          see(regionOwner(r));
          r.claimed.forEach(see);
        });
      }
      if (map.hasLayer(sites)) {
        for (var i = 0; i < n; i++) {
          if (shown[S.status[i]] && view.contains([S.lat[i], S.lon[i]])) see(owner(S.admin[i], S.views[i]));
        }
      }
      owners.textContent = "";
      owners.appendChild(el("div", "Fill: " + ownerLabel() + ". Stripes: other claimants.", "cm-note"));
      var codes = Object.keys(seen).sort(function (a, b) { return name(a).localeCompare(name(b)); });
      if (!codes.length) owners.appendChild(el("div", "no site or region in view", "cm-note"));
      codes.forEach(function (code) {
        var line = entry(owners, swatch(color(code)), ownerName(code));
        line.classList.add("cm-owner");
        if (seen[code].length) {
          line.appendChild(el("small", " incl. " + seen[code].map(function (e) {
            return e + " (Natural Earth unit)";
          }).join(", ")));
        }
      });
    }
    // The legend first: its new size is room the labels cannot take.
    function relabel() { updateLegend(); placeLabels(); }
    map.on("moveend zoomend resize overlayadd overlayremove baselayerchange", relabel);

    // Layers added in one script run (the page's start) relabel once, on the next frame.
    var pending = false;
    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; relabel(); });
    }

    function redrawAll() {
      if (map.hasLayer(sites)) sites.redraw();
      relabel();
    }

    function setViewer(code) {
      viewer = code;
      regionLayers.forEach(function (layer) { layer.setStyle(regionStyle(layer.region)); });
      redrawAll();
      if (popupSite !== null) popup.setContent(sitePopup(popupSite));
    }

    var counts = {inside: byStatus.inside.length, near: byStatus.near.length,
                  undisputed: byStatus.undisputed.length};
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
        box.appendChild(el("div", "Sites (ring: status)", "cm-head"));
        Object.keys(STATUS).forEach(function (s) {
          var line = el("label", null, "cm-status");
          var check = el("input");
          check.type = "checkbox";
          check.checked = true;
          check.value = s;
          check.addEventListener("change", function () { shown[s] = check.checked; redrawAll(); });
          line.appendChild(check);
          line.appendChild(swatch("#fff", STATUS[s]));
          line.appendChild(document.createTextNode(STATUS_TEXT[s] + " (" + counts[s] + ")"));
          box.appendChild(line);
        });
        box.appendChild(el("div", "Numbered circles: clustered sites; click to zoom in.", "cm-note"));
        if (data.asOf) box.appendChild(el("div", "Claims as of " + data.asOf, "cm-note cm-asof"));
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      },
    });
    new Legend().addTo(map);

    /* ---- search over site, region and country names ---- */
    var index = [];
    S.name.forEach(function (s, i) { index.push({text: s, kind: "site, " + S.status[i], site: i}); });
    data.regions.forEach(function (r, k) { index.push({text: r.name, kind: "disputed region", region: k}); });
    data.basemap.countries.forEach(function (c) {
      index.push({text: c[0], kind: "country", at: [c[1], c[2]]});
    });
    function go(hit) {
      if (hit.site !== undefined) {
        map.setView([S.lat[hit.site], S.lon[hit.site]], Math.max(map.getZoom(), 9));
        openSite(hit.site);
      } else if (hit.region !== undefined) {
        map.fitBounds(regionLayers[hit.region].getBounds(), {maxZoom: 9});
      } else {
        map.setView(hit.at, 5);
      }
    }
    var Search = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function () {
        var box = el("div", null, "cm-box cm-search"), input = el("input"), list = el("div", null, "cm-results");
        input.type = "search";
        input.placeholder = "Search sites, regions, countries";
        input.setAttribute("aria-label", "Search sites, regions and countries");
        var hits = [];
        function show() {
          var q = input.value.trim().toLowerCase();
          list.textContent = "";
          hits = [];
          if (!q) return;
          var starts = [], contains = [];
          for (var k = 0; k < index.length && starts.length < 8; k++) {
            var at = index[k].text.toLowerCase().indexOf(q);
            if (at === 0) starts.push(index[k]);
            else if (at > 0 && contains.length < 8) contains.push(index[k]);
          }
          hits = starts.concat(contains).slice(0, 8);
          hits.forEach(function (hit) {
            var b = el("button", null, "cm-result");
            b.type = "button";
            b.appendChild(el("span", hit.text));
            b.appendChild(el("small", " " + hit.kind));
            b.addEventListener("click", function () { go(hit); });
            list.appendChild(b);
          });
          if (!hits.length) list.appendChild(el("div", "no match", "cm-note"));
        }
        input.addEventListener("input", show);
        input.addEventListener("keydown", function (e) {
          if (e.key === "Enter" && hits.length) go(hits[0]);
          if (e.key === "Escape") { input.value = ""; show(); }
        });
        box.appendChild(input);
        box.appendChild(list);
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      },
    });
    new Search().addTo(map);

    /* ---- fullscreen and great-circle measuring ---- */
    var measuring = false, measureLine = L.polyline([], {color: "#1f4e79", weight: 2, dashArray: "5 4",
                                                        interactive: false});
    var measureOut = el("div", null, "cm-measure-out");
    function measureText() {
      var pts = measureLine.getLatLngs(), km = 0;
      for (var k = 1; k < pts.length; k++) km += pts[k - 1].distanceTo(pts[k]) / 1000;
      measureOut.textContent = pts.length < 2 ? "Click points on the map to measure"
        : "Great-circle distance: " + (km < 10 ? km.toFixed(2) : km.toFixed(1)) + " km";
    }
    // A 16 px line icon: no font has every symbol, and no icon file is fetched.
    function icon(path) {
      var ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg"),
          p = document.createElementNS(ns, "path");
      svg.setAttribute("viewBox", "0 0 16 16");
      svg.setAttribute("width", "16");
      svg.setAttribute("height", "16");
      p.setAttribute("d", path);
      p.setAttribute("fill", "none");
      p.setAttribute("stroke", "#222");
      p.setAttribute("stroke-width", "1.8");
      svg.appendChild(p);
      return svg;
    }
    function button(path, title, onClick) {
      var b = el("a", null, "cm-button");
      b.appendChild(icon(path));
      b.href = "#";
      b.title = title;
      b.setAttribute("role", "button");
      L.DomEvent.on(b, "click", function (e) { L.DomEvent.preventDefault(e); onClick(b); });
      return b;
    }
    var Tools = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function () {
        var bar = el("div", null, "leaflet-bar cm-tools");
        bar.appendChild(button("M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5", "Full screen", function () {
          var box = map.getContainer();
          if (document.fullscreenElement) document.exitFullscreen();
          else if (box.requestFullscreen) box.requestFullscreen();
        }));
        bar.appendChild(button("M1 11h14M1 8v6M15 8v6M5 11V9M8 11V8M11 11V9", "Measure a distance", function (b) {
          measuring = !measuring;
          b.classList.toggle("cm-active", measuring);
          measureLine.setLatLngs([]);
          if (measuring) {
            measureLine.addTo(map);
            measureText();
            map.getContainer().appendChild(measureOut);
          } else {
            measureLine.remove();
            measureOut.remove();
          }
        }));
        L.DomEvent.disableClickPropagation(bar);
        return bar;
      },
    });
    new Tools().addTo(map);
    map.on("click", function (e) {
      if (!measuring) return;
      measureLine.addLatLng(e.latlng);
      measureText();
    });
    document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });

    regions.on("add remove", schedule);
    basemap.on("add remove", schedule);
    return {basemap: basemap, regions: regions, sites: sites};
  }

  window.claimmap = {init: init};
})();
