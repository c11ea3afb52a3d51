// The script inlined into the svg and html pictures (browser JavaScript as text): draws the frames from
// the embedded tree, zooms on click, searches (regular expression or text) with the matched share, and
// shows each frame's share and time on hover. It loads nothing.

/** Browser code; `__FTK_DATA__` is replaced by the JSON tree. */
export const PICTURE_SCRIPT = String.raw`(function () {
  "use strict";
  var D = __FTK_DATA__;
  var NS = "http://www.w3.org/2000/svg";
  var svg = document.getElementById("fg");
  var framesG = document.getElementById("frames");
  var details = document.getElementById("details");
  var matchedEl = document.getElementById("matched");
  var W = D.width, ROW = D.row, PAD = 10, H = D.height;
  function decode(t, parent, depth) {
    var n = { name: D.names[t[0]], value: t[1], parent: parent, depth: depth, kids: [], el: null };
    var c = t[2] || [];
    for (var i = 0; i < c.length; i++) n.kids.push(decode(c[i], n, depth + 1));
    return n;
  }
  var root = decode(D.tree, null, 0);
  var zoomed = root;
  var searchRe = null;
  var drawn = [];
  function fmtValue(v) {
    if (D.unit !== "ns") return v + (v === 1 ? " sample" : " samples");
    if (v >= 1e9) return (v / 1e9).toFixed(3) + " s";
    if (v >= 1e6) return (v / 1e6).toFixed(3) + " ms";
    if (v >= 1e3) return (v / 1e3).toFixed(3) + " us";
    return v + " ns";
  }
  function pct(v) { return root.value > 0 ? (100 * v / root.value).toFixed(2) + "%" : "0%"; }
  function color(name) {
    var h = 0;
    for (var i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return "rgb(" + (205 + (h % 50)) + "," + (80 + ((h >>> 8) % 130)) + "," + (30 + ((h >>> 16) % 50)) + ")";
  }
  function describe(n) { return n.name + " (" + pct(n.value) + ", " + fmtValue(n.value) + ")"; }
  function addFrame(n, x, w) {
    var y = H - 34 - (n.depth + 1) * ROW;
    var g = document.createElementNS(NS, "g");
    g.setAttribute("class", "frame");
    var title = document.createElementNS(NS, "title");
    title.textContent = describe(n);
    g.appendChild(title);
    var r = document.createElementNS(NS, "rect");
    r.setAttribute("x", x.toFixed(2));
    r.setAttribute("y", y);
    r.setAttribute("width", Math.max(w - 0.5, 0.1).toFixed(2));
    r.setAttribute("height", ROW - 1);
    r.setAttribute("rx", 2);
    r.setAttribute("fill", color(n.name));
    r.setAttribute("data-name", n.name);
    g.appendChild(r);
    if (w > 24) {
      var t = document.createElementNS(NS, "text");
      t.setAttribute("x", (x + 3).toFixed(2));
      t.setAttribute("y", y + ROW - 5);
      var chars = Math.floor((w - 6) / 7);
      t.textContent = n.name.length <= chars ? n.name : n.name.slice(0, Math.max(chars - 2, 0)) + "..";
      g.appendChild(t);
    }
    g.addEventListener("click", function () { zoom(n); });
    g.addEventListener("mouseover", function () { details.textContent = describe(n); });
    g.addEventListener("mouseout", function () { details.textContent = " "; });
    n.el = r;
    drawn.push(n);
    framesG.appendChild(g);
  }
  function layout(n, x, scale) {
    var w = n.value * scale;
    if (w < 0.3) return;
    addFrame(n, x, w);
    var cx = x;
    for (var i = 0; i < n.kids.length; i++) {
      layout(n.kids[i], cx, scale);
      cx += n.kids[i].value * scale;
    }
  }
  function draw() {
    while (framesG.firstChild) framesG.removeChild(framesG.firstChild);
    drawn = [];
    var full = W - 2 * PAD;
    for (var a = zoomed.parent; a; a = a.parent) addFrame(a, PAD, full);
    layout(zoomed, PAD, zoomed.value > 0 ? full / zoomed.value : 0);
    svg.setAttribute("data-zoom", zoomed.name);
    paintSearch();
  }
  function zoom(n) { zoomed = n; draw(); }
  function matches(n) { return searchRe !== null && searchRe.test(n.name); }
  function paintSearch() {
    var total = 0;
    (function walk(n, under) {
      var m = matches(n);
      if (m && !under) total += n.value;
      for (var i = 0; i < n.kids.length; i++) walk(n.kids[i], under || m);
    })(root, false);
    for (var i = 0; i < drawn.length; i++) {
      var n = drawn[i];
      n.el.setAttribute("fill", matches(n) ? "rgb(230,0,230)" : color(n.name));
      n.el.setAttribute("class", matches(n) ? "match" : "");
    }
    matchedEl.textContent = searchRe === null ? "" : "Matched: " + pct(total);
    svg.setAttribute("data-matched", searchRe === null ? "" : pct(total));
  }
  function search(term) {
    if (!term) searchRe = null;
    else {
      try { searchRe = new RegExp(term); } catch (e) { searchRe = new RegExp(term.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&")); }
    }
    paintSearch();
  }
  var input = document.getElementById("search");
  if (input && input.tagName.toLowerCase() === "input") {
    input.addEventListener("input", function () { search(input.value); });
  } else if (input) {
    input.addEventListener("click", function () { var t = window.prompt("Search (regular expression)", ""); if (t !== null) search(t); });
  }
  var reset = document.getElementById("reset");
  if (reset) reset.addEventListener("click", function () { zoom(root); });
  window.ftkFlameGraph = { search: search, zoomTo: function (name) {
    for (var i = 0; i < drawn.length; i++) if (drawn[i].name === name) { zoom(drawn[i]); return true; }
    return false;
  } };
  draw();
})();`;
