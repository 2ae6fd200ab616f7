// memberlens: the headless analyzer (no DOM; the engine runs in a Web Worker).
// The report and member types are generated from the engine's Rust structs (types/report.d.ts).

import type { AnalyzerOptions, MemberLensApi, MemberLensEventMap, Report } from './types/api';

export type * from './types/api';

/** The headless analyzer: the element's calls, and its events on an EventTarget. */
export interface Analyzer extends MemberLensApi, EventTarget {
  /** The engine's version once its worker has started; rejects when it cannot start. */
  readonly ready: Promise<string>;
  addEventListener<K extends keyof MemberLensEventMap>(type: K, listener: (ev: MemberLensEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof MemberLensEventMap>(type: K, listener: (ev: MemberLensEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/** A headless analyzer; the worker and `.wasm` default to the package's `dist/` (same origin as the page). */
export function createAnalyzer(options?: AnalyzerOptions): Analyzer;

/** The report type, for portals that keep reports. */
export type { Report };
