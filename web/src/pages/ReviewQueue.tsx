// The review queue: a job's results by confidence, suggested first, moved through and reviewed with
// the keyboard (j/k, c, r, x, shift+x, u, /, ?), with a result's detail beside it.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, query, type CursorPage, type Job, type JobSummary, type Result } from "../api";
import { asApiError, Problem, showToast, Spinner } from "../ui";
import { ManualMatch } from "./ManualMatch";
import { ResultDetail, recordLine } from "./ResultDetail";

const FILTERS: { status: string; label: string }[] = [
  { status: "suggested", label: "Suggested" },
  { status: "matched", label: "Matched" },
  { status: "unmatched", label: "Unmatched" },
  { status: "confirmed", label: "Confirmed" },
  { status: "rejected", label: "Rejected" },
  { status: "", label: "All" },
];

const PAGE = 100;

// What `u` takes back: a review of some results (reopened), or a manual match (unmatched).
type Undo = { kind: "review"; label: string; resultIds: string[] } | { kind: "match"; label: string; matchId: string };

export function ReviewQueue(props: { job: Job; summary: JobSummary | undefined; onReviewed: () => void }) {
  const jobId = props.job.id;
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [minConfidence, setMinConfidence] = useState("");
  const [items, setItems] = useState<Result[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [current, setCurrent] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [anchor, setAnchor] = useState<number | null>(null);
  const [undo, setUndo] = useState<Undo[]>([]);
  const [help, setHelp] = useState(false);
  const [matching, setMatching] = useState<Result | null | undefined>(undefined);
  const filterInput = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const generation = useRef(0);

  // Suggested results first; a job with none opens on what it has.
  const effectiveStatus = status ?? (props.summary ? ((props.summary.groups.suggested ?? 0) > 0 ? "suggested" : "matched") : undefined);

  const loadPage = useCallback(
    async (from: string | null, replace: boolean) => {
      if (effectiveStatus === undefined) return;
      const gen = replace ? ++generation.current : generation.current;
      setLoading(true);
      try {
        const page = await api<CursorPage<Result>>(
          `/jobs/${jobId}/results${query({ status: effectiveStatus, min_confidence: minConfidence || undefined, per_page: PAGE, cursor: from })}`,
        );
        if (gen !== generation.current) return;
        setItems((old) => (replace ? page.items : [...old, ...page.items]));
        setCursor(page.next_cursor);
        setError(undefined);
      } catch (e) {
        if (gen === generation.current) setError(asApiError(e));
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [jobId, effectiveStatus, minConfidence],
  );

  useEffect(() => {
    setItems([]);
    setCurrent(0);
    setSelected(new Set());
    setAnchor(null);
    void loadPage(null, true);
  }, [loadPage]);

  // Near the end of what is loaded, load the next page before it is needed.
  useEffect(() => {
    if (cursor && !loading && current >= items.length - 20) void loadPage(cursor, false);
  }, [current, items.length, cursor, loading, loadPage]);

  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>(`[data-index="${current}"]`)?.scrollIntoView({ block: "nearest" });
  }, [current]);

  // The newest copy of every result the reviewer changed: a queued action sends its version.
  const latest = useRef(new Map<string, Result>());
  const replaceResults = (changed: Result[]) => {
    for (const r of changed) latest.current.set(r.id, r);
    const byId = new Map(changed.map((r) => [r.id, r]));
    setItems((list) => list.map((r) => byId.get(r.id) ?? r));
  };
  const versionOf = (r: Result) => latest.current.get(r.id)?.version ?? r.version;

  // Review calls run one after another in the order of the keys, so a reviewer never waits for
  // the server to press the next key, and no key is dropped while a call is in flight.
  const queue = useRef<Promise<void>>(Promise.resolve());
  const [pending, setPending] = useState(0);
  const enqueue = (work: () => Promise<void>) => {
    setPending((n) => n + 1);
    queue.current = queue.current.then(work).finally(() => setPending((n) => n - 1));
  };

  const targets = (): Result[] => {
    if (selected.size > 0) return items.filter((r) => selected.has(r.id));
    return items[current] ? [items[current]] : [];
  };

  const review = (action: "confirm" | "reject") => {
    // A selection leaves out what already has the status (the review call is all or nothing).
    const done = action === "confirm" ? "confirmed" : "rejected";
    const list = targets().filter((r) => r.status !== "unmatched" && (selected.size === 0 || r.status !== done));
    if (list.length === 0) return;
    // The next result at once; the call follows.
    if (list.length === 1 && selected.size === 0) setCurrent((c) => Math.min(c + 1, Math.max(0, items.length - 1)));
    else setSelected(new Set());
    enqueue(async () => {
      try {
        if (list.length === 1) {
          const r = list[0];
          const updated = await api<Result>(`/results/${r.id}/${action}`, { method: "POST", headers: { "If-Match": `"${versionOf(r)}"` } });
          replaceResults([updated]);
        } else {
          await api(`/jobs/${jobId}/review`, {
            method: "POST",
            body: { actions: list.map((r) => ({ action, result_id: r.id, version: versionOf(r) })) },
          });
          replaceResults(await Promise.all(list.map((r) => api<Result>(`/results/${r.id}`))));
        }
        const label = `${action === "confirm" ? "Confirmed" : "Rejected"} ${list.length === 1 ? "1 result" : `${list.length} results`}`;
        const entry: Undo = { kind: "review", label, resultIds: list.map((r) => r.id) };
        setUndo((u) => [...u.slice(-49), entry]);
        showToast(label, { action: { label: "Undo (u)", run: () => takeBack(entry) } });
        props.onReviewed();
      } catch (e) {
        showToast(asApiError(e).detail, { kind: "error" });
      }
    });
  };

  const takeBack = (entry: Undo) => {
    setUndo((u) => u.filter((x) => x !== entry));
    enqueue(async () => {
      try {
        if (entry.kind === "review") {
          if (entry.resultIds.length === 1) {
            replaceResults([await api<Result>(`/results/${entry.resultIds[0]}/reopen`, { method: "POST" })]);
          } else {
            await api(`/jobs/${jobId}/review`, {
              method: "POST",
              body: { actions: entry.resultIds.map((id) => ({ action: "reopen", result_id: id })) },
            });
            replaceResults(await Promise.all(entry.resultIds.map((id) => api<Result>(`/results/${id}`))));
          }
        } else {
          await api(`/matches/${entry.matchId}`, { method: "DELETE" });
          void loadPage(null, true);
        }
        showToast(`Undone: ${entry.label.toLowerCase()}`);
        props.onReviewed();
      } catch (e) {
        setUndo((u) => [...u, entry]);
        showToast(`Could not undo: ${asApiError(e).detail}`, { kind: "error" });
      }
    });
  };

  const toggle = (index: number, range: boolean) => {
    const next = new Set(selected);
    if (range && anchor !== null) {
      const [a, b] = anchor < index ? [anchor, index] : [index, anchor];
      for (let i = a; i <= b; i++) if (items[i]) next.add(items[i].id);
    } else {
      const id = items[index]?.id;
      if (!id) return;
      if (next.has(id)) next.delete(id);
      else next.add(id);
      setAnchor(index);
    }
    setSelected(next);
  };

  // The keyboard: on the page, not inside a field (Escape leaves the field). One listener for the
  // page's life that calls the newest render's handler: a key pressed right after a click or another
  // key sees the state they left, not a handler from before (effects run only after the next paint).
  const onKey = useRef<(e: KeyboardEvent) => void>();
  onKey.current = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    const typing = target.closest("input, textarea, select, [contenteditable]") !== null;
    if (e.key === "Escape") {
      if (typing) target.blur();
      else if (selected.size > 0) setSelected(new Set());
      setHelp(false);
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey || matching !== undefined) return;
    const move = (delta: number) => {
      e.preventDefault();
      const next = Math.max(0, Math.min(items.length - 1, current + delta));
      if (e.shiftKey) toggle(next, false);
      setCurrent(next);
    };
    switch (e.key) {
      case "j":
      case "J":
      case "ArrowDown":
        return move(1);
      case "k":
      case "K":
      case "ArrowUp":
        return move(-1);
      case "c":
        e.preventDefault();
        return review("confirm");
      case "r":
        e.preventDefault();
        return review("reject");
      case "x":
      case "X":
        e.preventDefault();
        return toggle(current, e.shiftKey);
      case "u": {
        e.preventDefault();
        const last = undo[undo.length - 1];
        if (last) takeBack(last);
        else showToast("Nothing to undo.");
        return;
      }
      case "m":
        e.preventDefault();
        return setMatching(items[current] ?? null);
      case "/":
        e.preventDefault();
        return filterInput.current?.focus();
      case "?":
        e.preventDefault();
        return setHelp(true);
    }
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current?.(e);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, []);

  const result = items[current];
  return (
    <div class="review">
      <div class="review-bar row">
        <nav class="filters" aria-label="Results by status">
          {FILTERS.map((f) => (
            <button
              key={f.status}
              type="button"
              class={`chip${effectiveStatus === f.status ? " on" : ""}`}
              aria-pressed={effectiveStatus === f.status}
              onClick={() => setStatus(f.status)}
            >
              {f.label}
              {props.summary && f.status && f.status !== "unmatched" ? ` ${props.summary.groups[f.status] ?? 0}` : ""}
              {props.summary && f.status === "unmatched"
                ? ` ${(props.summary.groups.unmatched_left ?? 0) + (props.summary.groups.unmatched_right ?? 0)}`
                : ""}
            </button>
          ))}
        </nav>
        <label class="inline-field">
          <span>Confidence at least</span>
          <input
            ref={filterInput}
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={minConfidence}
            placeholder="0"
            aria-keyshortcuts="/"
            onChange={(e) => setMinConfidence(e.currentTarget.value)}
            onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
          />
        </label>
        <div class="actions">
          {pending > 0 && <span class="muted small">saving…</span>}
          {selected.size > 0 && <span data-testid="selection">{selected.size} selected</span>}
          <button type="button" onClick={() => review("confirm")} aria-keyshortcuts="c">
            Confirm
          </button>
          <button type="button" class="secondary" onClick={() => review("reject")} aria-keyshortcuts="r">
            Reject
          </button>
          <button type="button" class="secondary" onClick={() => setMatching(result ?? null)} aria-keyshortcuts="m">
            Find &amp; match
          </button>
          <button type="button" class="link" onClick={() => setHelp(true)} aria-keyshortcuts="?">
            Shortcuts
          </button>
        </div>
      </div>
      <Problem error={error} />
      <div class="review-body">
        <div class="results" ref={listRef} role="listbox" aria-label="Results" aria-multiselectable="true" tabIndex={0} aria-activedescendant={result ? `r-${result.id}` : undefined} data-testid="results">
          {items.map((r, i) => (
            <ResultRow
              key={r.id}
              result={r}
              index={i}
              current={i === current}
              selected={selected.has(r.id)}
              onFocus={() => setCurrent(i)}
              onToggle={(range) => toggle(i, range)}
            />
          ))}
          {loading && <Spinner />}
          {!loading && items.length === 0 && <p class="muted pad">No result here.</p>}
        </div>
        <div class="detail-pane">
          {result && <ResultDetail key={result.id} result={result} onChanged={(r) => replaceResults([r])} onMatchRemoved={() => void loadPage(null, true)} />}
        </div>
      </div>
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
      {matching !== undefined && (
        <ManualMatch
          job={props.job}
          anchor={matching}
          onClose={() => setMatching(undefined)}
          onMatched={(created) => {
            setMatching(undefined);
            const entry: Undo = { kind: "match", label: "Matched by hand", matchId: created.match_id! };
            setUndo((u) => [...u.slice(-49), entry]);
            showToast("Matched by hand.", { action: { label: "Undo (u)", run: () => takeBack(entry) } });
            props.onReviewed();
            void loadPage(null, true);
          }}
        />
      )}
    </div>
  );
}

