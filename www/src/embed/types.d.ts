// The embedding API's public types: the <member-lens> element, the headless analyzer and the
// iframe protocol. The report and member types they carry are generated from the Rust structs
// (../types/report.d.ts, ../engine/protocol.d.ts); nothing here is `any`.

import type { Report } from '../types/report';
import type { AnalysisOptions, FileOptions, FileSummary, MemberPage, MemberQuery, Progress, EngineErrorInfo, ListLayout } from '../engine/protocol';

export type { Report, AnalysisOptions, FileOptions, FileSummary, MemberPage, MemberQuery, Progress, EngineErrorInfo, ListLayout };

/** A member list's file format. */
export type ExportFormat = 'csv' | 'xlsx';

/** The languages of the UI, the exports' headers and the error messages. */
export type Lang = 'zh' | 'en';

/** Where the engine's worker script and `.wasm` are served from (default: next to the module). */
export interface AssetOptions {
  /** The worker script (`worker.js` of the package); must be same-origin with the page. */
  workerUrl?: string | URL;
  /** The engine's `memberlens_bg.wasm`. */
  wasmUrl?: string | URL;
}

/** The headless analyzer's options. */
export interface AnalyzerOptions extends AssetOptions {
  /** Analysis options every analysis starts from (`setOptions` changes them). */
  options?: AnalysisOptions;
  /** Language of exported lists' headers (default zh). */
  lang?: Lang;
}

/** How a member list is exported. */
export interface ExportOptions {
  /** `full` (every column, keys as headers; the default), `labelled`, `audience` or `touch` (WeCom/SMS). */
  layout?: ListLayout;
  /** Headers of the labelled layouts: zh (default) or en. */
  lang?: Lang;
  /** Phones as 138****5678, names as 张**. */
  mask?: boolean;
  /** File name without extension (default `members`). */
  name?: string;
}

/** `ml-progress`: a file is being read. */
export type ProgressDetail = Progress;
/** `ml-report`: a new report is ready (after files were added or options changed). */
export interface ReportDetail {
  report: Report;
  /** Counts the reports made since the start (1, 2, ...). */
  seq: number;
}
/** `ml-error`: what failed, with the engine's structured fields (both languages). */
export type ErrorDetail = EngineErrorInfo;
/** `ml-export`: a list was exported (through the API or the UI's buttons). */
export interface ExportDetail {
  /** The file name, with extension. */
  name: string;
  format: ExportFormat | 'json' | 'html';
  /** The MIME type of `bytes`. */
  mime: string;
  bytes: Uint8Array;
}

/** The events both the element and the headless analyzer dispatch. */
export interface MemberLensEventMap {
  'ml-progress': CustomEvent<ProgressDetail>;
  'ml-report': CustomEvent<ReportDetail>;
  'ml-error': CustomEvent<ErrorDetail>;
  'ml-export': CustomEvent<ExportDetail>;
}

/** The calls the element and the headless analyzer share. */
export interface MemberLensApi {
  /** Adds files (replacing same-named ones) and analyses; resolves with the new report, forecasts included (after its `ml-report`). */
  loadFiles(files: Iterable<File> | ArrayLike<File>): Promise<Report | null>;
  /** Adds one file from bytes (how to read it in `options`) and analyses. */
  loadBytes(name: string, bytes: Uint8Array, options?: FileOptions): Promise<Report | null>;
  /** Changes the analysis options (merged into the current ones) and analyses again when there are files. */
  setOptions(options: AnalysisOptions): Promise<Report | null>;
  /** The latest report, or null before any analysis. */
  report(): Promise<Report | null>;
  /** A page of the member table (search, filters, rule, sort, offset, limit). */
  members(query?: MemberQuery): Promise<MemberPage>;
  /** The whole list a query selects as a CSV (UTF-8 with BOM) or XLSX file; also sent as `ml-export`. */
  exportMembers(query?: MemberQuery, format?: ExportFormat, options?: ExportOptions): Promise<Uint8Array>;
  /** Stops the engine's worker; the object is unusable afterwards. */
  dispose(): void;
}

/** Messages a portal sends to the iframe (`frame.html`); `id` comes back in the reply. */
export type FrameRequest =
  | { type: 'load'; id?: number | string; files: { name: string; bytes: Uint8Array | ArrayBuffer; options?: FileOptions }[] }
  | { type: 'setOptions'; id?: number | string; options: AnalysisOptions }
  | { type: 'report'; id?: number | string }
  | { type: 'members'; id?: number | string; query?: MemberQuery }
  | { type: 'export'; id?: number | string; query?: MemberQuery; format?: ExportFormat };

/** Messages the iframe sends to the portal (only to an allowed origin). */
export type FrameMessage =
  | { source: 'memberlens'; type: 'ready' }
  | { source: 'memberlens'; type: 'resize'; height: number }
  | { source: 'memberlens'; type: 'report'; id?: number | string; report: Report | null }
  | { source: 'memberlens'; type: 'members'; id?: number | string; page: MemberPage }
  | { source: 'memberlens'; type: 'export'; id?: number | string; format: ExportFormat; bytes: Uint8Array }
  | { source: 'memberlens'; type: 'progress'; progress: Progress }
  | { source: 'memberlens'; type: 'error'; id?: number | string; error: EngineErrorInfo };
