// The timeline along the bottom: a change-density histogram with deploy markers above it; the
// cursors are native range inputs (#time-slider, #compare-slider) laid over the bars, so dragging
// and keyboard use come from the browser. While a cursor moves, the graph plays its tape of change
// sets (scrubTo) without asking the server; the server hears the instant when the cursor is let go.

const VERDICT_COLOURS = { healthy: '#38a169', suspect: '#dd6b20', failed: '#e53e3e' };
const MARKER_ROW = 16;

const CSS = `
chronoscope-timeline { display: block; position: relative; height: 64px; user-select: none; }
chronoscope-timeline svg { position: absolute; left: 0; right: 0; top: ${MARKER_ROW}px; bottom: 0; width: 100%; height: calc(100% - ${MARKER_ROW}px); }
chronoscope-timeline .marker { position: absolute; top: 0; width: 10px; height: 12px; margin-left: -5px; border-radius: 2px 2px 5px 5px; cursor: pointer; z-index: 3; }
chronoscope-timeline .marker::after { content: ''; position: absolute; left: 4px; top: 12px; width: 2px; height: 48px; background: inherit; opacity: 0.55; pointer-events: none; }
.chronoscope-cursor { position: absolute; left: 0; right: 0; top: ${MARKER_ROW}px; width: 100%; height: calc(100% - ${MARKER_ROW}px); margin: 0; background: transparent; -webkit-appearance: none; appearance: none; z-index: 2; }
.chronoscope-cursor::-webkit-slider-runnable-track { height: 100%; background: transparent; }
.chronoscope-cursor::-webkit-slider-thumb { -webkit-appearance: none; width: 6px; height: 48px; background: #2b6cb0; border-radius: 2px; cursor: ew-resize; box-shadow: 0 0 0 1px #fff; }
.chronoscope-cursor::-moz-range-thumb { width: 6px; height: 48px; background: #2b6cb0; border: none; cursor: ew-resize; }
#compare-slider { pointer-events: none; z-index: 4; }
#compare-slider::-webkit-slider-thumb { pointer-events: auto; background: #dd6b20; }
#compare-slider::-moz-range-thumb { pointer-events: auto; background: #dd6b20; }
`;

