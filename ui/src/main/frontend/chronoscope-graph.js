import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';
import fcose from 'cytoscape-fcose';

cytoscape.use(dagre);
cytoscape.use(fcose);

// Shape and colour by node kind (io.chronoscope.topology.Kinds); unknown kinds fall back to grey.
const STYLE = [
  {
    selector: 'node',
    style: {
      'label': 'data(label)',
      'shape': 'ellipse',
      'width': 34,
      'height': 34,
      'background-color': '#718096',
      'border-width': 2,
      'border-color': '#ffffff',
      'color': '#1a202c',
      'font-size': 13,
      'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      'text-valign': 'bottom',
      'text-halign': 'center',
      'text-margin-y': 5,
      'text-background-color': '#ffffff',
      // Translucent, so an arrowhead under a label still shows which way a connection goes.
      'text-background-opacity': 0.6,
      'text-background-padding': 2,
      'text-background-shape': 'roundrectangle',
      'text-wrap': 'ellipsis',
      'text-max-width': 180,
      // Labels of a zoomed-out large graph cost more than they tell.
      'min-zoomed-font-size': 7
    }
  },
  { selector: 'node[kind = "process"]', style: { 'shape': 'ellipse', 'background-color': '#2b6cb0' } },
  { selector: 'node[kind = "process-group"]', style: { 'shape': 'round-rectangle', 'background-color': '#6b46c1', 'width': 44 } },
  { selector: 'node[kind = "host"]', style: { 'shape': 'hexagon', 'background-color': '#2f855a', 'width': 44, 'height': 40 } },
  { selector: 'node[kind = "remote"]', style: { 'shape': 'diamond', 'background-color': '#c05621' } },
  { selector: 'node[kind = "container"], node[kind = "container-group"]', style: { 'shape': 'rectangle', 'background-color': '#2c7a7b' } },
  { selector: 'node[kind = "pod"]', style: { 'shape': 'pentagon', 'background-color': '#326ce5' } },
  { selector: 'node[kind = "workload"], node[kind = "service"]', style: { 'shape': 'star', 'background-color': '#553c9a', 'width': 44, 'height': 40 } },
  { selector: 'node[kind = "label-group"]', style: { 'shape': 'tag', 'background-color': '#b7791f', 'width': 44 } },
  { selector: 'node:selected', style: { 'border-color': '#f6ad55', 'border-width': 4 } },
  {
    selector: 'edge',
    style: {
      'width': 'data(w)',
      'line-color': '#a0aec0',
      'target-arrow-color': '#a0aec0',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 1.2,
      'curve-style': 'bezier'
    }
  },
  {
    selector: 'edge[connections > 1]',
    style: {
      'label': 'data(connections)',
      'font-size': 11,
      'color': '#4a5568',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': 1
    }
  },
  { selector: 'edge:selected', style: { 'line-color': '#f6ad55', 'target-arrow-color': '#f6ad55' } },
  // Compare mode: what the later instant added, what it no longer has, what changed between them.
  { selector: '.added', style: { 'border-color': '#38a169', 'border-width': 5, 'line-color': '#38a169', 'target-arrow-color': '#38a169' } },
  { selector: '.removed', style: { 'border-color': '#e53e3e', 'border-width': 5, 'line-color': '#e53e3e', 'target-arrow-color': '#e53e3e', 'line-style': 'dashed', 'opacity': 0.75 } },
  { selector: '.changed', style: { 'border-color': '#dd6b20', 'border-width': 5, 'line-color': '#dd6b20', 'target-arrow-color': '#dd6b20' } }
];

const MAX_FIT_ZOOM = 1.25;
/** Above this many nodes a layered layout takes longer than a force-directed one; see docs/benchmarks.md. */
const LAYERED_MAX_NODES = 400;
const FCOSE_DRAFT_FROM = 500;
/** From this many nodes arriving together, they get a layout of their own instead of rows. */
const NEWCOMERS_LAYOUT_MIN = 12;

