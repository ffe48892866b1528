/* The chain-rule panel: a node's value, and its gradient as the sum over the edges out of it of
   local derivative x consumer's gradient; a parameter's optimizer state. Methods of Explorer
   (explorer.js). Part of the explorer's script. */

  Object.assign(Explorer.prototype, {
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
      grad.append(this.numberEl(this.gradOf(node), "grad", RED)); // while stepping: what has arrived so far
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
            [number(this.gradOf(model.dst[e])), "consumer-grad"],
            ["=", ""],
            [number(this.carriedOf(e)), "sent"],
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
    },

    inputNames(node) {
      const { model } = this.g;
      const names = [];
      for (let e = this.g.inStart[node]; e < this.g.inStart[node + 1] && names.length < 6; e++) names.push(model.name[model.src[e]]);
      const more = this.g.inStart[node + 1] - this.g.inStart[node] - names.length;
      return names.join(", ") + (more > 0 ? `, … (${more} more)` : "");
    },

    numberEl(x, field, colour) {
      const b = document.createElement("b");
      b.textContent = number(x);
      b.title = String(x);
      b.style.color = colour;
      b.setAttribute("data-field", field);
      return b;
    },

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
    },
  });
