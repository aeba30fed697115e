import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type ActionJson, ApiError, type HandlerInfo, type Me, type ThreadActionJson, type ThreadJson, api } from './api.js';
import { Chunk } from './chunks.js';
import { type FeedState, ThreadFeed } from './live.js';
import { applyMessage, cursorOf, mergeThread } from './thread-state.js';
import { hintsFor, shellQuote } from './commands.js';
import { EditableText } from './widgets.js';

/** The thread page: a draggable split; the thread and its actions above, the input box below. */
export function ThreadPage({ threadId, me, navigate }: { threadId: number; me: Me | null; navigate(path: string): void }) {
  const [thread, setThread] = useState<ThreadJson | null>(null);
  const [feedState, setFeedState] = useState<FeedState>('connecting');
  const [alert, setAlert] = useState<string | null>(null);
  /** The public URL, when the server refuses live updates from this page's origin. */
  const [refusedFor, setRefusedFor] = useState<string | null>(null);
  const [input, setInput] = useState('');
  const [topHeight, setTopHeight] = useState<number | null>(null);
  const threadRef = useRef<ThreadJson | null>(null);
  const feedRef = useRef<ThreadFeed | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const splitRef = useRef<HTMLDivElement>(null);

  const replace = useCallback((next: ThreadJson) => {
    threadRef.current = next;
    setThread(next);
  }, []);
  const reload = useCallback(async () => {
    const loaded = await api.thread(threadId);
    const merged = mergeThread(threadRef.current, loaded);
    replace(merged);
    return cursorOf(merged);
  }, [threadId, replace]);

  useEffect(() => {
    threadRef.current = null;
    setThread(null);
    setRefusedFor(null);
    let left = false;
    const reloadOrLeave = () =>
      reload().catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) navigate('/threads');
        throw error;
      });
    // The thread comes over HTTP whatever becomes of the socket; each (re)connect reloads it again.
    reloadOrLeave().catch((error: Error) => setAlert(error.message));
    const feed = new ThreadFeed(threadId, {
      resync: reloadOrLeave,
      state: setFeedState,
      expired: () => navigate('/login'),
      sessionValid: () =>
        api.me().then(
          () => true,
          (error: unknown) => !(error instanceof ApiError && error.status === 401),
        ),
      message: (message) => {
        if (message.type === 'thread-deleted') return navigate('/threads');
        if (message.type === 'error') return setAlert(message.message ?? 'websocket error');
        const current = threadRef.current;
        if (!current) return;
        const next = applyMessage(current, message);
        if (next === 'reload') void reload().catch(() => undefined);
        else if (next !== current) replace(next);
      },
    });
    feedRef.current = feed;
    // A socket from an origin the server refuses would only fail (403) over and over: say so instead.
    api.live().then(
      ({ publicUrl, origins }) => {
        if (left) return;
        if (origins.includes(location.origin)) return feed.start();
        setRefusedFor(publicUrl);
        setFeedState('refused');
      },
      () => left || feed.start(),
    );
    return () => {
      left = true;
      feed.stop();
    };
  }, [threadId, reload, replace, navigate]);

  const guard = (work: Promise<unknown>) =>
    work.then(
      () => setAlert(null),
      (error: Error) => setAlert(error.message),
    );

  // The split: drag the bar to size the top pane (kept as CSSOM, which the CSP allows).
  const startDrag = (down: PointerEvent) => {
    const bar = down.currentTarget as HTMLElement;
    bar.setPointerCapture(down.pointerId);
    const top = splitRef.current!.getBoundingClientRect().top;
    const move = (e: PointerEvent) => setTopHeight(Math.max(80, e.clientY - top));
    const up = () => {
      bar.removeEventListener('pointermove', move);
      bar.removeEventListener('pointerup', up);
    };
    bar.addEventListener('pointermove', move);
    bar.addEventListener('pointerup', up);
  };

  const rerun = (action: ActionJson) => {
    setInput(action.rawText);
    inputRef.current?.focus();
  };

  const refusedBanner = refusedFor ? (
    <div class="alert origin-refused" role="alert">
      Live updates are refused from this address ({location.origin}): the server accepts them only from its public URL{' '}
      <a href={`${refusedFor}${location.pathname}`}>{refusedFor}</a>. Open the Web CLI there; here the thread is loaded once, and the <em>refused</em> badge
      loads it again.
    </div>
  ) : null;
  if (!thread)
    return (
      <div>
        {refusedBanner}
        {alert ? (
          <div class="alert" role="alert">
            {alert}
          </div>
        ) : (
          <div class="loading">loading…</div>
        )}
      </div>
    );
  return (
    <div class="thread-page" ref={splitRef}>
      <div class="pane-top" style={topHeight === null ? undefined : { flex: `0 0 ${topHeight}px` }}>
        {refusedBanner}
        {alert ? (
          <div class="alert" role="alert">
            {alert}{' '}
            <button type="button" class="small" onClick={() => setAlert(null)}>
              dismiss
            </button>
          </div>
        ) : null}
        <div class="thread-head">
          <h1>
            <EditableText
              label="thread title"
              class="thread-title"
              value={thread.title}
              onSave={(v) => guard(api.patchThread(threadId, { title: { value: v } }).then(() => reload()))}
            />
          </h1>
          <button
            type="button"
            class={`feed feed-${feedState}`}
            title={feedState === 'refused' ? 'live updates refused from this address; click to load the thread again' : 'websocket state; click to reconnect'}
            onClick={() => (feedState === 'refused' ? guard(reload()) : feedRef.current?.drop())}
          >
            {feedState}
          </button>
        </div>
        <div class="thread-description">
          <EditableText
            label="thread description"
            multiline
            placeholder="(no description: click to add one)"
            value={thread.description}
            onSave={(v) => guard(api.patchThread(threadId, { description: { value: v } }).then(() => reload()))}
          />
        </div>
        <div class="actions">
          {thread.actions.length === 0 ? <p class="muted">No actions yet: type a command below (try %help%).</p> : null}
          {thread.actions.map((ta, i) => (
            <ActionView key={ta.actionId} ta={ta} first={i === 0} last={i === thread.actions.length - 1} me={me} guard={guard} reload={reload} rerun={rerun} />
          ))}
        </div>
      </div>
      <div class="splitter" role="separator" aria-orientation="horizontal" aria-label="resize" onPointerDown={startDrag} />
      <div class="pane-bottom">
        <CommandInput
          threadId={threadId}
          value={input}
          setValue={setInput}
          inputRef={inputRef}
          onSubmitted={(ta) => replace(applyCreated(threadRef.current!, ta))}
        />
      </div>
    </div>
  );
}

