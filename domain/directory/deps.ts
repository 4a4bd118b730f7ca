import type { SecretBox } from '../../common/secret-box.js';
import type { Db } from '../../schema/database.js';

/** What a directory sync needs. */
export interface DirectoryDeps {
  db: Db;
  /** Opens the sealed bind secret; without it no sync can bind. */
  secretBox: SecretBox | undefined;
}
