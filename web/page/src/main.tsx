import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type Me, type ThreadSummaryJson, api, unauthenticated } from './api.js';
import { ThreadPage } from './thread.js';
import './styles.css';

/** The single-page app: /login, /threads and /threads/:id (the server redirects to /login when the cookie is missing). */
function App() {
  const [path, setPath] = useState(location.pathname);
  const [me, setMe] = useState<Me | null>(null);
  const navigate = useCallback((to: string) => {
    if (to !== location.pathname) history.pushState(null, '', to);
    setPath(to);
  }, []);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    const on401 = () => {
      setMe(null);
      navigate('/login');
    };
    addEventListener('popstate', onPop);
    unauthenticated.addEventListener('401', on401);
    return () => {
      removeEventListener('popstate', onPop);
      unauthenticated.removeEventListener('401', on401);
    };
  }, [navigate]);
  useEffect(() => {
    if (path !== '/login' && !me) api.me().then(setMe, () => undefined);
  }, [path, me]);

  const threadMatch = /^\/threads\/([1-9][0-9]*)$/.exec(path);
  let page;
  if (path === '/login') page = <Login onLogin={(user) => (setMe(user), navigate('/threads'))} />;
  else if (threadMatch) page = <ThreadPage threadId={Number(threadMatch[1])} me={me} navigate={navigate} />;
  else page = <ThreadList navigate={navigate} />;
  return (
    <div class="app">
      <nav class="topbar">
        <a href="/threads" class="brand" onClick={link(navigate)}>
          ⚒ thors-hammer Web CLI
        </a>
        {path !== '/login' ? (
          <span class="who">
            {path !== '/threads' ? (
              <a href="/threads" onClick={link(navigate)}>
                threads
              </a>
            ) : null}
            <span class="muted">{me?.email ?? ''}</span>
            <button type="button" class="small" onClick={() => void api.logout().finally(() => (setMe(null), navigate('/login')))}>
              log out
            </button>
          </span>
        ) : null}
      </nav>
      <main>{page}</main>
    </div>
  );
}

/** An in-app link: plain clicks navigate without reloading; modified clicks keep the browser's behaviour. */
const link = (navigate: (path: string) => void) => (e: MouseEvent) => {
  if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  navigate(new URL((e.currentTarget as HTMLAnchorElement).href).pathname);
};

function Login({ onLogin }: { onLogin(user: Me): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const { user } = await api.login(email, password);
      onLogin(user);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'Wrong email or password.' : (err as Error).message);
    }
  };
  return (
    <form class="login card" onSubmit={submit}>
      <h1>Log in</h1>
      <label>
        Email
        <input name="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
      </label>
      {error ? (
        <div class="alert" role="alert">
          {error}
        </div>
      ) : null}
      <button type="submit" class="primary">
        Log in
      </button>
    </form>
  );
}

function ThreadList({ navigate }: { navigate(path: string): void }) {
  const [threads, setThreads] = useState<ThreadSummaryJson[] | null>(null);
  const [title, setTitle] = useState('');
  const [confirming, setConfirming] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => api.threads().then(setThreads, (e: Error) => setError(e.message)), []);
  useEffect(() => void load(), [load]);
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const thread = await api.createThread(title.trim() || 'Untitled');
      navigate(`/threads/${thread.id}`);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div class="thread-list">
      <h1>Threads</h1>
      {error ? (
        <div class="alert" role="alert">
          {error}
        </div>
      ) : null}
      <div class="cards">
        <form class="card new-thread" onSubmit={create}>
          <h2>New thread</h2>
          <input
            name="title"
            type="text"
            placeholder="title"
            aria-label="new thread title"
            value={title}
            onInput={(e) => setTitle((e.target as HTMLInputElement).value)}
          />
          <button type="submit" class="primary">
            Create
          </button>
        </form>
        {(threads ?? []).map((t) => (
          <div class="card thread-card" key={t.id} data-thread-id={t.id}>
            <h2>
              <a href={`/threads/${t.id}`} onClick={link(navigate)}>
                {t.title}
              </a>
            </h2>
            <p class="muted">{t.description || 'no description'}</p>
            <p class="muted small-text">created {new Date(t.createdAt).toLocaleString()}</p>
            <div class="card-tools">
              <a class="button small" href={`/threads/${t.id}`} onClick={link(navigate)}>
                open
              </a>
              {confirming === t.id ? (
                <button type="button" class="small danger" onClick={() => void api.deleteThread(t.id).then(load, (e: Error) => setError(e.message))}>
                  really delete?
                </button>
              ) : (
                <button type="button" class="small" onClick={() => setConfirming(t.id)}>
                  delete
                </button>
              )}
            </div>
          </div>
        ))}
      </div>
      {threads && threads.length === 0 ? <p class="muted">No threads yet.</p> : null}
    </div>
  );
}

render(<App />, document.getElementById('app')!);