function applyCreated(thread: ThreadJson, ta: ThreadActionJson): ThreadJson {
  const next = applyMessage(thread, { type: 'action-created', threadAction: ta });
  return next === 'reload' ? thread : next;
}

function ActionView(props: {
  ta: ThreadActionJson;
  first: boolean;
  last: boolean;
  me: Me | null;
  guard(work: Promise<unknown>): void;
  reload(): Promise<number>;
  rerun(action: ActionJson): void;
}) {
  const { ta, guard, reload } = props;
  const { action } = ta;
  const [cli, setCli] = useState<string | null>(null);
  const running = !action.isCompleted;
  const flag = (key: 'showQuestion' | 'showAnswer', value: boolean) =>
    guard(api.patchThreadAction(ta.threadId, ta.actionId, { [key]: { value } }).then(() => reload()));
  const copyAsCli = () => {
    const command = `hammer webcli run${props.me ? ` --as ${shellQuote(props.me.email)}` : ''} ${shellQuote(action.rawText)}`;
    setCli(command);
    void navigator.clipboard?.writeText(command).catch(() => undefined);
  };
  return (
    <section class={`action status-${action.status}`} data-action-id={action.id}>
      <div class="action-bar">
        <EditableText label="action title" class="action-title" value={action.title} onSave={(v) => guard(api.retitle(action.id, v).then(() => reload()))} />
        <span class={`badge badge-${action.status}`} data-status={action.status} title={action.errorSummary ?? undefined}>
          {action.status}
        </span>
        <span class="tools">
          <label title="show the question">
            <input type="checkbox" class="toggle-q" checked={ta.showQuestion} onChange={(e) => flag('showQuestion', (e.target as HTMLInputElement).checked)} />{' '}
            Q
          </label>
          <label title="show the answer">
            <input type="checkbox" class="toggle-a" checked={ta.showAnswer} onChange={(e) => flag('showAnswer', (e.target as HTMLInputElement).checked)} /> A
          </label>
          <button
            type="button"
            class="small"
            disabled={props.first}
            title="move up"
            onClick={() => guard(api.move(ta.threadId, ta.actionId, 'up').then(() => reload()))}
          >
            ↑
          </button>
          <button
            type="button"
            class="small"
            disabled={props.last}
            title="move down"
            onClick={() => guard(api.move(ta.threadId, ta.actionId, 'down').then(() => reload()))}
          >
            ↓
          </button>
          <button type="button" class="small rerun" title="copy the command into the input box" onClick={() => props.rerun(action)}>
            re-run
          </button>
          <button type="button" class="small copy-cli" title="the equivalent hammer webcli run command" onClick={copyAsCli}>
            copy as CLI
          </button>
          {running ? (
            <button type="button" class="small danger cancel" onClick={() => guard(api.cancel(action.id))}>
              cancel
            </button>
          ) : null}
          <button
            type="button"
            class="small danger remove"
            title="remove from the thread"
            onClick={() => guard(api.removeAction(ta.threadId, ta.actionId).then(() => reload()))}
          >
            ✕
          </button>
        </span>
      </div>
      {cli ? (
        <input class="cli-command" type="text" readOnly value={cli} aria-label="command line" onFocus={(e) => (e.target as HTMLInputElement).select()} />
      ) : null}
      {ta.showQuestion ? <pre class="question">{action.rawText}</pre> : null}
      {ta.showAnswer ? (
        <div class="answer">
          {action.chunks.map((c) => (
            <Chunk key={c.id} chunk={c} />
          ))}
          {running ? <div class="spinner" aria-label={action.status} /> : null}
        </div>
      ) : null}
    </section>
  );
}

