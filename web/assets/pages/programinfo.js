// Settings > Account settings > Program info: memberships, enrollment state, history.
import * as api from '../api.js';
import { h, replace, pageHeader, section, badge, programName, fmtDate, load, dl, table } from '../ui.js';

export async function render(el, ctx) {
  const body = h('div');
  replace(el, pageHeader('Program info', 'Settings › Account settings › Partner profile › Program info'), body);
  const pi = await load(body, () => api.get('/v1/profiles/programinfo'));
  if (!pi) return;
  const enr = pi.indirectResellerEnrollment;
  replace(body,
    section('Partner',
      dl([
        ['Company', pi.companyName],
        ['PartnerID (MPN)', pi.mpnId],
        ['Global PartnerID', pi.globalMpnId],
        ['Tenant', h('code', null, pi.tenantId)],
        ['Country / market', `${pi.country || '—'} / ${pi.market || '—'}`],
        ['Partner Agreement (MPA)', pi.mpa && pi.mpa.isAgreementSigned
          ? `signed ${fmtDate(pi.mpa.dateSigned)} by ${pi.mpa.signerName || '—'}`
          : h('a', { href: '#/settings/mpa' }, 'not signed')],
      ])),
    section('Programs',
      table('Program memberships', [
        { label: 'Program', cell: (p) => programName(p.program) },
        { label: 'State', cell: (p) => badge(p.state, `programinfo-state-${p.program}`) },
        { label: 'Since', cell: (p) => fmtDate(p.since, true) },
      ], pi.programs || [], { testid: 'programinfo-programs', empty: 'No program membership.' })),
    section('Indirect reseller enrollment',
      enr
        ? dl([
          ['Enrollment', h('code', null, enr.id)],
          ['Status', badge(enr.status, 'programinfo-enrollment-status')],
          ['Submitted', fmtDate(enr.submittedDate, true)],
          ['Agreement accepted', enr.agreementAccepted ? 'yes' : 'no'],
        ])
        : h('p', { 'data-testid': 'programinfo-no-enrollment' }, 'No enrollment as indirect reseller. ',
          ctx.programs.direct_bill ? h('a', { href: '#/enroll' }, 'Review the enrollment form') : null),
      enr && enr.status === 'approved' && !enr.agreementAccepted
        ? h('p', null, 'Approved: accept the indirect reseller agreement on the ', h('a', { href: '#/overview' }, 'Overview'), ' page.')
        : null),
    section('History',
      table('Program history', [
        { label: 'Date', cell: (x) => fmtDate(x.date, true) },
        { label: 'Program', cell: (x) => programName(x.program) },
        { label: 'Change', cell: (x) => `${x.from || '—'} → ${x.to}` },
        { label: 'Reason', cell: (x) => x.reason || '—' },
      ], (pi.history || []).slice().reverse(), { testid: 'programinfo-history' })));
}