function iso(ms) {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

class ChronoscopeTimeline extends HTMLElement {
  connectedCallback() {
    if (this._init) {
      return;
    }
    this._init = true;
    if (!document.getElementById('chronoscope-timeline-style')) {
      const style = document.createElement('style');
      style.id = 'chronoscope-timeline-style';
      style.textContent = CSS;
      document.head.appendChild(style);
    }
    this.svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.svg.setAttribute('preserveAspectRatio', 'none');
    this.appendChild(this.svg);
    this.markers = document.createElement('div');
    this.appendChild(this.markers);
    this.data = null;
    this.playing = 0;
    // The sliders are siblings added by the server; wire them once they exist.
    requestAnimationFrame(() => this._wire());
  }

  _graph() {
    return document.querySelector('chronoscope-graph');
  }

  _wire() {
    const slider = document.getElementById('time-slider');
    if (!slider) {
      requestAnimationFrame(() => this._wire());
      return;
    }
    slider.classList.add('chronoscope-cursor');
    slider.addEventListener('input', () => this._scrub(Number(slider.value)));
    // Taking the cursor while it plays stops playback.
    slider.addEventListener('pointerdown', () => {
      this.stop(false);
      slider.__held = true;
    });
    const compare = document.getElementById('compare-slider');
    if (compare) {
      compare.classList.add('chronoscope-cursor');
    }
  }

  _scrub(at) {
    const graph = this._graph();
    if (graph) {
      graph.scrubTo(at);
    }
    const label = document.getElementById('time-label');
    if (label) {
      label.textContent = iso(at) + ' · ' + (this.playing ? 'playing ' + this.playing + '×' : 'scrubbing');
    }
  }

  /** @param data JSON: {from, to, step, changes: [count per bucket], events: [{id, at, title, verdict, kind}], bursts: [ms]} */
  setData(data) {
    this.data = typeof data === 'string' ? JSON.parse(data) : data;
    this._draw();
  }

  _draw() {
    const d = this.data;
    while (this.svg.firstChild) {
      this.svg.removeChild(this.svg.firstChild);
    }
    this.markers.replaceChildren();
    if (!d || d.changes.length === 0) {
      return;
    }
    const n = d.changes.length;
    const max = Math.max(1, ...d.changes);
    this.svg.setAttribute('viewBox', `0 0 ${n} 100`);
    const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    bg.setAttribute('x', 0);
    bg.setAttribute('y', 0);
    bg.setAttribute('width', n);
    bg.setAttribute('height', 100);
    bg.setAttribute('fill', '#f4f6f9');
    this.svg.appendChild(bg);
    d.changes.forEach((c, i) => {
      if (c === 0) {
        return;
      }
      const h = Math.max(4, 100 * Math.sqrt(c / max));
      const bar = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
      bar.setAttribute('x', i + 0.1);
      bar.setAttribute('y', 100 - h);
      bar.setAttribute('width', 0.8);
      bar.setAttribute('height', h);
      bar.setAttribute('fill', (d.bursts || []).includes(Math.min(d.to, d.from + (i + 1) * d.step)) ? '#c05621' : '#90a4c3');
      bar.setAttribute('data-changes', c);
      this.svg.appendChild(bar);
    });
    const span = Math.max(1, d.to - d.from);
    for (const e of d.events) {
      const m = document.createElement('div');
      m.className = 'marker';
      m.style.left = (100 * (e.at - d.from) / span) + '%';
      m.style.background = VERDICT_COLOURS[e.verdict] || '#718096';
      m.title = `${e.title || e.kind} — ${e.target || ''}\n${iso(e.at)} · ${e.phase || ''} · verdict: ${e.verdict || 'pending'}`;
      m.setAttribute('data-verdict', e.verdict || 'pending');
      m.setAttribute('data-id', e.id);
      m.addEventListener('click', () => this.dispatchEvent(new CustomEvent('marker-click', { detail: { at: e.at, id: e.id } })));
      this.markers.appendChild(m);
    }
  }

  /** Plays from the cursor at {@code speed}× real time, applying the tape; the server hears each second. */
  play(speed) {
    const slider = document.getElementById('time-slider');
    this.stop(false);
    if (!slider || !speed) {
      return;
    }
    this.playing = speed;
    slider.__held = true;
    let at = Number(slider.value);
    let last = performance.now();
    let lastSync = last;
    const tick = (now) => {
      if (this.playing !== speed) {
        return;
      }
      at += (now - last) * speed;
      last = now;
      const end = Number(slider.max);
      if (at >= end) {
        at = end;
      }
      slider.value = String(Math.round(at));
      this._scrub(at);
      if (at >= end) {
        this.stop(true);
        return;
      }
      if (now - lastSync > 1000) {
        lastSync = now;
        this._sync(slider);
      }
      this._frame = requestAnimationFrame(tick);
    };
    this._frame = requestAnimationFrame(tick);
  }

  /** Stops playback; with {@code sync} tells the server where it stopped. */
  stop(sync) {
    const slider = document.getElementById('time-slider');
    const was = this.playing;
    this.playing = 0;
    if (this._frame) {
      cancelAnimationFrame(this._frame);
      this._frame = null;
    }
    if (slider) {
      slider.__held = false;
      if (sync && was) {
        this._sync(slider);
      }
    }
    if (was) {
      this.dispatchEvent(new CustomEvent('playback-stopped'));
    }
  }

  _sync(slider) {
    slider.dispatchEvent(new Event('change', { bubbles: true }));
  }
}

if (!customElements.get('chronoscope-timeline')) {
  customElements.define('chronoscope-timeline', ChronoscopeTimeline);
}
