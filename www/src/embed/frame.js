// The iframe protocol (frame.html): a portal that prefers isolation frames this page and talks
// to the <member-lens> inside with postMessage.
//
//   frame.html?origins=https://portal.example,https://admin.example&lang=en&sections=inventory,rfm
//
// Only messages from the parent window whose origin is in `origins` (or this page's own origin)
// are read; every reply and notice is posted to those origins only (postMessage's targetOrigin),
// so no other site can drive the frame or read what it says. Who may frame the page at all is
// the host's to say (CSP frame-ancestors on the server).
//
// portal → frame   {type: 'load', id, files: [{name, bytes, options?}]}   → {type: 'report', id, report}
//                  {type: 'setOptions', id, options}                      → {type: 'report', id, report}
//                  {type: 'report', id}                                   → {type: 'report', id, report}
//                  {type: 'members', id, query}                           → {type: 'members', id, page}
//                  {type: 'export', id, query, format}                    → {type: 'export', id, format, bytes}
// frame → portal   {type: 'ready'}, {type: 'resize', height}, {type: 'progress', progress},
//                  {type: 'report', report} (each new report), {type: 'error', id?, error}
// Every message the frame sends has source: 'memberlens'.

/** @typedef {import('./types').FrameRequest} FrameRequest */
/** @typedef {import('./types').FrameMessage} FrameMessage */
/** @typedef {import('./element.js').MemberLensElement} MemberLensElement */

const params = new URLSearchParams(location.search);

/** The origins allowed to talk to the frame: the `origins` parameter, and this page's own. */
export const allowed = new Set([location.origin]);
for (const o of (params.get('origins') ?? '').split(/[\s,]+/).filter(Boolean)) {
  try { allowed.add(new URL(o).origin); } catch { /* not an origin: ignored */ }
}

/** @param {Record<string, unknown>} msg @param {string} origin @param {Transferable[]} [transfer] */
function postTo(msg, origin, transfer = []) {
  if (window.parent === window) return;
  window.parent.postMessage({ source: 'memberlens', ...msg }, { targetOrigin: origin, transfer });
}

/** A notice to the portal, whichever allowed origin it is (the browser drops the others). @param {Record<string, unknown>} msg */
function broadcast(msg) {
  for (const origin of allowed) postTo(msg, origin);
}

/** @param {unknown} e */
function errorOf(e) {
  const x = /** @type {Record<string, unknown>} */ (e && typeof e === 'object' ? e : {});
  const message = typeof x.message === 'string' ? x.message : String(e);
  return { fatal: Boolean(x.fatal), code: typeof x.code === 'string' ? x.code : 'error', message, message_zh: typeof x.message_zh === 'string' && x.message_zh ? x.message_zh : message, file: x.file ?? null, line: x.line ?? null, column: x.column ?? null };
}

/** @param {Uint8Array | ArrayBuffer} b */
const bytesOf = (b) => (b instanceof Uint8Array ? b : new Uint8Array(b));

/**
 * Serves one request from the portal.
 * @param {MemberLensElement} lens @param {FrameRequest} m @param {string} origin
 */
async function serve(lens, m, origin) {
  const id = m.id;
  try {
    switch (m.type) {
      case 'load': {
        const files = Array.isArray(m.files) ? m.files : [];
        let report = null;
        if (files.some((f) => f.options)) {
          for (const f of files) report = await lens.loadBytes(String(f.name), bytesOf(f.bytes), f.options ?? {});
        } else {
          report = await lens.loadFiles(files.map((f) => new File([/** @type {BlobPart} */ (bytesOf(f.bytes))], String(f.name))));
        }
        postTo({ type: 'report', id, report }, origin);
        return;
      }
      case 'setOptions':
        postTo({ type: 'report', id, report: await lens.setOptions(m.options ?? {}) }, origin);
        return;
      case 'report':
        postTo({ type: 'report', id, report: await lens.report() }, origin);
        return;
      case 'members':
        postTo({ type: 'members', id, page: await lens.members(m.query ?? {}) }, origin);
        return;
      case 'export': {
        const format = m.format === 'xlsx' ? 'xlsx' : 'csv';
        const bytes = await lens.exportMembers(m.query ?? {}, format);
        postTo({ type: 'export', id, format, bytes }, origin, [bytes.buffer]);
        return;
      }
      default:
        postTo({ type: 'error', id, error: errorOf({ code: 'unknown_message', message: `unknown message type: ${String(/** @type {{type?: unknown}} */ (m).type)}`, message_zh: `未知的消息类型：${String(/** @type {{type?: unknown}} */ (m).type)}` }) }, origin);
    }
  } catch (e) {
    postTo({ type: 'error', id, error: errorOf(e) }, origin);
  }
}

async function start() {
  await customElements.whenDefined('member-lens');
  const lens = /** @type {MemberLensElement} */ (document.createElement('member-lens'));
  for (const name of ['lang', 'sections', 'as-of']) {
    const v = params.get(name);
    if (v !== null) lens.setAttribute(name, v);
  }
  lens.addEventListener('ml-report', (ev) => broadcast({ type: 'report', report: /** @type {CustomEvent<import('./types').ReportDetail>} */ (ev).detail.report }));
  lens.addEventListener('ml-error', (ev) => broadcast({ type: 'error', error: /** @type {CustomEvent} */ (ev).detail }));
  lens.addEventListener('ml-progress', (ev) => broadcast({ type: 'progress', progress: /** @type {CustomEvent} */ (ev).detail }));
  document.body.append(lens);

  window.addEventListener('message', (ev) => {
    // Only the portal that framed us, from an allowed origin; anything else is ignored.
    if (ev.source !== window.parent || !allowed.has(ev.origin)) return;
    const m = ev.data;
    if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
    serve(lens, /** @type {FrameRequest} */ (m), ev.origin);
  });

  let last = -1;
  const report = () => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== last) { last = height; broadcast({ type: 'resize', height }); }
  };
  new ResizeObserver(report).observe(document.body);
  await lens.ready.catch(() => {});
  broadcast({ type: 'ready' });
  last = -1;
  report();
}

start();