function layoutOptions(name, count, edgeCount) {
  // Auto: layered for small graphs that are mostly connected; a layered layout puts every
  // unconnected node into one long row, which fcose packs instead.
  const layered = name === 'layered' || (name === 'auto' && count <= LAYERED_MAX_NODES && edgeCount * 2 >= count);
  if (layered) {
    // Edges point client → server, so top-to-bottom ranks put clients above the servers they call.
    return { name: 'dagre', rankDir: 'TB', nodeSep: 30, rankSep: 80, animate: false, fit: false };
  }
  return {
    // Draft (spectral placement, no force refinement) above FCOSE_DRAFT_FROM nodes keeps a first
    // drawing near a second on this machine; see docs/benchmarks.md.
    name: 'fcose', quality: count >= FCOSE_DRAFT_FROM ? 'draft' : 'default', randomize: true, animate: false,
    fit: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 90, numIter: 1500
  };
}

/** Edge width grows with the log of the bytes it carried: 1 px at nothing, 9 px at 10 GB. */
function width(bytes) {
  return bytes > 0 ? Math.min(9, 1 + Math.log10(1 + bytes) - 1) : 1.5;
}

function edgeData(e) {
  return { id: e.id, source: e.source, target: e.target, connections: e.connections || 1, bytes: e.bytes || 0, w: Math.max(1.5, width(e.bytes || 0)) };
}

/** Resolves after the browser painted the current state. */
function painted() {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}

/**
 * <chronoscope-graph>: owns one cytoscape instance (exposed as el.cy for tests and debugging).
 * setGraph() applies the difference to what is shown, so surviving nodes keep their positions and
 * only new nodes are placed; scrubTo() plays the tape of change sets forwards or backwards.
 * Timings go to the Performance API (measures "chronoscope-layout" and "chronoscope-scrub").
 */
class ChronoscopeGraph extends HTMLElement {
  connectedCallback() {
    if (!this.cy) {
      this.style.display = this.style.display || 'block';
      this.style.position = 'relative';
      const container = document.createElement('div');
      container.style.position = 'absolute';
      container.style.inset = '0';
      this.appendChild(container);
      this.cy = cytoscape({
        container,
        style: STYLE,
        minZoom: 0.05,
        maxZoom: 2.5,
        boxSelectionEnabled: false,
        // Large graphs: draw edges plainly while panning, and text only when legible.
        hideEdgesOnViewport: false,
        textureOnViewport: true
      });
      this.layoutName = 'auto';
      this.tape = null;
      this.cy.on('tap', 'node', (evt) => this._select(evt.target.id()));
      this.cy.on('tap', (evt) => {
        if (evt.target === this.cy) {
          this._select(null);
        }
      });
      this._counts();
    }
    if (!this._resizeObserver) {
      this._resizeObserver = new ResizeObserver(() => {
        this.cy.resize();
        if (this._layoutWhenSized && this._hasSize()) {
          this._layoutWhenSized = false;
          this.relayout();
        }
      });
    }
    this._resizeObserver.observe(this);
  }

  disconnectedCallback() {
    if (this._resizeObserver) {
      this._resizeObserver.disconnect();
    }
  }

  _select(id) {
    if (this.$server && this.$server.nodeSelected) {
      this.$server.nodeSelected(id || '');
    }
  }

  /** Marks a node selected without telling the server (it asked for it). */
  select(id) {
    this.cy.$(':selected').unselect();
    if (id) {
      const n = this.cy.getElementById(id);
      if (n.nonempty()) {
        n.select();
      }
    }
  }

  setLayout(name) {
    this.layoutName = name || 'auto';
  }

