// The example portal's script: puts MemberLens in a panel and listens to what it says.
import '../embed/member-lens.js';

const lens = /** @type {import('../src/embed/element.js').MemberLensElement} */ (document.getElementById('lens'));
const log = /** @type {HTMLOListElement} */ (document.getElementById('portal-log'));

/** @param {string} text */
function note(text) {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  log.prepend(li);
}

/** @param {string} id @param {string} text */
const show = (id, text) => { /** @type {HTMLElement} */ (document.getElementById(id)).textContent = text; };

lens.addEventListener('ml-progress', (ev) => {
  const p = ev.detail;
  if (p.parsing) note(`parsing ${p.name}`);
});
lens.addEventListener('ml-report', (ev) => {
  const inv = ev.detail.report.inventory;
  show('kpi-members', inv.members_total.toLocaleString());
  show('kpi-buyers', inv.buyers.toLocaleString());
  show('kpi-revenue', `¥${Math.round(inv.revenue).toLocaleString()}`);
  /** @type {HTMLButtonElement} */ (document.getElementById('portal-export')).disabled = false;
  note(`report #${ev.detail.seq}: ${inv.members_total} members`);
});
lens.addEventListener('ml-error', (ev) => note(`error ${ev.detail.code}: ${ev.detail.message}`));
lens.addEventListener('ml-export', (ev) => note(`export ${ev.detail.name} (${ev.detail.bytes.length} bytes)`));

const files = /** @type {HTMLInputElement} */ (document.getElementById('portal-files'));
files.addEventListener('change', () => {
  const list = [...(files.files ?? [])];
  files.value = '';
  lens.loadFiles(list);
});

/** @type {HTMLSelectElement} */ (document.getElementById('portal-lang')).addEventListener('change', (ev) => {
  lens.setAttribute('lang', /** @type {HTMLSelectElement} */ (ev.target).value);
});
/** @type {HTMLSelectElement} */ (document.getElementById('portal-sections')).addEventListener('change', (ev) => {
  const v = /** @type {HTMLSelectElement} */ (ev.target).value;
  if (v) lens.setAttribute('sections', v); else lens.removeAttribute('sections');
});

document.getElementById('portal-export')?.addEventListener('click', async () => {
  const bytes = await lens.exportMembers({}, 'csv');
  const url = URL.createObjectURL(new Blob([/** @type {BlobPart} */ (bytes)], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'members.csv';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
});
