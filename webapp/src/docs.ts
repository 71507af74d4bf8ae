// The API documentation page (GET /docs, docs.html), bundled into /docs/docs.js: the REST
// API with Swagger UI and the real-time API with AsyncAPI's React component, one tab each.
// Neither can be made to show another document: Swagger UI loads this server's
// /openapi.json and ignores the page's query (no `?url=` or `?configUrl=`), and the
// real-time API is api/asyncapi.yaml as build.mjs parsed it (its $refs into openapi.json
// resolved) at build time, the file that GET /asyncapi.yaml serves.
import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-bundle.js';
import AsyncApiStandalone from '@asyncapi/react-component/browser/standalone/without-parser.js';
import asyncapi from 'flow:asyncapi';

const REALTIME_HASH = '#realtime';

function showRest(): void {
  SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    queryConfigEnabled: false,
    configUrl: null,
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
}

function showRealtime(): void {
  AsyncApiStandalone.render(
    {
      schema: asyncapi,
      config: {
        show: { sidebar: true, messageExamples: true },
        // The document is written from the server's side: it sends `send` operations and
        // receives (from clients) `receive` operations.
        sendLabel: 'SERVER SENDS',
        receiveLabel: 'CLIENT SENDS',
        replyLabel: 'ACK',
      },
    },
    document.getElementById('asyncapi')!,
  );
}

// Each tab's renderer runs the first time the tab is opened: only the API on screen costs
// the browser anything, and Swagger UI (whose deep links rewrite the URL's hash) stays
// away from /docs#realtime until someone opens the REST tab.
const renderers = new Map([['tab-rest', showRest], ['tab-realtime', showRealtime]]);

// Tabs as the WAI-ARIA tabs pattern has them: one tab in the Tab order, arrow keys (and Home,
// End) move between tabs and open the one they land on.
const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')];

function select(tab: HTMLButtonElement): void {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute('aria-selected', String(selected));
    other.tabIndex = selected ? 0 : -1;
    document.getElementById(other.getAttribute('aria-controls')!)!.hidden = !selected;
  }
  const render = renderers.get(tab.id);
  renderers.delete(tab.id);
  render?.();
}

function selectFromHash(): void {
  select(tabs[location.hash === REALTIME_HASH ? 1 : 0]);
}

for (const [index, tab] of tabs.entries()) {
  tab.addEventListener('click', () => {
    // A link to the real-time tab is /docs#realtime; the REST tab leaves the hash to Swagger
    // UI's deep links (#/tag/operation).
    const hash = tab.id === 'tab-realtime' ? REALTIME_HASH : location.hash === REALTIME_HASH ? '' : location.hash;
    if (location.hash !== hash) history.replaceState(null, '', location.pathname + location.search + hash);
    select(tab);
  });
  tab.addEventListener('keydown', (e) => {
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length];
    target.focus();
    target.click();
  });
}
// A link to /docs#realtime opens that tab, one to a Swagger UI deep link (#/...) the REST
// tab; the AsyncAPI component's own in-page links (#operation-...) leave the tabs alone.
window.addEventListener('hashchange', () => {
  if (location.hash === REALTIME_HASH || location.hash.startsWith('#/')) selectFromHash();
});

selectFromHash();
