package io.endostream.gateway.app;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/** Generates an RSA key pair for the test run: the gateway verifies with the public key, tests sign with the private. */
public class JwtTestKeys implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "endostream-test";
    private static volatile PrivateKey privateKey;

    @Override
    public Map<String, String> start() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            privateKey = pair.getPrivate();
            // the key itself, not a location: in test mode smallrye-jwt sets a generated in-memory key as the
            // default of mp.jwt.verify.publickey, which would win over a location
            return Map.of("mp.jwt.verify.publickey", Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
                    "mp.jwt.verify.issuer", ISSUER);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the test key pair", e);
        }
    }

    @Override
    public void stop() {
    }

    /** A bearer token for {@code user} with these roles (JWT "groups"), valid for an hour. */
    public static String token(String user, String... roles) {
        return Jwt.issuer(ISSUER).upn(user).groups(Set.of(roles)).expiresIn(3600).sign(privateKey);
    }
}
