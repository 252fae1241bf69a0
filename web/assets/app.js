// app.js -- the dashboard shell: session bootstrap, hash router, navigation by tenant kind and role.
import * as api from './api.js';
import { h, replace, errorBox, hasRole } from './ui.js';

const PARTNER_AGENTS = ['global_admin', 'admin_agent', 'sales_agent', 'helpdesk_agent'];
const PARTNER_ALL = ['global_admin', 'admin_agent', 'sales_agent', 'helpdesk_agent', 'billing_admin'];

const has = (ctx, program, states) => {
  const p = ctx.programs[program];
  return !!p && (!states || states.includes(p));
};

// Every page: path pattern, page module, who may see it, and its navigation entry (if any).
const ROUTES = [
  { path: '/signin', page: 'signin', public: true },
  // partner
  { path: '/overview', page: 'overview', kinds: ['partner'], roles: PARTNER_ALL, nav: 'Overview', testid: 'nav-overview' },
  { path: '/customers', page: 'customers', kinds: ['partner'], roles: PARTNER_AGENTS, nav: 'Customers', testid: 'nav-customers' },
  { path: '/customers/:id/subscriptions', page: 'subscriptions', kinds: ['partner'], roles: PARTNER_AGENTS },
  { path: '/providers', page: 'providers', kinds: ['partner'], roles: PARTNER_ALL,
    when: (c) => has(c, 'indirect_reseller'), nav: 'Indirect providers', testid: 'nav-providers' },
  { path: '/partnerships/invitations/:id', page: 'partnership-invitation', kinds: ['partner'], roles: PARTNER_ALL },
  { path: '/resellers', page: 'resellers', kinds: ['partner'], roles: PARTNER_AGENTS,
    when: (c) => has(c, 'indirect_provider', ['active']), nav: 'Indirect resellers', testid: 'nav-resellers' },
  { path: '/transfers', page: 'transfers', kinds: ['partner'], roles: PARTNER_AGENTS,
    when: (c) => has(c, 'indirect_provider', ['active']), nav: 'Transfer requests', testid: 'nav-transfers' },
  { path: '/invoices', page: 'invoices', kinds: ['partner'], roles: ['global_admin', 'billing_admin', 'admin_agent'],
    nav: 'Invoices', testid: 'nav-invoices' },
  { path: '/settings/programinfo', page: 'programinfo', kinds: ['partner'], roles: PARTNER_ALL,
    nav: 'Program info', group: 'Settings', testid: 'nav-programinfo' },
  { path: '/settings/mpa', page: 'mpa', kinds: ['partner'], roles: PARTNER_ALL,
    nav: 'Partner agreement', group: 'Settings', testid: 'nav-mpa' },
  { path: '/enroll', page: 'enroll', kinds: ['partner'], roles: PARTNER_ALL,
    when: (c) => has(c, 'direct_bill'), nav: 'Enroll as reseller', group: 'Settings', testid: 'nav-enroll' },
  // customer admin
  { path: '/customer', page: 'customer-home', kinds: ['customer'], nav: 'Home', testid: 'nav-customer-home' },
  { path: '/customer/partners', page: 'customer-partners', kinds: ['customer'], nav: 'Partner relationships', testid: 'nav-customer-partners' },
  { path: '/customer/invitations/accept', page: 'customer-invitation', kinds: ['customer'] },
  // operator
  { path: '/operator/enrollments', page: 'op-enrollments', kinds: ['operator'], nav: 'Enrollments', testid: 'nav-op-enrollments' },
  { path: '/operator/partnerships', page: 'op-partnerships', kinds: ['operator'], nav: 'Partnerships', testid: 'nav-op-partnerships' },
  { path: '/operator/revenue', page: 'op-revenue', kinds: ['operator'], nav: 'Direct-bill revenue', testid: 'nav-op-revenue' },
  { path: '/operator/settings', page: 'op-settings', kinds: ['operator'], nav: 'Program settings', testid: 'nav-op-settings' },
  { path: '/operator/clock', page: 'op-clock', kinds: ['operator'], when: (c) => !!(c.info && c.info.sandbox),
    nav: 'Sandbox clock', testid: 'nav-op-clock' },
];

const HOME = { partner: '/overview', customer: '/customer', operator: '/operator/enrollments' };

const state = {
  session: null,
  info: null,
  programs: {},       // program -> state, for partner tenants
  programInfo: null,
  pendingRoute: null, // where to go after signing in (e.g. an invitation link)
  signinMessage: null,
  seq: 0,
};

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  return { path: path || '/', query: new URLSearchParams(qs || ''), raw };
}

