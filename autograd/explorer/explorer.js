/* skipgrad's graph explorer: draws one graph model (autograd/explorer/model.py) as SVG, laid out by
   ELK (the global `ELK` of elkjs's bundled build, which the page inlines), with boxes that open and
   close, inputs revealed on click, a search box, the chain rule at a node, and backward step by step.
   Plain JS, no framework, no network. Only what is visible is laid out, so a graph of any size opens.

   Handles for tests and scripts: data-node (a node's name, as in grad_table), data-group and
   data-expanded (a box), data-action (the step controls), data-current (the node being processed),
   data-panel (the chain-rule panel).

   This file holds the Explorer's state and controls; drawing.js lays out and draws, panel.js writes
   the chain-rule panel, graph.js decides what is visible, text.js writes numbers. page.py joins them,
   in that order of dependence, into one script in one function scope (see its SCRIPTS). */

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
        // a model may ask to open at a step (render_steps's page opens at the seed, step 0)
        const start = model.frame;
        if (Number.isInteger(start) && start >= 0 && start < model.steps.length) {
          this.frame = start;
          this.replay();
          this.reveal(model.steps[start]);
        }
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
      if (this.selected >= 0) this.showPanel(this.selected); // the panel shows this step's numbers too
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
      if (model.captions) return model.captions[frame]; // Frame.caption, as written by render_steps
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
