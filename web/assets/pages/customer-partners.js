// Customer admin: partner relationships (every partner holding a reseller relationship, R-CUS-9, R-EXT-6).
import * as api from '../api.js';
import { relationshipGraph } from '../graph.js';
import { h, replace, pageHeader, section, load, table, relationshipName, badge } from '../ui.js';

const ACQUIRED = { created: 'created your tenant', invitation: 'invitation you accepted', extension: 'relationship extension by your partner' };

export async function render(el, ctx) {
  const body = h('div');
  replace(el, pageHeader('Partner relationships', 'The Cloud Solution Provider partners that manage your cloud services.'), body);
  const c = await load(body, () => api.get(`/v1/customers/${api.seg(ctx.session.tenantId)}/relationships`));
  if (!c) return;
  const items = c.items || [];
  const names = Object.fromEntries(items.map((r) => [r.id, r.name]));
  replace(body,
    section('Relationship graph', relationshipGraph(ctx.session.tenantName || 'Your organization', items, 'customer-graph')),
    section('Partners',
    table('Partner relationships', [
      { label: 'Partner', cell: (r) => h('strong', null, r.name) },
      { label: 'PartnerID', cell: (r) => r.mpnId || '—' },
      { label: 'Role', cell: (r) => relationshipName(r.relationshipType) },
      { label: 'Delegated admin rights', cell: (r) => (r.delegatedAdmin ? 'yes' : 'no') },
      { label: 'How', cell: (r) => `${ACQUIRED[r.acquired] || r.acquired || '—'}${r.via ? ` (for ${names[r.via] || r.via})` : ''}` },
      { label: 'State', cell: (r) => badge(r.state) },
    ], items, { testid: 'customer-partners', empty: 'No partner holds a relationship with your organization.', rowAttrs: (r) => ({ 'data-testid': `customer-partner-${r.id}` }) })));
}
