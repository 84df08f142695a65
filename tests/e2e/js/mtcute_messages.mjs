// mtcute (@mtcute/node 0.30.3, layer 227), unmodified: log in, add a contact by phone,
// read what it sent, reply, edit, read history and dialogs.
// Usage: node mtcute_messages.mjs HOST PORT PUBKEY_PEM_FILE PHONE CODE PEER_PHONE
import { loggedInClient } from "./mtcute_client.mjs";

const [host, port, pemFile, phone, code, peerPhone] = process.argv.slice(2);
const client = await loggedInClient(host, port, pemFile, phone, code);
const imported = await client.importContacts([{ phone: peerPhone, firstName: "Peer", lastName: "" }]);
const peerId = imported.users[0].id;
const before = await client.getHistory(peerId, { limit: 10 });
const sent = await client.sendText(peerId, "from mtcute", { replyTo: before.length ? before[0].id : undefined });
await client.editMessage({ chatId: peerId, message: sent.id, text: "from mtcute, edited" });
await client.readHistory(peerId);
const history = await client.getHistory(peerId, { limit: 10 });
const dialogs = [];
for await (const d of client.iterDialogs({ limit: 10 })) dialogs.push(d.peer.id);
console.log(JSON.stringify({
  peer_id: peerId,
  history: history.map((m) => [m.text, m.isOutgoing, m.replyToMessage ? m.replyToMessage.id : null]),
  dialogs,
}));
await client.destroy?.();
process.exit(0);
