import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

// <chronoscope-metrics>: one uPlot chart per series of /api/v1/metrics for a node, with the deploy
// markers of /api/v1/timeline drawn as vertical lines in their verdict's colour. The browser asks
// the API itself (same origin, session cookie), so the page works with whatever the server answers.

const VERDICT_COLOURS = { healthy: '#38a169', suspect: '#dd6b20', failed: '#e53e3e' };

function markersPlugin(events) {
  return {
    hooks: {
      draw: [(u) => {
        const { ctx } = u;
        ctx.save();
        for (const e of events) {
          const x = u.valToPos(e.at / 1000, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) {
            continue;
          }
          ctx.strokeStyle = VERDICT_COLOURS[e.verdict] || '#718096';
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash([6, 4]);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      }]
    }
  };
}

async function getJson(url) {
  const r = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const text = await r.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch (e) {
    body = null;
  }
  return { ok: r.ok, status: r.status, body };
}

class ChronoscopeMetrics extends HTMLElement {
  connectedCallback() {
    this.style.display = 'block';
  }

  /** Loads and draws; sets data-state to "drawn", "empty" or "error" when done. */
  async load(node, from, to) {
    this.replaceChildren();
    this.charts = [];
    this.setAttribute('data-state', 'loading');
    const q = (s) => encodeURIComponent(s);
    const [metrics, timeline] = await Promise.all([
      getJson(`/api/v1/metrics?node=${q(node)}&from=${from}&to=${to}`),
      getJson(`/api/v1/timeline?from=${from}&to=${to}&step=${Math.max(1000, to - from)}`)
    ]);
    const events = timeline.ok && timeline.body && Array.isArray(timeline.body.events) ? timeline.body.events : [];
    if (!this.hasAttribute('compact')) {
      this._badges(events);
    }
    if (!metrics.ok || !metrics.body || !Array.isArray(metrics.body.series) || metrics.body.series.length === 0) {
      const why = metrics.body && metrics.body.message ? metrics.body.message : `HTTP ${metrics.status}`;
      this._message(`No data for ${node}: ${why}`);
      this.setAttribute('data-state', metrics.ok ? 'empty' : 'error');
      return;
    }
    let drawn = 0;
    for (const s of metrics.body.series) {
      if (!s.points || s.points.length === 0) {
        continue;
      }
      const title = document.createElement('div');
      title.textContent = `${s.name} (${s.unit})`;
      title.style.fontWeight = '600';
      title.style.margin = '8px 0 2px';
      this.appendChild(title);
      const holder = document.createElement('div');
      holder.className = 'metric-chart';
      holder.setAttribute('data-metric', s.name);
      this.appendChild(holder);
      const xs = s.points.map((p) => p.at / 1000);
      const ys = s.points.map((p) => p.value);
      // Compact: the details panel's sparklines, no axes, a third of the height.
      const compact = this.hasAttribute('compact');
      const width = Math.max(compact ? 200 : 300, this.clientWidth - 20);
      this.charts.push(new uPlot({
        width, height: compact ? 60 : 180,
        axes: compact ? [{ show: false }, { show: false }] : undefined,
        scales: { x: { time: true, range: [from / 1000, to / 1000] } },
        series: [{}, { label: s.name, stroke: '#2b6cb0', fill: 'rgba(43,108,176,0.12)', width: 1.5 }],
        legend: { show: false },
        plugins: [markersPlugin(events)]
      }, [xs, ys], holder));
      drawn++;
    }
    if (drawn === 0) {
      this._message(`No samples for ${node} in this range`);
      this.setAttribute('data-state', 'empty');
      return;
    }
    this.setAttribute('data-state', 'drawn');
    this.setAttribute('data-charts', String(drawn));
  }

  _badges(events) {
    if (events.length === 0) {
      return;
    }
    const row = document.createElement('div');
    row.id = 'deploy-badges';
    for (const e of events) {
      const b = document.createElement('span');
      b.className = 'deploy-badge';
      b.textContent = `${e.title || e.kind}: ${e.verdict || 'pending'}`;
      b.title = `${e.target || ''} · ${new Date(e.at).toISOString()} · ${e.phase || ''}`;
      b.style.cssText = `display:inline-block;margin:2px 6px 2px 0;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;background:${VERDICT_COLOURS[e.verdict] || '#718096'}`;
      row.appendChild(b);
    }
    this.appendChild(row);
  }

  _message(text) {
    const m = document.createElement('div');
    m.id = 'metrics-message';
    m.textContent = text;
    m.style.cssText = 'padding:24px;color:var(--lumo-secondary-text-color);font-size:var(--lumo-font-size-l)';
    this.appendChild(m);
  }
}

if (!customElements.get('chronoscope-metrics')) {
  customElements.define('chronoscope-metrics', ChronoscopeMetrics);
}
