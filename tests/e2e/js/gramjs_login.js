// GramJS 2.26.22 (layer 198), unmodified, against our server: sign up or in, get me.
// Usage: node gramjs_login.js HOST PORT PUBKEY_PEM_FILE PHONE CODE [START_DC] (GramJS dials port 80 whatever the session says)
const { Api } = require("telegram");
const { connectedClient } = require("./gramjs_client");

async function main() {
  const [host, port, pemFile, phone, code, dc = "2"] = process.argv.slice(2);
  const client = await connectedClient(host, port, pemFile, phone, code, Number(dc));
  const me = await client.getMe();
  const config = await client.invoke(new Api.help.GetConfig());
  const state = await client.invoke(new Api.updates.GetState());
  console.log(JSON.stringify({ id: me.id.toString(), first_name: me.firstName, phone: me.phone, this_dc: config.thisDc, pts: state.pts }));
  await client.disconnect();
  await client.destroy();
  process.exit(0);
}

main().catch((err) => { console.error(err && err.stack || String(err)); process.exit(1); });
