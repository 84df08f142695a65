// mtcute (@mtcute/node 0.30.3, layer 227), unmodified: log in at START_DC, send each FILE
// to Saved Messages (a .jpg as a photo, anything else as a document) and download it back.
// Prints the config's this_dc and per file the DC the server put it on and the sha256 of
// what came back; when that DC is not the client's, mtcute exports its login there and
// imports it on a new key.
// Usage: node mtcute_media.mjs HOST PORT PUBKEY_PEM_FILE PHONE CODE START_DC FILE...
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { loggedInClient } from "./mtcute_client.mjs";

const [host, port, pemFile, phone, code, dc, ...files] = process.argv.slice(2);
const client = await loggedInClient(host, port, pemFile, phone, code, Number(dc));
const me = await client.getMe();
const config = await client.call({ _: "help.getConfig" });
const out = [];
for (const file of files) {
  const kind = file.endsWith(".jpg") ? "photo" : "document";
  // "file:" marks a local path (a bare string would be a file id or URL).
  const message = await client.sendMedia("self", { type: kind, file: `file:${file}` });
  const data = await client.downloadAsBuffer(message.media);
  out.push({
    name: basename(file), kind, dc_id: message.media.raw.dcId,
    sha256: createHash("sha256").update(data).digest("hex"),
  });
}
console.log(JSON.stringify({ id: me.id, this_dc: config.thisDc, files: out }));
await client.destroy?.();
process.exit(0);
