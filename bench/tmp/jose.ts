import { createSecretKey, createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
const raw = new TextEncoder().encode('x'.repeat(48));
const tok = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('1').setJti('abc').setIssuedAt().setExpirationTime('30m').sign(raw);
const ko = createSecretKey(Buffer.from(raw));
const ck = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
for (const [name, key] of [['uint8', raw], ['KeyObject', ko], ['CryptoKey', ck]] as const) {
  for (let i = 0; i < 200; i++) await jwtVerify(tok, key as any, { algorithms: ['HS256'] });
  const c0 = process.cpuUsage(); const N = 2000;
  for (let i = 0; i < N; i++) await jwtVerify(tok, key as any, { algorithms: ['HS256'] });
  const c = process.cpuUsage(c0); console.log(name.padEnd(10), 'us/verify', ((c.user + c.system) / N).toFixed(0));
}
const c0 = process.cpuUsage(); for (let i = 0; i < 2000; i++) createHmac('sha256', raw).update(tok).digest(); const c = process.cpuUsage(c0); console.log('raw hmac us', ((c.user + c.system) / 2000).toFixed(1));
