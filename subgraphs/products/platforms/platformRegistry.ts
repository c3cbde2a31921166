import { isUniqueViolation } from '../../../common/database';
import { badUserInput, conflict } from '../../../common/errors';
import { requiredText } from '../../../common/textInput';
import type { Platform } from '../generated/prisma/client';
import type { ProductsDb } from '../store';

const PLATFORM_CODE = /^[a-z][a-z0-9-]{1,31}$/;

/** Registers a member platform; its code is what feeds, tokens and filters name it by. */
export async function registerPlatform(db: ProductsDb, codeInput: string, nameInput: string): Promise<Platform> {
  const code = codeInput.trim();
  if (!PLATFORM_CODE.test(code)) {
    throw badUserInput('code', 'must be 2 to 32 lowercase letters, digits or dashes, starting with a letter');
  }
  const name = requiredText('name', nameInput, 100);
  try {
    return await db.platform.create({ data: { code, name } });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw conflict(`Platform ${code} is already registered.`);
    }
    throw err;
  }
}
