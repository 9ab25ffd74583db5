package io.endostream.gateway.dashboard;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertTrue;

class DevTokensTest {

    @Test
    void signsWithTheCommittedDevKeyAndTheDevPublicKeyVerifies() throws Exception {
        DevTokens tokens = new DevTokens(DevTokens.readPem(Path.of("dev/dev-jwt-private.pem")), "endostream");
        String jwt = tokens.sign("dev \"op\"", "operator", 1_800_000_000L);
        String[] parts = jwt.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertTrue(payload.contains("\"groups\":[\"operator\"]") && payload.contains("\"upn\":\"dev \\\"op\\\"\"")
                && payload.contains("\"exp\":1800028800"), payload);
        String pem = Files.readString(Path.of("dev/dev-jwt-public.pem")).replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initVerify(key);
        s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(s.verify(Base64.getUrlDecoder().decode(parts[2])));

        // and smallrye-jwt, which verifies the gateway's tokens, accepts it with the dev public key and issuer
        String now = tokens.sign("dev-operator", "operator", System.currentTimeMillis() / 1000);
        org.eclipse.microprofile.jwt.JsonWebToken parsed = new io.smallrye.jwt.auth.principal.DefaultJWTParser(
                new io.smallrye.jwt.auth.principal.JWTAuthContextInfo(key, "endostream")).parse(now);
        assertTrue(parsed.getName().equals("dev-operator") && parsed.getGroups().equals(java.util.Set.of("operator")),
                parsed.getName() + " " + parsed.getGroups());
    }
}
