// What a numbered migration is. Each runs once, inside a transaction, and sets PRAGMA user_version to its number.
export interface Migration {
  /** 1, 2, 3, …: equals the user_version the library has after it ran. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
