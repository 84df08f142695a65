// GramJS 2.26.22 (layer 198), unmodified, in a supergroup: create a megagroup, invite a
// contact, post, edit, pin, read history, participants, full info and dialogs; then, after
// the test's other user posted (the test writes a line on stdin when it has), see that post
// live and again through updates.getChannelDifference from the channel pts it had; search,
// fetch by id, forward to Saved Messages, kick the other user and read the admin log.
// Usage: node gramjs_channels.js HOST PORT PUBKEY_PEM_FILE PHONE CODE PEER_PHONE
// Prints two JSON lines: what it saw before the other user posted, and the difference.
const readline = require("readline");
const { Api } = require("telegram");
const bigInt = require("big-integer");
const { NewMessage } = require("telegram/events");
const { connectedClient } = require("./gramjs_client");

function nextStdinLine() {
  const lines = readline.createInterface({ input: process.stdin });
  return new Promise((resolve) => lines.once("line", (line) => { lines.close(); resolve(line); }));
}

async function main() {
  const [host, port, pemFile, phone, code, peerPhone] = process.argv.slice(2);
  const client = await connectedClient(host, port, pemFile, phone, code);
  const imported = await client.invoke(new Api.contacts.ImportContacts({
    contacts: [new Api.InputPhoneContact({ clientId: bigInt(1), phone: peerPhone, firstName: "Peer", lastName: "" })],
  }));
  const peer = imported.users[0];
  const created = await client.invoke(new Api.channels.CreateChannel({
    megagroup: true, title: "GramJS group", about: "made by GramJS",
  }));
  const channel = created.chats[0];
  await client.invoke(new Api.channels.InviteToChannel({ channel, users: [peer] }));
  const sent = await client.sendMessage(channel, { message: "hello group" });
  await client.editMessage(channel, { message: sent.id, text: "hello group, edited" });
  await client.pinMessage(channel, sent.id, { notify: false });
  await client.invoke(new Api.channels.ReadHistory({ channel, maxId: sent.id }));
  const history = await client.getMessages(channel, { limit: 10 });
  const participants = await client.getParticipants(channel, {});
  const full = await client.invoke(new Api.channels.GetFullChannel({ channel }));
  const dialogs = await client.getDialogs({ limit: 10 });
  console.log(JSON.stringify({
    me: (await client.getMe()).id.toString(), channel_id: channel.id.toString(), megagroup: channel.megagroup, peer_id: peer.id.toString(),
    history: history.map((m) => [m.className, m.message || (m.action && m.action.className), m.out, m.id]),
    participants: participants.map((u) => u.id.toString()).sort(),
    full: {
      about: full.fullChat.about, participants: full.fullChat.participantsCount, pts: full.fullChat.pts,
      pinned: full.fullChat.pinnedMsgId || null, read_inbox: full.fullChat.readInboxMaxId,
    },
    dialogs: dialogs.map((d) => [d.entity.className, d.entity.id.toString()]),
  }));
  // The other user's post should also arrive live, as updateNewChannelMessage.
  const live = new Promise((resolve) => {
    client.addEventHandler((event) => resolve(event.message.message), new NewMessage({ incoming: true }));
  });
  await nextStdinLine();
  const liveText = await Promise.race([live, new Promise((resolve) => setTimeout(() => resolve(null), 10000))]);
  const diff = await client.invoke(new Api.updates.GetChannelDifference({
    channel, filter: new Api.ChannelMessagesFilterEmpty(), pts: full.fullChat.pts, limit: 100,
  }));
  const found = await client.getMessages(channel, { search: "edited", limit: 10 });
  const byId = await client.getMessages(channel, { ids: [sent.id] });
  const peerDialogs = await client.invoke(new Api.messages.GetPeerDialogs({ peers: [new Api.InputDialogPeer({ peer: channel })] }));
  const forwarded = await client.forwardMessages("me", { messages: [sent.id], fromPeer: channel });
  await client.kickParticipant(channel, peer);
  const after = await client.invoke(new Api.channels.GetFullChannel({ channel }));
  const log = await client.invoke(new Api.channels.GetAdminLog({ channel, q: "", maxId: 0, minId: 0, limit: 20 }));
  console.log(JSON.stringify({
    found: found.map((m) => m.message), by_id: byId.map((m) => m && m.message),
    peer_dialog: [peerDialogs.dialogs[0].className, peerDialogs.dialogs[0].pts],
    forwarded: forwarded.flat().map((m) => [m.message, m.fwdFrom && m.fwdFrom.fromId && m.fwdFrom.fromId.className]),
    participants_after_kick: after.fullChat.participantsCount,
    log: log.events.map((e) => e.action.className),
    live: liveText, difference: diff.className, final: diff.final, pts: diff.pts,
    new_messages: (diff.newMessages || []).map((m) => [m.message, m.fromId ? m.fromId.userId.toString() : null]),
  }));
  await client.disconnect();
  await client.destroy();
  process.exit(0);
}

main().catch((err) => { console.error(err && err.stack || String(err)); process.exit(1); });
