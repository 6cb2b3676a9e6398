import cytoscape from 'cytoscape';

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
      'text-max-width': 180
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
      'width': 2,
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
  { selector: 'edge:selected', style: { 'line-color': '#f6ad55', 'target-arrow-color': '#f6ad55' } }
];

const MAX_FIT_ZOOM = 1.25;

const FULL_LAYOUT = {
  name: 'cose',
  animate: false,
  padding: 40,
  nodeRepulsion: () => 12000,
  idealEdgeLength: () => 110,
  randomize: true
};

/**
 * <chronoscope-graph>: owns one cytoscape instance (exposed as el.cy for tests and debugging).
 * setGraph() applies the difference to what is shown, so surviving nodes keep their positions and
 * only new nodes are placed.
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
        minZoom: 0.1,
        maxZoom: 2.5,
        boxSelectionEnabled: false
      });
      this.setAttribute('data-node-count', '0');
      this.setAttribute('data-edge-count', '0');
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

  /** @param graph JSON text or object: {nodes: [{id, label, kind}], edges: [{id, source, target, connections}]} */
  setGraph(graph) {
    const g = typeof graph === 'string' ? JSON.parse(graph) : graph;
    const cy = this.cy;
    const nodeIds = new Set(g.nodes.map((n) => n.id));
    // An edge whose end is not in the graph cannot be drawn; cytoscape would throw on it.
    const edges = g.edges.filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target));
    const edgeIds = new Set(edges.map((e) => e.id));
    const added = [];
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
      for (const e of edges) {
        const existing = cy.getElementById(e.id);
        const connections = e.connections || 1;
        if (existing.nonempty()) {
          if (existing.data('connections') !== connections) {
            existing.data('connections', connections);
          }
        } else {
          cy.add({ group: 'edges', data: { id: e.id, source: e.source, target: e.target, connections } });
        }
      }
      if (keptCount === 0 && added.length > 0) {
        this._fullLayoutPending = true;
      }
    });
    if (this._fullLayoutPending) {
      this._fullLayoutPending = false;
      this.relayout();
    }
    this.setAttribute('data-node-count', String(cy.nodes().length));
    this.setAttribute('data-edge-count', String(cy.edges().length));
  }

  /** Lays out every node from scratch and fits the view: for a first drawing, or on request. */
  relayout() {
    if (this.cy.nodes().length === 0) {
      return;
    }
    if (!this._hasSize()) {
      // Laid out in a 0x0 viewport everything would pile up; wait until the element is shown.
      this._layoutWhenSized = true;
      return;
    }
    this.cy.layout({ ...FULL_LAYOUT, fit: false }).run();
    this.fit();
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

  _hasSize() {
    return this.clientWidth > 0 && this.clientHeight > 0;
  }

  /**
   * Positions for new nodes when others stay: next to the mean of their already-placed
   * neighbours, or in a row under the current drawing when they have none.
   */
  _placeNew(added, edges, keptCount) {
    const positions = new Map();
    if (keptCount === 0) {
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
    const box = cy.nodes().boundingBox();
    let nextX = box.x1;
    const rowY = box.y2 + 70;
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
