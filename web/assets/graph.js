// graph.js -- the relationship graph of a customer as an SVG picture:
// vendor → indirect provider → reseller (indirect reseller or direct-bill partner) → customer,
// built from GET /v1/customers/{id}/relationships (relationshipType + via).
import { h } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}
const cut = (t, n) => (String(t).length > n ? `${String(t).slice(0, n - 1)}…` : String(t));

let seq = 0;

export function relationshipGraph(customerName, relationships, testid = 'relationship-graph') {
  seq += 1;
  const nodes = new Map(); // id -> {id, col, label, sub}
  const edges = [];        // {from, to, kind}
  const add = (id, col, label, sub) => {
    if (!nodes.has(id)) nodes.set(id, { id, col, label, sub });
    return nodes.get(id);
  };
  const edge = (from, to, kind) => {
    if (!edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to, kind });
  };
  add('vendor', 0, 'Vendor', 'runs the CSP program');
  add('customer', 3, customerName, 'customer');
  const byId = new Map(relationships.map((r) => [r.id, r]));
  for (const r of relationships) {
    if (r.relationshipType === 'is_direct_reseller_of') {
      add(r.id, 2, r.name, 'direct-bill partner');
      edge('vendor', r.id, 'sells');
      edge(r.id, 'customer', r.delegatedAdmin ? 'admin' : 'sells');
    } else if (r.relationshipType === 'is_indirect_reseller_of') {
      add(r.id, 2, r.name, 'indirect reseller');
      edge(r.id, 'customer', r.delegatedAdmin ? 'admin' : 'sells');
      if (r.via && byId.has(r.via)) {
        const p = byId.get(r.via);
        add(p.id, 1, p.name, 'indirect provider');
        edge('vendor', p.id, 'sells');
        edge(p.id, r.id, 'sells');
      }
    } else if (r.relationshipType === 'is_indirect_cloud_solution_provider_of') {
      add(r.id, 1, r.name, 'indirect provider');
      edge('vendor', r.id, 'sells');
      if (r.via) {
        const res = byId.get(r.via);
        if (res) {
          add(res.id, 2, res.name, res.relationshipType === 'is_direct_reseller_of' ? 'direct-bill partner' : 'indirect reseller');
          edge(r.id, res.id, 'sells');
        } else {
          edge(r.id, 'customer', 'sells');
        }
      } else {
        edge(r.id, 'customer', 'sells');
      }
      // the provider holds its own reseller relationship with the customer (orders, billing)
      edge(r.id, 'customer', r.delegatedAdmin ? 'holds-admin' : 'holds');
    }
  }

  const cols = [[], [], [], []];
  for (const n of nodes.values()) cols[n.col].push(n);
  const boxW = 168;
  const boxH = 46;
  const colX = [10, 210, 410, 610];
  const rows = Math.max(1, ...cols.map((c) => c.length));
  const gapY = 26;
  const skips = edges.filter((e) => nodes.get(e.to).col - nodes.get(e.from).col > 1).length;
  const H = 40 + rows * (boxH + gapY) + (skips ? 30 + 16 * skips : 0);
  const W = colX[3] + boxW + 10;
  for (const c of cols) {
    const total = c.length * boxH + (c.length - 1) * gapY;
    let y = 30 + ((rows * (boxH + gapY) - gapY) - total) / 2;
    for (const n of c) { n.x = colX[n.col]; n.y = y; y += boxH + gapY; }
  }
  const mid = `arrow-${seq}`;
  const heads = ['Vendor', 'Indirect provider', 'Reseller', 'Customer'];
  const describe = edges.filter((e) => !e.kind.startsWith('holds'))
    .map((e) => `${nodes.get(e.from).label} → ${nodes.get(e.to).label}`).join('; ');
  const svg = s('svg', {
    class: 'graph', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `g-t-${seq} g-d-${seq}`, 'data-testid': testid,
  },
  s('title', { id: `g-t-${seq}` }, `Relationship graph of ${customerName}`),
  s('desc', { id: `g-d-${seq}` }, describe || 'No partner.'),
  s('defs', null, s('marker', { id: mid, viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' },
    s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'graph-arrow' }))),
  ...heads.map((t, i) => s('text', { x: colX[i] + boxW / 2, y: 16, 'text-anchor': 'middle', class: 'graph-head' }, t)),
  ...edges.map((e, i) => {
    const a = nodes.get(e.from);
    const b = nodes.get(e.to);
    if (b.col - a.col > 1) {
      // skips a column: an arc below the boxes, so it never runs behind another box
      const bx1 = a.x + boxW / 2 + 10;
      const bx2 = b.x + boxW / 2 - 10;
      const by = Math.max(a.y, b.y) + boxH + 22 + 16 * (i % 3);
      return s('path', {
        d: `M ${bx1} ${a.y + boxH} C ${bx1} ${by}, ${bx2} ${by}, ${bx2} ${b.y + boxH + 2}`,
        class: e.kind.startsWith('holds') ? 'graph-edge holds' : 'graph-edge',
        'marker-end': `url(#${mid})`,
      });
    }
    const x1 = a.x + boxW;
    const y1 = a.y + boxH / 2;
    const x2 = b.x;
    const y2 = b.y + boxH / 2;
    const dx = Math.max(30, (x2 - x1) / 2);
    return s('path', {
      d: `M ${x1} ${y1} C ${x1 + dx} ${y1}, ${x2 - dx} ${y2}, ${x2 - 2} ${y2}`,
      class: e.kind.startsWith('holds') ? 'graph-edge holds' : 'graph-edge',
      'marker-end': `url(#${mid})`,
    });
  }),
  ...[...nodes.values()].map((n) => s('g', { class: `graph-node col-${n.col}` },
    s('rect', { x: n.x, y: n.y, width: boxW, height: boxH, rx: 6 }),
    s('text', { x: n.x + boxW / 2, y: n.y + 19, 'text-anchor': 'middle', class: 'graph-label' }, cut(n.label, 21)),
    s('text', { x: n.x + boxW / 2, y: n.y + 36, 'text-anchor': 'middle', class: 'graph-sub' }, n.sub))));
  return h('figure', { class: 'graph-figure' }, h('div', { class: 'graph-scroll' }, svg),
    h('figcaption', { class: 'hint' }, 'Solid arrows: who sells to whom. Dashed: a provider\'s own reseller relationship with the customer (it orders and bills).'));
}
