import { useEffect, useState } from 'preact/hooks';
import { Avatar } from './avatar.tsx';
import { Dialog } from './dialog.tsx';
import { errorText } from './errors.ts';
import { useStore } from './store-context.ts';

export function NewDirect({ onClose }: { onClose: () => void }) {
  const store = useStore();
  const [people, setPeople] = useState<string[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  useEffect(() => {
    store.people().then(setPeople, () => undefined);
  }, []);
  const me = store.username();
  const matches = people.filter((p) => p !== me && p.includes(name.trim().toLowerCase())).slice(0, 8);
  const open = async (username: string) => {
    try {
      await store.openDirect([username]);
      onClose();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Dialog title="New direct message" onClose={onClose}>
      <form
        class="dialog-body"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void open(name.trim().toLowerCase());
        }}
      >
        {error ? <p class="form-error" role="alert">{error}</p> : null}
        <div class="field">
          <label for="dm-user">To</label>
          <input id="dm-user" class="input" autoFocus autoCapitalize="none" placeholder="username" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <ul class="list" aria-label="People">
          {matches.map((p) => (
            <li key={p}>
              <Avatar name={p} size="small" />
              <span class="grow title">{p}</span>
              <button type="button" class="btn btn-small" onClick={() => void open(p)}>
                Message
              </button>
            </li>
          ))}
          {!matches.length ? <li class="muted">Type a username and press Enter.</li> : null}
        </ul>
      </form>
    </Dialog>
  );
}
