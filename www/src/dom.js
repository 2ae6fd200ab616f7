// DOM helpers. Everything that came from input is set with textContent: never innerHTML.

/** A child for el(): a node, text, or nothing; arrays are flattened. @typedef {Node | string | number | null | undefined | false | Child[]} Child */

/**
 * el('td', {class: 'num', dataset: {value: 3}}, 'text', childNode)
 * Attributes: class, dataset, on<Event> handlers, and plain attributes; children: strings or nodes.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  /** @type {Record<string, any>} */
  const props = node;
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') for (const [dk, dv] of Object.entries(v)) node.dataset[dk] = dv == null ? '' : String(dv);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'value') props.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') props[k] = Boolean(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

/** @param {Node} node @param {Child[]} children */
export function append(node, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else if (c instanceof Node) node.appendChild(c);
    else node.appendChild(document.createTextNode(String(c)));
  }
}

/** @template {Node} N @param {N} node @returns {N} */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/**
 * Replace a node's content: text through textContent, nodes (or arrays of them) as children.
 * @param {Node} node
 * @param {Child} content
 */
export function fill(node, content) {
  if (typeof content === 'string') node.textContent = content;
  else append(clear(node), [content]);
  return node;
}

/**
 * Where the page's markup lives: the document (index.html), or the shadow root of a
 * <member-lens> element with its wrapper standing in for <body> (one UI per document).
 * @type {{root: Document | ShadowRoot | null, host: HTMLElement | null}}
 */
const scope = { root: null, host: null };

/** Mount the page UI in a shadow root, `host` holding the state flags <body> holds on the page. @param {Document | ShadowRoot} root @param {HTMLElement} [host] */
export function setScope(root, host) {
  scope.root = root;
  scope.host = host ?? null;
}

/** The document or shadow root the page's markup is in. @returns {Document | ShadowRoot} */
export function getRoot() {
  return scope.root ?? document;
}

/** The element carrying the page's state flags (data-state, data-report-seq ...): <body> on the page. @returns {HTMLElement} */
export function stateHost() {
  return scope.host ?? document.body;
}

/** The element with this id (the page's markup has every id the code asks for). @param {string} id */
export function $(id) {
  return /** @type {HTMLElement} */ (getRoot().getElementById(id));
}

/** @param {string} id */
export const $input = (id) => /** @type {HTMLInputElement} */ ($(id));
/** @param {string} id */
export const $select = (id) => /** @type {HTMLSelectElement} */ ($(id));
/** @param {string} id */
export const $button = (id) => /** @type {HTMLButtonElement} */ ($(id));

/**
 * A table from header labels and rows of cells (strings, numbers or nodes); rowAttrs(i) gives per-row attributes.
 * @param {Child[]} headers
 * @param {Child[][]} rows
 * @param {{rowAttrs?: (i: number) => Record<string, any>, className?: string, numeric?: number[]}} [options]
 */
export function table(headers, rows, { rowAttrs, className = 'data-table', numeric = [] } = {}) {
  return el('table', { class: className },
    el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { class: numeric.includes(i) ? 'num' : null }, h)))),
    el('tbody', {}, rows.map((cells, r) => el('tr', rowAttrs ? rowAttrs(r) : {},
      cells.map((c, i) => el('td', { class: numeric.includes(i) ? 'num' : null }, c))))));
}
