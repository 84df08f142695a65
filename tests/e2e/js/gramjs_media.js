// GramJS 2.26.22 (layer 198), unmodified: sign up or in at START_DC, send each FILE to
// Saved Messages (a .jpg as a photo, anything else as a document) and download it back.
// Prints the config's this_dc, the session's DC, and per file the DC the server put it
// on and the sha256 of what came back; when that DC is not the session's, GramJS
// exports its login there and imports it on a new key.
// Usage: node gramjs_media.js HOST PORT PUBKEY_PEM_FILE PHONE CODE START_DC FILE...
const crypto = require("crypto");
const path = require("path");
const { Api } = require("telegram");
const { connectedClient } = require("./gramjs_client");

async function main() {
  const [host, port, pemFile, phone, code, dc, ...files] = process.argv.slice(2);
  const client = await connectedClient(host, port, pemFile, phone, code, Number(dc));
  const me = await client.getMe();
  const config = await client.invoke(new Api.help.GetConfig());
  const out = [];
  for (const file of files) {
    const photo = file.endsWith(".jpg");
    const message = await client.sendFile("me", { file, forceDocument: !photo, workers: 1 });
    const media = photo ? message.photo : message.document;
    const data = await client.downloadMedia(message, {});
    out.push({
      name: path.basename(file), kind: photo ? "photo" : "document", dc_id: media.dcId,
      sha256: crypto.createHash("sha256").update(data).digest("hex"),
    });
  }
  console.log(JSON.stringify({
    id: me.id.toString(), this_dc: config.thisDc, session_dc: client.session.dcId, files: out,
  }));
  await client.disconnect();
  await client.destroy();
  process.exit(0);
}

main().catch((err) => { console.error(err && err.stack || String(err)); process.exit(1); });