function ResultRow(props: {
  result: Result;
  index: number;
  current: boolean;
  selected: boolean;
  onFocus: () => void;
  onToggle: (range: boolean) => void;
}) {
  const r = props.result;
  return (
    <div
      id={`r-${r.id}`}
      role="option"
      aria-selected={props.selected}
      data-index={props.index}
      data-status={r.status}
      class={`result-row${props.current ? " current" : ""}${props.selected ? " selected" : ""}`}
      onClick={props.onFocus}
    >
      <span
        class={`tick${props.selected ? " on" : ""}`}
        aria-hidden="true"
        title="Select (x)"
        onClick={(e) => {
          e.stopPropagation();
          props.onToggle(e.shiftKey);
        }}
      >
        {props.selected ? "✓" : ""}
      </span>
      <span class="confidence" title="Confidence">
        {Math.round(r.confidence * 100)}
      </span>
      <span class={`status ${r.status}`}>{r.status}</span>
      <span class="side">{r.left.length ? recordLine(r.left[0]) + (r.left.length > 1 ? ` +${r.left.length - 1}` : "") : "—"}</span>
      <span class="side">{r.right.length ? recordLine(r.right[0]) + (r.right.length > 1 ? ` +${r.right.length - 1}` : "") : "—"}</span>
      {r.held && <span class="badge warn">{r.held.replace("_", " ")}</span>}
    </div>
  );
}

function ShortcutHelp(props: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const keys: [string, string][] = [
    ["j / ↓", "next result"],
    ["k / ↑", "previous result"],
    ["c", "confirm (the selection, else the current result)"],
    ["r", "reject"],
    ["x", "select or unselect"],
    ["shift + x", "select the range from the last selected"],
    ["shift + j / k", "move and select"],
    ["u", "undo the last action"],
    ["m", "find & match by hand"],
    ["/", "filter by confidence"],
    ["?", "these shortcuts"],
    ["Esc", "close, leave a field"],
  ];
  return (
    <dialog ref={ref} class="help" aria-labelledby="help-title" onClose={props.onClose}>
      <h2 id="help-title">Keyboard shortcuts</h2>
      <table>
        <tbody>
          {keys.map(([k, what]) => (
            <tr key={k}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}
