// An mtcute client pointed at our server: our address through its defaultDcs option,
// our key through its addPublicKey; logs in an existing account with `code`.
import fs from "node:fs";
import { createHash } from "node:crypto";
import { TelegramClient } from "@mtcute/node";
import { addPublicKey } from "@mtcute/core/utils.js";

export async function loggedInClient(host, port, pemFile, phone, code) {
  const dc = { id: 2, ipAddress: host, port: Number(port) };
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
