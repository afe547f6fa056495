import { createContext, type ComponentChildren } from 'preact';
import { useContext, useState } from 'preact/hooks';

/** What the caller may do: every permission when authentication is off (null), else the whoami list. */
export const RightsContext = createContext<Set<string> | null>(null);

/** Buttons render only for callers holding the permission, e.g. `useCan()('Job:cancel')`. */
export function useCan(): (permission: string) => boolean {
  const rights = useContext(RightsContext);
  return (permission) => rights === null || rights.has(permission);
}

/** Announcements for screen readers: one polite live region for the whole page. */
let announce: (text: string) => void = () => undefined;
export const say = (text: string) => announce(text);

export function Announcer() {
  const [text, setText] = useState('');
  announce = (t) => setText(t);
  return (
    <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
      {text}
    </div>
  );
}

export function StatusBadge({ status }: { status: string | null }) {
  const s = status ?? 'UNKNOWN';
  return <span class={`badge status-${s.toLowerCase().replace(/[^a-z]+/g, '-')}`}>{s}</span>;
}

export function ProgressBar({ percent, label }: { percent: number; label: string }) {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={p} aria-label={label}>
      <div class="progress-fill" style={{ width: `${p}%` }} />
      <span class="progress-text">{p}%</span>
    </div>
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** dd/MM/yyyy HH:mm:ss in the browser's zone, as the seed's Jobs Management shows times. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function Time({ iso }: { iso: string | null | undefined }) {
  return iso ? <time dateTime={iso}>{formatTime(iso)}</time> : <span class="muted">—</span>;
}

export function ErrorBanner({ error }: { error: string | null }) {
  return error ? (
    <p class="error-banner" role="alert">
      {error}
    </p>
  ) : null;
}

export type SortDir = 'ascending' | 'descending';
export interface Sort<K extends string> {
  key: K;
  dir: SortDir;
}

/** A column header that sorts: a real button, and aria-sort on the header cell. */
export function SortHeader<K extends string>({ label, column, sort, onSort }: { label: string; column: K; sort: Sort<K>; onSort: (s: Sort<K>) => void }) {
  const active = sort.key === column;
  return (
    <th scope="col" aria-sort={active ? sort.dir : 'none'}>
      <button
        type="button"
        class="sort"
        onClick={() => onSort({ key: column, dir: active && sort.dir === 'ascending' ? 'descending' : 'ascending' })}
      >
        {label}
        <span aria-hidden="true">{active ? (sort.dir === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

export function compareBy<T>(key: keyof T, dir: SortDir): (a: T, b: T) => number {
  const sign = dir === 'ascending' ? 1 : -1;
  return (a, b) => {
    const x = a[key] ?? '';
    const y = b[key] ?? '';
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  };
}

/** A button that runs an async action, shows it is busy, and reports the outcome. */
export function ActionButton({
  label,
  run,
  onDone,
  onError,
  danger,
  confirmText,
  describedBy,
}: {
  label: string;
  run: () => Promise<unknown>;
  onDone?: () => void;
  onError: (message: string) => void;
  danger?: boolean;
  confirmText?: string;
  describedBy?: string;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      class={danger ? 'danger' : undefined}
      disabled={busy}
      aria-busy={busy}
      aria-describedby={describedBy}
      onClick={async () => {
        if (confirmText && !window.confirm(confirmText)) return;
        setBusy(true);
        try {
          await run();
          say(`${label}: done`);
          onDone?.();
        } catch (error) {
          onError((error as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      {label}
    </button>
  );
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section aria-labelledby={`h-${title.replace(/\W+/g, '-')}`}>
      <div class="section-head">
        <h2 id={`h-${title.replace(/\W+/g, '-')}`}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}
