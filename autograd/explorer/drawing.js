/* Laying out what is visible with ELK and drawing it as SVG; `paint` updates what stepping changes
   without a new layout. Methods of Explorer (explorer.js). Part of the explorer's script. */

  Object.assign(Explorer.prototype, {
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
    },

    textWidth(lines) {
      let widest = MIN_TEXT * this.measure.measureText("0").width;
      for (const line of lines) widest = Math.max(widest, this.measure.measureText(line).width);
      return Math.ceil(widest) + 2 * PAD;
    },

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
    },

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
    },

    hiddenLine(unit) {
      const ins = this.view.inputs.get(unit) || [];
      const hidden = ins.filter((u) => !this.shown.has(u)).length;
      return hidden ? `▸ ${hidden} input${hidden > 1 ? "s" : ""} hidden: click` : "";
    },

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
    },

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
    },

    firstNode(u) {
      if (u < this.g.n) return u;
      return this.g.n; // boxes after nodes: their members' order is not at hand, and is kept by ELK's crossing minimisation
    },

    /** A node's single plain-number operand is drawn as a grey constant feeding it, as in the pictures. */
    constants(node, where, root) {
      const list = this.g.consts.get(node);
      if (!list || list.length !== 1 || this.g.manyNumbers.has(this.g.model.op[node])) return;
      const text = short(list[0][0]);
      const width = Math.ceil(this.measure.measureText(text).width) + 8;
      where.children.push({ id: `c${node}`, width, height: LINE + 4 });
      root.edges.push({ id: `ce${node}`, sources: [`c${node}`], targets: [`u${node}`] });
    },

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
    },

    edgeName(pair) {
      const name = (u) => (u < this.g.n ? this.g.model.name[u] : this.g.model.boxes.name[u - this.g.n]);
      return `${name(pair.u)} → ${name(pair.v)}`;
    },

    // ---------------------------------------------------------------------------- drawing
    draw(laid) {
      const { n } = this.g;
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
    },

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
    },

    /** The panel takes room from the drawing: a drawing still as first fitted is fitted again. */
    refit() {
      if (!this.fitted) return;
      this.fit(this.fitted);
      this.applyTransform();
    },

    svgEl(tag, attrs, parent) {
      const node = document.createElementNS(SVG_NS, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      if (parent) parent.append(node);
      return node;
    },

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
    },

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
    },

    drawBox(parent, item, box) {
      const { model } = this.g;
      const residual = model.boxes.residual[box];
      const group = this.svgEl(
        "g",
        { class: "sx-box", "data-group": model.boxes.name[box], "data-expanded": "false" },
        parent,
      );
      this.boxRect(group, item, { rx: 6, fill: MODULE_FILL, stroke: residual ? SKIP : "#8b5cf6", "stroke-width": residual ? 2.5 : 1.2 });
      const texts = this.textLines(group, item, this.boxLines(box), ["#111827", GREEN, RED, GREY]);
      texts[0].setAttribute("font-weight", "bold");
      group.addEventListener("click", () => this.toggle(box));
      return { group, texts, kind: "box", index: box };
    },

    drawOpenBox(parent, item, box) {
      const { model } = this.g;
      const residual = model.boxes.residual[box];
      const group = this.svgEl(
        "g",
        { class: "sx-frame", "data-group": model.boxes.name[box], "data-expanded": "true", "data-depth": this.g.depth[box] },
        parent,
      );
      const look = residual ? { fill: "#faf5ff", stroke: SKIP, "stroke-width": 2 } : { fill: "#f9fafb", stroke: "#9ca3af", "stroke-width": 1 };
      this.boxRect(group, item, { rx: 8, ...look });
      const title = this.svgEl("text", { x: item.x + 8, y: item.y + 19, class: "sx-frame-title" }, group);
      title.textContent = `▾ ${model.boxes.name[box]}`;
      group.addEventListener("click", (event) => {
        if (event.target === title || event.target.tagName === "rect") this.toggle(box);
      });
    },

    /** A box's rectangle where the layout put it: a closed box, or an open box's frame (`look`: rx, fill, stroke). */
    boxRect(group, item, look) {
      return this.svgEl("rect", { x: item.x, y: item.y, width: item.width, height: item.height, ...look }, group);
    },

    drawConstant(parent, item, node) {
      const list = this.g.consts.get(node);
      const group = this.svgEl("g", { class: "sx-constant" }, parent);
      const t = this.svgEl("text", { x: item.x + item.width / 2, y: item.y + FONT_SIZE + 1, fill: GREY }, group);
      t.setAttribute("text-anchor", "middle");
      t.textContent = short(list[0][0]);
    },

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
    },

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
    },

  });
