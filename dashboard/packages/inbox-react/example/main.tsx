// The README's example: the page asks its own backend for the user's inbox token (the backend
// holds the Herald API key, or an inbox signing key, and knows who is signed in), then shows a
// bell with the unread count and the inbox.
import { createRoot } from 'react-dom/client';
import { HeraldInbox, useHeraldInbox } from '../src/index.js';

function Bell({ server, token }: { server: string; token: string }) {
  const { counts } = useHeraldInbox({ server, token });
  return <span id="bell">🔔 {counts.unread}</span>;
}

const { server, token } = (await (await fetch('/inbox-token', { method: 'POST' })).json()) as { server: string; token: string };
createRoot(document.getElementById('root')!).render(
  <>
    <Bell server={server} token={token} />
    <HeraldInbox server={server} token={token} />
  </>,
);