  /**
   * @param graph JSON text or object: {nodes: [{id, label, kind}], edges: [{id, source, target, connections, bytes}]}
   * @param position where on the tape this graph lies (bucket boundary index), or -1 when unknown
   */
  setGraph(graph, position) {
    const g = typeof graph === 'string' ? JSON.parse(graph) : graph;
    this.clearCompare();
    const cy = this.cy;
    const nodeIds = new Set(g.nodes.map((n) => n.id));
    // An edge whose end is not in the graph cannot be drawn; cytoscape would throw on it.
    const edges = g.edges.filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target));
    const edgeIds = new Set(edges.map((e) => e.id));
    const added = [];
    const keptIds = g.nodes.filter((n) => cy.getElementById(n.id).nonempty()).length;
    // Nothing stays (first drawing, another view): a full layout, measured.
    const fullLayout = keptIds === 0 && g.nodes.length > 0;
    if (fullLayout) {
      performance.mark('chronoscope-layout-start');
    }
    cy.batch(() => {
      cy.edges().filter((e) => !edgeIds.has(e.id())).remove();
      cy.nodes().filter((n) => !nodeIds.has(n.id())).remove();
      for (const n of g.nodes) {
        const existing = cy.getElementById(n.id);
        if (existing.nonempty()) {
          if (existing.data('label') !== n.label || existing.data('kind') !== n.kind) {
            existing.data({ label: n.label, kind: n.kind });
          }
        } else {
          added.push(n);
        }
      }
      const keptCount = cy.nodes().length;
      const positions = this._placeNew(added, edges, keptCount);
      cy.add(added.map((n) => ({ group: 'nodes', data: { id: n.id, label: n.label, kind: n.kind }, position: positions.get(n.id) })));
      const newEdges = [];
      for (const e of edges) {
        const existing = cy.getElementById(e.id);
        if (existing.nonempty()) {
          this._updateEdge(existing, e);
        } else {
          newEdges.push({ group: 'edges', data: edgeData(e) });
        }
      }
      cy.add(newEdges);
    });
    if (typeof position === 'number' && position >= 0 && this.tape) {
      this.tape.position = Math.min(position, this.tape.sets.length);
    }
    if (fullLayout) {
      this.relayout('chronoscope-layout');
    } else {
      this._layOutNewcomers(added.map((n) => n.id));
    }
    this._counts();
  }

  /**
   * Many nodes arriving at once (a filter relaxed, compare mode) would pile into rows: lay out just
   * them, in the free space under the drawing, and leave every node that stays where it is.
   */
  _layOutNewcomers(ids) {
    if (ids.length < NEWCOMERS_LAYOUT_MIN || !this._hasSize()) {
      return;
    }
    const cy = this.cy;
    const fresh = cy.collection(ids.map((id) => cy.getElementById(id)));
    const old = cy.nodes().difference(fresh);
    const box = old.nonempty() ? old.boundingBox() : { x1: 0, y2: 0, w: 800 };
    const side = Math.max(box.w, 120 * Math.sqrt(ids.length));
    const elements = fresh.union(fresh.edgesWith(fresh));
    elements.layout({ ...layoutOptions(this.layoutName, fresh.length, fresh.edgesWith(fresh).length),
      boundingBox: { x1: box.x1, y1: box.y2 + 80, w: side, h: Math.max(200, side / 2) } }).run();
    // Positions of the others stay; only the viewport widens to show the newcomers.
    this.fit();
  }

  /** Restyles an edge only when what it shows changed: most byte-counter updates leave its width as it was. */
  _updateEdge(existing, e) {
    const d = edgeData(e);
    if (existing.data('connections') !== d.connections || Math.abs(existing.data('w') - d.w) >= 0.25) {
      existing.data({ connections: d.connections, bytes: d.bytes, w: d.w });
    }
  }

  _counts() {
    this.setAttribute('data-node-count', String(this.cy.nodes().not('.removed').length));
    this.setAttribute('data-edge-count', String(this.cy.edges().not('.removed').length));
  }

  /**
   * Lays out every node from scratch and fits the view: for a first drawing, or on request.
   * @param measure name of the Performance API measure to record, layout and first paint included
   */
  relayout(measure) {
    if (this.cy.nodes().length === 0) {
      return;
    }
    if (!this._hasSize()) {
      // Laid out in a 0x0 viewport everything would pile up; wait until the element is shown.
      this._layoutWhenSized = true;
      return;
    }
    if (!measure) {
      performance.mark('chronoscope-layout-start');
    }
    this.cy.layout(layoutOptions(this.layoutName, this.cy.nodes().length, this.cy.edges().length)).run();
    this.fit();
    painted().then(() => {
      const m = performance.measure('chronoscope-layout', 'chronoscope-layout-start');
      this.setAttribute('data-layout-ms', String(Math.round(m.duration)));
      this.setAttribute('data-layout-count', String(Number(this.getAttribute('data-layout-count') || 0) + 1));
    });
  }

  /** Shows the whole graph, but never zoomed in so far that a handful of nodes look huge. */
  fit() {
    const cy = this.cy;
    cy.fit(undefined, 40);
    if (cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom(MAX_FIT_ZOOM);
      cy.center();
    }
  }

  /** @param tape JSON: {from, to, step, position, sets: [change set]}; sets[i] leads from boundary i to i + 1. */
  setTape(tape) {
    this.tape = typeof tape === 'string' ? JSON.parse(tape) : tape;
  }

  /**
   * Moves the drawing to the bucket boundary at or before {@code at} by applying the tape's change
   * sets forwards, or undoing them backwards: no whole graph is fetched or laid out.
   * @returns the boundary index reached, or -1 without a tape
   */
  scrubTo(at) {
    const tape = this.tape;
    if (!tape || tape.sets.length === 0) {
      return -1;
    }
    const target = Math.max(0, Math.min(tape.sets.length, Math.floor((at - tape.from) / tape.step)));
    if (target === tape.position) {
      return target;
    }
    performance.mark('chronoscope-scrub-start');
    this.clearCompare();
    const cy = this.cy;
    cy.batch(() => {
      while (tape.position < target) {
        this._apply(tape.sets[tape.position], true);
        tape.position++;
      }
      while (tape.position > target) {
        tape.position--;
        this._apply(tape.sets[tape.position], false);
      }
    });
    this._counts();
    painted().then(() => {
      const m = performance.measure('chronoscope-scrub', 'chronoscope-scrub-start');
      this.setAttribute('data-scrub-ms', String(Math.round(m.duration * 10) / 10));
    });
    return target;
  }

  /** Applies one change set forwards, or its inverse; tolerant of a drawing that already has it. */
  _apply(set, forward) {
    const cy = this.cy;
    const addNodes = forward ? set.addedNodes : set.removedNodes;
    const removeNodes = forward ? set.removedNodes : set.addedNodes;
    const addEdges = forward ? set.addedEdges : set.removedEdges;
    const removeEdges = forward ? set.removedEdges : set.addedEdges;
    for (const e of removeEdges) {
      cy.getElementById(e.id).remove();
    }
    for (const n of removeNodes) {
      cy.getElementById(n.id).remove();
    }
    const fresh = addNodes.filter((n) => cy.getElementById(n.id).empty());
    const positions = this._placeNew(fresh, addEdges, cy.nodes().length);
    cy.add(fresh.map((n) => ({ group: 'nodes', data: { id: n.id, label: n.label, kind: n.kind }, position: positions.get(n.id) })));
    for (const [before, after] of set.changedNodes) {
      const n = forward ? after : before;
      const el = cy.getElementById(n.id);
      if (el.nonempty() && (el.data('label') !== n.label || el.data('kind') !== n.kind)) {
        el.data({ label: n.label, kind: n.kind });
      }
    }
    for (const e of addEdges) {
      if (cy.getElementById(e.id).empty() && cy.getElementById(e.source).nonempty() && cy.getElementById(e.target).nonempty()) {
        cy.add({ group: 'edges', data: edgeData(e) });
      }
    }
    for (const [before, after] of set.changedEdges) {
      const e = forward ? after : before;
      const el = cy.getElementById(e.id);
      if (el.nonempty()) {
        this._updateEdge(el, e);
      }
    }
  }

  /**
   * Compare mode: the drawing shows the earlier instant; this adds what the later one added (green),
   * marks what it removed (red) and what changed (amber).
   * @param diff JSON change set from the earlier to the later instant
   */
  showCompare(diff) {
    const d = typeof diff === 'string' ? JSON.parse(diff) : diff;
    this.clearCompare();
    const cy = this.cy;
    cy.batch(() => {
      const fresh = d.addedNodes.filter((n) => cy.getElementById(n.id).empty());
      const positions = this._placeNew(fresh, d.addedEdges, cy.nodes().length);
      cy.add(fresh.map((n) => ({ group: 'nodes', data: { id: n.id, label: n.label, kind: n.kind, compare: true }, position: positions.get(n.id), classes: 'added' })));
      for (const e of d.addedEdges) {
        if (cy.getElementById(e.id).empty() && cy.getElementById(e.source).nonempty() && cy.getElementById(e.target).nonempty()) {
          cy.add({ group: 'edges', data: { ...edgeData(e), compare: true }, classes: 'added' });
        }
      }
      this._freshCompare = fresh.map((n) => n.id);
      for (const x of [...d.removedNodes, ...d.removedEdges]) {
        cy.getElementById(x.id).addClass('removed');
      }
      for (const [before] of [...d.changedNodes, ...d.changedEdges]) {
        cy.getElementById(before.id).addClass('changed');
      }
    });
    this._layOutNewcomers(this._freshCompare || []);
    this.setAttribute('data-compare', 'on');
  }

  /** Leaves compare mode: drops what only the later instant had, and the colours. */
  clearCompare() {
    if (this.getAttribute('data-compare') !== 'on') {
      return;
    }
    this.cy.batch(() => {
      this.cy.elements('[?compare]').remove();
      this.cy.elements().removeClass('added removed changed');
    });
    this.removeAttribute('data-compare');
  }

  _hasSize() {
    return this.clientWidth > 0 && this.clientHeight > 0;
  }

  /**
   * Positions for new nodes when others stay: next to the mean of their already-placed
   * neighbours, or in a row under the current drawing when they have none.
   */
  _placeNew(added, edges, keptCount) {
    const positions = new Map();
    if (keptCount === 0 || added.length === 0) {
      return positions; // a full layout follows
    }
    const cy = this.cy;
    const neighbours = new Map();
    for (const e of edges) {
      for (const [self, other] of [[e.source, e.target], [e.target, e.source]]) {
        if (!neighbours.has(self)) {
          neighbours.set(self, []);
        }
        neighbours.get(self).push(other);
      }
    }
    // The drawing's bounding box costs a pass over every node: only when a newcomer has no neighbour.
    let box = null;
    let nextX = 0;
    let rowY = 0;
    for (const n of added) {
      const placed = (neighbours.get(n.id) || [])
        .map((id) => positions.get(id) || (cy.getElementById(id).nonempty() ? cy.getElementById(id).position() : null))
        .filter((p) => p);
      if (placed.length > 0) {
        const cx = placed.reduce((s, p) => s + p.x, 0) / placed.length;
        const cyy = placed.reduce((s, p) => s + p.y, 0) / placed.length;
        const angle = Math.random() * 2 * Math.PI;
        positions.set(n.id, { x: cx + 130 * Math.cos(angle), y: cyy + 130 * Math.sin(angle) });
      } else {
        if (!box) {
          box = cy.nodes().boundingBox();
          nextX = box.x1;
          rowY = box.y2 + 70;
        }
        positions.set(n.id, { x: nextX, y: rowY });
        nextX += 110;
      }
    }
    return positions;
  }
}

if (!customElements.get('chronoscope-graph')) {
  customElements.define('chronoscope-graph', ChronoscopeGraph);
}
