// mtcute (@mtcute/node 0.30.3, layer 227), unmodified, running a broadcast channel: create
// it, give it a username, post, pin, export an invite link, read history and dialogs; then,
// after the test's other user joined (the test writes a line on stdin when it has), read the
// member count and the members, edit the post, delete it, rename the channel and read the
// event log.
// Usage: node mtcute_channels.mjs HOST PORT PUBKEY_PEM_FILE PHONE CODE USERNAME
// Prints two JSON lines: the channel as made, and what it saw after the join.
import readline from "node:readline";
import { loggedInClient } from "./mtcute_client.mjs";

function nextStdinLine() {
  const lines = readline.createInterface({ input: process.stdin });
  return new Promise((resolve) => lines.once("line", (line) => { lines.close(); resolve(line); }));
}

const [host, port, pemFile, phone, code, username] = process.argv.slice(2);
const client = await loggedInClient(host, port, pemFile, phone, code);
const me = await client.getMe();
const channel = await client.createChannel({ title: "mtcute news", description: "made by mtcute" });
await client.setChatUsername(channel.id, username);
const post = await client.sendText(channel.id, "first post");
const link = await client.exportInviteLink(channel.id);
const named = await client.getChat(username);
await client.pinMessage({ chatId: channel.id, message: post.id, notify: false });
const history = await client.getHistory(channel.id, { limit: 10 });
const dialogs = [];
for await (const d of client.iterDialogs({ limit: 10 })) dialogs.push(String(d.peer.id));
console.log(JSON.stringify({
  chat_id: String(channel.raw.id), chat_id_marked: String(channel.id), me: String(me.id), broadcast: channel.chatType === "channel",
  username: named.username, post_id: post.id, link: link.link, dialogs,
  history: history.map((m) => [m.text, m.isOutgoing, m.isService ? m.action && m.action.type : null]),
}));
await nextStdinLine();
const full = await client.getFullChat(channel.id);
const members = await client.getChatMembers(channel.id);
const joined = members.find((m) => String(m.user.id) !== String(me.id));
const member = await client.getChatMember({ chatId: channel.id, userId: joined.user.id });
const edited = await client.editMessage({ chatId: channel.id, message: post.id, text: "first post, edited" });
await client.deleteMessagesById(channel.id, [post.id]);
await client.setChatTitle(channel.id, "mtcute daily");
await client.setChatDescription(channel.id, "renamed by mtcute");
const renamed = await client.getFullChat(channel.id);
const events = await client.getChatEventLog(channel.id, { limit: 20 });
console.log(JSON.stringify({
  members: full.membersCount, admins: full.adminsCount, bio: full.bio,
  member_ids: members.map((m) => String(m.user.id)), statuses: members.map((m) => m.status).sort(),
  member_status: member.status, pinned: full.full.pinnedMsgId || null, edited: edited.text,
  title: renamed.title, about: renamed.bio, events: events.map((e) => e.action && e.action.type),
}));
await client.destroy?.();
process.exit(0);
