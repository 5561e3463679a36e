// Shared pieces: navigation, loading state, problems shown in words, toasts.
import type { ComponentChildren, JSX } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api";

// --- navigation: the History API, one listener ---------------------------------------------------

const routeListeners = new Set<() => void>();

export function navigate(to: string, replace = false) {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  routeListeners.forEach((l) => l());
}

window.addEventListener("popstate", () => routeListeners.forEach((l) => l()));

export function useLocation(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    routeListeners.add(update);
    return () => void routeListeners.delete(update);
  }, []);
  return path;
}

export function Link(props: { href: string; children: ComponentChildren; class?: string; "aria-current"?: "page" }) {
  const onClick = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} class={props.class} onClick={onClick} aria-current={props["aria-current"]}>
      {props.children}
    </a>
  );
}

// --- loading -------------------------------------------------------------------------------------

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
  set: (data: T) => void;
}

// Runs `load` when a dependency changes; `reload()` runs it again. A newer load wins over an older one.
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    load(controller.signal).then(
      (d) => {
        if (controller.signal.aborted) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(asApiError(e));
        setLoading(false);
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, set: setData };
}

export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof DOMException && e.name === "AbortError") return new ApiError(0, "Cancelled", "the request was cancelled");
  return new ApiError(0, "Network error", e instanceof Error ? e.message : String(e));
}

// --- problems, in words --------------------------------------------------------------------------

export function Problem(props: { error: ApiError | undefined; fields?: string[] }) {
  const { error } = props;
  if (!error) return null;
  // Field errors shown beside their fields are not repeated here.
  const rest = error.errors.filter((e) => !props.fields?.some((f) => e.field === f || e.field.startsWith(f + ".")));
  return (
    <div class="problem" role="alert">
      <strong>{error.title}</strong>
      {error.detail && <span>: {error.detail}</span>}
      {rest.length > 0 && (
        <ul>
          {rest.map((e) => (
            <li key={e.field}>
              <code>{e.field}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
      {error.requestId && <div class="muted small">Request id {error.requestId}</div>}
    </div>
  );
}

let fieldIds = 0;

// A labelled input with its problem+json field error beneath it (aria-describedby).
export function Field(props: {
  label: string;
  name: string;
  error?: ApiError;
  hint?: string;
  children: (attrs: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => JSX.Element;
}) {
  const id = useRef(`f${++fieldIds}`).current;
  const message = props.error?.fieldMessage(props.name);
  const describedBy = [message ? `${id}-err` : "", props.hint ? `${id}-hint` : ""].filter(Boolean).join(" ");
  return (
    <div class={`field${message ? " invalid" : ""}`}>
      <label for={id}>{props.label}</label>
      {props.children({ id, "aria-invalid": Boolean(message), "aria-describedby": describedBy || undefined })}
      {props.hint && (
        <div id={`${id}-hint`} class="hint">
          {props.hint}
        </div>
      )}
      {message && (
        <div id={`${id}-err`} class="field-error">
          {message}
        </div>
      )}
    </div>
  );
}

export function Spinner(props: { label?: string }) {
  return (
    <div class="spinner" role="status">
      {props.label ?? "Loading…"}
    </div>
  );
}

// Previous / next over a page envelope (items, page, per_page, total); nothing when one page holds all.
export function Pager(props: {
  label: string;
  page: number;
  perPage: number;
  total: number;
  onPage: (page: number) => void;
  words?: [string, string];
}) {
  const pages = Math.max(1, Math.ceil(props.total / props.perPage));
  if (pages <= 1) return null;
  const [back, forward] = props.words ?? ["Previous", "Next"];
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" class="secondary" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
        {back}
      </button>
      <span>
        Page {props.page} of {pages} ({props.total})
      </span>
      <button type="button" class="secondary" disabled={props.page >= pages} onClick={() => props.onPage(props.page + 1)}>
        {forward}
      </button>
    </nav>
  );
}

// --- toasts --------------------------------------------------------------------------------------

export interface Toast {
  id: number;
  text: string;
  action?: { label: string; run: () => void };
  kind?: "error" | "info";
}

const toastListeners = new Set<(toasts: Toast[]) => void>();
let toasts: Toast[] = [];
let toastIds = 0;

export function showToast(text: string, options: { action?: Toast["action"]; kind?: Toast["kind"]; ms?: number } = {}) {
  const toast: Toast = { id: ++toastIds, text, action: options.action, kind: options.kind };
  toasts = [...toasts.slice(-3), toast];
  toastListeners.forEach((l) => l(toasts));
  setTimeout(() => dismissToast(toast.id), options.ms ?? 6000);
}

export function dismissToast(id: number) {
  toasts = toasts.filter((t) => t.id !== id);
  toastListeners.forEach((l) => l(toasts));
}

export function Toasts() {
  const [list, setList] = useState<Toast[]>(toasts);
  useEffect(() => {
    toastListeners.add(setList);
    return () => void toastListeners.delete(setList);
  }, []);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} class={`toast ${t.kind ?? "info"}`}>
          <span>{t.text}</span>
          {t.action && (
            <button
              type="button"
              onClick={() => {
                t.action!.run();
                dismissToast(t.id);
              }}
            >
              {t.action.label}
            </button>
          )}
          <button type="button" class="link" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

// --- formatting ----------------------------------------------------------------------------------

export function formatDateTime(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function percent(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Œuvre` : "Œuvre";
  }, [title]);
}
