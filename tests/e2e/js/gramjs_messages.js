// GramJS 2.26.22 (layer 198), unmodified: sign up, add a contact by phone, message it,
// edit, read back history and dialogs, catch up with getDifference.
// Usage: node gramjs_messages.js HOST PORT PUBKEY_PEM_FILE PHONE CODE PEER_PHONE
const { Api } = require("telegram");
const bigInt = require("big-integer");
const { connectedClient } = require("./gramjs_client");

async function main() {
  const [host, port, pemFile, phone, code, peerPhone] = process.argv.slice(2);
  const client = await connectedClient(host, port, pemFile, phone, code);
  const start = await client.invoke(new Api.updates.GetState());
  const imported = await client.invoke(new Api.contacts.ImportContacts({
    contacts: [new Api.InputPhoneContact({ clientId: bigInt(1), phone: peerPhone, firstName: "Peer", lastName: "" })],
  }));
  const peer = imported.users[0];
  const sent = await client.sendMessage(peer, { message: "from GramJS" });
  await client.editMessage(peer, { message: sent.id, text: "from GramJS, edited" });
  await client.sendMessage(peer, { message: "second", replyTo: sent.id });
  const history = await client.getMessages(peer, { limit: 10 });
  const dialogs = await client.getDialogs({ limit: 10 });
  const diff = await client.invoke(new Api.updates.GetDifference({ pts: start.pts, date: start.date, qts: 0 }));
  console.log(JSON.stringify({
    peer_id: peer.id.toString(),
    history: history.map((m) => [m.message, m.out, m.replyTo ? m.replyTo.replyToMsgId : null]),
    dialogs: dialogs.map((d) => d.id.toString()),
    difference: diff.className, new_messages: (diff.newMessages || []).map((m) => m.message),
  }));
  await client.disconnect();
  await client.destroy();
  process.exit(0);
}

main().catch((err) => { console.error(err && err.stack || String(err)); process.exit(1); });
