// memberlens/element: importing it defines <member-lens> (the analyzer's UI in a Shadow DOM).

import type { MemberLensApi, MemberLensEventMap } from './types/api';

export type * from './types/api';

/**
 * <member-lens lang="zh|en" sections="inventory,rfm,members" as-of="YYYY-MM-DD"
 *   worker-url="…" wasm-url="…" demo-url="…">
 * Themed with --ml-accent, --ml-font, --ml-font-size, --ml-fg, --ml-muted, --ml-bg, --ml-panel,
 * --ml-line, --ml-accent-weak, --ml-danger, --ml-radius and ::part(panel | panel-title | button |
 * dropzone | menu | error | member-table).
 */
export declare class MemberLensElement extends HTMLElement implements MemberLensApi {
  /** The engine's version once its worker has started. */
  readonly ready: Promise<string>;
  loadFiles: MemberLensApi['loadFiles'];
  loadBytes: MemberLensApi['loadBytes'];
  setOptions: MemberLensApi['setOptions'];
  report: MemberLensApi['report'];
  members: MemberLensApi['members'];
  exportMembers: MemberLensApi['exportMembers'];
  dispose: MemberLensApi['dispose'];
  addEventListener<K extends keyof MemberLensEventMap>(type: K, listener: (this: MemberLensElement, ev: MemberLensEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: MemberLensElement, ev: HTMLElementEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'member-lens': MemberLensElement;
  }
}
