// Usage: node quickstart.ts <server-url> <username> <password>   (Node 24: runs as TypeScript)
import { MichatClient, decodePayload, type MichatObject, type Subscription } from '@michat/client';

const [serverUrl = 'http://127.0.0.1:8080', username = 'admin', password = ''] = process.argv.slice(2);

const client = await MichatClient.login(serverUrl, username, password, {
  // Every new session (login, each refresh) arrives here: save it to resume later with
  // `new MichatClient(serverUrl, savedSession)`. Refresh tokens are single-use.
  onSession: () => undefined,
});
client.on('error', (e) => console.error('michat:', e.message));

const me = await client.me();
const channel = me.teams.flatMap((team) => team.channels).find((c) => c.member);
if (!channel) throw new Error(`${username} is not a member of any channel yet`);

await client.connect();
const text = (obj: MichatObject) => {
  const payload = decodePayload(obj);
  return payload.type === 'text' ? payload.text : '(not text)';
};
const sub: Subscription = client.subscribe(channel, (obj) => console.log('received:', text(obj)));
await sub.ready; // the catch-up is done: everything the channel held has been delivered

await client.sendText(channel, `hello from ${username}`);

const page = await client.history(channel, { limit: 10 }); // newest first
for (const obj of page.objects) console.log('history:', new Date(obj.created).toISOString(), text(obj));
if (page.more) console.log(`older messages: history(channel, { before: '${page.next}' })`);

sub(); // unsubscribe
await client.close();