let handlerCache: Promise<HandlerInfo[]> | undefined;

/** The input box: verb and argument hints from /api/handlers; Ctrl+Enter submits; a parse error keeps the text. */
function CommandInput(props: {
  threadId: number;
  value: string;
  setValue(v: string): void;
  inputRef: { current: HTMLTextAreaElement | null };
  onSubmitted(ta: ThreadActionJson): void;
}) {
  const [handlers, setHandlers] = useState<HandlerInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    handlerCache ??= api.handlers();
    handlerCache.then(setHandlers, () => (handlerCache = undefined));
  }, []);
  const hints = useMemo(() => hintsFor(props.value, handlers), [props.value, handlers]);
  const submit = async () => {
    if (!props.value.trim() || busy) return;
    setBusy(true);
    try {
      const ta = await api.submit(props.threadId, props.value);
      props.setValue('');
      setError(null);
      props.onSubmitted(ta);
    } catch (e) {
      const err = e as ApiError;
      setError(err.position !== undefined ? `${err.message} (at character ${err.position + 1})` : err.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="command"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div class="hints" aria-live="polite">
        {hints.map((h) => (
          <button
            type="button"
            class={`hint ${h.available ? '' : 'unavailable'}`}
            key={h.label}
            title={h.title}
            onClick={() => {
              if (h.insert) props.setValue(h.insert);
              props.inputRef.current?.focus();
            }}
          >
            <code>{h.label}</code>
            {h.text ? <span class="muted"> {h.text}</span> : null}
          </button>
        ))}
      </div>
      {error ? (
        <div class="alert parse-error" role="alert">
          {error}
        </div>
      ) : null}
      <div class="command-row">
        <textarea
          ref={props.inputRef}
          class="command-input"
          aria-label="command"
          spellcheck={false}
          placeholder="%oci% UserGetRequest userId=…   (Ctrl+Enter to submit)"
          value={props.value}
          onInput={(e) => props.setValue((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <button type="submit" class="primary" disabled={busy}>
          Submit
        </button>
      </div>
    </form>
  );
}
