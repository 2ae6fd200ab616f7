// The worker protocol and the records the engine hands the page besides the report.
// Hand-written from src/wasm.rs, src/ingest/mod.rs and src/analysis/member_table.rs: when a
// generated type covers one of these (FileSummary, MemberQuery ...), import it from there instead.

import type { MemberRow } from '../types/report';

/** How the user overrides the reading of one file (`FileOptions`). */
export interface FileOptions {
  kind?: string;
  encoding?: string;
  source_label?: string;
  sheet?: string;
  /** Header → role key, or `ignore`. */
  columns?: Record<string, string>;
  tz_offset_minutes?: number;
  /** The 1-based line (sheet row) of the header; found when left out (a title or notes above it skipped with a notice). */
  header_row?: number;
  /** The order of year-last dates (`31/12/2023`), read only when chosen; year-first dates are read whatever it is. */
  date_order?: DateOrder;
  /** How many MiB a workbook may unzip to (default 256). */
  xlsx_limit_mib?: number;
}

/** The order of a date's parts (`DateOrder`): year first (the default), day-month-year or month-day-year. */
export type DateOrder = 'ymd' | 'dmy' | 'mdy';

/** One column's mapping as reported to the user (`ColumnMapping`). */
export interface ColumnMapping {
  header: string;
  /** Role key, or null when unused. */
  role: string | null;
  /** `header`, `content`, `user` or `none`. */
  decided_by: string | null;
}

/** What the engine says about one file after reading it (`FileSummary`). */
export interface FileSummary {
  name: string;
  kind: string;
  kind_decided_by?: string;
  encoding: string;
  /** Empty for workbooks. */
  delimiter: string;
  sheet?: string | null;
  rows: number;
  accepted: number;
  duplicate_rows: number;
  rejected_rows: number;
  headers: string[];
  columns: ColumnMapping[];
  sample: string[][];
  roles_available: string[];
  reject_reasons: Record<string, number>;
  source_label: string;
}

/** Forecast settings (`ForecastOptions`). */
export interface ForecastOptions {
  enabled?: boolean;
  time_unit_days?: number;
  clv_months?: number;
  discount?: number;
  /** Purchase model for the member forecasts: the data's choice (lowest AIC, `auto`, default) or one named. */
  model?: 'auto' | 'bgnbd' | 'mbgnbd' | 'pareto';
}

/** A revenue target to decompose (目标拆解, the engine's `TargetOptions`). */
export interface TargetOptions {
  /** The revenue target for the period (> 0). */
  revenue: number;
  /** Whole calendar months after the as-of month, 1..36 (default 12). */
  months?: number;
  /** Traffic-to-order conversion rate, 0 < rate ≤ 1, when known. */
  conversion_rate?: number;
  /** Average order value instead of the data's. */
  aov?: number;
  /** A new member's revenue in the period instead of the mean first-purchase value. */
  new_member_value?: number;
  /** The existing members' revenue in the period instead of the estimate (≥ 0). */
  existing_revenue?: number;
}

/** What the page may set for one analysis (a subset of `AnalysisOptions`). */
export interface AnalysisOptions {
  as_of?: string;
  dormancy_mode?: string;
  rfm_window_days?: number;
  forecast?: ForecastOptions;
  holdout_from?: string;
  /** The segment movement's comparison date, YYYY-MM-DD before as-of (default as-of − 90 days). */
  compare_date?: string;
  /** A revenue target to decompose (the report's `growth.target`). */
  target?: TargetOptions;
}

/** Which members to list (`MemberQuery`). */
export interface MemberQuery {
  search?: string;
  segment?: string;
  dormancy?: string;
  lifecycle?: string;
  source?: string;
  segment_ten?: string;
  churn_band?: string;
  buyers?: boolean;
  /** Only members matching this rule (`tag("key")` for one tag; see docs/rules-language.md). */
  rule?: string;
  sort?: string;
  desc?: boolean;
  offset?: number;
  limit?: number;
}

/**
 * A member row as a page lists it: the columns, the keys of the member's tags, and the member's
 * row in the engine's member table (what `aliveHistory` takes).
 */
