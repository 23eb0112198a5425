/** Reads the JWT secret for local tools: JWT_SECRET, else the one `npm start` generated in .data/. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function localJwtSecret(): string {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const dataDir = process.env.HUANJIE_DATA_DIR ?? fileURLToPath(new URL('../.data', import.meta.url));
  const file = join(dataDir, 'secrets.json');
  if (!existsSync(file)) {
    console.error(`no JWT secret: set JWT_SECRET, or run npm start once so it generates ${file}`);
    process.exit(78);
  }
  return (JSON.parse(readFileSync(file, 'utf8')) as { jwtSecret: string }).jwtSecret;
}

export const authConfig = () => ({
  secret: localJwtSecret(),
  issuer: process.env.JWT_ISSUER ?? 'huanjie',
  audience: process.env.JWT_AUDIENCE ?? 'huanjie-api',
});
