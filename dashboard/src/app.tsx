import { useEffect, useState } from 'preact/hooks';
import { api, settings, type Whoami } from './api';
import { DefinitionsView } from './definitions';
import { ExecutorsView, LocksView } from './fleet';
import { JobDetail } from './job-detail';
import { JobsView, type JobFilters } from './jobs';
import { live } from './live';
import { OrchestrationView } from './orchestration';
import { Announcer, RightsContext } from './ui';

interface Route {
  view: 'definitions' | 'jobs' | 'job' | 'orchestration' | 'executors' | 'locks';
  id: string | null;
  params: URLSearchParams;
}

/** Hash routes keep the server to one page: #/definitions, #/jobs?status=…, #/jobs/<id>, #/orchestration/<id>, #/executors, #/locks. */
function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [head, ...rest] = path.split('/').map(decodeURIComponent);
  const params = new URLSearchParams(query);
  const id = rest.join('/') || null;
  if (head === 'jobs') return { view: id ? 'job' : 'jobs', id, params };
  if (head === 'orchestration' || head === 'executors' || head === 'locks') return { view: head, id, params };
  return { view: 'definitions', id: null, params };
}

const NAV: [Route['view'], string, string][] = [
  ['definitions', '#/definitions', 'Jobs Management'],
  ['jobs', '#/jobs', 'Jobs'],
  ['orchestration', '#/orchestration', 'Orchestration'],
  ['executors', '#/executors', 'Executors'],
  ['locks', '#/locks', 'Locks'],
];

function Settings({ onSaved }: { onSaved: () => void }) {
  const [tenant, setTenant] = useState(settings.tenant);
  const [apiKey, setApiKey] = useState(settings.apiKey);
  return (
    <form
      class="settings"
      aria-label="Connection settings"
      onSubmit={(e) => {
        e.preventDefault();
        settings.tenant = tenant.trim() || 'default';
        settings.apiKey = apiKey.trim();
        onSaved();
      }}
    >
      <label>
        Tenant
        <input value={tenant} onInput={(e) => setTenant(e.currentTarget.value)} size={10} autoComplete="off" />
      </label>
      <label>
        API key
        <input type="password" value={apiKey} onInput={(e) => setApiKey(e.currentTarget.value)} size={16} autoComplete="off" placeholder="none" />
      </label>
      <button type="submit">Use</button>
    </form>
  );
}

export function App() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  const [rights, setRights] = useState<Set<string> | null>(null);
  const [who, setWho] = useState<string>('');
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    live.start();
    // Rights decide which buttons show; the gateway still checks every call.
    api<Whoami>('GET', '//api/auth/whoami').then(
      (w) => {
        setWho(w.authentication === 'off' ? '' : w.actor);
        setRights(w.authentication === 'off' || !w.permissions ? null : new Set(w.permissions));
      },
      () => setRights(null),
    );
  }, [generation]);

  useEffect(() => {
    const main = document.getElementById('main');
    main?.focus({ preventScroll: true });
  }, [route.view, route.id]);

  const filters: JobFilters = { status: route.params.get('status') ?? '', type: route.params.get('type') ?? '', definitionId: route.params.get('definitionId') ?? '' };
  const setFilters = (f: JobFilters) => {
    const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]);
    location.hash = `#/jobs${q.size ? `?${q}` : ''}`;
  };

  return (
    <RightsContext.Provider value={rights}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <h1>jobstream</h1>
        <nav aria-label="Views">
          <ul>
            {NAV.map(([view, href, label]) => (
              <li key={view}>
                <a href={href} aria-current={route.view === view || (view === 'jobs' && route.view === 'job') ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {who && <span class="muted">{who}</span>}
        <Settings onSaved={() => setGeneration(generation + 1)} />
      </header>
      <main id="main" tabIndex={-1} key={generation}>
        {route.view === 'definitions' && <DefinitionsView />}
        {route.view === 'jobs' && <JobsView filters={filters} onFilters={setFilters} />}
        {route.view === 'job' && route.id && <JobDetail jobId={route.id} />}
        {route.view === 'orchestration' && <OrchestrationView taskId={route.id} />}
        {route.view === 'executors' && <ExecutorsView />}
        {route.view === 'locks' && <LocksView />}
      </main>
      <Announcer />
    </RightsContext.Provider>
  );
}