export type MemberPageRow = MemberRow & { tags?: string[]; table_row: number };

/**
 * One member's P(alive) over their history (`AliveHistory`, lifetimes' `plot_history_alive`):
 * every day from their first purchase to the as-of date, under the report's purchase model.
 */
export interface AliveHistory {
  /** The purchase model's key (the report's `forecast.purchase_model.chosen`). */
  model: string;
  /** The member's purchase days, YYYY-MM-DD, in order (a day with several purchases once). */
  purchase_days: string[];
  /** [day YYYY-MM-DD, P(alive) given the purchases up to that day], one per day, in order. */
  points: [string, number][];
}

/** One page of the member table. */
export interface MemberPage {
  total: number;
  rows: MemberPageRow[];
}

/** An audience as the user defines it (`AudienceDef`). */
export interface AudienceDef {
  name: string;
  /** Its rule (docs/rules-language.md). */
  rule: string;
}

/** How the client report (`reportHtml`) is headed: the engine's `HtmlOptions`. */
export interface ReportHtmlOptions {
  /** The report's title (the engine's default in `lang` when left out). */
  title?: string;
  /** The client or brand the report is for. */
  brand?: string;
  /** The report's language. */
  lang?: 'zh' | 'en';
  /** The day the report is made, YYYY-MM-DD (the page passes today's local date). */
  date?: string;
}

/** Which columns an exported list has: every column, an operations list, or a WeCom/SMS list. */
export type ListLayout = 'full' | 'labelled' | 'audience' | 'touch';

/** An error as it crosses from the worker: the engine's structured fields, plus whether the worker must be replaced. */
export interface EngineErrorInfo {
  /** The worker (or its Wasm instance) is gone or corrupt: replace it. */
  fatal: boolean;
  code: string;
  message: string;
  message_zh: string;
  file?: string | null;
  line?: number | null;
  /** A column header (file errors) or a 1-based character column (rule errors). */
  column?: string | number | null;
  /** `dates_unreadable`: an unreadable date of the column, and whether it looks year-last (31/12/2023), when the engine passes them. */
  example?: string | null;
  day_first?: boolean | null;
}

/** Reading progress, posted by the worker without an id. */
export interface Progress {
  type: 'progress';
  name: string;
  done: number;
  total: number;
  /** Every byte is in; the engine is parsing. */
  parsing?: boolean;
}

/**
 * The results of an `analyze` request before its tags, audiences, action plan and growth are
 * made (the report without those keys), posted with the request's id ahead of its reply.
 */
export interface Results {
  type: 'results';
  id: number;
  result: unknown;
}

/** Requests the page posts to the worker; each reply carries the same id. */
export type Request = { id: number } & (
  | { type: 'init'; wasmUrl?: string; wasmBytes?: Uint8Array }
  | { type: 'addFile'; name: string; file: File; options?: FileOptions }
  | { type: 'setFileOptions'; name: string; options?: FileOptions }
  | { type: 'removeFile'; name: string }
  | { type: 'filePreview'; name: string }
  | { type: 'analyze'; options?: AnalysisOptions; /** Post the first results ahead of the reply (`Results`). */ steps?: boolean }
  | { type: 'columns' }
  | { type: 'query'; query?: MemberQuery }
  | { type: 'aliveHistory'; row: number }
  | { type: 'export'; query?: MemberQuery; format: string; layout?: ListLayout; lang?: string; mask?: boolean }
  | { type: 'tagSummary' }
  | { type: 'countRule'; rule: string }
  | { type: 'audiences'; defs: AudienceDef[] }
  | { type: 'setAudiences'; defs: AudienceDef[] }
  | { type: 'setCatalogue'; json: string }
  | { type: 'catalogueJson' }
  | { type: 'setPlaybook'; json: string }
  | { type: 'playbookJson' }
  | { type: 'report' }
  | { type: 'reportHtml'; options?: ReportHtmlOptions }
  | { type: 'exportTarget'; lang?: string }
);

/** The worker's answer to one request. */
export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: EngineErrorInfo };
