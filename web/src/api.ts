// The one way the app talks to the server: the JSON API under /api/v1, same origin.
//
// Session: the access token lives in memory only (never localStorage); the refresh token is an
// HttpOnly, SameSite=Strict cookie scoped to /api/v1/auth that script cannot read (login with
// "session": "cookie"). A reload or a 401 asks /auth/refresh for a new access token; that call must
// carry X-Requested-With, which a cross-site form cannot send.

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];
  readonly requestId: string;
  // The problem's other members (a duplicate upload's file_id, say).
  readonly body: Record<string, unknown>;

  constructor(status: number, title: string, detail: string, errors: FieldError[] = [], requestId = "", body: Record<string, unknown> = {}) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
    this.requestId = requestId;
    this.body = body;
  }

  // The message for one field ("name", "column_mapping.columns.amount"), or for any field under it.
  fieldMessage(field: string): string | undefined {
    const hit = this.errors.find((e) => e.field === field || e.field.startsWith(field + ".") || e.field.startsWith(field + "["));
    return hit?.message;
  }
}

export interface Page<T> {
  items: T[];
  page: number;
  per_page: number;
  total: number;
}

export interface CursorPage<T> {
  items: T[];
  per_page: number;
  next_cursor: string | null;
}

export interface User {
  id: string;
  email: string;
  display_name: string;
  role: "admin" | "user";
}

export interface Project {
  id: string;
  owner_id: string;
  name: string;
  description: string;
  status: string;
  version: number;
  created_at: string;
}

export interface ColumnMapping {
  columns?: Partial<Record<MappedField, string | null>> | null;
  date_format?: string | null;
  decimal_separator?: string | null;
  default_currency?: string | null;
  all_or_nothing?: boolean | null;
  amount_optional?: boolean | null;
}

export type MappedField =
  | "date"
  | "amount"
  | "debit"
  | "credit"
  | "currency"
  | "reference"
  | "description"
  | "counterparty"
  | "external_id"
  | "credit_debit_indicator";

export const MAPPED_FIELDS: MappedField[] = [
  "date",
  "amount",
  "debit",
  "credit",
  "currency",
  "reference",
  "description",
  "counterparty",
  "external_id",
  "credit_debit_indicator",
];

export interface DataSource {
  id: string;
  project_id: string;
  name: string;
  kind: string;
  column_mapping: ColumnMapping;
  is_active: boolean;
  version: number;
}

export interface StoredFile {
  id: string;
  data_source_id: string;
  filename: string;
  size_bytes: number;
  status: "uploaded" | "parsing" | "parsed" | "failed";
  progress: number;
  rows_ok: number;
  rows_failed: number;
  error: string | null;
  created_at: string;
}

export interface RowError {
  line: number;
  column: string;
  value: string;
  reason: string;
}

export interface FileLayout {
  format: string;
  delimiter: string | null;
  header: string[];
  mapping: Partial<Record<MappedField, string>>;
  date_order: string | null;
  decimal_separator: string;
  rows: number;
  rows_failed: number;
  warnings?: string[];
}

// A record without an amount (a data source of customers or people, column_mapping.amount_optional)
// has null amount, amount_minor and currency.
export interface ParsedRecord {
  external_id: string | null;
  transaction_date: string | null;
  amount: string | null;
  amount_minor: number | null;
  currency: string | null;
  description: string;
  reference: string;
  counterparty: string;
}

export interface Preview {
  layout: FileLayout;
  rows: { line: number; cells: string[]; record: ParsedRecord | null; errors: RowError[] }[];
}

export interface RecordItem extends ParsedRecord {
  id: string;
  data_source_id: string;
  file_id: string | null;
  line: number;
  status: "open" | "matched" | "excluded";
}

