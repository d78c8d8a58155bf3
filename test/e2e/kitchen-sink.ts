// The kitchen sink: every kind of thing a realm spec can declare, with the secrets its stack
// needs. Deployed by kitchen-sink.test.ts, adopted by adoption.test.ts, imported by import.test.ts.
export const kitchenSinkSpec = `
realm: sink
displayName: Kitchen Sink
login: { userRegistration: true, rememberMe: true, forgotPassword: true, verifyEmail: true, loginWithEmail: false, registrationEmailAsUsername: false }
sslRequired: none
bruteForce: { maxFailures: 7, waitIncrement: 2m, maxWait: 20m, failureReset: 6h }
passwordPolicy: length(10)
tokens: { accessTokenLifespan: 10m, accessCodeLifespan: 2m, ssoSessionIdleTimeout: 1h, ssoSessionMaxLifespan: 12h, offlineSessionIdleTimeout: 30d }
events:
  login: { enabled: true, expiration: 3d }
  admin: { enabled: true, details: true }
smtp:
  host: smtp.example.com
  port: 587
  from: keycloak@example.com
  fromDisplayName: Keycloak
  auth: { username: mailer, password: { config: smtpPassword } }
themes: { login: keycloak, email: keycloak }
locales: { supported: [en, de], default: en }
clients:
  - clientId: worker
    standardFlow: false
    serviceAccount: true
    secret: { config: workerSecret }
    serviceAccountRoles:
      realm: [data-reader]
      clients:
        realm-management: [view-users]
        api: [read]
    defaultScopes: [basic, profile, api-audience]
    optionalScopes: [offline_access]
    mappers:
      - { type: realmRoles, claim: realm_roles }
      - { type: userAttribute, attribute: team, claim: team }
  - clientId: api
    standardFlow: false
    roles:
      - read
      - name: write
        description: Change data
        composites: { clients: { api: [read] } }
  - clientId: spa
    access: public
    redirectUris: [http://localhost:3000/*]
    webOrigins: ["+"]
  - clientId: https://saml.example.com/metadata
    protocol: saml
    redirectUris: [https://saml.example.com/acs]
clientScopes:
  - name: api-audience
    mappers:
      - { type: audience, client: api }
      - { type: clientRoles, client: api, claim: api_roles }
roles:
  - data-reader
  - name: data-admin
    composites: { realm: [data-reader] }
defaultRoles:
  realm: [offline_access, data-reader]
groups:
  - name: research
    attributes: { cost-center: "42", sites: [lab-a, lab-b] }
    roles: { realm: [data-reader] }
    subGroups:
      - name: ml
        roles: { clients: { api: [write] } }
defaultGroups: [research]
userProfile:
  attributes:
    - { name: team, displayName: Team }
    - { name: badge, userEditable: true }
users:
  - username: carol
    email: carol@example.com
    firstName: Carol
    lastName: Researcher
    password: { config: carolPassword, temporary: false }
    groups: [/research/ml]
    requiredActions: [VERIFY_EMAIL]
    attributes: { team: vision }
identityProviders:
  - alias: google
    type: google
    clientId: google-client
    clientSecret: { config: googleSecret }
    hostedDomain: example.com
    mappers:
      - { name: team, type: attribute, claim: team, userAttribute: team }
  - alias: corp
    type: oidc
    clientId: corp-client
    clientSecret: { config: corpSecret }
    authorizationUrl: https://sso.example.com/auth
    tokenUrl: https://sso.example.com/token
    mappers:
      - { name: admins, type: claimToRole, claim: roles, value: admin, role: data-admin }
      - { name: researchers, type: claimToGroup, claim: dept, value: research, group: research }
      - { name: everyone, type: hardcodedGroup, group: /research }
  - alias: adfs
    type: saml
    entityId: https://adfs.example.com/adfs/services/trust
    singleSignOnServiceUrl: https://adfs.example.com/adfs/ls
authentication:
  otp: { type: totp, algorithm: HmacSHA256, digits: 8, period: 60, lookAhead: 2 }
  requireOtp: { everyone: true }
  requiredActions:
    - { alias: CONFIGURE_TOTP, enabled: true, default: true }
    - { alias: TERMS_AND_CONDITIONS, enabled: false }
`;

export const kitchenSinkSecrets = {
  smtpPassword: "smtp-password-of-the-test",
  workerSecret: "worker-secret-of-the-test",
  carolPassword: "carol-password-of-the-test",
  googleSecret: "google-secret-of-the-test",
  corpSecret: "corp-secret-of-the-test",
};
