// An mtcute client pointed at our server: our address through its defaultDcs option,
// our key through its addPublicKey; logs in an existing account with `code`. `dc` is the
// DC it starts at (2 unless told otherwise): every DC id is our server, and mtcute finds
// the others in help.getConfig.
import fs from "node:fs";
import { createHash } from "node:crypto";
import { TelegramClient } from "@mtcute/node";
import { addPublicKey } from "@mtcute/core/utils.js";

export async function loggedInClient(host, port, pemFile, phone, code, startDc = 2) {
  const dc = { id: Number(startDc), ipAddress: host, port: Number(port) };
  const client = new TelegramClient({
    apiId: 1, apiHash: "0".repeat(32), storage: ":memory:",
    defaultDcs: { main: dc, media: { ...dc, mediaOnly: true } },
    logLevel: 1,
  });
  // addPublicKey only hashes the key (its fingerprint) with the provider it is given.
  const sha1 = { sha1: (data) => new Uint8Array(createHash("sha1").update(data).digest()) };
  addPublicKey(sha1, fs.readFileSync(pemFile, "utf8"));
  await client.start({
    phone, code: async () => code, firstName: "Mt", lastName: "Cute",
    password: async () => "",
  });
  return client;
}