export interface Job {
  id: string;
  project_id: string;
  name: string;
  left_data_source_id: string;
  right_data_source_id: string;
  confidence_threshold: number;
  review_threshold: number;
  auto_confirm: boolean;
  status: "queued" | "running" | "completed" | "failed" | "cancelled";
  phase: string;
  progress: number;
  percent: number;
  records_total: number;
  records_processed: number;
  eta_seconds: number | null;
  counters: Record<string, number>;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface ExplanationLine {
  rule: string;
  comparison: string;
  left_value: string;
  right_value: string;
  present: boolean;
  similarity: number;
  weight: number;
  contribution: number;
  // With a match model (docs/engine.md, "Learned weights"): the level the similarity fell in, its m
  // and u, and log2(m / u) in bits.
  level?: string;
  m?: number;
  u?: number;
  match_weight?: number;
}

export type ResultStatus = "matched" | "suggested" | "unmatched" | "confirmed" | "rejected";

export interface Alternative {
  left_ids: string[];
  right_ids: string[];
  confidence: number;
}

export interface Result {
  id: string;
  job_id: string;
  match_group: number;
  kind: string;
  status: ResultStatus;
  confidence: number;
  version: number;
  left: RecordItem[];
  right: RecordItem[];
  // null for the records of customers or people, which have no amounts
  left_amount_minor: number | null;
  right_amount_minor: number | null;
  currency: string | null;
  explanation: ExplanationLine[];
  held: string | null;
  alternatives: Alternative[];
  match_id: string | null;
  reviewed_at: string | null;
}

export interface StatusTotals {
  groups: number;
  left_amount: string;
  right_amount: string;
  left_amount_minor: number;
  right_amount_minor: number;
}

export interface JobSummary {
  job_id: string;
  status: string;
  groups: Record<string, number>;
  records: { left: number; right: number; left_reconciled: number; right_reconciled: number };
  offsets?: { groups: number; left_records: number; right_records: number };
  match_rate: number;
  currencies: {
    currency: string;
    by_status: Record<string, StatusTotals>;
    net_unexplained: string;
    net_unexplained_minor: number;
  }[];
  confidence_histogram?: { from: number; to: number; groups: number }[];
}

export interface AuditEntry {
  id: string;
  user_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string;
  request_id: string;
  created_at: string;
}

interface TokenAnswer {
  access_token: string;
  expires_in: number;
}

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const sessionListeners = new Set<(signedIn: boolean) => void>();

export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

function setToken(token: string | null) {
  const was = accessToken !== null;
  accessToken = token;
  if (was !== (token !== null)) sessionListeners.forEach((l) => l(token !== null));
}

async function problemOf(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: a proxy's page, say
  }
  const p = (body ?? {}) as { title?: string; detail?: string; errors?: FieldError[]; request_id?: string };
  return new ApiError(
    res.status,
    p.title ?? res.statusText,
    p.detail ?? `the server answered ${res.status}`,
    Array.isArray(p.errors) ? p.errors : [],
    p.request_id ?? res.headers.get("X-Request-ID") ?? "",
    (body ?? {}) as Record<string, unknown>,
  );
}

// Asks for a new access token with the refresh cookie; false when there is no session.
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await fetch("/api/v1/auth/refresh", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-Requested-With": "oeuvre" },
          body: JSON.stringify({ session: "cookie" }),
        });
        if (!res.ok) {
          setToken(null);
          return false;
        }
        setToken(((await res.json()) as TokenAnswer).access_token);
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

// One API call: JSON in, JSON out; a problem+json answer becomes an ApiError. A 401 refreshes the
// session once and retries.
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const send = () => {
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
    let body: BodyInit | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    return fetch(`/api/v1${path}`, {
      method: options.method ?? "GET",
      headers,
      body,
      signal: options.signal,
      credentials: "same-origin",
    });
  };
  let res = await send();
  if (res.status === 401 && !path.startsWith("/auth/") && (await refreshSession())) res = await send();
  if (!res.ok) throw await problemOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

export async function signIn(email: string, password: string): Promise<void> {
  const answer = await api<TokenAnswer>("/auth/login", { method: "POST", body: { email, password, session: "cookie" } });
  setToken(answer.access_token);
}

