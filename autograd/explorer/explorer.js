/* skipgrad's graph explorer: draws one graph model (autograd/explorer/model.py) as SVG, laid out by
   ELK (the global `ELK` of elkjs's bundled build, which the page inlines), with boxes that open and
   close, inputs revealed on click, a search box, the chain rule at a node, and backward step by step.
   Plain JS, no framework, no network. Only what is visible is laid out, so a graph of any size opens.

   Handles for tests and scripts: data-node (a node's name, as in grad_table), data-group and
   data-expanded (a box), data-action (the step controls), data-current (the node being processed),
   data-panel (the chain-rule panel). */
(function (global) {
  "use strict";

  // SVG's namespace, read from an element the parser makes, so that no address appears in this file.
  const SVG_NS = (() => {
    const holder = document.createElement("div");
    holder.innerHTML = "<svg></svg>";
    return holder.firstChild.namespaceURI;
  })();
  const GREEN = "#1a7f37"; // values, flowing forward (as in the pictures)
  const RED = "#cf222e"; // gradients, flowing back
  const SKIP = "#7c3aed"; // skip paths
  const HIGHLIGHT = "#f97316"; // the step's node and the edges it pushes into
  const GREY = "#6b7280";
  const FILL = ["#dbeafe", "#fef3c7", "#f3f4f6", "#dcfce7"]; // input, parameter, op, output
  const MODULE_FILL = "#ede9fe";
  const BUDGET = 150; // about this many things are shown at first, and added by one click
  const NAME_WIDTH = 32; // a longer name is cut in the middle, as in the pictures
  const SHOWN_TERMS = 4; // a gradient summed from more edges shows these terms and "…"
  const SHOWN_OUTPUTS = 4; // a collapsed box lists this many of its outputs' numbers
  const FONT_SIZE = 12;
  const FONT = `${FONT_SIZE}px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace`;
  const LINE = 16;
  const PAD = 6;
  const MIN_TEXT = 12; // characters: room for a gradient that changes while stepping
  const READABLE = 0.4; // a drawing that fits only at a smaller scale opens zoomed in on the output
  // A view with more edges than this draws them without numbers (each edge's tooltip has them) and
  // asks ELK for a quicker layout: labels and thoroughness made a block's layout 5x slower.
  const QUIET_EDGES = 80;

  // ------------------------------------------------------------------------------ numbers as text
  /** Python's f"{x:.{precision}g}", with -0 as "0": pictures use 4 digits, tables 6. */
  function formatG(x, precision) {
    if (x === null || x === undefined || Number.isNaN(x)) return "?";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return "0";
    const [mantissa, exponent] = x.toExponential(precision - 1).split("e");
    const e = Number(exponent);
    let text;
    if (e < -4 || e >= precision) {
      text = `${stripZeros(mantissa)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    } else {
      text = stripZeros(x.toFixed(precision - 1 - e));
    }
    return text === "-0" ? "0" : text;
  }
  function stripZeros(text) {
    return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
  }
  const short = (x) => formatG(x, 4); // as the pictures show numbers
  const number = (x) => formatG(x, 6); // as grad_table and the step captions show them
  const term = (x) => (x >= 0 ? short(x) : `(${short(x)})`);
  const quoted = (name) => (/^[\w.#]+$/u.test(name) ? name : `“${name}”`);

  function cut(name) {
    if (name.length <= NAME_WIDTH) return name;
    const half = Math.floor((NAME_WIDTH - 3) / 2);
    return `${name.slice(0, half)} … ${name.slice(-half)}`;
  }

  // ------------------------------------------------------------------------------ the graph's arrays
  /** Index arrays over the model: the edges into each node (a range, as model.py writes them parent by
      parent) and out of each node (its consumers), boxes' depths, constants per node. */
  function prepare(model) {
    const n = model.name.length;
    const m = model.src.length;
    const g = { model, n, m, nb: model.boxes.name.length };
    g.inStart = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) g.inStart[model.dst[e] + 1]++;
    for (let i = 0; i < n; i++) g.inStart[i + 1] += g.inStart[i];
    g.outStart = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) g.outStart[model.src[e] + 1]++;
    for (let i = 0; i < n; i++) g.outStart[i + 1] += g.outStart[i];
    g.outEdge = new Int32Array(m);
    const fill = g.outStart.slice(0, n);
    for (let e = 0; e < m; e++) g.outEdge[fill[model.src[e]]++] = e;
    g.skip = new Uint8Array(m);
    for (const e of model.skip) g.skip[e] = 1;
    g.carried = new Float64Array(m); // what each edge sends back: local derivative x its parent's grad
    for (let e = 0; e < m; e++) {
      const local = model.local[e];
      g.carried[e] = local === null ? NaN : local * model.grad[model.dst[e]];
    }
    g.depth = new Int32Array(g.nb);
    for (let b = 0; b < g.nb; b++) {
      const p = model.boxes.parent[b];
      g.depth[b] = p < 0 ? 0 : g.depth[p] + 1; // parents come first in the model
    }
    g.size = new Int32Array(g.nb); // nodes inside each box, its inner boxes' included
    for (let i = 0; i < n; i++) {
      for (let b = model.box[i]; b >= 0; b = model.boxes.parent[b]) g.size[b]++;
    }
    g.consts = new Map();
    for (const [node, value, skip] of model.consts) {
      if (!g.consts.has(node)) g.consts.set(node, []);
      g.consts.get(node).push([value, skip]);
    }
    g.manyNumbers = new Set(model.many_numbers);
    g.byName = new Map();
    for (let i = n - 1; i >= 0; i--) g.byName.set(model.name[i], i); // the first node of a name wins
    g.boxByName = new Map(model.boxes.name.map((name, b) => [name, b]));
    g.pushFrame = new Int32Array(n).fill(2147483647); // the frame in which a node sends its gradient
    for (let f = model.steps.length - 1; f >= 1; f--) g.pushFrame[model.steps[f]] = f;
    return g;
  }

  /** Is box `b` inside box `outer` (or the same)? */
  function within(g, b, outer) {
    for (; b >= 0; b = g.model.boxes.parent[b]) if (b === outer) return true;
    return false;
  }

  // ------------------------------------------------------------------------------ what is visible
  /** The units drawn for the current expansion: a node, or the outermost collapsed box around it.
      Unit ids: node i is i, box b is n + b. Also the unit-level edges (each a list of graph edges). */
  function units(g, expanded) {
    const { model, n, nb } = g;
    const top = new Int32Array(nb);
    for (let b = 0; b < nb; b++) {
      const p = model.boxes.parent[b];
      top[b] = p >= 0 && top[p] >= 0 ? top[p] : expanded.has(b) ? -1 : b;
    }
    const unit = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const b = model.box[i];
      unit[i] = b >= 0 && top[b] >= 0 ? n + top[b] : i;
    }
    const count = n + nb;
    const pairs = new Map(); // v * count + u -> {u, v, edges}
    const inputs = new Map(); // unit -> the units feeding it
    const consumers = new Map(); // unit -> the units it feeds
    for (let e = 0; e < g.m; e++) {
      const u = unit[model.src[e]];
      const v = unit[model.dst[e]];
      if (u === v) continue;
      const key = v * count + u;
      let pair = pairs.get(key);
      if (pair === undefined) {
        pair = { u, v, edges: [] };
        pairs.set(key, pair);
        if (!inputs.has(v)) inputs.set(v, []);
        inputs.get(v).push(u);
        if (!consumers.has(u)) consumers.set(u, []);
        consumers.get(u).push(v);
      }
      pair.edges.push(e);
    }
    return { unit, pairs, inputs, consumers, root: unit[model.root] };
  }

  /** The units shown: the output's, and the inputs of every shown unit that is open. */
  function visible(view, open) {
    const shown = new Set([view.root]);
    const queue = [view.root];
    for (let q = 0; q < queue.length; q++) {
      const v = queue[q];
      if (!open.has(v)) continue;
      for (const u of view.inputs.get(v) || []) {
        if (!shown.has(u)) {
          shown.add(u);
          queue.push(u);
        }
      }
    }
    return shown;
  }

  /** Open units breadth first from `starts` (nearest inputs first) until about `budget` more are shown. */
  function openNearest(view, open, starts, budget) {
    const shown = visible(view, open);
    const seen = new Set(starts);
    const queue = [...starts];
    let added = 0;
    for (let q = 0; q < queue.length && added < budget; q++) {
      const v = queue[q];
      const ins = view.inputs.get(v) || [];
      const fresh = ins.filter((u) => !shown.has(u));
      if (added > 0 && added + fresh.length > budget) continue;
      open.add(v);
      for (const u of fresh) shown.add(u);
      added += fresh.length;
      for (const u of ins) {
        if (!seen.has(u)) {
          seen.add(u);
          queue.push(u);
        }
      }
    }
  }

  /** Open the units on a path from unit `target` to a shown unit, so that it is shown too. */
  function openPathTo(view, open, target) {
    const shown = visible(view, open);
    if (shown.has(target)) return;
    const cameFrom = new Map([[target, -1]]);
    const queue = [target];
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q];
      for (const v of view.consumers.get(u) || []) {
        if (cameFrom.has(v)) continue;
        cameFrom.set(v, u);
        if (shown.has(v)) {
          for (let w = v; w !== target; w = cameFrom.get(w)) open.add(w);
          return;
        }
        queue.push(v);
      }
    }
  }

  // ------------------------------------------------------------------------------ the explorer
  class Explorer {
    constructor(element, model) {
      this.element = element;
      this.elk = new global.ELK(); // elkjs's bundled build lays out in this thread: no worker, no URL
      this.measure = document.createElement("canvas").getContext("2d");
      this.measure.font = FONT;
      this.transform = null; // {x, y, k}, kept across layouts
      this.fitted = null; // the layout the transform was fitted to, until the user pans or zooms
      this.frame = -1; // the step shown; -1: not stepping, the gradients of the finished backward
      this.partial = null; // the gradients known at that step (null: all of them)
      this.timer = null;
      this.selected = -1;
      this.layoutRuns = 0;
      this.placed = new Map();
      this.shown = new Set();
      this.build();
      this.ready = this.load(model, null); // resolves once the first view is drawn
    }

    /** Take a new model; with `keep`, what was expanded and opened (by name) and the zoom stay. */
    load(model, keep) {
      this.g = prepare(model);
      this.expanded = new Set();
      this.open = new Set();
      this.frame = -1;
      this.partial = null;
      this.stopPlaying();
      this.selected = -1;
      this.view = units(this.g, this.expanded);
      if (keep) {
        for (const name of keep.expanded) if (this.g.boxByName.has(name)) this.expanded.add(this.g.boxByName.get(name));
        this.view = units(this.g, this.expanded);
        for (const name of keep.open) {
          if (this.g.byName.has(name)) this.open.add(this.g.byName.get(name));
          else if (this.g.boxByName.has(name)) this.open.add(this.g.n + this.g.boxByName.get(name));
        }
      } else {
        openNearest(this.view, this.open, [this.view.root], BUDGET - 1);
      }
      this.panel.hidden = true;
      return this.relayout();
    }

    /** The model of another graph, keeping what is expanded and the zoom (for a training loop). */
    update(model) {
      const keep = {
        expanded: [...this.expanded].map((b) => this.g.model.boxes.name[b]),
        open: [...this.open].map((u) => (u < this.g.n ? this.g.model.name[u] : this.g.model.boxes.name[u - this.g.n])),
      };
      return this.load(model, keep);
    }

    // ---------------------------------------------------------------------------- the page's parts
    build() {
      const el = (tag, attrs = {}, text = "") => {
        const node = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
        if (text) node.textContent = text;
        return node;
      };
      this.element.classList.add("skipgrad-explorer");
      const bar = el("div", { class: "sx-bar" });
      this.search = el("input", { type: "search", placeholder: "find a node by name", "data-control": "search" });
      this.search.addEventListener("keydown", (event) => {
        if (event.key === "Enter") this.find(this.search.value.trim());
      });
      bar.append(this.search);
      const buttons = [
        ["back", "◀ back"],
        ["step", "step ▶"],
        ["play", "play"],
        ["pause", "pause"],
      ];
      for (const [action, text] of buttons) {
        const button = el("button", { type: "button", "data-action": action }, text);
        button.addEventListener("click", () => this[action]());
        bar.append(button);
      }
      const speed = el("label", { class: "sx-speed" }, "speed ");
      this.speed = el("input", { type: "range", min: "1", max: "30", value: "3", "data-control": "speed" });
      this.speed.addEventListener("input", () => this.playing() && this.play());
      speed.append(this.speed, el("span", {}, " steps/s"));
      bar.append(speed);
      this.counter = el("span", { class: "sx-counter", "data-field": "step" });
      this.caption = el("span", { class: "sx-caption", "data-field": "caption" });
      bar.append(this.counter, this.caption);
      this.status = el("span", { class: "sx-status", "data-field": "status" });
      bar.append(this.status);
      this.svg = document.createElementNS(SVG_NS, "svg");
      this.svg.setAttribute("class", "sx-canvas");
      this.svg.innerHTML =
        `<defs>${[
          ["sx-arrow", "#9ca3af"],
          ["sx-arrow-skip", SKIP],
          ["sx-arrow-lit", HIGHLIGHT],
        ]
          .map(
            ([id, colour]) =>
              `<marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" ` +
              `markerUnits="userSpaceOnUse" ` +
              `orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${colour}"/></marker>`,
          )
          .join("")}</defs>`;
      this.scene = document.createElementNS(SVG_NS, "g");
      this.svg.append(this.scene);
      this.panel = el("aside", { class: "sx-panel", "data-panel": "" });
      this.panel.hidden = true;
      const main = el("div", { class: "sx-main" });
      main.append(this.svg, this.panel);
      this.element.append(bar, main);
      this.panZoom();
    }

    panZoom() {
      let drag = null;
      this.svg.addEventListener("wheel", (event) => {
        event.preventDefault();
        const t = this.transform;
        const box = this.svg.getBoundingClientRect();
        const px = event.clientX - box.left;
        const py = event.clientY - box.top;
        const factor = Math.exp(-event.deltaY * 0.0015);
        const k = Math.min(8, Math.max(0.02, t.k * factor));
        t.x = px - ((px - t.x) * k) / t.k;
        t.y = py - ((py - t.y) * k) / t.k;
        t.k = k;
        this.fitted = null;
        this.applyTransform();
      });
      this.svg.addEventListener("pointerdown", (event) => {
        if (event.target.closest("[data-node],[data-group]")) return;
        drag = { x: event.clientX, y: event.clientY, tx: this.transform.x, ty: this.transform.y };
        this.svg.setPointerCapture(event.pointerId);
      });
      this.svg.addEventListener("pointermove", (event) => {
        if (!drag) return;
        this.transform.x = drag.tx + event.clientX - drag.x;
        this.transform.y = drag.ty + event.clientY - drag.y;
        this.fitted = null;
        this.applyTransform();
      });
      this.svg.addEventListener("pointerup", () => (drag = null));
    }

    applyTransform() {
      const t = this.transform;
      this.scene.setAttribute("transform", `translate(${t.x},${t.y}) scale(${t.k})`);
    }

    // ---------------------------------------------------------------------------- interaction
    toggle(box) {
      if (this.expanded.has(box)) {
        for (const b of [...this.expanded]) if (within(this.g, b, box)) this.expanded.delete(b);
        this.view = units(this.g, this.expanded);
        this.open.add(this.g.n + box);
      } else {
        this.expanded.add(box);
        this.view = units(this.g, this.expanded);
        const shown = visible(this.view, this.open);
        const inside = [...shown].filter((u) =>
          u < this.g.n ? within(this.g, this.g.model.box[u], box) : within(this.g, u - this.g.n, box),
        );
        // the box's outputs that its consumers show count against the budget of one click
        openNearest(this.view, this.open, inside, Math.max(BUDGET / 5, BUDGET - inside.length));
      }
      return this.relayout();
    }

    /** Click on a node: the chain rule in the panel, and its inputs shown. */
    choose(node) {
      this.selected = node;
      this.showPanel(node);
      const u = this.view.unit[node];
      if (!this.open.has(u)) {
        this.open.add(u);
        return this.relayout();
      }
      this.paint();
      return Promise.resolve();
    }

    /** Show node `node`: open the boxes around it and a path to it from what is shown. */
    reveal(node) {
      let changed = false;
      for (let b = this.g.model.box[node]; b >= 0; b = this.g.model.boxes.parent[b]) {
        if (!this.expanded.has(b)) {
          this.expanded.add(b);
          changed = true;
        }
      }
      if (changed) this.view = units(this.g, this.expanded);
      const before = this.open.size;
      openPathTo(this.view, this.open, this.view.unit[node]);
      return changed || this.open.size !== before;
    }

    find(text) {
      if (!text) return Promise.resolve();
      let node = this.g.byName.get(text);
      if (node === undefined) {
        const lower = text.toLowerCase();
        node = this.g.model.name.findIndex((name) => name.toLowerCase().includes(lower));
      }
      if (node === undefined || node < 0) {
        this.status.textContent = `no node named ${text}`;
        return Promise.resolve();
      }
      this.status.textContent = "";
      this.selected = node;
      this.showPanel(node);
      const done = this.reveal(node) ? this.relayout() : Promise.resolve(this.paint());
      return done.then(() => this.centre(node));
    }

    centre(node) {
      const placed = this.placed.get(this.view.unit[node]);
      if (!placed) return;
      const box = this.svg.getBoundingClientRect();
      const t = this.transform;
      t.k = Math.max(t.k, 2 * READABLE); // a node found is shown readable
      this.fitted = null;
      t.x = box.width / 2 - (placed.x + placed.width / 2) * t.k;
      t.y = box.height / 2 - (placed.y + placed.height / 2) * t.k;
      this.applyTransform();
    }

    // ---------------------------------------------------------------------------- stepping
    step() {
      return this.goTo(Math.min(this.frame + 1, this.g.model.steps.length - 1));
    }
    back() {
      return this.goTo(Math.max(this.frame - 1, -1));
    }
    playing() {
      return this.timer !== null;
    }
    play() {
      this.stopPlaying();
      if (this.frame >= this.g.model.steps.length - 1) this.frame = -1; // from the start again
      this.timer = setInterval(() => {
        if (this.frame >= this.g.model.steps.length - 1) this.stopPlaying();
        else this.step();
      }, 1000 / Number(this.speed.value));
    }
    pause() {
      this.stopPlaying();
    }
    stopPlaying() {
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
    }

    goTo(frame) {
      this.frame = frame;
      this.replay();
      if (frame >= 0) {
        const node = this.g.model.steps[frame];
        const u = this.view.unit[node];
        if (u === node && !this.placed.has(u) && this.reveal(node)) return this.relayout();
      }
      this.paint();
      return Promise.resolve();
    }

    /** The gradients known after the frame shown, computed as backward_steps does, in its order. */
    replay() {
      const { model, n } = this.g;
      this.partial = null;
      if (this.frame < 0) return;
      const partial = new Float64Array(n).fill(NaN);
      partial[model.root] = 1;
      for (let f = 1; f <= this.frame; f++) {
        const v = model.steps[f];
        const upstream = Number.isNaN(partial[v]) ? 0 : partial[v];
        for (let e = this.g.inStart[v]; e < this.g.inStart[v + 1]; e++) {
          const local = model.local[e];
          if (local === null) continue;
          const c = model.src[e];
          partial[c] = (Number.isNaN(partial[c]) ? 0 : partial[c]) + local * upstream;
        }
      }
      this.partial = partial;
    }

    gradOf(node) {
      return this.partial === null ? this.g.model.grad[node] : this.partial[node];
    }
    /** What edge e carries back now: nothing (NaN) until its parent has sent its gradient. */
    carriedOf(e) {
      if (this.partial === null) return this.g.carried[e];
      const v = this.g.model.dst[e];
      if (this.g.pushFrame[v] > this.frame) return NaN;
      const local = this.g.model.local[e];
      return local === null ? NaN : local * this.partial[v];
    }

    captionOf(frame) {
      const { model } = this.g;
      const node = model.steps[frame];
      const name = quoted(model.name[node]);
      if (frame === 0) return `seed: ${name} is the output, so its gradient is 1`;
      const upstream = this.gradBefore(node);
      const sent = [];
      for (let e = this.g.inStart[node]; e < this.g.inStart[node + 1]; e++) {
        const child = quoted(model.name[model.src[e]]);
        const local = model.local[e];
        sent.push(local === null ? `? to ${child}` : `${number(local * upstream)} to ${child}`);
      }
      return `${name} (${model.op[node]}) sends ${sent.join(" and ")}`;
    }
    gradBefore(node) {
      const g = this.partial[node];
      return Number.isNaN(g) ? 0 : g;
    }

    // ---------------------------------------------------------------------------- layout
    relayout() {
      const shown = visible(this.view, this.open);
      this.shown = shown;
      const graph = this.elkGraph(shown);
      const started = performance.now();
      this.element.setAttribute("data-busy", "true");
      return this.elk.layout(graph).then((laid) => {
        this.layoutRuns++;
        this.lastLayoutMs = performance.now() - started;
        this.draw(laid);
        this.drawnAt = performance.now();
        this.element.removeAttribute("data-busy");
        this.element.setAttribute("data-layouts", String(this.layoutRuns));
      }).catch((error) => {
        // shown on the page (and in the console), so that a failure is never a silent blank
        this.element.removeAttribute("data-busy");
        this.element.setAttribute("data-error", String(error && error.message ? error.message : error));
        this.status.textContent = `layout failed: ${this.element.getAttribute("data-error")}`;
        console.error(error && error.stack ? error.stack : error);
      });
    }

    textWidth(lines) {
      let widest = MIN_TEXT * this.measure.measureText("0").width;
      for (const line of lines) widest = Math.max(widest, this.measure.measureText(line).width);
      return Math.ceil(widest) + 2 * PAD;
    }

    nodeLines(node) {
      const { model } = this.g;
      const op = model.pictures[model.op[node]] || model.op[node];
      let heading = cut(model.name[node]);
      if (op) {
        heading = `${heading}  (${op})`;
        const numbers = (this.g.consts.get(node) || []).map(([value]) => value);
        if (this.g.manyNumbers.has(model.op[node]) && numbers.length) {
          const listed = numbers.slice(0, 4).map(short).join(", ") + (numbers.length > 4 ? ", …" : "");
          heading += `  [${model.op[node] === "dot" ? "x" : "+"} = ${listed}]`;
        }
      }
      return [heading, `data ${short(model.data[node])}`, this.gradLine(node), this.hiddenLine(node)];
    }

    /** "grad 4 = 2 + 2" at a fork, as in the pictures: the terms are what each consumer sent back. */
    gradLine(node) {
      const grad = this.gradOf(node);
      if (Number.isNaN(grad)) return "grad ?";
      const terms = [];
      for (let k = this.g.outStart[node]; k < this.g.outStart[node + 1]; k++) {
        const carried = this.carriedOf(this.g.outEdge[k]);
        if (!Number.isNaN(carried)) terms.push(carried);
      }
      if (terms.length < 2) return `grad ${short(grad)}`;
      let line = `grad ${short(grad)} = ${terms.slice(0, SHOWN_TERMS).map(term).join(" + ")}`;
      if (terms.length > SHOWN_TERMS) line += ` + … (${terms.length} edges)`;
      return line;
    }

    hiddenLine(unit) {
      const ins = this.view.inputs.get(unit) || [];
      const hidden = ins.filter((u) => !this.shown.has(u)).length;
      return hidden ? `▸ ${hidden} input${hidden > 1 ? "s" : ""} hidden: click` : "";
    }

    boxLines(box) {
      const { model } = this.g;
      const unit = this.g.n + box;
      const outputs = [];
      for (const v of this.view.consumers.get(unit) || []) {
        const pair = this.view.pairs.get(v * (this.g.n + this.g.nb) + unit);
        for (const e of pair.edges) if (!outputs.includes(model.src[e])) outputs.push(model.src[e]);
      }
      if (this.view.root === unit) outputs.push(model.root);
      const few = outputs.slice(0, SHOWN_OUTPUTS);
      const more = outputs.length > SHOWN_OUTPUTS ? ", …" : "";
      return [
        `▣ ${model.boxes.title[box]}  (${this.g.size[box]} nodes)`,
        `out ${few.map((i) => short(model.data[i])).join(", ")}${more}`,
        `grad in ${few.map((i) => short(this.gradOf(i))).join(", ")}${more}`,
        this.hiddenLine(unit),
      ];
    }

    elkGraph(shown) {
      const { model, n } = this.g;
      const root = {
        id: "root",
        layoutOptions: {
          "elk.algorithm": "layered",
          "elk.direction": "RIGHT",
          "elk.hierarchyHandling": "INCLUDE_CHILDREN",
          "elk.json.shapeCoords": "ROOT",
          "elk.json.edgeCoords": "ROOT",
          "elk.layered.spacing.nodeNodeBetweenLayers": "36",
          "elk.spacing.nodeNode": "16",
          "elk.spacing.edgeLabel": "2",
          "elk.edgeLabels.placement": "CENTER",
        },
        children: [],
        edges: [],
      };
      const containers = new Map();
      const container = (b) => {
        if (b < 0) return root;
        let c = containers.get(b);
        if (c === undefined) {
          const title = `▾ ${model.boxes.name[b]}`;
          c = {
            id: `g${b}`,
            children: [],
            labels: [{ text: title, width: this.textWidth([title]), height: LINE }],
            layoutOptions: {
              "elk.padding": "[top=30,left=10,bottom=10,right=10]",
              "elk.nodeLabels.placement": "INSIDE V_TOP H_LEFT",
            },
          };
          containers.set(b, c);
          container(model.boxes.parent[b]).children.push(c); // as deep as boxes nest, not per node
        }
        return c;
      };
      // In topological order, so that ELK keeps the model's order where it can.
      const order = [...shown].sort((a, b) => this.firstNode(a) - this.firstNode(b));
      for (const u of order) {
        const lines = u < n ? this.nodeLines(u) : this.boxLines(u - n);
        const height = lines.filter(Boolean).length * LINE + 2 * PAD - 2;
        const where = u < n ? container(model.box[u]) : container(model.boxes.parent[u - n]);
        where.children.push({ id: `u${u}`, width: this.textWidth(lines), height });
        if (u < n) this.constants(u, where, root);
      }
      const drawn = [];
      for (const pair of this.view.pairs.values()) if (shown.has(pair.u) && shown.has(pair.v)) drawn.push(pair);
      this.quiet = drawn.length > QUIET_EDGES;
      if (this.quiet) root.layoutOptions["elk.layered.thoroughness"] = "1";
      for (const pair of drawn) {
        const edge = { id: `e${pair.u}_${pair.v}`, sources: [`u${pair.u}`], targets: [`u${pair.v}`] };
        if (!this.quiet) {
          const text = this.edgeLines(pair);
          const width = Math.max(...text.map((line) => this.measure.measureText(line).width)) + 6;
          edge.labels = [{ text: text.join("\n"), width, height: text.length * LINE }];
        }
        root.edges.push(edge);
      }
      return root;
    }

    firstNode(u) {
      if (u < this.g.n) return u;
      return this.g.n; // boxes after nodes: their members' order is not at hand, and is kept by ELK's crossing minimisation
    }

    /** A node's single plain-number operand is drawn as a grey constant feeding it, as in the pictures. */
    constants(node, where, root) {
      const list = this.g.consts.get(node);
      if (!list || list.length !== 1 || this.g.manyNumbers.has(this.g.model.op[node])) return;
      const text = short(list[0][0]);
      const width = Math.ceil(this.measure.measureText(text).width) + 8;
      where.children.push({ id: `c${node}`, width, height: LINE + 4 });
      root.edges.push({ id: `ce${node}`, sources: [`c${node}`], targets: [`u${node}`] });
    }

    edgeLines(pair) {
      const { model } = this.g;
      const boxes = pair.u >= this.g.n || pair.v >= this.g.n;
      if (pair.edges.length === 1) {
        const e = pair.edges[0];
        return [short(model.data[model.src[e]]), short(this.carriedOf(e))];
      }
      if (boxes) return [`${pair.edges.length} wires`];
      const carried = pair.edges.map((e) => this.carriedOf(e));
      const texts = carried.map(short);
      const grad = new Set(texts).size === 1 ? `${texts.length} × ${texts[0]}` : `Σ ${short(carried.reduce((a, b) => a + b, 0))}`;
      return [`×${pair.edges.length}`, short(model.data[model.src[pair.edges[0]]]), grad];
    }

    edgeName(pair) {
      const name = (u) => (u < this.g.n ? this.g.model.name[u] : this.g.model.boxes.name[u - this.g.n]);
      return `${name(pair.u)} → ${name(pair.v)}`;
    }

    // ---------------------------------------------------------------------------- drawing
    draw(laid) {
      const { model, n } = this.g;
      this.scene.textContent = "";
      this.placed = new Map();
      this.drawnNodes = new Map();
      this.drawnEdges = [];
      const frames = document.createElementNS(SVG_NS, "g");
      const wires = document.createElementNS(SVG_NS, "g");
      const shapes = document.createElementNS(SVG_NS, "g");
      this.scene.append(frames, wires, shapes);
      const stack = [...(laid.children || [])];
      while (stack.length) {
        const item = stack.pop();
        if (item.id[0] === "g") {
          this.drawOpenBox(frames, item, Number(item.id.slice(1)));
          stack.push(...(item.children || []));
        } else if (item.id[0] === "u") {
          const u = Number(item.id.slice(1));
          this.placed.set(u, item);
          const drawn = u < n ? this.drawNode(shapes, item, u) : this.drawBox(shapes, item, u - n);
          this.drawnNodes.set(u, drawn);
        } else {
          this.drawConstant(shapes, item, Number(item.id.slice(1)));
        }
      }
      // frames of outer boxes first, so inner ones sit on top
      [...frames.children]
        .sort((a, b) => Number(a.dataset.depth) - Number(b.dataset.depth))
        .forEach((child) => frames.append(child));
      for (const edge of laid.edges || []) this.drawEdge(wires, edge);
      if (this.transform === null) this.fit(laid);
      this.applyTransform();
      this.paint();
      if (this.selected >= 0) this.showPanel(this.selected);
      void model;
    }

    fit(laid) {
      const box = this.svg.getBoundingClientRect();
      const width = Math.max(box.width, 200);
      const height = Math.max(box.height, 200);
      const k = Math.min(1.2, (width - 20) / (laid.width || 1), (height - 20) / (laid.height || 1));
      this.transform = { k, x: (width - laid.width * k) / 2, y: (height - laid.height * k) / 2 };
      const output = this.placed.get(this.view.root);
      if (k < READABLE && output) {
        // too large to read whole: readable, with the output at the right and its inputs beside it
        const r = READABLE * 2;
        this.transform = {
          k: r,
          x: width - 30 - (output.x + output.width) * r,
          y: height / 2 - (output.y + output.height / 2) * r,
        };
      }
      this.fitted = laid; // refitted when the panel opens or closes, until the user pans or zooms
    }

    /** The panel takes room from the drawing: a drawing still as first fitted is fitted again. */
    refit() {
      if (!this.fitted) return;
      this.fit(this.fitted);
      this.applyTransform();
    }

    svgEl(tag, attrs, parent) {
      const node = document.createElementNS(SVG_NS, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      if (parent) parent.append(node);
      return node;
    }

    textLines(group, item, lines, colours) {
      const texts = [];
      let y = PAD + FONT_SIZE;
      lines.forEach((line, k) => {
        if (!line && k === 3) return;
        const t = this.svgEl("text", { x: item.x + PAD, y: item.y + y, fill: colours[k] }, group);
        t.textContent = line;
        texts.push(t);
        y += LINE;
      });
      return texts;
    }

    drawNode(parent, item, node) {
      const { model } = this.g;
      const group = this.svgEl("g", { class: "sx-node", "data-node": model.name[node] }, parent);
      this.svgEl(
        "rect",
        { x: item.x, y: item.y, width: item.width, height: item.height, rx: 4, fill: FILL[model.kind[node]] },
        group,
      );
      const title = this.svgEl("title", {}, group);
      title.textContent = model.name[node];
      const texts = this.textLines(group, item, this.nodeLines(node), ["#111827", GREEN, RED, GREY]);
      texts[0].setAttribute("font-weight", "bold");
      texts[1].setAttribute("data-field", "data");
      texts[2].setAttribute("data-field", "grad");
      group.addEventListener("click", () => this.choose(node));
      return { group, texts, kind: "node", index: node };
    }

    drawBox(parent, item, box) {
      const { model } = this.g;
      const residual = model.boxes.residual[box];
      const group = this.svgEl(
        "g",
        { class: "sx-box", "data-group": model.boxes.name[box], "data-expanded": "false" },
        parent,
      );
      this.svgEl(
        "rect",
        {
          x: item.x,
          y: item.y,
          width: item.width,
          height: item.height,
          rx: 6,
          fill: MODULE_FILL,
          stroke: residual ? SKIP : "#8b5cf6",
          "stroke-width": residual ? 2.5 : 1.2,
        },
        group,
      );
      const texts = this.textLines(group, item, this.boxLines(box), ["#111827", GREEN, RED, GREY]);
      texts[0].setAttribute("font-weight", "bold");
      group.addEventListener("click", () => this.toggle(box));
      return { group, texts, kind: "box", index: box };
    }

    drawOpenBox(parent, item, box) {
      const { model } = this.g;
      const residual = model.boxes.residual[box];
      const group = this.svgEl(
        "g",
        { class: "sx-frame", "data-group": model.boxes.name[box], "data-expanded": "true", "data-depth": this.g.depth[box] },
        parent,
      );
      this.svgEl(
        "rect",
        {
          x: item.x,
          y: item.y,
          width: item.width,
          height: item.height,
          rx: 8,
          fill: residual ? "#faf5ff" : "#f9fafb",
          stroke: residual ? SKIP : "#9ca3af",
          "stroke-width": residual ? 2 : 1,
        },
        group,
      );
      const title = this.svgEl("text", { x: item.x + 8, y: item.y + 19, class: "sx-frame-title" }, group);
      title.textContent = `▾ ${model.boxes.name[box]}`;
      group.addEventListener("click", (event) => {
        if (event.target === title || event.target.tagName === "rect") this.toggle(box);
      });
    }

    drawConstant(parent, item, node) {
      const list = this.g.consts.get(node);
      const group = this.svgEl("g", { class: "sx-constant" }, parent);
      const t = this.svgEl("text", { x: item.x + item.width / 2, y: item.y + FONT_SIZE + 1, fill: GREY }, group);
      t.setAttribute("text-anchor", "middle");
      t.textContent = short(list[0][0]);
    }

    drawEdge(parent, edge) {
      const section = (edge.sections || [])[0];
      if (!section) return;
      const points = [section.startPoint, ...(section.bendPoints || []), section.endPoint];
      const d = points.map((p, k) => `${k ? "L" : "M"}${p.x},${p.y}`).join(" ");
      const constant = edge.id.startsWith("ce");
      const path = this.svgEl("path", { d, fill: "none", class: "sx-edge" }, parent);
      const tooltip = this.svgEl("title", {}, path);
      const label = (edge.labels || [])[0];
      const texts = [];
      if (label && label.text) {
        const group = this.svgEl("g", { class: "sx-edge-label" }, parent);
        label.text.split("\n").forEach((line, k, all) => {
          const colour = all.length === 1 ? GREY : k === all.length - 1 ? RED : k === all.length - 2 ? GREEN : "#111827";
          const t = this.svgEl("text", { x: label.x + 2, y: label.y + FONT_SIZE + k * LINE - 1, fill: colour }, group);
          t.textContent = line;
          texts.push(t);
        });
      }
      if (constant) {
        const node = Number(edge.id.slice(2));
        const skip = this.g.consts.get(node)[0][1];
        path.setAttribute("stroke", skip ? SKIP : GREY);
        path.setAttribute("stroke-dasharray", "4 3");
        return;
      }
      const [u, v] = edge.id.slice(1).split("_").map(Number);
      const pair = this.view.pairs.get(v * (this.g.n + this.g.nb) + u);
      this.drawnEdges.push({ path, texts, pair, tooltip });
    }

    /** Colours, highlights and the numbers that stepping changes, without a new layout. */
    paint() {
      const { model } = this.g;
      const current = this.frame >= 0 ? model.steps[this.frame] : -1;
      const currentUnit = current >= 0 ? this.view.unit[current] : -1;
      for (const [u, drawn] of this.drawnNodes) {
        if (drawn.kind === "node") {
          drawn.texts[2].textContent = this.gradLine(u);
        } else {
          drawn.texts[2].textContent = this.boxLines(drawn.index)[2];
        }
        const isCurrent = u === currentUnit;
        if (isCurrent) drawn.group.setAttribute("data-current", "");
        else drawn.group.removeAttribute("data-current");
        const selected = drawn.kind === "node" && u === this.selected;
        drawn.group.classList.toggle("sx-selected", selected);
      }
      for (const { path, texts, pair, tooltip } of this.drawnEdges) {
        const skip = pair.edges.every((e) => this.g.skip[e]);
        const lit = current >= 0 && pair.edges.some((e) => model.dst[e] === current) && this.frame > 0;
        const colour = lit ? HIGHLIGHT : skip ? SKIP : "#9ca3af";
        path.setAttribute("stroke", colour);
        path.setAttribute("stroke-width", lit ? 3 : skip ? 2.5 : 1.3);
        path.setAttribute("marker-end", `url(#${lit ? "sx-arrow-lit" : skip ? "sx-arrow-skip" : "sx-arrow"})`);
        path.classList.toggle("sx-lit", lit);
        path.classList.toggle("sx-skip", skip);
        const lines = this.edgeLines(pair);
        if (texts.length > 1) texts[texts.length - 1].textContent = lines.at(-1);
        tooltip.textContent = `${this.edgeName(pair)}\n${lines.join("  ")}`;
      }
      const steps = model.steps.length;
      if (this.frame < 0) {
        this.counter.textContent = `${steps} steps`;
        this.caption.textContent = "gradients after backward; step to watch it";
      } else {
        this.counter.textContent = `step ${this.frame} of ${steps - 1}`;
        this.caption.textContent = this.captionOf(this.frame);
      }
      this.element.setAttribute("data-frame", String(this.frame));
    }

    // ---------------------------------------------------------------------------- the panel
    /** The chain rule at a node: grad = Σ over its consumers of local derivative x consumer's grad. */
    showPanel(node) {
      const { model } = this.g;
      const p = this.panel;
      const opening = p.hidden;
      p.hidden = false;
      if (opening) this.refit();
      p.textContent = "";
      p.setAttribute("data-panel", model.name[node]); // the node it shows (data-node is for drawn nodes only)
      const add = (tag, text, attrs = {}) => {
        const el = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
        if (text !== undefined) el.textContent = text;
        p.append(el);
        return el;
      };
      const close = add("button", "×", { type: "button", class: "sx-close", "aria-label": "close" });
      close.addEventListener("click", () => {
        p.hidden = true;
        this.selected = -1;
        this.refit();
        this.paint();
      });
      add("h2", model.name[node], { "data-field": "name" });
      const op = model.op[node];
      const kinds = ["input", "parameter", "op", "output"];
      add("p", op ? `${kinds[model.kind[node]]}: ${model.pictures[op] || op} of ${this.inputNames(node)}` : kinds[model.kind[node]], {
        class: "sx-kind",
      });
      const value = add("p", "value ");
      value.append(this.numberEl(model.data[node], "data", GREEN));
      const grad = add("p", "grad ");
      grad.append(this.numberEl(model.grad[node], "grad", RED));
      const start = this.g.outStart[node];
      const end = this.g.outStart[node + 1];
      if (node === model.root) {
        add("p", "the output: d output / d output = 1", { class: "sx-note" });
      } else if (start === end) {
        add("p", "nothing consumes it: its gradient is 0", { class: "sx-note" });
      } else {
        add("p", `= Σ over the ${end - start} edge${end - start > 1 ? "s" : ""} out of it: local derivative × consumer's grad`, {
          class: "sx-note",
        });
        const table = add("table", undefined, { class: "sx-terms" });
        const head = document.createElement("tr");
        for (const h of ["consumer", "local", "", "its grad", "", "sent back"]) {
          const th = document.createElement("th");
          th.textContent = h;
          head.append(th);
        }
        table.append(head);
        for (let k = start; k < end; k++) {
          const e = this.g.outEdge[k];
          const row = document.createElement("tr");
          row.setAttribute("data-term", "");
          if (this.g.skip[e]) row.classList.add("sx-skip");
          const cells = [
            [model.name[model.dst[e]], "consumer"],
            [number(model.local[e]), "local"],
            ["×", ""],
            [number(model.grad[model.dst[e]]), "consumer-grad"],
            ["=", ""],
            [number(this.g.carried[e]), "sent"],
          ];
          for (const [text, field] of cells) {
            const td = document.createElement("td");
            td.textContent = text;
            if (field) td.setAttribute("data-field", field);
            row.append(td);
          }
          table.append(row);
        }
      }
      this.optimizerRows(node, add);
    }

    inputNames(node) {
      const { model } = this.g;
      const names = [];
      for (let e = this.g.inStart[node]; e < this.g.inStart[node + 1] && names.length < 6; e++) names.push(model.name[model.src[e]]);
      const more = this.g.inStart[node + 1] - this.g.inStart[node] - names.length;
      return names.join(", ") + (more > 0 ? `, … (${more} more)` : "");
    }

    numberEl(x, field, colour) {
      const b = document.createElement("b");
      b.textContent = number(x);
      b.title = String(x);
      b.style.color = colour;
      b.setAttribute("data-field", field);
      return b;
    }

    optimizerRows(node, add) {
      const state = this.g.model.optimizer;
      if (!state) return;
      const k = state.node.indexOf(node);
      if (k < 0) return;
      add("h3", `${state.type} state${state.steps !== null ? ` after ${state.steps} steps` : ""}`);
      for (const [field, values] of Object.entries(state.fields)) {
        const row = add("p", `${field} `);
        row.append(this.numberEl(values[k], `optimizer-${field}`, "#111827"));
      }
    }
  }

  global.SkipgradExplorer = {
    /** Draw `model` into `element`; returns the Explorer (its `ready` promise resolves when drawn). */
    mount(element, model) {
      const explorer = new Explorer(element, model);
      global.skipgradExplorer = explorer;
      return explorer;
    },
    formatG,
  };
})(typeof window !== "undefined" ? window : globalThis);
