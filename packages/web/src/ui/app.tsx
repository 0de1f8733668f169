import { useEffect, useState } from 'preact/hooks';
import { Register, SignIn, Setup } from './auth-screens.tsx';
import { Shell } from './shell.tsx';
import { useChatStore } from './store-context.ts';

function inviteCode(path: string): string | undefined {
  const m = /^\/invite\/([A-Za-z0-9_-]{8,128})\/?$/.exec(path);
  return m?.[1];
}

export function App() {
  const store = useChatStore();
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (to: string) => {
    history.pushState(null, '', to);
    setPath(to);
  };
  const code = inviteCode(path);
  if (store.phase === 'boot') return <div class="auth" aria-busy="true" aria-label="Loading michat" />;
  if (store.phase === 'ready') {
    if (code) history.replaceState(null, '', '/');
    return <Shell />;
  }
  if (code) return <Register code={code} onSignIn={() => go('/')} />;
  if (store.phase === 'setup') return <Setup />;
  return <SignIn />;
}
