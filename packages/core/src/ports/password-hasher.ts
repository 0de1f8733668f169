/** A strong, slow password hash (scrypt in the Node host). The hash string carries its parameters. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** True when `password` matches `hash`; constant-time comparison. */
  verify(hash: string, password: string): Promise<boolean>;
}
