/* journey-mining report: draws the page from the embedded data (no request, no library but
   BokehJS for the charts). The map's layout comes precomputed from Graphviz's dot, one per
   activities-slider level; this file only draws it, thins it and answers clicks. */
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("jm-data").textContent);
  const M = D.map;
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  const state = { level: M.default_level, pct: null, view: "frequency", colour: "", overlay: false,
                  variant: null, focus: null, chip: "stage", segment: "", shownVariants: 25 };
  const nodeByKey = Object.fromEntries(M.nodes.map((n) => [n.key, n]));
  const nodeByName = Object.fromEntries(M.nodes.map((n) => [n.name, n]));
  const variantByRank = Object.fromEntries(D.variants.rows.map((v) => [v.rank, v]));
  const devByActivity = {};
  (D.deviation_rates || []).forEach((d) => (devByActivity[d.activity] = devByActivity[d.activity] || []).push(d));

  /* ---------- formatting ---------- */
  const int = (n) => (n === null || n === undefined ? "–" : Math.round(n).toLocaleString("en-US"));
  const short = (n) => n >= 1e6 ? (n / 1e6).toFixed(1) + "M" : n >= 1e4 ? (n / 1e3).toFixed(0) + "k" : n >= 1e3 ? (n / 1e3).toFixed(1) + "k" : String(n);
  const pct = (x, d = 0) => (x === null || x === undefined ? "–" : (100 * x).toFixed(d) + "%");
  const num = (x, d = 2) => (x === null || x === undefined ? "–" : Number(x).toFixed(d));
  function dur(s) {
    if (s === null || s === undefined) return "–";
    if (s < 90) return Math.round(s) + " s";
    if (s < 5400) return Math.round(s / 60) + " min";
    if (s < 172800) return (s / 3600).toFixed(1) + " h";
    return (s / 86400).toFixed(1) + " d";
  }
  const esc = (t) => String(t ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  function el(tag, attrs, parent) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }
  const PALETTE = ["#a6c8ea", "#fdc58f", "#b5dfa8", "#d9c2e0", "#f6aca8", "#b3e0dc", "#f7e39a", "#dcc5b3", "#fccde2", "#d3d3d3"];
  const categories = {};
  function categoryColour(dimension, value) {
    if (!value) return "#e6e9ef";
    const list = (categories[dimension] = categories[dimension] || []);
    if (!list.includes(value)) list.push(value);
    return PALETTE[list.indexOf(value) % PALETTE.length];
  }
  function ramp(t, from, to) {
    const a = from.match(/\w\w/g).map((h) => parseInt(h, 16)), b = to.match(/\w\w/g).map((h) => parseInt(h, 16));
    return "rgb(" + a.map((x, i) => Math.round(x + (b[i] - x) * Math.max(0, Math.min(1, t)))).join(",") + ")";
  }

  /* ---------- header ---------- */
  function header() {
    const h = D.headline, w = h.analysis_window || {};
    $("subtitle").textContent = [
      h.observed_from ? `journeys from ${h.observed_from.slice(0, 10)} to ${(h.observed_until || "").slice(0, 10)}` : "",
      h.run ? `run ${h.run.run_id}` : "", `report built ${D.meta.generated_at} by journey-mining ${D.meta.version}`,
    ].filter(Boolean).join(" · ");
    const kpis = [["journeys", int(h.journeys)], ["events", int(h.events)], ["customers", int(h.customers)],
      ["variants", int(h.variants)], ["reached the goal" + (w.goal ? ` (${w.goal})` : ""), pct(h.reached_goal, 1)],
      ["fit the happy path", pct(h.fits_path, 1)], ["conform (path and timing)", pct(h.conforms, 1)]];
    $("kpis").innerHTML = kpis.filter((k) => k[1] !== "–").map(([l, v]) => `<div class="kpi"><b>${v}</b><span>${esc(l)}</span></div>`).join("");
  }

  /* ---------- process map ---------- */
  const svg = $("map");
  let viewBox = null, drawn = { edges: [], nodes: [] };
  const level = () => M.levels[state.level];
  function shownCount(lv, p) { return lv.n_skeleton + Math.round((p / 100) * (lv.edges.length - lv.n_skeleton)); }
  function defaultPct(lv) { const rest = lv.edges.length - lv.n_skeleton; return rest > 0 ? Math.floor((100 * (lv.default_edges - lv.n_skeleton)) / rest) : 100; }
  function variantPairs(rank) {
    const v = variantByRank[rank]; if (!v) return new Set();
    const path = ["START", ...v.activities, "END"], pairs = new Set();
    for (let i = 0; i + 1 < path.length; i++) pairs.add(path[i] + "\u0001" + path[i + 1]);
    return pairs;
  }
  function splinePath(points) {
    let d = `M${points[0]},${points[1]}`;
    for (let i = 2; i + 5 < points.length + 0; i += 6) d += ` C${points.slice(i, i + 6).join(",")}`;
    return d;
  }
  function curve(lv, e) {
    /* an edge dot did not route (a rare one): a plain curve from box to box */
    const a = lv.boxes[e.from], b = lv.boxes[e.to];
    if (!a || !b) return null;
    if (e.from === e.to) { const x = a[0] + a[2] / 2, y = a[1]; return [x, y - 8, x + 30, y - 22, x + 30, y + 22, x, y + 8]; }
    const down = b[1] >= a[1], y0 = a[1] + (down ? a[3] / 2 : -a[3] / 2), y1 = b[1] + (down ? -b[3] / 2 : b[3] / 2);
    const bend = down ? 0 : Math.max(a[2], b[2]) * 0.8;
    return [a[0], y0, a[0] + bend, y0 + (y1 - y0) / 3, b[0] + bend, y0 + (2 * (y1 - y0)) / 3, b[0], y1];
  }
  function midpoint(points) { const n = points.length / 2, i = Math.floor(n / 2) * 2; return [points[i], points[i + 1]]; }
  function edgeLabel(e) {
    if (e.kind === "ghost") return "never";
    if (state.view === "performance") return e.kind === "flow" ? dur(e.median_wait_s) : "";
    return short(e.kind === "flow" ? e.n_transitions : e.n_cases);
  }
  function draw() {
    const lv = level();
    if (state.pct === null) state.pct = defaultPct(lv);
    const n = shownCount(lv, state.pct);
    let visible = lv.edges.slice(0, n);
    const pairs = state.variant ? variantPairs(state.variant) : null;
    if (pairs) visible = [...new Set([...visible, ...lv.edges.filter((i) => pairs.has(M.edges[i].source + "\u0001" + M.edges[i].target))])];
    const ghosts = state.overlay ? M.edges.map((e, i) => (e.kind === "ghost" && lv.routes[i] ? i : -1)).filter((i) => i >= 0) : [];
    svg.innerHTML = "";
    const defs = el("defs", {}, svg);
    for (const [id, colour] of [["arrow", "#6b7a90"], ["arrow-v", "#7b3294"], ["arrow-g", "#2e8540"], ["arrow-r", "#c8423b"], ["arrow-o", "#d9822b"], ["arrow-p", "#a33"]]) {
      const m = el("marker", { id, viewBox: "0 0 10 10", refX: "1", refY: "5", markerWidth: "11", markerHeight: "11", markerUnits: "userSpaceOnUse", orient: "auto" }, defs);
      el("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }, m);
    }
    const gEdges = el("g", {}, svg), gNodes = el("g", {}, svg);
    const flows = visible.map((i) => M.edges[i]).filter((e) => e.kind === "flow");
    const maxN = Math.max(1, ...flows.map((e) => e.n_transitions));
    const maxTotal = Math.max(1, ...flows.map((e) => e.total_wait_s || 0));
    const maxWait = Math.max(1, ...flows.map((e) => e.median_wait_s || 0));
    drawn = { edges: [], nodes: [] };
    for (const i of [...visible, ...ghosts]) {
      const e = M.edges[i], pts = lv.routes[i] || curve(lv, e);
      if (!pts) continue;
      const weight = e.kind === "ghost" ? 0 : state.view === "performance" && e.kind === "flow" ? (e.total_wait_s || 0) / maxTotal : (e.kind === "flow" ? e.n_transitions : e.n_cases) / maxN;
      let colour = state.view === "performance" && e.kind === "flow" ? ramp(Math.sqrt((e.median_wait_s || 0) / maxWait), "f2c4a0", "a3261b") : ramp(Math.sqrt(weight), "a9b8cc", "233b61");
      let marker = "arrow", dash = "";
      if (state.overlay) {
        ({ colour, marker } = e.kind === "ghost" ? { colour: "#c8423b", marker: "arrow-r" } : e.path === "expected" ? { colour: "#2e8540", marker: "arrow-g" } : e.path === "off" ? { colour: "#d9822b", marker: "arrow-o" } : { colour: "#9aa3b2", marker: "arrow" });
        if (e.kind === "ghost") dash = "6 4";
      }
      const inVariant = pairs && pairs.has(e.source + "\u0001" + e.target);
      if (inVariant) { colour = "#7b3294"; marker = "arrow-v"; }
      const g = el("g", { class: "edge" + (pairs && !inVariant ? " faded" : ""), "data-edge": i, "data-kind": e.kind, "data-path": e.path || "", "data-highlight": inVariant ? "1" : "0" }, gEdges);
      if (e.kind === "start" || e.kind === "end") g.setAttribute("stroke-dasharray", "3 3");
      const d = splinePath(pts);
      el("path", { class: "hit", d }, g);
      const endpoint = e.kind === "start" || e.kind === "end";
      el("path", { class: "line", d, stroke: colour, "stroke-width": (inVariant ? 2 : 0) + (endpoint ? 1 + 2 * Math.sqrt(Math.max(0, weight)) : 1 + 7 * Math.sqrt(Math.max(0, weight))), "marker-end": `url(#${marker})`, "stroke-dasharray": dash }, g);
      const [lx, ly] = lv.labels[i] || midpoint(pts);
      const text = el("text", { x: lx, y: ly, "text-anchor": "middle", "dominant-baseline": "middle" }, g);
      text.textContent = edgeLabel(e);
      g.addEventListener("mouseenter", () => details({ edge: i }));
      g.addEventListener("click", (ev) => { ev.stopPropagation(); state.focus = { edge: i }; details({ edge: i }); mark(); });
      drawn.edges.push(i);
    }
    const showNodes = new Set([...lv.nodes, "s", "e", ...(state.overlay ? M.nodes.filter((n) => n.ghost).map((n) => n.key) : [])]);
    const maxEvents = Math.max(1, ...lv.nodes.map((k) => nodeByKey[k].n_events || 0));
    const variantActs = state.variant && variantByRank[state.variant] ? new Set(variantByRank[state.variant].activities) : null;
    for (const key of showNodes) {
      const box = lv.boxes[key];
      if (!box) continue;
      const [x, y, w, h] = box;
      if (key === "s" || key === "e") {
        const g = el("g", { class: "endpoint", "data-node": key }, gNodes);
        el("circle", { cx: x, cy: y, r: w / 2, fill: key === "s" ? "#2e8540" : "#c8423b" }, g);
        const t = el("text", { x, y: y + 4, "text-anchor": "middle", fill: "#fff", "font-size": "10px" }, g);
        t.textContent = key === "s" ? "▶" : "■";
        continue;
      }
      const node = nodeByKey[key];
      let fill = node.ghost ? "#fff" : ramp(Math.sqrt((node.n_events || 0) / maxEvents), "eef3fa", "2f5d9b");
      if (state.colour && !node.ghost) fill = categoryColour(state.colour, node[state.colour]);
      const dark = !state.colour && !node.ghost && (node.n_events || 0) / maxEvents > 0.45;
      const cls = ["node", node.ghost ? "ghost" : "", dark ? "dark" : "", variantActs && !variantActs.has(node.name) ? "faded" : ""];
      const g = el("g", { class: cls.join(" "), "data-node": key, "data-name": node.name }, gNodes);
      el("rect", { x: x - w / 2, y: y - h / 2, width: w, height: h, fill }, g);
      el("text", { x, y: y - 4, "text-anchor": "middle" }, g).textContent = node.name;
      const second = node.ghost ? "expected, never done" : state.view === "performance" ? `${pct(node.share)} of journeys` : `${int(node.n_events)} events`;
      el("text", { class: "count", x, y: y + 11, "text-anchor": "middle" }, g).textContent = second;
      if (state.overlay && devByActivity[node.name]) badges(gNodes, node, x + w / 2, y - h / 2);
      g.addEventListener("mouseenter", () => details({ node: key }));
      g.addEventListener("click", (ev) => { ev.stopPropagation(); state.focus = { node: key }; details({ node: key }); mark(); });
      drawn.nodes.push(key);
    }
    if (!viewBox) fit();
    else svg.setAttribute("viewBox", viewBox.join(" "));
    mark();
    controls();
  }
  function badges(parent, node, x, y) {
    const list = devByActivity[node.name].slice(0, 2);
    list.forEach((d, j) => {
      const label = `${d.kind.replace("_", " ")} ${short(d.n_journeys)}`;
      const g = el("g", { class: "badge" }, parent);
      const w = 7 * label.length + 8;
      el("rect", { x: x - w, y: y - 17 - j * 16, width: w, height: 15 }, g);
      el("text", { x: x - w / 2, y: y - 6 - j * 16, "text-anchor": "middle" }, g).textContent = label;
    });
  }
  function mark() {
    svg.querySelectorAll(".focus").forEach((e) => e.classList.remove("focus"));
    const f = state.focus;
    if (f && f.node) svg.querySelector(`[data-node="${f.node}"]`)?.classList.add("focus");
    if (f && f.edge !== undefined) svg.querySelector(`[data-edge="${f.edge}"]`)?.classList.add("focus");
    if (f && f.step) f.step.forEach((name) => { const n = nodeByName[name]; if (n) svg.querySelector(`[data-node="${n.key}"]`)?.classList.add("focus"); });
    const banner = $("map-banner");
    const v = state.variant && variantByRank[state.variant];
    banner.style.display = v ? "block" : "none";
    if (v) {
      const hidden = v.activities.filter((a) => !level().nodes.includes(nodeByName[a]?.key)).length;
      banner.textContent = `Variant #${v.rank}: ${int(v.n_cases)} journeys (${pct(v.share, 1)})` + (hidden ? ` · ${hidden} of its steps are hidden at this activities level` : "");
    }
  }
  function fit() {
    const lv = level();
    viewBox = [-20, -20, lv.width + 40, lv.height + 40];
    svg.setAttribute("viewBox", viewBox.join(" "));
  }
  function controls() {
    const lv = level();
    const a = $("activities"); a.max = M.levels.length - 1; a.value = state.level;
    const nActs = M.nodes.filter((n) => !n.ghost).length;
    $("activities-out").textContent = `${lv.nodes.length} of ${nActs}`;
    $("paths").value = state.pct;
    $("paths-out").textContent = `${shownCount(lv, state.pct)} of ${lv.edges.length} edges`;
    document.querySelectorAll("[data-view]").forEach((b) => b.classList.toggle("on", b.dataset.view === state.view));
    legend();
  }
  function legend() {
    const items = state.overlay
      ? [["#2e8540", "expected by the happy path, taken"], ["#c8423b", "expected, never taken (dashed)"], ["#d9822b", "not on the happy path"], ["#9aa3b2", "to or from an optional activity"]]
      : state.view === "performance" ? [["#a3261b", "edge colour: median wait; thickness: total waiting time"]] : [["#233b61", "edge thickness and colour: transitions; node colour: events"]];
    let html = items.map(([c, t]) => `<span><i style="border-color:${c}"></i>${t}</span>`).join("");
    if (state.colour) html += (categories[state.colour] || []).map((v) => `<span><i class="box" style="background:${categoryColour(state.colour, v)}"></i>${esc(v)}</span>`).join("");
    html += `<span>▶ start · ■ end (dashed: journeys starting or ending there)</span>`;
    if (state.overlay) html += `<span>red tags: deviations (journeys)</span>`;
    $("legend").innerHTML = html;
  }
  function rows(pairs) { return "<table>" + pairs.filter((p) => p[1] !== undefined).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v}</td></tr>`).join("") + "</table>"; }
  function rankLinks(ranks) {
    return (ranks || []).map((r) => `<a class="link" data-rank="${r}">#${r}</a>`).join(" ") || "–";
  }
  function mixLine(activity, dimension) {
    const values = D.mix.filter((m) => m.activity === activity && m.dimension === dimension);
    if (!values.length) return undefined;
    return values.map((m) => `${esc(m.value)} ${pct(m.n_events / m.n_events_with_value)}`).join(", ") + (values[0].n_values > values.length ? ` (+${values[0].n_values - values.length} more)` : "");
  }
  function details(target) {
    const box = $("details");
    if (target.edge !== undefined) {
      const e = M.edges[target.edge];
      const pathText = { expected: "expected by the happy path", off: "not on the happy path", optional: "to or from an optional activity" }[e.path] || "";
      box.innerHTML = `<h4>${esc(e.source)} → ${esc(e.target)}</h4>` + (e.kind === "ghost" ? "<p>Expected by the happy path; no journey goes directly from one to the other.</p>" :
        rows([["transitions", int(e.n_transitions)], ["journeys", `${int(e.n_cases)} (${pct(e.n_cases / M.n_journeys, 1)})`],
          ...(e.kind === "flow" ? [["median wait", dur(e.median_wait_s)], ["90th percentile", dur(e.p90_wait_s)], ["mean wait", dur(e.mean_wait_s)],
            ["shortest / longest", `${dur(e.min_wait_s)} / ${dur(e.max_wait_s)}`], ["total waiting time", dur(e.total_wait_s)]] : []),
          ["happy path", pathText || undefined]]) + `<div class="section">Top variants through it</div>${rankLinks(e.top_ranks)}`);
    } else if (target.node === "s" || target.node === "e") {
      const kind = target.node === "s" ? "start" : "end";
      const list = M.edges.filter((e) => e.kind === kind).slice(0, 8);
      box.innerHTML = `<h4>Journeys ${kind === "start" ? "start" : "end"} at</h4>` + rows(list.map((e) => [kind === "start" ? e.target : e.source, int(e.n_cases)]));
    } else if (target.node) {
      const n = nodeByKey[target.node];
      if (n.ghost) { box.innerHTML = `<h4>${esc(n.name)}</h4><p>A happy-path step no journey did.</p>`; return; }
      const devs = (devByActivity[n.name] || []).map((d) => [d.kind.replace("_", " "), `${int(d.n_journeys)} journeys` + (d.share_of_due !== undefined ? ` (${pct(d.share_of_due)} of those due)` : "")]);
      const rating = D.ratings[n.name];
      box.innerHTML = `<h4>${esc(n.name)}</h4>` + rows([["events", int(n.n_events)], ["journeys", `${int(n.n_cases)} (${pct(n.share, 1)})`],
        ["happy path", n.step_no ? `step ${n.step_no}` : n.path === "optional" ? "optional" : "not on the path"],
        ["stage", esc(n.stage || "–")], ["team", mixLine(n.name, "team")], ["channel", mixLine(n.name, "channel")], ["system", mixLine(n.name, "system")],
        ["done by", mixLine(n.name, "resource")], ["third party", mixLine(n.name, "third_party")],
        ["rating", rating ? (rating.mean_rating !== null ? `${num(rating.mean_rating, 2)} mean of ${int(rating.n_numeric)}` : mixLine(n.name, "rating")) : undefined]]) +
        (devs.length ? `<div class="section">Deviations here</div>` + rows(devs) : "") + `<div class="section">Top variants through it</div>${rankLinks(n.top_ranks)}`;
    }
    box.querySelectorAll("[data-rank]").forEach((a) => a.addEventListener("click", () => selectVariant(+a.dataset.rank)));
  }
  function panZoom() {
    let drag = null;
    svg.addEventListener("mousedown", (e) => { drag = [e.clientX, e.clientY, viewBox[0], viewBox[1]]; svg.style.cursor = "grabbing"; });
    window.addEventListener("mouseup", () => { drag = null; svg.style.cursor = "grab"; });
    window.addEventListener("mousemove", (e) => {
      if (!drag) return;
      const scale = viewBox[2] / svg.clientWidth;
      viewBox[0] = drag[2] - (e.clientX - drag[0]) * scale; viewBox[1] = drag[3] - (e.clientY - drag[1]) * scale;
      svg.setAttribute("viewBox", viewBox.join(" "));
    });
    svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const k = e.deltaY > 0 ? 1.15 : 1 / 1.15, r = svg.getBoundingClientRect();
      const fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
      const [x, y, w, h] = viewBox;
      viewBox = [x + fx * w * (1 - k), y + fy * h * (1 - k), w * k, h * k];
      svg.setAttribute("viewBox", viewBox.join(" "));
    }, { passive: false });
    svg.addEventListener("click", () => { state.focus = null; mark(); });
  }
  function setLevel(i) { state.level = Math.max(0, Math.min(M.levels.length - 1, i)); state.pct = defaultPct(level()); viewBox = null; draw(); }
  function selectVariant(rank) {
    state.variant = rank;
    const v = variantByRank[rank];
    if (v) { const need = Math.max(...v.activities.map((a) => M.levels.findIndex((lv) => lv.nodes.includes(nodeByName[a]?.key)))); if (need > state.level) { state.level = need; viewBox = null; } }
    draw(); variantsTable();
    $("map-section").scrollIntoView({ behavior: "instant", block: "start" });
  }
  function wireMap() {
    $("activities").addEventListener("input", (e) => setLevel(+e.target.value));
    $("paths").addEventListener("input", (e) => { state.pct = +e.target.value; draw(); });
    document.querySelectorAll("[data-view]").forEach((b) => b.addEventListener("click", () => { state.view = b.dataset.view; draw(); }));
    $("overlay").addEventListener("change", (e) => { state.overlay = e.target.checked; draw(); });
    $("colour-by").addEventListener("change", (e) => { state.colour = e.target.value; draw(); });
    $("fit").addEventListener("click", () => { fit(); });
    $("clear").addEventListener("click", () => { state.variant = null; state.focus = null; draw(); variantsTable(); });
    panZoom();
  }

  /* ---------- variants ---------- */
  function chips(activities) {
    return `<div class="chips">` + activities.map((a, i) => {
      const n = nodeByName[a] || {};
      return (i ? '<span class="arrow">›</span>' : "") + `<span class="chip" style="background:${categoryColour(state.chip, n[state.chip])}">${esc(a)}</span>`;
    }).join("") + "</div>";
  }
  function variantsTable() {
    const V = D.variants, cols = new Set(Object.keys(V.rows[0] || {}));
    let list = V.rows.filter((v) => v.rank <= 300 || state.variant === v.rank), counts = null;
    if (state.segment) {
      const [attr, value] = state.segment.split("\u0001"), seg = D.segments.variants[attr][value];
      counts = Object.fromEntries(seg.variants.map(([r, n]) => [r, n]));
      list = seg.variants.map(([r]) => variantByRank[r]).filter(Boolean);
      $("variants-note").textContent = `${int(seg.journeys)} journeys with ${attr} = ${value}: journeys and share within the segment; the other columns over all journeys.`;
    } else $("variants-note").textContent = `${int(V.n_variants)} variants in all; the ${Math.min(V.rows.length, 300)} most frequent are listed.` + (V.missing.length ? ` Not in this warehouse: ${V.missing.join(", ")}.` : "");
    const total = counts ? D.segments.variants[state.segment.split("\u0001")[0]][state.segment.split("\u0001")[1]].journeys : null;
    const head = [["#", "num"], ["steps", ""], ["journeys", "num"], ["share", "num"], ...(counts ? [] : [["cumulative", "num"]]),
      ...(cols.has("fitness") ? [["fitness", "num"]] : []), ...(cols.has("fits_path") ? [["fits path", ""]] : []),
      ...(cols.has("goal_rate") ? [["goal rate", "num"]] : []), ...(cols.has("median_duration_s") ? [["median duration", "num"]] : []), ["deviations", ""]];
    const body = list.slice(0, state.shownVariants).map((v) => {
      const n = counts ? counts[v.rank] : v.n_cases;
      const devs = (v.deviations || []).slice(0, 6).map((d) => `<span class="chip dev">${esc(d.kind.replace("_", " "))}: ${esc(d.activity)}</span>`).join(" ");
      return `<tr class="clickable${state.variant === v.rank ? " selected" : ""}" data-rank="${v.rank}"><td class="num">${v.rank}</td><td>${chips(v.activities)}</td>` +
        `<td class="num">${int(n)}</td><td class="num">${pct(counts ? n / total : v.share, 1)}</td>` + (counts ? "" : `<td class="num">${pct(v.cumulative_share)}</td>`) +
        (cols.has("fitness") ? `<td class="num">${num(v.fitness)}</td>` : "") + (cols.has("fits_path") ? `<td>${v.fits_path === null ? "–" : v.fits_path ? '<span class="yes">yes</span>' : '<span class="no">no</span>'}</td>` : "") +
        (cols.has("goal_rate") ? `<td class="num">${pct(v.goal_rate)}</td>` : "") + (cols.has("median_duration_s") ? `<td class="num">${dur(v.median_duration_s)}</td>` : "") + `<td>${devs || "–"}</td></tr>`;
    }).join("");
    $("variants").innerHTML = `<thead><tr>${head.map(([t, c]) => `<th class="${c}">${t}</th>`).join("")}</tr></thead><tbody>${body}</tbody>`;
    $("variants").querySelectorAll("tr[data-rank]").forEach((tr) => tr.addEventListener("click", () => selectVariant(+tr.dataset.rank)));
    $("more-variants").style.display = list.length > state.shownVariants ? "" : "none";
  }
  function wireVariants() {
    const select = $("segment");
    for (const [attr, values] of Object.entries(D.segments.variants || {}))
      for (const value of Object.keys(values)) select.insertAdjacentHTML("beforeend", `<option value="${esc(attr + "\u0001" + value)}">${esc(attr)} = ${esc(value)}</option>`);
    if (!Object.keys(D.segments.variants || {}).length) select.insertAdjacentHTML("beforeend", "<option disabled>the pipeline declares no segments</option>");
    select.addEventListener("change", (e) => { state.segment = e.target.value; variantsTable(); });
    $("chip-colour").addEventListener("change", (e) => { state.chip = e.target.value; variantsTable(); });
    $("more-variants").addEventListener("click", () => { state.shownVariants += 100; variantsTable(); });
  }

  /* ---------- funnel, findings ---------- */
  function funnelTable() {
    const F = D.funnel.rows;
    if (!F.length) { $("funnel-note").textContent = "No funnel: the happy path declares no steps (or the warehouse has no mining.funnel)."; return; }
    $("funnel-note").textContent = "Click a bar to find the step on the map." + (D.funnel.missing.length ? ` Not in this warehouse: ${D.funnel.missing.join(", ")}.` : "");
    const has = (c) => c in F[0];
    const cols = [["step", (r) => `${r.step_no}. ${esc(r.step)}`, ""], ["reached", (r) => int(r.reached), "num"],
      ...["went_on", "converted_here", "in_progress", "stopped", "skipped"].filter(has).map((c) => [c.replace("_", " "), (r) => int(r[c]), "num"]),
      ["conversion to next", (r) => pct(r.conversion_to_next), "num"], ["median wait", (r) => dur(r.median_s_from_previous), "num"],
      ["p90 wait", (r) => dur(r.p90_s_from_previous), "num"], ["window", (r) => dur(r.within_s ?? r.window_s), "num"],
      ["late", (r) => (r.reached ? pct((r.n_late || 0) / r.reached) : "–"), "num"]];
    $("funnel").innerHTML = `<thead><tr>${cols.map(([t, , c]) => `<th class="${c}">${t}</th>`).join("")}</tr></thead><tbody>` +
      F.map((r) => `<tr class="clickable" data-step="${r.step_no}">${cols.map(([, f, c]) => `<td class="${c}">${f(r)}</td>`).join("")}</tr>`).join("") + "</tbody>";
    $("funnel").querySelectorAll("tr[data-step]").forEach((tr) => tr.addEventListener("click", () => focusStep(+tr.dataset.step)));
  }
  function focusStep(stepNo) {
    const step = D.funnel.rows.find((r) => r.step_no === stepNo);
    if (!step) return;
    state.focus = { step: step.activities || [step.step] };
    const need = Math.max(0, ...state.focus.step.map((a) => M.levels.findIndex((lv) => lv.nodes.includes(nodeByName[a]?.key))));
    if (need > state.level) { state.level = need; state.pct = defaultPct(level()); viewBox = null; }
    draw();
    const n = nodeByName[state.focus.step[0]]; if (n) details({ node: n.key });
    $("map-section").scrollIntoView({ behavior: "instant", block: "start" });
  }
  function findingsTable() {
    const F = D.findings, all = $("all-findings").checked;
    const list = F.rows.filter((r) => all || r.in_default_view === undefined || r.in_default_view);
    const notes = [];
    if (F.missing.length) notes.push(`This warehouse's findings have no ${F.missing.join(", ")}: those parts are not shown.`);
    notes.push(`${int(list.length)} shown of ${int(F.n_findings)} findings over all journeys.`);
    $("findings-note").textContent = notes.join(" ");
    if (!list.length) { $("findings").innerHTML = `<tbody><tr><td class="absent">${F.rows.length ? "No finding is in the default view; tick the box to see every finding." : "No findings in this warehouse."}</td></tr></tbody>`; return; }
    const has = (c) => c in list[0];
    const interval = (r, a, lo, hi, f) => has(a) ? `${f(r[a])}` + (has(lo) && r[lo] !== null ? ` <span class="muted">[${f(r[lo])}, ${f(r[hi])}]</span>` : "") : "–";
    const signed = (x) => (x === null || x === undefined ? "–" : (x > 0 ? "+" : "") + (100 * x).toFixed(1) + " pt");
    const cols = [["#", (r) => r.rank ?? "", "num"], ["finding", (r) => `${esc(r.label || r.kind)}` + (r.population ? `<br><span class="muted">${esc(r.population)}</span>` : ""), ""],
      ...(has("kind") ? [["kind", (r) => esc((r.kind || "").replace("_", " ")), ""]] : []),
      ...(has("n_exposed") ? [["exposed", (r) => int(r.n_exposed), "num"]] : []),
      ...(has("rate_exposed") ? [["goal rate exposed / not", (r) => `${pct(r.rate_exposed, 1)} / ${pct(r.rate_unexposed, 1)}`, "num"]] : []),
      ...(has("difference") ? [["difference [95%]", (r) => interval(r, "difference", "difference_low", "difference_high", signed), "num"]] : []),
      ...(has("loss") ? [["goals lost [95%]", (r) => interval(r, "loss", "loss_low", "loss_high", (x) => num(x, 1)), "num"]] : []),
      ...(has("q_value") ? [["q", (r) => (r.q_value === null ? "–" : r.q_value < 0.001 ? "<0.001" : num(r.q_value, 3)), "num"]] : []),
      ...(has("replicated") ? [["replicated", (r) => (r.replicated ? '<span class="yes">yes</span>' : r.replicated === false ? '<span class="no">no</span>' : "–"), ""]] : []),
      ...(has("explained_loss") ? [["explained", (r) => num(r.explained_loss, 1), "num"]] : []),
      ["where", (r) => whereLinks(r), ""]];
    $("findings").innerHTML = `<thead><tr>${cols.map(([t, , c]) => `<th class="${c}">${t}</th>`).join("")}</tr></thead><tbody>` +
      list.map((r) => `<tr data-finding="${esc(r.finding_id || "")}">${cols.map(([, f, c]) => `<td class="${c}">${f(r)}</td>`).join("")}</tr>`).join("") + "</tbody>";
    $("findings").querySelectorAll("[data-go]").forEach((a) => a.addEventListener("click", () => go(JSON.parse(a.dataset.go))));
  }
  function whereLinks(r) {
    const out = [];
    if (r.from_activity && r.to_activity) out.push(["edge on map", { edge: [r.from_activity, r.to_activity] }]);
    else if (r.activity && nodeByName[r.activity]) out.push(["map", { node: r.activity }]);
    if (r.step_no !== null && r.step_no !== undefined && D.funnel.rows.length) out.push([`funnel step ${r.step_no}`, { step: r.step_no }]);
    return out.map(([t, g]) => `<a class="link" data-go='${esc(JSON.stringify(g))}'>${esc(t)}</a>`).join("") || "–";
  }
  function go(target) {
    if (target.step !== undefined && !target.edge && !target.node) return focusStep(target.step);
    if (target.node) {
      const n = nodeByName[target.node]; if (!n) return;
      const need = M.levels.findIndex((lv) => lv.nodes.includes(n.key));
      if (need > state.level) { state.level = need; state.pct = defaultPct(level()); viewBox = null; }
      state.focus = { node: n.key }; draw(); details({ node: n.key });
    } else if (target.edge) {
      const i = M.edges.findIndex((e) => e.source === target.edge[0] && e.target === target.edge[1]);
      if (i < 0) return;
      const need = M.levels.findIndex((lv) => lv.edges.includes(i));
      if (need > state.level) { state.level = need; viewBox = null; }
      const lv = level(), pos = lv.edges.indexOf(i);
      if (pos >= shownCount(lv, state.pct)) state.pct = Math.min(100, Math.ceil((100 * (pos + 1 - lv.n_skeleton)) / Math.max(1, lv.edges.length - lv.n_skeleton)));
      state.focus = { edge: i }; draw(); details({ edge: i });
    }
    $("map-section").scrollIntoView({ behavior: "instant", block: "start" });
  }
  function focusFinding(id) {
    const r = D.findings.rows.find((f) => f.finding_id === id);
    const row = document.querySelector(`#findings tr[data-finding="${id}"]`);
    if (row) { row.scrollIntoView({ block: "center" }); row.classList.add("selected"); }
    return r;
  }

  /* ---------- journey map ---------- */
  let group = 0;
  function painPoints(activity) {
    const found = D.findings.rows.filter((f) => (f.in_default_view ?? true) && (f.activity === activity || f.to_activity === activity)).slice(0, 3)
      .map((f) => esc(f.label || f.kind) + (f.loss !== undefined && f.loss !== null ? ` (${num(f.loss, 0)} goals lost)` : ""));
    const devs = (devByActivity[activity] || []).filter((d) => d.share_of_due === undefined || d.share_of_due >= 0.05).slice(0, 2)
      .map((d) => `${d.kind.replace("_", " ")} by ${int(d.n_journeys)} journeys`);
    return [...found, ...devs];
  }
  function journeyMap() {
    const J = D.journey_map;
    if (!J.groups.length) { $("journey-map").innerHTML = '<p class="absent">No journeys to map.</p>'; return; }
    $("groups").innerHTML = J.groups.map((g, i) => `<button class="${i === group ? "on" : ""}" data-group="${i}"><b>${String.fromCharCode(65 + i)} · ${pct(g.share)} of journeys</b>` +
      `<small>${int(g.n_journeys)} journeys, ${int(g.n_variants)} variants · ends with ${esc(g.activities[g.activities.length - 1])}</small></button>`).join("");
    $("groups").querySelectorAll("[data-group]").forEach((b) => b.addEventListener("click", () => { group = +b.dataset.group; journeyMap(); }));
    const g = J.groups[group];
    const stages = [...J.stages, ...new Set(g.touchpoints.map((t) => t.stage || "(no stage)").filter((s) => !J.stages.includes(s)))];
    const used = stages.filter((s) => g.touchpoints.some((t) => (t.stage || "(no stage)") === s));
    const voiceMissing = "";
    const cards = (s) => g.touchpoints.filter((t) => (t.stage || "(no stage)") === s).map((t) => {
      const pains = painPoints(t.activity).map((p) => `<div class="pain">⚠ ${p}</div>`).join("");
      const voice = t.n_rated ? `<div class="voice">voice: ${t.mean_rating !== null ? `${num(t.mean_rating, 2)} mean rating` : esc(t.top_rating) + " most often"} (${int(t.n_rated)} rated)</div>` : voiceMissing;
      return `<div class="tp${t.on_medoid ? "" : " off"}" data-activity="${esc(t.activity)}"><b>${esc(t.activity)}</b>` +
        `<div class="bar"><span style="width:${(100 * t.reach).toFixed(1)}%"></span></div>` +
        `<div class="meta">${pct(t.reach)} of these journeys · ${dur(t.median_since_start_s)} after the start (median)</div>` +
        `<div class="meta">team ${esc(t.team || "–")} · channel ${esc(t.channel || "–")} · system ${esc(t.system || "–")}</div>${pains}${voice}</div>`;
    }).join("");
    $("journey-map").innerHTML = `<div class="jm-path"><b>Representative journey (variant #${g.medoid_rank})</b> <a class="link" data-rank="${g.medoid_rank}">show on the map</a>${chips(g.activities)}</div>` +
      `<div class="jm-grid" style="grid-template-columns:repeat(${used.length}, minmax(200px, 1fr))">` +
      used.map((s) => `<div class="jm-stage"><h4>${esc(s)}</h4>${cards(s)}</div>`).join("") + "</div>" +
      `<p class="muted">Touchpoints done by at least 5% of this group's journeys; grey edge: not on the representative journey itself.` +
      (J.rating_missing ? " The exports do not carry the customer's voice (CSAT, ratings): no touchpoint shows one." : "") + "</p>";
    $("journey-map").querySelector("[data-rank]").addEventListener("click", () => selectVariant(g.medoid_rank));
  }

  /* ---------- six questions ---------- */
  function steps() {
    const Q = D.questions;
    if (!Q.steps.length) { $("steps").innerHTML = '<tbody><tr><td class="absent">No happy-path steps declared.</td></tr></tbody>'; return; }
    const answer = (step, q) => {
      if (q.dimension === "segment") {
        const attrs = Object.entries(step.who || {});
        if (!attrs.length) return `<span class="absent">${Q.segments_declared ? "no segment value reached this step" : "the pipeline declares no segments (segments: in the pipeline)"}</span>`;
        return attrs.map(([a, vs]) => { return `<b>${esc(a)}</b>: ` + vs.values.slice(0, 3).map((v) => `${esc(v[0])} ${pct((v[1] || 0) / (vs.n_reached || 1))}`).join(", "); }).join("<br>");
      }
      if (Q.missing[q.dimension]) return `<span class="absent">the exports do not carry ${esc(Q.missing[q.dimension])}</span>`;
      const m = step[q.key];
      if (!m || !m.values.length) return `<span class="absent">not recorded for this step's events</span>`;
      return m.values.map(([v, n]) => `${esc(v)} ${pct(n / (m.n_events || 1))}`).join(", ") + (m.n_values > m.values.length ? ` <span class="muted">(${int(m.n_values)} in all)</span>` : "");
    };
    $("steps").innerHTML = `<thead><tr><th>step</th>${Q.questions.map((q) => `<th>${esc(q.title)}</th>`).join("")}</tr></thead><tbody>` +
      Q.steps.map((s) => `<tr><td>${s.step_no}. ${esc(s.step)}</td>${Q.questions.map((q) => `<td>${answer(s, q)}</td>`).join("")}</tr>`).join("") + "</tbody>";
  }
  function notes() {
    const list = [...D.notes];
    for (const [k, what] of Object.entries(D.questions.missing || {})) list.push(`journey_events has no ${k} column: the report cannot say ${what}.`);
    if (M.unconnected.length) list.push(`Not on the map (no path from a start or to an end): ${M.unconnected.join(", ")}.`);
    list.push("Every number on this page comes from the warehouse's contract tables (schema mining) and the aggregates of sql/report/; see docs/report.md.");
    $("notes").innerHTML = list.map((n) => `<li>${esc(n)}</li>`).join("");
    $("provenance").textContent = `Built ${D.meta.generated_at} by journey-mining ${D.meta.version}.`;
  }
  function charts() {
    if (!window.Bokeh) return;
    for (const [key, id] of [["funnel", "funnel-chart"], ["trends", "trends-chart"], ["findings", "findings-chart"]]) {
      const item = D.charts[key];
      if (item) window.Bokeh.embed.embed_item(item, id);
      else $(id).innerHTML = `<p class="absent">${key === "trends" ? "Not enough months of journeys for a trend." : key === "findings" ? "No effect sizes to chart." : "No funnel."}</p>`;
    }
  }

  /* ---------- start, and hooks the browser test uses ---------- */
  window.JM = { focusStep, focusFinding, selectVariant, go, data: D,
    test: {
      visibleEdges: () => drawn.edges.filter((i) => M.edges[i].kind === "flow").length,
      visibleNodes: () => drawn.nodes.length,
      highlighted: () => svg.querySelectorAll('[data-highlight="1"]').length,
      setPaths: (p) => { state.pct = p; draw(); return window.JM.test.visibleEdges(); },
      setLevel: (i) => { setLevel(i); return level().nodes.length; },
      setView: (v) => { state.view = v; draw(); }, setOverlay: (on) => { state.overlay = on; $("overlay").checked = on; draw(); },
      state: () => ({ level: state.level, pct: state.pct, levels: M.levels.length, variant: state.variant }),
    } };
  header(); wireMap(); draw(); wireVariants(); variantsTable(); funnelTable(); findingsTable();
  $("all-findings").addEventListener("change", findingsTable);
  journeyMap(); steps(); notes(); charts();
  document.body.dataset.ready = "1";
})();
