// mtcute (@mtcute/node 0.30.3, layer 227), unmodified, against our server: log in an
// existing account (mtcute refuses to sign up), get me and the config.
// Usage: node mtcute_login.mjs HOST PORT PUBKEY_PEM_FILE PHONE CODE
// Our address goes in through its defaultDcs option, our key through its addPublicKey.
import fs from "node:fs";
import { TelegramClient } from "@mtcute/node";
import { addPublicKey } from "@mtcute/core/utils.js";

const [host, port, pemFile, phone, code] = process.argv.slice(2);
const dc = { id: 1, ipAddress: host, port: Number(port) };
const client = new TelegramClient({
  apiId: 1, apiHash: "0".repeat(32), storage: ":memory:",
  defaultDcs: { main: dc, media: { ...dc, mediaOnly: true } },
  logLevel: 1,
});
import { createHash } from "node:crypto";
// addPublicKey only hashes the key (its fingerprint) with the provider it is given.
const sha1 = { sha1: (data) => new Uint8Array(createHash("sha1").update(data).digest()) };
addPublicKey(sha1, fs.readFileSync(pemFile, "utf8"));
await client.start({
  phone, code: async () => code, firstName: "Mt", lastName: "Cute",
  password: async () => "",
});
const me = await client.getMe();
const config = await client.call({ _: "help.getConfig" });
const state = await client.call({ _: "updates.getState" });
console.log(JSON.stringify({ id: me.id, first_name: me.firstName, this_dc: config.thisDc, pts: state.pts }));
await client.destroy?.();
process.exit(0);
