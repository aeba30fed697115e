import { useEffect, useRef, useState } from 'preact/hooks';

/** Text shown as-is until clicked; then an input (or textarea) that saves on Enter/blur and cancels on Escape. */
export function EditableText(props: {
  value: string;
  onSave(value: string): Promise<unknown> | void;
  multiline?: boolean;
  class?: string;
  placeholder?: string;
  label: string;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(props.value);
  const field = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  useEffect(() => {
    if (editing) field.current?.focus();
  }, [editing]);
  if (!editing) {
    return (
      <span
        class={`editable ${props.class ?? ''}`}
        role="button"
        tabIndex={0}
        aria-label={`edit ${props.label}`}
        title="click to edit"
        onClick={() => {
          setDraft(props.value);
          setEditing(true);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            setDraft(props.value);
            setEditing(true);
          }
        }}
      >
        {props.value || <span class="muted">{props.placeholder ?? '(empty)'}</span>}
      </span>
    );
  }
  const save = () => {
    setEditing(false);
    if (draft !== props.value) void props.onSave(draft);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') setEditing(false);
    else if (e.key === 'Enter' && (!props.multiline || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      save();
    }
  };
  const common = {
    ref: field,
    class: `editing ${props.class ?? ''}`,
    value: draft,
    'aria-label': props.label,
    onKeyDown,
    onBlur: save,
    onInput: (e: Event) => setDraft((e.target as HTMLInputElement).value),
  };
  return props.multiline ? <textarea rows={3} {...common} /> : <input type="text" {...common} />;
}
