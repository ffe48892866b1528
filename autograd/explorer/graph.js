/* The graph's arrays and what is visible: which units (nodes, or closed boxes standing for their
   nodes) are shown, from the output through the open ones, and opening them by budget. Part of the
   explorer's script (see page.py's SCRIPTS). */

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
