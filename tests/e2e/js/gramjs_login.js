// GramJS 2.26.22 (layer 198), unmodified, against our server: sign up or in, get me.
// Usage: node gramjs_login.js HOST PORT PUBKEY_PEM_FILE PHONE CODE (GramJS dials port 80 whatever the session says)
// Points GramJS at us through its own session API (setDC) and adds our RSA key to
// its key table at run time (crypto/RSA _serverKeys); the package is not edited.
const fs = require("fs");
const crypto = require("crypto");
const bigInt = require("big-integer");
const { TelegramClient, Api } = require("telegram");
const { StringSession } = require("telegram/sessions");
const RSA = require("telegram/crypto/RSA");
const { Logger } = require("telegram/extensions");
const { ConnectionTCPFull } = require("telegram/network");

function tlBytes(buf) {
  const head = buf.length < 254 ? Buffer.from([buf.length]) : Buffer.from([254, buf.length & 255, (buf.length >> 8) & 255, buf.length >> 16]);
  const body = Buffer.concat([head, buf]);
  return Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
}

async function main() {
  const [host, port, pemFile, phone, code] = process.argv.slice(2);
  const key = crypto.createPublicKey(fs.readFileSync(pemFile, "utf8")).export({ format: "jwk" });
  const n = Buffer.from(key.n, "base64url");
  const e = Buffer.from(key.e, "base64url");
  const digest = crypto.createHash("sha1").update(Buffer.concat([tlBytes(n), tlBytes(e)])).digest();
  const fingerprint = digest.readBigInt64LE(12);
  RSA._serverKeys.set(fingerprint.toString(), { n: bigInt(n.toString("hex"), 16), e: parseInt(e.toString("hex"), 16) });

  const session = new StringSession("");
  session.setDC(1, host, Number(port));
  const client = new TelegramClient(session, 1, "0".repeat(32), {
    connectionRetries: 1, baseLogger: new Logger("error"), useWSS: false, connection: ConnectionTCPFull,
  });
  await client.start({
    phoneNumber: async () => phone,
    phoneCode: async () => code,
    firstAndLastNames: async () => ["Gram", "JS"],
    password: async () => "",
    onError: (err) => { throw err; },
  });
  const me = await client.getMe();
  const config = await client.invoke(new Api.help.GetConfig());
  const state = await client.invoke(new Api.updates.GetState());
  console.log(JSON.stringify({ id: me.id.toString(), first_name: me.firstName, phone: me.phone, this_dc: config.thisDc, pts: state.pts }));
  await client.disconnect();
  await client.destroy();
  process.exit(0);
}

main().catch((err) => { console.error(err && err.stack || String(err)); process.exit(1); });
