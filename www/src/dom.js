// DOM helpers. Everything that came from input is set with textContent: never innerHTML.

/**
 * el('td', {class: 'num', dataset: {value: 3}}, 'text', childNode)
 * Attributes: class, dataset, on<Event> handlers, and plain attributes; children: strings or nodes.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') for (const [dk, dv] of Object.entries(v)) node.dataset[dk] = dv == null ? '' : String(dv);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'value') node.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') node[k] = Boolean(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else if (c instanceof Node) node.appendChild(c);
    else node.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function $(id) {
  return document.getElementById(id);
}

/** A table from header labels and rows of cells (strings, numbers or nodes); rowAttrs(i) gives per-row attributes. */
export function table(headers, rows, { rowAttrs, className = 'data-table', numeric = [] } = {}) {
  return el('table', { class: className },
    el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { class: numeric.includes(i) ? 'num' : null }, h)))),
    el('tbody', {}, rows.map((cells, r) => el('tr', rowAttrs ? rowAttrs(r) : {},
      cells.map((c, i) => el('td', { class: numeric.includes(i) ? 'num' : null }, c))))));
}
