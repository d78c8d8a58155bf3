// The floor: Keycloak importing the same content itself, the realm (with its client scopes) in
// one request and the rest in one partialImport, through the Admin REST API.
import KcAdminClient from "@keycloak/keycloak-admin-client";
import type { KeycloakUnderTest } from "../keycloak";
import type { BenchContext, Measurement } from "../measurement";
import { seconds } from "../measurement";
import { benchRealm, realmRepresentation } from "../realm-mix";
import { subjectMeasurements, type Subject } from "./subject";

export async function adminApi(keycloak: KeycloakUnderTest): Promise<KcAdminClient> {
  const kc = new KcAdminClient({ baseUrl: keycloak.url, realmName: "master" });
  await kc.auth({ grantType: "client_credentials", clientId: keycloak.admin.clientId, clientSecret: keycloak.admin.clientSecret });
  return kc;
}

/** Deletes a realm if Keycloak has it. */
export async function deleteRealm(keycloak: KeycloakUnderTest, realm: string): Promise<void> {
  const kc = await adminApi(keycloak);
  if (await kc.realms.findOne({ realm })) await kc.realms.del({ realm });
}

async function importSubject(context: BenchContext, objects: number): Promise<Subject> {
  const keycloak = await context.keycloak();
  const realm = benchRealm(`bench-import-${objects}`, objects);
  const representation = realmRepresentation(realm);
  return {
    reset: () => deleteRealm(keycloak, realm.realm),
    create: async () => ({
      seconds: await seconds(async () => {
        const kc = await adminApi(keycloak);
        await kc.realms.create(representation.realm);
        const result = await kc.realms.partialImport({ realm: realm.realm, rep: representation.partial as never });
        if (result.overwritten || result.skipped) throw new Error(`partialImport did not add everything: ${JSON.stringify(result)}`);
      }),
    }),
  };
}

export function keycloakImportMeasurements(objects: number): Measurement[] {
  return subjectMeasurements(
    "Keycloak import",
    objects,
    {
      "create on an empty realm": "the realm with its client scopes in one `POST /admin/realms`, the rest in one `partialImport` (Admin REST API)",
    },
    (context) => importSubject(context, objects),
  );
}