export async function register(email: string, password: string, displayName: string): Promise<void> {
  await api("/auth/register", { method: "POST", body: { email, password, display_name: displayName } });
}

export async function signOut(): Promise<void> {
  try {
    // This session only (its cookie's refresh token); an empty body would end every session.
    await api("/auth/logout", { method: "POST", body: { session: "cookie" } });
  } finally {
    setToken(null);
  }
}

export function isSignedIn(): boolean {
  return accessToken !== null;
}

// An upload with progress (fetch cannot report upload progress): the body as it is, the file's name
// in the query. Resolves with the stored file; rejects with an ApiError.
export function uploadFile(
  dataSourceId: string,
  file: File,
  onProgress: (fraction: number) => void,
): { done: Promise<StoredFile>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<StoredFile>((resolve, reject) => {
    const start = (retried: boolean) => {
      xhr.open("POST", `/api/v1/data-sources/${dataSourceId}/files${query({ filename: file.name })}`);
      if (accessToken) xhr.setRequestHeader("Authorization", `Bearer ${accessToken}`);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      xhr.onerror = () => reject(new ApiError(0, "Network error", "the upload did not reach the server"));
      xhr.onabort = () => reject(new ApiError(0, "Cancelled", "the upload was cancelled"));
      xhr.onload = async () => {
        if (xhr.status === 401 && !retried && (await refreshSession())) return start(true);
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          // keep {}
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body as unknown as StoredFile);
        else
          reject(
            new ApiError(
              xhr.status,
              String(body.title ?? xhr.statusText),
              String(body.detail ?? `the server answered ${xhr.status}`),
              (body.errors as FieldError[]) ?? [],
              String(body.request_id ?? ""),
              body,
            ),
          );
      };
      xhr.send(file);
    };
    start(false);
  });
  return { done, abort: () => xhr.abort() };
}

// A download through the API (the token is a header, so a plain link cannot carry it): the answer
// becomes a Blob saved under the server's file name.
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await fetch(`/api/v1${path}`, {
    headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {},
  });
  if (!res.ok) throw await problemOf(res);
  const blob = await res.blob();
  const disposition = res.headers.get("Content-Disposition") ?? "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// A job's progress as Server-Sent Events, read with fetch (EventSource cannot send the token).
// Calls onJob for every `progress` and the final `end` event; resolves when the stream ends.
export async function followJob(jobId: string, onJob: (job: Job, ended: boolean) => void, signal: AbortSignal) {
  const open = () =>
    fetch(`/api/v1/jobs/${jobId}/events`, {
      headers: { Accept: "text/event-stream", ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}) },
      signal,
    });
  let res = await open();
  if (res.status === 401 && (await refreshSession())) res = await open();
  if (!res.ok || !res.body) throw await problemOf(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0) continue;
      const job = JSON.parse(data.join("\n")) as Job;
      onJob(job, event === "end");
    }
  }
}

// Money. The server writes every amount as an exact decimal at its currency's scale ("997.50",
// "1200" for JPY), so the scale is read off such an amount rather than kept in a second table here.
export function scaleOf(amount: string | null | undefined): number {
  if (amount === undefined || amount === null) return 2;
  const dot = amount.indexOf(".");
  return dot < 0 ? 0 : amount.length - dot - 1;
}

// Minor units as an exact decimal with `scale` digits after the point, thousands grouped.
export function minorToText(minor: number, scale: number): string {
  const negative = minor < 0;
  let digits = Math.abs(Math.trunc(minor)).toString();
  if (scale === 0) return (negative ? "-" : "") + group(digits);
  digits = digits.padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  return `${negative ? "-" : ""}${group(whole)}.${digits.slice(digits.length - scale)}`;
}

// "" for a record without an amount.
export function formatAmount(text: string | null): string {
  if (text === null) return "";
  const negative = text.startsWith("-");
  const [whole, fraction] = text.replace("-", "").split(".");
  return `${negative ? "-" : ""}${group(whole)}${fraction !== undefined ? "." + fraction : ""}`;
}

function group(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