function match(pattern, path) {
  const p = pattern.split('/');
  const a = path.split('/');
  if (p.length !== a.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i += 1) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(a[i]);
    else if (p[i] !== a[i]) return null;
  }
  return params;
}

function allowed(route, ctx) {
  if (route.public) return true;
  const s = ctx.session;
  if (!s) return false;
  if (route.kinds && !route.kinds.includes(s.tenantKind)) return false;
  if (route.roles && !hasRole(s, ...route.roles)) return false;
  if (route.when && !route.when(ctx)) return false;
  return true;
}

export function go(path) {
  if (location.hash === `#${path}`) render();
  else location.hash = path;
}

async function refreshProgram() {
  state.programs = {};
  state.programInfo = null;
  if (!state.session || state.session.tenantKind !== 'partner') return;
  try {
    const pi = await api.get('/v1/profiles/programinfo');
    state.programInfo = pi;
    for (const p of pi.programs || []) state.programs[p.program] = p.state;
  } catch (e) {
    if (!(e instanceof api.ApiError) || e.status !== 401) console.warn('program info', e);
  }
}

function ctxFor(params, query) {
  return {
    session: state.session,
    info: state.info,
    programs: state.programs,
    programInfo: state.programInfo,
    params,
    query,
    go,
    // After a change of program state (enrolled, agreement accepted): reload it and redraw the shell.
    refreshProgram: async () => { await refreshProgram(); renderShell(currentPath()); },
  };
}

function currentPath() { return parseHash().path; }

// --- shell -------------------------------------------------------------------------------------

const root = () => document.getElementById('app');
let shellEls = null;

function buildShell() {
  const s = state.session;
  const navList = h('ul', { class: 'nav-list' });
  const nav = h('nav', { class: 'nav', id: 'site-nav', 'aria-label': 'Main' }, navList);
  const menuBtn = h('button', {
    class: 'menu-toggle', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'site-nav', 'data-testid': 'menu-toggle',
    onclick: () => {
      const open = menuBtn.getAttribute('aria-expanded') !== 'true';
      menuBtn.setAttribute('aria-expanded', String(open));
      nav.classList.toggle('open', open);
    },
  }, 'Menu');
  const signOutBtn = h('button', { class: 'btn subtle', type: 'button', 'data-testid': 'signout', onclick: doSignOut }, 'Sign out');
  const main = h('main', { id: 'main', tabindex: '-1' });
  const skip = h('a', { class: 'skip-link', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); } }, 'Skip to content');
  const header = h('header', { class: 'topbar' },
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), 'cspd',
      state.info && state.info.sandbox ? h('span', { class: 'sandbox-tag', title: 'Sandbox mode' }, 'sandbox') : null),
    menuBtn,
    h('div', { class: 'who' },
      h('span', { class: 'tenant', 'data-testid': 'tenant-name' }, s.tenantName || s.tenantId),
      h('span', { class: 'user', 'data-testid': 'user-name' }, `${s.displayName || s.email}`,
        h('span', { class: 'kind' }, ` · ${s.tenantKind}${s.roles && s.roles.length ? ` (${s.roles.join(', ')})` : ''}`)),
      signOutBtn));
  replace(root(), skip, header, h('div', { class: 'layout' }, nav, main));
  shellEls = { navList, nav, main, menuBtn };
}

function renderShell(path) {
  if (!shellEls) buildShell();
  const ctx = ctxFor({}, new URLSearchParams());
  const items = ROUTES.filter((r) => r.nav && allowed(r, ctx));
  const groups = [];
  for (const r of items) {
    const g = r.group || '';
    let grp = groups.find((x) => x.name === g);
    if (!grp) { grp = { name: g, routes: [] }; groups.push(grp); }
    grp.routes.push(r);
  }
  const link = (r) => {
    const current = path === r.path || (r.path !== '/customer' && path.startsWith(`${r.path}/`));
    return h('li', null, h('a', { href: `#${r.path}`, 'data-testid': r.testid, 'aria-current': current ? 'page' : null }, r.nav));
  };
  replace(shellEls.navList, groups.map((g) => (g.name
    ? h('li', { class: 'nav-group' }, h('span', { class: 'nav-group-title', id: `grp-${g.name}` }, g.name),
      h('ul', { 'aria-labelledby': `grp-${g.name}` }, g.routes.map(link)))
    : g.routes.map(link))));
}

