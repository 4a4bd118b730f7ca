// Who asks: the tenant a request acts in and the key that made it. The API's AuthContext
// is one of these; domain rules need nothing else of authentication.

export interface Actor {
  tenantId: string;
  /** The API key's id: recorded as creator, decider and audit actor. */
  keyId: string;
}
