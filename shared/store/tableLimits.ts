/**
 * Azure Table Storage limits the store plans within (and the memory backend enforces).
 * Data model: https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model
 * ("String values may be up to 64 KiB in size"; strings are UTF-16; an entity can have up to 252 custom
 * properties and be up to 1 MiB; PartitionKey/RowKey up to 1 KiB and may not contain / \ # ? or control
 * characters; table names are alphanumeric, 3–63 characters, starting with a letter).
 * Transactions: https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions
 * ("up to 100 entities", "same partition key", "an entity can appear only once in the change set",
 * "total payload … no more than 4 MiB").
 */
export const MAX_STRING_CHARS = 32 * 1024;
export const MAX_CUSTOM_PROPERTIES = 252;
export const MAX_ENTITY_BYTES = 1024 * 1024;
export const MAX_KEY_CHARS = 512;
export const MAX_TRANSACTION_OPERATIONS = 100;
export const MAX_PAGE_SIZE = 1000;
export const TABLE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

const FORBIDDEN_KEY_CHARS = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

export function isValidKey(key: string): boolean {
  return key.length <= MAX_KEY_CHARS && !FORBIDDEN_KEY_CHARS.test(key);
}