// --- routing -----------------------------------------------------------------------------------

async function render() {
  const seq = ++state.seq;
  const { path, query, raw } = parseHash();

  if (!state.session) {
    if (path !== '/signin' && path !== '/') state.pendingRoute = raw;
    shellEls = null;
    const mod = await import('./pages/signin.js');
    if (seq !== state.seq) return;
    const page = h('div', { class: 'signin-page' });
    replace(root(), page);
    mod.render(page, { message: state.signinMessage, info: state.info, onSignedIn });
    state.signinMessage = null;
    return;
  }

  if (path === '/' || path === '/signin') {
    location.replace(`#${HOME[state.session.tenantKind] || '/overview'}`);
    return;
  }

  let route = null;
  let params = null;
  for (const r of ROUTES) {
    params = match(r.path, path);
    if (params) { route = r; break; }
  }
  renderShell(path);
  if (shellEls.nav.classList.contains('open')) {
    shellEls.nav.classList.remove('open');
    shellEls.menuBtn.setAttribute('aria-expanded', 'false');
  }
  const page = h('div', { class: 'page' });
  replace(shellEls.main, page);
  const ctx = ctxFor(params || {}, query);
  if (!route) {
    replace(page, h('h1', { tabindex: '-1' }, 'Page not found'),
      h('p', null, 'There is no page at this address. ', h('a', { href: `#${HOME[state.session.tenantKind]}` }, 'Go to the start page'), '.'));
    focusHeading(page);
    return;
  }
  if (!allowed(route, ctx)) {
    replace(page, h('h1', { tabindex: '-1' }, 'Not available'),
      h('div', { class: 'alert error', role: 'alert', 'data-testid': 'not-allowed' },
        h('p', { class: 'alert-title' }, 'Your account cannot open this page.'),
        h('p', null, `It needs ${route.kinds ? `a ${route.kinds.join(' or ')} tenant` : 'another tenant'}${route.roles ? ` and one of the roles ${route.roles.join(', ')}` : ''}${route.when ? ' in the right program state' : ''}.`)),
      h('p', null, h('a', { href: `#${HOME[state.session.tenantKind]}` }, 'Go to the start page')));
    focusHeading(page);
    return;
  }
  try {
    const mod = await import(`./pages/${route.page}.js`);
    if (seq !== state.seq) return;
    const p = mod.render(page, ctx);
    focusHeading(page);
    await p;
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 401) return;
    replace(page, h('h1', null, 'Error'), errorBox(e));
  }
}

function focusHeading(page) {
  const h1 = page.querySelector('h1');
  if (h1) { if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: false }); }
}

async function onSignedIn(session) {
  state.session = session;
  await refreshProgram();
  let target = state.pendingRoute;
  state.pendingRoute = null;
  if (target) {
    // Only go back to where the user was if the new session may open it (another user may sign in).
    const path = target.split('?')[0];
    const ctx = ctxFor({}, new URLSearchParams());
    const r = ROUTES.find((x) => match(x.path, path));
    if (!r || !allowed(r, ctx)) target = null;
  }
  buildShell();
  if (target && target !== '/signin' && target !== '/') {
    if (`#${target}` === location.hash) render(); else location.hash = target;
  } else {
    const home = `#${HOME[session.tenantKind] || '/overview'}`;
    if (location.hash === home) render(); else location.hash = home;
  }
}

async function doSignOut() {
  try { await api.signOut(); } catch (e) { /* the cookie is gone or the server is: sign-in either way */ }
  state.session = null;
  state.programs = {};
  state.signinMessage = { kind: 'info', text: 'You have signed out.' };
  shellEls = null;
  if (location.hash === '#/signin') render(); else location.hash = '/signin';
}

api.setExpiredHandler(() => {
  if (!state.session) return;
  const { raw } = parseHash();
  state.session = null;
  state.programs = {};
  state.pendingRoute = raw;
  state.signinMessage = { kind: 'error', text: 'Your session expired. Sign in again to continue.' };
  shellEls = null;
  render();
});

async function start() {
  try { state.info = await api.serverInfo(); } catch { state.info = null; }
  try {
    state.session = await api.loadSession();
  } catch (e) {
    state.session = null;
    state.signinMessage = { kind: 'error', text: e.message };
  }
  if (state.session) await refreshProgram();
  window.addEventListener('hashchange', render);
  render();
}

start();
